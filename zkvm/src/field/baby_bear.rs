//! Baby Bear, p = 2^31 − 2^27 + 1, stored in Montgomery form with R = 2^32.
//!
//! Montgomery form keeps every product a single 32×32→64-bit multiply plus a reduction of
//! two more multiplies and no division; the hardware NTT uses the same reduction. The form
//! never leaks: every public constructor and accessor speaks canonical values in [0, p).

use super::{Field, PrimeField32, TwoAdicField};
use core::cmp::Ordering;
use core::fmt;
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The modulus p = 2^31 − 2^27 + 1 = 15·2^27 + 1.
pub(crate) const P: u32 = 0x7800_0001;
/// p^{-1} mod 2^32, for Montgomery reduction.
pub(crate) const MU: u32 = inv_mod_2_32(P);
/// R mod p with R = 2^32: the Montgomery form of 1.
const R_MOD_P: u32 = ((1u64 << 32) % P as u64) as u32;
/// R² mod p: multiplying by it (with a reduction) converts into Montgomery form.
const R2_MOD_P: u32 = ((R_MOD_P as u64 * R_MOD_P as u64) % P as u64) as u32;
/// 2^62 mod p (a plain integer): folds the high bits of a wide sum ([`BabyBear::reduce_wide`]).
const TWO_62_MOD_P: u64 = (1u64 << 62) % P as u64;
/// The multiplicative generator fixed by contract 3.
const GENERATOR: u32 = 31;
/// p − 1 = 15 · 2^27.
const TWO_ADICITY: usize = 27;

/// x^{-1} mod 2^32 for odd x, by Newton's iteration (each step doubles the correct bits).
const fn inv_mod_2_32(x: u32) -> u32 {
    let mut inv: u32 = 1;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(x.wrapping_mul(inv)));
        i += 1;
    }
    inv
}

/// Montgomery reduction: x·R^{-1} mod p for x < p·2^32, result in [0, p).
#[inline(always)]
pub(crate) const fn monty_reduce(x: u64) -> u32 {
    // q makes x − q·p divisible by 2^32; the quotient lies in (−p, p).
    let q = (x as u32).wrapping_mul(MU);
    let qp = q as u64 * P as u64;
    let (d, borrow) = x.overflowing_sub(qp);
    let hi = (d >> 32) as u32;
    if borrow {
        hi.wrapping_add(P)
    } else {
        hi
    }
}

/// Montgomery product of two Montgomery-form values.
#[inline(always)]
pub(crate) const fn monty_mul(a: u32, b: u32) -> u32 {
    monty_reduce(a as u64 * b as u64)
}

/// Sum of two values in [0, p), result in [0, p). Branch-free (min trick) so loops vectorise.
#[inline(always)]
pub(crate) const fn add_mod(a: u32, b: u32) -> u32 {
    let s = a + b;
    let r = s.wrapping_sub(P);
    if r < s {
        r
    } else {
        s
    }
}

/// Difference of two values in [0, p), result in [0, p).
#[inline(always)]
pub(crate) const fn sub_mod(a: u32, b: u32) -> u32 {
    let d = a.wrapping_sub(b);
    let r = d.wrapping_add(P);
    if r < d {
        r
    } else {
        d
    }
}

const fn to_monty(x: u32) -> u32 {
    monty_mul(x % P, R2_MOD_P)
}

/// An element of the Baby Bear field. `repr(transparent)` over its Montgomery form so the
/// NTT kernels can view slices of elements as slices of `u32`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct BabyBear(u32);

/// Generators of the two-adic subgroups, `TWO_ADIC_GENERATORS[k]` of order 2^k: 31^((p−1)/2^k).
const TWO_ADIC_GENERATORS: [BabyBear; TWO_ADICITY + 1] = {
    let mut table = [BabyBear(0); TWO_ADICITY + 1];
    // 31^15 has order 2^27 because 31 generates the whole group of order 15·2^27.
    let g = to_monty(GENERATOR);
    let mut top = R_MOD_P;
    let mut i = 0;
    while i < 15 {
        top = monty_mul(top, g);
        i += 1;
    }
    table[TWO_ADICITY] = BabyBear(top);
    let mut k = TWO_ADICITY;
    while k > 0 {
        let x = table[k].0;
        table[k - 1] = BabyBear(monty_mul(x, x));
        k -= 1;
    }
    table
};

