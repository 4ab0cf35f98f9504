//! SHA-256 compression of several independent messages at once.
//!
//! One SHA-256 compression is a chain of dependent rounds, so a single stream leaves the
//! CPU's SHA units idle most of the time. With SHA-NI we interleave `N` independent streams
//! (leaves, or sibling pairs) round by round, which more than doubles throughput over
//! one-at-a-time calls. Results are bit-identical to `sha2::compress256` (tested); without
//! SHA-NI this falls back to it.

use sha2::digest::generic_array::{typenum::U64, GenericArray};

/// Whether the SHA-NI path is usable on this CPU.
fn has_sha_ni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static HAS: OnceLock<bool> = OnceLock::new();
        *HAS.get_or_init(|| {
            std::arch::is_x86_feature_detected!("sha")
                && std::arch::is_x86_feature_detected!("sse4.1")
                && std::arch::is_x86_feature_detected!("ssse3")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Compresses `blocks[i]` (whole 64-byte blocks, all the same count) into `states[i]`.
pub(crate) fn compress_many<const N: usize>(states: &mut [[u32; 8]; N], blocks: [&[[u8; 64]]; N]) {
    let n = blocks[0].len();
    debug_assert!(blocks.iter().all(|b| b.len() == n));
    #[cfg(target_arch = "x86_64")]
    if has_sha_ni() {
        // SAFETY: the CPU has SHA-NI, SSSE3 and SSE4.1 (checked above).
        unsafe { x86::compress_many_ni::<N>(states, blocks) };
        return;
    }
    for (s, b) in states.iter_mut().zip(blocks) {
        compress_blocks(s, b);
    }
}

/// Runs the SHA-256 compression over whole 64-byte blocks in one `sha2` call.
#[inline]
pub(crate) fn compress_blocks(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    // SAFETY: `GenericArray<u8, U64>` has the layout of `[u8; 64]` (it is how
    // `GenericArray::from_slice` itself reinterprets slices).
    let blocks: &[GenericArray<u8, U64>] =
        unsafe { core::slice::from_raw_parts(blocks.as_ptr().cast(), blocks.len()) };
    sha2::compress256(state, blocks);
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    /// FIPS 180-4 §4.2.2 round constants.
    const K: [u32; 64] = [
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
    ];

    /// `N` independent streams, rounds interleaved so their latencies overlap.
    ///
    /// # Safety
    /// The CPU must support SHA-NI, SSSE3 and SSE4.1; all `blocks[i]` have the same length.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn compress_many_ni<const N: usize>(
        states: &mut [[u32; 8]; N],
        blocks: [&[[u8; 64]]; N],
    ) {
        // Big-endian words: reverse the bytes of each 32-bit lane.
        let bswap = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203);
        // State as the instructions want it: ABEF and CDGH.
        let mut abef = [_mm_setzero_si128(); N];
        let mut cdgh = [_mm_setzero_si128(); N];
        for s in 0..N {
            let dcba = _mm_loadu_si128(states[s].as_ptr().cast());
            let hgfe = _mm_loadu_si128(states[s].as_ptr().add(4).cast());
            let cdab = _mm_shuffle_epi32::<0xB1>(dcba);
            let efgh = _mm_shuffle_epi32::<0x1B>(hgfe);
            abef[s] = _mm_alignr_epi8::<8>(cdab, efgh);
            cdgh[s] = _mm_blend_epi16::<0xF0>(efgh, cdab);
        }
        // Block b of every stream together (an iterator per stream would not be clearer).
        #[allow(clippy::needless_range_loop)]
        for b in 0..blocks[0].len() {
            let (abef0, cdgh0) = (abef, cdgh);
            let mut w = [[_mm_setzero_si128(); 4]; N];
            for s in 0..N {
                let p = blocks[s][b].as_ptr();
                for (j, wj) in w[s].iter_mut().enumerate() {
                    *wj = _mm_shuffle_epi8(_mm_loadu_si128(p.add(16 * j).cast()), bswap);
                }
            }
            // 16 groups of 4 rounds; w[s][g % 4] holds the schedule words of group g.
            for g in 0..16 {
                let k = _mm_loadu_si128(K.as_ptr().add(4 * g).cast());
                for s in 0..N {
                    if g >= 4 {
                        // W[4g..4g+4] from the previous 16 words (σ0 via msg1, σ1 via msg2).
                        let m = &mut w[s];
                        let t = _mm_add_epi32(
                            _mm_sha256msg1_epu32(m[g % 4], m[(g + 1) % 4]),
                            _mm_alignr_epi8::<4>(m[(g + 3) % 4], m[(g + 2) % 4]),
                        );
                        m[g % 4] = _mm_sha256msg2_epu32(t, m[(g + 3) % 4]);
                    }
                    let wk = _mm_add_epi32(w[s][g % 4], k);
                    cdgh[s] = _mm_sha256rnds2_epu32(cdgh[s], abef[s], wk);
                    abef[s] =
                        _mm_sha256rnds2_epu32(abef[s], cdgh[s], _mm_shuffle_epi32::<0x0E>(wk));
                }
            }
            for s in 0..N {
                abef[s] = _mm_add_epi32(abef[s], abef0[s]);
                cdgh[s] = _mm_add_epi32(cdgh[s], cdgh0[s]);
            }
        }
        for s in 0..N {
            let feba = _mm_shuffle_epi32::<0x1B>(abef[s]);
            let dchg = _mm_shuffle_epi32::<0xB1>(cdgh[s]);
            let dcba = _mm_blend_epi16::<0xF0>(feba, dchg);
            let hgfe = _mm_alignr_epi8::<8>(dchg, feba);
            _mm_storeu_si128(states[s].as_mut_ptr().cast(), dcba);
            _mm_storeu_si128(states[s].as_mut_ptr().add(4).cast(), hgfe);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_sha2_compress() {
        let iv = [
            0x6a09e667u32,
            0xbb67ae85,
            0x3c6ef372,
            0xa54ff53a,
            0x510e527f,
            0x9b05688c,
            0x1f83d9ab,
            0x5be0cd19,
        ];
        for nblocks in [1usize, 2, 3] {
            let msgs: Vec<Vec<[u8; 64]>> = (0..4u8)
                .map(|s| {
                    (0..nblocks)
                        .map(|b| {
                            core::array::from_fn(|i| {
                                (i as u8).wrapping_mul(37) ^ s ^ (b as u8 * 101)
                            })
                        })
                        .collect()
                })
                .collect();
            let mut want = [iv; 4];
            for (st, m) in want.iter_mut().zip(&msgs) {
                compress_blocks(st, m);
            }
            let mut got4 = [iv; 4];
            compress_many::<4>(&mut got4, core::array::from_fn(|i| msgs[i].as_slice()));
            assert_eq!(got4, want, "{nblocks} blocks, 4 ways");
            let mut got1 = [iv; 1];
            compress_many::<1>(&mut got1, [msgs[2].as_slice()]);
            assert_eq!(got1[0], want[2]);
        }
    }
}
