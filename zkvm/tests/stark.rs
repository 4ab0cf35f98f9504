//! The STARK on toy AIRs: true statements prove and verify; every false statement we can
//! make — broken constraints, unbalanced buses, wrong public values, tampered proofs — is
//! refused by the honest prover and rejected by the verifier when a cheating prover forces it.
//! Every soundness test runs twice: without zero-knowledge and with it (the `ZK` cases use
//! tables tall enough to hide; see `StarkConfig::zk_shortfall`).

use rvzk_zkvm::air::toy::{fibonacci_trace as fib_trace, Fibonacci as Fib};
use rvzk_zkvm::air::{Air, AirBuilder, Direction, F};
use rvzk_zkvm::field::{Field, PrimeField32};
use rvzk_zkvm::matrix::RowMajorMatrix;
use rvzk_zkvm::mmcs::{BatchOpening, LeafOpening, SALT_WIDTH};
use rvzk_zkvm::stark::{
    prove, prove_with_options, setup, verify, ProveError, ProverOptions, PublicInteraction, Seed,
    StarkConfig, StarkError, StarkProof, Table, BLINDING_BUS, BUS_LIMIT, E,
};

fn f(x: u32) -> F {
    F::new(x)
}

// ---- A counter range-checked through a preprocessed byte table ----------------------------

const RANGE_BUS: usize = 0;

/// Column c: c₀ = pub0, c' = c + 1; sends c on the range bus.
struct Counter;

impl Air for Counter {
    fn name(&self) -> String {
        "counter".into()
    }
    fn width(&self) -> usize {
        1
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let c: B::Expr = b.local()[0].into();
        let c2: B::Expr = b.next()[0].into();
        let p0 = b.public_values()[0];
        let first = b.is_first_row();
        let tr = b.is_transition();
        b.assert_zero(first * (c.clone() - p0));
        b.assert_zero(tr * (c2 - c.clone() - F::ONE));
        b.send(RANGE_BUS, &[c], F::ONE.into());
    }
}

/// Preprocessed column v = 0..255; main column m: how often v is looked up.
struct ByteTable;

impl Air for ByteTable {
    fn name(&self) -> String {
        "bytes".into()
    }
    fn width(&self) -> usize {
        1
    }
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        Some(RowMajorMatrix::new((0..256).map(f).collect(), 1))
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let v: B::Expr = b.preprocessed_local()[0].into();
        let m: B::Expr = b.local()[0].into();
        b.receive(RANGE_BUS, &[v], m);
    }
}

fn range_traces(start: u32, n: usize) -> (Vec<RowMajorMatrix<F>>, Vec<F>) {
    let counter = RowMajorMatrix::new((0..n as u32).map(|i| f(start + i)).collect(), 1);
    let mut mult = vec![F::ZERO; 256];
    for i in 0..n as u32 {
        if ((start + i) as usize) < 256 {
            mult[(start + i) as usize] += F::ONE;
        }
    }
    (vec![counter, RowMajorMatrix::new(mult, 1)], vec![f(start)])
}

// ---- Two tables joined by a bus, and a bus fed by public values ---------------------------

const PAIR_BUS: usize = 1;
const JOURNAL_BUS: usize = 2;

/// Columns (x, y, m): requires y = x² and sends (x, y) with multiplicity m.
struct Squares;

impl Air for Squares {
    fn name(&self) -> String {
        "squares".into()
    }
    fn width(&self) -> usize {
        3
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let x: B::Expr = b.local()[0].into();
        let y: B::Expr = b.local()[1].into();
        let m: B::Expr = b.local()[2].into();
        b.assert_zero(y.clone() - x.clone() * x.clone());
        b.send(PAIR_BUS, &[x, y], m);
    }
}

/// Columns (x, y, flag): receives (x, y) when flag = 1, and sends y on the journal bus then.
struct Consumer;

impl Air for Consumer {
    fn name(&self) -> String {
        "consumer".into()
    }
    fn width(&self) -> usize {
        3
    }
    fn max_degree(&self) -> usize {
        3
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let x: B::Expr = b.local()[0].into();
        let y: B::Expr = b.local()[1].into();
        let flag: B::Expr = b.local()[2].into();
        b.assert_bool(flag.clone());
        b.receive(PAIR_BUS, &[x, y.clone()], flag.clone());
        b.send(JOURNAL_BUS, &[y], flag);
    }
}

/// Squares of 0..n_sq; the consumer uses x = 3, 5, 5, 7 (flags on) in n_cons rows; the
/// journal (public) is the four squares.
fn join_traces(n_sq: u32, n_cons: usize) -> (Vec<RowMajorMatrix<F>>, Vec<F>) {
    let used = [3u32, 5, 5, 7];
    let mut sq = Vec::new();
    for x in 0..n_sq {
        let m = used.iter().filter(|&&u| u == x).count() as u32;
        sq.extend([f(x), f(x * x), f(m)]);
    }
    let mut cons = Vec::new();
    for r in 0..n_cons {
        match used.get(r) {
            Some(&x) => cons.extend([f(x), f(x * x), F::ONE]),
            None => cons.extend([F::ZERO, F::ZERO, F::ZERO]),
        }
    }
    let public = used.iter().map(|&x| f(x * x)).collect();
    (
        vec![RowMajorMatrix::new(sq, 3), RowMajorMatrix::new(cons, 3)],
        public,
    )
}

/// The verifier receives the journal from the journal bus.
fn journal_interactions(public: &[F]) -> Vec<PublicInteraction> {
    public
        .iter()
        .map(|&v| PublicInteraction {
            bus: JOURNAL_BUS,
            direction: Direction::Receive,
            values: vec![v],
            multiplicity: F::ONE,
        })
        .collect()
}

// ---- Harness ---------------------------------------------------------------------------------

/// Without zero-knowledge.
const PLAIN: StarkConfig = StarkConfig::insecure_for_tests();
/// With zero-knowledge.
const ZK: StarkConfig = StarkConfig::zk_for_tests();
/// Both, for tests that must hold either way.
const MODES: [StarkConfig; 2] = [PLAIN, ZK];

struct Case<'a> {
    cfg: StarkConfig,
    seed: u64,
    tables: Vec<&'a dyn Table>,
    traces: Vec<RowMajorMatrix<F>>,
    public: Vec<F>,
    public_interactions: Vec<PublicInteraction>,
}

impl Case<'_> {
    fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

fn prove_case(c: &Case<'_>, options: &ProverOptions) -> Result<StarkProof, ProveError> {
    let (pk, vk) = setup(&c.cfg, &c.tables);
    prove_with_options(
        &c.cfg,
        &pk,
        &vk,
        &c.tables,
        c.traces.clone(),
        &c.public,
        &c.public_interactions,
        options,
        c.seed,
    )
}

