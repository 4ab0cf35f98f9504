/*
 * rvzk ISA self-test: the syscalls READ and COMMIT, and what an ecall may change.
 *
 * The test harness feeds this program the 4-byte private input "rvzk"
 * (0x72 0x76 0x7a 0x6b). It must then produce the 6-byte journal "rvzkok"
 * (0x72 0x76 0x7a 0x6b 0x6f 0x6b) and exit with code 0.
 *
 * Cases:
 *   1  READ(buf, 1)       returns 1, buf[0] = 'r', buf[1] untouched
 *   2  READ(buf + 1, 0)   returns 0 (nothing asked, nothing read), buf[1] untouched
 *   3  READ(buf + 5, 10)  returns 3 (the rest of the input) at an unaligned address:
 *                         buf[5..8] = "vzk", buf[4] and buf[8] untouched
 *   4  READ(buf, 10)      returns 0 (end of input), buf[0] still 'r'
 *   5  READ again         still 0
 *   6  COMMIT(buf, 1)     "r"
 *   7  COMMIT(buf + 5, 3) "vzk", from an unaligned address
 *   8  COMMIT(buf, 0)     nothing
 *   9  COMMIT(ok, 2)      "ok", from the data segment
 * Around every ecall all registers except a0 and gp (the test number) are set to distinct
 * values and checked afterwards: a syscall changes no register but a0. (This assumes the
 * executor returns min(max, bytes left) from READ, which is what it does.)
 *
 * Halts with a0 = 0 if every case passes, else a0 = the number of the failing case.
 */
#include "test_macros.h"

    .data
    .balign 4
save:
    .word 0
buf:
    .word 0, 0, 0, 0
ok:
    .ascii "ok"

#define FILL_REGS \
    la sp, save; \
    li ra, 0xa5010203; \
    li tp, 0xa504080c; \
    li t1, 0xa5060c12; \
    li t2, 0xa5070e15; \
    li s0, 0xa5081018; \
    li s1, 0xa509121b; \
    li a2, 0xa50c1824; \
    li a3, 0xa50d1a27; \
    li a4, 0xa50e1c2a; \
    li a5, 0xa50f1e2d; \
    li a6, 0xa5102030; \
    li a7, 0xa5112233; \
    li s2, 0xa5122436; \
    li s3, 0xa5132639; \
    li s4, 0xa514283c; \
    li s5, 0xa5152a3f; \
    li s6, 0xa5162c42; \
    li s7, 0xa5172e45; \
    li s8, 0xa5183048; \
    li s9, 0xa519324b; \
    li s10, 0xa51a344e; \
    li s11, 0xa51b3651; \
    li t3, 0xa51c3854; \
    li t4, 0xa51d3a57; \
    li t5, 0xa51e3c5a; \
    li t6, 0xa51f3e5d;

/* CHECK uses t2 as its temporary, so t2 is checked first, with a0 as the temporary (the
   syscall's a0 was saved to `save` through sp, which must itself be unchanged). */
#define CHECK_REGS(a1_value, t0_value) \
    sw a0, 0(sp); \
    li a0, 0xa5070e15; \
    bne t2, a0, fail; \
    la a0, save; \
    bne sp, a0, fail; \
    lw a0, 0(sp); \
    CHECK(ra, 0xa5010203); \
    CHECK(tp, 0xa504080c); \
    CHECK(t1, 0xa5060c12); \
    CHECK(s0, 0xa5081018); \
    CHECK(s1, 0xa509121b); \
    CHECK(a2, 0xa50c1824); \
    CHECK(a3, 0xa50d1a27); \
    CHECK(a4, 0xa50e1c2a); \
    CHECK(a5, 0xa50f1e2d); \
    CHECK(a6, 0xa5102030); \
    CHECK(a7, 0xa5112233); \
    CHECK(s2, 0xa5122436); \
    CHECK(s3, 0xa5132639); \
    CHECK(s4, 0xa514283c); \
    CHECK(s5, 0xa5152a3f); \
    CHECK(s6, 0xa5162c42); \
    CHECK(s7, 0xa5172e45); \
    CHECK(s8, 0xa5183048); \
    CHECK(s9, 0xa519324b); \
    CHECK(s10, 0xa51a344e); \
    CHECK(s11, 0xa51b3651); \
    CHECK(t3, 0xa51c3854); \
    CHECK(t4, 0xa51d3a57); \
    CHECK(t5, 0xa51e3c5a); \
    CHECK(t6, 0xa51f3e5d); \
    CHECK(a1, a1_value); \
    CHECK(t0, t0_value)

/* Syscall `num` with a0 = `arg0`, a1 = `arg1`, every other register filled. */
#define SYSCALL(num, arg0, arg1) \
    FILL_REGS;            \
    la a0, arg0;          \
    li a1, arg1;          \
    li t0, num;           \
    ecall;                \
    CHECK_REGS(arg1, num)

/* The byte at buf + `off` must be `value`. */
#define CHECK_BYTE(off, value) \
    la a3, buf;           \
    lbu a4, off(a3);      \
    CHECK(a4, value)

TEST_BEGIN
    TEST_CASE(1)
    SYSCALL(1, buf, 1)
    CHECK(a0, 1)
    CHECK_BYTE(0, 0x72)
    CHECK_BYTE(1, 0)

    TEST_CASE(2)
    SYSCALL(1, buf + 1, 0)
    CHECK(a0, 0)
    CHECK_BYTE(1, 0)

    TEST_CASE(3)
    SYSCALL(1, buf + 5, 10)
    CHECK(a0, 3)
    CHECK_BYTE(4, 0)
    CHECK_BYTE(5, 0x76)
    CHECK_BYTE(6, 0x7a)
    CHECK_BYTE(7, 0x6b)
    CHECK_BYTE(8, 0)

    TEST_CASE(4)
    SYSCALL(1, buf, 10)
    CHECK(a0, 0)
    CHECK_BYTE(0, 0x72)

    TEST_CASE(5)
    SYSCALL(1, buf, 10)
    CHECK(a0, 0)

    /* COMMIT's a0 is not specified afterwards, so only the other registers are checked. */
    TEST_CASE(6)
    SYSCALL(2, buf, 1)
    TEST_CASE(7)
    SYSCALL(2, buf + 5, 3)
    TEST_CASE(8)
    SYSCALL(2, buf, 0)
    TEST_CASE(9)
    SYSCALL(2, ok, 2)
TEST_END
