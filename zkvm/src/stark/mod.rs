//! A multi-table STARK with logUp lookup buses.
//!
//! Each table is an [`Air`] with its own height (a power of two). The prover commits all main
//! traces in one mixed-height tree, draws lookup challenges, commits the logUp auxiliary
//! columns (one helper column per interaction and a running sum) with each table's claimed
//! bus sum, draws the constraint-combination challenge, commits the quotient chunks, opens
//! everything at an out-of-domain point ζ (and ζ·ω for adjacent rows), and proves the DEEP
//! quotients of all tables with one FRI proof, grouped by height. The verifier checks the
//! constraints at ζ, that every bus balances (table sums plus what the verifier computes from
//! public values), and FRI.
//!
//! With [`StarkConfig::zk`] (the default) the proof is zero-knowledge: every trace is
//! committed as a polynomial of twice its height that agrees with it on the trace domain
//! and is random elsewhere, the quotient chunks are blinded, every commitment is salted,
//! every FRI input is masked by a random polynomial, and (with two or more tables with
//! interactions) each claimed bus sum is masked by a blinding tuple on [`BLINDING_BUS`].
//! The randomness comes from a 32-byte [`Seed`], so a proof can be reproduced exactly.
//! Spec: `docs/stark.md`.

pub mod codec;
mod domain;
mod folder;
mod layout;
mod logup;
mod poly;
mod proof;
mod prover;
mod quotient;
mod seed;
#[cfg(test)]
mod tests;
mod verifier;

pub use domain::{barycentric_eval, selectors_at, Selectors};
pub use proof::{OpenedValues, QueryOpenings, StarkProof, TableOpenings, PROOF_VERSION};
pub use prover::{
    prove, prove_offloaded, prove_with_options, prove_with_stats, setup, ProveError, ProveStats,
    ProverOptions, ProvingKey,
};
pub use seed::Seed;
pub use verifier::{verify, StarkError, VerifyingKey};

use crate::air::{
    check_constraints, collect_interactions, Air, ConstraintFailure, Direction, RowInteraction, F,
};
use crate::field::{BabyBearExt4, PackedBabyBear, PackedExt4, WideExt};
use crate::fri::FriConfig;
use crate::matrix::RowMajorMatrix;

use crate::air::window::{Window, WindowBuilder};
use folder::{CountingSink, ExtInteraction, HornerSink, PackedSink, PowersSink};
pub use folder::{PackedScratch, ShoupExt};

/// The extension field challenges live in.
pub type E = BabyBearExt4;

/// Proof-system parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StarkConfig {
    /// FRI parameters; `fri.log_blowup` is also the trace LDE blowup.
    pub fri: FriConfig,
    /// Zero-knowledge: hide the witness (`docs/stark.md`, "Zero-knowledge"). Costs twice the
    /// trace LDE (quotient chunks at that height), blinding, and a mask per height; needs
    /// tall enough tables ([`StarkConfig::zk_shortfall`]).
    pub zk: bool,
}

impl StarkConfig {
    /// The default: zero-knowledge, blowup 4, folding by 16, a final polynomial of 2^7
    /// coefficients, 38 queries and 24 bits of grinding — 100 conjectured bits (`docs/stark.md`, "Security", says why these).
    pub const fn default_100_bits() -> Self {
        StarkConfig {
            fri: FriConfig {
                log_blowup: 2,
                max_log_arity: 4,
                log_final_poly_len: 7,
                num_queries: 38,
                pow_bits: 24,
            },
            zk: true,
        }
    }

    /// Cheap parameters for tests that exercise the protocol, not its security; not
    /// zero-knowledge.
    pub const fn insecure_for_tests() -> Self {
        StarkConfig {
            fri: FriConfig {
                log_blowup: 2,
                max_log_arity: 3,
                log_final_poly_len: 1,
                num_queries: 12,
                pow_bits: 2,
            },
            zk: false,
        }
    }

    /// [`StarkConfig::insecure_for_tests`] with zero-knowledge (the tallest table needs
    /// 2^[`min_zk_log_height`](StarkConfig::min_zk_log_height) = 128 rows).
    pub const fn zk_for_tests() -> Self {
        Self::insecure_for_tests().with_zk(true)
    }

    /// These parameters with zero-knowledge on or off.
    pub const fn with_zk(self, zk: bool) -> Self {
        StarkConfig { zk, ..self }
    }

