//! Side-by-side benchmarks of rvzk's proof-system kernels against Plonky3 (the binary
//! `kernels` runs them). Each case builds identical inputs for both, times repeated runs,
//! takes medians, and checks that the outputs agree.

use p3_dft::TwoAdicSubgroupDft;
use p3_field::PrimeField32 as _;
use p3_matrix::Matrix as _;
use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::matrix::RowMajorMatrix;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};
use serde_json::json;
use std::time::Instant;

type P3F = p3_baby_bear::BabyBear;
type P3Mat = p3_matrix::dense::RowMajorMatrix<P3F>;

/// One result line: `ratio` = ours / peer (below 1 means we are faster).
#[derive(Debug, Clone)]
pub struct Record {
    /// Case name, including the thread count.
    pub name: String,
    /// Our median time in seconds.
    pub ours_s: f64,
    /// The peer implementation timed (the fastest of those tried).
    pub peer: String,
    /// The peer's median time in seconds.
    pub peer_s: f64,
    /// ours_s / peer_s.
    pub ratio: f64,
}

impl serde::Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json!({"name": self.name, "ours_s": self.ours_s, "peer": self.peer,
               "peer_s": self.peer_s, "ratio": self.ratio})
        .serialize(s)
    }
}

/// A benchmark case: runs everything for the current rayon pool of `threads` threads.
pub struct Case {
    /// Short name (also the command-line filter).
    pub name: &'static str,
    /// Runs the case.
    pub run: fn(usize) -> Record,
}

/// All cases, in the order of the issue.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "ntt_2^20",
            run: ntt_vector,
        },
        Case {
            name: "ntt_batch_2^16x256",
            run: ntt_batch,
        },
        Case {
            name: "lde_2^18x32_blowup4",
            run: lde,
        },
        Case {
            name: "merkle_2^20x32",
            run: merkle::commit,
        },
    ]
}

/// Deterministic canonical values (xorshift).
pub fn inputs(n: usize, seed: u64) -> Vec<u32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 33) as u32) % BabyBear::ORDER
        })
        .collect()
}

trait Order {
    const ORDER: u32;
}
impl Order for BabyBear {
    const ORDER: u32 = 0x7800_0001;
}

fn ours_mat(v: &[u32], w: usize) -> RowMajorMatrix<BabyBear> {
    RowMajorMatrix::new(v.iter().map(|&x| BabyBear::from_canonical(x)).collect(), w)
}

fn p3_mat(v: &[u32], w: usize) -> P3Mat {
    P3Mat::new(v.iter().map(|&x| P3F::new(x)).collect(), w)
}

fn ours_canon(m: &RowMajorMatrix<BabyBear>) -> Vec<u32> {
    m.values.iter().map(|x| x.as_canonical()).collect()
}

fn p3_canon(m: &P3Mat) -> Vec<u32> {
    m.values.iter().map(|x| x.as_canonical_u32()).collect()
}

fn record(name: &str, threads: usize, ours_s: f64, peers: Vec<(String, f64)>) -> Record {
    let (peer, peer_s) = peers
        .into_iter()
        .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap())
        .expect("at least one peer");
    Record {
        name: format!("{name} t={threads}"),
        ours_s,
        peer,
        peer_s,
        ratio: ours_s / peer_s,
    }
}

/// Times every Plonky3 DFT on `input` (natural-order output, like ours) and checks each
/// result against `want`.
/// One timed run: untimed `setup`, then `f` timed; returns seconds.
fn timed_run<T, R>(setup: &mut impl FnMut() -> T, f: &mut impl FnMut(T) -> R) -> f64 {
    let x = setup();
    let t = Instant::now();
    let r = f(x);
    let e = t.elapsed().as_secs_f64();
    drop(std::hint::black_box(r));
    e
}

/// A closure doing one timed run (see [`timed_run`]).
pub type Runner<'a> = Box<dyn FnMut() -> f64 + 'a>;

/// Wraps `setup` and `f` as a [`Runner`].
pub fn runner<'a, T: 'a, R: 'a>(
    mut setup: impl FnMut() -> T + 'a,
    mut f: impl FnMut(T) -> R + 'a,
) -> Runner<'a> {
    Box::new(move || timed_run(&mut setup, &mut f))
}

