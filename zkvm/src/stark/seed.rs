//! The prover's 32-byte seed: the key of the ChaCha20 stream all zero-knowledge randomness
//! comes from (spec: `docs/stark.md`, "Zero-knowledge", "Randomness").

use rand_core::{OsRng, RngCore};
use sha2::{Digest as _, Sha256};

/// Domain tag of [`Seed::from_u64`]'s expansion.
const FROM_U64_TAG: &[u8] = b"rvzk-stark-seed-u64";

/// A prover seed: 256 bits, ChaCha20's key size. The same seed and witness give the same
/// proof byte for byte; a proof hides its witness only if its seed is secret and used once.
///
/// Production provers should use [`Seed::from_entropy`]. [`Seed::from_u64`] (also reached
/// through `From<u64>`, so `prove(…, 7)` works) is for reproducible tests, benchmarks and
/// `--seed N` command lines: someone who tries all 2^64 values strips every mask, so it
/// hides against less than 2^64 work.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Seed(pub [u8; 32]);

impl Seed {
    /// `SHA-256("rvzk-stark-seed-u64" ‖ n as u64 little-endian)`: a fixed, documented
    /// expansion, so a small number reproduces a proof anywhere.
    pub fn from_u64(n: u64) -> Self {
        let mut h = Sha256::new();
        h.update(FROM_U64_TAG);
        h.update(n.to_le_bytes());
        Seed(h.finalize().into())
    }

    /// 32 bytes from the operating system's random source (`getrandom`).
    ///
    /// Panics if the operating system has no random source, where no hiding proof can be
    /// made anyway.
    pub fn from_entropy() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Seed(bytes)
    }
}

impl From<u64> for Seed {
    /// [`Seed::from_u64`].
    fn from(n: u64) -> Self {
        Seed::from_u64(n)
    }
}

impl From<[u8; 32]> for Seed {
    fn from(bytes: [u8; 32]) -> Self {
        Seed(bytes)
    }
}

/// The bytes are a secret: debug output does not show them.
impl core::fmt::Debug for Seed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Seed(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_u64_is_the_documented_hash() {
        let mut msg = b"rvzk-stark-seed-u64".to_vec();
        msg.extend_from_slice(&5u64.to_le_bytes());
        let want: [u8; 32] = Sha256::digest(&msg).into();
        assert_eq!(Seed::from_u64(5).0, want);
        assert_eq!(Seed::from(5u64), Seed::from_u64(5));
        assert_ne!(Seed::from_u64(5), Seed::from_u64(6));
    }

    #[test]
    fn entropy_seeds_differ_and_debug_hides_them() {
        let (a, b) = (Seed::from_entropy(), Seed::from_entropy());
        assert_ne!(a, b);
        assert_ne!(a.0, [0; 32]);
        assert_eq!(format!("{a:?}"), "Seed(..)");
    }
}
