/*
 * rvzk ISA self-test: conditional branches (BEQ, BNE, BLT, BGE, BLTU, BGEU).
 *
 * Each of the six kinds on equal operands, on operands ordered the same way signed and
 * unsigned, and on operands that straddle the sign bit (0x7fffffff vs 0x80000000, -1 vs 1),
 * where signed and unsigned order disagree. Cases 1-78 branch forwards (TEST_BR checks that
 * exactly one of the two paths ran); cases 100+ check backward branches, a branch with
 * rs1 == rs2, and that a not-taken branch changes no register.
 *
 * Halts with a0 = 0 if every case passes, else a0 = the number of the failing case.
 * Expected outcomes come from a small Python model of the RV32IM spec, spot-checked by hand.
 */
#include "test_macros.h"

TEST_BEGIN

    /* BEQ */
    TEST_BR(1, beq, 1, 0x00000000, 0x00000000)
    TEST_BR(2, beq, 1, 0x00000001, 0x00000001)
    TEST_BR(3, beq, 1, 0xffffffff, 0xffffffff)
    TEST_BR(4, beq, 0, 0x00000000, 0x00000001)
    TEST_BR(5, beq, 0, 0x00000001, 0x00000000)
    TEST_BR(6, beq, 0, 0xffffffff, 0x00000001)
    TEST_BR(7, beq, 0, 0x00000001, 0xffffffff)
    TEST_BR(8, beq, 0, 0x7fffffff, 0x80000000)
    TEST_BR(9, beq, 0, 0x80000000, 0x7fffffff)
    TEST_BR(10, beq, 0, 0xffffffff, 0x80000000)
    TEST_BR(11, beq, 0, 0x80000000, 0xffffffff)
    TEST_BR(12, beq, 0, 0x00000000, 0xffffffff)
    TEST_BR(13, beq, 0, 0xffffffff, 0x00000000)

    /* BNE */
    TEST_BR(14, bne, 0, 0x00000000, 0x00000000)
    TEST_BR(15, bne, 0, 0x00000001, 0x00000001)
    TEST_BR(16, bne, 0, 0xffffffff, 0xffffffff)
    TEST_BR(17, bne, 1, 0x00000000, 0x00000001)
    TEST_BR(18, bne, 1, 0x00000001, 0x00000000)
    TEST_BR(19, bne, 1, 0xffffffff, 0x00000001)
    TEST_BR(20, bne, 1, 0x00000001, 0xffffffff)
    TEST_BR(21, bne, 1, 0x7fffffff, 0x80000000)
    TEST_BR(22, bne, 1, 0x80000000, 0x7fffffff)
    TEST_BR(23, bne, 1, 0xffffffff, 0x80000000)
    TEST_BR(24, bne, 1, 0x80000000, 0xffffffff)
    TEST_BR(25, bne, 1, 0x00000000, 0xffffffff)
    TEST_BR(26, bne, 1, 0xffffffff, 0x00000000)

    /* BLT */
    TEST_BR(27, blt, 0, 0x00000000, 0x00000000)
    TEST_BR(28, blt, 0, 0x00000001, 0x00000001)
    TEST_BR(29, blt, 0, 0xffffffff, 0xffffffff)
    TEST_BR(30, blt, 1, 0x00000000, 0x00000001)
    TEST_BR(31, blt, 0, 0x00000001, 0x00000000)
    TEST_BR(32, blt, 1, 0xffffffff, 0x00000001)
    TEST_BR(33, blt, 0, 0x00000001, 0xffffffff)
    TEST_BR(34, blt, 0, 0x7fffffff, 0x80000000)
    TEST_BR(35, blt, 1, 0x80000000, 0x7fffffff)
    TEST_BR(36, blt, 0, 0xffffffff, 0x80000000)
    TEST_BR(37, blt, 1, 0x80000000, 0xffffffff)
    TEST_BR(38, blt, 0, 0x00000000, 0xffffffff)
    TEST_BR(39, blt, 1, 0xffffffff, 0x00000000)

    /* BGE */
    TEST_BR(40, bge, 1, 0x00000000, 0x00000000)
    TEST_BR(41, bge, 1, 0x00000001, 0x00000001)
    TEST_BR(42, bge, 1, 0xffffffff, 0xffffffff)
    TEST_BR(43, bge, 0, 0x00000000, 0x00000001)
    TEST_BR(44, bge, 1, 0x00000001, 0x00000000)
    TEST_BR(45, bge, 0, 0xffffffff, 0x00000001)
    TEST_BR(46, bge, 1, 0x00000001, 0xffffffff)
    TEST_BR(47, bge, 1, 0x7fffffff, 0x80000000)
    TEST_BR(48, bge, 0, 0x80000000, 0x7fffffff)
    TEST_BR(49, bge, 1, 0xffffffff, 0x80000000)
    TEST_BR(50, bge, 0, 0x80000000, 0xffffffff)
    TEST_BR(51, bge, 1, 0x00000000, 0xffffffff)
    TEST_BR(52, bge, 0, 0xffffffff, 0x00000000)

    /* BLTU */
    TEST_BR(53, bltu, 0, 0x00000000, 0x00000000)
    TEST_BR(54, bltu, 0, 0x00000001, 0x00000001)
    TEST_BR(55, bltu, 0, 0xffffffff, 0xffffffff)
    TEST_BR(56, bltu, 1, 0x00000000, 0x00000001)
    TEST_BR(57, bltu, 0, 0x00000001, 0x00000000)
    TEST_BR(58, bltu, 0, 0xffffffff, 0x00000001)
    TEST_BR(59, bltu, 1, 0x00000001, 0xffffffff)
    TEST_BR(60, bltu, 1, 0x7fffffff, 0x80000000)
    TEST_BR(61, bltu, 0, 0x80000000, 0x7fffffff)
    TEST_BR(62, bltu, 0, 0xffffffff, 0x80000000)
    TEST_BR(63, bltu, 1, 0x80000000, 0xffffffff)
    TEST_BR(64, bltu, 1, 0x00000000, 0xffffffff)
    TEST_BR(65, bltu, 0, 0xffffffff, 0x00000000)

    /* BGEU */
    TEST_BR(66, bgeu, 1, 0x00000000, 0x00000000)
    TEST_BR(67, bgeu, 1, 0x00000001, 0x00000001)
    TEST_BR(68, bgeu, 1, 0xffffffff, 0xffffffff)
    TEST_BR(69, bgeu, 0, 0x00000000, 0x00000001)
    TEST_BR(70, bgeu, 1, 0x00000001, 0x00000000)
    TEST_BR(71, bgeu, 1, 0xffffffff, 0x00000001)
    TEST_BR(72, bgeu, 0, 0x00000001, 0xffffffff)
    TEST_BR(73, bgeu, 0, 0x7fffffff, 0x80000000)
    TEST_BR(74, bgeu, 1, 0x80000000, 0x7fffffff)
    TEST_BR(75, bgeu, 1, 0xffffffff, 0x80000000)
    TEST_BR(76, bgeu, 0, 0x80000000, 0xffffffff)
    TEST_BR(77, bgeu, 0, 0x00000000, 0xffffffff)
    TEST_BR(78, bgeu, 1, 0xffffffff, 0x00000000)

    /* A backward branch: count a1 down from 5 to 0 with BNE, a4 counts the trips. */
    TEST_CASE(100)
    li a1, 5
    li a4, 0
