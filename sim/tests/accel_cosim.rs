//! Verilator co-simulation of the accelerator's Verilog against the software reference:
//! random NTTs at the largest size (2^14) and random SHA-256 blocks and Merkle nodes.
//! Needs Verilator (installed through `scripts/tools.sh` if missing; the tests fail, not
//! skip, when it cannot be had).

use rand::{Rng, SeedableRng};
use rvzk_sim::verilator::{build, HarnessSpec};
use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};
use std::io::{BufReader, BufWriter, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const P: u32 = rvzk_rtl::babybear::P;

fn words_to_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn read_words(r: &mut (impl Read + ?Sized), n: usize) -> Vec<u32> {
    let mut buf = vec![0u8; 4 * n];
    r.read_exact(&mut buf).expect("harness output ended early");
    buf.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// Runs a harness: `input` goes to its stdin from a thread while `check` reads its stdout;
/// returns the harness's stderr summary line.
fn drive(
    exe: &std::path::Path,
    args: &[&str],
    input: Vec<u8>,
    check: impl FnOnce(&mut dyn Read),
) -> String {
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
    let mut stdin = BufWriter::new(child.stdin.take().unwrap());
    let writer = std::thread::spawn(move || {
        // A write error means the harness died; its exit status tells why.
        let _ = stdin.write_all(&input);
        let _ = stdin.flush();
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    check(&mut stdout);
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    let summary = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "harness failed: {summary}");
    summary
}

fn field(summary: &str, key: &str) -> f64 {
    summary
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {summary:?}"))
}

fn random_field_vec(rng: &mut impl Rng, n: usize) -> Vec<u32> {
    (0..n)
        .map(|_| match rng.gen_range(0..64) {
            0 => 0,
            1 => P - 1,
            _ => rng.gen_range(0..P),
        })
        .collect()
}

#[test]
fn ntt_2_14_thousand_random_transforms() {
    const LOG_N: usize = 14;
    const JOBS: usize = 1000;
    let n = 1usize << LOG_N;
    let exe = build(&HarnessSpec {
        name: "ntt14",
        top: "rvzk_ntt14",
        testbench: "sim/harness/ntt_tb.cpp",
        defines: &["NTT_LOG_N=14"],
    })
    .unwrap();

    let mut rng = rand::rngs::StdRng::seed_from_u64(0x4e54_5431);
    let jobs: Vec<(bool, Vec<u32>)> = (0..JOBS)
        .map(|i| {
            let data = match i {
                0 => (0..n as u32).collect(), // a ramp, easy to debug
                1 => vec![P - 1; n],
                _ => random_field_vec(&mut rng, n),
            };
            (rng.gen_bool(0.5), data)
        })
        .collect();
    let mut input = words_to_bytes(&[JOBS as u32, 12345]);
    for (inverse, data) in &jobs {
        input.extend(words_to_bytes(&[*inverse as u32]));
        input.extend(words_to_bytes(data));
    }

    let dft = Radix2Dft::new();
    let start = Instant::now();
    let summary = drive(&exe, &[], input, |out| {
        for (j, (inverse, data)) in jobs.iter().enumerate() {
            let got = read_words(out, n);
            let values: Vec<BabyBear> = data.iter().map(|&x| BabyBear::from_canonical(x)).collect();
            let want: Vec<u32> = if *inverse {
                dft.idft(values)
            } else {
                dft.dft(values)
            }
            .iter()
            .map(|x| x.as_canonical())
            .collect();
            if j < 2 {
                // An independent second reference for the first jobs.
                let own = if *inverse {
                    rvzk_rtl::babybear::intt(data)
                } else {
                    rvzk_rtl::babybear::ntt(data)
                };
                assert_eq!(own, want, "references disagree on job {j}");
            }
            if got != want {
                let bad = got.iter().zip(&want).position(|(a, b)| a != b).unwrap();
                panic!(
                    "job {j} (inverse = {inverse}): first mismatch at {bad}: got {} want {}",
                    got[bad], want[bad]
                );
            }
        }
    });
    let cycles = field(&summary, "cycles");
    let secs = field(&summary, "seconds");
    eprintln!(
        "{summary}ntt 2^{LOG_N}: {JOBS} transforms bit-exact; {:.0} cycles/transform, \
         {:.2} M cycles/s simulated, {:.1} s wall",
        cycles / JOBS as f64,
        cycles / secs / 1e6,
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn ntt_2_12_spram_bank_random_transforms() {
    // The UP5K build: one bank as two SPRAM-style single-port copies used in turn.
    let n = 1 << 12;
    let jobs_n = 200;
    let exe = build(&HarnessSpec {
        name: "ntt12",
        top: "rvzk_ntt12",
        testbench: "sim/harness/ntt_tb.cpp",
        defines: &["NTT_LOG_N=12"],
    })
    .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let jobs: Vec<(bool, Vec<u32>)> = (0..jobs_n)
        .map(|_| (rng.gen_bool(0.5), random_field_vec(&mut rng, n)))
        .collect();
    let mut input = words_to_bytes(&[jobs_n as u32, 4242]);
    for (inverse, data) in &jobs {
        input.extend(words_to_bytes(&[*inverse as u32]));
        input.extend(words_to_bytes(data));
    }
    drive(&exe, &[], input, |out| {
        for (j, (inverse, data)) in jobs.iter().enumerate() {
            let got = read_words(out, n);
            let want = if *inverse {
                rvzk_rtl::babybear::intt(data)
            } else {
                rvzk_rtl::babybear::ntt(data)
            };
            assert_eq!(got, want, "job {j} (inverse = {inverse})");
        }
    });
}

#[test]
fn ntt_2_6_forward_inverse_round_trips() {
    // The small engine exercises the same RTL with many more passes per cycle simulated.
    let n = 64;
    let jobs_n = 2000;
    let exe = build(&HarnessSpec {
        name: "ntt6",
        top: "rvzk_ntt6",
        testbench: "sim/harness/ntt_tb.cpp",
        defines: &["NTT_LOG_N=6"],
    })
    .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(6);
    let jobs: Vec<(bool, Vec<u32>)> = (0..jobs_n)
        .map(|_| (rng.gen_bool(0.5), random_field_vec(&mut rng, n)))
        .collect();
    let mut input = words_to_bytes(&[jobs_n as u32, 777]);
    for (inverse, data) in &jobs {
        input.extend(words_to_bytes(&[*inverse as u32]));
        input.extend(words_to_bytes(data));
    }
    drive(&exe, &[], input, |out| {
        for (j, (inverse, data)) in jobs.iter().enumerate() {
            let got = read_words(out, n);
            let want = if *inverse {
                rvzk_rtl::babybear::intt(data)
            } else {
                rvzk_rtl::babybear::ntt(data)
            };
            assert_eq!(got, want, "job {j} (inverse = {inverse})");
        }
    });
}

/// Mode words of the SHA-256 harness.
const PLAIN: u32 = 0;
const MERKLE: u32 = 1;
const CHAIN: u32 = 2;

#[test]
fn sha256_random_blocks_and_merkle_nodes() {
    sha256_cosim("sha256", "rvzk_sha256");
}

#[test]
fn sha256_carry_save_random_blocks_and_merkle_nodes() {
    sha256_cosim("sha256_cs", "rvzk_sha256_cs");
}

/// 10,000 random blocks (30 % of them chained) and 10,000 Merkle nodes through one core.
fn sha256_cosim(name: &str, top: &str) {
    const BLOCKS: usize = 10_000;
    const NODES: usize = 10_000;
    let exe = build(&HarnessSpec {
        name,
        top,
        testbench: "sim/harness/sha256_tb.cpp",
        defines: &[],
    })
    .unwrap();

    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5348_4132);
    // Plain blocks (some chained from the previous result) and Merkle nodes, interleaved
    // in runs so every mode follows every other.
    let mut jobs: Vec<(u32, [u32; 8], [u8; 64])> = vec![];
    let (mut blocks, mut nodes) = (0, 0);
    while blocks < BLOCKS || nodes < NODES {
        let run = rng.gen_range(1..8);
        let merkle = nodes < NODES && (blocks >= BLOCKS || rng.gen_bool(0.5));
        for _ in 0..run {
            let block: [u8; 64] = std::array::from_fn(|_| rng.gen());
            if merkle && nodes < NODES {
                jobs.push((MERKLE, [0; 8], block));
                nodes += 1;
            } else if !merkle && blocks < BLOCKS {
                let mode = if !jobs.is_empty() && rng.gen_bool(0.3) {
                    CHAIN
                } else {
                    PLAIN
                };
                jobs.push((mode, std::array::from_fn(|_| rng.gen()), block));
                blocks += 1;
            }
        }
    }
    let mut input = words_to_bytes(&[jobs.len() as u32]);
    for (mode, state, block) in &jobs {
        input.extend(words_to_bytes(&[*mode]));
        input.extend(words_to_bytes(state));
        input.extend(block);
    }

    let summary = drive(&exe, &[], input, |out| {
        let mut previous = [0u32; 8];
        for (j, (mode, state, block)) in jobs.iter().enumerate() {
            let mut want = match *mode {
                MERKLE => rvzk_rtl::sha256::IV,
                CHAIN => previous,
                _ => *state,
            };
            sha2::compress256(&mut want, &[(*block).into()]);
            let got = read_words(out, 8);
            assert_eq!(got, want, "job {j} (mode {mode})");
            previous = want;
        }
    });
    let per_block = field(&summary, "cycles_per_block");
    let cycles = field(&summary, "cycles");
    let secs = field(&summary, "seconds");
    eprintln!(
        "{summary}{top}: {BLOCKS} blocks + {NODES} Merkle nodes bit-exact; \
         {per_block:.3} cycles/block, {:.2} M cycles/s simulated",
        cycles / secs / 1e6
    );
    assert_eq!(
        per_block, 65.0,
        "back-to-back blocks must take 65 cycles each"
    );
}