fn verify_case(c: &Case<'_>, proof: &StarkProof) -> Result<(), StarkError> {
    let (_, vk) = setup(&c.cfg, &c.tables);
    verify(
        &c.cfg,
        &vk,
        &c.tables,
        proof,
        &c.public,
        &c.public_interactions,
    )
}

fn fib_case(cfg: StarkConfig, n: usize) -> Case<'static> {
    let (trace, public) = fib_trace(n, 1, 1);
    Case {
        cfg,
        seed: 1,
        tables: vec![&Fib],
        traces: vec![trace],
        public,
        public_interactions: vec![],
    }
}

/// A Fibonacci height that hides under `cfg` (the smallest), or a small one without zk.
fn fib_small(cfg: StarkConfig) -> usize {
    if cfg.zk {
        1 << cfg.min_zk_log_height()
    } else {
        8
    }
}

fn range_case(cfg: StarkConfig, start: u32, n: usize) -> Case<'static> {
    let (traces, public) = range_traces(start, n);
    Case {
        cfg,
        seed: 2,
        tables: vec![&Counter, &ByteTable],
        traces,
        public,
        public_interactions: vec![],
    }
}

/// Squares of 0..8 and 16 consumer rows; 128 and 128 with zero-knowledge (tall enough to
/// hide).
fn join_case(cfg: StarkConfig) -> Case<'static> {
    let (traces, public) = if cfg.zk {
        join_traces(128, 128)
    } else {
        join_traces(8, 16)
    };
    let pi = journal_interactions(&public);
    Case {
        cfg,
        seed: 3,
        tables: vec![&Squares, &Consumer],
        traces,
        public,
        public_interactions: pi,
    }
}

fn assert_proves_and_verifies(c: &Case<'_>) -> StarkProof {
    let proof = prove_case(c, &ProverOptions::HONEST).expect("honest proof");
    verify_case(c, &proof).expect("honest proof verifies");
    proof
}

// ---- True statements -------------------------------------------------------------------------

#[test]
fn fibonacci_proves_and_verifies() {
    for n in [2, 8, 64, 1024] {
        assert_proves_and_verifies(&fib_case(PLAIN, n));
    }
    for n in [128, 1024] {
        let proof = assert_proves_and_verifies(&fib_case(ZK, n));
        assert_eq!(proof.mask_opened.len(), 4, "one mask per FRI input height");
    }
}

#[test]
fn range_check_through_a_preprocessed_table() {
    for cfg in MODES {
        // Counter height 128 (values 100..227) and byte table height 256: two heights.
        assert_proves_and_verifies(&range_case(cfg, 100, 128));
        assert_proves_and_verifies(&range_case(cfg, 0, 256));
    }
}

#[test]
fn two_tables_joined_by_a_bus_fed_by_public_values() {
    for cfg in MODES {
        assert_proves_and_verifies(&join_case(cfg));
    }
}

#[test]
fn default_parameters_reach_100_bits_hide_and_verify() {
    let cfg = StarkConfig::default_100_bits();
    assert!(cfg.security_bits() >= 100.0);
    assert!(cfg.zk, "zero-knowledge is on by default");
    assert_eq!(cfg.min_zk_log_height(), 7);
    for c in [fib_case(cfg, 1024), range_case(cfg.with_zk(false), 10, 128)] {
        let (pk, vk) = setup(&c.cfg, &c.tables);
        let proof = prove(
            &c.cfg,
            &pk,
            &vk,
            &c.tables,
            c.traces.clone(),
            &c.public,
            &[],
            9,
        )
        .unwrap();
        verify(&c.cfg, &vk, &c.tables, &proof, &c.public, &[]).unwrap();
    }
    // With zero-knowledge a range check of 64 rows is too short for 38 queries (it needs
    // 2·(38 + 1) = 78): refused, with the reason.
    let e = prove_case(&range_case(cfg, 10, 64), &ProverOptions::HONEST).unwrap_err();
    assert!(e.to_string().contains("78 rows"), "{e}");
}

#[test]
fn proofs_are_deterministic() {
    for cfg in MODES {
        let c = join_case(cfg);
        assert_eq!(
            prove_case(&c, &ProverOptions::HONEST).unwrap(),
            prove_case(&c, &ProverOptions::HONEST).unwrap()
        );
    }
    // Without zero-knowledge the seed is not used at all.
    let c = join_case(PLAIN);
    assert_eq!(
        prove_case(&c, &ProverOptions::HONEST).unwrap(),
        prove_case(&join_case(PLAIN).seed(99), &ProverOptions::HONEST).unwrap()
    );
}

// ---- Zero-knowledge ---------------------------------------------------------------------------

#[test]
fn same_seed_same_bytes_other_seed_nothing_in_common() {
    use rvzk_zkvm::stark::codec::encode;
    for c in [join_case(ZK), range_case(ZK, 0, 256)] {
        let a = prove_case(&c, &ProverOptions::HONEST).unwrap();
        assert_eq!(
            encode(&a),
            encode(&prove_case(&c, &ProverOptions::HONEST).unwrap())
        );
        let c2 = Case {
            seed: c.seed + 1000,
            ..c
        };
        let b = assert_proves_and_verifies(&c2);
        assert_ne!(a.main_commit, b.main_commit);
        assert_ne!(a.quotient_commit, b.quotient_commit);
        // Every trace column's out-of-domain openings differ (ζ differs too: the commitments
        // it is drawn after differ).
        for (oa, ob) in a.opened.iter().zip(&b.opened) {
            for (va, vb) in [
                (&oa.main_local, &ob.main_local),
                (&oa.main_next, &ob.main_next),
                (&oa.aux_local, &ob.aux_local),
                (&oa.aux_next, &ob.aux_next),
            ] {
                assert!(va.iter().zip(vb).all(|(x, y)| x != y), "an opening repeats");
            }
        }
        assert!(a
            .quotient_opened
            .iter()
            .zip(&b.quotient_opened)
            .all(|(x, y)| x != y));
        assert!(a
            .mask_opened
            .iter()
            .zip(&b.mask_opened)
            .all(|(x, y)| x != y));
        // Every opened row differs, masks and salts included.
        let (qa, qb) = (&a.queries, &b.queries);
        let mut pairs = vec![(&qa.main, &qb.main), (&qa.quotient, &qb.quotient)];
        if let (Some(x), Some(y)) = (&qa.aux, &qb.aux) {
            pairs.push((x, y));
        }
        for (ba, bb) in pairs {
            for (oa, ob) in ba.leaves.iter().zip(&bb.leaves) {
                let rows_a = oa.rows.iter().chain(&oa.salts);
                let rows_b = ob.rows.iter().chain(&ob.salts);
                for (ra, rb) in rows_a.zip(rows_b) {
                    assert_ne!(ra, rb, "an opened row repeats");
                }
            }
        }
        assert!(a
            .fri
            .commits
            .iter()
            .zip(&b.fri.commits)
            .all(|(x, y)| x != y));
        assert_ne!(a.fri.final_poly, b.fri.final_poly);
    }
}

