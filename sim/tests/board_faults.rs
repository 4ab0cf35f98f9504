//! Faults never make a wrong result: the simulated board behind the fault-injecting proxy
//! (`rvzk_host::board::proxy`), driven by the host's board client and by the code of
//! `rvzk run --board` and `rvzk prove --board`. At a byte error rate of 1e-4 each way runs
//! complete and every trace record equals the executor's, and a proof (with accelerator
//! jobs through the link) verifies and equals the software receipt; each fault kind alone
//! (dropped, duplicated, truncated, delayed frames), a board reset and an unplug mid-run
//! end in a retry or a clear error; at rates no run survives the host stops with a clear
//! error within its retry budget and writes no receipt.
//!
//! Timeouts are shorter than the client's default of 2 s to keep the tests quick, but not
//! too short: the simulated board sends a trace chunk in about 20,000 clocks, 0.1 s at its
//! usual speed and several times that when the machine is busy.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rvzk_host::board::proxy::{Action, Faults, Proxy, Trigger, Upstream};
use rvzk_host::board::{cmd, Board, BoardRun, LinkOptions};
use rvzk_host::cmd::board::{compare, Comparison};
use rvzk_sim::board::{build_board, SimBoard};
use rvzk_testkit::load_guest as load;
use rvzk_zkvm::rv32im::{run_traced_partial, RunOptions};

const MAX_CYCLES: u64 = 1_000_000;

fn board_exe() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_board(false).unwrap_or_else(|e| panic!("{e}")))
}

/// A simulated board the proxy can restart (its reset).
fn restartable() -> Upstream {
    let mut sim: Option<SimBoard> = None;
    Upstream::Restartable(Box::new(move || {
        if let Some(old) = sim.take() {
            old.stop();
        }
        let b = SimBoard::start(board_exe(), None)?;
        let port = b.port.clone();
        sim = Some(b);
        Ok(port)
    }))
}

fn link(timeout_ms: u64) -> LinkOptions {
    LinkOptions {
        timeout: Duration::from_millis(timeout_ms),
        tries: 5,
    }
}

/// A proxy with `faults` in front of a fresh simulated board, and a client through it. The
/// client's INFO goes over a clean link (the faults start after it), so that every test
/// gets as far as a run.
fn connect(faults: Faults, seed: u64, opts: LinkOptions) -> (Proxy, Board) {
    let proxy = Proxy::start(restartable(), Faults::default(), seed).unwrap();
    let board = Board::open(proxy.port(), 3_000_000, opts)
        .unwrap_or_else(|e| panic!("{}: {e}", proxy.port()));
    proxy.set_faults(faults).unwrap();
    (proxy, board)
}

/// Runs `rel` on `board` and checks the run against the executor.
fn run_checked(board: &mut Board, rel: &str, input: &[u8]) -> BoardRun {
    let program = load(rel);
    let run = board
        .run_guest(&program, input, MAX_CYCLES, true)
        .unwrap_or_else(|e| panic!("{rel}: {e:#}"));
    let exec = run_traced_partial(
        &program,
        input,
        &RunOptions {
            max_cycles: MAX_CYCLES,
            mem_top: board.info.mem_top,
        },
    );
    assert_eq!(compare(&run, &exec), Comparison::Equal, "{rel}");
    assert_eq!(
        run.trace.as_ref().map(|t| t.records.len()),
        Some(exec.1.records.len()),
        "{rel}: every record"
    );
    run
}

fn report(name: &str, proxy: &Proxy, board: &Board, t: Instant) {
    let c = proxy.counts();
    let s = &board.stats;
    eprintln!(
        "{name}: {:.2} s; proxy to board: {}; to host: {}; client: {} retries, {} timeouts, {} bad, {} stale, {} restarts",
        t.elapsed().as_secs_f64(),
        c.to_board,
        c.to_host,
        s.retries,
        s.timeouts,
        s.bad_frames,
        s.stale_answers,
        s.restarts
    );
}

/// The rate: 1e-4 bit errors per byte each way. Example guests run to the end and
/// every record equals the executor's.
#[test]
fn example_guests_at_byte_error_rate_1e4() {
    let t = Instant::now();
    let (proxy, mut board) = connect(Faults::bit_errors(1e-4), 4, link(1000));
    run_checked(&mut board, "multiply", &[17, 0, 0, 0, 23, 0, 0, 0]);
    run_checked(&mut board, "fibonacci", &300u32.to_le_bytes());
    run_checked(
        &mut board,
        "sort",
        &[5, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0],
    );
    report("1e-4", &proxy, &board, t);
    let c = proxy.counts();
    // the runs are long enough that the link was really damaged, and the client recovered
    assert!(
        c.to_board.bit_flips + c.to_host.bit_flips >= 3,
        "{c:?}: too few faults to test anything"
    );
    assert!(board.stats.retries >= 1, "{:?}", board.stats);
}