    /// Conjectured security in bits.
    pub fn security_bits(&self) -> f64 {
        self.fri.conjectured_security_bits()
    }

    /// Why tables of heights `2^log_heights` are too short for a zero-knowledge proof with
    /// these parameters (`None` if they are fine, or if `zk` is off). See `docs/stark.md`,
    /// "Zero-knowledge":
    /// * a trace polynomial has n random coefficients, and is seen at ζ, ζω and, through the
    ///   rows and quotient values the queries open, at up to two points per query: every
    ///   table needs n ≥ 2·(queries + 1);
    /// * the tallest FRI input's mask has (its height / blowup) random coefficients, which
    ///   must cover every value FRI reveals: queries × Σ (layer arities) + the final
    ///   polynomial + its opening at ζ. A conservative margin: a full-degree mask already
    ///   makes FRI reveal nothing beyond the opened rows (`docs/stark.md`).
    pub fn zk_shortfall(&self, log_heights: &[usize]) -> Option<String> {
        let q = self.fri.num_queries;
        match self.zk_gap(log_heights)? {
            ZkGap::Rows { table, need } => Some(format!(
                "table {table} has 2^{} rows, fewer than the {need} rows a hiding trace needs \
                 with {q} queries",
                log_heights[table]
            )),
            ZkGap::Mask { free, revealed } => Some(format!(
                "the tallest table (2^{} rows) is too short: its FRI mask has {free} random \
                 coefficients, FRI reveals up to {revealed} values (one table alone needs \
                 2^{} rows)",
                log_heights.iter().max().unwrap(),
                self.min_zk_log_height()
            )),
        }
    }

    /// The rule [`StarkConfig::zk_shortfall`] explains, as numbers.
    fn zk_gap(&self, log_heights: &[usize]) -> Option<ZkGap> {
        if !self.zk || log_heights.is_empty() {
            return None;
        }
        let q = self.fri.num_queries;
        let need = 2 * (q + 1);
        if let Some(table) = log_heights
            .iter()
            .position(|&h| h < usize::BITS as usize && (1usize << h) < need)
        {
            return Some(ZkGap::Rows { table, need });
        }
        let heights = layout::Layout::new(log_heights, self.fri.log_blowup, true).fri_heights();
        // A shape FRI refuses is reported by the prover's own checks.
        let schedule = self.fri.schedule(&heights).ok()?;
        let revealed = q * schedule.iter().map(|a| 1usize << a).sum::<usize>()
            + self.fri.final_poly_len(&heights)
            + 1;
        let free = 1usize << (heights[0] - self.fri.log_blowup);
        (free < revealed).then_some(ZkGap::Mask { free, revealed })
    }

    /// The smallest log₂ height of a single-table proof that hides with these parameters.
    pub fn min_zk_log_height(&self) -> usize {
        let zk = self.with_zk(true);
        (1..27).find(|&k| zk.zk_gap(&[k]).is_none()).unwrap_or(27)
    }
}

/// Why tables are too short to hide (see [`StarkConfig::zk_shortfall`]).
enum ZkGap {
    /// A table has fewer rows than its random coefficients must cover.
    Rows { table: usize, need: usize },
    /// The tallest FRI input's mask has fewer coefficients than FRI reveals values.
    Mask { free: usize, revealed: usize },
}

/// Bus numbers AIRs and public interactions may use: `0 .. BUS_LIMIT`. The prover refuses,
/// and the verifier rejects, anything else, so that no statement can reach the reserved
/// [`BLINDING_BUS`].
pub const BUS_LIMIT: usize = 1 << 16;

/// The bus the STARK itself uses, in zero-knowledge proofs, to mask each table's claimed
/// sum (`docs/stark.md`, "Zero-knowledge"). Outside the AIRs' range, so no user tuple can
/// meet a blinding tuple.
pub const BLINDING_BUS: usize = BUS_LIMIT;

/// Extra main columns a blinded table commits: one base-field tuple of this length, its own
/// blinding tuple R_t on the first row and its predecessor's on the last.
pub const BLINDING_WIDTH: usize = 4;

/// Which tables carry a blinding interaction: with zero-knowledge and at least two tables
/// with interactions, every such table (with fewer, each claimed sum is fixed by the public
/// values anyway: nothing to hide).
pub(super) fn blinded_tables(zk: bool, num_interactions: &[usize]) -> Vec<bool> {
    let with = num_interactions.iter().filter(|&&k| k > 0).count();
    num_interactions
        .iter()
        .map(|&k| zk && with >= 2 && k > 0)
        .collect()
}

