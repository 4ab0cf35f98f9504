//! The degree-4 extension F_p[X]/(X^4 − W) of Baby Bear, W = 11, used where soundness needs
//! a field of about 2^124 elements (FRI folding challenges, out-of-domain points).
//!
//! X^4 − W is irreducible over F_p exactly when W is not a square (p ≡ 1 mod 4); see
//! `docs/field.md` for the derivation and the tests below for the check.

use super::baby_bear::BabyBear;
use super::{ExtensionField, Field};
use core::fmt;
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The constant W of the defining binomial X^4 − W.
pub const EXT_W: BabyBear = BabyBear::new(11);

/// An element c0 + c1·X + c2·X² + c3·X³ of F_p[X]/(X^4 − 11).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct BabyBearExt4 {
    c: [BabyBear; 4],
}

impl BabyBearExt4 {
    /// The element with coefficients `c` in the basis 1, X, X², X³.
    #[inline]
    pub const fn new(c: [BabyBear; 4]) -> Self {
        Self { c }
    }

    /// The coefficients in the basis 1, X, X², X³.
    #[inline]
    pub const fn coeffs(&self) -> [BabyBear; 4] {
        self.c
    }

    /// The generator X of the extension as an algebra.
    pub const X: Self = Self::new([
        BabyBear::ZERO,
        BabyBear::ONE,
        BabyBear::ZERO,
        BabyBear::ZERO,
    ]);
}

impl Field for BabyBearExt4 {
    const ZERO: Self = Self::new([BabyBear::ZERO; 4]);
    const ONE: Self = Self::new([
        BabyBear::ONE,
        BabyBear::ZERO,
        BabyBear::ZERO,
        BabyBear::ZERO,
    ]);
    const TWO: Self = Self::new([
        BabyBear::TWO,
        BabyBear::ZERO,
        BabyBear::ZERO,
        BabyBear::ZERO,
    ]);
    const NEG_ONE: Self = Self::new([
        BabyBear::NEG_ONE,
        BabyBear::ZERO,
        BabyBear::ZERO,
        BabyBear::ZERO,
    ]);

    #[inline]
    fn from_u64(x: u64) -> Self {
        Self::from(BabyBear::from_u64(x))
    }

    #[inline]
    fn square(&self) -> Self {
        let [a0, a1, a2, a3] = self.c;
        let w = EXT_W;
        Self::new([
            a0.square() + w * (a1 * a3).double() + w * a2.square(),
            (a0 * a1 + w * a2 * a3).double(),
            (a0 * a2).double() + a1.square() + w * a3.square(),
            (a0 * a3 + a1 * a2).double(),
        ])
    }

    fn try_inverse(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        // a(X)·a(−X) is even, b0 + b1·X²; times (b0 − b1·X²) it is the norm c ∈ F_p.
        // So a^{-1} = a(−X)·(b0 − b1·X²)/c: one base-field inversion.
        let [a0, a1, a2, a3] = self.c;
        let w = EXT_W;
        let b0 = a0.square() + w * (a2.square() - (a1 * a3).double());
        let b1 = (a0 * a2).double() - a1.square() - w * a3.square();
        let c = b0.square() - w * b1.square();
        let c_inv = c.try_inverse()?;
        let conj = Self::new([a0, -a1, a2, -a3]);
        let b_conj = Self::new([b0 * c_inv, BabyBear::ZERO, -b1 * c_inv, BabyBear::ZERO]);
        Some(conj * b_conj)
    }
}

impl ExtensionField<BabyBear> for BabyBearExt4 {
    const DEGREE: usize = 4;

    #[inline]
    fn as_base_slice(&self) -> &[BabyBear] {
        &self.c
    }

    #[inline]
    fn from_base_slice(coeffs: &[BabyBear]) -> Self {
        Self::new(
            coeffs
                .try_into()
                .expect("an Ext4 element has 4 coefficients"),
        )
    }
}

impl From<BabyBear> for BabyBearExt4 {
    #[inline]
    fn from(x: BabyBear) -> Self {
        Self::new([x, BabyBear::ZERO, BabyBear::ZERO, BabyBear::ZERO])
    }
}

impl fmt::Display for BabyBearExt4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.c;
        write!(f, "{a} + {b}·X + {c}·X² + {d}·X³")
    }
}