/// `rvzk run` / `rvzk prove` arguments, parsed as the command line parses them.
#[derive(clap::Parser)]
struct Cli<T: clap::Args> {
    #[command(flatten)]
    args: T,
}

fn parse<T: clap::Args>(argv: &[&str]) -> T {
    use clap::Parser;
    Cli::<T>::try_parse_from(std::iter::once("rvzk").chain(argv.iter().copied()))
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"))
        .args
}

/// `rvzk run --board` itself (the command's code, in this process) through the proxy at
/// 1e-4 each way: it completes and reports the board's trace equal to the executor's
/// (its exit status says so).
#[test]
fn rvzk_run_board_at_byte_error_rate_1e4() {
    use rvzk_host::cmd::{board::run_on_board, run::RunArgs};
    let proxy = Proxy::start(restartable(), Faults::bit_errors(1e-4), 5).unwrap();
    let port = proxy.port().to_string();
    let elf = rvzk_testkit::guest_path("fibonacci").display().to_string();
    let args: RunArgs = parse(&[
        "--board",
        &port,
        &elf,
        "--input-u32",
        "150",
        "--board-timeout",
        "1",
    ]);
    let code = run_on_board(&args, &port).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(code, rvzk_host::exit::SUCCESS);
    let c = proxy.counts();
    eprintln!("rvzk run --board at 1e-4: {} / {}", c.to_board, c.to_host);
}

/// Rates no run survives: the client stops with a clear error, within its retry budget
/// (5 tries of 0.3 s for the command that fails; the commands before it are few and
/// small), and no run is reported.
#[test]
fn unsurvivable_rates_stop_with_a_clear_error() {
    for (rate, seed) in [(5e-2, 11), (1e-2, 12)] {
        let (proxy, mut board) = connect(Faults::bit_errors(rate), seed, link(300));
        let t = Instant::now();
        let err = board
            .run_guest(&load("fibonacci"), &300u32.to_le_bytes(), MAX_CYCLES, true)
            .expect_err("no run survives this link");
        let msg = format!("{err:#}");
        let secs = t.elapsed().as_secs_f64();
        eprintln!("{rate}: {msg} after {secs:.1} s");
        report(&format!("{rate}"), &proxy, &board, t);
        assert!(
            msg.contains("CRC storm") || msg.contains("stopped answering"),
            "{rate}: {msg}"
        );
        assert!(secs < 60.0, "{rate}: {secs:.1} s to give up");
    }
}

/// Each fault kind on its own: the run completes, equal to the executor's, and the client's
/// counters show how it recovered.
#[test]
fn dropped_frames_are_resent() {
    let t = Instant::now();
    let faults = Faults {
        frame_drop_rate: 0.05,
        byte_drop_rate: 5e-5,
        ..Faults::default()
    };
    let (proxy, mut board) = connect(faults, 21, link(1000));
    run_checked(&mut board, "fibonacci", &100u32.to_le_bytes());
    report("drops", &proxy, &board, t);
    let c = proxy.counts();
    assert!(
        c.to_board.frames_dropped + c.to_host.frames_dropped > 0,
        "{c:?}"
    );
    assert!(board.stats.timeouts > 0 && board.stats.retries > 0);
}

#[test]
fn duplicated_frames_are_ignored() {
    let t = Instant::now();
    let faults = Faults {
        duplicate_rate: 0.3,
        ..Faults::default()
    };
    let (proxy, mut board) = connect(faults, 22, link(1000));
    run_checked(&mut board, "fibonacci", &100u32.to_le_bytes());
    report("duplicates", &proxy, &board, t);
    let c = proxy.counts();
    assert!(
        c.to_board.duplicated > 5 && c.to_host.duplicated > 5,
        "{c:?}"
    );
    // A duplicated answer arrives after its command is done and is dropped: decoded as a
    // stale answer, or, when it came in the same read as the original (a loaded machine
    // reads late), drained with the bytes waiting before the next command.
    assert!(
        board.stats.stale_answers + board.stats.drained_bytes > 0,
        "{:?}",
        board.stats
    );
}

#[test]
fn truncated_frames_are_dropped_and_resent() {
    let t = Instant::now();
    let faults = Faults {
        truncate_rate: 0.05,
        ..Faults::default()
    };
    let (proxy, mut board) = connect(faults, 23, link(1000));
    run_checked(&mut board, "fibonacci", &100u32.to_le_bytes());
    report("truncation", &proxy, &board, t);
    let c = proxy.counts();
    assert!(c.to_board.truncated + c.to_host.truncated > 0, "{c:?}");
    assert!(board.stats.retries > 0);
}

