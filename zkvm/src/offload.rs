//! Offloading prover work to an accelerator: a board's NTT engine and SHA-256 core
//! (docs/boards.md, "Proving on a board").
//!
//! The prover never needs this: the software path leaves it unused and stays the bit-exact
//! reference. A prover given an [`Offload`] consults it in two places, chosen once when
//! proving starts:
//!
//! * the NTT ([`crate::ntt::Radix2Dft`] built with [`Radix2Dft::with_offload`]): for each
//!   column of a batched transform or low-degree extension it asks the [`Accelerator`]
//!   whether to send it; a granted column is transformed by [`Offload::ntt`], which splits a
//!   transform of 2^m values into size-2^K transforms for the device (the engine's size,
//!   four-step: strided sub-transforms on the device, twiddles and the other stage on the
//!   host) or zero-pads a smaller one;
//! * the Merkle 2-to-1 node compressions of the STARK's commitments
//!   ([`crate::mmcs::commit_salted_with`]): the first nodes of a level the accelerator
//!   grants go to its SHA-256 core, one job per node.
//!
//! Every result is checked before it is used, so a wrong value (a bit flipped inside the
//! device, which no link CRC can see) never reaches the proof: an NTT output by one
//! evaluation of the identity Σ_k r^k·X_k = s·(r^n − 1)·Σ_j x_j / (r·w^j − 1) at a fresh
//! random r of the degree-4 extension (a wrong output passes with probability at most
//! n/|E| < 2^−100), a compression by recomputing it (one compression on the CPU costs far
//! less than sending its 104 bytes). A failed or wrong job is recorded, its work is done in
//! software, and the proof then fails with [`Offload::error`] — it never yields a receipt.
//! Results are exact, so a proof with offloaded work is byte-identical to one without.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, RngCore, SeedableRng};

use crate::field::{
    batch_inverse, BabyBear, BabyBearExt4, ExtensionField, Field, PrimeField32, TwoAdicField,
};
use crate::matrix::RowMajorMatrix;
use crate::merkle::Digest;
use crate::ntt::{Dft, Radix2Dft};

/// The SHA-256 initial hash value (FIPS 180-4 §5.3.3): a Merkle node compresses from it.
pub const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// A device that can take NTT and SHA-256 jobs, and the policy that decides which to send.
///
/// Calls come from the prover's worker threads, concurrently; an implementation serialises
/// its device itself. Errors are messages for the user (the link failed, the device
/// refused).
pub trait Accelerator: Send + Sync {
    /// log2 of the size of the transforms the NTT engine takes (its K), if it has one.
    fn ntt_log_n(&self) -> Option<u32>;
    /// Whether it has a SHA-256 core.
    fn has_sha256(&self) -> bool;
    /// Policy: whether to transform one column of 2^`log_n` values on the device, costing
    /// `jobs` engine jobs. Granting reserves the jobs.
    fn grant_ntt(&self, log_n: u32, jobs: usize) -> bool;
    /// Policy: how many of `nodes` Merkle node compressions (one job each) to send.
    /// Granting reserves the jobs.
    fn grant_nodes(&self, nodes: usize) -> usize;
    /// The forward (or inverse) NTT of exactly 2^K canonical values (contract 3).
    fn ntt(&self, values: &[u32], inverse: bool) -> Result<Vec<u32>, String>;
    /// One raw SHA-256 compression of `block` from `state` (FIPS 180-4, no padding).
    fn sha256_compress(&self, state: [u32; 8], block: &[u8; 64]) -> Result<[u32; 8], String>;
}

/// Why offloaded work could not be used: the proof must not be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OffloadError {
    /// The device did not do the job.
    #[error("the accelerator failed an {kind} job: {why}")]
    Failed {
        /// "NTT" or "SHA-256".
        kind: &'static str,
        /// What went wrong.
        why: String,
    },
    /// The device answered, with a wrong result.
    #[error("the accelerator returned a wrong {kind} result (job {job}): {why}")]
    Wrong {
        /// "NTT" or "SHA-256".
        kind: &'static str,
        /// Number of the job, from 1, counted per kind.
        job: u64,
        /// What the check found.
        why: String,
    },
}

