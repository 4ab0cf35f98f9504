//! `make bench-stark`: prove and verify the same toy AIRs with rvzk's STARK and with Plonky3's
//! `p3-uni-stark` (0.8; `TwoAdicFriPcs`, SHA-256 `MerkleTreeMmcs`, SHA-256 hash challenger),
//! side by side, with one and two rayon threads.
//!
//! For each AIR and height the binary first proves once with every system and asserts that
//! each proof verifies (and that a wrong public value is rejected), then times proving and
//! verifying round-robin (one run of each system in turn, medians), so load that comes and goes
//! on a shared machine hits all alike. Peak RSS comes from a child process per system that
//! proves and verifies once and reports its `VmHWM`. Prints one line per case and writes
//! `build/bench/stark.json`.
//!
//! Usage: see [`USAGE`] (`stark --help`).

use p3_air::{Air as P3Air, AirBuilder as P3AirBuilder, BaseAir, WindowAccess as _};
use p3_challenger::{HashChallenger, SerializingChallenger32};
use p3_dft::TwoAdicSubgroupDft;
use p3_field::PrimeCharacteristicRing as _;
use p3_sha256::{Sha256, Sha256Compress};
use p3_symmetric::SerializingHasher;
use rand::{rngs::StdRng, SeedableRng as _};
use rvzk_zkvm::air::toy::{fibonacci_trace, Fibonacci};
use rvzk_zkvm::air::{Air, AirBuilder, F};
use rvzk_zkvm::matrix::RowMajorMatrix;
use rvzk_zkvm::stark::{self, codec, StarkConfig, Table};
use serde_json::json;
use std::io::Write as _;
use std::time::Instant;

const P: u64 = 0x7800_0001;

/// `stark --help`.
const USAGE: &str = "\
usage: stark [--plain] [--reps N] [--threads T] [FILTER]
  FILTER       run only the cases whose name contains it (e.g. fib2, squares64, 2^16,
               \"fib2 2^20\"); cases: fib2 and squares64 at 2^16, 2^18, 2^20 rows
  --plain      leave out the zero-knowledge systems
  --reps N     at most N timed proofs per system and case (default 11, 7, 5 by size;
               the first, untimed proof is the warm-up)
  --threads T  only the rayon pool of T threads (default: 1, then 2)
  stark --child SYSTEM AIR LOG_N THREADS [REPS]
               the peak-RSS probe: one proof and its check (with REPS, that many more
               timed proofs, e.g. under perf record)
writes build/bench/stark.json";

// ---------------------------------------------------------------------------------------------
// The AIRs, written once for each system with the same constraints.

/// Which statement is proven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AirKind {
    /// Two columns (a, b): a' = b, b' = a + b; first row and last b are public.
    Fib,
    /// 64 columns, each x' = x² + (j + 1) on transitions and x = j + 2 on the first row.
    Squares,
}

const SQUARES_WIDTH: usize = 64;

impl AirKind {
    fn name(self) -> &'static str {
        match self {
            AirKind::Fib => "fib2",
            AirKind::Squares => "squares64",
        }
    }
    fn parse(s: &str) -> AirKind {
        match s {
            "fib2" => AirKind::Fib,
            "squares64" => AirKind::Squares,
            _ => panic!("unknown AIR {s}"),
        }
    }
}

/// Our [`AirKind::Squares`]. `max_degree` counts the selectors (our AIR contract), so the
/// transition constraint `is_transition · (x' − x² − c)` has degree 3 and needs 2 quotient
/// chunks; declaring 2 instead gives the single chunk Plonky3 uses (its degree count treats
/// `is_transition`, a linear polynomial, as free; the quotient really has degree < n).
struct Squares {
    max_degree: usize,
}

