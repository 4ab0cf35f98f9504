//! The STARK prover.

use rayon::prelude::*;

use super::domain::{barycentric_eval, inv_diffs};
use super::layout::{
    blowup_needed, deep_sums, deep_value, next_point, powers_of, quotient_shapes, quotient_slice,
    table_runs, DeepRun, DeepSums, Layout, NextCols, AUX_NEXT,
};
use super::proof::{QueryOpenings, StarkProof, TableOpenings, PROOF_VERSION};
use super::verifier::VerifyingKey;
use super::{
    blinded_tables, blinding_predecessors, constraint_count, signed, LookupChallenges,
    PublicInteraction, Seed, StarkConfig, Table, BLINDING_BUS, BLINDING_WIDTH, BUS_LIMIT, E,
};
use crate::air::{ConstraintFailure, Direction, RowInteraction, F};
use crate::field::{batch_inverse, ExtensionField, Field, TwoAdicField};
use crate::fri;
use crate::matrix::RowMajorMatrix;
use crate::mmcs::{self, Dims, MmcsData, ProverRng, StreamedTree};
use crate::ntt::{Dft, Radix2Dft};
use crate::offload::Offload;
use crate::transcript::{is_in_base_field, Transcript};
use crate::util::{log2_strict, reverse_matrix_rows};
use std::sync::Arc;

use super::logup::logup_trace;
use super::poly::{ext_to_base_rows, Poly};
use super::quotient::{cut_quotient, quotient, QuotientInputs};

/// What the prover keeps from [`setup`]: the preprocessed columns and their commitment.
#[derive(Debug)]
pub struct ProvingKey {
    /// The committed preprocessed LDEs (if any table has preprocessed columns).
    pub(super) prep: Option<MmcsData>,
    /// Per table: its preprocessed trace (natural order), if any.
    pub(super) prep_traces: Vec<Option<RowMajorMatrix<F>>>,
}

