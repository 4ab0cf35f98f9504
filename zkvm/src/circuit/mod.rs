//! The RV32IM circuit: AIR tables for every instruction and the guest ABI, joined by logUp
//! buses, and the image ID. Tables and columns: `docs/circuit.md`.
//!
//! API contract (used by `receipt` and the CLI): [`image_id`], [`prove`], [`verify_seal`].

use crate::elf::Program;
use crate::stark::StarkConfig;

/// Version of the circuit and seal encoding; part of every image ID and receipt.
pub const PROTOCOL_VERSION: u32 = 1;

/// A program's identity: SHA-256 over the protocol version, the entry pc and the commitment
/// to the preprocessed program and memory-image tables (`docs/circuit.md`, "Image ID").
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ImageId(pub [u8; 32]);

impl ImageId {
    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parse 64 hex digits (an optional `0x` prefix is accepted).
    pub fn from_hex(s: &str) -> Result<ImageId, CircuitError> {
        let t = s.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CircuitError::BadImageId(s.to_string()));
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex checked");
        }
        Ok(ImageId(out))
    }
}

impl core::fmt::Display for ImageId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// What a receipt asserts: the program (by image ID) ran to HALT with this exit code and
/// committed this journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The program.
    pub image_id: ImageId,
    /// HALT's exit code.
    pub exit_code: u32,
    /// The bytes COMMIT wrote, in order.
    pub journal: Vec<u8>,
}

/// How to prove.
#[derive(Clone, Debug)]
pub struct ProveOptions {
    /// Proof-system parameters (default: [`StarkConfig::default_100_bits`]).
    pub config: StarkConfig,
    /// Stop with an error if the guest has not halted after this many cycles.
    pub max_cycles: u64,
    /// Zero-knowledge randomness: `Some(n)` reproduces a proof exactly; `None` draws fresh
    /// OS entropy (the default, and what hiding needs).
    pub seed: Option<u64>,
}

impl Default for ProveOptions {
    fn default() -> Self {
        ProveOptions {
            config: StarkConfig::default_100_bits(),
            max_cycles: 1 << 22,
            seed: None,
        }
    }
}

/// Where proving spent its time and memory.
#[derive(Clone, Debug, Default)]
pub struct ProveReport {
    /// Guest cycles (retired instructions, HALT included).
    pub cycles: u64,
    /// `(phase, seconds)` in order: execute, trace generation, then the STARK's phases.
    pub phases: Vec<(String, f64)>,
    /// `(table, log2 height)` of every table.
    pub tables: Vec<(String, usize)>,
}

/// A proof of one execution.
#[derive(Clone, Debug)]
pub struct Proof {
    /// What is proven.
    pub claim: Claim,
    /// The STARK proof and what the verifier needs to rebuild the verifying key.
    pub seal: Vec<u8>,
    /// Figures.
    pub report: ProveReport,
}

/// Why proving or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum CircuitError {
    /// Not 64 hex digits.
    #[error("image ID {0:?} is not 64 hex digits")]
    BadImageId(String),
    /// The guest faulted or ran out of cycles: there is nothing to prove.
    #[error("execution failed: {0}")]
    Execution(#[from] crate::rv32im::ExecError),
    /// The program or its run exceeds what one proof can hold.
    #[error("{0}")]
    TooLarge(String),
    /// The STARK prover refused (a bug if the executor accepted the run).
    #[error("prover: {0}")]
    Prove(String),
    /// The seal does not decode.
    #[error("seal: {0}")]
    Seal(String),
    /// The seal belongs to another program.
    #[error("the seal is for image {found}, not {expected}")]
    WrongImage {
        /// The image ID the claim names.
        expected: ImageId,
        /// The image ID the seal's verifying key hashes to.
        found: ImageId,
    },
    /// The proof does not verify.
    #[error("verification failed: {0}")]
    Verify(String),
}

/// The image ID of `program`.
pub fn image_id(program: &Program) -> Result<ImageId, CircuitError> {
    let _ = program;
    todo!("circuit: image ID")
}

/// Run `program` on `input` and prove the execution. `progress` is told each phase's name
/// as it starts.
pub fn prove(
    program: &Program,
    input: &[u8],
    options: &ProveOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Proof, CircuitError> {
    let _ = (program, input, options, progress);
    todo!("circuit: prove")
}

/// Check that `seal` proves `claim` with parameters `config`.
pub fn verify_seal(claim: &Claim, config: &StarkConfig, seal: &[u8]) -> Result<(), CircuitError> {
    let _ = (claim, config, seal);
    todo!("circuit: verify")
}
