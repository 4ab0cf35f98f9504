//! A multi-table STARK with logUp lookup buses.
//!
//! Each table is an [`Air`] with its own height (a power of two). The prover commits all main
//! traces in one mixed-height tree, draws lookup challenges, commits the logUp auxiliary
//! columns (one helper column per interaction and a running sum) with each table's claimed
//! bus sum, draws the constraint-combination challenge, commits the quotient chunks, opens
//! everything at an out-of-domain point ζ (and ζ·ω for adjacent rows), and proves the DEEP
//! quotients of all tables with one FRI proof, grouped by height. The verifier checks the
//! constraints at ζ, that every bus balances (table sums plus what the verifier computes from
//! public values), and FRI. Spec: `docs/stark.md`.

pub mod codec;
mod domain;
mod folder;
mod proof;
mod prover;
mod verifier;

pub use domain::{barycentric_eval, selectors_at, Selectors};
pub use proof::{OpenedValues, QueryOpening, StarkProof, TableOpenings, PROOF_VERSION};
pub use prover::{
    prove, prove_with_options, prove_with_stats, setup, ProveError, ProveStats, ProverOptions,
    ProvingKey,
};
pub use verifier::{verify, StarkError, VerifyingKey};

use crate::air::{
    check_constraints, collect_interactions, Air, ConstraintFailure, Direction, RowInteraction, F,
};
use crate::field::BabyBearExt4;
use crate::fri::FriConfig;
use crate::matrix::RowMajorMatrix;

use folder::{LdeFolder, OodFolder};

/// The extension field challenges live in.
pub type E = BabyBearExt4;

/// Proof-system parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StarkConfig {
    /// FRI parameters; `fri.log_blowup` is also the trace LDE blowup.
    pub fri: FriConfig,
}

impl StarkConfig {
    /// The default: blowup 4, folding by 16, 42 queries and 16 bits of grinding — 100
    /// conjectured bits (`docs/stark.md`, "Security").
    pub const fn default_100_bits() -> Self {
        StarkConfig {
            fri: FriConfig {
                log_blowup: 2,
                max_log_arity: 4,
                log_final_poly_len: 3,
                num_queries: 42,
                pow_bits: 16,
            },
        }
    }

    /// Cheap parameters for tests that exercise the protocol, not its security.
    pub const fn insecure_for_tests() -> Self {
        StarkConfig {
            fri: FriConfig {
                log_blowup: 2,
                max_log_arity: 3,
                log_final_poly_len: 1,
                num_queries: 12,
                pow_bits: 2,
            },
        }
    }

    /// Conjectured security in bits.
    pub fn security_bits(&self) -> f64 {
        self.fri.conjectured_security_bits()
    }
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
}

