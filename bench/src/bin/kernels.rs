//! `make bench-kernels`: rvzk's proof-system kernels against Plonky3, side by side, on
//! identical inputs, with one and two rayon threads. Prints one line per case and writes
//! `build/bench/kernels.json`. Also checks that both produce the same outputs (so the
//! comparison is fair and our NTT matches contract 3).

use rvzk_bench::{cases, Record};
use std::io::Write;

fn main() {
    let only: Option<String> = std::env::args().nth(1);
    let mut records: Vec<Record> = Vec::new();
    println!(
        "{:<40} {:>10} {:>10}  {:<34} {:>6}",
        "case", "ours (s)", "peer (s)", "peer", "ratio"
    );
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            for case in cases() {
                if only.as_deref().is_some_and(|o| !case.name.contains(o)) {
                    continue;
                }
                let r = (case.run)(threads);
                println!(
                    "{:<40} {:>10.5} {:>10.5}  {:<34} {:>6.3}",
                    r.name, r.ours_s, r.peer_s, r.peer, r.ratio
                );
                if case.name.starts_with("merkle") {
                    let raw = rvzk_bench::merkle::RAW.with(|c| c.get());
                    let raw_rec = rvzk_bench::Record {
                        name: format!("merkle_2^20x32_vs_raw_sha256 t={threads}"),
                        ours_s: r.ours_s,
                        peer: "raw compress256 (same #compressions)".into(),
                        peer_s: raw,
                        ratio: r.ours_s / raw,
                    };
                    println!(
                        "{:<40} {:>10.5} {:>10.5}  {:<34} {:>6.3}  ({:.0}% of raw SHA-256)",
                        raw_rec.name,
                        raw_rec.ours_s,
                        raw,
                        raw_rec.peer,
                        raw_rec.ratio,
                        100.0 / raw_rec.ratio
                    );
                    records.push(r);
                    records.push(raw_rec);
                } else {
                    records.push(r);
                }
            }
        });
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    std::fs::create_dir_all(&dir).expect("create build/bench");
    let json = serde_json::to_string_pretty(&records).expect("serialise");
    let path = dir.join("kernels.json");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(json.as_bytes()))
        .expect("write kernels.json");
    println!("wrote {}", path.display());
}
