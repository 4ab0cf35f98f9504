//! The RV32IM trace-capture core: runs a guest exactly as `rvzk_zkvm::rv32im` does and
//! streams one trace record per retired instruction (docs/rtl-core.md).
//!
//! Blocks, each with a rust-hdl testbench: [`Decoder`], [`Alu`], [`BranchUnit`],
//! [`LoadStoreUnit`], [`Multiplier`], [`Divider`], [`RegFile`], the pipeline [`Core`], guest
//! memory [`CoreRam`], and [`CoreSystem`] (core + memory, the Verilator top level).

mod alu;
mod branch;
mod cpu;
mod decode;
mod div;
mod lsu;
mod mul;
mod ram;
mod regfile;
mod system;

pub use alu::Alu;
pub use branch::BranchUnit;
pub use cpu::{Core, CoreState, SysState};
pub use decode::Decoder;
pub use div::Divider;
pub use lsu::{LoadStoreUnit, MEM_BASE};
pub use mul::Multiplier;
pub use ram::{CoreRam, RamStyle};
pub use regfile::RegFile;
pub use system::CoreSystem;

/// Word-address width of the 128 KiB boards' guest memory (MEM_TOP = 0x2_0000).
pub const RAM_ADDR_BITS_128K: usize = 15;

/// The core with 128 KiB of guest memory (iCEBreaker UP5K SPRAM; also the ULX3S build).
pub type CoreSystem128K = CoreSystem<RAM_ADDR_BITS_128K>;

/// The codes on the core's `fault_code` port. The fault's details (the word, the address,
/// the target) are not reported: the host has the ELF and can rebuild every register from
/// the trace, so it recomputes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FaultCode {
    /// No fault.
    None = 0,
    /// Illegal instruction.
    IllegalInstruction = 1,
    /// `ebreak`.
    Ebreak = 2,
    /// pc outside the code.
    FetchOutsideCode = 3,
    /// Misaligned load.
    MisalignedLoad = 4,
    /// Misaligned store.
    MisalignedStore = 5,
    /// Jump or taken branch to a target that is not a multiple of 4.
    MisalignedJump = 6,
    /// Load outside guest memory.
    LoadOutOfRange = 7,
    /// Store outside guest memory.
    StoreOutOfRange = 8,
    /// Store into the code.
    StoreToCode = 9,
    /// `ecall` with an unknown number in t0.
    UnknownSyscall = 10,
    /// READ/COMMIT buffer outside guest memory, or READ into code.
    SyscallBuffer = 11,
    /// The cycle limit.
    CycleLimit = 12,
}

impl FaultCode {
    /// The code for a `fault_code` port value, if it is one.
    pub fn from_port(value: u8) -> Option<FaultCode> {
        use FaultCode::*;
        Some(match value {
            0 => None,
            1 => IllegalInstruction,
            2 => Ebreak,
            3 => FetchOutsideCode,
            4 => MisalignedLoad,
            5 => MisalignedStore,
            6 => MisalignedJump,
            7 => LoadOutOfRange,
            8 => StoreOutOfRange,
            9 => StoreToCode,
            10 => UnknownSyscall,
            11 => SyscallBuffer,
            12 => CycleLimit,
            _ => return Option::None,
        })
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use rand::{Rng, SeedableRng};

    /// Deterministic 32-bit operands, over-weighting the RV32 edge values.
    pub fn operands(seed: u64, count: usize) -> Vec<u32> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let edges = [
            0,
            1,
            2,
            31,
            32,
            0x7fff_ffff,
            0x8000_0000,
            0x8000_0001,
            u32::MAX,
            u32::MAX - 1,
        ];
        (0..count)
            .map(|_| match rng.gen_range(0..4) {
                0 => edges[rng.gen_range(0..edges.len())],
                1 => rng.gen_range(0..64),
                _ => rng.gen(),
            })
            .collect()
    }
}
