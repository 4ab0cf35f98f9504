//! Verilator runs of the RV32IM trace-capture core (`rvzk_core`) on whole programs, and
//! their comparison with the software executor, record for record.
//!
//! The harness (`sim/core/core_tb.cpp`) loads the program's memory image through the core's
//! loader port, starts it, drains its trace and journal streams (optionally with
//! pseudo-random stalls on every stream) and reports how it stopped. [`run`] drives it;
//! [`check_against_executor`] runs the same program under `rvzk_zkvm::rv32im::run_traced`
//! with the board's MEM_TOP and demands identical records, syscall memory accesses,
//! journal, exit code, or fault kind, pc and retired count.

use std::fmt::Write as _;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use rvzk_rtl::core::FaultCode;
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::rv32im::{
    decode, run_traced, ExecError, Fault, Op, RunOptions, SyscallMemAccess, Trace, TraceRecord,
    TRACE_RECORD_BYTES,
};

use crate::verilator::{build, HarnessSpec};

/// Guest memory of the simulated core: 128 KiB (`rvzk_rtl::core::CoreSystem128K`).
pub const CORE_MEM_TOP: u32 = 0x2_0000;

/// The harness executable, built (or found up to date) once per process.
pub fn harness() -> Result<PathBuf, String> {
    static EXE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    EXE.get_or_init(|| {
        build(&HarnessSpec {
            name: "core",
            top: "rvzk_core",
            testbench: "sim/core/core_tb.cpp",
            defines: &[],
        })
    })
    .clone()
}

/// How to run the core.
#[derive(Clone, Debug)]
pub struct CoreOptions {
    /// The core's cycle limit (instructions retired), as the executor's `max_cycles`.
    pub max_cycles: u32,
    /// 0: every stream always ready/valid; otherwise the seed of pseudo-random stalls on
    /// the trace, journal and input streams.
    pub stall_seed: u32,
    /// Give up after this many clock cycles.
    pub max_clocks: u64,
}

impl Default for CoreOptions {
    fn default() -> Self {
        CoreOptions {
            max_cycles: 1 << 30,
            stall_seed: 0,
            max_clocks: 1 << 32,
        }
    }
}

/// How a core run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreStop {
    /// HALT with this exit code.
    Halted(u32),
    /// A fault.
    Faulted {
        /// The `fault_code` port.
        code: FaultCode,
        /// pc of the faulting instruction.
        pc: u32,
    },
    /// The harness's clock limit ran out first.
    ClockLimit,
}

/// Everything a core run produced.
#[derive(Clone, Debug)]
pub struct CoreRun {
    /// Records and syscall memory accesses, as `rvzk_zkvm` lays them out.
    pub trace: Trace,
    /// The clock cycle (from start) on which each record left the core.
    pub retire_clock: Vec<u64>,
    /// The journal bytes.
    pub journal: Vec<u8>,
    /// How it stopped.
    pub stop: CoreStop,
    /// The core's `retired` counter at the end.
    pub retired: u32,
    /// Clock cycles from start to the end of the run (register clear included).
    pub clocks: u64,
    /// Clock cycles spent loading memory before the run.
    pub load_clocks: u64,
    /// Wall-clock time of the simulated run.
    pub wall: Duration,
}

impl CoreRun {
    /// Simulated clock cycles per second of wall-clock time.
    pub fn clocks_per_second(&self) -> f64 {
        self.clocks as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// The single executable segment's `[start, end)`; the core checks one code range.
pub fn code_range(program: &Program) -> Result<(u32, u32), String> {
    let mut code = program.code_segments();
    let first = code.next().ok_or("the program has no executable segment")?;
    if code.next().is_some() {
        return Err("the core supports exactly one executable segment".into());
    }
    Ok((first.vaddr, first.end()))
}

/// Guest memory `[0, CORE_MEM_TOP)` as words, zero where no segment puts bytes.
pub fn memory_image(program: &Program) -> Result<Vec<u32>, String> {
    let mut bytes = vec![0u8; CORE_MEM_TOP as usize];
    for s in &program.segments {
        let start = s.vaddr as usize;
        if s.end() > CORE_MEM_TOP {
            return Err(format!(
                "segment {} [{:#x}, {:#x}) does not fit the core's {CORE_MEM_TOP:#x} bytes",
                s.index,
                s.vaddr,
                s.end()
            ));
        }
        bytes[start..start + s.data.len()].copy_from_slice(&s.data);
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect())
}

fn le32(r: &mut impl Read) -> Result<u32, String> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)
        .map_err(|e| format!("harness output: {e}"))?;
    Ok(u32::from_le_bytes(b))
}

