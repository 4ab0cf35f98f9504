//! Verilator harnesses for the Verilog that `rtl` writes: the simulated board.
//!
//! [`verilator`] builds a C++ testbench around one of `rvzk_rtl`'s top-level blocks into
//! `build/sim/<name>/`; the accelerator's testbenches live in `sim/harness/` and the tests
//! that drive them (against the software reference) in `sim/tests/`. [`core`] runs whole
//! programs on the trace-capture core (`sim/core/`) and compares them with the executor;
//! [`board`] builds and starts the simulated board (the SoC on a pseudo-terminal).

pub mod board;
pub mod core;
pub mod verilator;