#[test]
fn all_32_seed_bytes_count_and_a_u64_is_its_documented_expansion() {
    let c = fib_case(ZK, 128);
    let (pk, vk) = setup(&c.cfg, &c.tables);
    let run = |seed: Seed| {
        let p = prove(
            &c.cfg,
            &pk,
            &vk,
            &c.tables,
            c.traces.clone(),
            &c.public,
            &[],
            seed,
        );
        let p = p.unwrap();
        verify(&c.cfg, &vk, &c.tables, &p, &c.public, &[]).unwrap();
        p
    };
    let mut key = Seed::from_u64(7).0;
    let base = run(Seed(key));
    let from_int = prove(
        &c.cfg,
        &pk,
        &vk,
        &c.tables,
        c.traces.clone(),
        &c.public,
        &[],
        7,
    );
    assert_eq!(from_int.unwrap(), base);
    // Changing the last byte only (beyond any 64-bit prefix) changes every commitment.
    key[31] ^= 1;
    let other = run(Seed(key));
    assert_ne!(other.main_commit, base.main_commit);
    assert_ne!(other.quotient_commit, base.quotient_commit);
    assert_ne!(run(Seed::from_entropy()), base);
}

/// The range check and the join side by side: four tables with interactions on three
/// buses, of two heights (zero-knowledge sizes).
fn four_table_case(cfg: StarkConfig) -> Case<'static> {
    let (mut traces, range_public) = range_traces(0, 256);
    let (join, journal) = join_traces(128, 128);
    traces.extend(join);
    let public: Vec<F> = range_public.into_iter().chain(journal).collect();
    let pi = journal_interactions(&public[1..]);
    Case {
        cfg,
        seed: 4,
        tables: vec![&Counter, &ByteTable, &Squares, &Consumer],
        traces,
        public,
        public_interactions: pi,
    }
}

#[test]
fn zero_knowledge_blinds_every_table_with_interactions_and_plain_proofs_do_not() {
    for case in [join_case, four_table_case] {
        let c = case(ZK);
        let p = assert_proves_and_verifies(&c);
        let plain = assert_proves_and_verifies(&case(PLAIN));
        for (t, table) in c.tables.iter().enumerate() {
            // The AIR's logUp groups (interactions batched by degree): one committed column
            // per group, the last group's h read through the running sum.
            let k = rvzk_zkvm::stark::num_groups(&table.interaction_groups(&c.public));
            // Four blinding columns and one more interaction (group) with zk; the AIR's own
            // shape without.
            assert_eq!(p.opened[t].main_local.len(), table.width() + 4);
            assert_eq!(p.opened[t].aux_local.len(), 4 * (k + 1));
            assert_eq!(plain.opened[t].main_local.len(), table.width());
            assert_eq!(plain.opened[t].aux_local.len(), 4 * k);
        }
    }
    // One table with interactions (the pairs are received by the verifier): its sum is fixed
    // by the public values, nothing to blind; nor is the table without interactions.
    let (sq, _) = join_traces(128, 128);
    let (fib, public) = fib_trace(128, 1, 1);
    let pairs = [(3u32, 1u32), (5, 2), (7, 1)]
        .map(|(x, m)| PublicInteraction {
            bus: PAIR_BUS,
            direction: Direction::Receive,
            values: vec![f(x), f(x * x)],
            multiplicity: f(m),
        })
        .to_vec();
    let c = Case {
        cfg: ZK,
        seed: 5,
        tables: vec![&Squares, &Fib],
        traces: vec![sq[0].clone(), fib],
        public,
        public_interactions: pairs,
    };
    let p = assert_proves_and_verifies(&c);
    assert_eq!(p.opened[0].main_local.len(), 3);
    assert_eq!(p.opened[0].aux_local.len(), 4);
    assert_eq!(p.opened[1].main_local.len(), 2);
}

#[test]
fn claimed_sums_of_one_statement_differ_between_seeds() {
    for c in [join_case(ZK), four_table_case(ZK)] {
        let a = prove_case(&c, &ProverOptions::HONEST).unwrap();
        let b = prove_case(&Case { seed: 77, ..c }, &ProverOptions::HONEST).unwrap();
        for (x, y) in a.claimed_sums.iter().zip(&b.claimed_sums) {
            assert_ne!(x, y);
        }
    }
}

#[test]
fn blinding_tuples_are_bound_by_the_constraints() {
    for c in [join_case(ZK), four_table_case(ZK)] {
        // A received tuple that is not the one sent: the blinding terms no longer cancel.
        let broken = ProverOptions {
            break_blinding: true,
            ..ProverOptions::CHEATING
        };
        let p = prove_case(&c, &broken).unwrap();
        assert_eq!(verify_case(&c, &p), Err(StarkError::Unbalanced));
        // Claiming balanced sums anyway breaks the last-row constraint of the running sum.
        let p = prove_case(
            &c,
            &ProverOptions {
                force_balance: true,
                ..broken
            },
        )
        .unwrap();
        assert!(matches!(
            verify_case(&c, &p),
            Err(StarkError::OodMismatch { .. })
        ));
        let honest = ProverOptions {
            break_blinding: true,
            ..ProverOptions::HONEST
        };
        assert!(matches!(
            prove_case(&c, &honest),
            Err(ProveError::Unbalanced(_))
        ));
    }
}

