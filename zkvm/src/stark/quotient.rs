//! The quotient of a table: its constraints combined by α, divided by the vanishing
//! polynomial on the LDE coset, interpolated and cut into (blinded) chunks.

use rayon::prelude::*;

use super::layout::{Layout, QuotientShape};
use super::poly::Poly;
use super::prover::{lde_points_bitrev, par_batch_inverse, ProveError};
use super::{LogUpRow, LookupChallenges, PackedLogUpRow, PackedScratch, ShoupExt, Table, E};
use crate::air::window::Window;
use crate::air::F;
use crate::field::packed::LANES;
use crate::field::{
    batch_inverse, ExtensionField, Field, PackedBabyBear, PackedExt4, TwoAdicField,
};
use crate::matrix::RowMajorMatrix;
use crate::mmcs::ProverRng;
use crate::ntt::{Dft, Radix2Dft};
use crate::util::reverse_bits_len;

/// What a table's quotient is computed from, besides the table itself.
pub(super) struct QuotientInputs<'a> {
    /// The main polynomials (with the blinding columns last, if `blinded`).
    pub main: &'a Poly,
    /// The preprocessed LDE (bit-reversed, at the trace LDE height).
    pub prep: Option<&'a RowMajorMatrix<F>>,
    pub aux: Option<&'a Poly>,
    pub public: &'a [F],
    pub lookup: &'a LookupChallenges,
    /// The table's claimed sum over its height, σ/n (the running sum's step).
    pub sum_step: E,
    /// The main LDE ends with the table's blinding columns.
    pub blinded: bool,
    pub alpha: E,
}