impl Air for Squares {
    fn name(&self) -> String {
        "squares64".into()
    }
    fn width(&self) -> usize {
        SQUARES_WIDTH
    }
    fn max_degree(&self) -> usize {
        self.max_degree
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let (first, tr) = (b.is_first_row(), b.is_transition());
        for j in 0..SQUARES_WIDTH {
            let x: B::Expr = b.local()[j].into();
            let x2: B::Expr = b.next()[j].into();
            b.assert_zero(first.clone() * (x.clone() - F::new(j as u32 + 2)));
            b.assert_zero(tr.clone() * (x2 - x.clone() * x - F::new(j as u32 + 1)));
        }
    }
}

/// Plonky3's [`AirKind::Fib`].
struct P3Fib;

impl<T> BaseAir<T> for P3Fib {
    fn width(&self) -> usize {
        2
    }
    fn num_public_values(&self) -> usize {
        3
    }
}

impl<AB: P3AirBuilder> P3Air<AB> for P3Fib {
    fn eval(&self, b: &mut AB) {
        let main = b.main();
        let (a, x) = (main.current_slice()[0], main.current_slice()[1]);
        let (a2, x2) = (main.next_slice()[0], main.next_slice()[1]);
        let p = b.public_values();
        let (p0, p1, p2) = (p[0], p[1], p[2]);
        b.when_first_row().assert_eq(a, p0);
        b.when_first_row().assert_eq(x, p1);
        b.when_transition().assert_eq(a2, x);
        b.when_transition().assert_eq(x2, a + x);
        b.when_last_row().assert_eq(x, p2);
    }
}

/// Plonky3's [`AirKind::Squares`].
struct P3Squares;

impl<T> BaseAir<T> for P3Squares {
    fn width(&self) -> usize {
        SQUARES_WIDTH
    }
}

impl<AB: P3AirBuilder> P3Air<AB> for P3Squares {
    fn eval(&self, b: &mut AB) {
        let main = b.main();
        for j in 0..SQUARES_WIDTH {
            let (x, x2) = (main.current_slice()[j], main.next_slice()[j]);
            b.when_first_row()
                .assert_eq(x, AB::Expr::from_u64(j as u64 + 2));
            let x: AB::Expr = x.into();
            b.when_transition()
                .assert_eq(x2, x.clone() * x + AB::Expr::from_u64(j as u64 + 1));
        }
    }
}

