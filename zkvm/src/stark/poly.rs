//! Committed columns kept as polynomial coefficients, evaluated one LDE block at a time.
//!
//! The prover never holds a whole low-degree extension: in bit-reversed row order, block c of
//! 2^k rows of the LDE on g·H' is the coset s·H_(2^k) (s = g·ω^rev(c)) in bit-reversed order,
//! so each block is one NTT of the coefficients folded modulo x^(2^k) − s^(2^k). Commitments
//! hash the blocks as they come ([`crate::mmcs::commit_streamed`]); the quotient walks the
//! same blocks; the queries regenerate the blocks they open.

use rayon::prelude::*;

use super::E;
use crate::air::F;
use crate::field::{ExtensionField, Field, TwoAdicField, WideExt};
use crate::matrix::RowMajorMatrix;
use crate::ntt::{mul_const_rows, Radix2Dft};
use crate::util::reverse_bits_len;

/// Rows per parallel task when filling or combining coefficient rows.
const ROWS: usize = 4096;

/// Columns of polynomials `P = low + (x^D − 1)·blind` (D = `low.height()`), coefficients
/// lowest first, with their LDE height 2^`log_lde`.
#[derive(Clone, Debug)]
pub(super) struct Poly {
    /// Coefficients (D rows, a power of two).
    pub low: RowMajorMatrix<F>,
    /// Zero-knowledge randomizer U (at most D rows), if any: P = low + (x^D − 1)·U.
    pub blind: Option<RowMajorMatrix<F>>,
    /// log₂ of the LDE height.
    pub log_lde: usize,
}

impl Poly {
    /// Number of columns.
    pub fn width(&self) -> usize {
        self.low.width
    }

    /// Number of coefficients of P (the degree bound).
    pub fn len(&self) -> usize {
        let d = self.low.height();
        d + self.blind.as_ref().map_or(0, |b| b.height())
    }

    /// Values of the columns on block `c` of the LDE split into blocks of 2^`log_block`
    /// rows (bit-reversed order, like the whole LDE).
    #[cfg(test)]
    pub fn block(&self, dft: &Radix2Dft, log_block: usize, c: usize) -> RowMajorMatrix<F> {
        self.block_into(dft, log_block, c, Vec::new())
    }

    /// [`Poly::block`] in the storage of `spent` (any earlier block's values): a block of a
    /// wide trace is most of a gigabyte, and fresh memory costs a page fault per 4 KiB.
    pub fn block_into(
        &self,
        dft: &Radix2Dft,
        log_block: usize,
        c: usize,
        spent: Vec<F>,
    ) -> RowMajorMatrix<F> {
        let m = 1usize << log_block;
        let w = self.width();
        let d = self.low.height();
        let log_blocks = self.log_lde - log_block;
        let s = F::GENERATOR
            * F::two_adic_generator(self.log_lde).pow(reverse_bits_len(c, log_blocks) as u64);
        let s_m = s.pow(m as u64);
        // x^D on the block (m divides D, or D < m and there is no blind).
        let blind_scale = self.blind.as_ref().map(|_| {
            assert!(
                d.is_multiple_of(m),
                "a blinded polynomial needs the block to divide D"
            );
            s_m.pow((d / m) as u64) - F::ONE
        });
        let folds = d.div_ceil(m);
        let s_m_powers: Vec<F> = (0..folds).map(|j| s_m.pow(j as u64)).collect();
        // Every row is written below (rows past the coefficients are zeroed), so the old
        // contents need no clearing. Row k is s^k·(Σ_j s^(jm)·low[k + jm] + f·U[k]): each
        // term one fused multiply(-add) pass over the row, with the shift folded into its
        // factor.
        let isa = dft.isa();
        let mut values = spent;
        values.resize(m * w, F::ZERO);
        values
            .par_chunks_mut(ROWS * w)
            .enumerate()
            .for_each(|(b, out)| {
                let k0 = b * ROWS;
                let mut sk = s.pow(k0 as u64);
                for (i, row) in out.chunks_exact_mut(w).enumerate() {
                    let k = k0 + i;
                    let mut written = false;
                    for (j, sj) in s_m_powers.iter().enumerate() {
                        let r = k + j * m;
                        if r >= d {
                            break;
                        }
                        mul_const_rows(isa, row, self.low.row(r), *sj * sk, written);
                        written = true;
                    }
                    if let (Some(u), Some(f)) = (&self.blind, blind_scale) {
                        if k < u.height() {
                            mul_const_rows(isa, row, u.row(k), f * sk, written);
                            written = true;
                        }
                    }
                    if !written {
                        row.fill(F::ZERO);
                    }
                    sk *= s;
                }
            });
        dft.dft_batch_bitrev(RowMajorMatrix::new(values, w))
    }

