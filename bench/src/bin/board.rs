//! Where a board is faster than the CPU and where its link limits it (docs/boards.md).
//!
//! `cargo run --release -p rvzk-bench --bin board [-- --port PORT [--jobs N]]`
//!
//! Without a port: this CPU's NTT (2^6, 2^12, 2^14, one thread), Merkle node compressions
//! and executor (with and without the trace), beside the ULX3S's engine and SHA-256 core
//! at 60 MHz from their cycle counts (docs/rtl-accel.md) and the 3 Mbaud link's time for
//! the same data. With `--port`: the same jobs measured through that board (the simulated
//! one from `rvzk board sim`, or a real one), and a streamed trace.

use std::time::Instant;

use rvzk_host::backend::board::CostModel;
use rvzk_host::board::{Board, LinkOptions};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};

/// The ULX3S's clock and line.
const CLOCK_HZ: f64 = 60e6;
const LINE_BYTES_PER_S: f64 = 300_000.0;

fn engine_cycles(k: u32) -> u64 {
    let n = 1u64 << k;
    n + u64::from(k) * (n / 2 + 21) + n + 13
}

fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn guests() -> std::path::PathBuf {
    std::env::var_os("RVZK_GUESTS")
        .map(Into::into)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../build/guests").into())
}

fn load(name: &str) -> Program {
    let p = guests().join(format!("{name}.elf"));
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e} (make guests)", p.display()));
    Program::load(&bytes).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port = args
        .iter()
        .position(|a| a == "--port")
        .map(|i| args[i + 1].clone());
    let jobs: usize = args
        .iter()
        .position(|a| a == "--jobs")
        .map_or(20, |i| args[i + 1].parse().expect("--jobs N"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    println!("CPU (one thread) against the ULX3S at 60 MHz and its 3 Mbaud link (models)");
    pool.install(|| {
        let dft = Radix2Dft::new();
        for k in [6u32, 12, 14] {
            let v: Vec<BabyBear> = (0..1u32 << k).map(BabyBear::new).collect();
            let cpu = best_of(50, || {
                std::hint::black_box(dft.dft(v.clone()));
            });
            let engine = engine_cycles(k) as f64 / CLOCK_HZ;
            let link = CostModel::ntt_job_bytes(k) as f64 / LINE_BYTES_PER_S;
            println!(
                "  NTT 2^{k:<2}   CPU {:>9.1} µs   engine {:>9.1} µs ({} cycles)   link {:>9.1} ms ({} bytes)",
                cpu * 1e6,
                engine * 1e6,
                engine_cycles(k),
                link * 1e3,
                CostModel::ntt_job_bytes(k)
            );
        }
        let (l, r) = ([1u8; 32], [2u8; 32]);
        let n = 200_000;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(rvzk_zkvm::merkle::hash_node(
                std::hint::black_box(&l),
                std::hint::black_box(&r),
            ));
        }
        let cpu = n as f64 / t.elapsed().as_secs_f64();
        println!(
            "  Merkle nodes/s   CPU {:>12.0}   SHA-256 core {:>10.0} (65 cycles)   link {:>8.0} (154 bytes a node, one per job)",
            cpu,
            CLOCK_HZ / 65.0,
            LINE_BYTES_PER_S / 154.0
        );
    });
    let program = load("bench");
    let input = 2000u32.to_le_bytes();
    let opts = rvzk_zkvm::rv32im::RunOptions::default();
    let t = Instant::now();
    let out = rvzk_zkvm::rv32im::run(&program, &input, &opts).unwrap();
    let fast = out.cycles as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (out, _) = rvzk_zkvm::rv32im::run_traced(&program, &input, &opts).unwrap();
    let traced = out.cycles as f64 / t.elapsed().as_secs_f64();
    // A 40-byte record in chunks of 12 (12-byte header, CRC, END, ~1 % escapes) plus the
    // 12-byte CHUNK request the other way.
    let per_record = (12.0 * 40.0 + 12.0 + 4.0) * 1.01 / 12.0;
    println!(
        "  trace records/s   executor {:.1} M (untraced {:.1} M instr/s)   link at most {:.0} ({per_record:.1} bytes a record)",
        traced / 1e6,
        fast / 1e6,
        LINE_BYTES_PER_S / per_record
    );

    let Some(port) = port else { return };
    let mut board = Board::open(&port, 3_000_000, LinkOptions::default()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let info = board.info.clone();
    println!("{} on {port}", info.board_name());
    // The simulated board runs slower than the clock it reports: measure its speed on a run
    // without the trace.
    let t = Instant::now();
    let run = board
        .run_guest(&program, &400u32.to_le_bytes(), 1 << 30, false)
        .unwrap();
    let hz = f64::from(run.clocks) / t.elapsed().as_secs_f64();
    println!(
        "  speed            {:.2} M clocks/s (bench 400 without the trace: {} instructions, {} clocks)",
        hz / 1e6,
        run.retired,
        run.clocks
    );
    let fib = load("fibonacci");
    let before = board.stats.clone();
    let run = board
        .run_guest(&fib, &300u32.to_le_bytes(), 1 << 30, true)
        .unwrap();
    let secs = run.run_time.as_secs_f64();
    let bytes_in = board.stats.bytes_in - before.bytes_in;
    let line = f64::from(run.clocks) / (f64::from(info.divisor) * 10.0);
    println!(
        "  trace            {} records in {secs:.2} s = {:.0} records/s; {bytes_in} bytes in = {:.1} % of the line",
        run.retired,
        f64::from(run.retired) / secs,
        100.0 * bytes_in as f64 / line
    );
    if info.features & 2 != 0 {
        let k = info.ntt_log_n;
        let v: Vec<u32> = (0..1u32 << k).collect();
        let before = board.stats.clone();
        let t = Instant::now();
        for i in 0..jobs {
            board.ntt(&v, i % 2 == 1).unwrap();
        }
        let per = t.elapsed().as_secs_f64() / jobs as f64;
        let bytes =
            (board.stats.bytes_out - before.bytes_out) + (board.stats.bytes_in - before.bytes_in);
        println!(
            "  NTT 2^{k} job     {:.1} ms each ({} bytes out and back)",
            per * 1e3,
            bytes / jobs as u64
        );
    }
    if info.features & 4 != 0 {
        let block = [7u8; 64];
        let t = Instant::now();
        for _ in 0..jobs {
            board
                .sha256_compress(rvzk_zkvm::offload::SHA256_IV, &[block])
                .unwrap();
        }
        let per = t.elapsed().as_secs_f64() / jobs as f64;
        println!(
            "  Merkle node job  {:.2} ms each = {:.0} nodes/s",
            per * 1e3,
            1.0 / per
        );
    }
}
