//! Prove a 2^k-row Fibonacci AIR once (k from the first argument, default 20): a target for
//! profilers (`perf record`), not a benchmark.

use rvzk_zkvm::air::{Air, AirBuilder, F};
use rvzk_zkvm::field::Field;
use rvzk_zkvm::matrix::RowMajorMatrix;
use rvzk_zkvm::stark::{prove_with_stats, setup, StarkConfig, Table};

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
        let tr = b.is_transition();
        b.assert_zero(tr.clone() * (a2 - x.clone()));
        b.assert_zero(tr * (x2 - (a + x)));
    }
}

fn main() {
    let log_n: usize = std::env::args()
        .nth(1)
        .map_or(20, |s| s.parse().expect("log2 rows"));
    let n = 1usize << log_n;
    let mut v = Vec::with_capacity(2 * n);
    let (mut a, mut b) = (F::ONE, F::ONE);
    for _ in 0..n {
        v.extend([a, b]);
        (a, b) = (b, a + b);
    }
    let cfg = StarkConfig::default_100_bits();
    let tables: Vec<&dyn Table> = vec![&Fib];
    let (pk, vk) = setup(&cfg, &tables);
    let t = std::time::Instant::now();
    let (proof, stats) = prove_with_stats(
        &cfg,
        &pk,
        &vk,
        &tables,
        vec![RowMajorMatrix::new(v, 2)],
        &[],
        &[],
    )
    .unwrap();
    eprintln!(
        "2^{log_n} rows: {:.3} s, {} FRI layers",
        t.elapsed().as_secs_f64(),
        proof.fri.commits.len()
    );
    for (phase, secs) in &stats.phases {
        eprintln!("  {phase:<20} {secs:8.3} s");
    }
}