fn le64(r: &mut impl Read) -> Result<u64, String> {
    Ok(le32(r)? as u64 | (le32(r)? as u64) << 32)
}

fn byte(r: &mut impl Read) -> Result<u8, String> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)
        .map_err(|e| format!("harness output: {e}"))?;
    Ok(b[0])
}

/// Runs `program` on the simulated core with `input` as its private input.
pub fn run(program: &Program, input: &[u8], opts: &CoreOptions) -> Result<CoreRun, String> {
    let exe = harness()?;
    let (code_lo, code_hi) = code_range(program)?;
    let image = memory_image(program)?;
    let mut job = Vec::with_capacity(4 * image.len() + input.len() + 64);
    for w in [
        0x4a5a_5652,
        program.entry,
        code_lo,
        code_hi,
        opts.max_cycles,
        image.len() as u32,
    ] {
        job.extend_from_slice(&w.to_le_bytes());
    }
    for w in &image {
        job.extend_from_slice(&w.to_le_bytes());
    }
    job.extend_from_slice(&(input.len() as u32).to_le_bytes());
    job.extend_from_slice(input);
    job.extend_from_slice(&opts.stall_seed.to_le_bytes());
    job.extend_from_slice(&opts.max_clocks.to_le_bytes());

    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("start {}: {e}", exe.display()))?;
    let mut stdin = BufWriter::new(child.stdin.take().unwrap());
    // The harness reads its whole job before writing anything, so this cannot deadlock.
    stdin
        .write_all(&job)
        .and_then(|_| stdin.flush())
        .map_err(|e| format!("writing the job: {e}"))?;
    drop(stdin);
    let mut out = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap());

    let mut trace = Trace::default();
    let mut retire_clock = Vec::new();
    let mut journal = Vec::new();
    let parsed = (|| -> Result<CoreRun, String> {
        loop {
            match byte(&mut out)? {
                b'R' => {
                    let mut rec = [0u8; TRACE_RECORD_BYTES];
                    out.read_exact(&mut rec)
                        .map_err(|e| format!("harness output: {e}"))?;
                    trace.records.push(
                        TraceRecord::from_bytes(&rec).map_err(|e| format!("core record: {e}"))?,
                    );
                    retire_clock.push(le64(&mut out)?);
                }
                b'M' => {
                    let addr = le32(&mut out)?;
                    let rmask = byte(&mut out)?;
                    let wmask = byte(&mut out)?;
                    let rdata = le32(&mut out)?;
                    let wdata = le32(&mut out)?;
                    // An access belongs to the ecall whose record comes next.
                    trace.syscall_mem.push(SyscallMemAccess {
                        record: trace.records.len() as u32,
                        addr,
                        rmask,
                        wmask,
                        rdata,
                        wdata,
                    });
                }
                b'J' => journal.push(byte(&mut out)?),
                b'E' => {
                    let status = byte(&mut out)?;
                    let exit_code = le32(&mut out)?;
                    let code = byte(&mut out)?;
                    let pc = le32(&mut out)?;
                    let retired = le32(&mut out)?;
                    let clocks = le64(&mut out)?;
                    let load_clocks = le64(&mut out)?;
                    let ns = le64(&mut out)?;
                    let stop = match status {
                        1 => CoreStop::Halted(exit_code),
                        2 => CoreStop::Faulted {
                            code: FaultCode::from_port(code)
                                .ok_or(format!("unknown fault code {code}"))?,
                            pc,
                        },
                        _ => CoreStop::ClockLimit,
                    };
                    return Ok(CoreRun {
                        trace: std::mem::take(&mut trace),
                        retire_clock: std::mem::take(&mut retire_clock),
                        journal: std::mem::take(&mut journal),
                        stop,
                        retired,
                        clocks,
                        load_clocks,
                        wall: Duration::from_nanos(ns),
                    });
                }
                t => return Err(format!("harness output: unknown item tag {t:#x}")),
            }
        }
    })();
    let status = child.wait_with_output().map_err(|e| e.to_string())?;
    match parsed {
        Ok(run) if status.status.success() => Ok(run),
        Ok(_) | Err(_) => Err(format!(
            "core harness failed ({}): {}{}",
            status.status,
            parsed.err().unwrap_or_default(),
            String::from_utf8_lossy(&status.stderr)
        )),
    }
}

