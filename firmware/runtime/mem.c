/*
 * memcpy, memmove, memset, memcmp for guests. GCC emits calls to these even in freestanding
 * code (struct copies, array initialisers), and there is no libc in the image.
 *
 * Word-at-a-time when the pointers allow it: every instruction is a proven cycle, and the
 * guest ABI faults on misaligned accesses, so the byte loops handle whatever is unaligned.
 * This file is compiled with -fno-tree-loop-distribute-patterns so that GCC does not turn
 * these loops back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Forward copy without `restrict`: memmove also uses it for overlaps with dst < src. */
static void copy_forward(uint8_t *d, const uint8_t *s, size_t n)
{
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)d = *(const uint32_t *)s;
    }
    while (n--)
        *d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0)
        return dst;
    /* Copying forwards is safe unless dst starts inside [src, src + n). */
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        copy_forward(d, s, n);
        return dst;
    }
    d += n;
    s += n;
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        for (; n >= 4; n -= 4) {
            d -= 4;
            s -= 4;
            *(uint32_t *)d = *(const uint32_t *)s;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    uint8_t b = (uint8_t)c;
    for (; n > 0 && ((uintptr_t)d & 3) != 0; n--)
        *d++ = b;
    uint32_t w = b * 0x01010101u;
    for (; n >= 4; n -= 4, d += 4)
        *(uint32_t *)d = w;
    while (n--)
        *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a;
    const uint8_t *q = b;
    for (; n > 0; n--, p++, q++) {
        if (*p != *q)
            return *p < *q ? -1 : 1;
    }
    return 0;
}