/// Why proving failed. None of these can produce a proof that verifies.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The number of traces differs from the number of tables.
    #[error("{traces} traces for {tables} tables")]
    TableCount {
        /// Traces given.
        traces: usize,
        /// Tables.
        tables: usize,
    },
    /// A trace has the wrong width or a height that is not a power of two.
    #[error("table {table}: {why}")]
    TraceShape {
        /// Table name.
        table: String,
        /// What is wrong.
        why: String,
    },
    /// The witness breaks a constraint.
    #[error("witness does not satisfy the constraints: {0}")]
    Constraint(#[from] ConstraintFailure),
    /// The buses do not balance: some tuple is received that nobody sent (or the reverse).
    #[error("lookup buses do not balance (total {0})")]
    Unbalanced(E),
    /// A fingerprint was zero (probability ~2^-120; retry with another transcript).
    #[error("a lookup fingerprint is zero")]
    ZeroFingerprint,
    /// The quotient had a higher degree than the table declared.
    #[error("table {0}: constraint degree exceeds its declared max_degree")]
    DegreeTooHigh(String),
    /// A table's declared degree needs a larger blowup.
    #[error("table {table}: max_degree {degree} needs blowup ≥ {needed}")]
    BlowupTooSmall {
        /// Table name.
        table: String,
        /// Declared degree.
        degree: usize,
        /// Blowup needed.
        needed: usize,
    },
    /// A table or a public interaction uses a bus number at or above [`BUS_LIMIT`] (the
    /// range the STARK keeps for itself).
    #[error("{table} uses bus {bus}; bus numbers must be below {BUS_LIMIT}")]
    ReservedBus {
        /// Table name, or "public interactions".
        table: String,
        /// The offending bus.
        bus: usize,
    },
    /// Zero-knowledge is on but the tables are too short to hide with these parameters.
    #[error("zero-knowledge: {0}; pad the traces, or turn zk off")]
    ZkTooShort(String),
    /// FRI refused its input.
    #[error(transparent)]
    Fri(#[from] fri::FriError),
}

/// Low-degree extension of each column onto g·H' (|H'| = height·2^log_blowup), rows in
/// bit-reversed order.
pub(super) fn lde_bitrev(
    dft: &Radix2Dft,
    mat: RowMajorMatrix<F>,
    log_blowup: usize,
) -> RowMajorMatrix<F> {
    let mut lde = dft.coset_lde_batch_with_shift(mat, log_blowup, F::GENERATOR);
    let w = lde.width;
    reverse_matrix_rows(&mut lde.values, w);
    lde
}

/// The evaluations on g·H' (|H'| = 2^log_lde, bit-reversed rows) of the polynomials whose
/// coefficients (lowest first) are the columns of `coeffs`.
fn coeffs_to_lde_bitrev(
    dft: &Radix2Dft,
    coeffs: RowMajorMatrix<F>,
    log_lde: usize,
) -> RowMajorMatrix<F> {
    let w = coeffs.width;
    let mut values = coeffs.values;
    let mut s = F::ONE;
    for row in values.chunks_exact_mut(w) {
        row.iter_mut().for_each(|x| *x *= s);
        s *= F::GENERATOR;
    }
    values.resize(w << log_lde, F::ZERO);
    dft.dft_batch_bitrev(RowMajorMatrix::new(values, w))
}

/// Inverses of many elements (zeros stay zero), batched per block and in parallel.
pub(super) fn par_batch_inverse<T: Field + Send + Sync>(xs: &[T]) -> Vec<T> {
    xs.par_chunks(4096).flat_map_iter(batch_inverse).collect()
}

/// The committed polynomials of an n-row trace, the side-by-side concatenation of `parts`
/// (all n rows: a table's own columns, then any blinding columns), with LDE height
/// 2^`log_lde`. Under zero-knowledge (`blind`: the number of random coefficients and their
/// generator) P = T + (xⁿ − 1)·U, T the trace's interpolant and U uniform of degree < k, so P
/// is the trace on H_n and random off it (`docs/stark.md`, "Zero-knowledge").
pub(super) fn trace_poly(
    dft: &Radix2Dft,
    parts: &[&RowMajorMatrix<F>],
    blind: Option<(usize, &mut ProverRng)>,
    log_lde: usize,
) -> Poly {
    let w: usize = parts.iter().map(|m| m.width).sum();
    let n = parts[0].height();
    let mut values = vec![F::ZERO; n * w];
    values.par_chunks_mut(w).enumerate().for_each(|(r, out)| {
        let mut at = 0;
        for m in parts {
            out[at..at + m.width].copy_from_slice(m.row(r));
            at += m.width;
        }
    });
    trace_poly_owned(dft, RowMajorMatrix::new(values, w), blind, log_lde)
}

/// [`trace_poly`] of one trace the caller gives up (no copy of it is made).
pub(super) fn trace_poly_owned(
    dft: &Radix2Dft,
    trace: RowMajorMatrix<F>,
    blind: Option<(usize, &mut ProverRng)>,
    log_lde: usize,
) -> Poly {
    let (n, w) = (trace.height(), trace.width);
    let low = dft.idft_batch(trace);
    let blind = blind.map(|(k, rng)| rng.matrix(k.min(n), w));
    Poly {
        low,
        blind,
        log_lde,
    }
}

/// Random coefficients of each committed trace polynomial's randomizer under
/// zero-knowledge: as many as the values a proof reveals of it, 2·(queries + 1)
/// ([`StarkConfig::zk_shortfall`] makes every table at least that tall). The quotient
/// chunks' blinding polynomials have as many.
pub(super) fn blind_rows(config: &StarkConfig) -> usize {
    2 * (config.fri.num_queries + 1)
}

/// A blinded table's [`BLINDING_WIDTH`] extra columns (n rows): its own tuple on the first
/// row, its predecessor's on the last, zeros between (where the multiplicity is zero).
fn blinding_columns(n: usize, own: &[F], prev: &[F]) -> RowMajorMatrix<F> {
    let mut cols = RowMajorMatrix::new(vec![F::ZERO; n * BLINDING_WIDTH], BLINDING_WIDTH);
    cols.row_mut(0).copy_from_slice(own);
    cols.row_mut(n - 1).copy_from_slice(prev);
    cols
}

/// The blinding interaction of row `r` of a blinded table (see [`blinding_columns`]): sent
/// with multiplicity `is_first_row − is_last_row`, as the constraints have it.
fn blinding_interaction(cols: &RowMajorMatrix<F>, r: usize) -> RowInteraction {
    let n = cols.height();
    RowInteraction {
        bus: BLINDING_BUS,
        direction: Direction::Send,
        values: cols.row(r).to_vec(),
        multiplicity: match r {
            0 => F::ONE,
            _ if r == n - 1 => -F::ONE,
            _ => F::ZERO,
        },
    }
}

/// Commit the preprocessed columns of `tables` (the verifying key's part of the statement).
pub fn setup(config: &StarkConfig, tables: &[&dyn Table]) -> (ProvingKey, VerifyingKey) {
    let dft = Radix2Dft::new();
    let prep_traces: Vec<Option<RowMajorMatrix<F>>> =
        tables.iter().map(|t| t.preprocessed()).collect();
    let ldes: Vec<RowMajorMatrix<F>> = prep_traces
        .iter()
        .flatten()
        // With zero-knowledge the other columns of a table sit at 2n·blowup: put the
        // preprocessed ones there too, so each DEEP group shares one trace domain.
        .map(|p| lde_bitrev(&dft, p.clone(), config.fri.log_blowup + config.zk as usize))
        .collect();
    let prep_log_heights = prep_traces
        .iter()
        .map(|p| p.as_ref().map(|p| log2_strict(p.height())))
        .collect();
    let prep_widths = prep_traces
        .iter()
        .map(|p| p.as_ref().map(|p| p.width))
        .collect();
    let prep = (!ldes.is_empty()).then(|| mmcs::commit(ldes));
    let vk = VerifyingKey {
        prep_root: prep.as_ref().map(|d| d.root()),
        prep_log_heights,
        prep_widths,
    };
    (ProvingKey { prep, prep_traces }, vk)
}

/// Absorb the statement: parameters, shapes, public values and the verifying key.
pub(super) fn absorb_statement(
    t: &mut Transcript,
    config: &StarkConfig,
    log_heights: &[usize],
    public: &[F],
    vk: &VerifyingKey,
) {
    let c = &config.fri;
    for v in [
        PROOF_VERSION as u64,
        c.log_blowup as u64,
        c.max_log_arity as u64,
        c.log_final_poly_len as u64,
        c.num_queries as u64,
        c.pow_bits as u64,
        config.zk as u64,
        log_heights.len() as u64,
    ] {
        t.absorb_u64(b"param", v);
    }
    let hs: Vec<u8> = log_heights.iter().map(|&h| h as u8).collect();
    t.absorb(b"log-heights", &hs);
    t.absorb_base(b"public-values", public);
    if let Some(root) = &vk.prep_root {
        t.absorb_digest(b"preprocessed", root);
    }
}

/// An extension value from its four coordinate values: Σ cⱼ·Xʲ.
pub(super) fn ext_from_coords(c: &[E]) -> E {
    let x = E::X;
    c[0] + x * (c[1] + x * (c[2] + x * c[3]))
}

/// Prove that `traces` satisfy `tables` (one trace per table) with public values `public`,
/// with `public_interactions` counted on the buses. With zero-knowledge on, the blinding
/// randomness is drawn from `seed`: the same seed gives the same proof, byte for byte, and a
/// proof's secrecy rests on the seed being secret and fresh: pass [`Seed::from_entropy`]
/// (a `u64` converts through [`Seed::from_u64`], for reproducible tests and benchmarks).
#[allow(clippy::too_many_arguments)]
pub fn prove(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
    seed: impl Into<Seed>,
) -> Result<StarkProof, ProveError> {
    prove_with_options(
        config,
        pk,
        vk,
        tables,
        traces,
        public,
        public_interactions,
        &ProverOptions::HONEST,
        seed.into(),
    )
}

/// Where the prover's time went: `(phase, seconds)` in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProveStats {
    /// Wall-clock seconds per phase: "check witness", "commit main", "lookup columns",
    /// "quotient", "open out-of-domain", "DEEP", "FRI", "query openings".
    pub phases: Vec<(&'static str, f64)>,
}

/// [`prove`], also reporting the time of each phase.
#[allow(clippy::too_many_arguments)]
pub fn prove_with_stats(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
    seed: impl Into<Seed>,
) -> Result<(StarkProof, ProveStats), ProveError> {
    let mut stats = ProveStats::default();
    let proof = prove_inner(
        config,
        pk,
        vk,
        tables,
        traces,
        public,
        public_interactions,
        &ProverOptions::HONEST,
        seed.into(),
        &mut stats,
        None,
    )?;
    Ok((proof, stats))
}

/// [`prove_with_stats`] with work sent to an accelerator where `offload` grants it
/// ([`crate::offload`]): the NTTs and the Merkle node compressions of the trace, lookup and
/// quotient commitments. The proof is the same; check [`Offload::error`] before using it.
#[allow(clippy::too_many_arguments)]
pub fn prove_offloaded(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
    seed: impl Into<Seed>,
    offload: &Arc<Offload>,
) -> Result<(StarkProof, ProveStats), ProveError> {
    let mut stats = ProveStats::default();
    let proof = prove_inner(
        config,
        pk,
        vk,
        tables,
        traces,
        public,
        public_interactions,
        &ProverOptions::HONEST,
        seed.into(),
        &mut stats,
        Some(offload),
    )?;
    Ok((proof, stats))
}

/// Times consecutive phases.
struct Clock<'a> {
    stats: &'a mut ProveStats,
    last: std::time::Instant,
}

