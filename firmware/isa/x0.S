/*
 * rvzk ISA self-test: x0 (zero) is hard-wired to 0.
 *
 * Every kind of instruction that writes a register (ALU reg/imm, shifts, LUI, AUIPC, JAL,
 * JALR, loads, M instructions) is given rd = x0, and x0 must still read 0 afterwards, both
 * as a source (copied with ADDI) and in a comparison. Reads of x0 as a source give 0
 * (SUB from x0 negates, SLTU x0 < r is "r != 0", SW x0 stores zero).
 *
 * Halts with a0 = 0 if every case passes, else a0 = the number of the failing case.
 */
#include "test_macros.h"

    .data
    .balign 4
word:
    .word 0xcafef00d

/* x0 must read as 0: via ADDI (a copy), and via BNE against a register known to be 0. */
#define CHECK_X0          \
    addi a4, zero, 0;     \
    CHECK(a4, 0);         \
    li a5, 0;             \
    bne zero, a5, fail

TEST_BEGIN
    li a1, 0x12345678
    li a2, -3

    TEST_CASE(1)
    addi zero, zero, 5
    CHECK_X0
    TEST_CASE(2)
    add zero, a1, a2
    CHECK_X0
    TEST_CASE(3)
    xori zero, zero, -1
    CHECK_X0
    TEST_CASE(4)
    sub zero, a2, a1
    CHECK_X0
    TEST_CASE(5)
    slli zero, a1, 3
    CHECK_X0
    TEST_CASE(6)
    sra zero, a2, a1
    CHECK_X0
    TEST_CASE(7)
    sltu zero, zero, a1
    CHECK_X0
    TEST_CASE(8)
    lui zero, 0x12345
    CHECK_X0
    TEST_CASE(9)
    auipc zero, 0x12345
    CHECK_X0
    TEST_CASE(10)
    jal zero, 1f
    j fail
1:  CHECK_X0
    TEST_CASE(11)
    la a3, 1f
    jalr zero, 0(a3)
    j fail
1:  CHECK_X0
    TEST_CASE(12)
    la a3, word
    lw zero, 0(a3)
    CHECK_X0
    TEST_CASE(13)
    lbu zero, 1(a3)
    CHECK_X0
    TEST_CASE(14)
    mul zero, a1, a2
    CHECK_X0
    TEST_CASE(15)
    mulhu zero, a2, a2
    CHECK_X0
    TEST_CASE(16)
    div zero, a1, a2
    CHECK_X0
    TEST_CASE(17)
    remu zero, a1, zero     /* division by zero: no fault, and no write either */
    CHECK_X0

    /* x0 as a source. */
    TEST_CASE(20)
    sub a4, zero, a1
    CHECK(a4, -0x12345678)
    TEST_CASE(21)
    sltu a4, zero, a1
    CHECK(a4, 1)
    TEST_CASE(22)
    sltu a4, zero, zero
    CHECK(a4, 0)
    TEST_CASE(23)
    or a4, zero, zero
    CHECK(a4, 0)
    TEST_CASE(24)
    la a3, word
    sw zero, 0(a3)
    lw a4, 0(a3)
    CHECK(a4, 0)
    TEST_CASE(25)
    li a4, 1
    beq zero, zero, 1f
    li a4, 2
1:  CHECK(a4, 1)

    /* The other registers were not disturbed by all the writes to x0. */
    TEST_CASE(30)
    CHECK(a1, 0x12345678)
    CHECK(a2, -3)
TEST_END
