//! SIMD backends for Baby Bear arithmetic on Montgomery-form `u32` lanes.
//!
//! The NTT kernels are written once, generic over [`Backend`], and instantiated inside
//! `#[target_feature]` functions chosen at run time ([`Isa`]), so one binary uses AVX-512
//! or AVX2 where the CPU has them without `-C target-cpu=native`.

use crate::field::baby_bear::{add_mod, monty_mul, monty_reduce, sub_mod, MU, P};
use crate::field::BabyBear;

/// The instruction set the kernels use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Isa {
    /// Portable scalar code.
    Scalar,
    /// x86-64 AVX2: 8 lanes.
    Avx2,
    /// x86-64 AVX-512F: 16 lanes.
    Avx512,
}

impl Isa {
    /// The best instruction set this CPU supports.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Scalar
    }

    /// Whether this CPU can run kernels for `self`.
    pub fn is_available(self) -> bool {
        self <= Self::detect()
    }
}

/// Lane-wise Baby Bear arithmetic on Montgomery-form values in [0, p).
///
/// # Safety
/// Implementations for an instruction set may only be called where the CPU supports it
/// (the callers are `#[target_feature]` functions reached after [`Isa::detect`]).
pub(crate) trait Backend {
    /// A vector of `LANES` values.
    type V: Copy;
    /// Lanes per vector.
    const LANES: usize;
    /// Loads `LANES` values (no alignment needed).
    unsafe fn load(p: *const u32) -> Self::V;
    /// Stores `LANES` values (no alignment needed).
    unsafe fn store(p: *mut u32, v: Self::V);
    /// Every lane `x`.
    unsafe fn splat(x: u32) -> Self::V;
    /// a + b mod p.
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    /// a − b mod p.
    unsafe fn sub(a: Self::V, b: Self::V) -> Self::V;
    /// Montgomery product a·b·2^{-32} mod p.
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    /// a·t mod p for a constant t < p given with its Shoup quotient ts = ⌊t·2^32/p⌋ (both
    /// in every lane). With a in Montgomery form and t canonical, the result is the
    /// Montgomery form of the product. Two fewer multiplies than [`Backend::mul`].
    unsafe fn mul_shoup(a: Self::V, t: Self::V, ts: Self::V) -> Self::V;
}

/// ⌊t·2^32/p⌋, the Shoup quotient of a constant multiplier t < p.
#[inline]
pub(crate) const fn shoup(t: u32) -> u32 {
    (((t as u64) << 32) / P as u64) as u32
}

/// `dst[i] = src[i]·t`, or with `accumulate` `dst[i] += src[i]·t`, for a constant `t`, on
/// the best vector unit of `isa` (checked against the CPU: a lower one is used otherwise).
/// The prover's LDE blocks fold and shift coefficient rows with it: one pass per term
/// instead of a copy and a separate scaling pass. Panics unless the slices have one length.
pub(crate) fn mul_const_rows(
    isa: Isa,
    dst: &mut [BabyBear],
    src: &[BabyBear],
    t: BabyBear,
    accumulate: bool,
) {
    assert_eq!(dst.len(), src.len(), "mul_const_rows: lengths differ");
    let (tc, ts) = (t.as_canonical(), shoup(t.as_canonical()));
    let (d, s, n) = (
        dst.as_mut_ptr().cast::<u32>(),
        src.as_ptr().cast::<u32>(),
        src.len(),
    );
    // SAFETY: both pointers cover n values. Every value written is in [0, p), which keeps
    // `BabyBear`'s invariant.
    unsafe { mul_const_on(isa, d, s, n, tc, ts, accumulate) }
}

/// [`mul_const`] on the best of `isa` and what the CPU has.
///
/// # Safety
/// `d` and `s` must each cover `n` values.
#[inline]
unsafe fn mul_const_on(
    isa: Isa,
    d: *mut u32,
    s: *const u32,
    n: usize,
    t: u32,
    ts: u32,
    accumulate: bool,
) {
    // The ISA is checked against the CPU first.
    match isa.min(Isa::detect()) {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => x86::mul_const_avx512(d, s, n, t, ts, accumulate),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => x86::mul_const_avx2(d, s, n, t, ts, accumulate),
        _ => mul_const::<Scalar>(d, s, n, t, ts, accumulate),
    }
}

/// 2^−32 mod p: the canonical value of a Montgomery form x·2^32 is its product by this.
const R_INV: u32 = monty_reduce(1);

/// `dst[i]` = the canonical value of `src[i]` (the words a leaf hash reads), a vector
/// Shoup product of the Montgomery forms by 2^−32 rather than one reduction at a time.
pub(crate) fn canonical_words(isa: Isa, dst: &mut [u32], src: &[BabyBear]) {
    assert_eq!(dst.len(), src.len(), "canonical_words: lengths differ");
    let (d, s, n) = (dst.as_mut_ptr(), src.as_ptr().cast::<u32>(), src.len());
    let ts = shoup(R_INV);
    // SAFETY: both pointers cover n values.
    unsafe { mul_const_on(isa, d, s, n, R_INV, ts, false) }
}

