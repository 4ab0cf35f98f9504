//! rvzk's hardware, written with rust-hdl: Baby Bear arithmetic, the NTT engine, the
//! SHA-256 core, the RV32IM trace-capture core, the UART link and the board top-levels.
//!
//! Nothing is here yet: the blocks arrive with the `rtl-accel` and `rtl-core` issues.
