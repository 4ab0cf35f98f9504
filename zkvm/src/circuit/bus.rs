//! Bus numbers, byte-table operations, fixed addresses and public-value positions shared by
//! the tables (`docs/circuit.md`, "Buses").

/// CPU rows send the decoded instruction at their pc; the program table receives.
pub const PROGRAM: usize = 0;
/// Memory and registers: `(word address, timestamp, byte0..3, read-only)`.
pub const MEMORY: usize = 1;
/// Byte table lookups: `(op, x, y, z)`.
pub const BYTE: usize = 2;
/// Syscall buffer walk: `(clk, pointer, bytes left, journal position)`.
pub const SYSCALL: usize = 3;
/// Journal bytes: `(position, byte)`; the verifier receives the claimed journal.
pub const JOURNAL: usize = 4;
/// Byte-lane masks of a syscall word: `(first lane, count, lane0..3)`.
pub const MASK: usize = 5;

/// Byte-table operation: `x` and `y` are bytes (`z` = 0).
pub const OP_RANGE: u32 = 0;
/// `z = x & y`.
pub const OP_AND: u32 = 1;
/// `z = x | y`.
pub const OP_OR: u32 = 2;
/// `z = x ^ y`.
pub const OP_XOR: u32 = 3;

/// Word address of register x0 (x_i is at `REG_BASE + i`): above every memory word address
/// (guest memory ends at 2^28 bytes = 2^26 words).
pub const REG_BASE: u32 = 1 << 26;

/// Public value: the entry pc.
pub const PV_ENTRY: usize = 0;
/// Public value: the first word address after the image (dynamic memory starts here).
pub const PV_IMAGE_END: usize = 1;
/// Public values: the exit code's four bytes.
pub const PV_EXIT: usize = 2;
/// Public value: the journal length in bytes.
pub const PV_JOURNAL_LEN: usize = 6;
/// Number of public values.
pub const NUM_PUBLIC: usize = 7;

/// Timestamp of access slot `slot` (1..=4) in cycle `clk`: rs1 = 1, rs2 = 2, memory (and
/// syscall buffers) = 3, rd = 4. Initial values carry timestamp 0.
pub const fn ts(clk: u64, slot: u64) -> u64 {
    4 * clk + slot
}
