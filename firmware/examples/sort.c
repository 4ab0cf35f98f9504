/*
 * sort: sorts a list of u32 words ascending (heapsort: in place, no recursion, and
 * O(n log n) in the worst case whatever the input order).
 *
 * Private input: a sequence of u32 little-endian words, at most SORT_MAX_WORDS = 28672 of
 *                them (114688 bytes = 112 KiB, which with code, data and stack fits in a
 *                128 KiB board). Empty input is a valid, empty list.
 * Journal:       the same words in ascending order, u32 LE each (4 * count bytes).
 * Exit codes:    0 success;
 *                2 if the input is longer than 4 * SORT_MAX_WORDS bytes (too many words;
 *                  checked first);
 *                3 if the input length is not a multiple of 4.
 *                Nothing is committed on an error.
 */
#include <stdint.h>

#include "rvzk.h"

#define SORT_MAX_WORDS 28672u

/* .noinit: READ fills it, so clearing it in crt0 would waste ~29k cycles. */
static uint32_t words[SORT_MAX_WORDS] RVZK_NOINIT;

/* Restore the max-heap property below `root` in a[0..n). */
static void sift_down(uint32_t *a, uint32_t root, uint32_t n)
{
    uint32_t v = a[root];
    for (;;) {
        uint32_t child = 2 * root + 1;
        if (child >= n)
            break;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[child] <= v)
            break;
        a[root] = a[child];
        root = child;
    }
    a[root] = v;
}

static void heapsort(uint32_t *a, uint32_t n)
{
    if (n < 2)
        return;
    for (uint32_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (uint32_t end = n - 1; end > 0; end--) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

int main(void)
{
    uint32_t bytes = rvzk_read_exact(words, sizeof words);
    if (bytes == sizeof words) {
        uint8_t extra;
        if (rvzk_read(&extra, 1) != 0)
            return 2;
    }
    if (bytes % 4 != 0)
        return 3;
    uint32_t n = bytes / 4;
    heapsort(words, n);
    rvzk_commit(words, bytes);
    return 0;
}