impl fmt::Debug for BabyBearExt4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.c, f)
    }
}

impl Add for BabyBearExt4 {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self::new(core::array::from_fn(|i| self.c[i] + rhs.c[i]))
    }
}

impl Add<BabyBear> for BabyBearExt4 {
    type Output = Self;
    #[inline]
    fn add(mut self, rhs: BabyBear) -> Self {
        self.c[0] += rhs;
        self
    }
}

impl Sub<BabyBear> for BabyBearExt4 {
    type Output = Self;
    #[inline]
    fn sub(mut self, rhs: BabyBear) -> Self {
        self.c[0] -= rhs;
        self
    }
}

impl Sub for BabyBearExt4 {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self::new(core::array::from_fn(|i| self.c[i] - rhs.c[i]))
    }
}

impl Neg for BabyBearExt4 {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::new(self.c.map(|x| -x))
    }
}

impl Mul for BabyBearExt4 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let [a0, a1, a2, a3] = self.c;
        let [b0, b1, b2, b3] = rhs.c;
        // Schoolbook; terms of degree 4..6 fold back with X^4 = W. Each coordinate is summed
        // unreduced (three products fit a u64 below 3·p² < 2^64) and reduced once: W = 11
        // scales the sum as a plain integer.
        let w = |s: u64| W_INT * s as u128;
        let r = BabyBear::reduce_wide;
        Self::new([
            r(a0.mul_wide(b0) as u128 + w(a1.mul_wide(b3) + a2.mul_wide(b2) + a3.mul_wide(b1))),
            r((a0.mul_wide(b1) + a1.mul_wide(b0)) as u128 + w(a2.mul_wide(b3) + a3.mul_wide(b2))),
            r((a0.mul_wide(b2) + a1.mul_wide(b1) + a2.mul_wide(b0)) as u128 + w(a3.mul_wide(b3))),
            r(a0.mul_wide(b3) as u128
                + (a1.mul_wide(b2) + a2.mul_wide(b1) + a3.mul_wide(b0)) as u128),
        ])
    }
}

/// W as a plain integer, for scaling unreduced sums.
const W_INT: u128 = 11;

/// An extension element as four unreduced coordinate sums: accumulates `e·x` products
/// (extension by base) with one integer multiply each and reduces once at the end. Good for
/// up to 2^28 products.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct WideExt([u128; 4]);

impl WideExt {
    /// Adds `e·x`.
    #[inline(always)]
    pub(crate) fn add_product(&mut self, e: &BabyBearExt4, x: BabyBear) {
        for (acc, c) in self.0.iter_mut().zip(&e.c) {
            *acc += c.mul_wide(x) as u128;
        }
    }

    /// The sum as a field element.
    #[inline(always)]
    pub(crate) fn reduce(self) -> BabyBearExt4 {
        BabyBearExt4::new(self.0.map(BabyBear::reduce_wide))
    }
}

impl Mul<BabyBear> for BabyBearExt4 {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: BabyBear) -> Self {
        Self::new(self.c.map(|x| x * rhs))
    }
}

impl AddAssign for BabyBearExt4 {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for BabyBearExt4 {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for BabyBearExt4 {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl Sum for BabyBearExt4 {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl Product for BabyBearExt4 {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, Mul::mul)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{batch_inverse, PrimeField32};
    use proptest::prelude::*;

    const PU: u64 = BabyBear::ORDER_U32 as u64;

    fn arb_base() -> impl Strategy<Value = BabyBear> {
        prop_oneof![
            (0..BabyBear::ORDER_U32).prop_map(BabyBear::from_canonical),
            Just(BabyBear::ZERO),
            Just(BabyBear::ONE),
            Just(BabyBear::NEG_ONE),
        ]
    }

    fn arb() -> impl Strategy<Value = BabyBearExt4> {
        prop::array::uniform4(arb_base()).prop_map(BabyBearExt4::new)
    }

    /// x^e for a 128-bit exponent (p^4 does not fit in 64 bits).
    fn pow_u128(x: BabyBearExt4, mut e: u128) -> BabyBearExt4 {
        let (mut base, mut acc) = (x, BabyBearExt4::ONE);
        while e != 0 {
            if e & 1 == 1 {
                acc *= base;
            }
            base = base.square();
            e >>= 1;
        }
        acc
    }

