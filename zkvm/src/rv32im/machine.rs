//! The RV32IM executor: runs a [`Program`] under the guest ABI.
//!
//! Code is decoded once up front (the executable segments are read-only, so a decoded
//! instruction can never go stale). The interpreter loop is generic over a [`Hook`]; the fast
//! mode's hook does nothing and compiles away, the tracing hook collects [`TraceRecord`]s.

use crate::abi::{syscall, MEM_BASE, MEM_TOP, REG_A0, REG_A1, REG_SYSCALL};
use crate::elf::Program;

use super::decode::{decode, Decoded, Op};
use super::error::{ExecError, Fault};
use super::trace::{SyscallMemAccess, Trace, TraceRecord};

/// Default cycle limit: about seven seconds of fast execution.
pub const DEFAULT_MAX_CYCLES: u64 = 1 << 30;

/// Execution settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Stop with [`Fault::CycleLimit`] if the guest has not halted after this many instructions.
    pub max_cycles: u64,
    /// One past the highest guest address ([`MEM_TOP`] in software; a board's RAM size there).
    pub mem_top: u32,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_cycles: DEFAULT_MAX_CYCLES,
            mem_top: MEM_TOP,
        }
    }
}

/// How a guest that halted finished.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The HALT code (`a0`); 0 means success.
    pub exit_code: u32,
    /// Bytes the guest committed, in order.
    pub journal: Vec<u8>,
    /// Instructions retired, the HALT `ecall` included.
    pub cycles: u64,
}

/// Observes execution. Every method has a do-nothing default so the fast path pays nothing.
pub trait Hook {
    /// Whether [`Hook::retire`] and [`Hook::syscall_mem`] want to be called (a constant, so
    /// building records is compiled out when it is false).
    const TRACE: bool;
    /// Called before the instruction at code word `index` executes.
    #[inline(always)]
    fn fetch(&mut self, _index: usize) {}
    /// Called once per retired instruction when `TRACE` is set.
    #[inline(always)]
    fn retire(&mut self, _record: TraceRecord) {}
    /// Called for each word-granular memory access a syscall makes when `TRACE` is set.
    #[inline(always)]
    fn syscall_mem(&mut self, _access: SyscallMemAccess) {}
}

/// The fast mode's hook.
struct NoHook;
impl Hook for NoHook {
    const TRACE: bool = false;
}

/// The tracing hook.
struct TraceHook(Trace);
impl Hook for TraceHook {
    const TRACE: bool = true;
    #[inline(always)]
    fn retire(&mut self, record: TraceRecord) {
        self.0.records.push(record);
    }
    #[inline(always)]
    fn syscall_mem(&mut self, access: SyscallMemAccess) {
        self.0.syscall_mem.push(access);
    }
}

/// Per-code-word execution counts, for `rvzk run --profile`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Address of code word 0.
    pub code_base: u32,
    /// How many times each code word was executed.
    pub counts: Vec<u64>,
}

impl Hook for Profile {
    const TRACE: bool = false;
    #[inline(always)]
    fn fetch(&mut self, index: usize) {
        self.counts[index] += 1;
    }
}

/// Run a program to HALT without recording a trace (the fast mode).
pub fn run(program: &Program, input: &[u8], options: &RunOptions) -> Result<Outcome, ExecError> {
    Machine::new(program, input, options)?.execute(&mut NoHook)
}

/// Run a program to HALT, recording one [`TraceRecord`] per retired instruction.
pub fn run_traced(
    program: &Program,
    input: &[u8],
    options: &RunOptions,
) -> Result<(Outcome, Trace), ExecError> {
    let mut hook = TraceHook(Trace::default());
    let outcome = Machine::new(program, input, options)?.execute(&mut hook)?;
    Ok((outcome, hook.0))
}

/// [`run_traced`] that keeps the trace when the guest faults: the records of every
/// instruction retired before the fault (what a board streams before it stops).
pub fn run_traced_partial(
    program: &Program,
    input: &[u8],
    options: &RunOptions,
) -> (Result<Outcome, ExecError>, Trace) {
    let mut hook = TraceHook(Trace::default());
    let result = Machine::new(program, input, options).and_then(|mut m| m.execute(&mut hook));
    (result, hook.0)
}