impl BabyBear {
    /// The field's multiplicative generator, 31 (contract 3).
    pub const GENERATOR: Self = Self(to_monty(GENERATOR));

    /// The element congruent to `x` modulo p (any `u32` is accepted).
    #[inline]
    pub const fn new(x: u32) -> Self {
        Self(to_monty(x))
    }

    /// The element with canonical value `x`. Panics if `x ≥ p`; use
    /// [`PrimeField32::try_from_canonical`] on untrusted input.
    #[inline]
    pub const fn from_canonical(x: u32) -> Self {
        assert!(x < P, "not a canonical Baby Bear value");
        Self(to_monty(x))
    }

    /// The canonical value in [0, p).
    #[inline]
    pub const fn as_canonical(&self) -> u32 {
        monty_reduce(self.0 as u64)
    }

    /// The canonical value as 4 little-endian bytes (the serialised form).
    #[inline]
    pub const fn to_le_bytes(&self) -> [u8; 4] {
        self.as_canonical().to_le_bytes()
    }

    /// Parses 4 little-endian bytes; `None` unless they encode a canonical value.
    #[inline]
    pub const fn from_le_bytes(bytes: [u8; 4]) -> Option<Self> {
        let x = u32::from_le_bytes(bytes);
        if x < P {
            Some(Self(to_monty(x)))
        } else {
            None
        }
    }

    /// The internal Montgomery representation (x·2^32 mod p), for the crate's kernels.
    #[inline(always)]
    pub(crate) const fn to_monty_raw(self) -> u32 {
        self.0
    }

    /// The element whose Montgomery representation is `x`, for the crate's kernels; `x`
    /// must be below p.
    #[inline(always)]
    pub(crate) const fn from_monty_raw(x: u32) -> Self {
        debug_assert!(x < P);
        Self(x)
    }

    /// The product of the Montgomery forms, not yet reduced (below p² < 2^62). Sums of such
    /// products are reduced once by [`BabyBear::reduce_wide`]: a dot product then costs one
    /// integer multiply per term instead of a full Montgomery product and a modular add.
    #[inline(always)]
    pub(crate) const fn mul_wide(self, rhs: Self) -> u64 {
        self.0 as u64 * rhs.0 as u64
    }

    /// The element Σ aᵢ·bᵢ from `x` = Σ `aᵢ.mul_wide(bᵢ)` (also times small integer
    /// factors), for any such sum below 2^90.
    #[inline(always)]
    pub(crate) const fn reduce_wide(x: u128) -> Self {
        // x ≡ lo + hi·2^62 (mod p) with hi < 2^28, so the folded value is below
        // 2^62 + 2^59 < p·2^32, within Montgomery reduction's range. x = R²·Σaᵢbᵢ, and the
        // reduction divides by R once: the Montgomery form of Σaᵢbᵢ.
        debug_assert!(x < 1 << 90);
        let lo = (x as u64) & ((1 << 62) - 1);
        let hi = (x >> 62) as u64;
        Self(monty_reduce(lo + hi * TWO_62_MOD_P))
    }

    /// Views a slice of elements as their Montgomery representations.
    #[inline]
    pub(crate) fn slice_as_monty_mut(xs: &mut [Self]) -> &mut [u32] {
        // SAFETY: `BabyBear` is `repr(transparent)` over `u32`; every value the kernels
        // write back is in [0, p), which keeps the type's invariant.
        unsafe { core::slice::from_raw_parts_mut(xs.as_mut_ptr().cast(), xs.len()) }
    }
}

impl Field for BabyBear {
    const ZERO: Self = Self(0);
    const ONE: Self = Self(R_MOD_P);
    const TWO: Self = Self(add_mod(R_MOD_P, R_MOD_P));
    const NEG_ONE: Self = Self(P - R_MOD_P);

    #[inline]
    fn from_u64(x: u64) -> Self {
        Self::new((x % P as u64) as u32)
    }

