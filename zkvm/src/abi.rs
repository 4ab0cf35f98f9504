//! The guest ABI (ARCHITECTURE.md contract 1), shared by the executor, the circuit and the
//! hardware. See `docs/guest-abi.md`.

/// Lowest guest address. The page below it is never mapped, so a null-pointer access faults.
pub const MEM_BASE: u32 = 0x0000_1000;

/// One past the highest guest address in the software executor (256 MiB).
pub const MEM_TOP: u32 = 0x1000_0000;

/// Register that carries the syscall number (`t0`).
pub const REG_SYSCALL: usize = 5;
/// First argument / return value register (`a0`).
pub const REG_A0: usize = 10;
/// Second argument register (`a1`).
pub const REG_A1: usize = 11;

/// Syscall numbers (in `t0` at `ecall`).
pub mod syscall {
    /// Stop; `a0` is the exit code (0 = success). Does not return.
    pub const HALT: u32 = 0;
    /// Read up to `a1` private-input bytes to `a0`; returns the count in `a0` (0 at the end).
    pub const READ: u32 = 1;
    /// Append `a1` bytes from `a0` to the public journal.
    pub const COMMIT: u32 = 2;
}