/// For each blinded table, the blinded table before it, cyclically (whose tuple it receives).
pub(super) fn blinding_predecessors(blinded: &[bool]) -> Vec<Option<usize>> {
    let on: Vec<usize> = (0..blinded.len()).filter(|&t| blinded[t]).collect();
    let mut prev = vec![None; blinded.len()];
    for (i, &t) in on.iter().enumerate() {
        prev[t] = Some(on[(i + on.len() - 1) % on.len()]);
    }
    prev
}

/// A value the verifier puts on a bus itself, computed from public values (for instance the
/// journal): it counts towards the balance like a table's interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicInteraction {
    /// Bus number.
    pub bus: usize,
    /// Send or receive.
    pub direction: Direction,
    /// The tuple.
    pub values: Vec<F>,
    /// Multiplicity.
    pub multiplicity: F,
}

/// The lookup challenges: a tuple (bus, v₀, v₁, …) has fingerprint `z + bus + Σ bⁱ⁺¹·vᵢ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LookupChallenges {
    /// Offset.
    pub z: E,
    /// Tuple-combination challenge.
    pub b: E,
}

impl LookupChallenges {
    /// The fingerprint of a tuple on a bus.
    pub fn fingerprint<T: Copy + Into<E>>(&self, bus: usize, values: &[T]) -> E {
        let mut acc = self.z + E::from(F::new(bus as u32));
        let mut p = self.b;
        for v in values {
            acc += p * (*v).into();
            p *= self.b;
        }
        acc
    }

    /// `b, b², …, bⁿ` (for [`LookupChallenges::fingerprint_base`]).
    pub fn powers(&self, n: usize) -> Vec<E> {
        let mut out = Vec::with_capacity(n);
        let mut p = self.b;
        for _ in 0..n {
            out.push(p);
            p *= self.b;
        }
        out
    }

    /// [`LookupChallenges::fingerprint`] of base-field values with `powers` from
    /// [`LookupChallenges::powers`]: extension-by-base products only (the prover's hot path).
    #[inline]
    pub fn fingerprint_base(&self, bus: usize, values: &[F], powers: &[E]) -> E {
        if values.len() > powers.len() {
            return self.fingerprint(bus, values);
        }
        let mut acc = WideExt::default();
        for (&v, p) in values.iter().zip(powers) {
            acc.add_product(p, v);
        }
        self.z + E::from(F::new(bus as u32)) + acc.reduce()
    }
}

/// How many powers of `b` the prover precomputes (longer tuples take the slow path).
pub(crate) const PRECOMPUTED_POWERS: usize = 64;

/// The signed contribution `±m / fingerprint` of one interaction.
fn signed<T: core::ops::Neg<Output = T>>(direction: Direction, m: T) -> T {
    match direction {
        Direction::Send => m,
        Direction::Receive => -m,
    }
}

