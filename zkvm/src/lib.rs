//! rvzk's pure-software core. No I/O lives here: callers hand in bytes and get values back.
//!
//! * [`abi`]: the guest ABI (memory map, syscalls) — ARCHITECTURE.md contract 1.
//! * [`elf`]: loading and checking an RV32IM ELF into a [`elf::Program`].
//! * [`rv32im`]: instruction decoding, the executor, and its trace record (contract 2).

pub mod abi;
pub mod elf;
pub mod rv32im;
pub mod fri;
pub mod mmcs;
pub mod transcript;
pub mod util;
pub mod field;
pub mod matrix;
pub mod ntt;