    #[inline]
    fn try_inverse(&self) -> Option<Self> {
        if self.0 == 0 {
            return None;
        }
        // Fermat: x^(p−2). A fixed addition chain would save a few multiplies; inversions
        // are rare and batched (see `batch_inverse`), so the plain ladder is enough.
        Some(self.pow(P as u64 - 2))
    }
}

impl PrimeField32 for BabyBear {
    const ORDER_U32: u32 = P;

    #[inline]
    fn try_from_canonical(x: u32) -> Option<Self> {
        (x < P).then(|| Self(to_monty(x)))
    }

    #[inline]
    fn from_u32_reduced(x: u32) -> Self {
        Self::new(x)
    }

    #[inline]
    fn as_canonical(&self) -> u32 {
        BabyBear::as_canonical(self)
    }
}

impl TwoAdicField for BabyBear {
    const TWO_ADICITY: usize = TWO_ADICITY;
    const GENERATOR: Self = Self(to_monty(GENERATOR));

    #[inline]
    fn two_adic_generator(bits: usize) -> Self {
        assert!(
            bits <= TWO_ADICITY,
            "Baby Bear has no subgroup of order 2^{bits}"
        );
        TWO_ADIC_GENERATORS[bits]
    }
}

impl PartialOrd for BabyBear {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BabyBear {
    /// Orders by canonical value (the Montgomery form is not order-preserving).
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_canonical().cmp(&other.as_canonical())
    }
}

impl fmt::Display for BabyBear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_canonical(), f)
    }
}

impl fmt::Debug for BabyBear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_canonical(), f)
    }
}

impl Add for BabyBear {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self(add_mod(self.0, rhs.0))
    }
}

impl Sub for BabyBear {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self(sub_mod(self.0, rhs.0))
    }
}

impl Neg for BabyBear {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self(sub_mod(0, self.0))
    }
}

impl Mul for BabyBear {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self(monty_mul(self.0, rhs.0))
    }
}

impl AddAssign for BabyBear {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for BabyBear {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for BabyBear {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl Sum for BabyBear {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl Product for BabyBear {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, Mul::mul)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::batch_inverse;
    use proptest::prelude::*;

    const PU: u64 = P as u64;

    fn arb() -> impl Strategy<Value = BabyBear> {
        prop_oneof![
            (0..P).prop_map(BabyBear::from_canonical),
            Just(BabyBear::ZERO),
            Just(BabyBear::ONE),
            Just(BabyBear::NEG_ONE),
            (P - 4..P).prop_map(BabyBear::from_canonical),
        ]
    }

    #[test]
    fn constants() {
        assert_eq!(P, (1 << 31) - (1 << 27) + 1);
        assert_eq!(P.wrapping_mul(MU), 1);
        assert_eq!(BabyBear::ZERO.as_canonical(), 0);
        assert_eq!(BabyBear::ONE.as_canonical(), 1);
        assert_eq!(BabyBear::TWO.as_canonical(), 2);
        assert_eq!(BabyBear::NEG_ONE.as_canonical(), P - 1);
        assert_eq!(BabyBear::GENERATOR.as_canonical(), 31);
        assert_eq!(BabyBear::new(P).as_canonical(), 0);
        assert_eq!(
            BabyBear::new(u32::MAX).as_canonical(),
            (u32::MAX as u64 % PU) as u32
        );
        assert!(BabyBear::try_from_canonical(P).is_none());
        assert!(BabyBear::from_le_bytes(P.to_le_bytes()).is_none());
        assert_eq!(
            BabyBear::from_le_bytes(7u32.to_le_bytes()),
            Some(BabyBear::new(7))
        );
    }

    #[test]
    fn known_values() {
        let a = BabyBear::from_canonical(123_456_789);
        let b = BabyBear::from_canonical(2_000_000_000);
        assert_eq!(
            (a * b).as_canonical(),
            ((123_456_789u64 * 2_000_000_000) % PU) as u32
        );
        assert_eq!(
            BabyBear::new(2).inverse().as_canonical(),
            (PU as u32).div_ceil(2)
        );
        // 31 generates F_p^*: 31^((p−1)/q) ≠ 1 for each prime q | p − 1 = 2^27·3·5.
        for q in [2u64, 3, 5] {
            assert_ne!(BabyBear::GENERATOR.pow((PU - 1) / q), BabyBear::ONE);
        }
        assert_eq!(BabyBear::GENERATOR.pow(PU - 1), BabyBear::ONE);
    }

