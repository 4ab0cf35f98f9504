//! Prove and verify a toy AIR (Fibonacci, 2 columns) at several heights: the proof system's
//! own cost, before any RV32IM table. `cargo bench -p rvzk-zkvm --bench stark`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rvzk_zkvm::air::{Air, AirBuilder, F};
use rvzk_zkvm::field::Field;
use rvzk_zkvm::matrix::RowMajorMatrix;
use rvzk_zkvm::stark::{codec, prove, setup, verify, StarkConfig, Table};
use std::time::Duration;

/// (a, b) → (b, a + b), with boundary values as public inputs.
struct Fib;

impl Air for Fib {
    fn name(&self) -> String {
        "fib".into()
    }
    fn width(&self) -> usize {
        2
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let (a, x) = (b.local()[0].into(), b.local()[1].into());
        let (a2, x2) = (b.next()[0].into(), b.next()[1].into());
        let p = b.public_values().to_vec();
        let (first, last, tr) = (b.is_first_row(), b.is_last_row(), b.is_transition());
        b.assert_zero(first.clone() * (a.clone() - p[0]));
        b.assert_zero(first * (x.clone() - p[1]));
        b.assert_zero(tr.clone() * (a2 - x.clone()));
        b.assert_zero(tr * (x2 - (a + x.clone())));
        b.assert_zero(last * (x - p[2]));
    }
}

fn trace(log_n: usize) -> (RowMajorMatrix<F>, Vec<F>) {
    let n = 1 << log_n;
    let mut v = Vec::with_capacity(2 * n);
    let (mut a, mut b) = (F::ONE, F::ONE);
    for _ in 0..n {
        v.push(a);
        v.push(b);
        let c = a + b;
        a = b;
        b = c;
    }
    let last = v[2 * n - 1];
    (RowMajorMatrix::new(v, 2), vec![F::ONE, F::ONE, last])
}

fn stark(c: &mut Criterion) {
    let cfg = StarkConfig::default_100_bits();
    let tables: Vec<&dyn Table> = vec![&Fib];
    let (pk, vk) = setup(&cfg, &tables);
    for log_n in [16usize, 18, 20] {
        let (t, public) = trace(log_n);
        let proof = prove(&cfg, &pk, &vk, &tables, vec![t.clone()], &public, &[]).unwrap();
        let bytes = codec::encode(&proof);
        eprintln!("fib 2^{log_n}: proof {} bytes", bytes.len());
        let mut g = c.benchmark_group("stark/fib");
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(10));
        g.throughput(Throughput::Elements(1 << log_n));
        g.bench_function(BenchmarkId::new("prove", log_n), |b| {
            b.iter(|| prove(&cfg, &pk, &vk, &tables, vec![t.clone()], &public, &[]).unwrap())
        });
        g.bench_function(BenchmarkId::new("verify", log_n), |b| {
            b.iter(|| verify(&cfg, &vk, &tables, &proof, &public, &[]).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, stark);
criterion_main!(benches);
