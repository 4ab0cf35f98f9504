//! RV32IM: decoding, execution and the trace record.

pub mod trace;
