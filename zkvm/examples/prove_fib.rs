//! Prove a 2^k-row Fibonacci AIR once (k from the first argument, default 20): a target for
//! profilers (`perf record`), not a benchmark. Zero-knowledge is on (the default
//! parameters); pass `--no-zk` to turn it off. The blinding seed is fixed, so runs repeat.

use rvzk_zkvm::air::toy::{fibonacci_trace, Fibonacci};
use rvzk_zkvm::stark::{codec, prove_with_stats, setup, verify, StarkConfig, Table};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let zk = !args.iter().any(|a| a == "--no-zk");
    let log_n: usize = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or(20, |s| s.parse().expect("log2 rows"));
    let (trace, public) = fibonacci_trace(1 << log_n, 1, 1);
    let cfg = StarkConfig::default_100_bits().with_zk(zk);
    let tables: Vec<&dyn Table> = vec![&Fibonacci];
    let (pk, vk) = setup(&cfg, &tables);
    let t = std::time::Instant::now();
    let (proof, stats) =
        prove_with_stats(&cfg, &pk, &vk, &tables, vec![trace], &public, &[], 1).unwrap();
    eprintln!(
        "2^{log_n} rows, zk {}: {:.3} s, {} FRI layers, proof {} bytes",
        if zk { "on" } else { "off" },
        t.elapsed().as_secs_f64(),
        proof.fri.commits.len(),
        codec::encode(&proof).len()
    );
    for (phase, secs) in &stats.phases {
        eprintln!("  {phase:<20} {secs:8.3} s");
    }
    let (_, sizes) = codec::encode_with_breakdown(&proof);
    eprintln!("  proof bytes: {sizes:?}");
    let t = std::time::Instant::now();
    verify(&cfg, &vk, &tables, &proof, &public, &[]).unwrap();
    eprintln!("  verified in {:.3} s", t.elapsed().as_secs_f64());
}
