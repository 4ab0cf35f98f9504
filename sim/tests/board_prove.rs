//! Proving on the simulated board: the board backend (`rvzk prove --board`) against the
//! Verilator build of `rvzk_soc_sim` on a real pseudo-terminal. Every example guest's trace
//! comes from the board's core and is proven; the receipt verifies and equals the software
//! backend's byte for byte (same seed). A forced run sends a bounded number of NTT and
//! SHA-256 jobs through the link to the board's 2^6 NTT engine and SHA-256 core and still
//! gives the same receipt.
//!
//! The simulation runs at 0.3–4 M clocks/s (load-dependent) and a streamed instruction costs about
//! 1,700 clocks, so inputs are small (sha256 hashes the empty message: 6,512 instructions,
//! the longest run here). Proofs use the default parameters.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use rvzk_host::backend::board::{AccelMode, BoardBackend, BoardOptions};
use rvzk_host::backend::Backend;
use rvzk_host::board::LinkOptions;
use rvzk_sim::board::{build_board, SimBoard};
use rvzk_zkvm::circuit::ProveOptions;
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::receipt::{prove_with_report, VerifyOptions};

fn board_exe() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_board(false).unwrap_or_else(|e| panic!("{e}")))
}

fn load(rel: &str) -> Program {
    let dir = std::env::var_os("RVZK_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../build/guests").into());
    let path = dir.join(format!("{rel}.elf"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the guests with `make guests` (or set RVZK_GUESTS)",
            path.display()
        )
    });
    Program::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn options(seed: u64) -> ProveOptions {
    ProveOptions {
        seed: Some(seed),
        ..ProveOptions::default()
    }
}

/// Proves `rel` on `input` on a fresh simulated board and in software; the receipts must be
/// equal and verify. Returns the board backend's report.
fn prove_both(
    rel: &str,
    input: &[u8],
    seed: u64,
    accel: AccelMode,
    jobs: Option<u64>,
) -> rvzk_host::backend::board::BoardReport {
    let program = load(rel);
    let opts = options(seed);
    let sim = SimBoard::start(board_exe(), None).unwrap_or_else(|e| panic!("{e}"));
    let mut backend = BoardBackend::open(BoardOptions {
        port: sim.port.clone(),
        baud: 3_000_000,
        link: LinkOptions::default(),
        accel,
        jobs,
    })
    .unwrap_or_else(|e| panic!("{rel}: {e:#}"));
    let t = Instant::now();
    let (receipt, _) = backend
        .prove(rel, &program, input, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("{rel}: {e:#}"));
    let board_secs = t.elapsed().as_secs_f64();
    drop(sim);
    let t = Instant::now();
    let (reference, _) = prove_with_report(&program, input, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    let soft_secs = t.elapsed().as_secs_f64();
    let check = VerifyOptions {
        expected_exit_code: Some(reference.claim.exit_code),
        ..VerifyOptions::default()
    };
    receipt
        .verify_with(&reference.claim.image_id, &check)
        .unwrap_or_else(|e| panic!("{rel}: the board's receipt does not verify: {e}"));
    assert!(
        receipt.to_bytes() == reference.to_bytes(),
        "{rel}: the board's receipt differs from the software receipt"
    );
    let r = backend.board_report().expect("a board report");
    assert_eq!(r.run_link.retries, 0, "{rel}: retries on a clean link");
    eprintln!(
        "{rel}: {} records; board backend {board_secs:.2} s (load {:.2} s, run and trace {:.2} s, {:.0} records/s, {:.2} M clocks/s, line {}), software {soft_secs:.2} s; {}",
        r.records,
        r.load_seconds,
        r.run_seconds,
        r.records as f64 / r.run_seconds,
        r.effective_clock_hz() / 1e6,
        r.run_line_utilisation()
            .map_or("-".to_string(), |u| format!("{:.1} %", 100.0 * u)),
        r.decision
    );
    r
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn multiply() {
    prove_both(
        "multiply",
        &u32s(&[123_456_789, 987_654_321]),
        1,
        AccelMode::Auto,
        None,
    );
}

#[test]
fn fibonacci() {
    prove_both("fibonacci", &u32s(&[100]), 2, AccelMode::Off, None);
}

#[test]
fn sort() {
    let input: Vec<u8> = (0..32u32).map(|i| (i * 37 % 251) as u8).collect();
    prove_both("sort", &input, 3, AccelMode::Auto, None);
}

#[test]
fn bench() {
    prove_both("bench", &u32s(&[2]), 4, AccelMode::Off, None);
}

#[test]
fn sha256() {
    prove_both("sha256", b"", 5, AccelMode::Auto, None);
}

/// Forced, bounded accelerator work: two transforms of 2^12-row columns (64 jobs of 2^6
/// values each; every table has at least 2^12 rows) and 128 Merkle nodes through the link,
/// every result checked; the receipt is unchanged.
#[test]
fn forced_accelerator_jobs_give_the_same_receipt() {
    let r = prove_both("multiply", &u32s(&[17, 23]), 6, AccelMode::Force, Some(128));
    let o = r.offload.expect("jobs were offered");
    assert!((64..=128).contains(&o.ntt_jobs), "{} NTT jobs", o.ntt_jobs);
    assert!(o.ntt_transforms >= 2, "{} transforms", o.ntt_transforms);
    assert_eq!(o.sha_jobs, 128, "SHA-256 jobs");
    assert_eq!(r.accel_link.retries, 0);
    assert!(r.accel_link.bytes_in > 64 * 256 + 128 * 32);
    eprintln!(
        "forced: {} NTT jobs in {:.2} s ({:.1} ms each), {} SHA-256 jobs in {:.2} s ({:.1} ms each); link {} bytes out, {} in",
        o.ntt_jobs,
        o.ntt_seconds,
        1e3 * o.ntt_seconds / o.ntt_jobs as f64,
        o.sha_jobs,
        o.sha_seconds,
        1e3 * o.sha_seconds / o.sha_jobs as f64,
        r.accel_link.bytes_out,
        r.accel_link.bytes_in
    );
}
