/*
 * sha256: SHA-256 (FIPS 180-4) of the whole private input, computed in the guest.
 *
 * Private input: any number of bytes (streamed in chunks, so any length fits in memory).
 * Journal:       the 32-byte digest, in the standard (big-endian) byte order.
 * Exit codes:    0 always.
 */
#include <stdint.h>

#include "rvzk.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* One compression of a 64-byte block into the state h (FIPS 180-4 section 6.2.2). */
static void compress(uint32_t h[8], const uint8_t *block)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++) {
        const uint8_t *p = block + 4 * t;
        w[t] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                      K[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

/* Input is read this many bytes at a time; a multiple of the 64-byte block size. */
#define CHUNK 1024

int main(void)
{
    static uint8_t buf[CHUNK + 128]; /* + room for the padding blocks */
    uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    uint64_t total = 0; /* message length in bytes */
    uint32_t have = 0;  /* bytes in buf not yet compressed (< 64 between chunks) */

    for (;;) {
        uint32_t r = rvzk_read(buf + have, CHUNK - have);
        if (r == 0)
            break;
        total += r;
        have += r;
        uint32_t done = 0;
        for (; have - done >= 64; done += 64)
            compress(h, buf + done);
        /* Keep the partial block at the front of buf for the next read. */
        for (uint32_t i = 0; done != 0 && i < have - done; i++)
            buf[i] = buf[done + i];
        have -= done;
    }

    /* Padding: 0x80, zeros, then the bit length as a big-endian u64, to a 64-byte multiple. */
    buf[have++] = 0x80;
    uint32_t padded = (have + 8 + 63) & ~63u;
    while (have < padded - 8)
        buf[have++] = 0;
    uint64_t bits = total * 8;
    for (int i = 7; i >= 0; i--)
        buf[have++] = (uint8_t)(bits >> (8 * i));
    for (uint32_t off = 0; off < padded; off += 64)
        compress(h, buf + off);

    uint8_t digest[32];
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
    rvzk_commit(digest, sizeof digest);
    return 0;
}