/// The quotient of table `t`, q = C/Z_H: its coefficients, lowest first, four coordinates
/// each (as many as the evaluation coset has points; [`cut_quotient`] makes the chunks).
///
/// q is evaluated on the trace LDE coset, block by block (each block a coset of H_n, which
/// holds every point's next point), and interpolated.
pub(super) fn quotient(
    dft: &Radix2Dft,
    table: &dyn Table,
    layout: &Layout,
    t: usize,
    inputs: QuotientInputs<'_>,
    strict_degree: bool,
) -> Result<Vec<F>, ProveError> {
    let QuotientInputs {
        main,
        prep,
        aux,
        public,
        lookup,
        sum_step,
        blinded,
        alpha,
    } = inputs;
    let log_n = layout.log_heights[t];
    let n = 1usize << log_n;
    let log_lde = layout.log_trace_lde(t);
    let big_n = 1usize << log_lde;
    let d = table.max_degree().max(2);
    let big_d = main.len().max(aux.map_or(0, Poly::len));
    let (honest_bound, log_eval) = quotient_domain(d, big_d, log_n, log_lde);
    let eval_n = 1usize << log_eval;
    // LDE points per trace row: the next row of natural index e is e + step.
    let log_step = log_lde - log_n;
    let step = 1usize << log_step;
    let omega_n = F::two_adic_generator(log_n);
    let n_f = F::from_u64(n as u64);
    let omega_n_inv = omega_n.inverse();
    // xⁿ − 1 takes only `step` values on the coset: xᵢⁿ = gⁿ·ω_step^(rev(i) mod step).
    let g_n = F::GENERATOR.pow(n as u64);
    let omega_step = F::two_adic_generator(log_step);
    let zeroifier: Vec<F> = (0..step)
        .map(|e| g_n * omega_step.pow(e as u64) - F::ONE)
        .collect();
    let inv_zeroifier = batch_inverse(&zeroifier);
    let b_powers = lookup.powers(super::PRECOMPUTED_POWERS);
    let empty: [F; 0] = [];
    // α^(K−1−i) for the K constraints, so each row's sum needs no extension products.
    let groups = super::aux_groups(table, public, blinded);
    let w = table.width();
    let k_total = super::constraint_count(table, public, blinded);
    let mut alpha_powers = vec![E::ONE; k_total];
    for i in (0..k_total.saturating_sub(1)).rev() {
        alpha_powers[i] = alpha_powers[i + 1] * alpha;
    }

    // Blocks of n rows: cosets of H_n, so the next row of each point is in its block.
    let log_block = log_n;
    let m = 1usize << log_block;
    // The first e points of the bit-reversed LDE: g·H_e, itself in bit-reversed order.
    let all_xs = lde_points_bitrev(log_eval);
    let mut values: Vec<E> = Vec::with_capacity(eval_n);
    let (mut main_spent, mut aux_spent) = (Vec::new(), Vec::new());
    for c in 0..eval_n / m {
        let base = c * m;
        let main_blk = main.block_into(dft, log_block, c, std::mem::take(&mut main_spent));
        let aux_blk = aux.map(|a| a.block_into(dft, log_block, c, std::mem::take(&mut aux_spent)));
        let xs = &all_xs[base..base + m];
        let inv_first = par_batch_inverse(
            &xs.par_iter()
                .map(|&x| (x - F::ONE) * n_f)
                .collect::<Vec<_>>(),
        );
        let inv_last = par_batch_inverse(
            &xs.par_iter()
                .map(|&x| (x * omega_n - F::ONE) * n_f)
                .collect::<Vec<_>>(),
        );
        let block_values: Vec<E> = if m >= LANES {
            // LANES points at a time: the AIR is interpreted once per packed row.
            let main_w = main.width();
            let prep_w = prep.map_or(0, |p| p.width);
            let aux_w = aux.map_or(0, |a| a.width() / 4);
            let isa = crate::ntt::Isa::detect();
            let alpha_shoup: Vec<ShoupExt> = alpha_powers.iter().map(ShoupExt::new).collect();
            let b_shoup: Vec<ShoupExt> = b_powers.iter().map(ShoupExt::new).collect();
            (0..m / LANES)
                .into_par_iter()
                .map_init(
                    || PackedRows::new(main_w, prep_w, aux_w),
                    |rows, chunk| {
                        let r0 = chunk * LANES;
                        let mut es = [0usize; LANES];
                        for (l, e) in es.iter_mut().enumerate() {
                            let (r, i) = (r0 + l, base + r0 + l);
                            let natural = reverse_bits_len(i, log_lde);
                            *e = natural & (step - 1);
                            let j = reverse_bits_len((natural + step) % big_n, log_lde);
                            debug_assert_eq!(j / m, c);
                            rows.gather(l, main_blk.row(r), main_blk.row(j - base));
                            if let Some(p) = prep {
                                rows.gather_prep(l, p.row(i), p.row(j));
                            }
                            if let Some(a) = &aux_blk {
                                rows.gather_aux(l, a.row(r), a.row(j - base));
                            }
                        }
                        let z = |l: usize| zeroifier[es[l]];
                        let (local, blinding) = rows.local.split_at(w);
                        let window = Window {
                            local,
                            next: &rows.next[..w],
                            prep_local: &rows.prep_local,
                            prep_next: &rows.prep_next,
                            public,
                            first: PackedBabyBear::from_fn(|l| z(l) * inv_first[r0 + l]),
                            last: PackedBabyBear::from_fn(|l| z(l) * inv_last[r0 + l]),
                            transition: PackedBabyBear::from_fn(|l| xs[r0 + l] - omega_n_inv),
                        };
                        let logup = PackedLogUpRow {
                            local: &rows.aux_local,
                            next: &rows.aux_next,
                            lookup,
                            sum_step,
                            blinding,
                            groups: &groups,
                            b_powers: &b_powers,
                            isa,
                            alpha_shoup: &alpha_shoup,
                            b_shoup: &b_shoup,
                        };
                        let acc =
                            table.eval_lde_packed(window, &logup, &alpha_powers, &mut rows.scratch);
                        let out: [E; LANES] =
                            core::array::from_fn(|l| acc.lane(l) * inv_zeroifier[es[l]]);
                        out
                    },
                )
                .flat_map_iter(|out| out)
                .collect()
        } else {
            (0..m)
                .into_par_iter()
                .map_init(
                    || (Vec::new(), Vec::new(), Vec::with_capacity(128)),
                    |(aux_local, aux_next, scratch): &mut (Vec<E>, Vec<E>, Vec<(E, E)>), r| {
                        let i = base + r;
                        let x = xs[r];
                        let e = reverse_bits_len(i, log_lde) & (step - 1);
                        let z = zeroifier[e];
                        let j = reverse_bits_len(
                            (reverse_bits_len(i, log_lde) + step) % big_n,
                            log_lde,
                        );
                        debug_assert_eq!(j / m, c);
                        let jr = j - base;
                        let aux_row = |out: &mut Vec<E>, r: usize| {
                            out.clear();
                            if let Some(a) = &aux_blk {
                                out.extend(a.row(r).chunks_exact(4).map(E::from_base_slice));
                            }
                        };
                        aux_row(aux_local, r);
                        aux_row(aux_next, jr);
                        // The blinding columns, if any, follow the table's own.
                        let (local, blinding) = main_blk.row(r).split_at(w);
                        let window = Window {
                            local,
                            next: &main_blk.row(jr)[..w],
                            prep_local: prep.map_or(&empty[..], |p| p.row(i)),
                            prep_next: prep.map_or(&empty[..], |p| p.row(j)),
                            public,
                            first: z * inv_first[r],
                            last: z * inv_last[r],
                            transition: x - omega_n_inv,
                        };
                        let logup = LogUpRow {
                            local: aux_local,
                            next: aux_next,
                            lookup,
                            sum_step,
                            blinding,
                            groups: &groups,
                            b_powers: &b_powers,
                        };
                        table.eval_lde_row(window, &logup, &alpha_powers, scratch)
                            * inv_zeroifier[e]
                    },
                )
                .collect()
        };
        values.extend(block_values);
        main_spent = main_blk.values;
        if let Some(a) = aux_blk {
            aux_spent = a.values;
        }
    }
    drop(all_xs);

    // Coefficients of q: undo the bit reversal (the first e rows of the bit-reversed LDE
    // are g·H_e in its own bit-reversed order), interpolate on g·H_e, unscale by g^k.
    let mut natural = values;
    crate::util::reverse_slice_index_bits(&mut natural);
    let flat: Vec<F> = natural
        .par_iter()
        .flat_map_iter(|v| v.as_base_slice().iter().copied())
        .collect();
    let mut coeffs = dft.idft_batch(RowMajorMatrix::new(flat, 4)).values;
    const ROWS: usize = 4096;
    let g_inv = F::GENERATOR.inverse();
    coeffs
        .par_chunks_mut(4 * ROWS)
        .enumerate()
        .for_each(|(b, block)| {
            let mut scale = g_inv.pow((b * ROWS) as u64);
            for row in block.chunks_exact_mut(4) {
                row.iter_mut().for_each(|x| *x *= scale);
                scale *= g_inv;
            }
        });
    // An AIR whose constraints exceed its declared degree gives a q above the bound, whose
    // excess folds onto the coefficients between the bound and e: nonzero there means the
    // declaration is wrong. (The chunks hold all of the honest q; a cheating prover's excess
    // beyond them is cut off by `cut_quotient`.)
    let excess = coeffs.get(4 * (honest_bound + 1)..).unwrap_or(&[]);
    if strict_degree && excess.iter().any(|c| !c.is_zero()) {
        return Err(ProveError::DegreeTooHigh(table.name()));
    }
    Ok(coeffs)
}

