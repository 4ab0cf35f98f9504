//! Process exit statuses of `rvzk` (documented in `docs/cli.md`).

/// The guest halted with exit code 0 (or a command succeeded).
pub const SUCCESS: u8 = 0;
/// Something went wrong: bad ELF, guest fault, unreadable file, …
pub const ERROR: u8 = 1;
/// The command line was wrong (clap's own status for usage errors).
pub const USAGE: u8 = 2;
/// The guest halted with a non-zero exit code.
pub const GUEST_FAILED: u8 = 3;
/// `rvzk verify`: the receipt was rejected (malformed, another image or exit code, too weak
/// parameters, or a seal that does not verify).
pub const REJECTED: u8 = 4;