#[test]
fn frames_delayed_past_the_timeout_are_resent_and_late_answers_ignored() {
    let t = Instant::now();
    let faults = Faults {
        // 1.5 s: past the 1 s timeout, and short enough that a delayed answer to a delayed
        // frame still comes within the client's 5 tries
        delay_rate: 0.03,
        delay: Duration::from_millis(1500),
        ..Faults::default()
    };
    let (proxy, mut board) = connect(faults, 24, link(1000));
    run_checked(&mut board, "fibonacci", &100u32.to_le_bytes());
    report("delays", &proxy, &board, t);
    assert!(proxy.counts().to_host.delayed + proxy.counts().to_board.delayed > 0);
    assert!(board.stats.timeouts > 0, "{:?}", board.stats);
}

/// A board reset while the trace streams: CHUNK is answered "no run is streaming", the
/// client asks INFO again and runs the guest again from the start.
#[test]
fn reset_while_streaming_restarts_the_run() {
    let t = Instant::now();
    let (proxy, mut board) = connect(Faults::default(), 31, link(1000));
    proxy
        .arm(Trigger {
            command: Some(cmd::CHUNK),
            nth: 5,
            every: false,
            action: Action::ResetBoard,
        })
        .unwrap();
    run_checked(&mut board, "fibonacci", &100u32.to_le_bytes());
    report("reset while streaming", &proxy, &board, t);
    assert_eq!(proxy.counts().resets, 1);
    assert_eq!(board.stats.restarts, 1);
}

/// A board reset while loading: memory written before it is gone, so the client must not
/// start the run. STATUS says "never run" (the client gave the fresh board a run of its own
/// so that this shows), and the run starts again.
#[test]
fn reset_while_loading_restarts_the_run() {
    let t = Instant::now();
    let (proxy, mut board) = connect(Faults::default(), 32, link(1000));
    proxy
        .arm(Trigger {
            command: Some(cmd::INPUT),
            nth: 1,
            every: false,
            action: Action::ResetBoard,
        })
        .unwrap();
    run_checked(&mut board, "multiply", &[17, 0, 0, 0, 23, 0, 0, 0]);
    report("reset while loading", &proxy, &board, t);
    assert_eq!(proxy.counts().resets, 1);
    assert_eq!(board.stats.restarts, 1);
}

/// A board reset just before RUN (after the client's last STATUS): the resent RUN starts
/// the cleared memory, which faults at once. The client sees an illegal instruction where
/// the program has a legal one — not the program's code — and runs the guest again.
#[test]
fn reset_just_before_run_restarts_the_run() {
    let (proxy, mut board) = connect(Faults::default(), 35, link(1000));
    // a fresh board gets the client's own run first: the guest's RUN is the second
    proxy
        .arm(Trigger {
            command: Some(cmd::RUN),
            nth: 2,
            every: false,
            action: Action::ResetBoard,
        })
        .unwrap();
    run_checked(&mut board, "multiply", &[17, 0, 0, 0, 23, 0, 0, 0]);
    assert_eq!(proxy.counts().resets, 1);
    assert_eq!(board.stats.restarts, 1);
}

/// A board that keeps resetting: after its restarts the client gives up, saying why.
#[test]
fn repeated_resets_end_in_a_clear_error() {
    let (proxy, mut board) = connect(Faults::default(), 33, link(1000));
    // every third CHUNK: each run (and its restarts) is reset after two chunks
    proxy
        .arm(Trigger {
            command: Some(cmd::CHUNK),
            nth: 3,
            every: true,
            action: Action::ResetBoard,
        })
        .unwrap();
    let err = board
        .run_guest(&load("fibonacci"), &100u32.to_le_bytes(), MAX_CYCLES, true)
        .expect_err("reset three times");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("the board was reset during the run") && msg.contains("2 restarts"),
        "{msg}"
    );
    assert_eq!(proxy.counts().resets, 3);
    assert_eq!(board.stats.restarts, 2);
}

/// An NTT job whose board is reset half-way starts again and still gives the right values.
#[test]
fn reset_during_an_ntt_job_restarts_the_job() {
    use rvzk_rtl::babybear::ntt;
    let (proxy, mut board) = connect(Faults::default(), 34, link(1000));
    let values: Vec<u32> = (0..64u32).map(|i| i * 7919 + 13).collect();
    proxy
        .arm(Trigger {
            command: Some(cmd::NTT_READ),
            nth: 1,
            every: false,
            action: Action::ResetBoard,
        })
        .unwrap();
    assert_eq!(board.ntt(&values, false).unwrap(), ntt(&values));
    assert_eq!(board.stats.restarts, 1);
}