/// What was offloaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OffloadStats {
    /// NTT engine jobs done (each 2^K values in and out).
    pub ntt_jobs: u64,
    /// Whole transforms of the prover (a column, or half of a column's LDE) done through
    /// the engine.
    pub ntt_transforms: u64,
    /// Seconds inside NTT jobs (device and link).
    pub ntt_seconds: f64,
    /// SHA-256 jobs (Merkle nodes) done.
    pub sha_jobs: u64,
    /// Seconds inside SHA-256 jobs.
    pub sha_seconds: f64,
    /// Seconds checking results on the host.
    pub check_seconds: f64,
}

/// An [`Accelerator`] with the checks, the NTT decomposition and the bookkeeping the
/// prover needs; shared by the prover's threads.
pub struct Offload {
    device: Arc<dyn Accelerator>,
    /// The host's share of decomposed transforms.
    host: Radix2Dft,
    error: Mutex<Option<OffloadError>>,
    stats: Mutex<OffloadStats>,
    ntt_count: AtomicU64,
    sha_count: AtomicU64,
    rng: Mutex<ChaCha20Rng>,
}

impl std::fmt::Debug for Offload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Offload")
            .field("ntt_log_n", &self.device.ntt_log_n())
            .field("sha256", &self.device.has_sha256())
            .finish_non_exhaustive()
    }
}

type F = BabyBear;
type E = BabyBearExt4;

impl Offload {
    /// Offloading to `device`.
    pub fn new(device: Arc<dyn Accelerator>) -> Offload {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Offload {
            device,
            host: Radix2Dft::new(),
            error: Mutex::new(None),
            stats: Mutex::new(OffloadStats::default()),
            ntt_count: AtomicU64::new(0),
            sha_count: AtomicU64::new(0),
            rng: Mutex::new(ChaCha20Rng::from_seed(key)),
        }
    }

