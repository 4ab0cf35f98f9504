//! The core with its guest memory: the block the Verilator harness and the board top-levels
//! instantiate.

use super::cpu::Core;
use super::ram::{CoreRam, RamStyle};
use rust_hdl::prelude::*;

/// [`Core`] plus a [`CoreRam`] of `2^RA` words. Every port is the core's (see there), minus
/// the RAM port.
#[derive(LogicBlock, Default)]
pub struct CoreSystem<const RA: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Begin a run.
    pub start: Signal<In, Bit>,
    /// ELF entry point.
    pub entry: Signal<In, Bits<32>>,
    /// First byte of the code.
    pub code_lo: Signal<In, Bits<32>>,
    /// One past the last byte of the code.
    pub code_hi: Signal<In, Bits<32>>,
    /// Cycle limit.
    pub max_cycles: Signal<In, Bits<32>>,
    /// Private input length in bytes.
    pub input_len: Signal<In, Bits<32>>,
    /// Loader write enable.
    pub load_we: Signal<In, Bit>,
    /// Loader word address.
    pub load_addr: Signal<In, Bits<RA>>,
    /// Loader word.
    pub load_data: Signal<In, Bits<32>>,
    /// Trace item valid.
    pub trace_valid: Signal<Out, Bit>,
    /// Trace item taken.
    pub trace_ready: Signal<In, Bit>,
    /// Shift the record's trace-only words towards `trace_pc` (see [`Core`]).
    pub trace_shift: Signal<In, Bit>,
    /// 0 record, 1 syscall memory access.
    pub trace_kind: Signal<Out, Bit>,
    /// pc.
    pub trace_pc: Signal<Out, Bits<32>>,
    /// Instruction word.
    pub trace_insn: Signal<Out, Bits<32>>,
    /// rs1 index.
    pub trace_rs1: Signal<Out, Bits<5>>,
    /// rs1 value.
    pub trace_rs1_data: Signal<Out, Bits<32>>,
    /// rs2 index.
    pub trace_rs2: Signal<Out, Bits<5>>,
    /// rs2 value.
    pub trace_rs2_data: Signal<Out, Bits<32>>,
    /// rd index.
    pub trace_rd: Signal<Out, Bits<5>>,
    /// rd value.
    pub trace_rd_data: Signal<Out, Bits<32>>,
    /// Memory word address.
    pub trace_mem_addr: Signal<Out, Bits<32>>,
    /// Lanes read.
    pub trace_mem_rmask: Signal<Out, Bits<4>>,
    /// Lanes written.
    pub trace_mem_wmask: Signal<Out, Bits<4>>,
    /// Word before.
    pub trace_mem_rdata: Signal<Out, Bits<32>>,
    /// Word after.
    pub trace_mem_wdata: Signal<Out, Bits<32>>,
    /// Next pc.
    pub trace_next_pc: Signal<Out, Bits<32>>,
    /// Journal byte valid.
    pub journal_valid: Signal<Out, Bit>,
    /// Journal byte.
    pub journal_data: Signal<Out, Bits<8>>,
    /// Journal byte taken.
    pub journal_ready: Signal<In, Bit>,
    /// Input byte valid.
    pub input_valid: Signal<In, Bit>,
    /// Input byte.
    pub input_data: Signal<In, Bits<8>>,
    /// Input byte taken.
    pub input_ready: Signal<Out, Bit>,
    /// Clearing or executing.
    pub running: Signal<Out, Bit>,
    /// Halted.
    pub halted: Signal<Out, Bit>,
    /// Faulted.
    pub faulted: Signal<Out, Bit>,
    /// Stopped and drained.
    pub done: Signal<Out, Bit>,
    /// Exit code.
    pub exit_code: Signal<Out, Bits<32>>,
    /// Fault code.
    pub fault_code: Signal<Out, Bits<4>>,
    /// Fault pc.
    pub fault_pc: Signal<Out, Bits<32>>,
    /// Instructions retired.
    pub retired: Signal<Out, Bits<32>>,
    core: Core<RA>,
    ram: CoreRam<RA>,
}

impl<const RA: usize> CoreSystem<RA> {
    /// The core with its memory written in Verilog as `style` says.
    pub fn new(style: RamStyle) -> Self {
        Self::with_divider(style, false)
    }

    /// The same, as the compact (UP5K) build when `serial_divider`: the serial divider (see
    /// [`super::Divider`]) and the rest of [`super::Core::new`]'s compact units.
    pub fn with_divider(style: RamStyle, serial_divider: bool) -> Self {
        Self {
            ram: CoreRam::new(style),
            core: Core::new(serial_divider, style.read_latency()),
            ..Self::default()
        }
    }
}

