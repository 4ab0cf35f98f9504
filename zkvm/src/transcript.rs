//! Fiat–Shamir transcript over SHA-256.
//!
//! The state is one 32-byte digest. Every absorb and squeeze hashes the state together with a
//! tag byte, a label and the data's length, so messages cannot be shifted between fields and
//! two protocols with different domain strings never share challenges. Squeezing ratchets the
//! state, so successive challenges are independent. See `docs/stark.md` ("Transcript").

use sha2::{Digest, Sha256};

use crate::field::{BabyBear, BabyBearExt4, ExtensionField, Field, PrimeField32};

/// Tag bytes: what kind of message a hash input is.
const TAG_INIT: u8 = 0;
const TAG_ABSORB: u8 = 1;
const TAG_SQUEEZE: u8 = 2;
const TAG_POW: u8 = 3;

/// A Fiat–Shamir transcript. Prover and verifier feed it the same messages in the same order
/// and draw the same challenges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    state: [u8; 32],
    /// Unused bytes of the last squeeze, consumed before hashing again.
    pool: Vec<u8>,
}

impl Transcript {
    /// A transcript for the protocol named `domain` (e.g. `b"rvzk-stark-v1"`).
    pub fn new(domain: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update([TAG_INIT]);
        h.update((domain.len() as u64).to_le_bytes());
        h.update(domain);
        Transcript {
            state: h.finalize().into(),
            pool: Vec::new(),
        }
    }

    /// Absorb `data` under `label`.
    pub fn absorb(&mut self, label: &[u8], data: &[u8]) {
        let mut h = Sha256::new();
        h.update(self.state);
        h.update([TAG_ABSORB, label.len() as u8]);
        h.update(label);
        h.update((data.len() as u64).to_le_bytes());
        h.update(data);
        self.state = h.finalize().into();
        // Anything squeezed before this message must not be reused after it.
        self.pool.clear();
    }

    /// Absorb a 32-byte digest (a commitment).
    pub fn absorb_digest(&mut self, label: &[u8], digest: &[u8; 32]) {
        self.absorb(label, digest);
    }

    /// Absorb a u64 (sizes, counts, parameters).
    pub fn absorb_u64(&mut self, label: &[u8], v: u64) {
        self.absorb(label, &v.to_le_bytes());
    }

    /// Absorb base field elements by their canonical values.
    pub fn absorb_base(&mut self, label: &[u8], xs: &[BabyBear]) {
        let bytes: Vec<u8> = xs
            .iter()
            .flat_map(|x| x.as_canonical().to_le_bytes())
            .collect();
        self.absorb(label, &bytes);
    }

    /// Absorb extension field elements by their canonical coefficients.
    pub fn absorb_ext(&mut self, label: &[u8], xs: &[BabyBearExt4]) {
        let bytes: Vec<u8> = xs
            .iter()
            .flat_map(|x| {
                x.as_base_slice()
                    .iter()
                    .flat_map(|c| c.as_canonical().to_le_bytes())
            })
            .collect();
        self.absorb(label, &bytes);
    }

    /// 32 fresh bytes.
    fn squeeze_block(&mut self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.state);
        h.update([TAG_SQUEEZE]);
        let out: [u8; 32] = h.finalize().into();
        // Ratchet: the next state is a different hash of the old one, so `out` reveals
        // nothing about later challenges.
        let mut h = Sha256::new();
        h.update(out);
        h.update([TAG_SQUEEZE]);
        self.state = h.finalize().into();
        out
    }

    /// Four fresh bytes as a u32.
    fn squeeze_u32(&mut self) -> u32 {
        if self.pool.len() < 4 {
            let block = self.squeeze_block();
            self.pool.extend_from_slice(&block);
        }
        let bytes: [u8; 4] = self.pool[..4].try_into().unwrap();
        self.pool.drain(..4);
        u32::from_le_bytes(bytes)
    }

    /// A uniformly random base field element (rejection sampling on 31-bit values).
    pub fn sample_base(&mut self) -> BabyBear {
        loop {
            let v = self.squeeze_u32() & 0x7fff_ffff;
            if let Some(x) = BabyBear::try_from_canonical(v) {
                return x;
            }
        }
    }

    /// A uniformly random extension field element.
    pub fn sample_ext(&mut self) -> BabyBearExt4 {
        let c = [
            self.sample_base(),
            self.sample_base(),
            self.sample_base(),
            self.sample_base(),
        ];
        BabyBearExt4::from_base_slice(&c)
    }

    /// A uniformly random extension element outside `avoid` (e.g. an out-of-domain point that
    /// must not land in the trace or LDE domain). `avoid` returning true forces a redraw.
    pub fn sample_ext_avoiding(&mut self, avoid: impl Fn(BabyBearExt4) -> bool) -> BabyBearExt4 {
        loop {
            let x = self.sample_ext();
            if !avoid(x) {
                return x;
            }
        }
    }

    /// A uniformly random index in `[0, 2^bits)` (`bits ≤ 32`).
    pub fn sample_bits(&mut self, bits: usize) -> usize {
        assert!(bits <= 32, "sample_bits: {bits} > 32");
        let v = self.squeeze_u32() as u64;
        (v & ((1u64 << bits) - 1)) as usize
    }

    /// The hash a proof-of-work nonce is judged by.
    fn pow_hash(&self, nonce: u64) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.state);
        h.update([TAG_POW]);
        h.update(nonce.to_le_bytes());
        h.finalize().into()
    }

    /// Find the smallest nonce whose hash with the current state has `bits` leading zero
    /// bits, absorb it, and return it. Expected work: 2^bits hashes, spread over the rayon
    /// threads: windows of nonces are searched in parallel and the smallest hit of the
    /// first window that has one is taken, so the nonce does not depend on the threads.
    pub fn grind(&mut self, bits: u32) -> u64 {
        use rayon::prelude::*;
        const WINDOW: u64 = 1 << 16;
        let nonce = (0u64..)
            .step_by(WINDOW as usize)
            .find_map(|start| {
                (start..start + WINDOW)
                    .into_par_iter()
                    .find_first(|&n| leading_zeros(&self.pow_hash(n)) >= bits)
            })
            .expect("a nonce exists");
        self.absorb_u64(b"pow-nonce", nonce);
        nonce
    }

    /// Check a proof-of-work nonce and absorb it. Returns false (absorbing nothing) if the
    /// nonce does not have `bits` leading zero bits.
    pub fn check_pow(&mut self, bits: u32, nonce: u64) -> bool {
        if leading_zeros(&self.pow_hash(nonce)) < bits {
            return false;
        }
        self.absorb_u64(b"pow-nonce", nonce);
        true
    }
}