/// Cut a group's quotient q (coefficients lowest first, four coordinates each) into the
/// committed chunks of `shape`: row k of chunk c is q's coefficient c·len + k (the last
/// chunk takes the rest, up to `shape.rows`). With `blind` (zero-knowledge) chunk j is then
/// masked by a random polynomial b_j of `rows − len` coefficients:
/// q'_0 = q_0 + x^len b_0, q'_j = q_j − b_(j−1) + x^len b_j, q'_last = q_last − b_(last−1),
/// so Σ_j x^(j·len) q'_j = q still, and each chunk has degree < `rows`.
pub(super) fn cut_quotient(
    coeffs: &[F],
    shape: QuotientShape,
    blind: Option<&mut ProverRng>,
) -> RowMajorMatrix<F> {
    let QuotientShape { len, count, rows } = shape;
    let width = 4 * count;
    let mut chunk_coeffs = vec![F::ZERO; rows * width];
    chunk_coeffs
        .par_chunks_mut(width)
        .enumerate()
        .for_each(|(k, row)| {
            for c in 0..count {
                if k >= len && c + 1 < count {
                    continue;
                }
                let at = 4 * (c * len + k);
                if at < coeffs.len() {
                    row[4 * c..4 * c + 4].copy_from_slice(&coeffs[at..at + 4]);
                }
            }
        });
    if let Some(rng) = blind {
        let k_b = rows - len;
        let bs: Vec<RowMajorMatrix<F>> = (0..count - 1).map(|_| rng.matrix(k_b, 4)).collect();
        // b_j is added to rows len … rows − 1 of chunk j (zero until then) and subtracted
        // from the first k_b rows of chunk j + 1 (ranges that overlap when k_b > len).
        for (j, b) in bs.iter().enumerate() {
            for k in 0..k_b {
                for (i, x) in b.row(k).iter().enumerate() {
                    chunk_coeffs[(len + k) * width + 4 * j + i] += *x;
                    chunk_coeffs[k * width + 4 * (j + 1) + i] -= *x;
                }
            }
        }
    }
    RowMajorMatrix::new(chunk_coeffs, width)
}

