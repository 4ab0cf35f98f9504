//! Receipts: a [`Claim`] (image ID, exit code, journal), the proof-system parameters it was
//! proven with, and the seal, in a stable, versioned binary encoding (`docs/receipt.md`).
//!
//! * [`prove`] / [`prove_elf`] / [`prove_with_report`]: run a guest and prove it.
//! * [`Receipt::verify`]: the receipt proves that the program with this image ID halted with
//!   exit code 0 and committed the journal, at ≥ [`MIN_SECURITY_BITS`] bits;
//!   [`Receipt::verify_with`] accepts another exit code or security floor.
//! * [`Receipt::to_bytes`] / [`Receipt::from_bytes`]: the encoding. Decoding hostile bytes
//!   fails with a [`ReceiptError::Malformed`] naming the field and byte offset; it never
//!   panics and never allocates more than the input's size.

use crate::circuit::{self, CircuitError, Claim, ImageId, ProveOptions, ProveReport};
use crate::elf::{ElfError, Program};
use crate::fri::FriConfig;
use crate::stark::StarkConfig;

/// Magic bytes at the start of an encoded receipt.
pub const MAGIC: &[u8; 8] = b"RVZKRCPT";

/// The security [`Receipt::verify`] requires, in conjectured bits
/// ([`StarkConfig::security_bits`]).
pub const MIN_SECURITY_BITS: f64 = 100.0;

/// Byte offset of the configuration fields (after the magic and the version).
pub const CONFIG_OFFSET: usize = 12;
/// Byte offset of the image ID.
pub const IMAGE_ID_OFFSET: usize = 36;
/// Byte offset of the exit code.
pub const EXIT_CODE_OFFSET: usize = 68;
/// Byte offset of the journal length (the journal's bytes follow it).
pub const JOURNAL_OFFSET: usize = 72;

/// Accepted ranges of the configuration fields: anything else is not a parameter set this
/// verifier will run (`docs/receipt.md`, "Configuration").
const LOG_BLOWUP: (u32, u32) = (1, 8);
const MAX_LOG_ARITY: (u32, u32) = (1, 8);
const LOG_FINAL_POLY_LEN: (u32, u32) = (0, 16);
const NUM_QUERIES: (u32, u32) = (1, 1024);
const POW_BITS: (u32, u32) = (0, 63);

/// A proof that a program (by image ID) halted with an exit code and committed a journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Protocol version ([`circuit::PROTOCOL_VERSION`] for receipts this build makes).
    pub version: u32,
    /// The proof-system parameters the seal was made with; they set [`Receipt::security_bits`].
    pub config: StarkConfig,
    /// What is proven.
    pub claim: Claim,
    /// The proof ([`circuit::verify_seal`] checks it against the claim and config).
    pub seal: Vec<u8>,
}

/// What [`Receipt::verify_with`] requires besides a valid seal.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifyOptions {
    /// The exit code the guest must have halted with; `None` means 0 (success).
    pub expected_exit_code: Option<u32>,
    /// The least conjectured security, in bits, the receipt's parameters must give.
    pub min_security_bits: f64,
}

impl Default for VerifyOptions {
    /// Exit code 0, at least [`MIN_SECURITY_BITS`].
    fn default() -> Self {
        VerifyOptions {
            expected_exit_code: None,
            min_security_bits: MIN_SECURITY_BITS,
        }
    }
}

impl VerifyOptions {
    /// Exit code 0 and no security floor: for tests that prove with
    /// [`StarkConfig::zk_for_tests`]. Never for real receipts.
    pub fn insecure_for_tests() -> Self {
        VerifyOptions {
            expected_exit_code: None,
            min_security_bits: 0.0,
        }
    }

    /// These options, expecting exit code `code`.
    pub fn with_exit_code(self, code: u32) -> Self {
        VerifyOptions {
            expected_exit_code: Some(code),
            ..self
        }
    }
}