impl Clock<'_> {
    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.stats
            .phases
            .push((phase, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

/// Switches that turn the prover into a cheating one, for soundness tests: it then goes on
/// where an honest prover stops, and the verifier must reject what comes out.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct ProverOptions {
    /// Check the witness against the constraints and the buses for balance first.
    pub check_witness: bool,
    /// Refuse a quotient of too high a degree (instead of truncating it).
    pub strict_degree: bool,
    /// Claim per-table sums that total zero whatever the trace (the last table with
    /// interactions absorbs the difference), as a cheater whose buses do not balance must.
    pub force_balance: bool,
    /// Commit a wrong copy of the first blinded table's predecessor's blinding tuple, so the
    /// blinding terms no longer cancel.
    pub break_blinding: bool,
}

impl ProverOptions {
    /// An honest prover.
    pub const HONEST: ProverOptions = ProverOptions {
        check_witness: true,
        strict_degree: true,
        force_balance: false,
        break_blinding: false,
    };
    /// A prover that proves anything it is given, as well as it can.
    pub const CHEATING: ProverOptions = ProverOptions {
        check_witness: false,
        strict_degree: false,
        force_balance: false,
        break_blinding: false,
    };
    /// [`ProverOptions::CHEATING`] that also makes its claimed sums balance.
    pub const CHEATING_BALANCED: ProverOptions = ProverOptions {
        force_balance: true,
        ..Self::CHEATING
    };
}

/// [`prove`] with [`ProverOptions`].
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn prove_with_options(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
    options: &ProverOptions,
    seed: impl Into<Seed>,
) -> Result<StarkProof, ProveError> {
    let mut stats = ProveStats::default();
    prove_inner(
        config,
        pk,
        vk,
        tables,
        traces,
        public,
        public_interactions,
        options,
        seed.into(),
        &mut stats,
        None,
    )
}

/// Check every trace's shape (and the witness, if asked); return the log heights.
fn check_traces(
    config: &StarkConfig,
    pk: &ProvingKey,
    tables: &[&dyn Table],
    traces: &[RowMajorMatrix<F>],
    public: &[F],
    public_interactions: &[PublicInteraction],
    options: &ProverOptions,
) -> Result<Vec<usize>, ProveError> {
    let log_blowup = config.fri.log_blowup;
    let blowup = 1usize << log_blowup;
    // The LDEs must fit the field's two-adicity and FRI's 2^27.
    let max_log_n = 27 - log_blowup - config.zk as usize;
    if traces.len() != tables.len() {
        return Err(ProveError::TableCount {
            traces: traces.len(),
            tables: tables.len(),
        });
    }
    let mut log_heights = Vec::with_capacity(tables.len());
    for (t, (table, trace)) in tables.iter().zip(traces).enumerate() {
        let shape = |why: String| ProveError::TraceShape {
            table: table.name(),
            why,
        };
        if trace.width != table.width() || table.width() == 0 {
            return Err(shape(format!(
                "trace width {}, table width {}",
                trace.width,
                table.width()
            )));
        }
        let h = trace.height();
        if !h.is_power_of_two() || h < 2 || h > 1 << max_log_n {
            return Err(shape(format!(
                "height {h} is not a power of two in [2, 2^{max_log_n}]"
            )));
        }
        if let Some(p) = &pk.prep_traces[t] {
            if p.height() != h {
                return Err(shape(format!(
                    "height {h}, preprocessed height {}",
                    p.height()
                )));
            }
        }
        let degree = table.max_degree();
        let needed = blowup_needed(degree, config.zk);
        if needed > blowup {
            return Err(ProveError::BlowupTooSmall {
                table: table.name(),
                degree,
                needed,
            });
        }
        if let Some(&bus) = table.buses(public).iter().find(|&&b| b >= BUS_LIMIT) {
            return Err(ProveError::ReservedBus {
                table: table.name(),
                bus,
            });
        }
        log_heights.push(log2_strict(h));
    }
    if let Some(pi) = public_interactions.iter().find(|pi| pi.bus >= BUS_LIMIT) {
        return Err(ProveError::ReservedBus {
            table: "public interactions".into(),
            bus: pi.bus,
        });
    }
    if let Some(why) = config.zk_shortfall(&log_heights) {
        return Err(ProveError::ZkTooShort(why));
    }
    if options.check_witness {
        for (table, trace) in tables.iter().zip(traces) {
            table.check(trace, public)?;
        }
    }
    Ok(log_heights)
}

/// The prover's private randomness, one independent stream per use, so that changing how
/// much one step draws does not change the others.
struct Randomness {
    trace: ProverRng,
    salt: ProverRng,
    blind: ProverRng,
    mask: ProverRng,
    /// The logUp blinding tuples.
    blinding: ProverRng,
}

#[allow(clippy::too_many_arguments)]
fn prove_inner(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
    options: &ProverOptions,
    seed: Seed,
    stats: &mut ProveStats,
    offload: Option<&Arc<Offload>>,
) -> Result<StarkProof, ProveError> {
    let mut clock = Clock {
        stats,
        last: std::time::Instant::now(),
    };
    let log_blowup = config.fri.log_blowup;
    let zk = config.zk;
    let nt = tables.len();
    let log_heights = check_traces(
        config,
        pk,
        tables,
        &traces,
        public,
        public_interactions,
        options,
    )?;
    let layout = Layout::new(&log_heights, log_blowup, zk);
    let mut root_rng = ProverRng::from_key(seed.0);
    let mut rng = Randomness {
        trace: root_rng.fork(),
        salt: root_rng.fork(),
        blind: root_rng.fork(),
        mask: root_rng.fork(),
        blinding: root_rng.fork(),
    };

    clock.lap("check witness");
    let dft = Radix2Dft::new().with_offload(offload.cloned());
    let offload = offload.map(|o| &**o);
    let mut transcript = Transcript::new(b"rvzk-stark");
    absorb_statement(&mut transcript, config, &log_heights, public, vk);

    // Blinded tables (zero-knowledge, two or more tables with interactions) commit a random
    // tuple R_t and their predecessor's alongside their trace, before the lookup challenges
    // exist: they mask the claimed sums and cancel in the total.
    let num_inter: Vec<usize> = tables.iter().map(|t| t.num_interactions(public)).collect();
    let blinded = blinded_tables(zk, &num_inter);
    let tuples: Vec<Vec<F>> = blinded
        .iter()
        .map(|&b| {
            (0..if b { BLINDING_WIDTH } else { 0 })
                .map(|_| rng.blinding.base())
                .collect()
        })
        .collect();
    let mut blinding: Vec<Option<RowMajorMatrix<F>>> = blinding_predecessors(&blinded)
        .iter()
        .enumerate()
        .map(|(t, prev)| prev.map(|p| blinding_columns(traces[t].height(), &tuples[t], &tuples[p])))
        .collect();
    if options.break_blinding {
        if let Some(b) = blinding.iter_mut().flatten().next() {
            let last = b.height() - 1;
            b.row_mut(last)[0] += F::ONE;
        }
    }

    // Main traces: each table's committed polynomials (the trace and its blinding columns,
    // randomized under zero-knowledge), kept as coefficients; their LDEs are hashed block by
    // block and never held.
    let log_blocks = log_blowup + zk as usize;
    let k_blind = blind_rows(config);
    let main_polys: Vec<Poly> = (0..nt)
        .map(|t| {
            let parts: Vec<&RowMajorMatrix<F>> =
                std::iter::once(&traces[t]).chain(&blinding[t]).collect();
            trace_poly(
                &dft,
                &parts,
                zk.then_some((k_blind, &mut rng.trace)),
                layout.log_trace_lde(t),
            )
        })
        .collect();
    let main = commit_polys(
        &dft,
        &main_polys.iter().collect::<Vec<_>>(),
        log_blocks,
        zk.then_some(&mut rng.salt),
        offload,
    );
    transcript.absorb_digest(b"main", &main.root());

    clock.lap("commit main");

    // Lookup argument.
    let any_lookups = num_inter.iter().any(|&k| k > 0) || !public_interactions.is_empty();
    let lookup = if any_lookups {
        LookupChallenges {
            z: transcript.sample_ext(),
            b: transcript.sample_ext(),
        }
    } else {
        LookupChallenges {
            z: E::ZERO,
            b: E::ZERO,
        }
    };
    // The aux columns are computed on the n real rows, then randomized like the main trace.
    let mut aux_polys: Vec<Option<Poly>> = Vec::with_capacity(nt);
    let mut claimed_sums = Vec::with_capacity(nt);
    let powers = lookup.powers(super::PRECOMPUTED_POWERS);
    for (t, table) in tables.iter().enumerate() {
        if num_inter[t] == 0 {
            aux_polys.push(None);
            claimed_sums.push(E::ZERO);
            continue;
        }
        let groups = super::aux_groups(*table, public, blinded[t]);
        let terms = |rows: std::ops::Range<usize>| -> Vec<(E, F)> {
            let terms = table.logup_terms(&traces[t], public, &lookup, &powers, rows.clone());
            let Some(b) = &blinding[t] else {
                return terms;
            };
            // One more term per row: interleave the blinding interaction after each row's.
            let k = terms.len() / rows.len();
            let mut with = Vec::with_capacity(terms.len() + rows.len());
            for (i, r) in rows.enumerate() {
                with.extend_from_slice(&terms[i * k..(i + 1) * k]);
                let bi = blinding_interaction(b, r);
                let fp = lookup.fingerprint_base(bi.bus, &bi.values, &powers);
                with.push((fp, bi.multiplicity));
            }
            with
        };
        let (aux, sum) = logup_trace(terms, traces[t].height(), &groups)?;
        aux_polys.push(Some(trace_poly_owned(
            &dft,
            aux,
            zk.then_some((k_blind, &mut rng.trace)),
            layout.log_trace_lde(t),
        )));
        claimed_sums.push(sum);
    }
    // From here on the polynomials' coefficients stand for the traces.
    drop(traces);
    drop(blinding);
    if any_lookups {
        let mut total: E = claimed_sums.iter().copied().sum();
        for pi in public_interactions {
            let fp = lookup.fingerprint(pi.bus, &pi.values);
            let inv = fp.try_inverse().ok_or(ProveError::ZeroFingerprint)?;
            total += signed(pi.direction, E::from(pi.multiplicity)) * inv;
        }
        if !total.is_zero() && options.check_witness {
            return Err(ProveError::Unbalanced(total));
        }
        if options.force_balance {
            if let Some(t) = (0..nt).rev().find(|&t| num_inter[t] > 0) {
                claimed_sums[t] -= total;
            }
        }
    }
    let aux_list: Vec<&Poly> = aux_polys.iter().flatten().collect();
    let aux = (!aux_list.is_empty()).then(|| {
        commit_polys(
            &dft,
            &aux_list,
            log_blocks,
            zk.then_some(&mut rng.salt),
            offload,
        )
    });
    drop(aux_list);
    if let Some(a) = &aux {
        transcript.absorb_digest(b"aux", &a.root());
    }
    transcript.absorb_ext(b"claimed-sums", &claimed_sums);

    clock.lap("lookup columns");

    // Quotients, then (zero-knowledge) one random mask polynomial per FRI input height, all
    // in one tree.
    let alpha = transcript.sample_ext();
    let prep_index = index_of_present(
        &pk.prep_traces
            .iter()
            .map(|p| p.is_some())
            .collect::<Vec<_>>(),
    );
    let prep_lde = |t: usize| prep_index[t].map(|i| &pk.prep.as_ref().unwrap().matrices[i]);
    // One quotient per group of tables of one height: the tables' quotients combined by
    // Horner's rule with α^K (K a table's constraint count), continuing each table's own
    // α-combination, as the verifier combines their values at ζ.
    let ng = layout.groups.len();
    let shapes = quotient_shapes(&layout, tables, zk.then_some(k_blind));
    let mut quot_polys = Vec::with_capacity(2 * ng);
    for (g, group) in layout.groups.iter().enumerate() {
        let mut combined: Vec<F> = Vec::new();
        for &t in &group.two_point {
            let coeffs = quotient(
                &dft,
                tables[t],
                &layout,
                t,
                QuotientInputs {
                    main: &main_polys[t],
                    prep: prep_lde(t),
                    aux: aux_polys[t].as_ref(),
                    public,
                    lookup: &lookup,
                    sum_step: claimed_sums[t] * super::inv_height(log_heights[t]),
                    blinded: blinded[t],
                    alpha,
                },
                options.strict_degree,
            )?;
            let scale = alpha.pow(constraint_count(tables[t], public, blinded[t]) as u64);
            combined = horner_step(combined, scale, coeffs);
        }
        quot_polys.push(Poly {
            low: cut_quotient(&combined, shapes[g], zk.then_some(&mut rng.blind)),
            blind: None,
            log_lde: group.log_lde,
        });
    }
    if zk {
        for g in &layout.groups {
            // An extension polynomial of the largest degree FRI accepts at this height, as
            // four base coordinate columns.
            quot_polys.push(Poly {
                low: rng.mask.matrix(1 << (g.log_lde - log_blowup), 4),
                blind: None,
                log_lde: g.log_lde,
            });
        }
    }
    let quot = commit_polys(
        &dft,
        &quot_polys.iter().collect::<Vec<_>>(),
        log_blocks,
        zk.then_some(&mut rng.salt),
        offload,
    );
    transcript.absorb_digest(b"quotient", &quot.root());

    clock.lap("quotient");

    // Out-of-domain openings.
    let zeta = transcript.sample_ext_avoiding(is_in_base_field);
    // Only the columns the AIR reads in the next row are opened at ζω (all logUp columns).
    let next_sets: Vec<(Vec<usize>, Vec<usize>)> =
        tables.iter().map(|t| t.next_columns(public)).collect();
    let select = |v: Vec<E>, cols: &[usize]| -> Vec<E> { cols.iter().map(|&c| v[c]).collect() };
    let opened: Vec<TableOpenings> = (0..nt)
        .map(|t| {
            let zeta_next = next_point(zeta, log_heights[t]);
            let at = |p: &Poly| (p.eval(zeta), p.eval(zeta_next));
            // The preprocessed trace over its own domain H_n.
            let (prep_local, prep_next) = pk.prep_traces[t]
                .as_ref()
                .map(|m| {
                    let log = log2_strict(m.height());
                    (
                        barycentric_eval(&m.values, m.width, log, zeta),
                        barycentric_eval(&m.values, m.width, log, zeta_next),
                    )
                })
                .unwrap_or_default();
            let (main_local, main_next) = at(&main_polys[t]);
            let (aux_local, aux_next) = aux_polys[t].as_ref().map(at).unwrap_or_default();
            // Of the aux columns only the running sum is read at ζω.
            let aux_next = select(aux_next.clone(), &AUX_NEXT.columns(aux_next.len()));
            TableOpenings {
                prep_local,
                prep_next: select(prep_next, &next_sets[t].1),
                main_local,
                main_next: select(main_next, &next_sets[t].0),
                aux_local,
                aux_next,
            }
        })
        .collect();
    let quotient_opened: Vec<E> = quot_polys[..ng].iter().flat_map(|p| p.eval(zeta)).collect();
    let mask_opened: Vec<E> = quot_polys[ng..].iter().flat_map(|p| p.eval(zeta)).collect();
    absorb_openings(&mut transcript, &opened, &quotient_opened, &mask_opened);

    clock.lap("open out-of-domain");

    // DEEP quotients, one FRI input per LDE height, from the columns' coefficients combined
    // with the DEEP powers (one extension polynomial per side) and extended once.
    let deep_alpha = transcript.sample_ext();
    let prep_polys: Vec<Option<Poly>> = (0..nt)
        .map(|t| {
            pk.prep_traces[t].as_ref().map(|p| Poly {
                low: dft.idft_batch(p.clone()),
                blind: None,
                log_lde: layout.log_trace_lde(t),
            })
        })
        .collect();
    let fri_inputs: Vec<(usize, Vec<E>)> = layout
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            // Columns and their openings in DEEP order: each table's preprocessed, main and
            // aux columns, then the group's quotient chunks and mask (ζ only).
            let mut cols: Vec<(&Poly, NextCols)> = Vec::new();
            let mut runs: Vec<DeepRun> = Vec::new();
            for &t in &group.two_point {
                let o = &opened[t];
                let (next_main, next_prep) = (&next_sets[t].0[..], &next_sets[t].1[..]);
                if let Some(p) = &prep_polys[t] {
                    cols.push((p, NextCols::Some(next_prep)));
                }
                cols.push((&main_polys[t], NextCols::Some(next_main)));
                if let Some(a) = &aux_polys[t] {
                    cols.push((a, AUX_NEXT));
                }
                runs.extend(table_runs(o, next_prep, next_main));
            }
            let mut ones = vec![(&quot_polys[g], quotient_slice(&quotient_opened, &shapes, g))];
            if zk {
                ones.push((&quot_polys[ng + g], &mask_opened[4 * g..4 * g + 4]));
            }
            for (p, v) in ones {
                cols.push((p, NextCols::Some(&[])));
                runs.push(DeepRun {
                    local: v,
                    next_cols: NextCols::Some(&[]),
                    next: &[],
                });
            }
            let sums = deep_sums(&runs, deep_alpha);
            let zeta_next = Some(next_point(zeta, group.log_n));
            (
                group.log_lde,
                deep_codeword(
                    &dft,
                    &cols,
                    &sums,
                    group.log_lde,
                    log_blowup,
                    zeta,
                    zeta_next,
                    deep_alpha,
                ),
            )
        })
        .collect();
    drop(prep_polys);
    clock.lap("DEEP");
    // FRI layers are not salted: their codewords are masked (docs/stark.md, "Zero-knowledge").
    let fri_salt = None;
    let (fri_proof, indices) = if options.strict_degree {
        fri::prove(&config.fri, fri_inputs, &mut transcript, fri_salt)?
    } else {
        fri::prove_unchecked(&config.fri, fri_inputs, &mut transcript, fri_salt)?
    };

    clock.lap("FRI");
    let log_max = layout.groups[0].log_lde;
    let prep = pk.prep.as_ref().map(|d| {
        let shift = log_max - log2_strict(d.max_height());
        let local: Vec<usize> = indices.iter().map(|&q| q >> shift).collect();
        mmcs::open_batch(d, &local)
    });
    let main_list: Vec<&Poly> = main_polys.iter().collect();
    let main_open = open_polys(&main, &main_list, &indices, log_max);
    let aux_list: Vec<&Poly> = aux_polys.iter().flatten().collect();
    let aux_open = aux
        .as_ref()
        .map(|a| open_polys(a, &aux_list, &indices, log_max));
    let quot_list: Vec<&Poly> = quot_polys.iter().collect();
    let quot_open = open_polys(&quot, &quot_list, &indices, log_max);
    let queries = QueryOpenings {
        prep,
        main: main_open,
        aux: aux_open,
        quotient: quot_open,
    };
    clock.lap("query openings");

    Ok(StarkProof {
        version: PROOF_VERSION,
        log_heights,
        main_commit: main.root(),
        aux_commit: aux.as_ref().map(|a| a.root()),
        claimed_sums,
        quotient_commit: quot.root(),
        opened,
        quotient_opened,
        mask_opened,
        fri: fri_proof,
        queries,
    })
}