impl<const RA: usize> Logic for CoreSystem<RA> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, core, ram);
        self.ram.enable.next = self.core.mem_enable.val();
        self.ram.write.next = self.core.mem_write.val();
        self.ram.addr.next = self.core.mem_addr.val();
        self.ram.wdata.next = self.core.mem_wdata.val();
        self.core.mem_rdata.next = self.ram.rdata.val();
        self.core.start.next = self.start.val();
        self.core.entry.next = self.entry.val();
        self.core.code_lo.next = self.code_lo.val();
        self.core.code_hi.next = self.code_hi.val();
        self.core.max_cycles.next = self.max_cycles.val();
        self.core.input_len.next = self.input_len.val();
        self.core.load_we.next = self.load_we.val();
        self.core.load_addr.next = self.load_addr.val();
        self.core.load_data.next = self.load_data.val();
        self.core.trace_ready.next = self.trace_ready.val();
        self.core.trace_shift.next = self.trace_shift.val();
        self.core.journal_ready.next = self.journal_ready.val();
        self.core.input_valid.next = self.input_valid.val();
        self.core.input_data.next = self.input_data.val();
        self.trace_valid.next = self.core.trace_valid.val();
        self.trace_kind.next = self.core.trace_kind.val();
        self.trace_pc.next = self.core.trace_pc.val();
        self.trace_insn.next = self.core.trace_insn.val();
        self.trace_rs1.next = self.core.trace_rs1.val();
        self.trace_rs1_data.next = self.core.trace_rs1_data.val();
        self.trace_rs2.next = self.core.trace_rs2.val();
        self.trace_rs2_data.next = self.core.trace_rs2_data.val();
        self.trace_rd.next = self.core.trace_rd.val();
        self.trace_rd_data.next = self.core.trace_rd_data.val();
        self.trace_mem_addr.next = self.core.trace_mem_addr.val();
        self.trace_mem_rmask.next = self.core.trace_mem_rmask.val();
        self.trace_mem_wmask.next = self.core.trace_mem_wmask.val();
        self.trace_mem_rdata.next = self.core.trace_mem_rdata.val();
        self.trace_mem_wdata.next = self.core.trace_mem_wdata.val();
        self.trace_next_pc.next = self.core.trace_next_pc.val();
        self.journal_valid.next = self.core.journal_valid.val();
        self.journal_data.next = self.core.journal_data.val();
        self.input_ready.next = self.core.input_ready.val();
        self.running.next = self.core.running.val();
        self.halted.next = self.core.halted.val();
        self.faulted.next = self.core.faulted.val();
        self.done.next = self.core.done.val();
        self.exit_code.next = self.core.exit_code.val();
        self.fault_code.next = self.core.fault_code.val();
        self.fault_pc.next = self.core.fault_pc.val();
        self.retired.next = self.core.retired.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvzk_zkvm::elf::{Program, Segment};
    use rvzk_zkvm::rv32im::{ins, run_traced, Op, RunOptions, TraceRecord};

    /// A program that meets every hazard once: load-use, store then load of the same word,
    /// forwarding from write-back, shifts (one using the result of the one before), MUL
    /// and DIV, a taken branch and a JAL, a byte store and
    /// load, COMMIT (journal and syscall memory access) and HALT.
    fn program() -> Program {
        use Op::*;
        let code = [
            ins(Lui, 1, 0, 0, 0x2000),
            ins(Addi, 2, 0, 0, 5),
            ins(Sw, 0, 1, 2, 0),
            ins(Lw, 3, 1, 0, 0),
            ins(Add, 4, 3, 3, 0),
            ins(Sub, 13, 0, 4, 0),
            ins(Srai, 12, 13, 0, 7),
            ins(Sll, 14, 13, 2, 0),
            ins(Srl, 15, 13, 2, 0),
            ins(Slli, 12, 12, 0, 0),
            ins(Mul, 5, 4, 2, 0),
            ins(Div, 6, 5, 2, 0),
            ins(Beq, 0, 6, 4, 8),
            ins(Addi, 7, 0, 0, 1),
            ins(Jal, 8, 0, 0, 8),
            ins(Addi, 7, 0, 0, 2),
            ins(Sb, 0, 1, 4, 1),
            ins(Lbu, 9, 1, 0, 1),
            ins(Addi, 5, 0, 0, 2),
            ins(Addi, 10, 1, 0, 0),
            ins(Addi, 11, 0, 0, 3),
            ins(Ecall, 0, 0, 0, 0),
            ins(Addi, 5, 0, 0, 0),
            ins(Addi, 10, 9, 0, 0),
            ins(Ecall, 0, 0, 0, 0),
        ];
        let data = Segment {
            index: 0,
            vaddr: 0x2000,
            memsz: 0x1000,
            data: vec![0x11, 0x22, 0x33, 0x44],
            executable: false,
            writable: true,
        };
        Program::from_words(0x1000, &code, vec![data])
    }

    #[test]
    fn runs_a_program_like_the_executor() {
        check(RamStyle::Inferred);
    }

    #[test]
    fn runs_a_program_like_the_executor_compact() {
        check_with(RamStyle::Inferred, true);
    }

    #[test]
    fn runs_a_program_like_the_executor_on_a_late_ram() {
        check(RamStyle::Registered);
    }

    #[test]
    fn runs_a_program_like_the_executor_on_a_pipelined_ram() {
        check(RamStyle::Pipelined);
    }

    fn check(style: RamStyle) {
        check_with(style, false);
    }

    /// `compact`: the UP5K's core (serial divider and shifter, two-cycle branches).
    fn check_with(style: RamStyle, compact: bool) {
        let program = program();
        let opts = RunOptions {
            max_cycles: 1000,
            mem_top: 0x4000,
        };
        let (outcome, trace) = run_traced(&program, b"", &opts).unwrap();
        let mut image = vec![0u32; 0x1000];
        for s in &program.segments {
            for (i, b) in s.data.iter().enumerate() {
                let a = s.vaddr as usize + i;
                image[a / 4] |= (*b as u32) << (8 * (a % 4));
            }
        }
        let code_hi = program.segments[0].end();
        let mut uut = CoreSystem::<12>::with_divider(style, compact);
        uut.connect_all();
        let mut sim = simple_sim!(CoreSystem<12>, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for (i, w) in image.iter().enumerate() {
                if *w != 0 {
                    x.load_we.next = true;
                    x.load_addr.next = (i as u64).into();
                    x.load_data.next = (*w as u64).into();
                    wait_clock_cycle!(ep, clock, x);
                }
            }
            x.load_we.next = false;
            x.entry.next = 0x1000.into();
            x.code_lo.next = 0x1000.into();
            x.code_hi.next = (code_hi as u64).into();
            x.max_cycles.next = 1000.into();
            x.trace_ready.next = true;
            x.journal_ready.next = true;
            x.start.next = true;
            wait_clock_cycle!(ep, clock, x);
            x.start.next = false;
            let mut records = vec![];
            let mut accesses = 0;
            let mut journal = vec![];
            for _ in 0..400 {
                if x.done.val() {
                    break;
                }
                if x.trace_valid.val() {
                    if x.trace_kind.val() {
                        accesses += 1;
                    } else {
                        records.push(TraceRecord {
                            pc: x.trace_pc.val().to_u32(),
                            insn: x.trace_insn.val().to_u32(),
                            rs1_addr: x.trace_rs1.val().to_u8(),
                            rs1_rdata: x.trace_rs1_data.val().to_u32(),
                            rs2_addr: x.trace_rs2.val().to_u8(),
                            rs2_rdata: x.trace_rs2_data.val().to_u32(),
                            rd_addr: x.trace_rd.val().to_u8(),
                            rd_wdata: x.trace_rd_data.val().to_u32(),
                            mem_addr: x.trace_mem_addr.val().to_u32(),
                            mem_rmask: x.trace_mem_rmask.val().to_u8(),
                            mem_wmask: x.trace_mem_wmask.val().to_u8(),
                            mem_rdata: x.trace_mem_rdata.val().to_u32(),
                            mem_wdata: x.trace_mem_wdata.val().to_u32(),
                            next_pc: x.trace_next_pc.val().to_u32(),
                        });
                    }
                }
                if x.journal_valid.val() {
                    journal.push(x.journal_data.val().to_u8());
                }
                wait_clock_cycle!(ep, clock, x);
            }
            sim_assert!(ep, x.done.val() && x.halted.val(), x);
            sim_assert_eq!(ep, x.exit_code.val().to_u32(), outcome.exit_code, x);
            sim_assert_eq!(ep, journal, outcome.journal, x);
            sim_assert_eq!(ep, accesses, trace.syscall_mem.len(), x);
            for (got, want) in records.iter().zip(&trace.records) {
                sim_assert_eq!(ep, got, want, x);
            }
            sim_assert_eq!(ep, records.len(), trace.records.len(), x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000_000).unwrap();
    }
}