/// An [`Air`] seen through an object-safe interface, so a proof can hold tables of
/// different types. Implemented for every `Air`; the prover and verifier call only this.
pub trait Table: Sync {
    /// Name for reports and errors.
    fn name(&self) -> String;
    /// Main width.
    fn width(&self) -> usize;
    /// Preprocessed columns, if any.
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>>;
    /// Maximum constraint degree.
    fn max_degree(&self) -> usize;
    /// Number of interactions per row.
    fn num_interactions(&self, public: &[F]) -> usize;
    /// The bus of each interaction, in declaration order.
    fn buses(&self, public: &[F]) -> Vec<usize>;
    /// The logUp column of each interaction, in declaration order (non-decreasing): adjacent
    /// interactions share a column while the batched constraint stays within
    /// [`Table::max_degree`] (`docs/stark.md`, "Lookups").
    fn interaction_groups(&self, public: &[F]) -> Vec<usize>;
    /// Number of constraints the AIR asserts (not counting the logUp ones).
    fn num_constraints(&self, public: &[F]) -> usize;
    /// Check every constraint on every row.
    fn check(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Result<(), ConstraintFailure>;
    /// Interactions of every row.
    fn interactions(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Vec<Vec<RowInteraction>>;
    /// [`Table::check`] on some rows (each with its next row).
    fn check_rows(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        rows: &[usize],
    ) -> Result<(), ConstraintFailure>;
    /// `(fingerprint, ±multiplicity)` of every interaction of the rows `rows`, row-major
    /// (the prover's logUp input; `powers` from [`LookupChallenges::powers`]).
    fn logup_terms(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        lookup: &LookupChallenges,
        powers: &[E],
        rows: std::ops::Range<usize>,
    ) -> Vec<(E, F)>;
    /// [`Table::interactions`] of some rows.
    fn row_interactions(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        rows: &[usize],
    ) -> Vec<Vec<RowInteraction>>;
    /// The α-combined constraints (the AIR's, then the logUp ones) at one LDE point;
    /// `alpha_powers[i]` = α^(K−1−i) for the K constraints in evaluation order. `scratch`
    /// holds the interactions' fingerprints; the caller reuses it across points so that no
    /// point allocates.
    fn eval_lde_row(
        &self,
        window: Window<'_, F>,
        aux: &LogUpRow<'_, F>,
        alpha_powers: &[E],
        scratch: &mut Vec<(E, E)>,
    ) -> E;
    /// [`Table::eval_lde_row`] at [`LANES`](crate::field::packed::LANES) LDE points at
    /// once, one per lane (the same values, lane by lane).
    fn eval_lde_packed(
        &self,
        window: Window<'_, PackedBabyBear>,
        aux: &PackedLogUpRow<'_>,
        alpha_powers: &[E],
        scratch: &mut PackedScratch,
    ) -> PackedExt4;
    /// The main and the preprocessed columns whose next-row value any constraint or
    /// interaction reads (ascending): only these are opened at ζω (`docs/stark.md`,
    /// "Protocol", step 5). Found by evaluating the AIR over dependency sets.
    fn next_columns(&self, public: &[F]) -> (Vec<usize>, Vec<usize>);
    /// The α-combined constraints at the out-of-domain point (Horner's rule with α).
    fn eval_ood(&self, window: Window<'_, E>, aux: &LogUpRow<'_>, alpha: E) -> E;
}

/// The logUp side of one evaluation point: the auxiliary columns of this row and the next,
/// the challenges, the table's claimed sum and its blinding columns (of type `B`: base
/// values on the prover's LDE, extension values at the verifier's out-of-domain point).
pub struct LogUpRow<'a, B = E> {
    /// Aux columns (h₀ … h_{k−2}, s) at this row.
    pub local: &'a [E],
    /// Aux columns at the next row: only the last, s, is read (the verifier has only s).
    pub next: &'a [E],
    /// The lookup challenges.
    pub lookup: &'a LookupChallenges,
    /// The table's claimed bus sum σ divided by its height n: the running sum's step.
    pub sum_step: E,
    /// The table's [`BLINDING_WIDTH`] blinding columns at this row, if it is blinded (empty
    /// otherwise): sent on [`BLINDING_BUS`] with multiplicity `is_first_row − is_last_row`.
    pub blinding: &'a [B],
    /// The logUp column of each interaction ([`aux_groups`]).
    pub groups: &'a [usize],
    /// `lookup.powers(n)` for some n (the prover passes [`PRECOMPUTED_POWERS`]; may be empty).
    pub b_powers: &'a [E],
}

/// [`LogUpRow`] at several LDE points at once (the prover's packed quotient evaluation).
pub struct PackedLogUpRow<'a> {
    /// Aux columns (h₀ … h_{k−2}, s) at this row, one lane per point.
    pub local: &'a [PackedExt4],
    /// Aux columns at the next row (only the last, s, is read).
    pub next: &'a [PackedExt4],
    /// The lookup challenges.
    pub lookup: &'a LookupChallenges,
    /// The table's claimed bus sum over its height: σ/n.
    pub sum_step: E,
    /// The blinding columns at this row (empty if the table is not blinded).
    pub blinding: &'a [PackedBabyBear],
    /// The logUp column of each interaction ([`aux_groups`]).
    pub groups: &'a [usize],
    /// `lookup.powers(n)` for some n (may be empty).
    pub b_powers: &'a [E],
    /// The instruction set the extension arithmetic may use (checked against the CPU).
    pub isa: crate::ntt::Isa,
    /// The α powers of the constraints (as passed to [`Table::eval_lde_packed`]), prepared.
    pub alpha_shoup: &'a [ShoupExt],
    /// `b_powers`, prepared.
    pub b_shoup: &'a [ShoupExt],
}