/// Why a receipt could not be made, decoded or verified.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The encoding is malformed.
    #[error("receipt byte {offset}: {field}: {what}")]
    Malformed {
        /// The field being decoded (`docs/receipt.md` names).
        field: &'static str,
        /// Byte offset where decoding failed.
        offset: usize,
        /// What was wrong.
        what: String,
    },
    /// The receipt has a protocol version this verifier does not know.
    #[error(
        "receipt protocol version {found}, this verifier knows version {}",
        circuit::PROTOCOL_VERSION
    )]
    Version {
        /// The receipt's version.
        found: u32,
    },
    /// The claim names another program.
    #[error("the receipt is for image {found}, not the expected {expected}")]
    WrongImage {
        /// The image ID the verifier was given.
        expected: ImageId,
        /// The image ID the claim names.
        found: ImageId,
    },
    /// The guest halted with another exit code.
    #[error("the guest halted with exit code {found}, expected {expected}")]
    ExitCode {
        /// The exit code the verifier requires.
        expected: u32,
        /// The exit code the claim names.
        found: u32,
    },
    /// The receipt's parameters are too weak.
    #[error(
        "the receipt's parameters give {bits:.1} bits of conjectured security, \
         fewer than the required {min:.1}"
    )]
    Security {
        /// What the receipt's parameters give.
        bits: f64,
        /// What the verifier requires.
        min: f64,
    },
    /// The seal does not prove the claim.
    #[error("seal rejected: {0}")]
    Seal(#[source] CircuitError),
    /// The guest ELF was rejected.
    #[error("ELF rejected: {0}")]
    Elf(#[from] ElfError),
    /// Executing or proving failed (a guest fault, a run too large, …).
    #[error("{0}")]
    Prove(#[source] CircuitError),
}

impl Receipt {
    /// Conjectured security of the receipt's parameters, in bits.
    pub fn security_bits(&self) -> f64 {
        self.config.security_bits()
    }

    /// Check that the receipt proves that the program `image_id` halted with exit code 0,
    /// at ≥ [`MIN_SECURITY_BITS`] bits of security.
    pub fn verify(&self, image_id: &ImageId) -> Result<(), ReceiptError> {
        self.verify_with(image_id, &VerifyOptions::default())
    }

    /// Check, in order: the protocol version, the claim's image ID (= `image_id`), its exit
    /// code (= the expected one), the security of the parameters, then the seal.
    pub fn verify_with(
        &self,
        image_id: &ImageId,
        options: &VerifyOptions,
    ) -> Result<(), ReceiptError> {
        if self.version != circuit::PROTOCOL_VERSION {
            return Err(ReceiptError::Version {
                found: self.version,
            });
        }
        if self.claim.image_id != *image_id {
            return Err(ReceiptError::WrongImage {
                expected: *image_id,
                found: self.claim.image_id,
            });
        }
        let expected = options.expected_exit_code.unwrap_or(0);
        if self.claim.exit_code != expected {
            return Err(ReceiptError::ExitCode {
                expected,
                found: self.claim.exit_code,
            });
        }
        let bits = self.security_bits();
        // A NaN floor rejects.
        if options.min_security_bits.is_nan() || bits < options.min_security_bits {
            return Err(ReceiptError::Security {
                bits,
                min: options.min_security_bits,
            });
        }
        circuit::verify_seal(&self.claim, &self.config, &self.seal).map_err(ReceiptError::Seal)
    }

    /// The encoding (`docs/receipt.md`).
    ///
    /// # Panics
    /// If the journal or the seal is 4 GiB or longer (no proof can produce either).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(JOURNAL_OFFSET + 8 + self.claim.journal.len() + self.seal.len());
        let u32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
        let len = |n: usize, what: &str| {
            u32::try_from(n).unwrap_or_else(|_| panic!("{what} of {n} bytes: too long to encode"))
        };
        out.extend_from_slice(MAGIC);
        u32(&mut out, self.version);
        let f = &self.config.fri;
        for v in [
            f.log_blowup,
            f.max_log_arity,
            f.log_final_poly_len,
            f.num_queries,
        ] {
            u32(&mut out, len(v, "config field"));
        }
        u32(&mut out, f.pow_bits);
        u32(&mut out, self.config.zk as u32);
        out.extend_from_slice(&self.claim.image_id.0);
        u32(&mut out, self.claim.exit_code);
        u32(&mut out, len(self.claim.journal.len(), "journal"));
        out.extend_from_slice(&self.claim.journal);
        u32(&mut out, len(self.seal.len(), "seal"));
        out.extend_from_slice(&self.seal);
        out
    }

    /// Decode a receipt. Every malformation — truncation, trailing bytes, bad magic, an
    /// unknown version, a configuration field out of range, a length larger than the bytes
    /// that remain — is a [`ReceiptError::Malformed`] naming the field and its byte offset.
    pub fn from_bytes(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
        let mut r = Reader { bytes, pos: 0 };
        let magic = r.take(MAGIC.len(), "magic")?;
        if magic != MAGIC {
            return Err(malformed(
                "magic",
                0,
                format!("expected {MAGIC:?}, found {:?}", Bytes(magic)),
            ));
        }
        let version = r.u32("version")?;
        if version != circuit::PROTOCOL_VERSION {
            return Err(malformed(
                "version",
                r.pos - 4,
                format!(
                    "unknown protocol version {version} (this build reads version {})",
                    circuit::PROTOCOL_VERSION
                ),
            ));
        }
        let log_blowup = r.ranged("log_blowup", LOG_BLOWUP)?;
        let max_log_arity = r.ranged("max_log_arity", MAX_LOG_ARITY)?;
        let log_final_poly_len = r.ranged("log_final_poly_len", LOG_FINAL_POLY_LEN)?;
        let num_queries = r.ranged("num_queries", NUM_QUERIES)?;
        let pow_bits = r.ranged("pow_bits", POW_BITS)? as u32;
        let zk = r.ranged("zk", (0, 1))? == 1;
        let config = StarkConfig {
            fri: FriConfig {
                log_blowup,
                max_log_arity,
                log_final_poly_len,
                num_queries,
                pow_bits,
            },
            zk,
        };
        let image_id = ImageId(r.take(32, "image_id")?.try_into().expect("32 bytes"));
        let exit_code = r.u32("exit_code")?;
        let journal = r.counted("journal")?.to_vec();
        let seal = r.counted("seal")?.to_vec();
        if r.pos != bytes.len() {
            return Err(malformed(
                "end",
                r.pos,
                format!("{} trailing bytes after the seal", bytes.len() - r.pos),
            ));
        }
        Ok(Receipt {
            version,
            config,
            claim: Claim {
                image_id,
                exit_code,
                journal,
            },
            seal,
        })
    }
}

fn malformed(field: &'static str, offset: usize, what: String) -> ReceiptError {
    ReceiptError::Malformed {
        field,
        offset,
        what,
    }
}

/// A cursor over the encoding.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ReceiptError> {
        if n > self.remaining() {
            return Err(malformed(
                field,
                self.pos,
                format!("truncated: needs {n} bytes, {} remain", self.remaining()),
            ));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, ReceiptError> {
        let b = self.take(4, field)?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// A u32 that must lie in `[lo, hi]`.
    fn ranged(&mut self, field: &'static str, (lo, hi): (u32, u32)) -> Result<usize, ReceiptError> {
        let v = self.u32(field)?;
        if v < lo || v > hi {
            return Err(malformed(
                field,
                self.pos - 4,
                format!("{v} is outside the accepted range [{lo}, {hi}]"),
            ));
        }
        Ok(v as usize)
    }

    /// A u32 length, then that many bytes.
    fn counted(&mut self, field: &'static str) -> Result<&'a [u8], ReceiptError> {
        let at = self.pos;
        let n = self.u32(field)? as usize;
        if n > self.remaining() {
            return Err(malformed(
                field,
                at,
                format!(
                    "length {n} exceeds the {} bytes that remain",
                    self.remaining()
                ),
            ));
        }
        self.take(n, field)
    }
}

/// Short bytes shown as an escaped string in errors.
struct Bytes<'a>(&'a [u8]);

impl core::fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("b\"")?;
        for &b in self.0 {
            write!(f, "{}", core::ascii::escape_default(b))?;
        }
        f.write_str("\"")
    }
}

