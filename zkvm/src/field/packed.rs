//! Baby Bear and its quartic extension on [`LANES`] points at once.
//!
//! The prover evaluates every AIR at millions of LDE points. Evaluated one point at a time,
//! the AIR's own bookkeeping (building rows, folding constraints, the builder's plumbing) is
//! paid per point; over a [`PackedBabyBear`] it is paid once per [`LANES`] points, and each
//! arithmetic operation is a short straight-line loop over lanes that the compiler
//! vectorises with whatever the build targets (SSE2 on baseline x86-64, AVX2/AVX-512 with
//! `-C target-cpu=native`). Every lane is computed exactly as the scalar field computes it:
//! the same Montgomery representation, canonical results (tests compare lane by lane).

use super::baby_bear::{BabyBear, MU, P};
use super::extension::{BabyBearExt4, EXT_W};
use super::Field;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// Points per packed value.
pub const LANES: usize = 8;

/// `a + b mod p` for Montgomery forms in [0, p): `min` instead of a branch, so it vectorises.
#[inline(always)]
fn add_lane(a: u32, b: u32) -> u32 {
    let s = a + b;
    s.min(s.wrapping_sub(P))
}

/// `a − b mod p`.
#[inline(always)]
fn sub_lane(a: u32, b: u32) -> u32 {
    let d = a.wrapping_sub(b);
    d.min(d.wrapping_add(P))
}

/// The Montgomery product `a·b·2^−32 mod p` in [0, p), in 32-bit steps: the low halves of
/// `a·b` and `q·p` agree by the choice of q, so the result is the difference of the high
/// halves, in (−p, p), and `min` adds p back where it wrapped.
#[inline(always)]
fn mul_lane(a: u32, b: u32) -> u32 {
    let prod = a as u64 * b as u64;
    let q = (prod as u32).wrapping_mul(MU);
    let qp = q as u64 * P as u64;
    let d = ((prod >> 32) as u32).wrapping_sub((qp >> 32) as u32);
    d.min(d.wrapping_add(P))
}

/// [`LANES`] Baby Bear elements, one per evaluation point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(32))]
pub struct PackedBabyBear(pub [BabyBear; LANES]);

impl Default for PackedBabyBear {
    fn default() -> Self {
        Self([BabyBear::ZERO; LANES])
    }
}

impl PackedBabyBear {
    /// Every lane `x`.
    #[inline(always)]
    pub const fn splat(x: BabyBear) -> Self {
        Self([x; LANES])
    }

    /// Lane `i` is `f(i)`.
    #[inline(always)]
    pub fn from_fn(f: impl FnMut(usize) -> BabyBear) -> Self {
        Self(core::array::from_fn(f))
    }

    /// Lane by lane `f` on the Montgomery forms (explicit loops: `array::from_fn` is not
    /// always inlined, and every operation here runs billions of times).
    #[inline(always)]
    fn zip(self, rhs: Self, f: impl Fn(u32, u32) -> u32) -> Self {
        let mut out = [0u32; LANES];
        for (i, o) in out.iter_mut().enumerate() {
            *o = f(self.0[i].to_monty_raw(), rhs.0[i].to_monty_raw());
        }
        // Every lane function returns a value in [0, p), the representation's invariant.
        let mut packed = [BabyBear::ZERO; LANES];
        for (p, o) in packed.iter_mut().zip(out) {
            *p = BabyBear::from_monty_raw(o);
        }
        Self(packed)
    }
}

impl From<BabyBear> for PackedBabyBear {
    #[inline(always)]
    fn from(x: BabyBear) -> Self {
        Self::splat(x)
    }
}

impl Add for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        self.zip(rhs, add_lane)
    }
}

impl Sub for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        self.zip(rhs, sub_lane)
    }
}

impl Mul for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        self.zip(rhs, mul_lane)
    }
}

impl Neg for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::default() - self
    }
}

impl Add<BabyBear> for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: BabyBear) -> Self {
        self + Self::splat(rhs)
    }
}

impl Sub<BabyBear> for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: BabyBear) -> Self {
        self - Self::splat(rhs)
    }
}

impl Mul<BabyBear> for PackedBabyBear {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: BabyBear) -> Self {
        self * Self::splat(rhs)
    }
}

impl AddAssign for PackedBabyBear {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for PackedBabyBear {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for PackedBabyBear {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

/// [`LANES`] extension elements, stored by coordinate: `c[j]` holds coordinate j (of Xʲ) of
/// every lane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PackedExt4 {
    /// The coordinates, each packed over the lanes.
    pub c: [PackedBabyBear; 4],
}

impl PackedExt4 {
    /// Every lane `x`.
    #[inline(always)]
    pub fn splat(x: BabyBearExt4) -> Self {
        Self {
            c: x.coeffs().map(PackedBabyBear::splat),
        }
    }

    /// Base values embedded (coordinates 1..3 zero).
    #[inline(always)]
    pub fn from_base(x: PackedBabyBear) -> Self {
        let z = PackedBabyBear::default();
        Self { c: [x, z, z, z] }
    }

    /// Lane `i` as an extension element.
    #[inline(always)]
    pub fn lane(&self, i: usize) -> BabyBearExt4 {
        BabyBearExt4::new(self.c.map(|c| c.0[i]))
    }

    /// Lane `i` is `f(i)`.
    #[inline(always)]
    pub fn from_fn(mut f: impl FnMut(usize) -> BabyBearExt4) -> Self {
        let lanes: [BabyBearExt4; LANES] = core::array::from_fn(&mut f);
        Self {
            c: core::array::from_fn(|j| PackedBabyBear::from_fn(|i| lanes[i].coeffs()[j])),
        }
    }

