//! Where a proof's columns live and how the DEEP step groups them: shared by the prover and
//! the verifier, which must agree on it exactly (spec: `docs/stark.md`, "Protocol").

use super::E;
use crate::air::F;
use crate::field::{Field, TwoAdicField};

/// How a group's quotient q is cut into committed chunks: `q = Σ_j x^(j·len) q_j`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct QuotientShape {
    /// Coefficients per chunk (the last chunk may hold up to `rows`).
    pub len: usize,
    /// Number of chunks.
    pub count: usize,
    /// Coefficients of each committed chunk polynomial (its degree bound): n, or 2n with
    /// zero-knowledge.
    pub rows: usize,
}

/// The quotient chunks of a group of tables of 2^`log_n` rows whose largest constraint
/// degree is `max_degree`; `zk_blind` is the number of random coefficients k of each
/// committed trace polynomial's randomizer under zero-knowledge (`None` without it).
///
/// Without zero-knowledge the trace polynomials have degree < n and q degree < (d−1)·n:
/// d − 1 chunks of n coefficients. With it the honest trace polynomials have n + k
/// coefficients, so q has degree ≤ d·(n + k − 1) − n; chunks hold 2n − k coefficients each
/// (the last up to 2n) and are blinded by random polynomials of k coefficients
/// (`docs/stark.md`, "Zero-knowledge"), so every committed chunk has degree < 2n, the trace
/// polynomials' bound: two chunks for degree 3 or 4, one for degree 2.
pub(super) fn quotient_shape(
    max_degree: usize,
    log_n: usize,
    zk_blind: Option<usize>,
) -> QuotientShape {
    let d = max_degree.max(2);
    let n = 1usize << log_n;
    match zk_blind {
        None => QuotientShape {
            len: n,
            count: d - 1,
            rows: n,
        },
        Some(k) => {
            // Tables shorter than k are refused (`StarkConfig::zk_shortfall`); the shape stays
            // well defined for them.
            let len = (2 * n).saturating_sub(k).max(1);
            let coeffs = (d * (n + k - 1)).saturating_sub(n) + 1;
            let count = if coeffs <= 2 * n {
                1
            } else {
                1 + (coeffs - 2 * n).div_ceil(len)
            };
            QuotientShape {
                len,
                count,
                rows: 2 * n,
            }
        }
    }
}

/// Each group's [`QuotientShape`] (by its tables' largest degree), in group order.
pub(super) fn quotient_shapes(
    layout: &Layout,
    tables: &[&dyn super::Table],
    zk_blind: Option<usize>,
) -> Vec<QuotientShape> {
    layout
        .groups
        .iter()
        .map(|g| {
            let d = g.two_point.iter().map(|&t| tables[t].max_degree()).max();
            quotient_shape(d.unwrap_or(2), g.log_n, zk_blind)
        })
        .collect()
}

/// Group `g`'s quotient-chunk openings (four coordinates per chunk) in the concatenation of
/// all groups' (`StarkProof::quotient_opened`).
pub(super) fn quotient_slice<'a>(all: &'a [E], shapes: &[QuotientShape], g: usize) -> &'a [E] {
    let start: usize = shapes[..g].iter().map(|s| 4 * s.count).sum();
    &all[start..start + 4 * shapes[g].count]
}

/// The smallest blowup that holds a table's quotient: its evaluation domain (the trace LDE,
/// of n·blowup points, or 2n·blowup with zero-knowledge) must exceed its degree bound.
pub(super) fn blowup_needed(max_degree: usize, zk: bool) -> usize {
    let d = max_degree.max(2);
    if zk {
        d
    } else {
        d - 1
    }
}

/// One FRI input: every column whose LDE has this height.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DeepGroup {
    /// log₂ of the LDE height.
    pub log_lde: usize,
    /// Tables whose preprocessed, main and aux LDEs have this height (opened at ζ, and at ζω
    /// where the AIR reads the next row); their quotient is the group's.
    pub two_point: Vec<usize>,
    /// log₂ of the trace height of the group's tables (they all share it: the LDE height
    /// is 2^(log n + blowup + zk)), for ζω and for the group's quotient.
    pub log_n: usize,
}