/// Whether the core's fault code names the executor's fault.
pub fn same_fault(code: FaultCode, fault: &Fault) -> bool {
    matches!(
        (code, fault),
        (
            FaultCode::IllegalInstruction,
            Fault::IllegalInstruction { .. }
        ) | (FaultCode::Ebreak, Fault::Ebreak)
            | (FaultCode::FetchOutsideCode, Fault::FetchOutsideCode)
            | (FaultCode::MisalignedLoad, Fault::MisalignedLoad { .. })
            | (FaultCode::MisalignedStore, Fault::MisalignedStore { .. })
            | (FaultCode::MisalignedJump, Fault::MisalignedJump { .. })
            | (FaultCode::LoadOutOfRange, Fault::LoadOutOfRange { .. })
            | (FaultCode::StoreOutOfRange, Fault::StoreOutOfRange { .. })
            | (FaultCode::StoreToCode, Fault::StoreToCode { .. })
            | (FaultCode::UnknownSyscall, Fault::UnknownSyscall { .. })
            | (FaultCode::SyscallBuffer, Fault::SyscallBuffer { .. })
            | (FaultCode::CycleLimit, Fault::CycleLimit { .. })
    )
}

fn show(r: &TraceRecord) -> String {
    format!(
        "pc {:#010x} insn {:#010x} rs1 x{}={:#x} rs2 x{}={:#x} rd x{}={:#x} mem {:#x} r{:04b} w{:04b} {:#x}->{:#x} next {:#x}",
        r.pc, r.insn, r.rs1_addr, r.rs1_rdata, r.rs2_addr, r.rs2_rdata, r.rd_addr, r.rd_wdata,
        r.mem_addr, r.mem_rmask, r.mem_wmask, r.mem_rdata, r.mem_wdata, r.next_pc
    )
}

/// Explains the first difference between two record lists, if any.
pub fn first_record_difference(core: &[TraceRecord], exec: &[TraceRecord]) -> Option<String> {
    let i = core.iter().zip(exec).position(|(a, b)| a != b);
    let i = match i {
        Some(i) => i,
        None if core.len() == exec.len() => return None,
        None => core.len().min(exec.len()),
    };
    let mut s = format!(
        "records differ at index {i} (core has {}, executor {})\n",
        core.len(),
        exec.len()
    );
    if i > 0 {
        let _ = writeln!(s, "  previous:  {}", show(&exec[i - 1]));
    }
    if let Some(r) = core.get(i) {
        let _ = writeln!(s, "  core:      {}", show(r));
    }
    if let Some(r) = exec.get(i) {
        let _ = writeln!(s, "  executor:  {}", show(r));
    }
    Some(s)
}