/// The columns `cols` of `m`.
fn select_columns(m: &RowMajorMatrix<F>, cols: &[usize]) -> RowMajorMatrix<F> {
    let values = m
        .values
        .par_chunks(m.width)
        .flat_map_iter(|row| cols.iter().map(move |&c| row[c]))
        .collect();
    RowMajorMatrix::new(values, cols.len())
}

/// `acc·scale + next` on coefficient vectors (four coordinates each, the shorter padded with
/// zeros): one step of Horner's rule over a group's tables.
fn horner_step(acc: Vec<F>, scale: E, next: Vec<F>) -> Vec<F> {
    if acc.is_empty() {
        return next;
    }
    let mut out = acc;
    out.par_chunks_mut(4).for_each(|c| {
        let v = E::from_base_slice(c) * scale;
        c.copy_from_slice(v.as_base_slice());
    });
    if out.len() < next.len() {
        out.resize(next.len(), F::ZERO);
    }
    out.par_iter_mut()
        .zip(next.par_iter())
        .for_each(|(a, b)| *a += *b);
    out
}

/// Commit the LDEs of `polys` block by block (2^`log_blocks` blocks), never holding them
/// (the node compressions `offload` grants go to its device).
pub(super) fn commit_polys(
    dft: &Radix2Dft,
    polys: &[&Poly],
    log_blocks: usize,
    salt: Option<&mut ProverRng>,
    offload: Option<&Offload>,
) -> StreamedTree {
    let dims = polys
        .iter()
        .map(|p| Dims {
            width: p.width(),
            height: 1 << p.log_lde,
        })
        .collect();
    mmcs::commit_streamed(dims, 1 << log_blocks, salt, offload, |c, spent| {
        blocks_into(dft, polys, log_blocks, c, spent)
    })
}

