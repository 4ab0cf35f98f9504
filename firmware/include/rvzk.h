/*
 * rvzk guest API: the three syscalls of the guest ABI (ARCHITECTURE.md contract 1) as
 * static inline functions. See docs/guest-runtime.md.
 *
 * `ecall` takes the syscall number in t0 and arguments in a0/a1; a syscall changes no
 * register but a0. The asm statements below say exactly that to GCC: t0 and a1 are inputs
 * only, a0 is input and output, and "memory" makes GCC finish all stores before the call
 * (COMMIT reads guest memory) and forget cached memory after it (READ writes guest memory).
 */
#ifndef RVZK_H
#define RVZK_H

#include <stdint.h>

#define RVZK_SYS_HALT   0u
#define RVZK_SYS_READ   1u
#define RVZK_SYS_COMMIT 2u

/* Put a large buffer in .noinit: crt0 does not clear it (costs no start-up cycles). */
#define RVZK_NOINIT __attribute__((section(".noinit")))

/* Read up to `max` bytes of private input into `dst`; returns the count (0 at the end). */
static inline uint32_t rvzk_read(void *dst, uint32_t max)
{
    register uint32_t a0 __asm__("a0") = (uint32_t)(uintptr_t)dst;
    register uint32_t a1 __asm__("a1") = max;
    register uint32_t t0 __asm__("t0") = RVZK_SYS_READ;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(t0) : "memory");
    return a0;
}

/* Read until `n` bytes have arrived or the input ends; returns the count read (< n only at
   the end of the input). READ may return fewer bytes than asked for, hence the loop. */
static inline uint32_t rvzk_read_exact(void *dst, uint32_t n)
{
    uint8_t *p = (uint8_t *)dst;
    uint32_t got = 0;
    while (got < n) {
        uint32_t r = rvzk_read(p + got, n - got);
        if (r == 0)
            break;
        got += r;
    }
    return got;
}

/* Append `len` bytes at `src` to the public journal. */
static inline void rvzk_commit(const void *src, uint32_t len)
{
    register uint32_t a0 __asm__("a0") = (uint32_t)(uintptr_t)src;
    register uint32_t a1 __asm__("a1") = len;
    register uint32_t t0 __asm__("t0") = RVZK_SYS_COMMIT;
    /* a0 is marked as written although COMMIT leaves it alone: the ABI only promises that
       nothing else changes, so GCC must not keep a value in a0 across the call. */
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(t0) : "memory");
}

/* Commit one u32, little-endian (the guest is little-endian, so its bytes as stored). */
static inline void rvzk_commit_u32(uint32_t v)
{
    rvzk_commit(&v, sizeof v);
}

/* Stop with `code` as exit code (0 = success). Does not return. */
__attribute__((noreturn)) static inline void rvzk_halt(uint32_t code)
{
    register uint32_t a0 __asm__("a0") = code;
    register uint32_t t0 __asm__("t0") = RVZK_SYS_HALT;
    __asm__ volatile("ecall" : : "r"(a0), "r"(t0) : "memory");
    __builtin_unreachable();
}

#endif /* RVZK_H */