/// Run a program to HALT, counting how often each instruction executed.
pub fn run_profiled(
    program: &Program,
    input: &[u8],
    options: &RunOptions,
) -> Result<(Outcome, Profile), ExecError> {
    let mut machine = Machine::new(program, input, options)?;
    let mut profile = Profile {
        code_base: machine.code_lo,
        counts: vec![0; machine.code.len()],
    };
    let outcome = machine.execute(&mut profile)?;
    Ok((outcome, profile))
}

/// Sentinel for code words between executable segments.
const NOT_CODE: Decoded = Decoded {
    op: Op::Illegal,
    rd: 0,
    rs1: 0,
    rs2: 0,
    imm: 1, // imm 1 on an Illegal op marks "not code" (real illegal words decode with imm 0)
};

struct Machine<'a> {
    regs: [u32; 32],
    /// Guest memory indexed by address; `[0, MEM_BASE)` exists but is never accessible.
    mem: Vec<u8>,
    mem_top: u32,
    /// Decoded code words from `code_lo` on.
    code: Vec<Decoded>,
    /// The raw instruction words, for traces and error messages.
    words: Vec<u32>,
    code_lo: u32,
    code_hi: u32,
    /// Executable segments `[start, end)`, for the precise store-to-code check.
    code_ranges: Vec<(u32, u32)>,
    entry: u32,
    max_cycles: u64,
    input: &'a [u8],
    input_pos: usize,
    journal: Vec<u8>,
}

impl<'a> Machine<'a> {
    fn new(program: &Program, input: &'a [u8], options: &RunOptions) -> Result<Self, ExecError> {
        let mem_top = options.mem_top;
        // Program::load checks against MEM_TOP; a board's smaller memory (or a hand-built
        // Program) must not silently lose bytes.
        for s in &program.segments {
            let end = s.vaddr as u64 + s.memsz as u64;
            if s.vaddr < MEM_BASE || end > mem_top as u64 {
                return Err(ExecError {
                    pc: program.entry,
                    cycle: 0,
                    fault: Fault::ImageOutsideMemory {
                        segment: s.index,
                        start: s.vaddr,
                        end,
                        mem_top,
                    },
                });
            }
        }
        // Zeroed allocation is lazily mapped by the OS, so 256 MiB costs only what is touched.
        let mut mem = vec![0u8; mem_top as usize];
        for s in &program.segments {
            let start = s.vaddr as usize;
            mem[start..start + s.data.len()].copy_from_slice(&s.data);
        }
        let code_ranges: Vec<(u32, u32)> = program
            .code_segments()
            .map(|s| (s.vaddr, s.end()))
            .collect();
        let code_lo = code_ranges.iter().map(|r| r.0).min().unwrap_or(0);
        let code_hi = code_ranges.iter().map(|r| r.1).max().unwrap_or(0);
        let n_words = ((code_hi - code_lo) as usize).div_ceil(4);
        let mut code = vec![NOT_CODE; n_words];
        let mut words = vec![0u32; n_words];
        for &(start, end) in &code_ranges {
            // Only whole words inside the segment are fetchable.
            let mut a = start;
            while a + 4 <= end && (a as usize + 4) <= mem.len() {
                let w = u32::from_le_bytes(mem[a as usize..a as usize + 4].try_into().unwrap());
                let i = ((a - code_lo) / 4) as usize;
                words[i] = w;
                code[i] = decode(w);
                a += 4;
            }
        }
        Ok(Machine {
            regs: [0; 32],
            mem,
            mem_top,
            code,
            words,
            code_lo,
            code_hi,
            code_ranges,
            entry: program.entry,
            max_cycles: options.max_cycles,
            input,
            input_pos: 0,
            journal: Vec::new(),
        })
    }

    #[inline(always)]
    fn in_memory(&self, addr: u32, width: u32) -> bool {
        addr >= MEM_BASE && addr <= self.mem_top - width
    }

    /// Whether `[addr, addr + len)` touches an executable segment.
    #[inline(always)]
    fn touches_code(&self, addr: u32, len: u32) -> bool {
        let end = addr as u64 + len as u64;
        if end <= self.code_lo as u64 || addr >= self.code_hi {
            return false;
        }
        self.code_ranges
            .iter()
            .any(|&(s, e)| (addr as u64) < e as u64 && end > s as u64)
    }

    #[inline(always)]
    fn word_at(&self, word_addr: u32) -> u32 {
        let a = word_addr as usize;
        u32::from_le_bytes(self.mem[a..a + 4].try_into().unwrap())
    }