    #[test]
    fn binomial_is_irreducible() {
        let w = EXT_W;
        // Criterion (docs/field.md): with p ≡ 1 mod 4, X^4 − W is irreducible iff W is a
        // non-square, i.e. W^((p−1)/2) = −1.
        assert_eq!(PU % 4, 1);
        assert_eq!(w.pow((PU - 1) / 2), BabyBear::NEG_ONE);
        // Independent check (Rabin): a degree-4 f is irreducible iff X^(p^4) ≡ X mod f and
        // gcd(X^(p^2) − X, f) = 1. Here X^(p^2) = W^((p^2−1)/4)·X, so the gcd is 1 iff that
        // power of W is not 1 — and no root (degree-1 factor) is then possible either.
        let p2 = PU as u128 * PU as u128;
        let c = BabyBearExt4::from(w).pow(1) * BabyBearExt4::ONE;
        let c = pow_u128(c, (p2 - 1) / 4);
        assert_ne!(c, BabyBearExt4::ONE);
        let x = BabyBearExt4::X;
        assert_eq!(pow_u128(x, p2), x * c);
        assert_eq!(pow_u128(x, p2 * p2), x);
        // And a few smaller W are squares (so they would not do), e.g. W = 2 (p ≡ 1 mod 8).
        assert_eq!(BabyBear::TWO.pow((PU - 1) / 2), BabyBear::ONE);
    }

    #[test]
    fn x_to_the_fourth_is_w() {
        let x = BabyBearExt4::X;
        assert_eq!(x.pow(4), BabyBearExt4::from(EXT_W));
    }

    #[test]
    fn batch_inverse_works_in_extension() {
        let xs: Vec<BabyBearExt4> = (0..20u32)
            .map(|i| BabyBearExt4::new([i, i * 3, 7, i ^ 5].map(BabyBear::new)))
            .collect();
        for (x, y) in xs.iter().zip(batch_inverse(&xs)) {
            assert_eq!(*x * y, BabyBearExt4::ONE);
        }
    }

    /// The product with every step reduced (the definition the lazy one must match).
    fn schoolbook(a: BabyBearExt4, b: BabyBearExt4) -> BabyBearExt4 {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3], w) = (a.c, b.c, EXT_W);
        BabyBearExt4::new([
            a0 * b0 + w * (a1 * b3 + a2 * b2 + a3 * b1),
            a0 * b1 + a1 * b0 + w * (a2 * b3 + a3 * b2),
            a0 * b2 + a1 * b1 + a2 * b0 + w * (a3 * b3),
            a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0,
        ])
    }

    #[test]
    fn product_of_largest_elements() {
        let m = BabyBearExt4::new([-BabyBear::ONE; 4]);
        assert_eq!(m * m, schoolbook(m, m));
    }

    proptest! {
        #[test]
        fn axioms(a in arb(), b in arb(), c in arb(), s in arb_base()) {
            prop_assert_eq!(a + b, b + a);
            prop_assert_eq!(a * b, b * a);
            prop_assert_eq!((a + b) + c, a + (b + c));
            prop_assert_eq!((a * b) * c, a * (b * c));
            prop_assert_eq!(a * (b + c), a * b + a * c);
            prop_assert_eq!(a * BabyBearExt4::ONE, a);
            prop_assert_eq!(a + (-a), BabyBearExt4::ZERO);
            prop_assert_eq!(a * b, schoolbook(a, b));
            let mut wide = WideExt::default();
            wide.add_product(&a, s);
            wide.add_product(&b, s);
            prop_assert_eq!(wide.reduce(), (a + b) * s);
            prop_assert_eq!(a.square(), a * a);
            prop_assert_eq!(a * s, a * BabyBearExt4::from(s));
            prop_assert_eq!(a + s, a + BabyBearExt4::from(s));
            prop_assert_eq!(BabyBearExt4::from_base_slice(a.as_base_slice()), a);
            match a.try_inverse() {
                Some(i) => prop_assert_eq!(a * i, BabyBearExt4::ONE),
                None => prop_assert_eq!(a, BabyBearExt4::ZERO),
            }
        }
    }
}