#[test]
fn cheated_multiplicities_fail_with_blinding_on() {
    // Four blinded tables; the squares table claims (5, 25) three times, the consumer takes
    // it twice. Balanced claims or not, the proof is rejected.
    let mut more = four_table_case(ZK);
    let m = more.traces[2].get(5, 2);
    more.traces[2].row_mut(5)[2] = m + F::ONE;
    // The byte table under-counts one byte.
    let mut fewer = four_table_case(ZK);
    let m = fewer.traces[1].get(7, 0);
    fewer.traces[1].row_mut(7)[0] = m - F::ONE;
    for c in [more, fewer] {
        assert_false_statement(&c);
        let p = prove_case(&c, &ProverOptions::CHEATING).unwrap();
        assert_eq!(verify_case(&c, &p), Err(StarkError::Unbalanced));
        // Balanced claims: the masks are random, but the running sum's last-row constraint
        // still ties each claim to its table's committed columns.
        let p = prove_case(&c, &ProverOptions::CHEATING_BALANCED).unwrap();
        let total: E = p.claimed_sums.iter().copied().sum();
        assert_ne!(
            total,
            E::ZERO,
            "the journal's receives are public, not in the tables"
        );
        assert!(matches!(
            verify_case(&c, &p),
            Err(StarkError::OodMismatch { .. })
        ));
    }
}

/// Sends on a bus number it may not use.
struct OnReservedBus(usize);

impl Air for OnReservedBus {
    fn name(&self) -> String {
        format!("bus {}", self.0)
    }
    fn width(&self) -> usize {
        1
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let c: B::Expr = b.local()[0].into();
        b.send(self.0, &[c], F::ONE.into());
    }
}

#[test]
fn buses_at_or_above_the_limit_are_refused() {
    for cfg in MODES {
        for bus in [BUS_LIMIT, BLINDING_BUS, BUS_LIMIT + 1] {
            // A table on the reserved bus: refused by the prover, rejected by the verifier.
            let air = OnReservedBus(bus);
            let c = Case {
                tables: vec![&air, &Squares],
                ..join_case(cfg)
            };
            let c = Case {
                traces: vec![
                    RowMajorMatrix::new(vec![F::ZERO; c.traces[1].height()], 1),
                    c.traces[0].clone(),
                ],
                ..c
            };
            let e = prove_case(&c, &ProverOptions::HONEST).unwrap_err();
            assert!(
                matches!(e, ProveError::ReservedBus { bus: b, .. } if b == bus),
                "{e}"
            );
            assert!(e.to_string().contains("must be below 65536"), "{e}");
            let good = join_case(cfg);
            let proof = assert_proves_and_verifies(&good);
            let other = Case {
                tables: vec![&air, &Consumer],
                ..join_case(cfg)
            };
            assert!(matches!(
                verify_case(&other, &proof),
                Err(StarkError::ReservedBus { .. })
            ));
            // A public interaction on it.
            let mut c = join_case(cfg);
            c.public_interactions[0].bus = bus;
            assert!(matches!(
                prove_case(&c, &ProverOptions::HONEST),
                Err(ProveError::ReservedBus { .. })
            ));
            assert!(matches!(
                verify_case(&c, &proof),
                Err(StarkError::ReservedBus { .. })
            ));
        }
    }
}

#[test]
fn zero_knowledge_proofs_carry_salts_and_masks() {
    let c = join_case(ZK);
    let p = assert_proves_and_verifies(&c);
    let plain = assert_proves_and_verifies(&join_case(PLAIN));
    assert!(plain.mask_opened.is_empty());
    assert!(plain.queries.main.leaves.iter().all(|l| l.salts.is_empty()));
    assert!(plain
        .fri
        .layers
        .iter()
        .flat_map(|b| &b.leaves)
        .all(|l| l.salts.is_empty()));
    // One salt row on every opening of a trace tree (not the public preprocessed one); none
    // in the FRI layers, whose codewords the masks hide.
    let q = &p.queries;
    for b in [&q.main, &q.quotient, q.aux.as_ref().unwrap()] {
        for o in &b.leaves {
            assert_eq!(o.salts.len(), 1);
            assert_eq!(o.salts[0].len(), SALT_WIDTH);
        }
    }
    assert!(q.prep.is_none());
    assert!(p
        .fri
        .layers
        .iter()
        .flat_map(|b| &b.leaves)
        .all(|l| l.salts.is_empty()));
    // Different rows have different salts.
    let mut rows = std::collections::HashMap::new();
    for l in &p.queries.main.leaves {
        rows.insert(l.rows[0].clone(), l.salts[0].clone());
    }
    let salts: std::collections::HashSet<_> = rows.values().collect();
    assert!(rows.len() > 1);
    assert_eq!(salts.len(), rows.len());
    let c = range_case(ZK, 0, 256);
    let p = assert_proves_and_verifies(&c);
    assert!(p
        .queries
        .prep
        .as_ref()
        .unwrap()
        .leaves
        .iter()
        .all(|l| l.salts.is_empty()));
}

#[test]
fn tables_too_short_to_hide_are_refused() {
    let min = 1usize << ZK.min_zk_log_height();
    assert_eq!(min, 128);
    for n in [8, min / 2] {
        let e = prove_case(&fib_case(ZK, n), &ProverOptions::HONEST).unwrap_err();
        assert!(matches!(e, ProveError::ZkTooShort(_)), "{e}");
        assert!(e.to_string().contains("zk off"), "{e}");
    }
    // The join case's plain sizes (8 and 16 rows) are too short as well.
    let (traces, _) = join_traces(8, 16);
    let c = Case {
        traces,
        ..join_case(ZK)
    };
    assert!(matches!(
        prove_case(&c, &ProverOptions::HONEST),
        Err(ProveError::ZkTooShort(_))
    ));
    // The default parameters need 2^7 rows for one table (2(38 + 1) = 78 rows, rounded
    // up; its FRI mask of 2^8 coefficients covers 38·2 + 128 + 1 revealed values), and 78
    // rows for each.
    let cfg = StarkConfig::default_100_bits();
    assert!(cfg.zk_shortfall(&[6]).is_some());
    assert!(cfg.zk_shortfall(&[7]).is_none());
    assert!(cfg.zk_shortfall(&[12, 7]).is_none());
    let e = cfg.zk_shortfall(&[12, 6]).unwrap();
    assert!(e.contains("table 1") && e.contains("78 rows"), "{e}");
    assert!(cfg.with_zk(false).zk_shortfall(&[1]).is_none());
}

#[test]
fn a_zero_knowledge_proof_does_not_verify_as_a_plain_one() {
    let p = assert_proves_and_verifies(&join_case(ZK));
    let c = Case {
        cfg: PLAIN,
        ..join_case(ZK)
    };
    assert!(verify_case(&c, &p).is_err());
    let p = assert_proves_and_verifies(&fib_case(PLAIN, 128));
    assert!(verify_case(&fib_case(ZK, 128), &p).is_err());
}

// ---- False statements: refused by the prover, rejected by the verifier ----------------------