    fn execute<H: Hook>(&mut self, hook: &mut H) -> Result<Outcome, ExecError> {
        let mut pc = self.entry;
        let mut cycles: u64 = 0;
        let fault = |pc, cycles, fault| ExecError {
            pc,
            cycle: cycles,
            fault,
        };
        loop {
            let index = (pc.wrapping_sub(self.code_lo) >> 2) as usize;
            let d = match self.code.get(index) {
                Some(d) => *d,
                None => return Err(fault(pc, cycles, Fault::FetchOutsideCode)),
            };
            if cycles >= self.max_cycles {
                return Err(fault(
                    pc,
                    cycles,
                    Fault::CycleLimit {
                        limit: self.max_cycles,
                    },
                ));
            }
            hook.fetch(index);
            let rs1v = self.regs[(d.rs1 & 31) as usize];
            let rs2v = self.regs[(d.rs2 & 31) as usize];
            let mut next = pc.wrapping_add(4);
            // Trace-only memory fields: (word address, rmask, wmask, old word, new word).
            let mut mem_rec = (0u32, 0u8, 0u8, 0u32, 0u32);
            let rdv: u32 = match d.op {
                Op::Lui => d.imm,
                Op::Auipc => pc.wrapping_add(d.imm),
                Op::Jal => {
                    let target = pc.wrapping_add(d.imm);
                    if target & 3 != 0 {
                        return Err(fault(pc, cycles, Fault::MisalignedJump { target }));
                    }
                    next = target;
                    pc.wrapping_add(4)
                }
                Op::Jalr => {
                    let target = rs1v.wrapping_add(d.imm) & !1;
                    if target & 3 != 0 {
                        return Err(fault(pc, cycles, Fault::MisalignedJump { target }));
                    }
                    next = target;
                    pc.wrapping_add(4)
                }
                Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => {
                    let taken = match d.op {
                        Op::Beq => rs1v == rs2v,
                        Op::Bne => rs1v != rs2v,
                        Op::Blt => (rs1v as i32) < (rs2v as i32),
                        Op::Bge => (rs1v as i32) >= (rs2v as i32),
                        Op::Bltu => rs1v < rs2v,
                        _ => rs1v >= rs2v,
                    };
                    if taken {
                        let target = pc.wrapping_add(d.imm);
                        if target & 3 != 0 {
                            return Err(fault(pc, cycles, Fault::MisalignedJump { target }));
                        }
                        next = target;
                    }
                    0
                }
                Op::Lb | Op::Lh | Op::Lw | Op::Lbu | Op::Lhu => {
                    let addr = rs1v.wrapping_add(d.imm);
                    let width = match d.op {
                        Op::Lb | Op::Lbu => 1,
                        Op::Lh | Op::Lhu => 2,
                        _ => 4,
                    };
                    if addr & (width - 1) != 0 {
                        return Err(fault(pc, cycles, Fault::MisalignedLoad { addr, width }));
                    }
                    if !self.in_memory(addr, width) {
                        return Err(fault(pc, cycles, Fault::LoadOutOfRange { addr, width }));
                    }
                    let a = addr as usize;
                    let value = match d.op {
                        Op::Lb => self.mem[a] as i8 as i32 as u32,
                        Op::Lbu => self.mem[a] as u32,
                        Op::Lh => i16::from_le_bytes([self.mem[a], self.mem[a + 1]]) as i32 as u32,
                        Op::Lhu => u16::from_le_bytes([self.mem[a], self.mem[a + 1]]) as u32,
                        _ => u32::from_le_bytes(self.mem[a..a + 4].try_into().unwrap()),
                    };
                    if H::TRACE {
                        let word_addr = addr & !3;
                        let mask = (((1u32 << width) - 1) << (addr & 3)) as u8;
                        let word = self.word_at(word_addr);
                        mem_rec = (word_addr, mask, 0, word, word);
                    }
                    value
                }
                Op::Sb | Op::Sh | Op::Sw => {
                    let addr = rs1v.wrapping_add(d.imm);
                    let width = match d.op {
                        Op::Sb => 1,
                        Op::Sh => 2,
                        _ => 4,
                    };
                    if addr & (width - 1) != 0 {
                        return Err(fault(pc, cycles, Fault::MisalignedStore { addr, width }));
                    }
                    if !self.in_memory(addr, width) {
                        return Err(fault(pc, cycles, Fault::StoreOutOfRange { addr, width }));
                    }
                    if self.touches_code(addr, width) {
                        return Err(fault(pc, cycles, Fault::StoreToCode { addr }));
                    }
                    let word_addr = addr & !3;
                    let old = if H::TRACE { self.word_at(word_addr) } else { 0 };
                    let a = addr as usize;
                    match d.op {
                        Op::Sb => self.mem[a] = rs2v as u8,
                        Op::Sh => self.mem[a..a + 2].copy_from_slice(&(rs2v as u16).to_le_bytes()),
                        _ => self.mem[a..a + 4].copy_from_slice(&rs2v.to_le_bytes()),
                    }
                    if H::TRACE {
                        let mask = (((1u32 << width) - 1) << (addr & 3)) as u8;
                        mem_rec = (word_addr, 0, mask, old, self.word_at(word_addr));
                    }
                    0
                }
                Op::Addi => rs1v.wrapping_add(d.imm),
                Op::Slti => ((rs1v as i32) < (d.imm as i32)) as u32,
                Op::Sltiu => (rs1v < d.imm) as u32,
                Op::Xori => rs1v ^ d.imm,
                Op::Ori => rs1v | d.imm,
                Op::Andi => rs1v & d.imm,
                Op::Slli => rs1v << (d.imm & 31),
                Op::Srli => rs1v >> (d.imm & 31),
                Op::Srai => ((rs1v as i32) >> (d.imm & 31)) as u32,
                Op::Add => rs1v.wrapping_add(rs2v),
                Op::Sub => rs1v.wrapping_sub(rs2v),
                Op::Sll => rs1v << (rs2v & 31),
                Op::Slt => ((rs1v as i32) < (rs2v as i32)) as u32,
                Op::Sltu => (rs1v < rs2v) as u32,
                Op::Xor => rs1v ^ rs2v,
                Op::Srl => rs1v >> (rs2v & 31),
                Op::Sra => ((rs1v as i32) >> (rs2v & 31)) as u32,
                Op::Or => rs1v | rs2v,
                Op::And => rs1v & rs2v,
                Op::Mul => rs1v.wrapping_mul(rs2v),
                Op::Mulh => ((rs1v as i32 as i64 * rs2v as i32 as i64) >> 32) as u32,
                Op::Mulhsu => ((rs1v as i32 as i64 * rs2v as i64) >> 32) as u32,
                Op::Mulhu => ((rs1v as u64 * rs2v as u64) >> 32) as u32,
                Op::Div => div(rs1v, rs2v),
                Op::Divu => rs1v.checked_div(rs2v).unwrap_or(u32::MAX),
                Op::Rem => rem(rs1v, rs2v),
                Op::Remu => {
                    if rs2v == 0 {
                        rs1v
                    } else {
                        rs1v % rs2v
                    }
                }
                Op::Fence => 0,
                Op::Ecall => {
                    return match self.ecall(hook, pc, cycles)? {
                        Some(outcome) => Ok(outcome),
                        None => {
                            pc = next;
                            cycles += 1;
                            continue;
                        }
                    };
                }
                Op::Ebreak => return Err(fault(pc, cycles, Fault::Ebreak)),
                Op::Illegal => {
                    let f = if d.imm == NOT_CODE.imm {
                        Fault::FetchOutsideCode
                    } else {
                        Fault::IllegalInstruction {
                            insn: self.words[index],
                        }
                    };
                    return Err(fault(pc, cycles, f));
                }
            };
            let rd = (d.rd & 31) as usize;
            self.regs[rd] = rdv;
            self.regs[0] = 0;
            if H::TRACE {
                hook.retire(TraceRecord {
                    pc,
                    insn: self.words[index],
                    rs1_addr: d.rs1,
                    rs2_addr: d.rs2,
                    rd_addr: d.rd,
                    rs1_rdata: rs1v,
                    rs2_rdata: rs2v,
                    rd_wdata: self.regs[rd],
                    mem_addr: mem_rec.0,
                    mem_rmask: mem_rec.1,
                    mem_wmask: mem_rec.2,
                    mem_rdata: mem_rec.3,
                    mem_wdata: mem_rec.4,
                    next_pc: next,
                });
            }
            pc = next;
            cycles += 1;
        }
    }