/// The batch opening of the query indices `indices` (into LDEs of height 2^`log_max`) in a
/// tree of [`commit_polys`]: only the small groups of rows under the tree's kept digests
/// that hold a query are evaluated, straight from the coefficients.
pub(super) fn open_polys(
    tree: &StreamedTree,
    polys: &[&Poly],
    indices: &[usize],
    log_max: usize,
) -> mmcs::BatchOpening {
    let log_tree = log2_strict(tree.max_height());
    let local: Vec<usize> = indices.iter().map(|&q| q >> (log_max - log_tree)).collect();
    // Transforms of a few rows: not worth an offload device's round trip.
    let dft = Radix2Dft::new();
    tree.open_batch_grouped(&local, |gs| {
        let k = tree.log_group();
        let mut per_poly: Vec<std::vec::IntoIter<RowMajorMatrix<F>>> = polys
            .iter()
            .map(|p| {
                // A matrix 2^s times shorter holds 2^(k−s) rows of each group, or one row
                // shared by 2^(s−k) groups.
                let s = log_tree - p.log_lde;
                let blocks = if s <= k {
                    p.blocks_at(&dft, k - s, gs)
                } else {
                    let cs: Vec<usize> = gs.iter().map(|g| g >> (s - k)).collect();
                    p.blocks_at(&dft, 0, &cs)
                };
                blocks.into_iter()
            })
            .collect();
        gs.iter()
            .map(|_| per_poly.iter_mut().map(|b| b.next().unwrap()).collect())
            .collect()
    })
}

