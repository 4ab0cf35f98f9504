/*
 * rvzk ISA self-test: LUI and AUIPC.
 *
 * LUI places its 20-bit immediate in the upper bits (low 12 bits zero), including
 * 0x80000 (sign bit) and 0xfffff. AUIPC adds the shifted immediate to its own pc (wrapping
 * modulo 2^32); its pc is taken from the link register of a JAL to the AUIPC itself.
 *
 * Halts with a0 = 0 if every case passes, else a0 = the number of the failing case.
 */
#include "test_macros.h"

TEST_BEGIN
    TEST_CASE(1)
    lui a4, 0
    CHECK(a4, 0)
    TEST_CASE(2)
    lui a4, 0x12345
    CHECK(a4, 0x12345000)
    TEST_CASE(3)
    lui a4, 0x80000
    CHECK(a4, 0x80000000)
    TEST_CASE(4)
    lui a4, 0xfffff
    CHECK(a4, 0xfffff000)
    TEST_CASE(5)
    li a4, 0x5a5
    lui a4, 1           /* LUI replaces the whole register, low bits too */
    CHECK(a4, 0x1000)

    /* a2 = address of the AUIPC (JAL links to the next instruction, which is the AUIPC). */
    TEST_CASE(6)
    jal a2, 1f
1:  auipc a4, 0
    bne a4, a2, fail

    TEST_CASE(7)
    jal a2, 1f
1:  auipc a4, 1
    sub a4, a4, a2
    CHECK(a4, 0x1000)

    TEST_CASE(8)
    jal a2, 1f
1:  auipc a4, 0xfffff    /* pc - 0x1000 */
    sub a4, a4, a2
    CHECK(a4, -0x1000)

    TEST_CASE(9)
    jal a2, 1f
1:  auipc a4, 0x80000    /* pc + 0x80000000 */
    sub a4, a4, a2
    CHECK(a4, 0x80000000)

    /* AUIPC at a known absolute address: `la` computes it from the linker's view. */
    TEST_CASE(10)
    la a2, 1f
1:  auipc a4, 0x12345
    sub a4, a4, a2
    CHECK(a4, 0x12345000)
TEST_END
