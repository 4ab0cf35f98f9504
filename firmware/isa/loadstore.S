/*
 * rvzk ISA self-test: loads and stores (LB, LH, LW, LBU, LHU, SB, SH, SW).
 *
 * Loads of every width from every aligned offset of known words, sign- vs zero-extension
 * of bytes and halfwords with the top bit set and clear, negative and positive immediate
 * offsets, rd = rs1; then stores of every width to every aligned offset, each followed by
 * loads that check the stored lanes changed and the other lanes of the word (and the next
 * word) did not, and that only the low byte/halfword of the source register is stored.
 *
 * Halts with a0 = 0 if every case passes, else a0 = the number of the failing case.
 */
#include "test_macros.h"

    .data
    .balign 16
src:
    .word 0x80ff7f01        /* bytes 01 7f ff 80 */
    .word 0x7fff8000        /* halfwords 0x8000, 0x7fff */
    .word 0xdeadbeef
    .word 0x00000000
buf:
    .word 0, 0, 0, 0

/* Load `inst` at `off`(base) where base = src + `bias`, expect `expected`. */
#define TEST_LD(num, inst, expected, bias, off) \
    TEST_CASE(num);       \
    la a1, src + (bias);  \
    inst a4, off(a1);     \
    CHECK(a4, expected)

/* After a store: the whole word at buf + `woff` must equal `expected`. */
#define CHECK_BUF(woff, expected) \
    la a3, buf;           \
    lw a4, woff(a3);      \
    CHECK(a4, expected)

