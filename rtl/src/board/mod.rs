//! The board SoC: the trace-capture core with its guest memory, the link's byte level
//! (UART, SLIP, CRC-16) and the link's message layer (docs/board-protocol.md), as one
//! block whose only ports are the clock, the UART's two lines and two LEDs.
//!
//! [`BoardSoc`] is written once and built three ways: the simulated board (`rvzk_soc_sim`,
//! inferred RAM, a fast UART divisor), the iCEBreaker (`rvzk_soc_icebreaker`, UP5K SPRAM,
//! 12 MHz) and the ULX3S (`rvzk_soc_ulx3s`, block RAM registered on both sides, 60 MHz from the PLL of
//! [`Ulx3sTop`], `rvzk_top_ulx3s`).

mod bufram;
mod pll;
mod soc;

pub use bufram::BufRam;
pub use pll::{Ecp5Pll60, Ulx3sTop};
pub use soc::{BoardConfig, BoardSoc, ExState};

/// Protocol version spoken by this firmware (docs/board-protocol.md).
pub const PROTOCOL_VERSION: u8 = 1;
/// Version of the board design (bumped when its behaviour changes, same protocol).
pub const FIRMWARE_VERSION: u8 = 1;
/// Trace items per chunk.
pub const CHUNK_ITEMS: usize = 12;
/// Bytes of one trace item (docs/trace-record.md layout).
pub const ITEM_BYTES: usize = 40;
/// Bytes of a chunk reply before its items.
pub const CHUNK_HEADER: usize = 12;
/// Largest frame the board takes (bytes before the CRC).
pub const MAX_FRAME: usize = 512;
/// Most journal bytes in one JOURNAL reply.
pub const JOURNAL_REPLY_MAX: usize = 256;
/// Journal bytes the board keeps (log2).
pub const JOURNAL_BITS: usize = 12;

/// Command codes (byte 1 of a host frame).
pub mod cmd {
    /// Board, versions, sizes, features.
    pub const INFO: u8 = 0x01;
    /// Zero all guest memory.
    pub const CLEAR: u8 = 0x02;
    /// Write words of guest memory.
    pub const LOAD: u8 = 0x03;
    /// Write words of the private-input buffer.
    pub const INPUT: u8 = 0x04;
    /// Start a run.
    pub const RUN: u8 = 0x05;
    /// Run state, exit code, fault, counters.
    pub const STATUS: u8 = 0x06;
    /// One numbered chunk of the trace.
    pub const CHUNK: u8 = 0x07;
    /// Bytes of the journal.
    pub const JOURNAL: u8 = 0x08;
    /// Stop streaming the running program's trace (it then runs to its end at full speed).
    pub const DISCARD: u8 = 0x09;
    /// Accelerator (reserved): write NTT input values.
    pub const NTT_LOAD: u8 = 0x10;
    /// Accelerator (reserved): run an NTT.
    pub const NTT_RUN: u8 = 0x11;
    /// Accelerator (reserved): read NTT output values.
    pub const NTT_READ: u8 = 0x12;
    /// Accelerator (reserved): SHA-256 compressions.
    pub const SHA256: u8 = 0x13;
}

/// Status codes (byte 1 of a reply).
pub mod status {
    /// Done.
    pub const OK: u8 = 0;
    /// Unknown or unsupported command.
    pub const UNKNOWN: u8 = 1;
    /// Frame length wrong for the command (or over [`super::MAX_FRAME`]).
    pub const BAD_LENGTH: u8 = 2;
    /// Address or offset outside the buffer it names, or not word-aligned.
    pub const BAD_ADDRESS: u8 = 3;
    /// The core is running: memory, input and a new run must wait.
    pub const BUSY: u8 = 4;
    /// CHUNK asked for a chunk that is neither the last one sent nor the next one.
    pub const WINDOW: u8 = 5;
    /// CHUNK without a run that streams its trace.
    pub const NO_TRACE: u8 = 6;
    /// A RUN argument out of range (input longer than the input buffer).
    pub const BAD_ARGUMENT: u8 = 7;
}

/// Board identifiers (INFO).
pub mod board_id {
    /// The Verilator build of the SoC.
    pub const SIM: u8 = 0;
    /// iCEBreaker (iCE40 UP5K).
    pub const ICEBREAKER: u8 = 1;
    /// ULX3S (ECP5-85F).
    pub const ULX3S: u8 = 2;
}

/// Feature bits (INFO).
pub mod feature {
    /// Trace capture (the RV32IM core).
    pub const TRACE: u8 = 1;
    /// NTT jobs.
    pub const NTT: u8 = 2;
    /// SHA-256 jobs.
    pub const SHA256: u8 = 4;
}