    /// The first failure, if any: a proof made while one was recorded must be discarded.
    pub fn error(&self) -> Option<OffloadError> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// What was offloaded so far.
    pub fn stats(&self) -> OffloadStats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn fail(&self, e: OffloadError) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
    }

    fn failed(&self) -> bool {
        self.error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn add_stats(&self, f: impl FnOnce(&mut OffloadStats)) {
        f(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Engine jobs a transform of 2^log_n values costs.
    pub fn jobs_for(k: u32, log_n: u32) -> usize {
        1usize << log_n.saturating_sub(k)
    }

    /// How many of the first columns of a `width`-column batch of transforms of 2^`log_ns`
    /// values each (one entry per transform a column needs) the device takes.
    fn grant_columns(&self, width: usize, log_ns: &[u32]) -> usize {
        let Some(k) = self.device.ntt_log_n() else {
            return 0;
        };
        if self.failed() {
            return 0;
        }
        let jobs: usize = log_ns.iter().map(|&l| Self::jobs_for(k, l)).sum();
        let top = log_ns.iter().copied().max().unwrap_or(0);
        (0..width)
            .take_while(|_| self.device.grant_ntt(top, jobs))
            .count()
    }

    /// A transform of `values` (2^m of them, natural order, contract 3) through the device;
    /// on failure, the error is recorded and the transform done in software.
    pub fn ntt(&self, values: Vec<F>, inverse: bool) -> Vec<F> {
        match self.try_ntt(&values, inverse) {
            Ok(v) => v,
            Err(e) => {
                self.fail(e);
                let m = RowMajorMatrix::new_col(values);
                if inverse {
                    self.host.idft_batch(m).values
                } else {
                    self.host.dft_batch(m).values
                }
            }
        }
    }

    fn try_ntt(&self, values: &[F], inverse: bool) -> Result<Vec<F>, OffloadError> {
        let k = self
            .device
            .ntt_log_n()
            .ok_or_else(|| OffloadError::Failed {
                kind: "NTT",
                why: "the device has no NTT engine".into(),
            })?;
        let n = values.len();
        assert!(n.is_power_of_two(), "NTT size must be a power of two");
        let m = n.ilog2();
        let b = 1usize << k;
        self.add_stats(|s| s.ntt_transforms += 1);
        if m <= k {
            // Zero-pad to the engine's size: X'_{k·B/n} = X_k, so every (B/n)-th output is
            // the answer; the inverse divided by B, not n, so it is multiplied by B/n.
            let mut padded = values.to_vec();
            padded.resize(b, F::ZERO);
            let out = self.job(&padded, inverse)?;
            let step = b / n;
            let fix = F::from_u64(step as u64);
            return Ok((0..n)
                .map(|i| {
                    let x = out[i * step];
                    if inverse {
                        x * fix
                    } else {
                        x
                    }
                })
                .collect());
        }
        // Four-step with n = A·B: input j = j1 + A·j2, output k = k2 + B·k1:
        //   X_{k2+B·k1} = Σ_{j1} ω_A^{j1·k1} · ω_n^{j1·k2} · (Σ_{j2} x_{j1+A·j2} ω_B^{j2·k2}).
        // The A inner sums of size B go to the device; the twiddles ω_n^{±j1·k2} and the B
        // outer transforms of size A (one batched call, a row-major A × B matrix) stay here.
        // Inverse: the device's 1/B times the host's 1/A is the 1/n.
        let a = n / b;
        let mut mat = Vec::with_capacity(n);
        for j1 in 0..a {
            let sub: Vec<F> = (0..b).map(|j2| values[j1 + a * j2]).collect();
            mat.extend(self.job(&sub, inverse)?);
        }
        let mut w = F::two_adic_generator(m as usize);
        if inverse {
            w = w.inverse();
        }
        for (j1, row) in mat.chunks_exact_mut(b).enumerate() {
            let step = w.pow(j1 as u64);
            let mut t = F::ONE;
            for x in row {
                *x *= t;
                t *= step;
            }
        }
        let mat = RowMajorMatrix::new(mat, b);
        Ok(if inverse {
            self.host.idft_batch(mat).values
        } else {
            self.host.dft_batch(mat).values
        })
    }

    /// One engine job, checked.
    fn job(&self, values: &[F], inverse: bool) -> Result<Vec<F>, OffloadError> {
        let job = self.ntt_count.fetch_add(1, Ordering::Relaxed) + 1;
        let raw: Vec<u32> = values.iter().map(|v| v.as_canonical()).collect();
        let t = Instant::now();
        let out = self
            .device
            .ntt(&raw, inverse)
            .map_err(|why| OffloadError::Failed { kind: "NTT", why })?;
        let secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let wrong = |why: String| OffloadError::Wrong {
            kind: "NTT",
            job,
            why,
        };
        if out.len() != values.len() {
            return Err(wrong(format!(
                "{} values back for {}",
                out.len(),
                values.len()
            )));
        }
        let mut got = Vec::with_capacity(out.len());
        for (i, &x) in out.iter().enumerate() {
            got.push(
                F::try_from_canonical(x)
                    .ok_or_else(|| wrong(format!("value {i} is {x:#x}, not below p")))?,
            );
        }
        let r = self.random_ext();
        if !ntt_identity_holds(values, &got, inverse, r) {
            return Err(wrong(format!(
                "the {} transform of {} values fails its random-evaluation check",
                if inverse { "inverse" } else { "forward" },
                values.len()
            )));
        }
        let check = t.elapsed().as_secs_f64();
        self.add_stats(|s| {
            s.ntt_jobs += 1;
            s.ntt_seconds += secs;
            s.check_seconds += check;
        });
        Ok(got)
    }

    /// A uniformly random extension element outside the base field.
    fn random_ext(&self) -> E {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let mut base = || loop {
            if let Some(x) = F::try_from_canonical(rng.next_u32() & 0x7fff_ffff) {
                return x;
            }
        };
        loop {
            let c = [base(), base(), base(), base()];
            if c[1..].iter().any(|x| !x.is_zero()) {
                return E::from_base_slice(&c);
            }
        }
    }

    /// Fills `parents[i] = hash_node(children[2i], children[2i+1])` for the first parents
    /// the device is granted; returns how many it did (the caller hashes the rest).
    pub fn hash_nodes(&self, children: &[Digest], parents: &mut [Digest]) -> usize {
        if !self.device.has_sha256() || self.failed() {
            return 0;
        }
        let k = self.device.grant_nodes(parents.len()).min(parents.len());
        for i in 0..k {
            let mut block = [0u8; 64];
            block[..32].copy_from_slice(&children[2 * i]);
            block[32..].copy_from_slice(&children[2 * i + 1]);
            let job = self.sha_count.fetch_add(1, Ordering::Relaxed) + 1;
            let t = Instant::now();
            let result = self.device.sha256_compress(SHA256_IV, &block);
            let secs = t.elapsed().as_secs_f64();
            let want = crate::merkle::hash_node(&children[2 * i], &children[2 * i + 1]);
            match result {
                Ok(state) => {
                    let got = state_to_digest(state);
                    if got != want {
                        self.fail(OffloadError::Wrong {
                            kind: "SHA-256",
                            job,
                            why: format!(
                                "Merkle node {i} of a level of {}: the device's digest differs from the CPU's",
                                parents.len()
                            ),
                        });
                    }
                }
                Err(why) => self.fail(OffloadError::Failed {
                    kind: "SHA-256",
                    why,
                }),
            }
            // The CPU's value is the one used: equal to the device's, or the proof fails.
            parents[i] = want;
            self.add_stats(|s| {
                s.sha_jobs += 1;
                s.sha_seconds += secs;
            });
            if self.failed() {
                return i + 1;
            }
        }
        k
    }

    /// [`Dft::dft_batch`]/[`Dft::idft_batch`] with the first granted columns on the device;
    /// `None` when none is granted.
    pub(crate) fn batch(
        &self,
        mat: &RowMajorMatrix<F>,
        inverse: bool,
    ) -> Option<RowMajorMatrix<F>> {
        let h = mat.height();
        if h < 2 {
            return None;
        }
        let take = self.grant_columns(mat.width, &[h.ilog2()]);
        if take == 0 {
            return None;
        }
        let cols: Vec<Vec<F>> = (0..take)
            .map(|c| self.ntt(column(mat, c), inverse))
            .collect();
        let rest = (take < mat.width).then(|| {
            let r = columns(mat, take..mat.width);
            if inverse {
                self.host.idft_batch(r)
            } else {
                self.host.dft_batch(r)
            }
        });
        Some(join(h, &cols, rest.as_ref()))
    }

    /// [`Dft::coset_lde_batch_with_shift`] with the first granted columns on the device;
    /// `None` when none is granted.
    pub(crate) fn lde(
        &self,
        mat: &RowMajorMatrix<F>,
        added_bits: usize,
        shift: F,
    ) -> Option<RowMajorMatrix<F>> {
        let h = mat.height();
        if h < 2 {
            return None;
        }
        let log_h = h.ilog2();
        let take = self.grant_columns(mat.width, &[log_h, log_h + added_bits as u32]);
        if take == 0 {
            return None;
        }
        let cols: Vec<Vec<F>> = (0..take)
            .map(|c| {
                let mut coeffs = self.ntt(column(mat, c), true);
                let mut s = F::ONE;
                for x in coeffs.iter_mut() {
                    *x *= s;
                    s *= shift;
                }
                coeffs.resize(h << added_bits, F::ZERO);
                self.ntt(coeffs, false)
            })
            .collect();
        let rest = (take < mat.width).then(|| {
            self.host
                .coset_lde_batch_with_shift(columns(mat, take..mat.width), added_bits, shift)
        });
        Some(join(h << added_bits, &cols, rest.as_ref()))
    }
}

fn state_to_digest(state: [u32; 8]) -> Digest {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

fn column(mat: &RowMajorMatrix<F>, c: usize) -> Vec<F> {
    mat.values
        .iter()
        .skip(c)
        .step_by(mat.width)
        .copied()
        .collect()
}

fn columns(mat: &RowMajorMatrix<F>, range: std::ops::Range<usize>) -> RowMajorMatrix<F> {
    let w = range.len();
    let mut v = Vec::with_capacity(w * mat.height());
    for row in mat.values.chunks_exact(mat.width) {
        v.extend_from_slice(&row[range.clone()]);
    }
    RowMajorMatrix::new(v, w)
}

/// The matrix whose first columns are `cols` and whose other columns are `rest`'s.
fn join(h: usize, cols: &[Vec<F>], rest: Option<&RowMajorMatrix<F>>) -> RowMajorMatrix<F> {
    let w = cols.len() + rest.map_or(0, |r| r.width);
    let mut v = Vec::with_capacity(w * h);
    for r in 0..h {
        v.extend(cols.iter().map(|c| c[r]));
        if let Some(m) = rest {
            v.extend_from_slice(m.row(r));
        }
    }
    RowMajorMatrix::new(v, w)
}

/// Whether `y` is the transform of `x` (forward, or inverse with its 1/n) at the point `r`
/// (an extension element with r^n ≠ 1): with y_k = s·Σ_j x_j·w^(jk),
/// Σ_k r^k·y_k = s·(r^n − 1)·Σ_j x_j / (r·w^j − 1).
pub fn ntt_identity_holds(x: &[F], y: &[F], inverse: bool, r: E) -> bool {
    let n = x.len();
    if y.len() != n || !n.is_power_of_two() {
        return false;
    }
    let mut w = F::two_adic_generator(n.ilog2() as usize);
    let mut s = F::ONE;
    if inverse {
        w = w.inverse();
        s = F::from_u64(n as u64).inverse();
    }
    // Left: Horner over y.
    let mut left = E::ZERO;
    for &v in y.iter().rev() {
        left = left * r + E::from(v);
    }
    // Right: the denominators r·w^j − 1, inverted together.
    let mut dens = Vec::with_capacity(n);
    let mut wj = F::ONE;
    for _ in 0..n {
        dens.push(r * wj - E::ONE);
        wj *= w;
    }
    if dens.iter().any(|d| d.is_zero()) {
        return false;
    }
    let inv = batch_inverse(&dens);
    let mut sum = E::ZERO;
    for (xv, iv) in x.iter().zip(inv) {
        sum += iv * *xv;
    }
    let rn = r.pow(n as u64);
    left == (rn - E::ONE) * sum * s
}

/// A software device for tests.
#[cfg(test)]
pub(crate) mod soft {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A software "device" with an engine of 2^k, optionally wrong in one job.
    pub(crate) struct Soft {
        pub k: u32,
        pub budget: AtomicUsize,
        pub nodes: AtomicUsize,
        pub corrupt_ntt_job: Option<usize>,
        pub corrupt_sha_job: Option<usize>,
        pub jobs: AtomicUsize,
        pub sha_jobs: AtomicUsize,
    }

    impl Soft {
        pub(crate) fn new(k: u32, budget: usize, nodes: usize) -> Soft {
            Soft {
                k,
                budget: AtomicUsize::new(budget),
                nodes: AtomicUsize::new(nodes),
                corrupt_ntt_job: None,
                corrupt_sha_job: None,
                jobs: AtomicUsize::new(0),
                sha_jobs: AtomicUsize::new(0),
            }
        }
    }

    fn take(a: &AtomicUsize, n: usize) -> bool {
        a.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(n))
            .is_ok()
    }

    impl Accelerator for Soft {
        fn ntt_log_n(&self) -> Option<u32> {
            Some(self.k)
        }
        fn has_sha256(&self) -> bool {
            true
        }
        fn grant_ntt(&self, _log_n: u32, jobs: usize) -> bool {
            take(&self.budget, jobs)
        }
        fn grant_nodes(&self, nodes: usize) -> usize {
            let mut got = 0;
            while got < nodes && take(&self.nodes, 1) {
                got += 1;
            }
            got
        }
        fn ntt(&self, values: &[u32], inverse: bool) -> Result<Vec<u32>, String> {
            assert_eq!(values.len(), 1 << self.k);
            let job = self.jobs.fetch_add(1, Ordering::Relaxed);
            let v: Vec<F> = values.iter().map(|&x| F::new(x)).collect();
            let d = Radix2Dft::new();
            let out = if inverse { d.idft(v) } else { d.dft(v) };
            let mut out: Vec<u32> = out.iter().map(|x| x.as_canonical()).collect();
            if self.corrupt_ntt_job == Some(job) {
                out[5] ^= 1 << 3;
            }
            Ok(out)
        }
        fn sha256_compress(&self, state: [u32; 8], block: &[u8; 64]) -> Result<[u32; 8], String> {
            let job = self.sha_jobs.fetch_add(1, Ordering::Relaxed);
            let mut s = state;
            sha2::compress256(&mut s, &[(*block).into()]);
            if self.corrupt_sha_job == Some(job) {
                s[0] ^= 1;
            }
            Ok(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::soft::Soft;
    use super::*;

    fn values(n: usize, seed: u32) -> Vec<F> {
        (0..n as u32)
            .map(|i| F::new(i.wrapping_mul(2_654_435_761).wrapping_add(seed) % 2_013_265_921))
            .collect()
    }

    #[test]
    fn decomposed_transforms_equal_the_software_ones() {
        let soft = Radix2Dft::new();
        for k in [3u32, 6] {
            let off = Offload::new(Arc::new(Soft::new(k, usize::MAX, 0)));
            for log_n in 1..=10 {
                let x = values(1 << log_n, log_n);
                assert_eq!(
                    off.ntt(x.clone(), false),
                    soft.dft(x.clone()),
                    "k {k} 2^{log_n}"
                );
                assert_eq!(
                    off.ntt(x.clone(), true),
                    soft.idft(x.clone()),
                    "k {k} 2^{log_n}"
                );
            }
            assert_eq!(off.error(), None);
        }
    }

    #[test]
    fn offloaded_batches_and_ldes_equal_the_software_ones() {
        let soft = Radix2Dft::new();
        let mat = RowMajorMatrix::new(values(64 * 5, 7), 5);
        // Budget for two LDE columns of 2^6 → 2^8 with K = 4: (4 + 16) jobs each.
        let dev = Arc::new(Soft::new(4, 40, 0));
        let dft = Radix2Dft::new().with_offload(Some(Arc::new(Offload::new(dev.clone()))));
        let got = dft.coset_lde_batch_with_shift(mat.clone(), 2, F::GENERATOR);
        assert_eq!(
            got,
            soft.coset_lde_batch_with_shift(mat.clone(), 2, F::GENERATOR)
        );
        assert_eq!(dev.jobs.load(Ordering::Relaxed), 40);
        assert_eq!(dev.budget.load(Ordering::Relaxed), 0);
        // Nothing granted: the plain path.
        assert_eq!(dft.dft_batch(mat.clone()), soft.dft_batch(mat.clone()));
        dev.budget.store(8, Ordering::Relaxed);
        assert_eq!(dft.idft_batch(mat.clone()), soft.idft_batch(mat.clone()));
        assert_eq!(dev.jobs.load(Ordering::Relaxed), 48);
    }

    #[test]
    fn a_wrong_ntt_value_is_caught_and_not_used() {
        let mut dev = Soft::new(4, usize::MAX, 0);
        dev.corrupt_ntt_job = Some(2);
        let off = Offload::new(Arc::new(dev));
        let x = values(256, 3);
        // The software value replaces the wrong one, and the error is kept.
        assert_eq!(off.ntt(x.clone(), false), Radix2Dft::new().dft(x));
        let e = off.error().expect("caught");
        assert!(
            matches!(
                e,
                OffloadError::Wrong {
                    kind: "NTT",
                    job: 3,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("wrong NTT result"), "{e}");
    }

    #[test]
    fn the_identity_rejects_any_single_change() {
        let off = Offload::new(Arc::new(Soft::new(4, 0, 0)));
        let x = values(64, 11);
        for inverse in [false, true] {
            let d = Radix2Dft::new();
            let y = if inverse {
                d.idft(x.clone())
            } else {
                d.dft(x.clone())
            };
            assert!(ntt_identity_holds(&x, &y, inverse, off.random_ext()));
            for i in 0..64 {
                let mut bad = y.clone();
                bad[i] += F::ONE;
                assert!(!ntt_identity_holds(&x, &bad, inverse, off.random_ext()));
            }
            // The other direction's output is not this one's.
            let other = if inverse {
                d.dft(x.clone())
            } else {
                d.idft(x.clone())
            };
            assert!(!ntt_identity_holds(&x, &other, inverse, off.random_ext()));
        }
    }

    #[test]
    fn merkle_nodes_on_the_device_and_a_wrong_digest_caught() {
        let children: Vec<Digest> = (0..16u8).map(|i| [i; 32]).collect();
        let want: Vec<Digest> = children
            .chunks(2)
            .map(|c| crate::merkle::hash_node(&c[0], &c[1]))
            .collect();
        let dev = Arc::new(Soft::new(4, 0, 5));
        let off = Offload::new(dev.clone());
        let mut parents = vec![[0u8; 32]; 8];
        assert_eq!(off.hash_nodes(&children, &mut parents), 5);
        assert_eq!(&parents[..5], &want[..5]);
        assert_eq!(off.stats().sha_jobs, 5);
        assert_eq!(off.error(), None);

        let mut bad = Soft::new(4, 0, 8);
        bad.corrupt_sha_job = Some(1);
        let off = Offload::new(Arc::new(bad));
        let mut parents = vec![[0u8; 32]; 8];
        off.hash_nodes(&children, &mut parents);
        let e = off.error().expect("caught");
        assert!(
            matches!(
                e,
                OffloadError::Wrong {
                    kind: "SHA-256",
                    job: 2,
                    ..
                }
            ),
            "{e:?}"
        );
        // The values kept are the CPU's.
        assert_eq!(&parents[..2], &want[..2]);
    }
}
