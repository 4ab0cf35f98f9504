//! RV32IM: decoding, execution and the trace record.

pub mod decode;
pub mod encode;
pub mod error;
pub mod machine;
pub mod profile;
pub mod trace;

pub use decode::{decode, Decoded, Op};
pub use encode::{encode, ins};
pub use error::{ExecError, Fault};
pub use machine::{
    run, run_profiled, run_traced, run_traced_partial, Hook, Outcome, Profile, RunOptions,
    DEFAULT_MAX_CYCLES,
};
pub use profile::FunctionCycles;
pub use trace::{SyscallMemAccess, Trace, TraceRecord, TRACE_RECORD_BYTES};