    /// Blocks `cs` of 2^`log_block` rows each (as [`Poly::block_into`] gives them) from one pass
    /// over the coefficients: for the few small blocks a query opens, folding all n
    /// coefficients into each block (n multiply-adds per column and block) costs far less
    /// than transforming and hashing the whole block of the commitment that holds it.
    pub fn blocks_at(
        &self,
        dft: &Radix2Dft,
        log_block: usize,
        cs: &[usize],
    ) -> Vec<RowMajorMatrix<F>> {
        let m = 1usize << log_block;
        let w = self.width();
        let d = self.low.height();
        let log_blocks = self.log_lde - log_block;
        let omega = F::two_adic_generator(self.log_lde);
        let shifts: Vec<F> = cs
            .iter()
            .map(|&c| F::GENERATOR * omega.pow(reverse_bits_len(c, log_blocks) as u64))
            .collect();
        // Row r of the coefficients adds s^r·low[r] to row r mod m of block s's fold (the
        // block is the coset s·H_m, where x^m = s^m). Rows are taken a cache-sized run at a
        // time, each run folded into every block; each thread keeps its own sums.
        const RUN: usize = 64;
        let isa = dft.isa();
        let mut sums = self
            .low
            .values
            .par_chunks(ROWS * w)
            .enumerate()
            .fold(
                || vec![F::ZERO; cs.len() * m * w],
                |mut acc, (b, chunk)| {
                    let mut pw: Vec<F> = shifts.iter().map(|s| s.pow((b * ROWS) as u64)).collect();
                    for (i, run) in chunk.chunks(RUN * w).enumerate() {
                        let r0 = b * ROWS + i * RUN;
                        for ((sum, s), p) in acc.chunks_exact_mut(m * w).zip(&shifts).zip(&mut pw) {
                            for (j, row) in run.chunks_exact(w).enumerate() {
                                let at = ((r0 + j) & (m - 1)) * w;
                                mul_const_rows(isa, &mut sum[at..at + w], row, *p, true);
                                *p *= *s;
                            }
                        }
                    }
                    acc
                },
            )
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += *y);
                a
            })
            .unwrap_or_else(|| vec![F::ZERO; cs.len() * m * w]);
        // P = low + (x^D − 1)·U is low + (s^D − 1)·U on the block (m divides D).
        if let Some(u) = &self.blind {
            assert!(
                d.is_multiple_of(m),
                "a blinded polynomial needs the block to divide D"
            );
            for (sum, s) in sums.chunks_exact_mut(m * w).zip(&shifts) {
                let f = s.pow(d as u64) - F::ONE;
                let mut p = f;
                for (r, row) in u.rows().enumerate() {
                    let at = (r & (m - 1)) * w;
                    mul_const_rows(isa, &mut sum[at..at + w], row, p, true);
                    p *= *s;
                }
            }
        }
        sums.chunks_exact(m * w)
            .map(|sum| dft.dft_batch_bitrev(RowMajorMatrix::new(sum.to_vec(), w)))
            .collect()
    }

    /// Every column at the extension point `z`.
    pub fn eval(&self, z: E) -> Vec<E> {
        let mut v = eval_coeff_columns(&self.low, z);
        if let Some(u) = &self.blind {
            let f = z.pow(self.low.height() as u64) - E::ONE;
            for (a, b) in v.iter_mut().zip(eval_coeff_columns(u, z)) {
                *a += f * b;
            }
        }
        v
    }

    /// `acc[k] += Σ_c powers[c]·P_c[k]` over the columns' coefficients (acc must hold
    /// [`Poly::len`] of them).
    pub fn combine_into(&self, acc: &mut [E], powers: &[E]) {
        add_combination(acc, &self.low, powers, E::ONE);
        if let Some(u) = &self.blind {
            let d = self.low.height();
            add_combination(&mut acc[..u.height()], u, powers, -E::ONE);
            add_combination(&mut acc[d..d + u.height()], u, powers, E::ONE);
        }
    }
}

/// `acc[k] += sign · Σ_c powers[c]·m[k][c]` for every row k of `m`.
fn add_combination(acc: &mut [E], m: &RowMajorMatrix<F>, powers: &[E], sign: E) {
    let w = m.width;
    acc[..m.height()]
        .par_chunks_mut(ROWS)
        .zip(m.values.par_chunks(ROWS * w))
        .for_each(|(acc, rows)| {
            for (a, row) in acc.iter_mut().zip(rows.chunks_exact(w)) {
                // Unreduced coordinate sums, one reduction per row instead of per product.
                let mut s = WideExt::default();
                for (p, x) in powers.iter().zip(row) {
                    s.add_product(p, *x);
                }
                *a += sign * s.reduce();
            }
        });
}

/// Each column of `coeffs` (a polynomial, coefficients lowest first) evaluated at `z`.
pub(super) fn eval_coeff_columns(coeffs: &RowMajorMatrix<F>, z: E) -> Vec<E> {
    let w = coeffs.width;
    let isa = crate::ntt::Isa::detect();
    coeffs
        .values
        .par_chunks(ROWS * w)
        .enumerate()
        .map(|(b, block)| {
            // Σ_k z^k·row_k, coordinate by coordinate: (z^k·x)_j = (z^k)_j·x for base x, so
            // each row adds to the four coordinate sums with one vector multiply-add pass.
            let mut pw = z.pow((b * ROWS) as u64);
            let mut acc = vec![F::ZERO; 4 * w];
            for row in block.chunks_exact(w) {
                for (sum, p) in acc.chunks_exact_mut(w).zip(pw.coeffs()) {
                    mul_const_rows(isa, sum, row, p, true);
                }
                pw *= z;
            }
            (0..w)
                .map(|c| E::new([acc[c], acc[w + c], acc[2 * w + c], acc[3 * w + c]]))
                .collect::<Vec<E>>()
        })
        .reduce(
            || vec![E::ZERO; w],
            |a, b| a.iter().zip(&b).map(|(x, y)| *x + *y).collect(),
        )
}

/// Extension coefficients as four base coordinate columns.
pub(super) fn ext_to_base_rows(v: &[E]) -> RowMajorMatrix<F> {
    let flat: Vec<F> = v
        .par_iter()
        .flat_map_iter(|x| x.as_base_slice().iter().copied())
        .collect();
    RowMajorMatrix::new(flat, 4)
}