/// [`open_polys`] by regenerating every commitment block that holds a query (the path the
/// prover took before groups were kept; the openings must be the same).
#[cfg(test)]
pub(super) fn open_polys_by_blocks(
    dft: &Radix2Dft,
    tree: &StreamedTree,
    polys: &[&Poly],
    log_blocks: usize,
    indices: &[usize],
    log_max: usize,
) -> mmcs::BatchOpening {
    let shift = log_max - log2_strict(tree.max_height());
    let local: Vec<usize> = indices.iter().map(|&q| q >> shift).collect();
    tree.open_batch(&local, |c, spent| {
        blocks_into(dft, polys, log_blocks, c, spent)
    })
}

/// Block `c` of each polynomial's LDE (of 2^`log_blocks` blocks), in the storage of the
/// `spent` blocks.
fn blocks_into(
    dft: &Radix2Dft,
    polys: &[&Poly],
    log_blocks: usize,
    c: usize,
    spent: Vec<RowMajorMatrix<F>>,
) -> Vec<RowMajorMatrix<F>> {
    let mut spent = spent.into_iter().map(|m| m.values);
    polys
        .iter()
        .map(|p| {
            p.block_into(
                dft,
                p.log_lde - log_blocks,
                c,
                spent.next().unwrap_or_default(),
            )
        })
        .collect()
}