/// The kernel of [`mul_const_rows`] (`t` canonical, `ts` its Shoup quotient).
#[inline(always)]
unsafe fn mul_const<B: Backend>(
    dst: *mut u32,
    src: *const u32,
    n: usize,
    t: u32,
    ts: u32,
    accumulate: bool,
) {
    let (tv, tsv) = (B::splat(t), B::splat(ts));
    let mut i = 0;
    while i + B::LANES <= n {
        let x = B::mul_shoup(B::load(src.add(i)), tv, tsv);
        let y = if accumulate {
            B::add(B::load(dst.add(i)), x)
        } else {
            x
        };
        B::store(dst.add(i), y);
        i += B::LANES;
    }
    while i < n {
        let x = Scalar::mul_shoup(*src.add(i), t, ts);
        *dst.add(i) = if accumulate {
            add_mod(*dst.add(i), x)
        } else {
            x
        };
        i += 1;
    }
}

/// One lane at a time; also the tail loop of the vector backends.
pub(crate) struct Scalar;

impl Backend for Scalar {
    type V = u32;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn load(p: *const u32) -> u32 {
        *p
    }
    #[inline(always)]
    unsafe fn store(p: *mut u32, v: u32) {
        *p = v
    }
    #[inline(always)]
    unsafe fn splat(x: u32) -> u32 {
        x
    }
    #[inline(always)]
    unsafe fn add(a: u32, b: u32) -> u32 {
        add_mod(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: u32, b: u32) -> u32 {
        sub_mod(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: u32, b: u32) -> u32 {
        monty_mul(a, b)
    }
    #[inline(always)]
    unsafe fn mul_shoup(a: u32, t: u32, ts: u32) -> u32 {
        // q = ⌊a·ts/2^32⌋ undershoots ⌊a·t/p⌋ by at most 1, so a·t − q·p ∈ [0, 2p).
        let q = ((a as u64 * ts as u64) >> 32) as u32;
        let r = a.wrapping_mul(t).wrapping_sub(q.wrapping_mul(P));
        if r >= P {
            r - P
        } else {
            r
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Backend, MU, P};
    use core::arch::x86_64::*;

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn mul_const_avx2(
        d: *mut u32,
        s: *const u32,
        n: usize,
        t: u32,
        ts: u32,
        acc: bool,
    ) {
        super::mul_const::<Avx2>(d, s, n, t, ts, acc)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn mul_const_avx512(
        d: *mut u32,
        s: *const u32,
        n: usize,
        t: u32,
        ts: u32,
        acc: bool,
    ) {
        super::mul_const::<Avx512>(d, s, n, t, ts, acc)
    }

    /// AVX2, 8 lanes.
    pub(crate) struct Avx2;

    /// The odd 32-bit lanes moved down to the even positions (duplicated).
    #[inline(always)]
    unsafe fn odd256(x: __m256i) -> __m256i {
        _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(x)))
    }

    impl Backend for Avx2 {
        type V = __m256i;
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn load(p: *const u32) -> __m256i {
            _mm256_loadu_si256(p.cast())
        }
        #[inline(always)]
        unsafe fn store(p: *mut u32, v: __m256i) {
            _mm256_storeu_si256(p.cast(), v)
        }
        #[inline(always)]
        unsafe fn splat(x: u32) -> __m256i {
            _mm256_set1_epi32(x as i32)
        }
        #[inline(always)]
        unsafe fn add(a: __m256i, b: __m256i) -> __m256i {
            // s < 2p < 2^32; min(s, s − p) picks s − p unless it wrapped.
            let s = _mm256_add_epi32(a, b);
            _mm256_min_epu32(s, _mm256_sub_epi32(s, _mm256_set1_epi32(P as i32)))
        }
        #[inline(always)]
        unsafe fn sub(a: __m256i, b: __m256i) -> __m256i {
            let d = _mm256_sub_epi32(a, b);
            _mm256_min_epu32(d, _mm256_add_epi32(d, _mm256_set1_epi32(P as i32)))
        }
        #[inline(always)]
        unsafe fn mul(a: __m256i, b: __m256i) -> __m256i {
            let p = _mm256_set1_epi32(P as i32);
            let mu = _mm256_set1_epi32(MU as i32);
            // 32×32→64 products of even lanes and of odd lanes.
            let prod_e = _mm256_mul_epu32(a, b);
            let prod_o = _mm256_mul_epu32(odd256(a), odd256(b));
            // q = (prod mod 2^32)·p^{-1} mod 2^32, so prod − q·p ≡ 0 mod 2^32.
            let qp_e = _mm256_mul_epu32(_mm256_mul_epu32(prod_e, mu), p);
            let qp_o = _mm256_mul_epu32(_mm256_mul_epu32(prod_o, mu), p);
            // High halves back into their lanes; the low halves cancel exactly.
            let prod_hi = _mm256_blend_epi32::<0b1010_1010>(odd256(prod_e), prod_o);
            let qp_hi = _mm256_blend_epi32::<0b1010_1010>(odd256(qp_e), qp_o);
            // In (−p, p): add p back where it went negative.
            let d = _mm256_sub_epi32(prod_hi, qp_hi);
            _mm256_min_epu32(d, _mm256_add_epi32(d, p))
        }
        #[inline(always)]
        unsafe fn mul_shoup(a: __m256i, t: __m256i, ts: __m256i) -> __m256i {
            let p = _mm256_set1_epi32(P as i32);
            // q = high halves of a·ts (ts is the same in every lane, so odd(ts) = ts).
            let h_e = _mm256_mul_epu32(a, ts);
            let h_o = _mm256_mul_epu32(odd256(a), ts);
            let q = _mm256_blend_epi32::<0b1010_1010>(odd256(h_e), h_o);
            // a·t − q·p is exact modulo 2^32 because it lies in [0, 2p).
            let r = _mm256_sub_epi32(_mm256_mullo_epi32(a, t), _mm256_mullo_epi32(q, p));
            _mm256_min_epu32(r, _mm256_sub_epi32(r, p))
        }
    }

    /// AVX-512F, 16 lanes.
    pub(crate) struct Avx512;

    #[inline(always)]
    unsafe fn odd512(x: __m512i) -> __m512i {
        _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(x)))
    }