/// The signed contribution `±m / fingerprint` of one interaction.
fn signed(direction: Direction, m: E) -> E {
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
    /// Number of constraints the AIR asserts (not counting the logUp ones).
    fn num_constraints(&self, public: &[F]) -> usize;
    /// Check every constraint on every row.
    fn check(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Result<(), ConstraintFailure>;
    /// Interactions of every row.
    fn interactions(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Vec<Vec<RowInteraction>>;
    /// The α-combined constraints (base and logUp) at one LDE point, given that point's rows;
    /// `alpha_powers[i]` = α^(K−1−i) for the K constraints in evaluation order.
    #[allow(clippy::too_many_arguments)]
    fn eval_lde_row(
        &self,
        local: &[F],
        next: &[F],
        prep_local: &[F],
        prep_next: &[F],
        aux_local: &[E],
        aux_next: &[E],
        public: &[F],
        sel: &Selectors<F>,
        lookup: &LookupChallenges,
        claimed_sum: E,
        alpha_powers: &[E],
    ) -> E;
    /// The α-combined constraints at the out-of-domain point.
    #[allow(clippy::too_many_arguments)]
    fn eval_ood(
        &self,
        local: &[E],
        next: &[E],
        prep_local: &[E],
        prep_next: &[E],
        aux_local: &[E],
        aux_next: &[E],
        public: &[F],
        sel: &Selectors<E>,
        lookup: &LookupChallenges,
        claimed_sum: E,
        alpha: E,
    ) -> E;
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
        // Interactions and constraints are declared unconditionally, so evaluating on zero
        // rows counts them.
        let prep_width = Air::preprocessed(self).map_or(0, |p| p.width);
        let mut counter = folder::CountingBuilder::new(Air::width(self), prep_width, public);
        Air::eval(self, &mut counter);
        counter.interactions
    }
    fn num_constraints(&self, public: &[F]) -> usize {
        let prep_width = Air::preprocessed(self).map_or(0, |p| p.width);
        let mut counter = folder::CountingBuilder::new(Air::width(self), prep_width, public);
        Air::eval(self, &mut counter);
        counter.constraints
    }
    fn check(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Result<(), ConstraintFailure> {
        check_constraints(self, trace, public)
    }
    fn interactions(&self, trace: &RowMajorMatrix<F>, public: &[F]) -> Vec<Vec<RowInteraction>> {
        collect_interactions(self, trace, public)
    }
    fn eval_lde_row(
        &self,
        local: &[F],
        next: &[F],
        prep_local: &[F],
        prep_next: &[F],
        aux_local: &[E],
        aux_next: &[E],
        public: &[F],
        sel: &Selectors<F>,
        lookup: &LookupChallenges,
        claimed_sum: E,
        alpha_powers: &[E],
    ) -> E {
        let mut f = LdeFolder::new(
            local,
            next,
            prep_local,
            prep_next,
            public,
            sel,
            alpha_powers,
        );
        Air::eval(self, &mut f);
        if f.interactions.is_empty() {
            return f.acc;
        }
        let sel_e = Selectors {
            first: E::from(sel.first),
            last: E::from(sel.last),
            transition: E::from(sel.transition),
            inv_zeroifier: E::from(sel.inv_zeroifier),
        };
        let (mut acc, mut index) = (f.acc, f.index);
        logup_constraints(
            &f.interactions,
            aux_local,
            aux_next,
            &sel_e,
            lookup,
            claimed_sum,
            &mut |c| {
                acc += alpha_powers[index] * c;
                index += 1;
            },
        );
        acc
    }
    fn eval_ood(
        &self,
        local: &[E],
        next: &[E],
        prep_local: &[E],
        prep_next: &[E],
        aux_local: &[E],
        aux_next: &[E],
        public: &[F],
        sel: &Selectors<E>,
        lookup: &LookupChallenges,
        claimed_sum: E,
        alpha: E,
    ) -> E {
        let mut f = OodFolder::new(local, next, prep_local, prep_next, public, sel, alpha);
        Air::eval(self, &mut f);
        let interactions = f.interactions;
        let mut acc = f.acc;
        logup_constraints(
            &interactions,
            aux_local,
            aux_next,
            sel,
            lookup,
            claimed_sum,
            &mut |c| acc = acc * alpha + c,
        );
        acc
    }
}

/// The logUp constraints of one row, each handed to `fold` in order.
///
/// Aux columns: `h_0 … h_{k−1}` (one per interaction) and the running sum `s`:
/// * `h_j · fingerprint_j = ±m_j` on every row;
/// * `s = Σ h_j` on the first row;
/// * `s' = s + Σ h_j'` on every transition;
/// * `s = claimed_sum` on the last row.
#[allow(clippy::too_many_arguments)]
fn logup_constraints(
    interactions: &[(usize, Direction, Vec<E>, E)],
    aux_local: &[E],
    aux_next: &[E],
    sel: &Selectors<E>,
    lookup: &LookupChallenges,
    claimed_sum: E,
    fold: &mut dyn FnMut(E),
) {
    let k = interactions.len();
    if k == 0 {
        return;
    }
    debug_assert_eq!(aux_local.len(), k + 1);
    let mut sum_local = E::default();
    let mut sum_next = E::default();
    for (j, (bus, dir, values, m)) in interactions.iter().enumerate() {
        let fp = lookup.fingerprint(*bus, values);
        fold(aux_local[j] * fp - signed(*dir, *m));
        sum_local += aux_local[j];
        sum_next += aux_next[j];
    }
    let s = aux_local[k];
    let s_next = aux_next[k];
    fold(sel.first * (s - sum_local));
    fold(sel.transition * (s_next - s - sum_next));
    fold(sel.last * (s - claimed_sum));
}