/// The logUp column of each interaction of `table`, the zero-knowledge blinding interaction
/// (if `blinded`) in a column of its own at the end.
pub fn aux_groups(table: &dyn Table, public: &[F], blinded: bool) -> Vec<usize> {
    let mut g = table.interaction_groups(public);
    if blinded {
        g.push(g.last().map_or(0, |&x| x + 1));
    }
    g
}

/// Number of constraints a table's α-combination folds: its AIR's, then the logUp ones (one
/// per interaction group).
pub(super) fn constraint_count(table: &dyn Table, public: &[F], blinded: bool) -> usize {
    let k = num_groups(&aux_groups(table, public, blinded));
    table.num_constraints(public) + k
}

/// 1/n for a table of 2^`log_n` rows: the running sum's step is σ/n.
pub(super) fn inv_height(log_n: usize) -> E {
    use crate::field::Field;
    E::from(F::from_u64(1u64 << log_n).inverse())
}

/// Number of interaction groups for `groups`; with any, also the number of committed logUp
/// (extension) columns: the h columns of all groups but the last, and the running sum.
pub fn num_groups(groups: &[usize]) -> usize {
    groups.last().map_or(0, |&g| g + 1)
}

/// `(degree of the fingerprint, degree of the multiplicity)` of each interaction of `air`,
/// by evaluating it over [`folder::Deg`].
fn interaction_degrees<A: Air>(air: &A, public: &[F]) -> Vec<(usize, usize)> {
    use folder::{Deg, DegreeSink};
    let ones = vec![Deg(1); Air::width(air)];
    let prep = vec![Deg(1); Air::preprocessed(air).map_or(0, |p| p.width)];
    let mut b = WindowBuilder {
        window: Window {
            local: &ones,
            next: &ones,
            prep_local: &prep,
            prep_next: &prep,
            public,
            first: Deg(1),
            last: Deg(1),
            transition: Deg(1),
        },
        sink: DegreeSink::default(),
    };
    Air::eval(air, &mut b);
    b.sink.degrees
}

/// Greedy grouping of consecutive interactions: a group's constraint
/// `h · Π fpⱼ − Σⱼ ±mⱼ · Π_{i≠j} fpᵢ` has degree `max(1 + Σ dfpⱼ, maxⱼ(dmⱼ + Σ_{i≠j} dfpᵢ))`,
/// which must not exceed `max_degree`.
fn group_by_degree(degrees: &[(usize, usize)], max_degree: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(degrees.len());
    let mut group = 0usize;
    let mut members: Vec<(usize, usize)> = Vec::new();
    let degree = |m: &[(usize, usize)]| {
        let s: usize = m.iter().map(|d| d.0).sum();
        m.iter()
            .map(|&(f, mu)| mu + s - f)
            .max()
            .unwrap_or(0)
            .max(1 + s)
    };
    for &d in degrees {
        members.push(d);
        if members.len() > 1 && degree(&members) > max_degree {
            group += 1;
            members = vec![d];
        }
        out.push(group);
    }
    out
}

/// [`Table::next_columns`] of `air`: next-row cell c of the main trace is variable c, of the
/// preprocessed trace w + c; every other input depends on none.
fn next_columns<A: Air>(air: &A, public: &[F]) -> (Vec<usize>, Vec<usize>) {
    use folder::{Dep, DepSink, DEP_CELLS};
    let w = Air::width(air);
    let pw = Air::preprocessed(air).map_or(0, |p| p.width);
    if w + pw > DEP_CELLS {
        return ((0..w).collect(), (0..pw).collect());
    }
    let none = vec![Dep::default(); w.max(pw)];
    let next: Vec<Dep> = (0..w).map(Dep::cell).collect();
    let prep_next: Vec<Dep> = (0..pw).map(|c| Dep::cell(w + c)).collect();
    let mut b = WindowBuilder {
        window: Window {
            local: &none[..w],
            next: &next,
            prep_local: &none[..pw],
            prep_next: &prep_next,
            public,
            first: Dep::default(),
            last: Dep::default(),
            transition: Dep::default(),
        },
        sink: DepSink::default(),
    };
    Air::eval(air, &mut b);
    let used = b.sink.used;
    (
        (0..w).filter(|&c| used.has(c)).collect(),
        (0..pw).filter(|&c| used.has(w + c)).collect(),
    )
}