    /// Even lanes from the odd lanes of `evn`'s 64-bit products, odd lanes from `odd`.
    #[inline(always)]
    unsafe fn merge_hi512(evn: __m512i, odd: __m512i) -> __m512i {
        _mm512_castps_si512(_mm512_mask_movehdup_ps(
            _mm512_castsi512_ps(odd),
            0x5555,
            _mm512_castsi512_ps(evn),
        ))
    }

    impl Backend for Avx512 {
        type V = __m512i;
        const LANES: usize = 16;
        #[inline(always)]
        unsafe fn load(p: *const u32) -> __m512i {
            _mm512_loadu_si512(p.cast())
        }
        #[inline(always)]
        unsafe fn store(p: *mut u32, v: __m512i) {
            _mm512_storeu_si512(p.cast(), v)
        }
        #[inline(always)]
        unsafe fn splat(x: u32) -> __m512i {
            _mm512_set1_epi32(x as i32)
        }
        #[inline(always)]
        unsafe fn add(a: __m512i, b: __m512i) -> __m512i {
            let s = _mm512_add_epi32(a, b);
            _mm512_min_epu32(s, _mm512_sub_epi32(s, _mm512_set1_epi32(P as i32)))
        }
        #[inline(always)]
        unsafe fn sub(a: __m512i, b: __m512i) -> __m512i {
            let d = _mm512_sub_epi32(a, b);
            _mm512_min_epu32(d, _mm512_add_epi32(d, _mm512_set1_epi32(P as i32)))
        }
        #[inline(always)]
        unsafe fn mul(a: __m512i, b: __m512i) -> __m512i {
            // Same scheme as AVX2; a masked movehdup merges the high halves in one step.
            let p = _mm512_set1_epi32(P as i32);
            let mu = _mm512_set1_epi32(MU as i32);
            let prod_e = _mm512_mul_epu32(a, b);
            let prod_o = _mm512_mul_epu32(odd512(a), odd512(b));
            let qp_e = _mm512_mul_epu32(_mm512_mul_epu32(prod_e, mu), p);
            let qp_o = _mm512_mul_epu32(_mm512_mul_epu32(prod_o, mu), p);
            let d = _mm512_sub_epi32(merge_hi512(prod_e, prod_o), merge_hi512(qp_e, qp_o));
            _mm512_min_epu32(d, _mm512_add_epi32(d, p))
        }
        #[inline(always)]
        unsafe fn mul_shoup(a: __m512i, t: __m512i, ts: __m512i) -> __m512i {
            let p = _mm512_set1_epi32(P as i32);
            let h_e = _mm512_mul_epu32(a, ts);
            let h_o = _mm512_mul_epu32(odd512(a), ts);
            let q = merge_hi512(h_e, h_o);
            let r = _mm512_sub_epi32(_mm512_mullo_epi32(a, t), _mm512_mullo_epi32(q, p));
            _mm512_min_epu32(r, _mm512_sub_epi32(r, p))
        }
    }
}
