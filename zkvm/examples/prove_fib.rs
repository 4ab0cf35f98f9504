//! Prove a 2^k-row Fibonacci AIR once (k from the first argument, default 20): a target for
//! profilers (`perf record`), not a benchmark.

use rvzk_zkvm::air::toy::{fibonacci_trace, Fibonacci};
use rvzk_zkvm::stark::{prove_with_stats, setup, StarkConfig, Table};

fn main() {
    let log_n: usize = std::env::args()
        .nth(1)
        .map_or(20, |s| s.parse().expect("log2 rows"));
    let (trace, public) = fibonacci_trace(1 << log_n, 1, 1);
    let cfg = StarkConfig::default_100_bits();
    let tables: Vec<&dyn Table> = vec![&Fibonacci];
    let (pk, vk) = setup(&cfg, &tables);
    let t = std::time::Instant::now();
    let (proof, stats) =
        prove_with_stats(&cfg, &pk, &vk, &tables, vec![trace], &public, &[]).unwrap();
    eprintln!(
        "2^{log_n} rows: {:.3} s, {} FRI layers",
        t.elapsed().as_secs_f64(),
        proof.fri.commits.len()
    );
    for (phase, secs) in &stats.phases {
        eprintln!("  {phase:<20} {secs:8.3} s");
    }
}
