//! rvzk's pure-software core. No I/O lives here: callers hand in bytes and get values back.
//!
//! * [`abi`]: the guest ABI (memory map, syscalls) — ARCHITECTURE.md contract 1.
//! * [`elf`]: loading and checking an RV32IM ELF into a [`elf::Program`].
//! * [`rv32im`]: instruction decoding, the executor, and its trace record (contract 2).
//! * [`field`], [`ntt`], [`matrix`]: Baby Bear, its extension, and NTTs (contract 3).
//! * [`merkle`], [`mmcs`], [`transcript`], [`fri`]: SHA-256 commitments (contract 4),
//!   Fiat–Shamir, FRI.
//! * [`air`], [`stark`]: constraint systems and the multi-table STARK with logUp buses.
//! * [`circuit`]: the RV32IM circuit, image IDs, proving and verifying executions.
//! * [`receipt`]: receipts (claim + seal), their binary encoding, proving and verifying them.

pub mod abi;
pub mod air;
pub mod circuit;
pub mod elf;
pub mod field;
pub mod fri;
pub mod matrix;
pub mod merkle;
pub mod mmcs;
pub mod ntt;
pub mod offload;
pub mod receipt;
pub mod rv32im;
pub mod stark;
pub mod transcript;
pub mod util;
