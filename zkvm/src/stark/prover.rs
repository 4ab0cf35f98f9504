//! The STARK prover.

use rayon::prelude::*;

use super::domain::barycentric_eval;
use super::proof::{QueryOpening, StarkProof, TableOpenings, PROOF_VERSION};
use super::verifier::VerifyingKey;
use super::{signed, LogUpRow, LookupChallenges, PublicInteraction, StarkConfig, Table, E};
use crate::air::window::Window;
use crate::air::{ConstraintFailure, F};
use crate::field::{batch_inverse, ExtensionField, Field, TwoAdicField};
use crate::fri;
use crate::matrix::RowMajorMatrix;
use crate::mmcs::{self, MmcsData};
use crate::ntt::{Dft, Radix2Dft};
use crate::transcript::{is_in_base_field, Transcript};
use crate::util::{log2_strict, reverse_bits_len, reverse_matrix_rows};

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

/// Commit the preprocessed columns of `tables` (the verifying key's part of the statement).
pub fn setup(config: &StarkConfig, tables: &[&dyn Table]) -> (ProvingKey, VerifyingKey) {
    let dft = Radix2Dft::new();
    let prep_traces: Vec<Option<RowMajorMatrix<F>>> =
        tables.iter().map(|t| t.preprocessed()).collect();
    let ldes: Vec<RowMajorMatrix<F>> = prep_traces
        .iter()
        .flatten()
        .map(|p| lde_bitrev(&dft, p.clone(), config.fri.log_blowup))
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

/// Distinct LDE heights (log), tallest first, and the tables of each.
pub(super) fn height_groups(log_heights: &[usize], log_blowup: usize) -> Vec<(usize, Vec<usize>)> {
    let mut hs: Vec<usize> = log_heights.iter().map(|h| h + log_blowup).collect();
    hs.sort_unstable_by(|a, b| b.cmp(a));
    hs.dedup();
    hs.into_iter()
        .map(|h| {
            (
                h,
                (0..log_heights.len())
                    .filter(|&t| log_heights[t] + log_blowup == h)
                    .collect(),
            )
        })
        .collect()
}

/// Number of quotient chunks of a table.
pub(super) fn quotient_chunks(max_degree: usize) -> usize {
    max_degree.max(2) - 1
}

/// Prove that `traces` satisfy `tables` (one trace per table) with public values `public`,
/// with `public_interactions` counted on the buses.
pub fn prove(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
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
pub fn prove_with_stats(
    config: &StarkConfig,
    pk: &ProvingKey,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    traces: Vec<RowMajorMatrix<F>>,
    public: &[F],
    public_interactions: &[PublicInteraction],
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
        &mut stats,
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
}

impl ProverOptions {
    /// An honest prover.
    pub const HONEST: ProverOptions = ProverOptions {
        check_witness: true,
        strict_degree: true,
    };
    /// A prover that proves anything it is given, as well as it can.
    pub const CHEATING: ProverOptions = ProverOptions {
        check_witness: false,
        strict_degree: false,
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
        &mut stats,
    )
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
    stats: &mut ProveStats,
) -> Result<StarkProof, ProveError> {
    let mut clock = Clock {
        stats,
        last: std::time::Instant::now(),
    };
    let log_blowup = config.fri.log_blowup;
    let blowup = 1usize << log_blowup;
    if traces.len() != tables.len() {
        return Err(ProveError::TableCount {
            traces: traces.len(),
            tables: tables.len(),
        });
    }
    let mut log_heights = Vec::with_capacity(tables.len());
    for (t, (table, trace)) in tables.iter().zip(&traces).enumerate() {
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
        if !h.is_power_of_two() || h < 2 || h > 1 << (27 - log_blowup) {
            return Err(shape(format!(
                "height {h} is not a power of two in [2, 2^{}]",
                27 - log_blowup
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
        if quotient_chunks(degree) > blowup {
            return Err(ProveError::BlowupTooSmall {
                table: table.name(),
                degree,
                needed: quotient_chunks(degree),
            });
        }
        if options.check_witness {
            table.check(trace, public)?;
        }
        log_heights.push(log2_strict(h));
    }

    clock.lap("check witness");
    let dft = Radix2Dft::new();
    let mut transcript = Transcript::new(b"rvzk-stark");
    absorb_statement(&mut transcript, config, &log_heights, public, vk);

    // Main traces.
    let main_ldes: Vec<RowMajorMatrix<F>> = traces
        .iter()
        .map(|t| lde_bitrev(&dft, t.clone(), log_blowup))
        .collect();
    let main = mmcs::commit(main_ldes);
    transcript.absorb_digest(b"main", &main.root());

    clock.lap("commit main");

    // Lookup argument.
    let num_inter: Vec<usize> = tables.iter().map(|t| t.num_interactions(public)).collect();
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
    let mut aux_traces: Vec<Option<RowMajorMatrix<F>>> = Vec::with_capacity(tables.len());
    let mut claimed_sums = Vec::with_capacity(tables.len());
    for (t, table) in tables.iter().enumerate() {
        if num_inter[t] == 0 {
            aux_traces.push(None);
            claimed_sums.push(E::ZERO);
            continue;
        }
        let (aux, sum) = logup_trace(
            table.interactions(&traces[t], public),
            num_inter[t],
            &lookup,
        )?;
        aux_traces.push(Some(aux));
        claimed_sums.push(sum);
    }
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
    }
    let aux_ldes: Vec<RowMajorMatrix<F>> = aux_traces
        .iter()
        .flatten()
        .map(|a| lde_bitrev(&dft, a.clone(), log_blowup))
        .collect();
    let aux = (!aux_ldes.is_empty()).then(|| mmcs::commit(aux_ldes));
    if let Some(a) = &aux {
        transcript.absorb_digest(b"aux", &a.root());
    }
    transcript.absorb_ext(b"claimed-sums", &claimed_sums);

    clock.lap("lookup columns");

    // Quotients.
    let alpha = transcript.sample_ext();
    let main_index = index_of_present(&vec![true; tables.len()]);
    let aux_index = index_of_present(&aux_traces.iter().map(|a| a.is_some()).collect::<Vec<_>>());
    let prep_index = index_of_present(
        &pk.prep_traces
            .iter()
            .map(|p| p.is_some())
            .collect::<Vec<_>>(),
    );
    let mut quotient_ldes = Vec::with_capacity(tables.len());
    let mut quotient_coeffs = Vec::with_capacity(tables.len());
    for (t, table) in tables.iter().enumerate() {
        let (lde, coeffs) = quotient(
            &dft,
            *table,
            log_heights[t],
            log_blowup,
            &main.matrices[main_index[t].unwrap()],
            prep_index[t].map(|i| &pk.prep.as_ref().unwrap().matrices[i]),
            aux_index[t].map(|i| &aux.as_ref().unwrap().matrices[i]),
            public,
            &lookup,
            claimed_sums[t],
            alpha,
            options.strict_degree,
        )?;
        quotient_ldes.push(lde);
        quotient_coeffs.push(coeffs);
    }
    let quot = mmcs::commit(quotient_ldes);
    transcript.absorb_digest(b"quotient", &quot.root());

    clock.lap("quotient");

    // Out-of-domain openings.
    let zeta = transcript.sample_ext_avoiding(is_in_base_field);
    let opened: Vec<TableOpenings> = (0..tables.len())
        .map(|t| {
            let log_n = log_heights[t];
            let zeta_next = zeta * F::two_adic_generator(log_n);
            let at = |m: &RowMajorMatrix<F>| {
                (
                    barycentric_eval(&m.values, m.width, log_n, zeta),
                    barycentric_eval(&m.values, m.width, log_n, zeta_next),
                )
            };
            let (prep_local, prep_next) = pk.prep_traces[t].as_ref().map(at).unwrap_or_default();
            let (main_local, main_next) = at(&traces[t]);
            let (aux_local, aux_next) = aux_traces[t].as_ref().map(at).unwrap_or_default();
            let quotient = quotient_coeffs[t]
                .iter()
                .flat_map(|chunk| {
                    (0..4)
                        .map(|j| horner_coord(chunk, j, zeta))
                        .collect::<Vec<_>>()
                })
                .collect();
            TableOpenings {
                prep_local,
                prep_next,
                main_local,
                main_next,
                aux_local,
                aux_next,
                quotient,
            }
        })
        .collect();
    absorb_openings(&mut transcript, &opened);

    clock.lap("open out-of-domain");

    // DEEP quotients, one FRI input per LDE height.
    let deep_alpha = transcript.sample_ext();
    let groups = height_groups(&log_heights, log_blowup);
    let fri_inputs: Vec<(usize, Vec<E>)> = groups
        .iter()
        .map(|(log_lde, ts)| {
            let cols: Vec<DeepTable<'_>> = ts
                .iter()
                .map(|&t| DeepTable {
                    prep: prep_index[t].map(|i| &pk.prep.as_ref().unwrap().matrices[i]),
                    main: &main.matrices[main_index[t].unwrap()],
                    aux: aux_index[t].map(|i| &aux.as_ref().unwrap().matrices[i]),
                    quotient: &quot.matrices[t],
                    opened: &opened[t],
                })
                .collect();
            (
                *log_lde,
                deep_codeword(&cols, *log_lde, log_lde - log_blowup, zeta, deep_alpha),
            )
        })
        .collect();
    clock.lap("DEEP");
    let (fri_proof, indices) = if options.strict_degree {
        fri::prove(&config.fri, fri_inputs, &mut transcript, None)?
    } else {
        fri::prove_unchecked(&config.fri, fri_inputs, &mut transcript, None)?
    };

    clock.lap("FRI");
    let log_max = groups[0].0;
    let open_at = |data: &MmcsData, q: usize| {
        mmcs::open(data, q >> (log_max - log2_strict(data.max_height())))
    };
    let queries = indices
        .iter()
        .map(|&q| QueryOpening {
            prep: pk.prep.as_ref().map(|d| open_at(d, q)),
            main: open_at(&main, q),
            aux: aux.as_ref().map(|d| open_at(d, q)),
            quotient: open_at(&quot, q),
        })
        .collect();
    clock.lap("query openings");

    Ok(StarkProof {
        version: PROOF_VERSION,
        log_heights,
        main_commit: main.root(),
        aux_commit: aux.as_ref().map(|a| a.root()),
        claimed_sums,
        quotient_commit: quot.root(),
        opened,
        fri: fri_proof,
        queries,
    })
}

/// The points of the LDE coset g·H' (|H'| = 2^log_lde) in bit-reversed order: row i of every
/// committed LDE is the value at `points[i]`.
pub(super) fn lde_points_bitrev(log_lde: usize) -> Vec<F> {
    let n = 1usize << log_lde;
    let mut natural = Vec::with_capacity(n);
    let mut p = F::GENERATOR;
    let omega = F::two_adic_generator(log_lde);
    for _ in 0..n {
        natural.push(p);
        p *= omega;
    }
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

/// Absorb every out-of-domain opening, table by table, in a fixed order.
pub(super) fn absorb_openings(t: &mut Transcript, opened: &[TableOpenings]) {
    for o in opened {
        for v in [
            &o.prep_local,
            &o.prep_next,
            &o.main_local,
            &o.main_next,
            &o.aux_local,
            &o.aux_next,
            &o.quotient,
        ] {
            t.absorb_ext(b"ood", v);
        }
    }
}

/// The logUp auxiliary trace (base coordinates, width 4·(k+1)) and the table's sum.
fn logup_trace(
    rows: Vec<Vec<crate::air::RowInteraction>>,
    k: usize,
    lookup: &LookupChallenges,
) -> Result<(RowMajorMatrix<F>, E), ProveError> {
    let n = rows.len();
    let fps: Vec<E> = rows
        .par_iter()
        .flat_map_iter(|r| r.iter().map(|i| lookup.fingerprint(i.bus, &i.values)))
        .collect();
    if fps.iter().any(|f| f.is_zero()) {
        return Err(ProveError::ZeroFingerprint);
    }
    let inv = batch_inverse(&fps);
    let mut values = Vec::with_capacity(n * 4 * (k + 1));
    let mut running = E::ZERO;
    for (r, row) in rows.iter().enumerate() {
        debug_assert_eq!(row.len(), k);
        for (j, i) in row.iter().enumerate() {
            let h = signed(i.direction, E::from(i.multiplicity)) * inv[r * k + j];
            running += h;
            values.extend_from_slice(h.as_base_slice());
        }
        values.extend_from_slice(running.as_base_slice());
    }
    Ok((RowMajorMatrix::new(values, 4 * (k + 1)), running))
}

/// Evaluate coordinate `j` of an extension polynomial (coefficients lowest first) at `x`.
fn horner_coord(coeffs: &[E], j: usize, x: E) -> E {
    coeffs
        .iter()
        .rev()
        .fold(E::ZERO, |acc, c| acc * x + E::from(c.as_base_slice()[j]))
}

/// The quotient of one table: its chunks' LDE (bit-reversed, base coordinates) and the
/// chunks' coefficients.
#[allow(clippy::too_many_arguments)]
fn quotient(
    dft: &Radix2Dft,
    table: &dyn Table,
    log_n: usize,
    log_blowup: usize,
    main: &RowMajorMatrix<F>,
    prep: Option<&RowMajorMatrix<F>>,
    aux: Option<&RowMajorMatrix<F>>,
    public: &[F],
    lookup: &LookupChallenges,
    claimed_sum: E,
    alpha: E,
    strict_degree: bool,
) -> Result<(RowMajorMatrix<F>, Vec<Vec<E>>), ProveError> {
    let n = 1usize << log_n;
    let log_lde = log_n + log_blowup;
    let big_n = 1usize << log_lde;
    let blowup = 1usize << log_blowup;
    let omega_n = F::two_adic_generator(log_n);
    let xs = lde_points_bitrev(log_lde);
    let n_f = F::from_u64(n as u64);
    let inv_first = batch_inverse(&xs.iter().map(|&x| (x - F::ONE) * n_f).collect::<Vec<_>>());
    let inv_last = batch_inverse(
        &xs.iter()
            .map(|&x| (x * omega_n - F::ONE) * n_f)
            .collect::<Vec<_>>(),
    );
    let omega_n_inv = omega_n.inverse();
    // xⁿ − 1 takes only `blowup` values on the coset: xᵢⁿ = gⁿ·ω_B^(rev(i) mod B).
    let g_n = F::GENERATOR.pow(n as u64);
    let omega_b = F::two_adic_generator(log_blowup);
    let zeroifier: Vec<F> = (0..blowup)
        .map(|e| g_n * omega_b.pow(e as u64) - F::ONE)
        .collect();
    let inv_zeroifier = batch_inverse(&zeroifier);
    let empty: [F; 0] = [];
    let chunks = quotient_chunks(table.max_degree());
    // α^(K−1−i) for the K constraints, so each row's sum needs no extension products.
    let k_inter = table.num_interactions(public);
    let k_total = table.num_constraints(public) + if k_inter > 0 { k_inter + 3 } else { 0 };
    let mut alpha_powers = vec![E::ONE; k_total];
    for i in (0..k_total.saturating_sub(1)).rev() {
        alpha_powers[i] = alpha_powers[i + 1] * alpha;
    }

    let values: Vec<E> = (0..big_n)
        .into_par_iter()
        .map(|i| {
            let x = xs[i];
            let e = reverse_bits_len(i, log_lde) & (blowup - 1);
            let z = zeroifier[e];
            let j = reverse_bits_len((reverse_bits_len(i, log_lde) + blowup) % big_n, log_lde);
            let aux_row = |r: usize| -> Vec<E> {
                aux.map(|a| a.row(r).chunks_exact(4).map(E::from_base_slice).collect())
                    .unwrap_or_default()
            };
            let (aux_local, aux_next) = (aux_row(i), aux_row(j));
            let window = Window {
                local: main.row(i),
                next: main.row(j),
                prep_local: prep.map_or(&empty[..], |p| p.row(i)),
                prep_next: prep.map_or(&empty[..], |p| p.row(j)),
                public,
                first: z * inv_first[i],
                last: z * inv_last[i],
                transition: x - omega_n_inv,
            };
            let logup = LogUpRow {
                local: &aux_local,
                next: &aux_next,
                lookup,
                claimed_sum,
            };
            table.eval_lde_row(window, &logup, &alpha_powers) * inv_zeroifier[e]
        })
        .collect();

    // Coefficients of q: undo the bit reversal, interpolate on g·H', unscale by g^k.
    let mut natural = values;
    crate::util::reverse_slice_index_bits(&mut natural);
    let flat: Vec<F> = natural
        .iter()
        .flat_map(|v| v.as_base_slice().to_vec())
        .collect();
    let coeff_mat = dft.idft_batch(RowMajorMatrix::new(flat, 4));
    let g_inv = F::GENERATOR.inverse();
    let mut scale = F::ONE;
    let mut coeffs: Vec<E> = Vec::with_capacity(big_n);
    for row in coeff_mat.rows() {
        coeffs.push(E::from_base_slice(row) * scale);
        scale *= g_inv;
    }
    if strict_degree && coeffs[chunks * n..].iter().any(|c| !c.is_zero()) {
        return Err(ProveError::DegreeTooHigh(table.name()));
    }
    let chunk_coeffs: Vec<Vec<E>> = coeffs[..chunks * n].chunks(n).map(|c| c.to_vec()).collect();
    // Each chunk's evaluations on g·H': scale coefficient k by g^k, pad, transform.
    let mut padded = vec![F::ZERO; big_n * 4 * chunks];
    for (c, chunk) in chunk_coeffs.iter().enumerate() {
        let mut s = F::ONE;
        for (k, v) in chunk.iter().enumerate() {
            let v = *v * s;
            let row = k * 4 * chunks + 4 * c;
            padded[row..row + 4].copy_from_slice(v.as_base_slice());
            s *= F::GENERATOR;
        }
    }
    let mut lde = dft.dft_batch(RowMajorMatrix::new(padded, 4 * chunks));
    let w = lde.width;
    reverse_matrix_rows(&mut lde.values, w);
    Ok((lde, chunk_coeffs))
}

/// One table's committed LDEs and openings, for the DEEP combination.
pub(super) struct DeepTable<'a> {
    pub prep: Option<&'a RowMajorMatrix<F>>,
    pub main: &'a RowMajorMatrix<F>,
    pub aux: Option<&'a RowMajorMatrix<F>>,
    pub quotient: &'a RowMajorMatrix<F>,
    pub opened: &'a TableOpenings,
}

/// The DEEP combination at one point x given each column's value there (`row_*`).
///
/// Two-point columns (preprocessed, main, aux: opened at ζ and ζω) take powers α⁰, α¹, …;
/// quotient columns (opened at ζ only) continue the powers; the ζω term is scaled by α^M
/// where M counts all columns:
/// `(A₂(x) + A₁(x) − A₂(ζ) − A₁(ζ))/(x − ζ) + α^M·(A₂(x) − A₂(ζω))/(x − ζω)`.
pub(super) struct DeepSums {
    /// Σ α^c v_c(ζ) over all columns.
    pub at_zeta: E,
    /// Σ α^c v_c(ζω) over two-point columns.
    pub at_zeta_next: E,
    /// α^M.
    pub alpha_m: E,
}

/// The opened values combined with the DEEP powers (shared by prover and verifier).
pub(super) fn deep_sums(opened: &[&TableOpenings], alpha: E) -> DeepSums {
    let mut p = E::ONE;
    let mut at_zeta = E::ZERO;
    let mut at_zeta_next = E::ZERO;
    for o in opened {
        for (l, nx) in [
            (&o.prep_local, &o.prep_next),
            (&o.main_local, &o.main_next),
            (&o.aux_local, &o.aux_next),
        ] {
            for (a, b) in l.iter().zip(nx.iter()) {
                at_zeta += p * *a;
                at_zeta_next += p * *b;
                p *= alpha;
            }
        }
    }
    for o in opened {
        for q in &o.quotient {
            at_zeta += p * *q;
            p *= alpha;
        }
    }
    DeepSums {
        at_zeta,
        at_zeta_next,
        alpha_m: p,
    }
}

/// One table's row at one LDE point: preprocessed, main, aux and quotient values.
pub(super) type RowSet<'a> = (&'a [F], &'a [F], &'a [F], &'a [F]);

/// Σ α^c f_c(x) over the two-point columns and over the quotient columns of some rows (the
/// rows of every table of one height at one point), in the order of [`deep_sums`];
/// `powers[c]` = α^c, at least as many as there are columns.
pub(super) fn deep_row_sums(rows: &[RowSet<'_>], powers: &[E]) -> (E, E) {
    let mut p = powers.iter();
    let mut two = E::ZERO;
    for (prep, main, aux, _) in rows {
        for (v, a) in prep.iter().chain(main.iter()).chain(aux.iter()).zip(&mut p) {
            two += *a * *v;
        }
    }
    let mut one = E::ZERO;
    for (_, _, _, quot) in rows {
        for (v, a) in quot.iter().zip(&mut p) {
            one += *a * *v;
        }
    }
    (two, one)
}

/// α⁰ … α^(n−1).
pub(super) fn powers_of(alpha: E, n: usize) -> Vec<E> {
    let mut out = Vec::with_capacity(n);
    let mut p = E::ONE;
    for _ in 0..n {
        out.push(p);
        p *= alpha;
    }
    out
}

/// Number of columns a DEEP combination covers (two-point and quotient).
pub(super) fn deep_columns(rows: &[RowSet<'_>]) -> usize {
    rows.iter()
        .map(|(a, b, c, d)| a.len() + b.len() + c.len() + d.len())
        .sum()
}

/// The DEEP codeword of one height group (bit-reversed, on g·H').
fn deep_codeword(
    tables: &[DeepTable<'_>],
    log_lde: usize,
    log_n: usize,
    zeta: E,
    alpha: E,
) -> Vec<E> {
    let big_n = 1usize << log_lde;
    let opened: Vec<&TableOpenings> = tables.iter().map(|t| t.opened).collect();
    let sums = deep_sums(&opened, alpha);
    let zeta_next = zeta * F::two_adic_generator(log_n);
    let xs = lde_points_bitrev(log_lde);
    let inv_z = batch_inverse(&xs.iter().map(|&x| E::from(x) - zeta).collect::<Vec<_>>());
    let inv_zn = batch_inverse(
        &xs.iter()
            .map(|&x| E::from(x) - zeta_next)
            .collect::<Vec<_>>(),
    );
    let empty: [F; 0] = [];
    let width: usize = tables
        .iter()
        .map(|t| {
            t.prep.map_or(0, |m| m.width)
                + t.main.width
                + t.aux.map_or(0, |m| m.width)
                + t.quotient.width
        })
        .sum();
    let powers = powers_of(alpha, width);
    (0..big_n)
        .into_par_iter()
        .map(|i| {
            let rows: Vec<RowSet<'_>> = tables
                .iter()
                .map(|t| {
                    (
                        t.prep.map_or(&empty[..], |m| m.row(i)),
                        t.main.row(i),
                        t.aux.map_or(&empty[..], |m| m.row(i)),
                        t.quotient.row(i),
                    )
                })
                .collect();
            let (two, one) = deep_row_sums(&rows, &powers);
            (two + one - sums.at_zeta) * inv_z[i]
                + sums.alpha_m * (two - sums.at_zeta_next) * inv_zn[i]
        })
        .collect()
}
