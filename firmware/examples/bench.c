/*
 * bench: a fixed mixed workload per iteration, for executor and prover benchmarks.
 *
 * Private input: the iteration count, a little-endian u32 (4 bytes; extra bytes ignored).
 * Journal:       a 4-byte checksum (u32 LE) of all the work.
 * Exit codes:    0 success; 1 if the input is shorter than 4 bytes (nothing committed).
 *
 * Each iteration executes every RV32IM instruction class: register and immediate ALU ops,
 * LUI/AUIPC, all shifts, SLT/SLTU/SLTI/SLTIU, all six branch kinds, JAL/JALR (calls to
 * non-inlined functions), every load and store width, and all eight M instructions. The
 * firmware Makefile checks the disassembly of the bench_* and work_* functions for every
 * one of these mnemonics and fails the build if any is missing.
 *
 * Every iteration retires exactly the same number of instructions (BENCH_INSNS_PER_ITER,
 * measured; see docs/guest-runtime.md), so cycles = fixed + count * per-iteration, and a
 * benchmark can pick its cycle count (2^16 ... 2^24) by choosing the count. The branches are
 * steered by `knob` values read through volatile (GCC cannot fold them, and they make each
 * branch go the same way every time); all other data flows from a running state.
 */
#include <stdint.h>

#include "rvzk.h"

/* Read through volatile each iteration: unknown to the compiler, constant in practice.
   Values chosen so that every conditional block below is executed. */
static volatile int32_t knob[6] = { -7, 7, 3, -3, 5, 5 };

/* Memory for the load/store work; accessed at running offsets so nothing can be cached. */
static uint8_t scratch[64] __attribute__((aligned(4)));

/* Register and immediate ALU ops, shifts by register and immediate, set-less-than. */
__attribute__((noinline)) static uint32_t work_alu(uint32_t x, uint32_t y)
{
    int32_t sx = (int32_t)x;
    uint32_t sh = y; /* shift by register: only the low 5 bits count (RV32 semantics) */
    uint32_t r = x + y;
    r ^= x - (y << 1);
    r |= (x & 0x5a5) ^ (y | 0x3c);
    r += (x ^ 0x2f1) & y;
    r += (x << (sh & 31)) ^ (x >> ((sh >> 3) & 31));
    r += (uint32_t)(sx >> ((sh >> 7) & 31)) + (uint32_t)(sx >> 13);
    r ^= (x << 7) + (y >> 11);
    r += (uint32_t)((int32_t)r < sx);   /* slt */
    r += (uint32_t)(r < y);             /* sltu */
    r += (uint32_t)(sx < 100);          /* slti */
    r += (uint32_t)(y < 1000u);         /* sltiu */
    return r * 0x9e3779b9u + 0x12345678u; /* constants need lui */
}

/* Every load and store width and signedness, at a state-dependent offset. */
__attribute__((noinline)) static uint32_t work_mem(uint32_t x, uint32_t off)
{
    /* A global address each call: auipc + addi with -mcmodel=medany. */
    uint8_t *base = scratch + (off & 0x30);
    *(uint32_t *)base = x;
    *(uint16_t *)(base + 4) = (uint16_t)(x >> 7);
    base[7] = (uint8_t)(x >> 19); /* not next to the halfword: GCC would merge the stores */
    /* The compiler must reload what it just stored. (Volatile would do that too, but GCC
       then loads sub-words zero-extended and sign-extends with shifts: no LB/LH.) */
    __asm__ volatile("" ::: "memory");
    uint32_t r = *(const uint32_t *)base;
    r += (uint32_t)(int32_t) * (const int16_t *)(base + 2);
    r += *(const uint16_t *)(base + 4);
    r += (uint32_t)(int32_t) * (const int8_t *)(base + 6);
    r += base[7];
    return r;
}

/* All eight M-extension instructions. Divisors are odd and positive: never zero, and
   INT32_MIN / -1 cannot happen (both are undefined behaviour in C). */
__attribute__((noinline)) static uint32_t work_mul(uint32_t x, uint32_t y)
{
    int32_t sx = (int32_t)x, sy = (int32_t)y;
    uint32_t r = x * y;                                            /* mul */
    r += (uint32_t)(((int64_t)sx * (int64_t)sy) >> 32);            /* mulh */
    r += (uint32_t)(((uint64_t)(int64_t)sx * (uint64_t)y) >> 32);  /* mulhsu */
    r += (uint32_t)(((uint64_t)x * (uint64_t)y) >> 32);            /* mulhu */
    int32_t d = (int32_t)((y & 0xfff) | 1);
    r += (uint32_t)(sx / d);                                       /* div */
    r += (uint32_t)(sx % d);                                       /* rem */
    r += x / ((y >> 12) | 1);                                      /* divu */
    r += x % ((y >> 20) | 1);                                      /* remu */
    return r;
}

/* All six branch kinds. The knobs make each condition true every time, so every iteration
   takes the same path; GCC branches around each block on the opposite condition. */
__attribute__((noinline)) static uint32_t work_branch(uint32_t x)
{
    int32_t a = knob[0], b = knob[1], c = knob[2], d = knob[3], e = knob[4], f = knob[5];
    if (a < b)                       /* -7 < 7 */
        x = x * 3 + 1;
    if (c >= d)                      /* 3 >= -3 */
        x ^= x >> 5;
    if ((uint32_t)b < (uint32_t)a)   /* 7 < 0xfffffff9 */
        x += 0x7f;
    if ((uint32_t)a >= (uint32_t)c)  /* 0xfffffff9 >= 3 */
        x = (x << 3) | (x >> 29);
    if (e == f)                      /* 5 == 5 */
        x -= 0x3d;
    if (a != f)                      /* -7 != 5 */
        x ^= 0x1234;
    return x;
}

/* One iteration per loop trip; each work_* call is a JAL and each return a JALR. */
__attribute__((noinline)) static uint32_t bench_loop(uint32_t count)
{
    uint32_t s = 0x243f6a88u;
    for (uint32_t i = 0; i < count; i++) {
        s = work_alu(s, i);
        s = work_mem(s, s >> 9);
        s = work_mul(s, s ^ i);
        s = work_branch(s);
    }
    return s;
}

int main(void)
{
    uint32_t count;
    if (rvzk_read_exact(&count, sizeof count) != sizeof count)
        return 1;
    rvzk_commit_u32(bench_loop(count));
    return 0;
}
