//! The trace record: one per retired instruction (ARCHITECTURE.md contract 2).
//!
//! This type is the single definition. The trace-capture core streams exactly these fields and
//! the board protocol serialises them with [`TraceRecord::to_bytes`]. The layout is specified
//! in `docs/trace-record.md`.

/// One retired instruction, in the spirit of RVFI (riscv-formal).
///
/// Conventions (the hardware must match them bit for bit):
/// * Unused register ports have index 0 and value 0. `rd_addr = 0` means no write, and then
///   `rd_wdata = 0` (writes to x0 are recorded as no write).
/// * Memory fields describe at most one aligned 32-bit word: `mem_addr` is the word address
///   (a multiple of 4), `mem_rmask`/`mem_wmask` have one bit per byte lane that the
///   instruction reads / writes, `mem_rdata` is the **whole** word before the instruction and
///   `mem_wdata` the **whole** word after it (equal to `mem_rdata` outside `mem_wmask`).
///   With no access, all five are 0.
/// * For `ecall`, rs1 is `t0` (x5, the syscall number) and rs2 is `a0` (x10); rd is `a0` for
///   READ. The word-granular memory accesses a syscall makes are in [`Trace::syscall_mem`].
/// * `next_pc` of the HALT `ecall` is its own pc + 4 (the machine stops there).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TraceRecord {
    /// Address of the instruction.
    pub pc: u32,
    /// The 32-bit instruction word.
    pub insn: u32,
    /// Index of the first source register read (0 if none).
    pub rs1_addr: u8,
    /// Index of the second source register read (0 if none).
    pub rs2_addr: u8,
    /// Index of the destination register written (0 if none).
    pub rd_addr: u8,
    /// Value read from rs1.
    pub rs1_rdata: u32,
    /// Value read from rs2.
    pub rs2_rdata: u32,
    /// Value written to rd.
    pub rd_wdata: u32,
    /// Word address of the memory access (multiple of 4).
    pub mem_addr: u32,
    /// Byte lanes read (bit i = byte `mem_addr + i`).
    pub mem_rmask: u8,
    /// Byte lanes written.
    pub mem_wmask: u8,
    /// The whole word at `mem_addr` before the instruction.
    pub mem_rdata: u32,
    /// The whole word at `mem_addr` after the instruction.
    pub mem_wdata: u32,
    /// Address of the next instruction.
    pub next_pc: u32,
}

/// Size of a serialised [`TraceRecord`] in bytes.
pub const TRACE_RECORD_BYTES: usize = 40;

impl TraceRecord {
    /// Serialise in the documented 40-byte little-endian layout (`docs/trace-record.md`):
    /// `pc, insn, rs1_rdata, rs2_rdata, rd_wdata, mem_addr, mem_rdata, mem_wdata, next_pc`
    /// (u32 each), then `rs1_addr, rs2_addr, rd_addr` (u8 each), then one byte with
    /// `mem_rmask` in bits 0..4 and `mem_wmask` in bits 4..8.
    pub fn to_bytes(&self) -> [u8; TRACE_RECORD_BYTES] {
        let mut out = [0u8; TRACE_RECORD_BYTES];
        let words = [
            self.pc,
            self.insn,
            self.rs1_rdata,
            self.rs2_rdata,
            self.rd_wdata,
            self.mem_addr,
            self.mem_rdata,
            self.mem_wdata,
            self.next_pc,
        ];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        out[36] = self.rs1_addr;
        out[37] = self.rs2_addr;
        out[38] = self.rd_addr;
        out[39] = (self.mem_rmask & 0xf) | (self.mem_wmask << 4);
        out
    }

    /// Parse the 40-byte layout written by [`TraceRecord::to_bytes`]. Rejects register
    /// indices above 31, since no valid record has them.
    pub fn from_bytes(bytes: &[u8; TRACE_RECORD_BYTES]) -> Result<Self, TraceDecodeError> {
        let w = |i: usize| u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
        for (field, offset) in [("rs1_addr", 36), ("rs2_addr", 37), ("rd_addr", 38)] {
            if bytes[offset] > 31 {
                return Err(TraceDecodeError {
                    field,
                    offset,
                    value: bytes[offset],
                });
            }
        }
        Ok(TraceRecord {
            pc: w(0),
            insn: w(1),
            rs1_rdata: w(2),
            rs2_rdata: w(3),
            rd_wdata: w(4),
            mem_addr: w(5),
            mem_rdata: w(6),
            mem_wdata: w(7),
            next_pc: w(8),
            rs1_addr: bytes[36],
            rs2_addr: bytes[37],
            rd_addr: bytes[38],
            mem_rmask: bytes[39] & 0xf,
            mem_wmask: bytes[39] >> 4,
        })
    }
}

/// A serialised trace record with an impossible field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trace record: field {field} at byte offset {offset} is {value}, above 31")]
pub struct TraceDecodeError {
    /// Name of the bad field.
    pub field: &'static str,
    /// Byte offset of the field in the record.
    pub offset: usize,
    /// The value found.
    pub value: u8,
}

/// A word-granular memory access made by a syscall (READ writes, COMMIT reads).
///
/// Syscalls move whole byte ranges, which one [`TraceRecord`] cannot describe; the accesses
/// are listed here in the order they happen, each tied to the `ecall` that made it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SyscallMemAccess {
    /// Index into [`Trace::records`] of the `ecall`.
    pub record: u32,
    /// Word address (multiple of 4).
    pub addr: u32,
    /// Byte lanes read.
    pub rmask: u8,
    /// Byte lanes written.
    pub wmask: u8,
    /// The whole word before the access.
    pub rdata: u32,
    /// The whole word after the access.
    pub wdata: u32,
}

/// A full execution trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// One record per retired instruction, in order.
    pub records: Vec<TraceRecord>,
    /// Memory accesses made by syscalls, in order.
    pub syscall_mem: Vec<SyscallMemAccess>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_layout() {
        let r = TraceRecord {
            pc: 0x1000,
            insn: 0x00a5_0533,
            rs1_addr: 10,
            rs2_addr: 10,
            rd_addr: 10,
            rs1_rdata: 3,
            rs2_rdata: 3,
            rd_wdata: 6,
            mem_addr: 0x2000,
            mem_rmask: 0b0011,
            mem_wmask: 0b1100,
            mem_rdata: 0xdead_beef,
            mem_wdata: 0x1234_beef,
            next_pc: 0x1004,
        };
        let b = r.to_bytes();
        assert_eq!(&b[0..4], &0x1000u32.to_le_bytes());
        assert_eq!(&b[32..36], &0x1004u32.to_le_bytes());
        assert_eq!(b[39], 0xc3);
        assert_eq!(TraceRecord::from_bytes(&b).unwrap(), r);
    }

    #[test]
    fn bad_register_index_is_named() {
        let mut b = TraceRecord::default().to_bytes();
        b[37] = 40;
        let e = TraceRecord::from_bytes(&b).unwrap_err();
        assert_eq!(e.field, "rs2_addr");
        assert_eq!(e.offset, 37);
    }
}