/// Run `program` on the private `input` and prove the execution.
pub fn prove(
    program: &Program,
    input: &[u8],
    options: &ProveOptions,
) -> Result<Receipt, ReceiptError> {
    prove_with_report(program, input, options, &mut |_| {}).map(|(receipt, _)| receipt)
}

/// [`prove`] for the bytes of an ELF file.
pub fn prove_elf(
    elf: &[u8],
    input: &[u8],
    options: &ProveOptions,
) -> Result<Receipt, ReceiptError> {
    prove(&Program::load(elf)?, input, options)
}

/// [`prove`], telling `progress` each phase's name as it starts, and returning where the
/// time went.
pub fn prove_with_report(
    program: &Program,
    input: &[u8],
    options: &ProveOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<(Receipt, ProveReport), ReceiptError> {
    let proof = circuit::prove(program, input, options, progress).map_err(ReceiptError::Prove)?;
    let receipt = Receipt {
        version: circuit::PROTOCOL_VERSION,
        config: options.config,
        claim: proof.claim,
        seal: proof.seal,
    };
    Ok((receipt, proof.report))
}

/// [`prove_with_report`] for an execution recorded elsewhere (a board's trace), sending
/// work to `offload` where it grants it ([`circuit::prove_execution`]). With the same seed,
/// the receipt is byte-identical to [`prove_with_report`]'s for the same run.
pub fn prove_execution_with_report(
    program: &Program,
    execution: circuit::Execution,
    options: &ProveOptions,
    offload: Option<&std::sync::Arc<crate::offload::Offload>>,
    progress: &mut dyn FnMut(&str),
) -> Result<(Receipt, ProveReport), ReceiptError> {
    let proof = circuit::prove_execution(program, execution, options, offload, progress)
        .map_err(ReceiptError::Prove)?;
    let receipt = Receipt {
        version: circuit::PROTOCOL_VERSION,
        config: options.config,
        claim: proof.claim,
        seal: proof.seal,
    };
    Ok((receipt, proof.report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Receipt {
        Receipt {
            version: circuit::PROTOCOL_VERSION,
            config: StarkConfig::default_100_bits(),
            claim: Claim {
                image_id: ImageId([0xa5; 32]),
                exit_code: 7,
                journal: b"journal!".to_vec(),
            },
            seal: (0..=255u8).collect(),
        }
    }

    fn malformed_at(bytes: &[u8]) -> (&'static str, usize, String) {
        match Receipt::from_bytes(bytes) {
            Err(ReceiptError::Malformed {
                field,
                offset,
                what,
            }) => (field, offset, what),
            other => panic!("expected a malformed-receipt error, got {other:?}"),
        }
    }

    #[test]
    fn encoding_is_the_documented_layout() {
        let r = Receipt {
            seal: vec![0xee, 0xff],
            ..sample()
        };
        let b = r.to_bytes();
        let mut want = Vec::new();
        want.extend_from_slice(b"RVZKRCPT");
        want.extend_from_slice(&[5, 0, 0, 0]); // version
        for v in [2u32, 4, 7, 38, 24, 1] {
            want.extend_from_slice(&v.to_le_bytes()); // config, zk last
        }
        want.extend_from_slice(&[0xa5; 32]);
        want.extend_from_slice(&[7, 0, 0, 0]);
        want.extend_from_slice(&[8, 0, 0, 0]);
        want.extend_from_slice(b"journal!");
        want.extend_from_slice(&[2, 0, 0, 0, 0xee, 0xff]);
        assert_eq!(b, want);
        assert_eq!(&b[IMAGE_ID_OFFSET..IMAGE_ID_OFFSET + 32], &[0xa5; 32]);
        assert_eq!(b[EXIT_CODE_OFFSET], 7);
        assert_eq!(b[JOURNAL_OFFSET], 8);
        assert_eq!(b[CONFIG_OFFSET], 2);
    }

    #[test]
    fn round_trip() {
        for r in [
            sample(),
            Receipt {
                config: StarkConfig::insecure_for_tests(),
                claim: Claim {
                    journal: vec![],
                    ..sample().claim
                },
                seal: vec![],
                ..sample()
            },
            Receipt {
                config: StarkConfig::zk_for_tests(),
                ..sample()
            },
        ] {
            assert_eq!(Receipt::from_bytes(&r.to_bytes()).unwrap(), r);
        }
    }

    #[test]
    fn every_truncation_is_an_error_naming_the_field() {
        let b = sample().to_bytes();
        let j = JOURNAL_OFFSET + 4 + 8;
        for n in 0..b.len() {
            let (field, offset, what) = malformed_at(&b[..n]);
            let want = match n {
                0..8 => "magic",
                8..12 => "version",
                12..16 => "log_blowup",
                16..20 => "max_log_arity",
                20..24 => "log_final_poly_len",
                24..28 => "num_queries",
                28..32 => "pow_bits",
                32..36 => "zk",
                36..68 => "image_id",
                68..72 => "exit_code",
                _ if n < j => "journal",
                _ => "seal",
            };
            assert_eq!(field, want, "cut at {n}: {what}");
            assert!(offset <= n, "cut at {n}: offset {offset}");
        }
    }

    #[test]
    fn trailing_bytes_bad_magic_and_unknown_version() {
        let mut b = sample().to_bytes();
        let len = b.len();
        b.push(0);
        let (field, offset, what) = malformed_at(&b);
        assert_eq!((field, offset), ("end", len), "{what}");
        assert!(what.contains("1 trailing"), "{what}");

        let mut b = sample().to_bytes();
        b[3] ^= 1;
        assert_eq!(malformed_at(&b).0, "magic");

        let mut b = sample().to_bytes();
        b[8] = 6;
        let (field, offset, what) = malformed_at(&b);
        assert_eq!((field, offset), ("version", 8));
        assert!(what.contains("unknown protocol version 6"), "{what}");
    }

    #[test]
    fn config_fields_out_of_range() {
        for (i, field, bad) in [
            (0, "log_blowup", 0u32),
            (0, "log_blowup", 9),
            (1, "max_log_arity", 0),
            (1, "max_log_arity", 64),
            (2, "log_final_poly_len", 17),
            (3, "num_queries", 0),
            (3, "num_queries", 1025),
            (4, "pow_bits", 64),
            (5, "zk", 2),
            (5, "zk", u32::MAX),
        ] {
            let mut b = sample().to_bytes();
            let at = CONFIG_OFFSET + 4 * i;
            b[at..at + 4].copy_from_slice(&bad.to_le_bytes());
            let (f, offset, what) = malformed_at(&b);
            assert_eq!((f, offset), (field, at), "{field} = {bad}: {what}");
            assert!(what.contains(&bad.to_string()), "{what}");
        }
    }

    #[test]
    fn lengths_larger_than_the_input() {
        let r = sample();
        let mut b = r.to_bytes();
        b[JOURNAL_OFFSET..JOURNAL_OFFSET + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let (field, offset, what) = malformed_at(&b);
        assert_eq!((field, offset), ("journal", JOURNAL_OFFSET), "{what}");
        assert!(what.contains("4294967295"), "{what}");

        let seal_at = JOURNAL_OFFSET + 4 + r.claim.journal.len();
        for n in [u32::MAX, r.seal.len() as u32 + 1] {
            let mut b = r.to_bytes();
            b[seal_at..seal_at + 4].copy_from_slice(&n.to_le_bytes());
            let (field, offset, _) = malformed_at(&b);
            assert_eq!((field, offset), ("seal", seal_at));
        }
        // A shorter seal length leaves trailing bytes.
        let mut b = r.to_bytes();
        b[seal_at..seal_at + 4].copy_from_slice(&(r.seal.len() as u32 - 1).to_le_bytes());
        assert_eq!(malformed_at(&b).0, "end");
    }

    #[test]
    fn errors_name_field_and_offset() {
        let e = Receipt::from_bytes(b"RVZKRCPT\x01\x00")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "receipt byte 8: version: truncated: needs 4 bytes, 2 remain"
        );
        let e = Receipt::from_bytes(b"PK\x03\x04....")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("receipt byte 0: magic: expected"), "{e}");
    }

    #[test]
    fn security_bits_come_from_the_config() {
        assert_eq!(sample().security_bits(), 100.0);
        let weak = Receipt {
            config: StarkConfig::insecure_for_tests(),
            ..sample()
        };
        assert!(weak.security_bits() < 50.0);
    }

    // The checks before the seal: each rejects without looking at the seal.
    #[test]
    fn claim_checks_before_the_seal() {
        let r = Receipt {
            claim: Claim {
                exit_code: 0,
                ..sample().claim
            },
            ..sample()
        };
        let id = r.claim.image_id;
        let other = ImageId([0x5a; 32]);
        assert!(matches!(
            r.verify(&other),
            Err(ReceiptError::WrongImage { expected, found }) if expected == other && found == id
        ));
        let r7 = sample();
        assert!(matches!(
            r7.verify(&id),
            Err(ReceiptError::ExitCode {
                expected: 0,
                found: 7
            })
        ));
        assert!(matches!(
            r.verify_with(&id, &VerifyOptions::default().with_exit_code(3)),
            Err(ReceiptError::ExitCode {
                expected: 3,
                found: 0
            })
        ));
        let weak = Receipt {
            config: StarkConfig::insecure_for_tests(),
            ..r.clone()
        };
        assert!(matches!(
            weak.verify(&id),
            Err(ReceiptError::Security { min, .. }) if min == 100.0
        ));
        let nan = VerifyOptions {
            min_security_bits: f64::NAN,
            ..VerifyOptions::default()
        };
        assert!(matches!(
            r.verify_with(&id, &nan),
            Err(ReceiptError::Security { .. })
        ));
        let future = Receipt {
            version: 99,
            ..r.clone()
        };
        assert!(matches!(
            future.verify(&id),
            Err(ReceiptError::Version { found: 99 })
        ));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        // Every single-byte change of a valid encoding either decodes or is an error.
        let b = sample().to_bytes();
        for i in 0..b.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut t = b.clone();
                t[i] ^= x;
                let _ = Receipt::from_bytes(&t);
            }
        }
    }
}