/// The honest prover refuses; the cheating prover's proof is rejected, also when it makes
/// its claimed sums balance.
fn assert_false_statement(c: &Case<'_>) {
    assert!(
        prove_case(c, &ProverOptions::HONEST).is_err(),
        "honest prover accepted a false witness"
    );
    for options in [ProverOptions::CHEATING, ProverOptions::CHEATING_BALANCED] {
        match prove_case(c, &options) {
            Err(e) => panic!("cheating prover failed to produce anything: {e}"),
            Ok(proof) => {
                let r = verify_case(c, &proof);
                assert!(r.is_err(), "a false statement verified ({options:?})");
            }
        }
    }
}

#[test]
fn one_broken_cell_in_first_middle_or_last_row_is_rejected() {
    for cfg in MODES {
        let small = fib_small(cfg);
        for n in [small, 2 * small] {
            for row in [0, n / 2, n - 1] {
                for col in 0..2 {
                    let mut c = fib_case(cfg, n);
                    let v = c.traces[0].get(row, col);
                    c.traces[0].row_mut(row)[col] = v + F::ONE;
                    assert_false_statement(&c);
                }
            }
        }
    }
}

#[test]
fn a_broken_table_fails_the_quotient_it_shares_with_its_height() {
    // Tables of one height share one quotient (their α-combinations joined by Horner's rule
    // with α^K): a cell broken in any one of them, first or second in its group, must still
    // make the check at ζ fail.
    for cfg in MODES {
        let good = prove_case(&four_table_case(cfg), &ProverOptions::HONEST).unwrap();
        // Two heights (2^8: counter and byte table; 2^7: squares and consumer), so two
        // quotients, not four: degree 3 (squares) and 2 give 2 + 1 chunks with
        // zero-knowledge (chunks of 2n − k coefficients, 2·(12 + 1) = 26 random ones), and
        // 2 + 1 without (d − 1 chunks of n).
        assert_eq!(good.quotient_opened.len(), 4 * 3);
        for t in 0..4 {
            let mut c = four_table_case(cfg);
            let n = c.traces[t].height();
            for col in 0..c.traces[t].width {
                let v = c.traces[t].get(n / 2, col);
                c.traces[t].row_mut(n / 2)[col] = v + F::ONE;
            }
            assert_false_statement(&c);
            let proof = prove_case(&c, &ProverOptions::CHEATING_BALANCED).unwrap();
            assert!(
                matches!(verify_case(&c, &proof), Err(StarkError::OodMismatch { .. })),
                "table {t}: {:?}",
                verify_case(&c, &proof)
            );
        }
    }
}

#[test]
fn only_columns_read_in_the_next_row_are_opened_there() {
    // Fibonacci reads both columns in the next row; the counter reads its value there, the
    // byte table (preprocessed values, a multiplicity) no next cell at all.
    let fib: &dyn Table = &Fib;
    assert_eq!(fib.next_columns(&[F::ZERO; 3]), (vec![0, 1], vec![]));
    let (counter, bytes): (&dyn Table, &dyn Table) = (&Counter, &ByteTable);
    assert_eq!(counter.next_columns(&[F::ZERO]), (vec![0], vec![]));
    assert_eq!(bytes.next_columns(&[]), (vec![], vec![]));
    for cfg in MODES {
        let c = four_table_case(cfg);
        let good = prove_case(&c, &ProverOptions::HONEST).unwrap();
        for (t, table) in c.tables.iter().enumerate() {
            let (main, prep) = table.next_columns(&c.public);
            assert_eq!(good.opened[t].main_next.len(), main.len());
            assert_eq!(good.opened[t].prep_next.len(), prep.len());
            // Of the logUp columns only the running sum (four coordinates) is read there.
            let aux = if good.opened[t].aux_local.is_empty() {
                0
            } else {
                4
            };
            assert_eq!(good.opened[t].aux_next.len(), aux);
        }
        // An extra or a missing logUp value at ζω is a shape error; a wrong one (the running
        // sum s') fails.
        let mut extra = good.clone();
        extra.opened[0].aux_next.push(E::ZERO);
        assert!(matches!(verify_case(&c, &extra), Err(StarkError::Shape(_))));
        let mut dropped = good.clone();
        dropped.opened[0].aux_next.pop();
        assert!(matches!(
            verify_case(&c, &dropped),
            Err(StarkError::Shape(_))
        ));
        for k in 0..4 {
            let mut wrong = good.clone();
            bump(&mut wrong.opened[0].aux_next[k]);
            assert!(verify_case(&c, &wrong).is_err(), "s' coordinate {k}");
        }
        // A ζω value for a column that has none, or one dropped, is a shape error.
        for t in 0..4 {
            let mut extra = good.clone();
            extra.opened[t].main_next.push(E::ZERO);
            assert!(matches!(verify_case(&c, &extra), Err(StarkError::Shape(_))));
            let mut prep = good.clone();
            prep.opened[t].prep_next.push(E::ZERO);
            assert!(matches!(verify_case(&c, &prep), Err(StarkError::Shape(_))));
        }
        let mut dropped = good.clone();
        dropped.opened[0].main_next.pop();
        assert!(matches!(
            verify_case(&c, &dropped),
            Err(StarkError::Shape(_))
        ));
        // A wrong ζω value of a column the AIR reads fails at ζ or in the DEEP check.
        let mut wrong = good.clone();
        bump(&mut wrong.opened[0].main_next[0]);
        assert!(verify_case(&c, &wrong).is_err());
    }
}

#[test]
fn wrong_public_values_are_rejected() {
    for cfg in MODES {
        let c = fib_case(cfg, 128);
        let proof = assert_proves_and_verifies(&c);
        for i in 0..3 {
            let mut bad = fib_case(cfg, 128);
            bad.public[i] += F::ONE;
            assert!(verify_case(&bad, &proof).is_err(), "public value {i}");
        }
        // A journal the tables did not produce.
        let c = join_case(cfg);
        let proof = assert_proves_and_verifies(&c);
        let mut bad = join_case(cfg);
        bad.public[2] = f(36);
        bad.public_interactions = journal_interactions(&bad.public);
        assert!(verify_case(&bad, &proof).is_err());
        // Fewer journal entries than were sent.
        let mut bad = join_case(cfg);
        bad.public.pop();
        bad.public_interactions = journal_interactions(&bad.public);
        assert!(verify_case(&bad, &proof).is_err());
    }
}

#[test]
fn out_of_range_counter_is_rejected() {
    for cfg in MODES {
        // 200..327 leaves the byte table: the bus cannot balance.
        let c = range_case(cfg, 200, 128);
        assert!(matches!(
            prove_case(&c, &ProverOptions::HONEST),
            Err(ProveError::Unbalanced(_))
        ));
        let proof = prove_case(&c, &ProverOptions::CHEATING).unwrap();
        assert_eq!(verify_case(&c, &proof), Err(StarkError::Unbalanced));
    }
}