    /// Run the syscall at `pc`. Returns the outcome for HALT, `None` to continue.
    #[cold]
    #[inline(never)]
    fn ecall<H: Hook>(
        &mut self,
        hook: &mut H,
        pc: u32,
        cycles: u64,
    ) -> Result<Option<Outcome>, ExecError> {
        let number = self.regs[REG_SYSCALL];
        let a0 = self.regs[REG_A0];
        let a1 = self.regs[REG_A1];
        let record_index = cycles as u32;
        let fault = |fault| ExecError {
            pc,
            cycle: cycles,
            fault,
        };
        let mut rd_addr = 0u8;
        let mut rd_wdata = 0u32;
        let halted = match number {
            syscall::HALT => true,
            syscall::READ => {
                let n = (a1 as usize).min(self.input.len() - self.input_pos) as u32;
                if n > 0 {
                    if !self.buffer_in_memory(a0, n) || self.touches_code(a0, n) {
                        return Err(fault(Fault::SyscallBuffer {
                            syscall: "READ",
                            addr: a0,
                            len: n,
                        }));
                    }
                    let src = &self.input[self.input_pos..self.input_pos + n as usize];
                    if H::TRACE {
                        self.trace_buffer(hook, record_index, a0, n, Some(src));
                    } else {
                        self.mem[a0 as usize..(a0 + n) as usize].copy_from_slice(src);
                    }
                    self.input_pos += n as usize;
                }
                self.regs[REG_A0] = n;
                rd_addr = REG_A0 as u8;
                rd_wdata = n;
                false
            }
            syscall::COMMIT => {
                if a1 > 0 {
                    if !self.buffer_in_memory(a0, a1) {
                        return Err(fault(Fault::SyscallBuffer {
                            syscall: "COMMIT",
                            addr: a0,
                            len: a1,
                        }));
                    }
                    self.journal
                        .extend_from_slice(&self.mem[a0 as usize..(a0 + a1) as usize]);
                    if H::TRACE {
                        self.trace_buffer(hook, record_index, a0, a1, None);
                    }
                }
                false
            }
            _ => return Err(fault(Fault::UnknownSyscall { number })),
        };
        if H::TRACE {
            hook.retire(TraceRecord {
                pc,
                insn: 0x0000_0073,
                rs1_addr: REG_SYSCALL as u8,
                rs2_addr: REG_A0 as u8,
                rd_addr,
                rs1_rdata: number,
                rs2_rdata: a0,
                rd_wdata,
                next_pc: pc.wrapping_add(4),
                ..TraceRecord::default()
            });
        }
        Ok(halted.then(|| Outcome {
            exit_code: a0,
            journal: std::mem::take(&mut self.journal),
            cycles: cycles + 1,
        }))
    }

