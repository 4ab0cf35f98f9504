//! rvzk's hardware, written with rust-hdl: Baby Bear arithmetic, the NTT engine, the
//! SHA-256 core, the RV32IM trace-capture core, the UART link and the board top-levels.
//!
//! The accelerator blocks (`field`, `sha256`, `ntt`) are described in `docs/rtl-accel.md`.

pub mod babybear;
pub mod board;
pub mod core;
pub mod field;
pub mod link;
pub mod mem;
pub mod ntt;
pub mod sha256;
pub mod verilog;