#[test]
fn unbalanced_bus_between_tables_is_rejected() {
    for cfg in MODES {
        // The consumer uses (4, 17), which is not a square pair.
        let mut c = join_case(cfg);
        c.traces[1]
            .row_mut(0)
            .copy_from_slice(&[f(4), f(17), F::ONE]);
        c.public[0] = f(17);
        c.public_interactions = journal_interactions(&c.public);
        assert_false_statement(&c);
        // Multiplicities off by one.
        let mut c = join_case(cfg);
        let m = c.traces[0].get(5, 2);
        c.traces[0].row_mut(5)[2] = m + F::ONE;
        assert_false_statement(&c);
        // A non-boolean flag.
        let mut c = join_case(cfg);
        c.traces[1].row_mut(9)[2] = f(2);
        assert_false_statement(&c);
    }
}

#[test]
fn a_proof_for_other_tables_is_rejected() {
    for cfg in MODES {
        let c = range_case(cfg, 0, 256);
        let proof = assert_proves_and_verifies(&c);
        let other = Case {
            tables: vec![&Counter, &Counter],
            ..range_case(cfg, 0, 256)
        };
        assert!(verify_case(&other, &proof).is_err());
        let fib = fib_case(cfg, 256);
        assert!(verify_case(&fib, &proof).is_err());
    }
}

// ---- Tampered proofs --------------------------------------------------------------------------

/// A named way to corrupt a proof.
type Tamper = (String, Box<dyn Fn(&mut StarkProof)>);

fn bump(e: &mut E) {
    *e += E::ONE;
}

/// The batch opening of the main (0), aux (1) or quotient (2) commitment.
fn batch_mut(p: &mut StarkProof, which: usize) -> &mut BatchOpening {
    match which {
        0 => &mut p.queries.main,
        1 => p.queries.aux.as_mut().unwrap(),
        _ => &mut p.queries.quotient,
    }
}

/// Leaf `i` (modulo the leaf count) of the main (0), aux (1) or quotient (2) batch.
fn opening_mut(p: &mut StarkProof, i: usize, which: usize) -> &mut LeafOpening {
    let b = batch_mut(p, which);
    let n = b.leaves.len();
    &mut b.leaves[i % n]
}

fn tampered_regions_are_rejected(cfg: StarkConfig) {
    let c = join_case(cfg);
    let good = assert_proves_and_verifies(&c);
    let mut cases: Vec<Tamper> = vec![
        ("version".into(), Box::new(|p| p.version += 1)),
        ("log height".into(), Box::new(|p| p.log_heights[0] += 1)),
        ("main commit".into(), Box::new(|p| p.main_commit[0] ^= 1)),
        (
            "aux commit".into(),
            Box::new(|p| p.aux_commit.as_mut().unwrap()[31] ^= 1),
        ),
        (
            "quotient commit".into(),
            Box::new(|p| p.quotient_commit[7] ^= 0x40),
        ),
        (
            "claimed sum".into(),
            Box::new(|p| bump(&mut p.claimed_sums[1])),
        ),
        (
            "claimed sums shifted".into(),
            Box::new(|p| {
                // Keep the total: only the per-table split changes.
                let d = E::ONE;
                p.claimed_sums[0] += d;
                p.claimed_sums[1] -= d;
            }),
        ),
        (
            "fri final poly".into(),
            Box::new(|p| bump(&mut p.fri.final_poly[0])),
        ),
        (
            "fri pow nonce".into(),
            Box::new(|p| p.fri.pow_nonce ^= 1 << 20),
        ),
    ];
    for t in 0..2 {
        for field in 0..6 {
            cases.push((
                format!("opened table {t} field {field}"),
                Box::new(move |p| {
                    let o = &mut p.opened[t];
                    let v = match field {
                        0 => &mut o.main_local,
                        1 => &mut o.main_next,
                        2 => &mut o.aux_local,
                        3 => &mut o.aux_next,
                        _ => &mut p.quotient_opened,
                    };
                    if v.is_empty() {
                        // A table that reads no next row has no ζω openings: a value
                        // offered for one must be refused.
                        v.push(E::ONE);
                    } else {
                        let i = field % v.len();
                        bump(&mut v[i]);
                    }
                }),
            ));
        }
    }
    for l in 0..good.fri.commits.len() {
        cases.push((
            format!("fri layer {l} commit"),
            Box::new(move |p| p.fri.commits[l][5] ^= 2),
        ));
        cases.push((
            format!("fri layer {l} opening"),
            Box::new(move |p| p.fri.layers[l].leaves[0].rows[0][0] += F::ONE),
        ));
    }
    for (name, q) in [("main", 0), ("aux", 1), ("quotient", 2)] {
        cases.push((
            format!("{name} query row"),
            Box::new(move |p| opening_mut(p, 1, q).rows[1][0] += F::ONE),
        ));
        cases.push((
            format!("{name} query sibling"),
            Box::new(move |p| batch_mut(p, q).siblings[0][0] ^= 1),
        ));
    }
    if cfg.zk {
        // Zero-knowledge parts: salts (trace, aux and quotient trees), mask rows and mask
        // openings; no salt where none belongs (FRI layers).
        for (name, q) in [("main", 0), ("aux", 1), ("quotient", 2)] {
            for k in 0..SALT_WIDTH {
                cases.push((
                    format!("{name} salt element {k}"),
                    Box::new(move |p| opening_mut(p, 4, q).salts[0][k] += F::ONE),
                ));
            }
            cases.push((
                format!("{name} salt dropped"),
                Box::new(move |p| drop(opening_mut(p, 0, q).salts.pop())),
            ));
            cases.push((
                format!("{name} second salt row"),
                Box::new(move |p| {
                    let o = opening_mut(p, 0, q);
                    o.salts.push(o.salts[0].clone())
                }),
            ));
        }
        for l in 0..good.fri.commits.len() {
            cases.push((
                format!("fri layer {l} salt added"),
                Box::new(move |p| {
                    p.fri.layers[l].leaves[0]
                        .salts
                        .push(vec![F::ONE; SALT_WIDTH])
                }),
            ));
        }
        let masks = good.mask_opened.len() / 4;
        for m in 0..masks {
            cases.push((
                format!("mask {m} opening"),
                Box::new(move |p| bump(&mut p.mask_opened[4 * m + m % 4])),
            ));
            cases.push((
                format!("mask {m} query row"),
                Box::new(move |p| {
                    let rows = &mut opening_mut(p, 6, 2).rows;
                    let r = rows.len() - masks + m;
                    rows[r][m % 4] += F::ONE;
                }),
            ));
        }
        cases.push((
            "mask openings dropped".into(),
            Box::new(|p| p.mask_opened.clear()),
        ));
    } else {
        cases.push((
            "mask opening added".into(),
            Box::new(|p| p.mask_opened.extend([E::ONE; 4])),
        ));
        cases.push((
            "salt added".into(),
            Box::new(|p| opening_mut(p, 0, 0).salts.push(vec![F::ONE; SALT_WIDTH])),
        ));
    }
    // Structure: dropped and extra pieces.
    cases.push((
        "query leaf dropped".into(),
        Box::new(|p| drop(p.queries.main.leaves.pop())),
    ));
    cases.push((
        "table openings dropped".into(),
        Box::new(|p| drop(p.opened.pop())),
    ));
    cases.push((
        "opening value dropped".into(),
        Box::new(|p| {
            p.opened[0].main_local.pop();
        }),
    ));
    cases.push((
        "extra quotient value".into(),
        Box::new(|p| p.quotient_opened.push(E::ZERO)),
    ));
    cases.push((
        "aux commitment removed".into(),
        Box::new(|p| p.aux_commit = None),
    ));
    cases.push((
        "query row dropped".into(),
        Box::new(|p| drop(opening_mut(p, 0, 0).rows.pop())),
    ));
    cases.push((
        "fri layer opening dropped".into(),
        Box::new(|p| drop(p.fri.layers.pop())),
    ));

    for (name, tamper) in &cases {
        let mut p = good.clone();
        tamper(&mut p);
        assert_ne!(p, good, "{name}: tampering changed nothing");
        assert!(
            verify_case(&c, &p).is_err(),
            "tampered {name} verified (zk {})",
            cfg.zk
        );
    }
}