/// The heights of a proof's committed columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Layout {
    /// Zero-knowledge: traces doubled with random rows, quotient chunks blinded, one mask
    /// polynomial per group.
    pub zk: bool,
    /// log₂ of the FRI blowup.
    pub log_blowup: usize,
    /// log₂ of each table's trace height n.
    pub log_heights: Vec<usize>,
    /// The FRI inputs, tallest first.
    pub groups: Vec<DeepGroup>,
}

impl Layout {
    /// The layout for tables of heights `2^log_heights`.
    pub fn new(log_heights: &[usize], log_blowup: usize, zk: bool) -> Self {
        let zb = zk as usize;
        let trace = |t: usize| log_heights[t] + log_blowup + zb;
        let mut hs: Vec<usize> = (0..log_heights.len()).map(trace).collect();
        hs.sort_unstable_by(|a, b| b.cmp(a));
        hs.dedup();
        let groups = hs
            .into_iter()
            .map(|h| {
                let two_point: Vec<usize> =
                    (0..log_heights.len()).filter(|&t| trace(t) == h).collect();
                DeepGroup {
                    log_lde: h,
                    log_n: h - log_blowup - zb,
                    two_point,
                }
            })
            .collect();
        Layout {
            zk,
            log_blowup,
            log_heights: log_heights.to_vec(),
            groups,
        }
    }

    /// log₂ of the number of coefficients of table `t`'s committed trace polynomials (n, or
    /// 2n with zero-knowledge).
    pub fn log_trace_poly(&self, t: usize) -> usize {
        self.log_heights[t] + self.zk as usize
    }

    /// log₂ of the height of table `t`'s preprocessed, main and aux LDEs.
    pub fn log_trace_lde(&self, t: usize) -> usize {
        self.log_trace_poly(t) + self.log_blowup
    }

    /// The FRI input heights (log₂), tallest first.
    pub fn fri_heights(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.log_lde).collect()
    }
}

/// The opened values of one group combined with the DEEP powers.
///
/// The group's columns take powers γ⁰, γ¹, … in DEEP order; the ζω term, over the columns
/// opened at ζω only, is scaled by γ^M where M counts all columns:
/// `D(x) = (A(x) − A(ζ))/(x − ζ) + γ^M·(B(x) − B(ζω))/(x − ζω)`, A = Σ γ^c f_c over all
/// columns, B over those opened at ζω.
pub(super) struct DeepSums {
    /// A(ζ) = Σ γ^c v_c(ζ) over all columns.
    pub at_zeta: E,
    /// B(ζω) = Σ γ^c v_c(ζω) over the columns opened at ζω.
    pub at_zeta_next: E,
    /// γ^M.
    pub alpha_m: E,
}

/// Which columns of a run are opened at ζω.
#[derive(Clone, Copy, Debug)]
pub(super) enum NextCols<'a> {
    /// The last this many columns (logUp columns: the running sum s, four coordinates, is
    /// the only one the constraints read in the next row).
    Last(usize),
    /// These (indices into the run, ascending); none for quotient chunks and masks.
    Some(&'a [usize]),
}

impl NextCols<'_> {
    /// The run's columns opened at ζω (ascending), for a run of `width` columns.
    pub fn columns(&self, width: usize) -> Vec<usize> {
        match self {
            NextCols::Last(n) => (width.saturating_sub(*n)..width).collect(),
            NextCols::Some(cols) => cols.to_vec(),
        }
    }

    /// Whether the run's column `c` is opened at ζω.
    fn mask(&self, width: usize) -> Vec<bool> {
        let mut m = vec![false; width];
        self.columns(width).iter().for_each(|&c| m[c] = true);
        m
    }
}

/// A run of a group's columns in DEEP order: their values at ζ, which of them are opened at
/// ζω, and those values (in column order).
pub(super) struct DeepRun<'a> {
    pub local: &'a [E],
    pub next_cols: NextCols<'a>,
    pub next: &'a [E],
}

/// A table's three runs in DEEP order — preprocessed, main, aux — from its openings and the
/// preprocessed and main columns it opens at ζω (of the aux columns, only the running sum
/// s, the last four). The prover and the verifier both list them this way, so the order
/// lives in one place.
pub(super) fn table_runs<'a>(
    o: &'a super::proof::TableOpenings,
    next_prep: &'a [usize],
    next_main: &'a [usize],
) -> [DeepRun<'a>; 3] {
    [
        DeepRun {
            local: &o.prep_local,
            next_cols: NextCols::Some(next_prep),
            next: &o.prep_next,
        },
        DeepRun {
            local: &o.main_local,
            next_cols: NextCols::Some(next_main),
            next: &o.main_next,
        },
        DeepRun {
            local: &o.aux_local,
            next_cols: AUX_NEXT,
            next: &o.aux_next,
        },
    ]
}