/// The trace (canonical values, row-major) and public values of an AIR with 2^log_n rows.
fn witness(kind: AirKind, log_n: usize) -> (Vec<u32>, usize, Vec<u32>) {
    let n = 1usize << log_n;
    match kind {
        AirKind::Fib => {
            let (t, public) = fibonacci_trace(n, 1, 1);
            (
                t.values.iter().map(|x| x.as_canonical()).collect(),
                2,
                public.iter().map(|x| x.as_canonical()).collect(),
            )
        }
        AirKind::Squares => {
            let w = SQUARES_WIDTH;
            let mut v = vec![0u32; n * w];
            for (j, x) in v[..w].iter_mut().enumerate() {
                *x = j as u32 + 2;
            }
            for i in 1..n {
                let (prev, row) = v[(i - 1) * w..(i + 1) * w].split_at_mut(w);
                for (j, (y, &x)) in row.iter_mut().zip(prev.iter()).enumerate() {
                    *y = ((x as u64 * x as u64 + j as u64 + 1) % P) as u32;
                }
            }
            (v, w, vec![])
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The systems.

/// One prover/verifier set up for one statement, with a proof already made and checked.
trait System {
    /// Name for reports.
    fn name(&self) -> String;
    /// One timed prove (seconds); the trace copy it consumes is made untimed.
    fn time_prove(&mut self) -> f64;
    /// One timed verify of the proof made at construction (seconds).
    fn time_verify(&self) -> f64;
    /// Proof size in bytes: our codec, or Plonky3's postcard encoding (what it uses itself).
    fn proof_bytes(&self) -> usize;
    /// Plonky3's proof with fixed-width integers (bincode 1), like our codec; ours: same.
    fn proof_bytes_fixed(&self) -> usize;
    /// Number of quotient chunks committed.
    fn quotient_chunks(&self) -> usize;
    /// Seconds per prover phase of the first proof, where the system reports them.
    fn phases(&self) -> Vec<(&'static str, f64)> {
        Vec::new()
    }
    /// The proof's size by part, where the system reports it.
    fn size_breakdown(&self) -> Option<codec::SizeBreakdown> {
        None
    }
}

fn elapsed<R>(f: impl FnOnce() -> R) -> f64 {
    let t = Instant::now();
    let r = f();
    let e = t.elapsed().as_secs_f64();
    drop(std::hint::black_box(r));
    e
}

/// rvzk's STARK with its default 100-bit parameters.
struct Ours {
    label: String,
    cfg: StarkConfig,
    air: Box<dyn Table>,
    pk: stark::ProvingKey,
    vk: stark::VerifyingKey,
    trace: RowMajorMatrix<F>,
    public: Vec<F>,
    proof: stark::StarkProof,
    /// The next proof's seed (zero-knowledge randomness): a fresh one for every proof.
    seed: u64,
    bytes: usize,
    breakdown: codec::SizeBreakdown,
    phases: Vec<(&'static str, f64)>,
}

impl Ours {
    fn new(
        label: &str,
        zk: bool,
        air: Box<dyn Table>,
        values: &[u32],
        width: usize,
        public: &[u32],
    ) -> Ours {
        let cfg = StarkConfig::default_100_bits().with_zk(zk);
        let (pk, vk) = stark::setup(&cfg, &[air.as_ref()]);
        let trace = RowMajorMatrix::new(values.iter().map(|&x| F::new(x)).collect(), width);
        let public: Vec<F> = public.iter().map(|&x| F::new(x)).collect();
        let tables = [air.as_ref()];
        let (proof, stats) = stark::prove_with_stats(
            &cfg,
            &pk,
            &vk,
            &tables,
            vec![trace.clone()],
            &public,
            &[],
            0,
        )
        .expect("rvzk proves");
        stark::verify(&cfg, &vk, &tables, &proof, &public, &[]).expect("rvzk proof verifies");
        if let Some(last) = public.last() {
            let mut wrong = public.clone();
            *wrong.last_mut().unwrap() = *last + F::new(1);
            assert!(
                stark::verify(&cfg, &vk, &tables, &proof, &wrong, &[]).is_err(),
                "rvzk accepts a wrong public value"
            );
        }
        let (bytes, breakdown) = codec::encode_with_breakdown(&proof);
        let bytes = bytes.len();
        Ours {
            label: label.into(),
            cfg,
            air,
            pk,
            vk,
            trace,
            public,
            proof,
            seed: 1,
            bytes,
            breakdown,
            phases: stats.phases,
        }
    }
}

impl System for Ours {
    fn name(&self) -> String {
        self.label.clone()
    }
    fn time_prove(&mut self) -> f64 {
        let t = self.trace.clone();
        let tables = [self.air.as_ref()];
        let seed = self.seed;
        self.seed += 1;
        elapsed(|| {
            stark::prove(
                &self.cfg,
                &self.pk,
                &self.vk,
                &tables,
                vec![t],
                &self.public,
                &[],
                seed,
            )
            .unwrap()
        })
    }
    fn time_verify(&self) -> f64 {
        let tables = [self.air.as_ref()];
        elapsed(|| {
            stark::verify(&self.cfg, &self.vk, &tables, &self.proof, &self.public, &[]).unwrap()
        })
    }
    fn proof_bytes(&self) -> usize {
        self.bytes
    }
    fn proof_bytes_fixed(&self) -> usize {
        self.bytes
    }
    fn quotient_chunks(&self) -> usize {
        // The tallest group's chunks come first.
        self.proof.quotient_opened.len() / 4
    }
    fn phases(&self) -> Vec<(&'static str, f64)> {
        self.phases.clone()
    }
    fn size_breakdown(&self) -> Option<codec::SizeBreakdown> {
        Some(self.breakdown.clone())
    }
}

type P3Val = p3_baby_bear::BabyBear;
type P3Challenge = p3_field::extension::BinomialExtensionField<P3Val, 4>;
type P3Challenger = SerializingChallenger32<P3Val, HashChallenger<u8, Sha256, 32>>;
type P3Config<Pcs> = p3_uni_stark::StarkConfig<Pcs, P3Challenge, P3Challenger>;
type P3Mat = p3_matrix::dense::RowMajorMatrix<P3Val>;

type P3ValMmcs =
    p3_merkle_tree::MerkleTreeMmcs<P3Val, u8, SerializingHasher<Sha256>, Sha256Compress, 2, 32>;
type P3ChallengeMmcs = p3_commit::ExtensionMmcs<P3Val, P3Challenge, P3ValMmcs>;
type P3Pcs<D> = p3_fri::TwoAdicFriPcs<P3Val, D, P3ValMmcs, P3ChallengeMmcs>;
/// A SHA-256 Merkle root (cap of height 0), salted or not.
type P3Commitment = <P3ValMmcs as p3_commit::Mmcs<P3Val>>::Commitment;

/// Salted leaves: five random base elements per leaf, as our hiding commitments use.
type P3HidingValMmcs = p3_merkle_tree::MerkleTreeHidingMmcs<
    P3Val,
    u8,
    SerializingHasher<Sha256>,
    Sha256Compress,
    StdRng,
    2,
    32,
    5,
>;
type P3HidingChallengeMmcs = p3_commit::ExtensionMmcs<P3Val, P3Challenge, P3HidingValMmcs>;
type P3HidingPcs<D> =
    p3_fri::HidingFriPcs<P3Val, D, P3HidingValMmcs, P3HidingChallengeMmcs, StdRng>;

/// Plonky3's FRI parameters closest to ours: blowup 4, folding by up to 16, final polynomial
/// of 8 coefficients, 42 queries, 16 bits of grinding before the queries (none elsewhere).
fn p3_fri_params<M>(mmcs: M) -> p3_fri::FriParameters<M> {
    p3_fri::FriParameters {
        log_blowup: 2,
        log_final_poly_len: 3,
        max_log_arity: 4,
        num_queries: 42,
        batch_proof_of_work_bits: 0,
        commit_proof_of_work_bits: 0,
        query_proof_of_work_bits: 16,
        mmcs,
    }
}

fn p3_challenger() -> P3Challenger {
    P3Challenger::from_hasher(vec![], Sha256)
}

/// Plonky3's uni-STARK with FRI over SHA-256 and DFT `D`.
fn p3_config<D: TwoAdicSubgroupDft<P3Val>>(dft: D) -> P3Config<P3Pcs<D>> {
    let val_mmcs = P3ValMmcs::new(SerializingHasher::new(Sha256), Sha256Compress, 0);
    let fri = p3_fri_params(P3ChallengeMmcs::new(val_mmcs));
    P3Config::new(P3Pcs::new(dft, val_mmcs, fri), p3_challenger())
}

/// The same, zero-knowledge: `HidingFriPcs` (the trace extended to twice its height with
/// random rows, random codewords in the FRI batch) over salted Merkle trees.
fn p3_hiding_config<D: TwoAdicSubgroupDft<P3Val>>(dft: D) -> P3Config<P3HidingPcs<D>> {
    let mmcs = P3HidingValMmcs::new(
        SerializingHasher::new(Sha256),
        Sha256Compress,
        0,
        StdRng::seed_from_u64(1),
    );
    let fri = p3_fri_params(P3HidingChallengeMmcs::new(mmcs.clone()));
    // At least the extension degree (4) random codewords, as HidingFriPcs requires.
    let pcs = P3HidingPcs::new(dft, mmcs, fri, 4, StdRng::seed_from_u64(2));
    P3Config::new(pcs, p3_challenger())
}

/// Plonky3's uni-STARK with commitment scheme `Pcs` on AIR `A`.
struct Peer<Pcs: P3PcsBound, A> {
    label: String,
    config: P3Config<Pcs>,
    air: A,
    trace: P3Mat,
    public: Vec<P3Val>,
    proof: p3_uni_stark::Proof<P3Config<Pcs>>,
    bytes: usize,
    bytes_fixed: usize,
}

/// The commitment schemes compared: Plonky3's FRI over our field and challenger.
trait P3PcsBound:
    p3_commit::UnivariateStarkPcs<
        P3Challenge,
        P3Challenger,
        Domain = p3_field::coset::TwoAdicMultiplicativeCoset<P3Val>,
        Commitment = P3Commitment,
    > + Clone
{
}

impl<T> P3PcsBound for T where
    T: p3_commit::UnivariateStarkPcs<
            P3Challenge,
            P3Challenger,
            Domain = p3_field::coset::TwoAdicMultiplicativeCoset<P3Val>,
            Commitment = P3Commitment,
        > + Clone
{
}

/// What `p3_uni_stark::prove` and `verify` need of an AIR under our configuration (in debug
/// builds, `prove` also checks the trace with its debug builder).
trait PeerAir<Pcs: P3PcsBound>:
    BaseAir<P3Val>
    + p3_uni_stark::QuotientAir<P3Config<Pcs>>
    + P3Air<p3_uni_stark::SymbolicAirBuilder<P3Val>>
    + for<'a> P3Air<p3_uni_stark::VerifierConstraintFolder<'a, P3Config<Pcs>>>
    + DebugAir
{
}

impl<Pcs: P3PcsBound, A> PeerAir<Pcs> for A where
    A: BaseAir<P3Val>
        + p3_uni_stark::QuotientAir<P3Config<Pcs>>
        + P3Air<p3_uni_stark::SymbolicAirBuilder<P3Val>>
        + for<'a> P3Air<p3_uni_stark::VerifierConstraintFolder<'a, P3Config<Pcs>>>
        + DebugAir
{
}

#[cfg(debug_assertions)]
trait DebugAir: for<'a> P3Air<p3_air::DebugConstraintBuilder<'a, P3Val>> {}
#[cfg(debug_assertions)]
impl<A: for<'a> P3Air<p3_air::DebugConstraintBuilder<'a, P3Val>>> DebugAir for A {}
#[cfg(not(debug_assertions))]
trait DebugAir {}
#[cfg(not(debug_assertions))]
impl<A> DebugAir for A {}

impl<Pcs: P3PcsBound, A: PeerAir<Pcs>> Peer<Pcs, A> {
    fn new(
        label: &str,
        config: P3Config<Pcs>,
        air: A,
        values: &[u32],
        width: usize,
        public: &[u32],
    ) -> Self {
        let trace = P3Mat::new(values.iter().map(|&x| P3Val::new(x)).collect(), width);
        let public: Vec<P3Val> = public.iter().map(|&x| P3Val::new(x)).collect();
        let proof =
            p3_uni_stark::prove(&config, &air, trace.clone(), &public).expect("Plonky3 proves");
        p3_uni_stark::verify(&config, &air, &proof, &public).expect("Plonky3 proof verifies");
        if let Some(last) = public.last() {
            let mut wrong = public.clone();
            *wrong.last_mut().unwrap() = *last + P3Val::ONE;
            assert!(
                p3_uni_stark::verify(&config, &air, &proof, &wrong).is_err(),
                "Plonky3 accepts a wrong public value"
            );
        }
        let bytes = postcard::to_allocvec(&proof).expect("postcard").len();
        let bytes_fixed = bincode::serialized_size(&proof).expect("bincode") as usize;
        Peer {
            label: label.into(),
            config,
            air,
            trace,
            public,
            proof,
            bytes,
            bytes_fixed,
        }
    }
}

impl<Pcs: P3PcsBound, A: PeerAir<Pcs>> System for Peer<Pcs, A> {
    fn name(&self) -> String {
        self.label.clone()
    }
    fn time_prove(&mut self) -> f64 {
        let t = self.trace.clone();
        elapsed(|| p3_uni_stark::prove(&self.config, &self.air, t, &self.public).unwrap())
    }
    fn time_verify(&self) -> f64 {
        elapsed(|| {
            p3_uni_stark::verify(&self.config, &self.air, &self.proof, &self.public).unwrap()
        })
    }
    fn proof_bytes(&self) -> usize {
        self.bytes
    }
    fn proof_bytes_fixed(&self) -> usize {
        self.bytes_fixed
    }
    fn quotient_chunks(&self) -> usize {
        self.proof.opened_values.quotient_chunks.len()
    }
}

/// One system in the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    name: &'static str,
    /// rvzk (compared against the fastest Plonky3 entry with the same `zk`).
    ours: bool,
    /// Zero-knowledge.
    zk: bool,
}

const OURS: Entry = Entry {
    name: "rvzk",
    ours: true,
    zk: false,
};
/// Ours, zero-knowledge (our default configuration).
const OURS_ZK: Entry = Entry {
    name: "rvzk zk",
    ours: true,
    zk: true,
};
/// Ours with the squares AIR declared at degree 2 (one quotient chunk, as Plonky3 counts).
const OURS_Q1: Entry = Entry {
    name: "rvzk (1 quotient chunk)",
    ours: true,
    zk: false,
};
const P3_DIT: Entry = Entry {
    name: "p3 Radix2DitParallel",
    ours: false,
    zk: false,
};
const P3_SMALL_BATCH: Entry = Entry {
    name: "p3 Radix2DFTSmallBatch",
    ours: false,
    zk: false,
};
const P3_HIDING: Entry = Entry {
    name: "p3 HidingFriPcs",
    ours: false,
    zk: true,
};

fn systems_for(kind: AirKind, zk: bool) -> Vec<Entry> {
    let mut v = vec![OURS];
    if kind == AirKind::Squares {
        v.push(OURS_Q1);
    }
    v.extend([OURS_ZK, P3_DIT, P3_SMALL_BATCH, P3_HIDING]);
    v.retain(|e| zk || !e.zk);
    v
}

fn entry(name: &str) -> Entry {
    [OURS, OURS_Q1, OURS_ZK, P3_DIT, P3_SMALL_BATCH, P3_HIDING]
        .into_iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("unknown system {name}"))
}

fn make(e: Entry, kind: AirKind, log_n: usize) -> Box<dyn System> {
    let (values, width, public) = witness(kind, log_n);
    let lde = 1usize << (log_n + 3);
    macro_rules! peer {
        ($config:expr) => {
            match kind {
                AirKind::Fib => {
                    Box::new(Peer::new(e.name, $config, P3Fib, &values, width, &public))
                        as Box<dyn System>
                }
                AirKind::Squares => Box::new(Peer::new(
                    e.name, $config, P3Squares, &values, width, &public,
                )),
            }
        };
    }
    let small_batch = || p3_dft::Radix2DFTSmallBatch::<P3Val>::new(lde);
    match e {
        OURS | OURS_Q1 | OURS_ZK => {
            let air: Box<dyn Table> = match kind {
                AirKind::Fib => Box::new(Fibonacci),
                AirKind::Squares => Box::new(Squares {
                    max_degree: if e == OURS { 3 } else { 2 },
                }),
            };
            Box::new(Ours::new(e.name, e.zk, air, &values, width, &public))
        }
        P3_DIT => peer!(p3_config(p3_dft::Radix2DitParallel::<P3Val>::default())),
        P3_SMALL_BATCH => peer!(p3_config(small_batch())),
        P3_HIDING => peer!(p3_hiding_config(small_batch())),
        _ => unreachable!(),
    }
}

// ---------------------------------------------------------------------------------------------
// Measurement.

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[t.len() / 2]
}

/// Medians of `reps` runs of `f` on each system, round-robin (the construction's proof was the
/// warm-up).
fn round_robin(
    systems: &mut [Box<dyn System>],
    reps: usize,
    f: impl Fn(&mut dyn System) -> f64,
) -> Vec<f64> {
    let mut times = vec![Vec::with_capacity(reps); systems.len()];
    for _ in 0..reps {
        for (t, s) in times.iter_mut().zip(systems.iter_mut()) {
            t.push(f(s.as_mut()));
        }
    }
    times.into_iter().map(median).collect()
}

/// This process's peak resident set (KiB), from `/proc/self/status`.
fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak RSS (MiB) of a child process that proves and verifies once with `system`.
fn child_rss_mib(system: &str, kind: AirKind, log_n: usize, threads: usize) -> Option<f64> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .args([
            "--child",
            system,
            kind.name(),
            &log_n.to_string(),
            &threads.to_string(),
        ])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "child {system} {} 2^{log_n} failed: {}",
        kind.name(),
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = s
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM_kib "))?
        .parse()
        .ok()?;
    Some(kib as f64 / 1024.0)
}