    fn buffer_in_memory(&self, addr: u32, len: u32) -> bool {
        addr >= MEM_BASE && addr as u64 + len as u64 <= self.mem_top as u64
    }

    /// Record (and for READ, perform) a syscall's byte-range access word by word.
    fn trace_buffer<H: Hook>(
        &mut self,
        hook: &mut H,
        record: u32,
        addr: u32,
        len: u32,
        write: Option<&[u8]>,
    ) {
        let end = addr + len;
        let mut word_addr = addr & !3;
        while word_addr < end {
            let old = self.word_at(word_addr);
            let mut mask = 0u8;
            for lane in 0..4 {
                let a = word_addr + lane;
                if a >= addr && a < end {
                    mask |= 1 << lane;
                    if let Some(src) = write {
                        self.mem[a as usize] = src[(a - addr) as usize];
                    }
                }
            }
            let new = self.word_at(word_addr);
            let (rmask, wmask) = if write.is_some() {
                (0, mask)
            } else {
                (mask, 0)
            };
            hook.syscall_mem(SyscallMemAccess {
                record,
                addr: word_addr,
                rmask,
                wmask,
                rdata: old,
                wdata: new,
            });
            word_addr += 4;
        }
    }
}

/// Signed division with RISC-V's rules: x/0 = −1, MIN/−1 = MIN.
#[inline(always)]
fn div(a: u32, b: u32) -> u32 {
    let (a, b) = (a as i32, b as i32);
    if b == 0 {
        u32::MAX
    } else {
        a.wrapping_div(b) as u32
    }
}

/// Signed remainder with RISC-V's rules: x%0 = x, MIN%−1 = 0.
#[inline(always)]
fn rem(a: u32, b: u32) -> u32 {
    let (a, b) = (a as i32, b as i32);
    if b == 0 {
        a as u32
    } else {
        a.wrapping_rem(b) as u32
    }
}