/// Count an AIR's constraints and interactions by evaluating it on zero rows (both are
/// declared unconditionally).
fn count<A: Air>(air: &A, public: &[F]) -> CountingSink {
    let zeros = vec![F::default(); Air::width(air)];
    let prep_zeros = vec![F::default(); Air::preprocessed(air).map_or(0, |p| p.width)];
    let mut b = WindowBuilder {
        window: Window {
            local: &zeros,
            next: &zeros,
            prep_local: &prep_zeros,
            prep_next: &prep_zeros,
            public,
            first: F::default(),
            last: F::default(),
            transition: F::default(),
        },
        sink: CountingSink::default(),
    };
    Air::eval(air, &mut b);
    b.sink
}

impl<A: Air> Table for A {
    fn name(&self) -> String {
        Air::name(self)
    }
    fn width(&self) -> usize {
        Air::width(self)
    }
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        Air::preprocessed(self)
    }
    fn max_degree(&self) -> usize {
        Air::max_degree(self)
    }
    fn num_interactions(&self, public: &[F]) -> usize {
        count(self, public).buses.len()
    }
    fn buses(&self, public: &[F]) -> Vec<usize> {
        count(self, public).buses
    }
    fn num_constraints(&self, public: &[F]) -> usize {
        count(self, public).constraints
    }
    fn interaction_groups(&self, public: &[F]) -> Vec<usize> {
        group_by_degree(
            &interaction_degrees(self, public),
            Air::max_degree(self).max(2),
        )
    }
    fn check(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Result<(), ConstraintFailure> {
        check_constraints(self, trace, public)
    }
    fn interactions(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Vec<Vec<RowInteraction>> {
        collect_interactions(self, trace, public)
    }
    fn check_rows(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        rows: &[usize],
    ) -> Result<(), ConstraintFailure> {
        crate::air::check_rows(self, trace, public, rows)
    }
    fn row_interactions(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        rows: &[usize],
    ) -> Vec<Vec<RowInteraction>> {
        crate::air::row_interactions(self, trace, public, rows)
    }
    fn logup_terms(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        lookup: &LookupChallenges,
        powers: &[E],
        rows: std::ops::Range<usize>,
    ) -> Vec<(E, F)> {
        use rayon::prelude::*;
        let prep = Air::preprocessed(self);
        let k = self.num_interactions(public);
        // Written in place, k per row: no allocation per row.
        let mut out = vec![(E::default(), F::default()); rows.len() * k];
        if k > 0 {
            out.par_chunks_mut(k)
                .zip(rows.into_par_iter())
                .for_each(|(terms, row)| {
                    let mut b = WindowBuilder {
                        window: Window::at_row(trace, prep.as_ref(), public, row),
                        sink: folder::TermSink {
                            lookup,
                            powers,
                            terms,
                            index: 0,
                        },
                    };
                    Air::eval(self, &mut b);
                    debug_assert_eq!(b.sink.index, k);
                });
        }
        out
    }
    fn eval_lde_row(
        &self,
        window: Window<'_, F>,
        aux: &LogUpRow<'_, F>,
        alpha_powers: &[E],
        scratch: &mut Vec<(E, E)>,
    ) -> E {
        scratch.clear();
        let mut b = WindowBuilder {
            window,
            sink: PowersSink {
                powers: alpha_powers,
                index: 0,
                acc: WideExt::default(),
                lookup: aux.lookup,
                b_powers: aux.b_powers,
                fps: scratch,
            },
        };
        Air::eval(self, &mut b);
        let PowersSink {
            mut index,
            acc,
            fps,
            ..
        } = b.sink;
        let mut acc = acc.reduce();
        if !aux.blinding.is_empty() {
            // The blinding interaction (see `push_blinding`), its tuple in the base field.
            let fp = aux
                .lookup
                .fingerprint_base(BLINDING_BUS, aux.blinding, aux.b_powers);
            fps.push((fp, E::from(window.first - window.last)));
        }
        logup_constraints(fps, aux, &mut |c| {
            acc += alpha_powers[index] * c;
            index += 1;
        });
        acc
    }
    fn eval_lde_packed(
        &self,
        window: Window<'_, PackedBabyBear>,
        aux: &PackedLogUpRow<'_>,
        alpha_powers: &[E],
        scratch: &mut PackedScratch,
    ) -> PackedExt4 {
        let selectors = [window.first, window.last, window.transition];
        scratch.clear();
        let mut b = WindowBuilder {
            window,
            sink: PackedSink { scratch },
        };
        Air::eval(self, &mut b);
        folder::packed_tail(b.sink.scratch, aux, selectors, alpha_powers)
    }
    fn next_columns(&self, public: &[F]) -> (Vec<usize>, Vec<usize>) {
        next_columns(self, public)
    }
    fn eval_ood(&self, window: Window<'_, E>, aux: &LogUpRow<'_>, alpha: E) -> E {
        let selectors = [window.first, window.last, window.transition];
        let mut b = WindowBuilder {
            window,
            sink: HornerSink {
                alpha,
                acc: E::default(),
                interactions: Vec::new(),
            },
        };
        Air::eval(self, &mut b);
        let HornerSink {
            mut acc,
            mut interactions,
            ..
        } = b.sink;
        push_blinding(&mut interactions, aux.blinding, selectors);
        let fps = ext_fingerprints(&interactions, aux.lookup);
        logup_constraints(&fps, aux, &mut |c| acc = acc * alpha + c);
        acc
    }
}

/// A blinded table's extra interaction: its blinding columns sent on [`BLINDING_BUS`] with
/// multiplicity `first − last`, i.e. its own tuple sent on the first row and its
/// predecessor's received on the last (`docs/stark.md`, "Zero-knowledge").
fn push_blinding(interactions: &mut Vec<ExtInteraction>, blinding: &[E], selectors: [E; 3]) {
    if !blinding.is_empty() {
        let [first, last, _] = selectors;
        interactions.push((
            BLINDING_BUS,
            Direction::Send,
            blinding.to_vec(),
            first - last,
        ));
    }
}

/// The logUp constraints of one row, each handed to `fold` in order (spec: `docs/stark.md`,
/// "Lookups").
///
/// Aux columns: `h_0 … h_{k−2}` (one per interaction group but the last) and the running
/// sum `s`; the last group's `h_{k−1}` is not committed but stands for
/// `s' − s − Σ_{g<k−1} h_g + σ/n`. One constraint per group, on every row (the next row of
/// the last is the first): `h_g · Π_{j∈g} φ_j = Σ_{j∈g} ±m_j Π_{i≠j} φ_i`. Summed over the
/// n rows, `s' − s` cancels, so the table's terms add up to σ.
/// `m · x`, cheaper when `m` lies in the base field (the prover's multiplicities always do).
#[inline]
fn mul_small(m: E, x: E) -> E {
    use crate::field::{ExtensionField, Field};
    let c = m.as_base_slice();
    if c[1..].iter().all(|v| v.is_zero()) {
        x * c[0]
    } else {
        m * x
    }
}

/// `(fingerprint, ±multiplicity)` of interactions in the extension field.
fn ext_fingerprints(interactions: &[ExtInteraction], lookup: &LookupChallenges) -> Vec<(E, E)> {
    interactions
        .iter()
        .map(|(bus, dir, values, m)| (lookup.fingerprint(*bus, values), signed(*dir, *m)))
        .collect()
}

fn logup_constraints<B>(interactions: &[(E, E)], aux: &LogUpRow<'_, B>, fold: &mut dyn FnMut(E)) {
    let k = num_groups(aux.groups);
    if k == 0 {
        return;
    }
    debug_assert_eq!(interactions.len(), aux.groups.len());
    debug_assert_eq!(aux.local.len(), k);
    let s = aux.local[k - 1];
    let s_next = *aux.next.last().expect("the running sum at the next row");
    // The last group's h: what the running sum's step leaves after the committed groups.
    let mut last_h = s_next - s + aux.sum_step;
    for h in &aux.local[..k - 1] {
        last_h -= *h;
    }
    // Each group's fractions summed as one: num / den.
    let mut j = 0;
    for g in 0..k {
        let (fp0, m0) = interactions[j];
        let (mut num, mut den) = (m0, fp0);
        j += 1;
        while j < interactions.len() && aux.groups[j] == g {
            let (fp, m) = interactions[j];
            num = mul_small(num, fp) + mul_small(m, den);
            den *= fp;
            j += 1;
        }
        let h = if g + 1 < k { aux.local[g] } else { last_h };
        fold(h * den - num);
    }
}
