/*
 * Shared macros for rvzk's ISA self-tests (preprocessed assembly, see docs/guest-runtime.md).
 *
 * Each test case loads its number into TESTNUM (gp, which no test case uses otherwise) and
 * compares its result against an expected value; on a mismatch the program halts with
 * a0 = that test number. TEST_END halts with a0 = 0 when every case has passed.
 * Halting is the guest ABI's HALT: t0 = 0, ecall.
 *
 * Register conventions inside the macros: operands in x11/x12 (a1/a2), result in x14 (a4),
 * expected value in x7 (t2). Operand values are loaded with `li`, so any 32-bit constant
 * (including 0x80000000 and -1) can be written directly.
 */
#ifndef RVZK_TEST_MACROS_H
#define RVZK_TEST_MACROS_H

#define TESTNUM gp

/* Start of a test program: _start at the entry, in the executable segment. */
#define TEST_BEGIN        \
    .section .text.start, "ax", @progbits; \
    .globl _start;        \
    .type _start, @function; \
_start:

/* All cases passed: halt with exit code 0. The shared fail path follows it. */
#define TEST_END          \
    li a0, 0;             \
    li t0, 0;             \
    ecall;                \
    ebreak;               \
fail:                     \
    mv a0, TESTNUM;       \
    li t0, 0;             \
    ecall;                \
    ebreak;

/* Start case `num`: every check until the next TEST_CASE reports `num`. */
#define TEST_CASE(num) li TESTNUM, num

/* Fail the current case unless register `reg` equals `value`. Uses t2. */
#define CHECK(reg, value) \
    li t2, value;         \
    bne reg, t2, fail

/* rd = inst(v1, v2), with operands in distinct registers. */
#define TEST_RR(num, inst, expected, v1, v2) \
    TEST_CASE(num);       \
    li a1, v1;            \
    li a2, v2;            \
    inst a4, a1, a2;      \
    CHECK(a4, expected)

/* Same, with rd aliasing rs1 (the result overwrites the first operand). */
#define TEST_RR_RD_RS1(num, inst, expected, v1, v2) \
    TEST_CASE(num);       \
    li a1, v1;            \
    li a2, v2;            \
    inst a1, a1, a2;      \
    CHECK(a1, expected)

/* Same, with rd aliasing rs2. */
#define TEST_RR_RD_RS2(num, inst, expected, v1, v2) \
    TEST_CASE(num);       \
    li a1, v1;            \
    li a2, v2;            \
    inst a2, a1, a2;      \
    CHECK(a2, expected)

/* rs1 == rs2 == rd. */
#define TEST_RR_SAME(num, inst, expected, v) \
    TEST_CASE(num);       \
    li a1, v;             \
    inst a1, a1, a1;      \
    CHECK(a1, expected)

/* rd = inst(v1, imm). */
#define TEST_RI(num, inst, expected, v1, imm) \
    TEST_CASE(num);       \
    li a1, v1;            \
    inst a4, a1, imm;     \
    CHECK(a4, expected)

/* Same, with rd aliasing rs1. */
#define TEST_RI_SAME(num, inst, expected, v1, imm) \
    TEST_CASE(num);       \
    li a1, v1;            \
    inst a1, a1, imm;     \
    CHECK(a1, expected)

/* Conditional branch: `taken` is 1 if `inst v1, v2` must branch, else 0. a4 ends as 2 on the
   taken path and 1 on the fall-through path, so exactly one path is checked to run. */
#define TEST_BR(num, inst, taken, v1, v2) \
    TEST_CASE(num);       \
    li a1, v1;            \
    li a2, v2;            \
    li a4, 0;             \
    inst a1, a2, 1f;      \
    li a4, 1;             \
    j 2f;                 \
1:  li a4, 2;             \
2:  CHECK(a4, (1 + (taken)))

#endif /* RVZK_TEST_MACROS_H */