/// The aux columns opened at ζω: the running sum's four coordinates, the last columns.
pub(super) const AUX_NEXT: NextCols<'static> = NextCols::Last(4);

/// Combine the opened values of a group's runs (in DEEP order).
pub(super) fn deep_sums(runs: &[DeepRun<'_>], alpha: E) -> DeepSums {
    let mut p = E::ONE;
    let mut at_zeta = E::ZERO;
    let mut at_zeta_next = E::ZERO;
    for r in runs {
        let mut next = r.next.iter();
        for (a, is_next) in r.local.iter().zip(r.next_cols.mask(r.local.len())) {
            at_zeta += p * *a;
            if is_next {
                // The shapes were checked: one value per opened column.
                at_zeta_next += p * *next.next().expect("a ζω value per column");
            }
            p *= alpha;
        }
    }
    DeepSums {
        at_zeta,
        at_zeta_next,
        alpha_m: p,
    }
}

/// (B(x), A(x) − B(x)) of [`DeepSums`] at one LDE point from the group's opened rows, each
/// with the columns of it opened at ζω, in DEEP order; `powers[c]` = γ^c for at least as
/// many columns.
pub(super) fn deep_row_sums(rows: &[(&[F], NextCols<'_>)], powers: &[E]) -> (E, E) {
    let mut p = powers.iter();
    let mut next_sum = E::ZERO;
    let mut rest_sum = E::ZERO;
    for (row, next_cols) in rows {
        for ((v, a), is_next) in row.iter().zip(&mut p).zip(next_cols.mask(row.len())) {
            if is_next {
                next_sum += *a * *v;
            } else {
                rest_sum += *a * *v;
            }
        }
    }
    (next_sum, rest_sum)
}

/// The DEEP value at a point x from its row sums (`two` = B(x), `one` = A(x) − B(x)):
/// `inv_z` = 1/(x − ζ) and `scaled_inv_zn` = γ^M/(x − ζω).
pub(super) fn deep_value(sums: &DeepSums, two: E, one: E, inv_z: E, scaled_inv_zn: Option<E>) -> E {
    let mut v = (two + one - sums.at_zeta) * inv_z;
    if let Some(s) = scaled_inv_zn {
        v += (two - sums.at_zeta_next) * s;
    }
    v
}

/// γ⁰ … γ^(n−1).
pub(super) fn powers_of(alpha: E, n: usize) -> Vec<E> {
    let mut out = Vec::with_capacity(n);
    let mut p = E::ONE;
    for _ in 0..n {
        out.push(p);
        p *= alpha;
    }
    out
}

/// ζ·ω_n for a group whose two-point tables have 2^log_n rows.
pub(super) fn next_point(zeta: E, log_n: usize) -> E {
    zeta * F::two_adic_generator(log_n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_lde_height() {
        // Tables of 2^3 and 2^4 rows, blowup 4.
        let plain = Layout::new(&[3, 4], 2, false);
        assert_eq!(plain.fri_heights(), [6, 5]);
        assert_eq!(plain.groups[0].two_point, [1]);
        assert_eq!(plain.groups[1].log_n, 3);
        // With zero-knowledge everything of a table sits at 2n·4.
        let zk = Layout::new(&[3, 4, 3], 2, true);
        assert_eq!(zk.fri_heights(), [7, 6]);
        assert_eq!(zk.groups[0].two_point, [1]);
        assert_eq!(zk.groups[0].log_n, 4);
        assert_eq!(zk.groups[1].two_point, [0, 2]);
        assert_eq!(zk.log_trace_lde(0), 6);
        assert_eq!(zk.log_trace_poly(0), 4);
        assert_eq!(quotient_shape(3, 4, None).count, 2);
        assert_eq!(quotient_shape(1, 4, None).count, 1);
        assert_eq!((blowup_needed(4, true), blowup_needed(4, false)), (4, 3));
    }
}
