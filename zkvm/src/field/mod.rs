//! Finite fields: the Baby Bear prime field and its degree-4 extension (ARCHITECTURE.md
//! contract 3), behind narrow traits so kernels (NTT, FRI, the STARK) are written once.
//!
//! See `docs/field.md` for the parameters and why they were chosen.

pub(crate) mod baby_bear;
mod extension;
pub mod packed;

pub use baby_bear::BabyBear;
pub(crate) use extension::WideExt;
pub use extension::{BabyBearExt4, EXT_W};
pub use packed::{PackedBabyBear, PackedExt4};

use core::fmt::{Debug, Display};
use core::hash::Hash;
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A finite field. Arithmetic never fails; only inversion of zero has no answer.
pub trait Field:
    Copy
    + Default
    + Eq
    + Hash
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Sum
    + Product
{
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// 1 + 1.
    const TWO: Self;
    /// −1.
    const NEG_ONE: Self;

    /// The image of an integer (reduced modulo the characteristic).
    fn from_u64(x: u64) -> Self;

    /// `self · self`.
    #[inline]
    fn square(&self) -> Self {
        *self * *self
    }

    /// `self + self`.
    #[inline]
    fn double(&self) -> Self {
        *self + *self
    }

    /// `self^exp` by square-and-multiply.
    fn pow(&self, mut exp: u64) -> Self {
        let mut base = *self;
        let mut acc = Self::ONE;
        while exp != 0 {
            if exp & 1 == 1 {
                acc *= base;
            }
            base = base.square();
            exp >>= 1;
        }
        acc
    }

    /// Whether this is zero.
    #[inline]
    fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    /// The multiplicative inverse, or `None` for zero.
    fn try_inverse(&self) -> Option<Self>;

    /// The multiplicative inverse. Panics on zero, which is always a caller bug.
    #[inline]
    fn inverse(&self) -> Self {
        self.try_inverse().expect("inverse of zero")
    }
}

/// A prime field whose elements fit in 32 bits, with a canonical representative in [0, p).
pub trait PrimeField32: Field + Ord {
    /// The characteristic p.
    const ORDER_U32: u32;

    /// The element with canonical value `x`, or `None` if `x ≥ p`.
    fn try_from_canonical(x: u32) -> Option<Self>;

    /// The element congruent to `x` modulo p.
    fn from_u32_reduced(x: u32) -> Self;

    /// The canonical value in [0, p).
    fn as_canonical(&self) -> u32;
}

/// A field whose multiplicative group has a large subgroup of order 2^k.
pub trait TwoAdicField: Field {
    /// The largest k such that 2^k divides the order of the multiplicative group.
    const TWO_ADICITY: usize;

    /// A generator of the whole multiplicative group; also the default coset shift of
    /// low-degree extensions (it lies in no proper subgroup, so g·H never meets H).
    const GENERATOR: Self;

    /// A generator of the subgroup of order 2^bits. Panics if `bits > TWO_ADICITY`.
    fn two_adic_generator(bits: usize) -> Self;
}

/// A finite extension of the field `F`, represented by `DEGREE` base coefficients.
pub trait ExtensionField<F: Field>:
    Field + From<F> + Mul<F, Output = Self> + Add<F, Output = Self>
{
    /// The degree of the extension over `F`.
    const DEGREE: usize;

    /// The coefficients in the basis 1, X, X², … .
    fn as_base_slice(&self) -> &[F];

    /// The element with the given coefficients. Panics unless `coeffs.len() == DEGREE`.
    fn from_base_slice(coeffs: &[F]) -> Self;
}

/// Inverts every element with Montgomery's trick: one field inversion and about three
/// multiplications per element. Zeros are left as zero (they have no inverse, and a zero in
/// a batch must not poison the others).
pub fn batch_inverse<F: Field>(xs: &[F]) -> Vec<F> {
    let mut out = Vec::with_capacity(xs.len());
    // out[i] = product of the non-zero xs[..i].
    let mut acc = F::ONE;
    for x in xs {
        out.push(acc);
        if !x.is_zero() {
            acc *= *x;
        }
    }
    // acc is non-zero (a product of non-zero elements), so this cannot fail.
    let mut inv = acc.inverse();
    for (o, x) in out.iter_mut().zip(xs).rev() {
        if x.is_zero() {
            *o = F::ZERO;
        } else {
            let r = *o * inv;
            inv *= *x;
            *o = r;
        }
    }
    out
}