fn child(args: &[String]) {
    let (system, kind) = (entry(&args[0]), AirKind::parse(&args[1]));
    let log_n: usize = args[2].parse().unwrap();
    let threads: usize = args[3].parse().unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let reps: usize = args.get(4).map_or(0, |r| r.parse().unwrap());
    pool.install(|| {
        let mut s = make(system, kind, log_n);
        for _ in 0..reps {
            eprintln!("prove {:.4} s", s.time_prove());
        }
    });
    println!("VmHWM_kib {}", vm_hwm_kib().expect("VmHWM"));
}

/// Timing repetitions: fewer for the big cases.
fn reps(log_n: usize) -> (usize, usize) {
    match log_n {
        0..=16 => (11, 31),
        17..=18 => (7, 25),
        _ => (5, 21),
    }
}

/// Proves, verifies and times one AIR at one height with every system, in the current rayon
/// pool of `threads` threads; prints the lines and appends the records.
fn run_case(
    kind: AirKind,
    log_n: usize,
    threads: usize,
    zk: bool,
    max_reps: Option<usize>,
    records: &mut Vec<serde_json::Value>,
) {
    let case = format!("{} 2^{log_n}", kind.name());
    let entries = systems_for(kind, zk);
    let mut systems: Vec<Box<dyn System>> = entries.iter().map(|&e| make(e, kind, log_n)).collect();
    let (rp, rv) = reps(log_n);
    let rp = max_reps.map_or(rp, |m| rp.min(m.max(1)));
    let prove = round_robin(&mut systems, rp, |s| s.time_prove());
    let verify = round_robin(&mut systems, rv, |s| s.time_verify());
    let rss: Vec<Option<f64>> = entries
        .iter()
        .map(|e| child_rss_mib(e.name, kind, log_n, threads))
        .collect();
    let mib = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.0}"));
    for (o, eo) in entries.iter().enumerate().filter(|(_, e)| e.ours) {
        // The fastest Plonky3 entry of the same kind (plain or zero-knowledge) by prove time
        // is the peer for both lines.
        let Some(best) = (0..entries.len())
            .filter(|&i| !entries[i].ours && entries[i].zk == eo.zk)
            .min_by(|&a, &b| prove[a].partial_cmp(&prove[b]).unwrap())
        else {
            continue;
        };
        let suffix = match *eo {
            OURS_Q1 => " [1 chunk]",
            _ if eo.zk => " zk",
            _ => "",
        };
        for (op, t) in [("prove", &prove), ("verify", &verify)] {
            let name = format!("{case} {op}{suffix} t={threads}");
            let (ours_s, peer_s) = (t[o], t[best]);
            let ratio = ours_s / peer_s;
            let (so, sp) = (&systems[o], &systems[best]);
            let (ro, rp) = if op == "prove" {
                (rss[o], rss[best])
            } else {
                (None, None)
            };
            println!(
                "{:<34} {:>9.4} {:>9.4} {:>6.2}  {:<24} {:>8} {:>8} {:>8}  {:>8} {:>8}  {}/{}",
                name,
                ours_s,
                peer_s,
                ratio,
                sp.name(),
                so.proof_bytes(),
                sp.proof_bytes(),
                sp.proof_bytes_fixed(),
                mib(ro),
                mib(rp),
                so.quotient_chunks(),
                sp.quotient_chunks()
            );
            records.push(json!({
                "name": name,
                "ours_s": ours_s,
                "peer": sp.name(),
                "peer_s": peer_s,
                "ratio": ratio,
                "ours_proof_bytes": so.proof_bytes(),
                "peer_proof_bytes_postcard": sp.proof_bytes(),
                "peer_proof_bytes_fixed_width": sp.proof_bytes_fixed(),
                "ours_peak_rss_mib": ro,
                "peer_peak_rss_mib": rp,
                "ours_quotient_chunks": so.quotient_chunks(),
                "peer_quotient_chunks": sp.quotient_chunks(),
            }));
        }
    }
    // Our phases and proof layout (first proof), and every Plonky3 entry's times.
    for (e, sys) in entries.iter().zip(&systems).filter(|(e, _)| e.ours) {
        let phases = sys.phases();
        let total: f64 = phases.iter().map(|p| p.1).sum();
        let list: Vec<String> = phases
            .iter()
            .map(|(p, t)| format!("{p} {:.0}%", 100.0 * t / total))
            .collect();
        println!("    {} phases: {}", e.name, list.join(", "));
        if let Some(b) = sys.size_breakdown() {
            println!(
                "    {} proof bytes: header+commitments {}, OOD {}, FRI commit phase {}, \
                 FRI queries {}, trace queries {}",
                e.name,
                b.header_and_commitments,
                b.ood_openings,
                b.fri_commit_phase,
                b.fri_queries,
                b.trace_queries
            );
        }
    }
    for (i, e) in entries.iter().enumerate().filter(|(_, e)| !e.ours) {
        println!(
            "    {:<28} prove {:>8.4} s  verify {:>8.5} s  {:>7} B  peak {} MiB",
            e.name,
            prove[i],
            verify[i],
            systems[i].proof_bytes(),
            mib(rss[i])
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return;
    }
    let plain = args.iter().any(|a| a == "--plain");
    // The value following a `--name` option.
    let value = |name: &str| -> Option<usize> {
        let i = args.iter().position(|a| a == name)?;
        let v = args
            .get(i + 1)
            .unwrap_or_else(|| panic!("{name} needs a value\n{USAGE}"));
        Some(
            v.parse()
                .unwrap_or_else(|_| panic!("{name} {v}: not a number")),
        )
    };
    let max_reps = value("--reps");
    let thread_counts: Vec<usize> = value("--threads").map_or(vec![1, 2], |t| vec![t]);
    // Positional: not an option and not an option's value.
    let is_value = |i: usize| i > 0 && matches!(args[i - 1].as_str(), "--reps" | "--threads");
    let only = args
        .iter()
        .enumerate()
        .find(|&(i, a)| !a.starts_with("--") && !is_value(i))
        .map(|(_, a)| a.clone());
    let mut records = Vec::new();
    println!(
        "{:<34} {:>9} {:>9} {:>6}  {:<24} {:>8} {:>8} {:>8}  {:>8} {:>8}  q",
        "case",
        "ours (s)",
        "peer (s)",
        "ratio",
        "peer",
        "ours B",
        "peer B",
        "peer B*",
        "ours MiB",
        "peer MiB"
    );
    for threads in thread_counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for kind in [AirKind::Fib, AirKind::Squares] {
            for log_n in [16usize, 18, 20] {
                let case = format!("{} 2^{log_n}", kind.name());
                if only.as_deref().is_some_and(|o| !case.contains(o)) {
                    continue;
                }
                pool.install(|| run_case(kind, log_n, threads, !plain, max_reps, &mut records));
            }
        }
    }
    println!("(B = proof bytes: ours by our codec, peer by postcard; B* = peer with fixed-width integers, bincode 1; q = quotient chunks ours/peer)");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    std::fs::create_dir_all(&dir).expect("create build/bench");
    let path = dir.join("stark.json");
    let json = serde_json::to_string_pretty(&records).expect("serialise");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(json.as_bytes()))
        .expect("write stark.json");
    println!("wrote {}", path.display());
}
