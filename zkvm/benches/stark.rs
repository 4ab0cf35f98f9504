//! Prove and verify a toy AIR (Fibonacci, 2 columns) at several heights: the proof system's
//! own cost, before any RV32IM table, with the default (zero-knowledge) parameters.
//! `cargo bench -p rvzk-zkvm --bench stark`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rvzk_zkvm::air::toy::{fibonacci_trace, Fibonacci};
use rvzk_zkvm::stark::{codec, prove, setup, verify, StarkConfig, Table};
use std::time::Duration;

fn stark(c: &mut Criterion) {
    let cfg = StarkConfig::default_100_bits();
    let tables: Vec<&dyn Table> = vec![&Fibonacci];
    let (pk, vk) = setup(&cfg, &tables);
    for log_n in [16usize, 18, 20] {
        let (t, public) = fibonacci_trace(1 << log_n, 1, 1);
        let proof = prove(&cfg, &pk, &vk, &tables, vec![t.clone()], &public, &[], 1).unwrap();
        let bytes = codec::encode(&proof);
        eprintln!("fib 2^{log_n}: proof {} bytes", bytes.len());
        let mut g = c.benchmark_group("stark/fib");
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(10));
        g.throughput(Throughput::Elements(1 << log_n));
        g.bench_function(BenchmarkId::new("prove", log_n), |b| {
            b.iter(|| prove(&cfg, &pk, &vk, &tables, vec![t.clone()], &public, &[], 1).unwrap())
        });
        g.bench_function(BenchmarkId::new("verify", log_n), |b| {
            b.iter(|| verify(&cfg, &vk, &tables, &proof, &public, &[]).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, stark);
criterion_main!(benches);