#[test]
fn every_tampered_region_is_rejected() {
    for cfg in MODES {
        tampered_regions_are_rejected(cfg);
    }
}

#[test]
fn preprocessed_openings_are_checked() {
    for cfg in MODES {
        let c = range_case(cfg, 0, 256);
        let good = assert_proves_and_verifies(&c);
        let mut p = good.clone();
        bump(&mut p.opened[1].prep_local[0]);
        assert!(verify_case(&c, &p).is_err());
        let mut p = good.clone();
        p.queries.prep.as_mut().unwrap().leaves[0].rows[0][0] += F::ONE;
        assert!(verify_case(&c, &p).is_err());
        let mut p = good;
        p.queries.prep = None;
        assert!(verify_case(&c, &p).is_err());
    }
}

#[test]
fn declared_degree_too_low_is_a_prover_error() {
    /// x^k = 1, declared of degree 2.
    struct Power(u64);
    impl Air for Power {
        fn name(&self) -> String {
            format!("power{}", self.0)
        }
        fn width(&self) -> usize {
            1
        }
        fn max_degree(&self) -> usize {
            2 // wrong for k > 2
        }
        fn eval<B: AirBuilder>(&self, b: &mut B) {
            let x: B::Expr = b.local()[0].into();
            let mut xk = x.clone();
            for _ in 1..self.0 {
                xk = xk * x.clone();
            }
            b.assert_zero(xk - F::ONE);
        }
    }
    // Without zero-knowledge a cube overflows the one quotient chunk of a declared degree 2.
    // With it there are 2d − 1 = 3 chunks while the randomizer adds only 2·(queries + 1) − 1
    // to the trace degree, so a cube would fit (and its true statement verify): a fifth
    // power, of quotient degree about 4n, is what overflows there.
    for (cfg, n, k) in [(PLAIN, 16, 3u64), (ZK, 128, 5)] {
        // k-th roots of unity (k divides p − 1), varied so the trace polynomial is not
        // constant and x^k − 1 really has degree k(n − 1) before it vanishes on the domain.
        let wk = F::GENERATOR.pow(((F::ORDER_U32 - 1) as u64) / k);
        assert_ne!(wk, F::ONE);
        let roots: Vec<F> = (0..k).map(|i| wk.pow(i)).collect();
        let trace = RowMajorMatrix::new(
            (0..n)
                .map(|i| roots[(i * i + i / 3) % k as usize])
                .collect(),
            1,
        );
        let air = Power(k);
        let tables: Vec<&dyn Table> = vec![&air];
        let (pk, vk) = setup(&cfg, &tables);
        let r = prove(&cfg, &pk, &vk, &tables, vec![trace], &[], &[], 0);
        assert!(
            matches!(r, Err(ProveError::DegreeTooHigh(_))),
            "zk = {}, x^{k}: {:?}",
            cfg.zk,
            r.err()
        );
    }
}

#[test]
fn shape_errors_are_clear() {
    for cfg in MODES {
        let tables: Vec<&dyn Table> = vec![&Fib];
        let (pk, vk) = setup(&cfg, &tables);
        let bad_height = RowMajorMatrix::new(vec![F::ONE; 6], 2);
        let run = |traces| prove(&cfg, &pk, &vk, &tables, traces, &[F::ONE; 3], &[], 0);
        let e = run(vec![bad_height]).unwrap_err();
        assert!(e.to_string().contains("power of two"), "{e}");
        let bad_width = RowMajorMatrix::new(vec![F::ONE; 12], 3);
        let e = run(vec![bad_width]).unwrap_err();
        assert!(e.to_string().contains("width"), "{e}");
        let e = run(vec![]).unwrap_err();
        assert!(matches!(e, ProveError::TableCount { .. }));
    }
    // A degree the blowup cannot hold: with zero-knowledge d chunks (not d − 1) must fit.
    struct Quintic;
    impl Air for Quintic {
        fn name(&self) -> String {
            "quintic".into()
        }
        fn width(&self) -> usize {
            1
        }
        fn max_degree(&self) -> usize {
            5
        }
        fn eval<B: AirBuilder>(&self, b: &mut B) {
            let x: B::Expr = b.local()[0].into();
            b.assert_zero(x.clone() * x.clone() * x.clone() * x.clone() * x);
        }
    }
    let tables: Vec<&dyn Table> = vec![&Quintic];
    let trace = || vec![RowMajorMatrix::new(vec![F::ZERO; 128], 1)];
    let (pk, vk) = setup(&PLAIN, &tables);
    prove(&PLAIN, &pk, &vk, &tables, trace(), &[], &[], 0).unwrap();
    let (pk, vk) = setup(&ZK, &tables);
    let e = prove(&ZK, &pk, &vk, &tables, trace(), &[], &[], 0).unwrap_err();
    assert!(
        matches!(e, ProveError::BlowupTooSmall { needed: 5, .. }),
        "{e}"
    );
}

