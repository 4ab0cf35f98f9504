//! The core with its guest memory: the block the Verilator harness and the board top-levels
//! instantiate.

use super::cpu::Core;
use super::ram::CoreRam;
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
    /// Fault detail.
    pub fault_info: Signal<Out, Bits<32>>,
    /// Instructions retired.
    pub retired: Signal<Out, Bits<32>>,
    core: Core<RA>,
    ram: CoreRam<RA>,
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
        self.fault_info.next = self.core.fault_info.val();
        self.retired.next = self.core.retired.val();
    }
}