/// Medians of `reps` runs of each runner, taken round-robin (one run of each in turn) after
/// one warm-up each, so load that comes and goes on a shared machine hits all alike.
pub fn interleaved_medians(reps: usize, runners: &mut [Runner<'_>]) -> Vec<f64> {
    let mut times = vec![Vec::with_capacity(reps); runners.len()];
    for r in runners.iter_mut() {
        r();
    }
    for _ in 0..reps {
        for (t, r) in times.iter_mut().zip(runners.iter_mut()) {
            t.push(r());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(|a, b| a.partial_cmp(b).unwrap());
            t[t.len() / 2]
        })
        .collect()
}

/// Plonky3's DFTs, each checked against `want` (natural order, like ours) on `input`.
fn p3_dfts(
    input: &P3Mat,
    want: &[u32],
    op: &dyn Fn(&dyn DynDft, P3Mat) -> P3Mat,
) -> Vec<(String, Box<dyn DynDft>)> {
    let h = input.height();
    let dfts: Vec<(String, Box<dyn DynDft>)> = vec![
        (
            "p3 Radix2DitParallel".into(),
            Box::new(p3_dft::Radix2DitParallel::<P3F>::default()),
        ),
        (
            "p3 RecursiveDft".into(),
            Box::new(p3_monty_31::dft::RecursiveDft::<P3F>::new(h << 2)),
        ),
        (
            "p3 Radix2DFTSmallBatch".into(),
            Box::new(p3_dft::Radix2DFTSmallBatch::<P3F>::new(h << 2)),
        ),
    ];
    for (name, d) in &dfts {
        let out = op(d.as_ref(), input.clone());
        assert_eq!(p3_canon(&out), want, "{name} disagrees with rvzk");
    }
    dfts
}

/// Times our transform and every Plonky3 one, interleaved; returns our median and theirs.
fn race(
    reps: usize,
    ours: Runner<'_>,
    input: &P3Mat,
    want: &[u32],
    op: &dyn Fn(&dyn DynDft, P3Mat) -> P3Mat,
) -> (f64, Vec<(String, f64)>) {
    let dfts = p3_dfts(input, want, op);
    let mut runners = vec![ours];
    for (_, d) in &dfts {
        runners.push(runner(|| input.clone(), move |m| op(d.as_ref(), m)));
    }
    let t = interleaved_medians(reps, &mut runners);
    drop(runners);
    let peers = dfts
        .into_iter()
        .zip(&t[1..])
        .map(|((n, _), &t)| (n, t))
        .collect();
    (t[0], peers)
}

/// Object-safe view of Plonky3's DFTs with natural-order outputs.
pub trait DynDft {
    /// Forward, natural order.
    fn dft_batch(&self, m: P3Mat) -> P3Mat;
    /// Coset LDE onto generator·H', natural order.
    fn coset_lde_batch(&self, m: P3Mat, added_bits: usize) -> P3Mat;
}

impl<D: TwoAdicSubgroupDft<P3F>> DynDft for D {
    fn dft_batch(&self, m: P3Mat) -> P3Mat {
        TwoAdicSubgroupDft::dft_batch(self, m).to_row_major_matrix()
    }
    fn coset_lde_batch(&self, m: P3Mat, added_bits: usize) -> P3Mat {
        use p3_field::Field as _;
        TwoAdicSubgroupDft::coset_lde_batch(self, m, added_bits, P3F::GENERATOR)
            .to_row_major_matrix()
    }
}

fn ntt_vector(threads: usize) -> Record {
    let n = 1 << 20;
    let v = inputs(n, 1);
    let ours = Radix2Dft::new();
    let input = ours_mat(&v, 1);
    let want = ours_canon(&ours.dft_batch(input.clone()));
    let ours_run = runner(|| input.values.clone(), |x| ours.dft(x));
    let (t, peers) = race(11, ours_run, &p3_mat(&v, 1), &want, &|d, m| d.dft_batch(m));
    record("ntt_2^20", threads, t, peers)
}

fn ntt_batch(threads: usize) -> Record {
    let (h, w) = (1 << 16, 256);
    let v = inputs(h * w, 2);
    let ours = Radix2Dft::new();
    let input = ours_mat(&v, w);
    let want = ours_canon(&ours.dft_batch(input.clone()));
    let ours_run = runner(|| input.clone(), |m| ours.dft_batch(m));
    let (t, peers) = race(7, ours_run, &p3_mat(&v, w), &want, &|d, m| d.dft_batch(m));
    record("ntt_batch_2^16x256", threads, t, peers)
}

fn lde(threads: usize) -> Record {
    let (h, w, bits) = (1 << 18, 32, 2);
    let v = inputs(h * w, 3);
    let ours = Radix2Dft::new();
    let input = ours_mat(&v, w);
    let want = ours_canon(&ours.coset_lde_batch(input.clone(), bits));
    let ours_run = runner(|| input.clone(), |m| ours.coset_lde_batch(m, bits));
    let op = |d: &dyn DynDft, m| d.coset_lde_batch(m, bits);
    let (t, peers) = race(7, ours_run, &p3_mat(&v, w), &want, &op);
    record("lde_2^18x32_blowup4", threads, t, peers)
}

/// Merkle commitments: ours against Plonky3's SHA-256 `MerkleTreeMmcs` (same leaf and node
/// hashes, so the roots must agree) and against raw SHA-256 compression throughput.
pub mod merkle {
    use super::*;
    use p3_commit::Mmcs;
    use rvzk_zkvm::merkle::MerkleTree;
    use sha2::digest::generic_array::GenericArray;

    type P3Mmcs = p3_merkle_tree::MerkleTreeMmcs<
        P3F,
        u8,
        p3_symmetric::SerializingHasher<p3_sha256::Sha256>,
        p3_sha256::Sha256Compress,
        2,
        32,
    >;

    const H: usize = 1 << 20;
    const W: usize = 32;

    /// SHA-256 compressions in one commit: 3 per 128-byte leaf (two data blocks and the
    /// padding block) and one per internal node.
    const COMPRESSIONS: usize = 3 * H + (H - 1);

    /// The leaf bytes' worth of 64-byte blocks, for one long single-threaded `compress256`
    /// call (the fastest plain SHA-256 goes on one core).
    fn raw_blocks() -> Vec<GenericArray<u8, sha2::digest::typenum::U64>> {
        (0..(H * W * 4 / 64))
            .map(|i| GenericArray::from([(i % 251) as u8; 64]))
            .collect()
    }

    /// Commit to a 2^20 × 32 matrix.
    pub fn commit(threads: usize) -> Record {
        let v = inputs(H * W, 4);
        let ours_in = ours_mat(&v, W);
        let root = MerkleTree::commit(ours_in.clone()).root();
        let mmcs = P3Mmcs::new(
            p3_symmetric::SerializingHasher::new(p3_sha256::Sha256),
            p3_sha256::Sha256Compress,
            0,
        );
        // Plonky3 hashes its elements' Montgomery form (x·2^32 mod p) where we hash canonical
        // values; give it the elements whose Montgomery form is our input, so both trees hash
        // identical bytes and must have identical roots.
        let r_inv = {
            use rvzk_zkvm::field::Field as _;
            BabyBear::new(((1u64 << 32) % 0x7800_0001) as u32)
                .inverse()
                .as_canonical() as u64
        };
        let pv: Vec<u32> = v
            .iter()
            .map(|&x| (x as u64 * r_inv % 0x7800_0001) as u32)
            .collect();
        let (cap, _) = mmcs.commit_matrix(p3_mat(&pv, W));
        assert_eq!(
            cap.roots()[0],
            root,
            "Plonky3's SHA-256 Merkle root differs from ours"
        );
        let blocks = raw_blocks();
        let raw_one = |_: ()| {
            let mut state = [0u32; 8];
            sha2::compress256(&mut state, &blocks);
            state
        };
        let t = interleaved_medians(
            5,
            &mut [
                runner(|| ours_in.clone(), MerkleTree::commit),
                runner(|| p3_mat(&pv, W), |m| mmcs.commit_matrix(m)),
                runner(|| (), raw_one),
            ],
        );
        let raw = t[2] / blocks.len() as f64 * COMPRESSIONS as f64 / threads as f64;
        let (t, tp) = (t[0], t[1]);
        let r = record(
            "merkle_2^20x32",
            threads,
            t,
            vec![("p3 MerkleTreeMmcs<Sha256>".into(), tp)],
        );
        // Efficiency against raw SHA-256 is printed as a second line by the caller.
        RAW.with(|c| c.set(raw));
        r
    }

    thread_local! {
        /// The raw-SHA-256 ideal for the last commit case (seconds).
        pub static RAW: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    }
}
