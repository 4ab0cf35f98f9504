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

/// The logUp auxiliary trace and the table's sum σ, from `terms(rows)`: the
/// `(fingerprint, ±multiplicity)` of each interaction of those rows, row-major, per row one
/// per entry of `groups`.
///
/// Base coordinates, width 4·k for k groups: the h columns of groups 0 … k−2, then the
/// running sum s with s₀ = 0 and s_{i+1} = s_i + Σ_g h_g(i) − σ/n, which returns to 0 after
/// the last row. The last group's h is not committed: the constraints read it as
/// `s' − s − Σ_{g<k−1} h_g + σ/n` (`docs/stark.md`, "Lookups").
pub(super) fn logup_trace(
    terms: impl Fn(std::ops::Range<usize>) -> Vec<(E, F)>,
    n: usize,
    groups: &[usize],
) -> Result<(RowMajorMatrix<F>, E), ProveError> {
    let k = groups.len();
    let ng = super::num_groups(groups);
    assert!(ng > 0, "a logUp trace needs an interaction");
    let w = 4 * ng;
    let mut values = vec![F::ZERO; n * w];
    let mut sigma = E::ZERO;
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
        // Each row's committed h columns, and its total where the running sum goes.
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
                    for (dst, x) in row
                        .chunks_exact_mut(4)
                        .zip(h[..ng - 1].iter().chain([&total]))
                    {
                        dst.copy_from_slice(x.as_base_slice());
                    }
                },
            );
        for row in out.chunks_exact(w) {
            sigma += E::from_base_slice(&row[w - 4..]);
        }
    }
    // The running sum: each row's total replaced by the sum of the totals before it, less
    // σ/n per row.
    let step = sigma * super::inv_height(n.trailing_zeros() as usize);
    let mut running = E::ZERO;
    for row in values.chunks_exact_mut(w) {
        let at = &mut row[w - 4..];
        let total = E::from_base_slice(at);
        at.copy_from_slice(running.as_base_slice());
        running += total - step;
    }
    debug_assert!(running.is_zero(), "the running sum closes");
    Ok((RowMajorMatrix::new(values, w), sigma))
}