fn leading_zeros(h: &[u8; 32]) -> u32 {
    let mut n = 0;
    for &b in h {
        if b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// Whether an extension element is a base field element (all higher coefficients zero).
pub fn is_in_base_field(x: BabyBearExt4) -> bool {
    x.as_base_slice()[1..].iter().all(|c| c.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_messages_same_challenges() {
        let mut a = Transcript::new(b"test");
        let mut b = Transcript::new(b"test");
        a.absorb(b"x", b"hello");
        b.absorb(b"x", b"hello");
        assert_eq!(a.sample_ext(), b.sample_ext());
        assert_eq!(a.sample_bits(20), b.sample_bits(20));
    }

    #[test]
    fn domain_label_and_framing_separate() {
        let draw = |domain: &[u8], label: &[u8], data: &[u8]| {
            let mut t = Transcript::new(domain);
            t.absorb(label, data);
            t.sample_base()
        };
        let base = draw(b"d", b"x", b"ab");
        assert_ne!(base, draw(b"e", b"x", b"ab"));
        assert_ne!(base, draw(b"d", b"y", b"ab"));
        assert_ne!(base, draw(b"d", b"x", b"abc"));
        // Moving a byte from label to data changes the challenge.
        assert_ne!(draw(b"d", b"xa", b"b"), draw(b"d", b"x", b"ab"));
    }

    #[test]
    fn successive_challenges_differ_and_absorb_resets_pool() {
        let mut t = Transcript::new(b"t");
        let xs: Vec<BabyBear> = (0..100).map(|_| t.sample_base()).collect();
        let distinct: std::collections::HashSet<_> = xs.iter().collect();
        assert_eq!(distinct.len(), 100);
        // A sample after an absorb depends on the absorbed data even if bytes were pooled.
        let mut a = Transcript::new(b"t");
        let mut b = Transcript::new(b"t");
        a.sample_bits(4);
        b.sample_bits(4);
        a.absorb(b"m", b"1");
        b.absorb(b"m", b"2");
        assert_ne!(a.sample_bits(32), b.sample_bits(32));
    }

    #[test]
    fn samples_are_roughly_uniform() {
        let mut t = Transcript::new(b"u");
        let mut buckets = [0u32; 16];
        for _ in 0..16_000 {
            buckets[t.sample_bits(4)] += 1;
        }
        assert!(
            buckets.iter().all(|&c| (800..1200).contains(&c)),
            "{buckets:?}"
        );
        let mut high = 0;
        for _ in 0..10_000 {
            if t.sample_base().as_canonical() >= BabyBear::ORDER_U32 / 2 {
                high += 1;
            }
        }
        assert!((4_500..5_500).contains(&high), "{high}");
    }

    #[test]
    fn proof_of_work() {
        let mut p = Transcript::new(b"pow");
        let mut v = p.clone();
        let nonce = p.grind(10);
        assert!(v.check_pow(10, nonce));
        assert_eq!(p.sample_base(), v.sample_base());
        // grind returns the smallest valid nonce, so every smaller one must fail (the
        // transcript is deterministic, so this nonce is the same on every run).
        assert!(
            nonce > 0,
            "pick another domain: nonce 0 leaves nothing to reject"
        );
        for bad in 0..nonce {
            assert!(!Transcript::new(b"pow").check_pow(10, bad));
        }
        // Zero bits accepts anything.
        assert!(Transcript::new(b"pow").check_pow(0, 12345));
        // Past the first parallel window, still the smallest nonce.
        // The first domain of pow-window-0, pow-window-1, … whose nonce lies past it.
        let (domain, nonce) = (0..)
            .map(|k| format!("pow-window-{k}").into_bytes())
            .map(|d| (d.clone(), Transcript::new(&d).grind(17)))
            .find(|(_, n)| *n >= 1 << 16)
            .unwrap();
        let first = (0u64..)
            .find(|&n| Transcript::new(&domain).check_pow(17, n))
            .unwrap();
        assert_eq!(nonce, first);
    }
}
