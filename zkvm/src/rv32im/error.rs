//! Why an execution stopped without a HALT.

use std::fmt;

/// What went wrong. Every fault stops the machine; none produces a receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The word at pc is not an RV32IM instruction.
    IllegalInstruction {
        /// The instruction word.
        insn: u32,
    },
    /// `ebreak`: there is no debugger to trap to.
    Ebreak,
    /// pc is not inside an executable segment of the program.
    FetchOutsideCode,
    /// A load whose address is not a multiple of its width.
    MisalignedLoad {
        /// Effective address.
        addr: u32,
        /// Access width in bytes.
        width: u32,
    },
    /// A store whose address is not a multiple of its width.
    MisalignedStore {
        /// Effective address.
        addr: u32,
        /// Access width in bytes.
        width: u32,
    },
    /// A jump or taken branch to an address that is not a multiple of 4.
    MisalignedJump {
        /// The target.
        target: u32,
    },
    /// A load outside guest memory.
    LoadOutOfRange {
        /// Effective address.
        addr: u32,
        /// Access width in bytes.
        width: u32,
    },
    /// A store outside guest memory.
    StoreOutOfRange {
        /// Effective address.
        addr: u32,
        /// Access width in bytes.
        width: u32,
    },
    /// A store into an executable segment (code is read-only: it was committed to up front).
    StoreToCode {
        /// Effective address.
        addr: u32,
    },
    /// `ecall` with a number in `t0` that is no syscall.
    UnknownSyscall {
        /// The value of `t0`.
        number: u32,
    },
    /// A READ or COMMIT buffer that is not inside guest memory (or, for READ, touches code).
    SyscallBuffer {
        /// Syscall name.
        syscall: &'static str,
        /// Buffer start.
        addr: u32,
        /// Buffer length.
        len: u32,
    },
    /// A segment of the program does not fit guest memory (checked before the first
    /// instruction, e.g. a program linked for more memory than a board has).
    ImageOutsideMemory {
        /// Index of the segment's program header.
        segment: usize,
        /// Its first address.
        start: u32,
        /// One past its last address.
        end: u64,
        /// Top of guest memory.
        mem_top: u32,
    },
    /// The cycle limit was reached before the guest halted.
    CycleLimit {
        /// The limit.
        limit: u64,
    },
}

/// An execution that stopped on a [`Fault`], with where and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    /// pc of the instruction that faulted (for the cycle limit: the next one to run).
    pub pc: u32,
    /// Instructions retired before the fault.
    pub cycle: u64,
    /// What happened.
    pub fault: Fault,
}

impl ExecError {
    /// pc of the faulting instruction.
    pub fn pc(&self) -> Option<u32> {
        Some(self.pc)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Fault::IllegalInstruction { insn } => write!(f, "illegal instruction {insn:#010x}"),
            Fault::Ebreak => write!(f, "ebreak"),
            Fault::FetchOutsideCode => write!(f, "instruction fetch outside the program's code"),
            Fault::MisalignedLoad { addr, width } => {
                write!(f, "misaligned {width}-byte load from {addr:#010x}")
            }
            Fault::MisalignedStore { addr, width } => {
                write!(f, "misaligned {width}-byte store to {addr:#010x}")
            }
            Fault::MisalignedJump { target } => {
                write!(f, "jump to misaligned target {target:#010x}")
            }
            Fault::LoadOutOfRange { addr, width } => {
                write!(
                    f,
                    "{width}-byte load from {addr:#010x}, outside guest memory"
                )
            }
            Fault::StoreOutOfRange { addr, width } => {
                write!(
                    f,
                    "{width}-byte store to {addr:#010x}, outside guest memory"
                )
            }
            Fault::StoreToCode { addr } => {
                write!(f, "store to {addr:#010x}, inside the program's code")
            }
            Fault::UnknownSyscall { number } => write!(f, "unknown syscall {number} (t0)"),
            Fault::SyscallBuffer { syscall, addr, len } => write!(
                f,
                "{syscall} buffer [{addr:#010x}, +{len:#x}) is outside writable guest memory"
            ),
            Fault::ImageOutsideMemory {
                segment,
                start,
                end,
                mem_top,
            } => write!(
                f,
                "segment {segment} [{start:#010x}, {end:#010x}) does not fit guest memory \
                 [{:#010x}, {mem_top:#010x})",
                crate::abi::MEM_BASE
            ),
            Fault::CycleLimit { limit } => write!(f, "cycle limit of {limit} reached"),
        }
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at pc {:#010x} (after {} cycles)",
            self.fault, self.pc, self.cycle
        )
    }
}

impl std::error::Error for ExecError {}
