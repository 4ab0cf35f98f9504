//! Verilator harnesses for the Verilog that `rtl` writes: the simulated board.
//!
//! Nothing is here yet: the harnesses arrive with the `rtl-core` issue.
