//! Executor speed on the `bench` guest, fast and tracing modes, one core.
//!
//! `make bench` runs it (the guests must be built: `make guests`). Criterion reports
//! throughput in elements/s, where one element is one retired instruction.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::rv32im::{run, run_traced, RunOptions};
use std::time::Duration;

fn guest(name: &str) -> Program {
    let dir = std::env::var("RVZK_GUESTS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../build/guests").into());
    let path = format!("{dir}/{name}.elf");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make guests`)"));
    Program::load(&bytes).unwrap()
}

fn executor(c: &mut Criterion) {
    let program = guest("bench");
    let opts = RunOptions::default();
    // About 2^24 and 2^22 cycles (the bench guest retires ~121 instructions per iteration).
    for iterations in [140_000u32, 35_000] {
        let input = iterations.to_le_bytes();
        let cycles = run(&program, &input, &opts).unwrap().cycles;
        let mut group = c.benchmark_group(format!("executor/bench-{cycles}-cycles"));
        group.throughput(Throughput::Elements(cycles));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(8));
        group.bench_function(BenchmarkId::new("fast", cycles), |b| {
            b.iter(|| run(&program, &input, &opts).unwrap())
        });
        group.bench_function(BenchmarkId::new("tracing", cycles), |b| {
            b.iter(|| run_traced(&program, &input, &opts).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, executor);
criterion_main!(benches);