// ---- Encoding -------------------------------------------------------------------------------

mod encoding {
    use super::*;
    use proptest::prelude::*;
    use rvzk_zkvm::stark::codec::{decode, encode, encode_with_breakdown};

    #[test]
    fn round_trip_and_breakdown() {
        for cfg in MODES {
            for c in [join_case(cfg), range_case(cfg, 3, 128), fib_case(cfg, 128)] {
                let proof = assert_proves_and_verifies(&c);
                let (bytes, sizes) = encode_with_breakdown(&proof);
                assert_eq!(sizes.total(), bytes.len());
                assert!(sizes.trace_queries > 0 && sizes.fri_queries > 0 && sizes.ood_openings > 0);
                assert_eq!(sizes.salts > 0, cfg.zk);
                assert_eq!(decode(&bytes).unwrap(), proof);
            }
        }
    }

    #[test]
    fn truncated_or_extended_proofs_are_rejected() {
        for cfg in MODES {
            let bytes = encode(&assert_proves_and_verifies(&join_case(cfg)));
            // Every prefix fails to decode (step through all of them near the ends).
            for len in
                (0..bytes.len()).filter(|l| *l < 200 || *l > bytes.len() - 200 || l % 97 == 0)
            {
                let e = decode(&bytes[..len]).expect_err("truncated proof decoded");
                assert!(e.offset <= len, "{e}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            let e = decode(&longer).unwrap_err();
            assert!(e.what.contains("trailing"), "{e}");
            let mut bad_magic = bytes.clone();
            bad_magic[0] ^= 1;
            assert!(decode(&bad_magic).unwrap_err().what.contains("magic"));
        }
    }

    #[test]
    fn huge_counts_do_not_allocate() {
        for cfg in MODES {
            let bytes = encode(&assert_proves_and_verifies(&fib_case(cfg, 128)));
            // The table count (one LEB128 byte) sits right after magic and version.
            assert_eq!(bytes[12], 1);
            let mut b = bytes.clone();
            b.splice(12..13, [0xff, 0xff, 0xff, 0xff, 0x0f]); // u32::MAX
            let e = decode(&b).unwrap_err();
            assert!(e.what.contains("exceeds"), "{e}");
            // Counts above a u32, longer than five bytes, or not minimal are malformed.
            for (bad, why) in [
                (vec![0xff, 0xff, 0xff, 0xff, 0x1f], "exceeds a u32"),
                (vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "longer than five"),
                (vec![0x81, 0x00], "not minimally encoded"),
            ] {
                let mut b = bytes.clone();
                b.splice(12..13, bad);
                let e = decode(&b).unwrap_err();
                assert_eq!(e.offset, 12, "{e}");
                assert!(e.what.contains(why), "{e}");
            }
        }
    }

    #[test]
    fn non_canonical_field_elements_are_rejected() {
        for cfg in MODES {
            let proof = assert_proves_and_verifies(&join_case(cfg));
            let bytes = encode(&proof);
            // The first claimed sum's first coordinate: after magic(8) version(4) count(1)
            // heights(2) main(32) aux flag(1) aux(32) count(1).
            let off = 8 + 4 + 1 + 2 + 32 + 1 + 32 + 1;
            let mut b = bytes.clone();
            b[off..off + 4].copy_from_slice(&0x7800_0001u32.to_le_bytes()); // = p
            let e = decode(&b).unwrap_err();
            assert_eq!(e.offset, off);
            assert!(e.what.contains("canonical"), "{e}");
        }
    }

    #[test]
    fn nonzero_padding_bits_are_rejected() {
        // One table without interactions: one claimed sum (zero), 4·31 = 124 bits in 16
        // bytes, whose last byte's top four bits are padding. It sits after magic(8)
        // version(4) count(1) height(1) main(32) aux flag(1) count(1).
        let bytes = encode(&assert_proves_and_verifies(&fib_case(PLAIN, 128)));
        let last = 8 + 4 + 1 + 1 + 32 + 1 + 1 + 15;
        assert_eq!(bytes[last] & 0xf0, 0);
        for bit in 4..8 {
            let mut b = bytes.clone();
            b[last] |= 1 << bit;
            let e = decode(&b).unwrap_err();
            assert_eq!(e.offset, last, "{e}");
            assert!(e.what.contains("padding"), "{e}");
        }
        // The value bits below them are the claimed sum's: a changed one decodes, and
        // fails verification.
        let mut b = bytes.clone();
        b[last] |= 1;
        let c = fib_case(PLAIN, 128);
        assert!(!decode_and_verify(&c, &b));
    }

    fn decode_and_verify(c: &Case<'_>, bytes: &[u8]) -> bool {
        match decode(bytes) {
            Ok(p) => verify_case(c, &p).is_ok(),
            Err(_) => false,
        }
    }

    /// Flip bytes of an honest encoding: the result never panics and never verifies.
    fn mutate(cfg: StarkConfig, edits: &[(usize, u8)]) -> Result<(), TestCaseError> {
        let c = join_case(cfg);
        let good = encode(&prove_case(&c, &ProverOptions::HONEST).unwrap());
        let mut b = good.clone();
        for (off, x) in edits {
            let i = off % b.len();
            b[i] ^= x;
        }
        prop_assume!(b != good);
        prop_assert!(!decode_and_verify(&c, &b));
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Mutated proofs never panic the decoder or the verifier, and never verify.
        #[test]
        fn mutated_proofs_never_verify(edits in prop::collection::vec((any::<usize>(), 1u8..=255), 1..4)) {
            mutate(PLAIN, &edits)?;
        }

        /// Truncated proofs (and proofs with bytes cut out) decode to an error, never a
        /// panic.
        #[test]
        fn truncated_proofs_are_errors(cut in any::<usize>(), len in 1usize..64) {
            let c = join_case(ZK);
            let good = encode(&prove_case(&c, &ProverOptions::HONEST).unwrap());
            let at = cut % good.len();
            prop_assert!(decode(&good[..at]).is_err());
            let mut b = good.clone();
            b.drain(at..(at + len).min(good.len()));
            prop_assert!(!decode_and_verify(&c, &b));
        }

        /// The same for zero-knowledge proofs (salts and masks included).
        #[test]
        fn mutated_zk_proofs_never_verify(edits in prop::collection::vec((any::<usize>(), 1u8..=255), 1..4)) {
            mutate(ZK, &edits)?;
        }
    }
}