    #[test]
    fn roots_of_unity_have_exact_order() {
        for k in 0..=TWO_ADICITY {
            let w = BabyBear::two_adic_generator(k);
            // Contract 3 fixes the choice exactly: ω_n = 31^((p−1)/n).
            assert_eq!(w, BabyBear::GENERATOR.pow((PU - 1) >> k), "k = {k}");
            assert_eq!(w.pow(1 << k), BabyBear::ONE);
            if k > 0 {
                assert_eq!(w.pow(1 << (k - 1)), BabyBear::NEG_ONE);
            }
        }
    }

    #[test]
    fn batch_inverse_matches_and_skips_zero() {
        let xs: Vec<BabyBear> = (0..100u32).map(|i| BabyBear::new(i * 7919)).collect();
        let inv = batch_inverse(&xs);
        assert_eq!(inv[0], BabyBear::ZERO);
        for (x, y) in xs.iter().zip(&inv).skip(1) {
            assert_eq!(*x * *y, BabyBear::ONE);
        }
        assert!(batch_inverse::<BabyBear>(&[]).is_empty());
    }

    #[test]
    fn reduce_wide_takes_the_largest_sums() {
        // 2^28 products of the largest Montgomery forms: the bound reduce_wide promises.
        let big = BabyBear(P - 1);
        let count = 1u64 << 28;
        let x = big.mul_wide(big) as u128 * count as u128;
        let expect = big * big * BabyBear::from_u64(count);
        assert_eq!(BabyBear::reduce_wide(x), expect);
        assert_eq!(BabyBear::reduce_wide(0), BabyBear::ZERO);
    }

    proptest! {
        #[test]
        fn matches_integer_arithmetic(a in 0..P, b in 0..P) {
            let (x, y) = (BabyBear::from_canonical(a), BabyBear::from_canonical(b));
            let (a, b) = (a as u64, b as u64);
            prop_assert_eq!((x + y).as_canonical() as u64, (a + b) % PU);
            prop_assert_eq!((x - y).as_canonical() as u64, (a + PU - b) % PU);
            prop_assert_eq!((x * y).as_canonical() as u64, (a * b) % PU);
            prop_assert_eq!((-x).as_canonical() as u64, (PU - a) % PU);
            prop_assert_eq!(x.square(), x * x);
            prop_assert_eq!(x.double(), x + x);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
        }

        #[test]
        fn axioms(a in arb(), b in arb(), c in arb()) {
            prop_assert_eq!(a + b, b + a);
            prop_assert_eq!(a * b, b * a);
            prop_assert_eq!((a + b) + c, a + (b + c));
            prop_assert_eq!((a * b) * c, a * (b * c));
            prop_assert_eq!(a * (b + c), a * b + a * c);
            prop_assert_eq!(a + BabyBear::ZERO, a);
            prop_assert_eq!(a * BabyBear::ONE, a);
            prop_assert_eq!(a + (-a), BabyBear::ZERO);
            prop_assert_eq!(a - b, a + (-b));
            match a.try_inverse() {
                Some(i) => prop_assert_eq!(a * i, BabyBear::ONE),
                None => prop_assert_eq!(a, BabyBear::ZERO),
            }
        }

        #[test]
        fn wide_sums_match_field_sums(xs in proptest::collection::vec((arb(), arb(), 1u32..1000), 1..40)) {
            let mut wide = 0u128;
            let mut sum = BabyBear::ZERO;
            for &(a, b, k) in &xs {
                wide += a.mul_wide(b) as u128 * k as u128;
                sum += a * b * BabyBear::new(k);
            }
            prop_assert_eq!(BabyBear::reduce_wide(wide), sum);
        }

        #[test]
        fn pow_adds_exponents(a in arb(), e in 0u64..1 << 40, f in 0u64..1 << 20) {
            prop_assert_eq!(a.pow(e) * a.pow(f), a.pow(e + f));
        }

        #[test]
        fn bytes_round_trip(a in 0..P) {
            let x = BabyBear::from_canonical(a);
            prop_assert_eq!(BabyBear::from_le_bytes(x.to_le_bytes()), Some(x));
        }
    }
}