1:  addi a4, a4, 1
    addi a1, a1, -1
    bne a1, zero, 1b
    CHECK(a4, 5)

    /* Backward BLTU loop from 0 up to 3, then backward BGE loop from 3 down to -2. */
    TEST_CASE(101)
    li a1, 0
    li a2, 3
1:  addi a1, a1, 1
    bltu a1, a2, 1b
    CHECK(a1, 3)
    TEST_CASE(102)
    li a2, -2
1:  addi a1, a1, -1
    bge a1, a2, 1b
    CHECK(a1, -3)

    /* rs1 == rs2: BEQ/BGE/BGEU always taken, BNE/BLT/BLTU never. */
    TEST_CASE(103)
    li a1, 0x80000000
    li a4, 0
    beq a1, a1, 1f
    li a4, 1
1:  bge a1, a1, 1f
    li a4, 2
1:  bgeu a1, a1, 1f
    li a4, 3
1:  bne a1, a1, 2f
    blt a1, a1, 2f
    bltu a1, a1, 2f
    j 3f
2:  li a4, 4
3:  CHECK(a4, 0)

    /* A taken branch to the very next instruction, and registers untouched by branches. */
    TEST_CASE(104)
    li a1, 7
    li a2, 9
    blt a1, a2, 1f
1:  CHECK(a1, 7)
    CHECK(a2, 9)
TEST_END