TEST_BEGIN
    /* LW */
    TEST_LD(1, lw, 0x80ff7f01, 0, 0)
    TEST_LD(2, lw, 0x7fff8000, 0, 4)
    TEST_LD(3, lw, 0xdeadbeef, 0, 8)
    TEST_LD(4, lw, 0x80ff7f01, 8, -8)
    TEST_LD(5, lw, 0xdeadbeef, -4, 12)

    /* LB: every byte offset, sign-extended. */
    TEST_LD(10, lb, 0x00000001, 0, 0)
    TEST_LD(11, lb, 0x0000007f, 0, 1)
    TEST_LD(12, lb, 0xffffffff, 0, 2)
    TEST_LD(13, lb, 0xffffff80, 0, 3)
    TEST_LD(14, lb, 0xffffffef, 0, 8)
    TEST_LD(15, lb, 0xffffffbe, 0, 9)
    TEST_LD(16, lb, 0xffffffad, 0, 10)
    TEST_LD(17, lb, 0xffffffde, 0, 11)
    TEST_LD(18, lb, 0xffffff80, 8, -5)

    /* LBU: every byte offset, zero-extended. */
    TEST_LD(20, lbu, 0x00000001, 0, 0)
    TEST_LD(21, lbu, 0x0000007f, 0, 1)
    TEST_LD(22, lbu, 0x000000ff, 0, 2)
    TEST_LD(23, lbu, 0x00000080, 0, 3)
    TEST_LD(24, lbu, 0x000000ef, 0, 8)
    TEST_LD(25, lbu, 0x000000de, 0, 11)
    TEST_LD(26, lbu, 0x00000080, 8, -5)

    /* LH: both halfword offsets, sign-extended. */
    TEST_LD(30, lh, 0x00007f01, 0, 0)
    TEST_LD(31, lh, 0xffff80ff, 0, 2)
    TEST_LD(32, lh, 0xffff8000, 0, 4)
    TEST_LD(33, lh, 0x00007fff, 0, 6)
    TEST_LD(34, lh, 0xffffbeef, 0, 8)
    TEST_LD(35, lh, 0xffffdead, 0, 10)
    TEST_LD(36, lh, 0xffff80ff, 8, -6)

    /* LHU: both halfword offsets, zero-extended. */
    TEST_LD(40, lhu, 0x00007f01, 0, 0)
    TEST_LD(41, lhu, 0x000080ff, 0, 2)
    TEST_LD(42, lhu, 0x00008000, 0, 4)
    TEST_LD(43, lhu, 0x00007fff, 0, 6)
    TEST_LD(44, lhu, 0x0000beef, 0, 8)
    TEST_LD(45, lhu, 0x0000dead, 0, 10)

    /* Load with rd = rs1. */
    TEST_CASE(50)
    la a1, src
    lw a1, 4(a1)
    CHECK(a1, 0x7fff8000)

    /* SW, then the word reads back and its neighbour is untouched. */
    TEST_CASE(60)
    la a1, buf
    li a2, 0x12345678
    sw a2, 0(a1)
    CHECK_BUF(0, 0x12345678)
    CHECK_BUF(4, 0)
    TEST_CASE(61)
    la a1, buf + 8
    li a2, 0x89abcdef
    sw a2, -4(a1)
    CHECK_BUF(4, 0x89abcdef)
    CHECK_BUF(0, 0x12345678)
    CHECK_BUF(8, 0)

    /* SB at every byte offset: only the low byte of the register, only that lane. */
    TEST_CASE(70)
    la a1, buf
    li a2, 0xffffffaa
    sb a2, 0(a1)
    CHECK_BUF(0, 0x123456aa)
    TEST_CASE(71)
    li a2, 0x000001bb
    sb a2, 1(a1)
    CHECK_BUF(0, 0x1234bbaa)
    TEST_CASE(72)
    li a2, 0x12345680
    sb a2, 2(a1)
    CHECK_BUF(0, 0x1280bbaa)
    TEST_CASE(73)
    li a2, 0x7f
    sb a2, 3(a1)
    CHECK_BUF(0, 0x7f80bbaa)
    CHECK_BUF(4, 0x89abcdef)
    TEST_CASE(74)
    la a1, buf + 8
    li a2, 0x11
    sb a2, -1(a1)           /* top byte of buf[1] */
    CHECK_BUF(4, 0x11abcdef)

    /* Stored bytes read back sign- and zero-extended. */
    TEST_CASE(75)
    la a1, buf
    lb a4, 2(a1)
    CHECK(a4, 0xffffff80)
    lbu a4, 2(a1)
    CHECK(a4, 0x80)
    lb a4, 3(a1)
    CHECK(a4, 0x7f)

    /* SH at both halfword offsets. */
    TEST_CASE(80)
    la a1, buf
    li a2, 0xabcd8001
    sh a2, 0(a1)
    CHECK_BUF(0, 0x7f808001)
    TEST_CASE(81)
    li a2, 0x00007ffe
    sh a2, 2(a1)
    CHECK_BUF(0, 0x7ffe8001)
    CHECK_BUF(4, 0x11abcdef)
    TEST_CASE(82)
    lh a4, 0(a1)
    CHECK(a4, 0xffff8001)
    lhu a4, 0(a1)
    CHECK(a4, 0x8001)
    lh a4, 2(a1)
    CHECK(a4, 0x7ffe)
    TEST_CASE(83)
    la a1, buf + 12
    li a2, 0xffff
    sh a2, -2(a1)           /* upper half of buf[2] */
    CHECK_BUF(8, 0xffff0000)
    CHECK_BUF(12, 0)

    /* Store with rs2 = rs1: the address itself is stored. */
    TEST_CASE(90)
    la a1, buf + 12
    sw a1, 0(a1)
    lw a4, 0(a1)
    bne a4, a1, fail

    /* A word written byte by byte reads back whole. */
    TEST_CASE(91)
    la a1, buf + 12
    li a2, 0x44
    sb a2, 0(a1)
    li a2, 0x33
    sb a2, 1(a1)
    li a2, 0x22
    sb a2, 2(a1)
    li a2, 0x11
    sb a2, 3(a1)
    CHECK_BUF(12, 0x11223344)
    lhu a4, 2(a1)
    CHECK(a4, 0x1122)
TEST_END