/// Unplugged mid-run: "board disconnected" at once, not after the retries.
#[test]
fn unplug_mid_run_is_a_clear_error() {
    let (proxy, mut board) = connect(Faults::default(), 41, link(2000));
    proxy
        .arm(Trigger {
            command: Some(cmd::CHUNK),
            nth: 3,
            every: false,
            action: Action::Unplug,
        })
        .unwrap();
    let t = Instant::now();
    let err = board
        .run_guest(&load("fibonacci"), &100u32.to_le_bytes(), MAX_CYCLES, true)
        .expect_err("unplugged");
    let msg = format!("{err:#}");
    assert!(msg.contains("board disconnected"), "{msg}");
    assert!(proxy.counts().unplugged);
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

/// `rvzk prove --board` (the command's code) through the proxy at 1e-4 each way, with
/// forced accelerator jobs so that NTT and SHA-256 work crosses the damaged link too: the
/// proof completes, verifies, and equals the software receipt byte for byte.
#[test]
fn proof_at_byte_error_rate_1e4_equals_the_software_receipt() {
    use rvzk_host::cmd::prove::{main as prove, ProveArgs};
    use rvzk_zkvm::circuit::ProveOptions;
    use rvzk_zkvm::receipt::{prove_with_report, Receipt, VerifyOptions};
    let proxy = Proxy::start(restartable(), Faults::bit_errors(1e-4), 8).unwrap();
    let port = proxy.port().to_string();
    let dir = std::env::temp_dir().join(format!("rvzk-board-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("fibonacci-1e4.receipt");
    let elf = rvzk_testkit::guest_path("fibonacci").display().to_string();
    let args: ProveArgs = parse(&[
        &elf,
        "--input-u32",
        "300",
        "--seed",
        "9",
        "--board",
        &port,
        "--board-timeout",
        "1",
        "--accel",
        "force",
        "--accel-jobs",
        // One transform of a 2^12-row column (64 jobs; no table is shorter).
        "64",
        "-o",
        out.to_str().unwrap(),
    ]);
    let t = Instant::now();
    let code = prove(&args).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(code, rvzk_host::exit::SUCCESS);
    let c = proxy.counts();
    eprintln!(
        "proof at 1e-4: {:.1} s; to board: {}; to host: {}",
        t.elapsed().as_secs_f64(),
        c.to_board,
        c.to_host
    );
    assert!(
        c.to_board.bit_flips + c.to_host.bit_flips >= 2,
        "{c:?}: too few faults to test anything"
    );
    let bytes = std::fs::read(&out).unwrap();
    let program = load("fibonacci");
    let opts = ProveOptions {
        seed: Some(9),
        ..ProveOptions::default()
    };
    let (reference, _) = prove_with_report(&program, &300u32.to_le_bytes(), &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        bytes == reference.to_bytes(),
        "the receipt proven through the damaged link differs from the software receipt"
    );
    let receipt = Receipt::from_bytes(&bytes).unwrap();
    receipt
        .verify_with(&reference.claim.image_id, &VerifyOptions::default())
        .unwrap_or_else(|e| panic!("does not verify: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `rvzk prove --board` over a link that turns unsurvivable (5e-2 each way) once loading
/// starts: a clear error within the retry budget, and no receipt file.
#[test]
fn proof_through_an_unsurvivable_link_stops_and_writes_nothing() {
    use rvzk_host::cmd::prove::{main as prove, ProveArgs};
    let proxy = Proxy::start(restartable(), Faults::default(), 10).unwrap();
    proxy
        .arm(Trigger {
            command: Some(cmd::CLEAR),
            nth: 1,
            every: false,
            action: Action::SetFaults(Faults::bit_errors(5e-2)),
        })
        .unwrap();
    let port = proxy.port().to_string();
    let dir = std::env::temp_dir().join(format!("rvzk-board-storm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("fibonacci.receipt");
    let elf = rvzk_testkit::guest_path("fibonacci").display().to_string();
    let args: ProveArgs = parse(&[
        &elf,
        "--input-u32",
        "300",
        "--board",
        &port,
        "--board-timeout",
        "0.3",
        "-o",
        out.to_str().unwrap(),
    ]);
    let t = Instant::now();
    let err = prove(&args).expect_err("no proof through this link");
    let msg = format!("{err:#}");
    let secs = t.elapsed().as_secs_f64();
    eprintln!("unsurvivable link: {msg} after {secs:.1} s");
    assert!(
        msg.contains("CRC storm") || msg.contains("stopped answering"),
        "{msg}"
    );
    assert!(secs < 60.0, "{secs:.1} s to give up");
    assert!(!out.exists(), "a receipt was written");
    let _ = std::fs::remove_dir_all(&dir);
}
