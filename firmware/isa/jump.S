/*
 * rvzk ISA self-test: unconditional jumps (JAL, JALR).
 *
 * JAL forwards and backwards, with the link register set to pc + 4 and with rd = x0; JALR
 * with zero, positive and negative offsets, with bit 0 of the target cleared (an odd base
 * or offset still lands on the aligned instruction), with rd = x0, and with rd = rs1 (the
 * target uses the old rs1, then rs1 receives the link). Cases 10-11 are a call and return
 * through ra, direct and indirect. Every skipped instruction is a `j fail`.
 *
 * Halts with a0 = 0 if every case passes, else a0 = the number of the failing case.
 */
#include "test_macros.h"

TEST_BEGIN
    /* JAL forwards: a1 = address of the instruction after the JAL. */
    TEST_CASE(1)
    li a1, 0
    jal a1, 2f
1:  j fail
2:  la a2, 1b
    bne a1, a2, fail

    /* JAL backwards. */
    TEST_CASE(2)
    j 3f
2:  la a2, 4f
    bne a1, a2, fail
    j 5f
3:  jal a1, 2b
4:  j fail
5:

    /* JAL with rd = x0 (the `j` idiom) links nothing and still jumps. */
    TEST_CASE(3)
    li a1, 0x55
    jal zero, 1f
    j fail
1:  CHECK(a1, 0x55)

    /* JALR with offset 0. */
    TEST_CASE(4)
    la a2, 2f
    jalr a1, 0(a2)
1:  j fail
2:  la a3, 1b
    bne a1, a3, fail

    /* JALR with a positive offset. */
    TEST_CASE(5)
    la a2, 2f
    addi a2, a2, -8
    jalr a1, 8(a2)
1:  j fail
2:  la a3, 1b
    bne a1, a3, fail

    /* JALR with a negative offset. */
    TEST_CASE(6)
    la a2, 2f
    addi a2, a2, 16
    jalr a1, -16(a2)
1:  j fail
2:  la a3, 1b
    bne a1, a3, fail

    /* JALR clears bit 0 of the target: odd base register. */
    TEST_CASE(7)
    la a2, 2f
    addi a2, a2, 1
    jalr a1, 0(a2)
1:  j fail
2:  la a3, 1b
    bne a1, a3, fail

    /* JALR clears bit 0 of the target: odd offset. */
    TEST_CASE(8)
    la a2, 2f
    jalr a1, 1(a2)
1:  j fail
2:  la a3, 1b
    bne a1, a3, fail

    /* JALR with rd = x0 (the `jr` idiom). */
    TEST_CASE(9)
    li a1, 0x66
    la a2, 2f
    jalr zero, 0(a2)
    j fail
2:  CHECK(a1, 0x66)

    /* Call and return: JAL ra, then JALR x0, 0(ra) in the callee. */
    TEST_CASE(10)
    li a4, 0
    call add_one
    call add_one
    CHECK(a4, 2)

    /* Indirect call through a register. */
    TEST_CASE(11)
    la t1, add_one
    jalr ra, 0(t1)
    CHECK(a4, 3)

    /* JALR with rd = rs1: jumps to the old a1, then a1 = link. */
    TEST_CASE(12)
    la a1, 2f
    jalr a1, 0(a1)
1:  j fail
2:  la a2, 1b
    bne a1, a2, fail

    /* The same with ra, the register a return uses. */
    TEST_CASE(13)
    la ra, 2f
    jalr ra, 0(ra)
1:  j fail
2:  la a2, 1b
    bne ra, a2, fail

    /* JALR whose base plus offset wraps to the target (negative base + positive offset). */
    TEST_CASE(14)
    la a2, 2f
    addi a2, a2, -2047
    jalr a1, 2047(a2)
1:  j fail
2:  la a3, 1b
    bne a1, a3, fail
TEST_END

add_one:
    addi a4, a4, 1
    ret