/// One thread's packed rows for the quotient: [`LANES`] points' main, preprocessed and aux
/// rows (this row and the next), transposed so lane l of column c is point l's value.
struct PackedRows {
    local: Vec<PackedBabyBear>,
    next: Vec<PackedBabyBear>,
    prep_local: Vec<PackedBabyBear>,
    prep_next: Vec<PackedBabyBear>,
    aux_local: Vec<PackedExt4>,
    aux_next: Vec<PackedExt4>,
    scratch: PackedScratch,
}

impl PackedRows {
    fn new(main: usize, prep: usize, aux: usize) -> Self {
        let base = |w: usize| vec![PackedBabyBear::default(); w];
        let ext = |w: usize| vec![PackedExt4::default(); w];
        PackedRows {
            local: base(main),
            next: base(main),
            prep_local: base(prep),
            prep_next: base(prep),
            aux_local: ext(aux),
            aux_next: ext(aux),
            scratch: PackedScratch::default(),
        }
    }

    /// Lane `l` of the main rows.
    #[inline]
    fn gather(&mut self, l: usize, local: &[F], next: &[F]) {
        set_lane(&mut self.local, l, local);
        set_lane(&mut self.next, l, next);
    }

    /// Lane `l` of the preprocessed rows.
    #[inline]
    fn gather_prep(&mut self, l: usize, local: &[F], next: &[F]) {
        set_lane(&mut self.prep_local, l, local);
        set_lane(&mut self.prep_next, l, next);
    }

    /// Lane `l` of the aux rows (four base coordinates per extension column).
    #[inline]
    fn gather_aux(&mut self, l: usize, local: &[F], next: &[F]) {
        for (dst, row) in [(&mut self.aux_local, local), (&mut self.aux_next, next)] {
            for (d, x) in dst.iter_mut().zip(row.chunks_exact(4)) {
                for (c, v) in d.c.iter_mut().zip(x) {
                    c.0[l] = *v;
                }
            }
        }
    }
}

/// Lane `l` of each packed column set from one point's row.
#[inline]
fn set_lane(dst: &mut [PackedBabyBear], l: usize, row: &[F]) {
    for (d, x) in dst.iter_mut().zip(row) {
        d.0[l] = *x;
    }
}

/// Where the prover evaluates a quotient: `(bound, log e)` for a table of 2^`log_n` rows
/// whose constraints have degree ≤ `d` in committed polynomials of at most `big_d`
/// coefficients. The quotient's degree is at most `bound` = d·(D − 1) − n; it is evaluated
/// on g·H_e, the smallest coset of at least n points with e > bound (the first e rows of the
/// bit-reversed LDE of 2^`log_lde` points), not on the whole LDE. The zk randomizer makes D
/// a little over n, not the 2n the verifier allows, so e is a half of the LDE for degree 3
/// and a quarter for degree 2: the same coefficients at a fraction of the cost.
pub(super) fn quotient_domain(
    d: usize,
    big_d: usize,
    log_n: usize,
    log_lde: usize,
) -> (usize, usize) {
    let bound = (d * (big_d - 1)).saturating_sub(1 << log_n);
    let log_e = (bound + 1)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(log_n as u32, log_lde as u32) as usize;
    (bound, log_e)
}