    /// `self · x` for base values `x`.
    #[inline(always)]
    pub fn mul_base(self, x: PackedBabyBear) -> Self {
        let mut out = self;
        for c in out.c.iter_mut() {
            *c *= x;
        }
        out
    }

    /// `self + e·x`: a constant extension element times base values, added.
    #[inline(always)]
    pub fn add_scaled(self, e: &BabyBearExt4, x: PackedBabyBear) -> Self {
        let k = e.coeffs();
        let mut out = self;
        for (c, k) in out.c.iter_mut().zip(k) {
            *c += x * k;
        }
        out
    }

    /// `self · e` for a constant extension element.
    #[inline(always)]
    pub fn mul_const(self, e: &BabyBearExt4) -> Self {
        self * Self::splat(*e)
    }
}

impl Add for PackedExt4 {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        let mut out = self;
        for (c, r) in out.c.iter_mut().zip(rhs.c) {
            *c += r;
        }
        out
    }
}

impl Sub for PackedExt4 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        let mut out = self;
        for (c, r) in out.c.iter_mut().zip(rhs.c) {
            *c -= r;
        }
        out
    }
}

impl Mul for PackedExt4 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let [a0, a1, a2, a3] = self.c;
        let [b0, b1, b2, b3] = rhs.c;
        // Schoolbook, X⁴ = W folding the terms of degree 4..6 back.
        let w = PackedBabyBear::splat(EXT_W);
        Self {
            c: [
                a0 * b0 + w * (a1 * b3 + a2 * b2 + a3 * b1),
                a0 * b1 + a1 * b0 + w * (a2 * b3 + a3 * b2),
                a0 * b2 + a1 * b1 + a2 * b0 + w * (a3 * b3),
                a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0,
            ],
        }
    }
}

impl AddAssign for PackedExt4 {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl MulAssign for PackedExt4 {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::PrimeField32;
    use proptest::prelude::*;

    fn arb_base() -> impl Strategy<Value = BabyBear> {
        prop_oneof![
            (0..P).prop_map(BabyBear::from_canonical),
            Just(BabyBear::ZERO),
            Just(BabyBear::ONE),
            Just(BabyBear::NEG_ONE),
            (P - 3..P).prop_map(BabyBear::from_canonical),
            (0..3u32).prop_map(BabyBear::from_canonical),
        ]
    }

    fn arb_packed() -> impl Strategy<Value = PackedBabyBear> {
        prop::array::uniform8(arb_base()).prop_map(PackedBabyBear)
    }

    fn arb_ext() -> impl Strategy<Value = BabyBearExt4> {
        prop::array::uniform4(arb_base()).prop_map(BabyBearExt4::new)
    }

    fn arb_packed_ext() -> impl Strategy<Value = PackedExt4> {
        prop::array::uniform4(arb_packed()).prop_map(|c| PackedExt4 { c })
    }

    #[test]
    fn edge_values_lane_by_lane() {
        let edges = [0, 1, 2, P - 1, P - 2, P / 2, P / 2 + 1, 1 << 27];
        let xs: Vec<BabyBear> = edges.iter().map(|&x| BabyBear::from_canonical(x)).collect();
        for a in &xs {
            let pa = PackedBabyBear::from_fn(|i| xs[i]);
            let pb = PackedBabyBear::splat(*a);
            for (i, &x) in xs.iter().enumerate() {
                assert_eq!((pa + pb).0[i], x + *a);
                assert_eq!((pa - pb).0[i], x - *a);
                assert_eq!((pa * pb).0[i], x * *a);
                assert_eq!((-pa).0[i], -x);
                assert_eq!((pa * *a).0[i], x * *a);
                assert_eq!((pa + *a).0[i], x + *a);
                assert_eq!((pa - *a).0[i], x - *a);
            }
        }
        assert_eq!(P, BabyBear::ORDER_U32);
    }

    proptest! {
        #[test]
        fn packed_base_ops_match_scalar(a in arb_packed(), b in arb_packed(), s in arb_base()) {
            for i in 0..LANES {
                let (x, y) = (a.0[i], b.0[i]);
                prop_assert_eq!((a + b).0[i], x + y);
                prop_assert_eq!((a - b).0[i], x - y);
                prop_assert_eq!((a * b).0[i], x * y);
                prop_assert_eq!((-a).0[i], -x);
                prop_assert_eq!((a + s).0[i], x + s);
                prop_assert_eq!((a - s).0[i], x - s);
                prop_assert_eq!((a * s).0[i], x * s);
                prop_assert_eq!(PackedBabyBear::from(s).0[i], s);
            }
        }

        #[test]
        fn packed_ext_ops_match_scalar(
            a in arb_packed_ext(),
            b in arb_packed_ext(),
            x in arb_packed(),
            e in arb_ext(),
        ) {
            for i in 0..LANES {
                let (u, v) = (a.lane(i), b.lane(i));
                prop_assert_eq!((a + b).lane(i), u + v);
                prop_assert_eq!((a - b).lane(i), u - v);
                prop_assert_eq!((a * b).lane(i), u * v);
                prop_assert_eq!(a.mul_base(x).lane(i), u * x.0[i]);
                prop_assert_eq!(a.add_scaled(&e, x).lane(i), u + e * x.0[i]);
                prop_assert_eq!(a.mul_const(&e).lane(i), u * e);
                prop_assert_eq!(PackedExt4::from_base(x).lane(i), BabyBearExt4::from(x.0[i]));
                prop_assert_eq!(PackedExt4::splat(e).lane(i), e);
                prop_assert_eq!(PackedExt4::from_fn(|j| a.lane(j)), a);
            }
        }
    }
}