/// Runs `program` on the executor (MEM_TOP = [`CORE_MEM_TOP`]) and on the core, and returns
/// the core run if both agree exactly; otherwise an explanation of the first difference.
pub fn check_against_executor(
    program: &Program,
    input: &[u8],
    opts: &CoreOptions,
) -> Result<CoreRun, String> {
    let exec_opts = RunOptions {
        max_cycles: opts.max_cycles as u64,
        mem_top: CORE_MEM_TOP,
    };
    let expected = run_traced(program, input, &exec_opts);
    let core = run(program, input, opts)?;
    match (&expected, &core.stop) {
        (Ok((outcome, trace)), CoreStop::Halted(code)) => {
            if let Some(d) = first_record_difference(&core.trace.records, &trace.records) {
                return Err(d);
            }
            if core.trace.syscall_mem != trace.syscall_mem {
                let i = core
                    .trace
                    .syscall_mem
                    .iter()
                    .zip(&trace.syscall_mem)
                    .position(|(a, b)| a != b)
                    .unwrap_or(core.trace.syscall_mem.len().min(trace.syscall_mem.len()));
                return Err(format!(
                    "syscall memory accesses differ at {i}: core {:?}, executor {:?}",
                    core.trace.syscall_mem.get(i),
                    trace.syscall_mem.get(i)
                ));
            }
            if *code != outcome.exit_code {
                return Err(format!(
                    "exit code: core {code}, executor {}",
                    outcome.exit_code
                ));
            }
            if core.journal != outcome.journal {
                return Err(format!(
                    "journal: core {:02x?}, executor {:02x?}",
                    core.journal, outcome.journal
                ));
            }
            if core.retired as u64 != outcome.cycles {
                return Err(format!(
                    "retired: core {}, executor {}",
                    core.retired, outcome.cycles
                ));
            }
            Ok(core)
        }
        (Err(ExecError { pc, cycle, fault }), CoreStop::Faulted { code, pc: cpc }) => {
            if !same_fault(*code, fault) || pc != cpc {
                return Err(format!(
                    "fault: core {code:?} at {cpc:#010x}, executor {fault} at {pc:#010x}"
                ));
            }
            if core.retired as u64 != *cycle || core.trace.records.len() as u64 != *cycle {
                return Err(format!(
                    "fault after {} retired ({} records) on the core, {cycle} on the executor",
                    core.retired,
                    core.trace.records.len()
                ));
            }
            Ok(core)
        }
        (e, stop) => Err(format!(
            "outcome: core {stop:?} after {} records; executor {}",
            core.trace.records.len(),
            match e {
                Ok((o, _)) => format!("halted with {} after {} cycles", o.exit_code, o.cycles),
                Err(e) => e.to_string(),
            }
        )),
    }
}

/// Instruction classes for cycle accounting.
pub const CLASSES: [&str; 12] = [
    "alu",
    "lui/auipc",
    "jal",
    "jalr",
    "branch taken",
    "branch not taken",
    "load",
    "store",
    "mul",
    "div",
    "ecall",
    "fence",
];

/// The [`CLASSES`] index of a record.
pub fn class_of(r: &TraceRecord) -> usize {
    use Op::*;
    match decode(r.insn).op {
        Lui | Auipc => 1,
        Jal => 2,
        Jalr => 3,
        Beq | Bne | Blt | Bge | Bltu | Bgeu => {
            if r.next_pc != r.pc.wrapping_add(4) {
                4
            } else {
                5
            }
        }
        Lb | Lh | Lw | Lbu | Lhu => 6,
        Sb | Sh | Sw => 7,
        Mul | Mulh | Mulhsu | Mulhu => 8,
        Div | Divu | Rem | Remu => 9,
        Ecall => 10,
        Fence => 11,
        _ => 0,
    }
}

/// Per-class `(instructions, clock cycles)`. Each record is charged the cycles since the
/// previous record left the core, except after a taken jump or branch, whose refetch
/// bubble is charged to the jump: the instruction after it is charged one cycle.
pub fn cycles_by_class(run: &CoreRun) -> [(u64, u64); CLASSES.len()] {
    let mut out = [(0u64, 0u64); CLASSES.len()];
    let records = &run.trace.records;
    for (i, r) in records.iter().enumerate() {
        let k = class_of(r);
        out[k].0 += 1;
        if i == 0 {
            continue;
        }
        let gap = run.retire_clock[i] - run.retire_clock[i - 1];
        let prev = &records[i - 1];
        if prev.next_pc != prev.pc.wrapping_add(4) && gap > 1 {
            out[class_of(prev)].1 += gap - 1;
            out[k].1 += 1;
        } else {
            out[k].1 += gap;
        }
    }
    out
}
