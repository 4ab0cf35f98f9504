/*
 * multiply: proves knowledge of a non-trivial factorisation of a public number.
 *
 * Private input: two little-endian u32 factors a, b (8 bytes; extra bytes are ignored).
 * Journal:       the product a * b as a little-endian u64 (8 bytes).
 * Exit codes:    0 success;
 *                1 if a < 2 or b < 2 (a trivial factor), or if the input is shorter than
 *                  8 bytes (nothing is committed in either case).
 */
#include <stdint.h>

#include "rvzk.h"

int main(void)
{
    uint32_t f[2];
    if (rvzk_read_exact(f, sizeof f) != sizeof f)
        return 1;
    if (f[0] < 2 || f[1] < 2)
        return 1;
    /* The full 64-bit product: GCC emits MUL (low word) and MULHU (high word). */
    uint64_t product = (uint64_t)f[0] * f[1];
    rvzk_commit(&product, sizeof product);
    return 0;
}