/// The points of the LDE coset g·H' (|H'| = 2^log_lde) in bit-reversed order: row i of every
/// committed LDE is the value at `points[i]`.
pub(super) fn lde_points_bitrev(log_lde: usize) -> Vec<F> {
    const ROWS: usize = 4096;
    let n = 1usize << log_lde;
    let omega = F::two_adic_generator(log_lde);
    let mut natural = vec![F::ZERO; n];
    natural
        .par_chunks_mut(ROWS)
        .enumerate()
        .for_each(|(b, chunk)| {
            let mut p = F::GENERATOR * omega.pow((b * ROWS) as u64);
            for x in chunk {
                *x = p;
                p *= omega;
            }
        });
    crate::util::reverse_slice_index_bits(&mut natural);
    natural
}

/// For flags per table, the index of each present table among the present ones.
pub(super) fn index_of_present(present: &[bool]) -> Vec<Option<usize>> {
    let mut next = 0;
    present
        .iter()
        .map(|&p| {
            p.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// Absorb every out-of-domain opening, table by table in a fixed order, then the groups'
/// quotient chunks, then the masks'.
pub(super) fn absorb_openings(
    t: &mut Transcript,
    opened: &[TableOpenings],
    quotient: &[E],
    masks: &[E],
) {
    for o in opened {
        for v in [
            &o.prep_local,
            &o.prep_next,
            &o.main_local,
            &o.main_next,
            &o.aux_local,
            &o.aux_next,
        ] {
            t.absorb_ext(b"ood", v);
        }
    }
    t.absorb_ext(b"ood-quotient", quotient);
    t.absorb_ext(b"ood-masks", masks);
}

/// The DEEP codeword of one group (bit-reversed, on g·H' of size 2^log_lde): `two` and `one`
/// are its two-point and one-point columns, in DEEP order. Σ γ^c f_c over each run is one
/// extension polynomial (of degree < 2^(log_lde − log_blowup)), combined from coefficients
/// and extended once.
#[allow(clippy::too_many_arguments)]
fn deep_codeword(
    dft: &Radix2Dft,
    cols: &[(&Poly, NextCols)],
    sums: &DeepSums,
    log_lde: usize,
    log_blowup: usize,
    zeta: E,
    zeta_next: Option<E>,
    alpha: E,
) -> Vec<E> {
    const ROWS: usize = 1024;
    let big_n = 1usize << log_lde;
    let len = big_n >> log_blowup;
    let width: usize = cols.iter().map(|(p, _)| p.width()).sum();
    let powers = powers_of(alpha, width);
    // B = Σ γ^c f_c over the columns opened at ζω, and the rest, A − B.
    let mut two_c = vec![E::ZERO; len];
    let mut one_c = vec![E::ZERO; len];
    let mut at = 0;
    for (p, next) in cols {
        assert!(p.len() <= len, "DEEP: a column exceeds its degree bound");
        let pw = &powers[at..at + p.width()];
        at += p.width();
        let sel = next.columns(p.width());
        match &sel[..] {
            [] => p.combine_into(&mut one_c, pw),
            sel if sel.len() == p.width() => p.combine_into(&mut two_c, pw),
            sel => {
                // The few selected columns on their own; the others with theirs zeroed.
                let mut rest = pw.to_vec();
                sel.iter().for_each(|&c| rest[c] = E::ZERO);
                p.combine_into(&mut one_c, &rest);
                let sub = Poly {
                    low: select_columns(&p.low, sel),
                    blind: p.blind.as_ref().map(|u| select_columns(u, sel)),
                    log_lde: p.log_lde,
                };
                let sub_powers: Vec<E> = sel.iter().map(|&c| pw[c]).collect();
                sub.combine_into(&mut two_c, &sub_powers);
            }
        }
    }

    // Both runs side by side as eight base columns, extended together.
    let (a, b) = (ext_to_base_rows(&two_c), ext_to_base_rows(&one_c));
    drop((two_c, one_c));
    let mut joined = vec![F::ZERO; 8 * len];
    joined
        .par_chunks_mut(8)
        .zip(a.values.par_chunks(4).zip(b.values.par_chunks(4)))
        .for_each(|(out, (x, y))| {
            out[..4].copy_from_slice(x);
            out[4..].copy_from_slice(y);
        });
    drop((a, b));
    let lde = coeffs_to_lde_bitrev(dft, RowMajorMatrix::new(joined, 8), log_lde);
    let xs = lde_points_bitrev(log_lde);
    let mut out = vec![E::ZERO; big_n];
    out.par_chunks_mut(ROWS)
        .zip(xs.par_chunks(ROWS))
        .enumerate()
        .for_each(|(b, (out, xs))| {
            let inv_z = inv_diffs(xs, zeta, E::ONE);
            let inv_zn = zeta_next.map(|zn| inv_diffs(xs, zn, sums.alpha_m));
            for (k, o) in out.iter_mut().enumerate() {
                let row = lde.row(b * ROWS + k);
                let (t, s) = (E::from_base_slice(&row[..4]), E::from_base_slice(&row[4..]));
                *o = deep_value(sums, t, s, inv_z[k], inv_zn.as_ref().map(|v| v[k]));
            }
        });
    out
}
