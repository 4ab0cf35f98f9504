//! The logUp auxiliary trace: each row's interaction terms summed per column group, and
//! the running sum that closes the table's bus contribution.

use rayon::prelude::*;

use super::prover::{par_batch_inverse, ProveError};
use super::E;
use crate::air::F;
use crate::field::{ExtensionField, Field};
use crate::matrix::RowMajorMatrix;

/// Rows of logUp terms handled at once: bounds the memory of the terms and their inverses.
const LOGUP_ROWS: usize = 1 << 14;

/// The logUp auxiliary trace (base coordinates, width 4·(k+1)) and the table's sum, from
/// `terms(rows)`: the `(fingerprint, ±multiplicity)` of each interaction of those rows,
/// row-major, k per row.
pub(super) fn logup_trace(
    terms: impl Fn(std::ops::Range<usize>) -> Vec<(E, F)>,
    n: usize,
    groups: &[usize],
) -> Result<(RowMajorMatrix<F>, E), ProveError> {
    let k = groups.len();
    let ng = super::num_groups(groups);
    let w = 4 * (ng + 1);
    let mut values = vec![F::ZERO; n * w];
    let mut running = E::ZERO;
    for (b, out) in values.chunks_mut(LOGUP_ROWS * w).enumerate() {
        let rows = b * LOGUP_ROWS..b * LOGUP_ROWS + out.len() / w;
        let terms = terms(rows);
        debug_assert_eq!(terms.len(), out.len() / w * k);
        let fps: Vec<E> = terms.par_iter().map(|t| t.0).collect();
        if fps.iter().any(|f| f.is_zero()) {
            return Err(ProveError::ZeroFingerprint);
        }
        let inv = par_batch_inverse(&fps);
        drop(fps);
        // Each row's h columns, and its total where the running sum goes; then the sums.
        out.par_chunks_mut(w)
            .zip(inv.par_chunks(k).zip(terms.par_chunks(k)))
            .for_each_init(
                || vec![E::ZERO; ng],
                |h, (row, (inv, terms))| {
                    h.fill(E::ZERO);
                    for ((g, i), t) in groups.iter().zip(inv).zip(terms) {
                        h[*g] += *i * t.1;
                    }
                    let total: E = h.iter().copied().sum();
                    for (dst, x) in row.chunks_exact_mut(4).zip(h.iter().chain([&total])) {
                        dst.copy_from_slice(x.as_base_slice());
                    }
                },
            );
        for row in out.chunks_exact_mut(w) {
            let at = &mut row[4 * ng..];
            running += E::from_base_slice(at);
            at.copy_from_slice(running.as_base_slice());
        }
    }
    Ok((RowMajorMatrix::new(values, w), running))
}
