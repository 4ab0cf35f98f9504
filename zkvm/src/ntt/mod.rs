//! Number-theoretic transforms over two-adic fields (ARCHITECTURE.md contract 3).
//!
//! The forward transform of size n = 2^k maps values a_0..a_{n−1} to
//! A_j = Σ_i a_i·ω_n^(ij) with ω_n = g^((p−1)/n), g = 31 for Baby Bear — i.e. it evaluates
//! the polynomial with coefficients a at the powers of ω_n. Input and output are in natural
//! order; the inverse scales by 1/n. Matrices are transformed column by column (each column
//! is one polynomial). See `docs/ntt.md`.
//!
//! * [`Dft`]: the interface, with reference default methods for the LDE.
//! * [`NaiveDft`]: the O(n²) definition, the reference for tests.
//! * [`Radix2Dft`]: the fast Baby Bear implementation.

mod backend;
mod radix2;

#[cfg(target_arch = "x86_64")]
pub(crate) use backend::Avx2;
pub use backend::Isa;
pub(crate) use backend::{canonical_words, mul_const_rows, shoup, Backend, Scalar};
pub use radix2::Radix2Dft;

use crate::field::TwoAdicField;
use crate::matrix::RowMajorMatrix;

/// A DFT implementation over the field `F`.
pub trait Dft<F: TwoAdicField> {
    /// Forward transform of every column: coefficients → evaluations on the subgroup of order
    /// `height` (a power of two).
    fn dft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F>;

    /// Inverse transform of every column: evaluations → coefficients (includes the 1/n).
    fn idft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F>;

    /// Forward transform of one vector.
    fn dft(&self, values: Vec<F>) -> Vec<F> {
        self.dft_batch(RowMajorMatrix::new_col(values)).values
    }

    /// Inverse transform of one vector.
    fn idft(&self, values: Vec<F>) -> Vec<F> {
        self.idft_batch(RowMajorMatrix::new_col(values)).values
    }

    /// Low-degree extension onto a coset: each column holds the evaluations of a polynomial
    /// of degree < n on the subgroup H of order n; the result holds its evaluations on the
    /// coset `shift`·H' where |H'| = n·2^added_bits, in natural order (row j is the point
    /// shift·ω_{|H'|}^j).
    fn coset_lde_batch_with_shift(
        &self,
        mat: RowMajorMatrix<F>,
        added_bits: usize,
        shift: F,
    ) -> RowMajorMatrix<F> {
        let coeffs = self.idft_batch(mat);
        let w = coeffs.width;
        let mut values = coeffs.values;
        let mut s = F::ONE;
        for row in values.chunks_exact_mut(w) {
            for x in row.iter_mut() {
                *x *= s;
            }
            s *= shift;
        }
        values.resize(values.len() << added_bits, F::ZERO);
        self.dft_batch(RowMajorMatrix::new(values, w))
    }

    /// [`Dft::coset_lde_batch_with_shift`] with the project's standard shift, the field's
    /// generator (31 for Baby Bear), so the LDE domain never meets the trace domain.
    fn coset_lde_batch(&self, mat: RowMajorMatrix<F>, added_bits: usize) -> RowMajorMatrix<F> {
        self.coset_lde_batch_with_shift(mat, added_bits, F::GENERATOR)
    }
}

/// The transform straight from its definition, O(n²) per column. For tests only.
#[derive(Clone, Copy, Debug, Default)]
pub struct NaiveDft;

impl NaiveDft {
    fn transform<F: TwoAdicField>(mat: &RowMajorMatrix<F>, inverse: bool) -> RowMajorMatrix<F> {
        let (h, w) = (mat.height(), mat.width);
        assert!(h.is_power_of_two(), "NTT height must be a power of two");
        let mut root = F::two_adic_generator(h.ilog2() as usize);
        let mut scale = F::ONE;
        if inverse {
            root = root.inverse();
            scale = F::from_u64(h as u64).inverse();
        }
        let mut out = vec![F::ZERO; h * w];
        for j in 0..h {
            let wj = root.pow(j as u64);
            let mut x = scale;
            for i in 0..h {
                for c in 0..w {
                    out[j * w + c] += mat.values[i * w + c] * x;
                }
                x *= wj;
            }
        }
        RowMajorMatrix::new(out, w)
    }
}

impl<F: TwoAdicField> Dft<F> for NaiveDft {
    fn dft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
        Self::transform(&mat, false)
    }

    fn idft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
        Self::transform(&mat, true)
    }
}

#[cfg(test)]
mod tests;
