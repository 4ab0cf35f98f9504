/*
 * fibonacci: computes fib(n) mod 2^32 iteratively, so the cycle count grows linearly in n.
 *
 * Private input: n, a little-endian u32 (4 bytes; extra bytes are ignored).
 * Journal:       n (u32 LE) followed by fib(n) mod 2^32 (u32 LE), 8 bytes;
 *                fib(0) = 0, fib(1) = 1, fib(k) = fib(k-1) + fib(k-2).
 * Exit codes:    0 success; 1 if the input is shorter than 4 bytes (nothing committed).
 */
#include <stdint.h>

#include "rvzk.h"

int main(void)
{
    uint32_t n;
    if (rvzk_read_exact(&n, sizeof n) != sizeof n)
        return 1;
    uint32_t a = 0, b = 1; /* fib(i), fib(i + 1) */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t next = a + b;
        a = b;
        b = next;
    }
    uint32_t out[2] = { n, a };
    rvzk_commit(out, sizeof out);
    return 0;
}
