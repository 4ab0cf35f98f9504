//! The RV32IM pipeline: fetch, decode, execute, write-back; the syscall engine; the trace,
//! journal and input streams. `docs/rtl-core.md` describes it; this file is the reference.

use super::alu::Alu;
use super::branch::BranchUnit;
use super::decode::Decoder;
use super::div::Divider;
use super::lsu::{LoadStoreUnit, MEM_BASE};
use super::mul::Multiplier;
use super::regfile::RegFile;
use rust_hdl::prelude::*;

/// The core's run state.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum CoreState {
    /// Not started: the loader owns memory.
    Idle,
    /// Zeroing the register file (32 cycles) before the first instruction.
    Clear,
    /// Executing.
    Run,
    /// The guest halted (`exit_code`).
    Halted,
    /// The guest faulted (`fault_code`, `fault_pc`).
    Faulted,
}

/// Steps of the syscall engine, which runs an `ecall` while it sits in execute.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum SysState {
    /// Read the syscall number (t0) and a0; the register file reads a1.
    Decode,
    /// Take a1: the byte count (for READ, at most the input left).
    Length,
    /// Check the buffer against guest memory (and, for READ, the code).
    Check,
    /// Read the next word of the buffer.
    Read,
    /// Capture the word read.
    Latch,
    /// Move the word's covered bytes (from the input stream, or to the journal).
    Lanes,
    /// READ: write the word back.
    Write,
    /// Emit the word's syscall memory access to the trace.
    Emit,
    /// Finished: the `ecall` retires.
    Done,
    /// Between Read and Latch with a RAM whose read latency is two: the word is on its way.
    /// (Last, so that the other states keep their encoding where it is unreachable.)
    Wait,
    /// After Wait with a RAM whose read latency is three.
    Wait2,
}

/// The RV32IM trace-capture core, without its memory (see [`super::CoreSystem`]).
///
/// Guest memory is a single-port RAM of `2^RA` words (`MEM_TOP = 4·2^RA`), on the `mem_*`
/// port. Configuration (`entry`, `code_lo`, `code_hi`, `max_cycles`, `input_len`) must be
/// stable from `start` until the run ends; `input_len` is sampled at `start`.
#[derive(LogicBlock)]
pub struct Core<const RA: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Begin a run (honoured when not running): clear registers, start at `entry`.
    pub start: Signal<In, Bit>,
    /// ELF entry point.
    pub entry: Signal<In, Bits<32>>,
    /// First byte of the executable segment.
    pub code_lo: Signal<In, Bits<32>>,
    /// One past its last byte.
    pub code_hi: Signal<In, Bits<32>>,
    /// Fault with a cycle-limit error when this many instructions have retired.
    pub max_cycles: Signal<In, Bits<32>>,
    /// Private input length in bytes (what READ may return in total).
    pub input_len: Signal<In, Bits<32>>,
    /// Loader: write `load_data` at word `load_addr` (honoured when not running).
    pub load_we: Signal<In, Bit>,
    /// Loader word address.
    pub load_addr: Signal<In, Bits<RA>>,
    /// Loader word.
    pub load_data: Signal<In, Bits<32>>,
    /// RAM port: access this cycle.
    pub mem_enable: Signal<Out, Bit>,
    /// RAM port: the access is a write.
    pub mem_write: Signal<Out, Bit>,
    /// RAM port: word address.
    pub mem_addr: Signal<Out, Bits<RA>>,
    /// RAM port: word to write.
    pub mem_wdata: Signal<Out, Bits<32>>,
    /// RAM port: the word read by the last read.
    pub mem_rdata: Signal<In, Bits<32>>,
    /// Trace stream: an item is on the `trace_*` outputs.
    pub trace_valid: Signal<Out, Bit>,
    /// Trace stream: the consumer takes the item this cycle.
    pub trace_ready: Signal<In, Bit>,
    /// Trace stream: move a record's trace-only words one place towards `trace_pc`
    /// (`trace_pc` takes `trace_insn`'s value, `trace_insn` `trace_rs1_data`'s,
    /// `trace_rs1_data` `trace_next_pc`'s). A consumer that takes the record a word at a
    /// time reads pc, insn, rs1's value and next pc all from `trace_pc`, shifting after
    /// each of the first three, so that it chooses among six words, not nine (the board's
    /// trace filler). Hold it low to read every field in place.
    pub trace_shift: Signal<In, Bit>,
    /// 0: an instruction record; 1: a syscall memory access (only the `trace_mem_*` fields).
    pub trace_kind: Signal<Out, Bit>,
    /// Record: pc.
    pub trace_pc: Signal<Out, Bits<32>>,
    /// Record: instruction word.
    pub trace_insn: Signal<Out, Bits<32>>,
    /// Record: rs1 index.
    pub trace_rs1: Signal<Out, Bits<5>>,
    /// Record: rs1 value.
    pub trace_rs1_data: Signal<Out, Bits<32>>,
    /// Record: rs2 index.
    pub trace_rs2: Signal<Out, Bits<5>>,
    /// Record: rs2 value.
    pub trace_rs2_data: Signal<Out, Bits<32>>,
    /// Record: rd index (0: no write).
    pub trace_rd: Signal<Out, Bits<5>>,
    /// Record: value written to rd.
    pub trace_rd_data: Signal<Out, Bits<32>>,
    /// Record / access: word address.
    pub trace_mem_addr: Signal<Out, Bits<32>>,
    /// Record / access: lanes read.
    pub trace_mem_rmask: Signal<Out, Bits<4>>,
    /// Record / access: lanes written.
    pub trace_mem_wmask: Signal<Out, Bits<4>>,
    /// Record / access: the whole word before.
    pub trace_mem_rdata: Signal<Out, Bits<32>>,
    /// Record / access: the whole word after.
    pub trace_mem_wdata: Signal<Out, Bits<32>>,
    /// Record: next pc.
    pub trace_next_pc: Signal<Out, Bits<32>>,
    /// Journal stream: a byte is on `journal_data`.
    pub journal_valid: Signal<Out, Bit>,
    /// Journal byte.
    pub journal_data: Signal<Out, Bits<8>>,
    /// Journal stream: the consumer takes the byte this cycle.
    pub journal_ready: Signal<In, Bit>,
    /// Input stream: a byte is on `input_data`.
    pub input_valid: Signal<In, Bit>,
    /// Input byte.
    pub input_data: Signal<In, Bits<8>>,
    /// Input stream: the core takes the byte this cycle.
    pub input_ready: Signal<Out, Bit>,
    /// Clearing registers or executing.
    pub running: Signal<Out, Bit>,
    /// Stopped by HALT.
    pub halted: Signal<Out, Bit>,
    /// Stopped by a fault.
    pub faulted: Signal<Out, Bit>,
    /// Stopped, and the last trace item and journal byte have left their ports.
    pub done: Signal<Out, Bit>,
    /// HALT's exit code.
    pub exit_code: Signal<Out, Bits<32>>,
    /// Fault code (see [`super::FaultCode`]); 0 while none.
    pub fault_code: Signal<Out, Bits<4>>,
    /// pc of the faulting instruction (the next one to run, for the cycle limit).
    pub fault_pc: Signal<Out, Bits<32>>,
    /// Instructions retired so far.
    pub retired: Signal<Out, Bits<32>>,

    decoder: Decoder,
    alu: Alu,
    branch: BranchUnit,
    lsu: LoadStoreUnit,
    mul: Multiplier,
    div: Divider,
    regs: RegFile,
    mem_top: Constant<Bits<32>>,
    below_base: Constant<Bits<32>>,
    above_top: Constant<Bits<32>>,
    low_bits: Constant<Bits<32>>,
    bound_bits: Constant<Bits<32>>,

    // run control and architectural bookkeeping
    state: DFF<CoreState>,
    clear_index: DFF<Bits<5>>,
    halting: DFF<Bit>,
    /// Instructions that left execute this run (the cycle limit is reached when it equals
    /// max_cycles).
    count: DFF<Bits<32>>,
    at_limit: Signal<Local, Bit>,
    input_left: DFF<Bits<32>>,
    /// The bits input_left may use: all, or in the compact build those below 2·MEM_TOP
    /// (`input_len` must be below that; the board's input buffer is at most MEM_TOP).
    input_mask: Constant<Bits<32>>,
    input_more: Signal<Local, Bit>,
    fault: DFF<Bits<4>>,
    fault_at: DFF<Bits<32>>,
    // fetch and decode
    pc_f: DFF<Bits<32>>,
    kill: DFF<Bit>,
    d_valid: DFF<Bit>,
    d_fresh: DFF<Bit>,
    d_pc: DFF<Bits<32>>,
    d_hold: DFF<Bits<32>>,
    // the second fetch stage (a RAM with a read latency of two only)
    late_ram: Constant<Bit>,
    f2_valid: DFF<Bit>,
    f2_new: DFF<Bit>,
    f2_arrived: DFF<Bit>,
    f2_pc: DFF<Bits<32>>,
    f2_hold: DFF<Bits<32>>,
    // the first fetch stage, before F2 (a RAM with a read latency of three only): a fetch's
    // word lands two cycles after it enters (f1_new), next cycle (f1_due), now (f1_arrived)
    later_ram: Constant<Bit>,
    f1_valid: DFF<Bit>,
    f1_new: DFF<Bit>,
    f1_due: DFF<Bit>,
    f1_arrived: DFF<Bit>,
    f1_pc: DFF<Bits<32>>,
    f1_hold: DFF<Bits<32>>,
    // execute
    e_valid: DFF<Bit>,
    e_fresh: DFF<Bit>,
    e_predicted: DFF<Bit>,
    e_step: DFF<Bit>,
    e_took: DFF<Bit>,
    e_fwd1: DFF<Bit>,
    e_fwd2: DFF<Bit>,
    e_outside: DFF<Bit>,
    e_partial: DFF<Bit>,
    e_pc: DFF<Bits<32>>,
    e_insn: DFF<Bits<32>>,
    e_imm: DFF<Bits<32>>,
    e_rs1: DFF<Bits<5>>,
    e_rs2: DFF<Bits<5>>,
    e_rd: DFF<Bits<5>>,
    e_funct3: DFF<Bits<3>>,
    e_alu_op: DFF<Bits<4>>,
    e_is_alu: DFF<Bit>,
    e_alu_imm: DFF<Bit>,
    e_is_lui: DFF<Bit>,
    e_is_auipc: DFF<Bit>,
    e_is_jal: DFF<Bit>,
    e_is_jalr: DFF<Bit>,
    e_is_branch: DFF<Bit>,
    e_is_load: DFF<Bit>,
    e_is_store: DFF<Bit>,
    e_is_mul: DFF<Bit>,
    e_is_div: DFF<Bit>,
    e_is_fence: DFF<Bit>,
    e_is_ecall: DFF<Bit>,
    e_is_ebreak: DFF<Bit>,
    e_is_illegal: DFF<Bit>,
    e_hold1: DFF<Bits<32>>,
    e_hold2: DFF<Bits<32>>,
    // The compact build (the UP5K's): the read-first register file's read for the
    // instruction entering execute misses write-back's write on the same edge (e_stale*:
    // the held operand took that value instead); the fault pc read from execute's pc.
    compact: Constant<Bit>,
    e_stale1: DFF<Bit>,
    e_stale2: DFF<Bit>,
    // The compact build's shifter (its ALU has none): the word being shifted a bit per
    // cycle and the shifts left to do.
    sh_word: DFF<Bits<32>>,
    sh_left: DFF<Bits<5>>,
    // The full build: execute's operand is the register file's read (e_ram*) or the held
    // operand, which took write-back's value, or the value forwarded from execute, on the
    // edge the instruction entered: one multiplexer with a registered select.
    e_ram1: DFF<Bit>,
    e_ram2: DFF<Bit>,
    // syscall engine
    sys: DFF<SysState>,
    sys_kind: DFF<Bits<2>>,
    sys_halt: DFF<Bit>,
    // a0 and a1 on the low address bits (all of a1's in the full build: READ returns it),
    // with flags for what the rest says
    sys_start: DFF<Bits<32>>,
    sys_start_out: DFF<Bit>,
    sys_len: DFF<Bits<32>>,
    sys_len_high: DFF<Bit>,
    sys_len_next: Signal<Local, Bits<32>>,
    sys_end: DFF<Bits<32>>,
    sys_cur: DFF<Bits<32>>,
    sys_lane: DFF<Bits<2>>,
    sys_mask: DFF<Bits<4>>,
    sys_word: DFF<Bits<32>>,
    // write-back
    w_valid: DFF<Bit>,
    w_wait: DFF<Bit>,
    /// A read latency of three: w_wait lasts a second cycle.
    w_wait2: DFF<Bit>,
    w_pc: DFF<Bits<32>>,
    w_insn: DFF<Bits<32>>,
    w_rs1: DFF<Bits<5>>,
    w_rs1v: DFF<Bits<32>>,
    w_rs2: DFF<Bits<5>>,
    w_rs2v: DFF<Bits<32>>,
    w_rd: DFF<Bits<5>>,
    w_val: DFF<Bits<32>>,
    w_is_load: DFF<Bit>,
    w_load_rd: DFF<Bit>,
    w_is_mul: DFF<Bit>,
    w_is_store: DFF<Bit>,
    w_is_halt: DFF<Bit>,
    w_funct3: DFF<Bits<3>>,
    /// With a late RAM: the access in write-back faults (its code, nonzero); the fault is
    /// taken there, when its word has landed, instead of in execute.
    w_mfault: DFF<Bit>,
    w_mcode: DFF<Bits<4>>,
    w_addr: DFF<Bits<32>>,
    w_next_pc: DFF<Bits<32>>,
    // journal output register
    jr_valid: DFF<Bit>,
    jr_data: DFF<Bits<8>>,

    // combinational
    run: Signal<Local, Bit>,
    w_result: Signal<Local, Bits<32>>,
    w_fire: Signal<Local, Bit>,
    freeze: Signal<Local, Bit>,
    port_w: Signal<Local, Bit>,
    raw1: Signal<Local, Bits<32>>,
    raw2: Signal<Local, Bits<32>>,
    fwd1: Signal<Local, Bit>,
    fwd2: Signal<Local, Bit>,
    fwd_next1: Signal<Local, Bit>,
    fwd_next2: Signal<Local, Bit>,
    op1: Signal<Local, Bits<32>>,
    op2: Signal<Local, Bits<32>>,
    hold1: Signal<Local, Bits<32>>,
    hold2: Signal<Local, Bits<32>>,
    blocked: Signal<Local, Bit>,
    live: Signal<Local, Bit>,
    pc_imm: Signal<Local, Bits<32>>,
    pc4: Signal<Local, Bits<32>>,
    target: Signal<Local, Bits<32>>,
    jumps: Signal<Local, Bit>,
    next_pc: Signal<Local, Bits<32>>,
    result: Signal<Local, Bits<32>>,
    other: Signal<Local, Bits<32>>,
    sh_op: Signal<Local, Bit>,
    sh_wait: Signal<Local, Bit>,
    sh_next: Signal<Local, Bits<32>>,
    e_taken: Signal<Local, Bit>,
    e_fault: Signal<Local, Bit>,
    e_fault_code: Signal<Local, Bits<4>>,
    simple: Signal<Local, Bit>,
    mem_read: Signal<Local, Bit>,
    go: Signal<Local, Bit>,
    go_opt: Signal<Local, Bit>,
    static_fault: Signal<Local, Bit>,
    mem_fault: Signal<Local, Bit>,
    mem_code: Signal<Local, Bits<4>>,
    w_fault: Signal<Local, Bit>,
    go_ctl: Signal<Local, Bit>,
    go_front: Signal<Local, Bit>,
    sys_fault: Signal<Local, Bit>,
    sys_fault_code: Signal<Local, Bits<4>>,
    sys_read: Signal<Local, Bit>,
    sys_write: Signal<Local, Bit>,
    sys_sum: Signal<Local, Bits<32>>,
    sys_bad: Signal<Local, Bit>,
    sys_emit: Signal<Local, Bit>,
    sys_byte_addr: Signal<Local, Bits<32>>,
    sys_active: Signal<Local, Bit>,
    sys_shift: Signal<Local, Bits<32>>,
    sys_byte: Signal<Local, Bits<8>>,
    sys_advance: Signal<Local, Bit>,
    redirect: Signal<Local, Bit>,
    rd_next: Signal<Local, Bits<5>>,
    d_ok: Signal<Local, Bit>,
    e_ok: Signal<Local, Bit>,
    jump_wait: Signal<Local, Bit>,
    jump_fault: Signal<Local, Bit>,
    redirect_to: Signal<Local, Bits<32>>,
    d_insn: Signal<Local, Bits<32>>,
    f2_ok: Signal<Local, Bit>,
    f2_move: Signal<Local, Bit>,
    f2_word: Signal<Local, Bits<32>>,
    f2_load: Signal<Local, Bit>,
    f1_ok: Signal<Local, Bit>,
    f1_move: Signal<Local, Bit>,
    f1_word: Signal<Local, Bits<32>>,
    d_adv: Signal<Local, Bit>,
    d_adv_front: Signal<Local, Bit>,
    d_target: Signal<Local, Bits<32>>,
    d_sign: Signal<Local, Bits<32>>,
    d_imm_b: Signal<Local, Bits<32>>,
    d_imm_j: Signal<Local, Bits<32>>,
    d_imm: Signal<Local, Bits<32>>,
    d_pc_low: Signal<Local, Bits<32>>,
    d_outside: Signal<Local, Bit>,
    d_partial: Signal<Local, Bit>,
    d_taken: Signal<Local, Bit>,
    ecall_in_e: Signal<Local, Bit>,
    front_ok: Signal<Local, Bit>,
    fetch: Signal<Local, Bit>,
    fetch_addr: Signal<Local, Bits<32>>,
    loader: Signal<Local, Bit>,
}

impl<const RA: usize> Core<RA> {
    /// The core with the fast divider and multiplier, or when `serial_divider` the UP5K's
    /// compact ones: the serial divider (about 500 LUT4 smaller, 34–35 cycles per division
    /// instead of 2–17), the compact multiplier (about 100 LUT4 smaller, same timing in
    /// cycles; see [`Multiplier`]), execute's operands through two multiplexers (the full
    /// build's one, with registered selects, takes more registers and LUTs),
    /// `input_len` below 2·MEM_TOP, a serial shifter instead of the ALU's (n + 2 cycles
    /// for a shift by n), two-cycle branches and no redirect in decode; both use the
    /// read-first register file ([`RegFile::read_first`]); for a RAM whose word reaches `mem_rdata` one clock
    /// edge after the read (`read_latency` 1), two (a registered block RAM: one more fetch
    /// stage, a load or store waits a cycle in write-back) or three (the ULX3S's block RAM
    /// registered on both sides: two more fetch stages, two cycles' wait).
    pub fn new(serial_divider: bool, read_latency: usize) -> Self {
        assert!((1..=3).contains(&read_latency), "read latency 1, 2 or 3");
        Self {
            div: Divider::new(serial_divider),
            alu: if serial_divider {
                Alu::without_shifter()
            } else {
                Alu::default()
            },
            lsu: if serial_divider {
                LoadStoreUnit::new(4 << RA).repeating_stores()
            } else {
                LoadStoreUnit::new(4 << RA)
            },
            mul: Multiplier::new(serial_divider),
            regs: RegFile::read_first(),
            compact: Constant::new(serial_divider),
            input_mask: Constant::new(
                if serial_divider {
                    (8u64 << RA) - 1
                } else {
                    0xffff_ffff
                }
                .into(),
            ),
            late_ram: Constant::new(read_latency >= 2),
            later_ram: Constant::new(read_latency == 3),
            ..Self::default()
        }
    }
}

impl<const RA: usize> Default for Core<RA> {
    fn default() -> Self {
        let mem_top = 4u64 << RA;
        Self {
            clock: Default::default(),
            start: Default::default(),
            entry: Default::default(),
            code_lo: Default::default(),
            code_hi: Default::default(),
            max_cycles: Default::default(),
            input_len: Default::default(),
            load_we: Default::default(),
            load_addr: Default::default(),
            load_data: Default::default(),
            mem_enable: Default::default(),
            mem_write: Default::default(),
            mem_addr: Default::default(),
            mem_wdata: Default::default(),
            mem_rdata: Default::default(),
            trace_valid: Default::default(),
            trace_ready: Default::default(),
            trace_shift: Default::default(),
            trace_kind: Default::default(),
            trace_pc: Default::default(),
            trace_insn: Default::default(),
            trace_rs1: Default::default(),
            trace_rs1_data: Default::default(),
            trace_rs2: Default::default(),
            trace_rs2_data: Default::default(),
            trace_rd: Default::default(),
            trace_rd_data: Default::default(),
            trace_mem_addr: Default::default(),
            trace_mem_rmask: Default::default(),
            trace_mem_wmask: Default::default(),
            trace_mem_rdata: Default::default(),
            trace_mem_wdata: Default::default(),
            trace_next_pc: Default::default(),
            journal_valid: Default::default(),
            journal_data: Default::default(),
            journal_ready: Default::default(),
            input_valid: Default::default(),
            input_data: Default::default(),
            input_ready: Default::default(),
            running: Default::default(),
            halted: Default::default(),
            faulted: Default::default(),
            done: Default::default(),
            exit_code: Default::default(),
            fault_code: Default::default(),
            fault_pc: Default::default(),
            retired: Default::default(),
            decoder: Default::default(),
            alu: Default::default(),
            branch: Default::default(),
            lsu: LoadStoreUnit::new(mem_top as u32),
            mul: Default::default(),
            div: Default::default(),
            regs: Default::default(),
            mem_top: Constant::new(mem_top.into()),
            below_base: Constant::new((!(MEM_BASE - 1) & 0xffff_ffff).into()),
            above_top: Constant::new((!(mem_top - 1) & 0xffff_ffff).into()),
            low_bits: Constant::new((mem_top - 1).into()),
            bound_bits: Constant::new((2 * mem_top - 1).into()),
            state: Default::default(),
            clear_index: Default::default(),
            halting: Default::default(),
            count: Default::default(),
            at_limit: Default::default(),
            input_left: Default::default(),
            input_mask: Constant::new(0xffff_ffff_u64.into()),
            input_more: Default::default(),
            fault: Default::default(),
            fault_at: Default::default(),
            pc_f: Default::default(),
            kill: Default::default(),
            d_valid: Default::default(),
            d_fresh: Default::default(),
            d_pc: Default::default(),
            d_hold: Default::default(),
            late_ram: Constant::new(false),
            f2_valid: Default::default(),
            f2_new: Default::default(),
            f2_arrived: Default::default(),
            f2_pc: Default::default(),
            f2_hold: Default::default(),
            later_ram: Constant::new(false),
            f1_valid: Default::default(),
            f1_new: Default::default(),
            f1_due: Default::default(),
            f1_arrived: Default::default(),
            f1_pc: Default::default(),
            f1_hold: Default::default(),
            e_valid: Default::default(),
            e_fresh: Default::default(),
            e_predicted: Default::default(),
            e_step: Default::default(),
            e_took: Default::default(),
            e_fwd1: Default::default(),
            e_fwd2: Default::default(),
            e_outside: Default::default(),
            e_partial: Default::default(),
            e_pc: Default::default(),
            e_insn: Default::default(),
            e_imm: Default::default(),
            e_rs1: Default::default(),
            e_rs2: Default::default(),
            e_rd: Default::default(),
            e_funct3: Default::default(),
            e_alu_op: Default::default(),
            e_is_alu: Default::default(),
            e_alu_imm: Default::default(),
            e_is_lui: Default::default(),
            e_is_auipc: Default::default(),
            e_is_jal: Default::default(),
            e_is_jalr: Default::default(),
            e_is_branch: Default::default(),
            e_is_load: Default::default(),
            e_is_store: Default::default(),
            e_is_mul: Default::default(),
            e_is_div: Default::default(),
            e_is_fence: Default::default(),
            e_is_ecall: Default::default(),
            e_is_ebreak: Default::default(),
            e_is_illegal: Default::default(),
            e_hold1: Default::default(),
            e_hold2: Default::default(),
            compact: Constant::new(false),
            e_stale1: Default::default(),
            e_stale2: Default::default(),
            sh_word: Default::default(),
            sh_left: Default::default(),
            e_ram1: Default::default(),
            e_ram2: Default::default(),
            sys: Default::default(),
            sys_kind: Default::default(),
            sys_halt: Default::default(),
            sys_start: Default::default(),
            sys_start_out: Default::default(),
            sys_len: Default::default(),
            sys_len_high: Default::default(),
            sys_len_next: Default::default(),
            sys_end: Default::default(),
            sys_cur: Default::default(),
            sys_lane: Default::default(),
            sys_mask: Default::default(),
            sys_word: Default::default(),
            w_valid: Default::default(),
            w_wait: Default::default(),
            w_wait2: Default::default(),
            w_pc: Default::default(),
            w_insn: Default::default(),
            w_rs1: Default::default(),
            w_rs1v: Default::default(),
            w_rs2: Default::default(),
            w_rs2v: Default::default(),
            w_rd: Default::default(),
            w_val: Default::default(),
            w_is_load: Default::default(),
            w_load_rd: Default::default(),
            w_is_mul: Default::default(),
            w_is_store: Default::default(),
            w_is_halt: Default::default(),
            w_funct3: Default::default(),
            w_mfault: Default::default(),
            w_mcode: Default::default(),
            w_addr: Default::default(),
            w_next_pc: Default::default(),
            jr_valid: Default::default(),
            jr_data: Default::default(),
            run: Default::default(),
            w_result: Default::default(),
            w_fire: Default::default(),
            freeze: Default::default(),
            port_w: Default::default(),
            raw1: Default::default(),
            raw2: Default::default(),
            fwd1: Default::default(),
            fwd2: Default::default(),
            fwd_next1: Default::default(),
            fwd_next2: Default::default(),
            op1: Default::default(),
            op2: Default::default(),
            hold1: Default::default(),
            hold2: Default::default(),
            blocked: Default::default(),
            live: Default::default(),
            pc_imm: Default::default(),
            pc4: Default::default(),
            target: Default::default(),
            jumps: Default::default(),
            next_pc: Default::default(),
            result: Default::default(),
            other: Default::default(),
            sh_op: Default::default(),
            sh_wait: Default::default(),
            sh_next: Default::default(),
            e_taken: Default::default(),
            e_fault: Default::default(),
            e_fault_code: Default::default(),
            simple: Default::default(),
            mem_read: Default::default(),
            go: Default::default(),
            go_opt: Default::default(),
            static_fault: Default::default(),
            mem_fault: Default::default(),
            mem_code: Default::default(),
            w_fault: Default::default(),
            go_ctl: Default::default(),
            go_front: Default::default(),
            sys_fault: Default::default(),
            sys_fault_code: Default::default(),
            sys_read: Default::default(),
            sys_write: Default::default(),
            sys_sum: Default::default(),
            sys_bad: Default::default(),
            sys_emit: Default::default(),
            sys_byte_addr: Default::default(),
            sys_active: Default::default(),
            sys_shift: Default::default(),
            sys_byte: Default::default(),
            sys_advance: Default::default(),
            redirect: Default::default(),
            rd_next: Default::default(),
            d_ok: Default::default(),
            e_ok: Default::default(),
            jump_wait: Default::default(),
            jump_fault: Default::default(),
            redirect_to: Default::default(),
            d_insn: Default::default(),
            f2_ok: Default::default(),
            f2_move: Default::default(),
            f2_word: Default::default(),
            f2_load: Default::default(),
            f1_ok: Default::default(),
            f1_move: Default::default(),
            f1_word: Default::default(),
            d_adv: Default::default(),
            d_adv_front: Default::default(),
            d_target: Default::default(),
            d_sign: Default::default(),
            d_imm_b: Default::default(),
            d_imm_j: Default::default(),
            d_imm: Default::default(),
            d_pc_low: Default::default(),
            d_outside: Default::default(),
            d_partial: Default::default(),
            d_taken: Default::default(),
            ecall_in_e: Default::default(),
            front_ok: Default::default(),
            fetch: Default::default(),
            fetch_addr: Default::default(),
            loader: Default::default(),
        }
    }
}

impl<const RA: usize> Logic for Core<RA> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            clear_index,
            halting,
            count,
            input_left,
            fault,
            fault_at,
            pc_f,
            kill,
            d_valid,
            d_fresh,
            d_pc,
            d_hold,
            f2_valid,
            f2_new,
            f2_arrived,
            f2_pc,
            f2_hold,
            f1_valid,
            f1_new,
            f1_due,
            f1_arrived,
            f1_pc,
            f1_hold,
            e_valid,
            e_fresh,
            e_predicted,
            e_step,
            e_took,
            e_fwd1,
            e_fwd2,
            e_outside,
            e_partial,
            e_pc,
            e_insn,
            e_imm,
            e_rs1,
            e_rs2,
            e_rd,
            e_funct3,
            e_alu_op,
            e_is_alu,
            e_alu_imm,
            e_is_lui,
            e_is_auipc,
            e_is_jal,
            e_is_jalr,
            e_is_branch,
            e_is_load,
            e_is_store,
            e_is_mul,
            e_is_div,
            e_is_fence,
            e_is_ecall,
            e_is_ebreak,
            e_is_illegal,
            e_hold1,
            e_hold2,
            e_stale1,
            e_stale2,
            sh_word,
            sh_left,
            e_ram1,
            e_ram2,
            sys,
            sys_kind,
            sys_halt,
            sys_start,
            sys_start_out,
            sys_len,
            sys_len_high,
            sys_end,
            sys_cur,
            sys_lane,
            sys_mask,
            sys_word,
            w_valid,
            w_wait,
            w_wait2,
            w_pc,
            w_insn,
            w_rs1,
            w_rs1v,
            w_rs2,
            w_rs2v,
            w_rd,
            w_val,
            w_is_load,
            w_load_rd,
            w_is_mul,
            w_is_store,
            w_is_halt,
            w_funct3,
            w_mfault,
            w_mcode,
            w_addr,
            w_next_pc,
            jr_valid,
            jr_data
        );
        clock!(self, clock, mul, div, regs);

        // ---- status and stream outputs: all straight from registers
        self.run.next = self.state.q.val() == CoreState::Run;
        self.running.next = self.run.val() || (self.state.q.val() == CoreState::Clear);
        self.halted.next = self.state.q.val() == CoreState::Halted;
        self.faulted.next = self.state.q.val() == CoreState::Faulted;
        self.done.next = (self.halted.val() || self.faulted.val())
            && !self.w_valid.q.val()
            && !self.jr_valid.q.val();
        // HALT's a0 stays in write-back once the ecall is there: nothing follows it into
        // execute, so write-back's fields never load again until the next start.
        self.exit_code.next = 0.into();
        if self.halted.val() {
            self.exit_code.next = self.w_rs2v.q.val();
        }
        self.fault_code.next = self.fault.q.val();
        self.fault_pc.next = self.fault_at.q.val();
        if self.compact.val() {
            // the faulting instruction stays in execute (its pc held on the fault's edge,
            // below) until the next start
            self.fault_pc.next = 0.into();
            if self.faulted.val() {
                self.fault_pc.next = self.e_pc.q.val();
            }
        }
        // Once stopped and drained, every instruction that left execute has retired.
        self.retired.next = self.count.q.val();
        self.at_limit.next = self.count.q.val() == self.max_cycles.val();
        self.journal_valid.next = self.jr_valid.q.val();
        self.journal_data.next = self.jr_data.q.val();
        self.jr_valid.d.next = self.jr_valid.q.val() && !self.journal_ready.val();

        // ---- write-back: the word read last cycle belongs to a load or store here
        self.lsu.w_lane.next = self.w_addr.q.val().get_bits::<2>(0);
        self.lsu.w_funct3.next = self.w_funct3.q.val();
        self.lsu.w_word.next = self.mem_rdata.val();
        self.lsu.w_store_data.next = self.w_rs2v.q.val();
        self.lsu.w_store.next = self.w_is_store.q.val();
        // The value written to rd, 0 when rd is x0 (w_val is then 0, and w_load_rd and
        // w_is_mul are low), so that it is also the record's rd_data.
        self.w_result.next = self.w_val.q.val();
        if self.w_load_rd.q.val() {
            self.w_result.next = self.lsu.load_value.val();
        } else if self.w_is_mul.q.val() {
            // MUL registered its partial products in execute and sums them here.
            self.w_result.next = self.mul.y.val();
        }
        // Write-back *is* the trace port's register: an instruction retires when the
        // consumer takes its record, and until then the whole pipeline freezes.
        // With a late RAM a load's or store's word arrives a cycle after it entered
        // write-back (w_wait): the pipeline freezes for that cycle.
        // With a late RAM an access's faults are taken here once its word has landed
        // (w_fault: no record, the pipeline frozen, the core stops), not in execute, so
        // that no path runs from the address adder's range checks to execute's finish.
        self.w_fault.next = self.w_valid.q.val() && !self.w_wait.q.val() && self.w_mfault.q.val();
        self.w_fire.next = self.w_valid.q.val()
            && !self.w_wait.q.val()
            && !self.w_mfault.q.val()
            && self.trace_ready.val();
        self.freeze.next = self.w_valid.q.val()
            && (self.w_wait.q.val() || !self.trace_ready.val() || self.w_mfault.q.val());
        self.port_w.next = self.w_fire.val() && self.w_is_store.q.val();

        // ---- execute: operands from the register file (first cycle) or held, forwarded
        // from write-back
        self.raw1.next = self.e_hold1.q.val();
        self.raw2.next = self.e_hold2.q.val();
        if self.e_fresh.q.val() && !self.e_stale1.q.val() {
            self.raw1.next = self.regs.rdata1.val();
        }
        if self.e_fresh.q.val() && !self.e_stale2.q.val() {
            self.raw2.next = self.regs.rdata2.val();
        }
        // Whether write-back holds a source's new value: registered when the instruction
        // enters execute (below), so no comparison lies on execute's paths.
        self.fwd1.next = self.e_fwd1.q.val();
        self.fwd2.next = self.e_fwd2.q.val();
        // Execute computes with write-back's registered result; a load's or MUL's value
        // (late in write-back, RAM or DSP to here) goes only into the held operands, while
        // execute waits a cycle for it.
        self.op1.next = self.raw1.val();
        self.hold1.next = self.raw1.val();
        if self.fwd1.val() {
            self.op1.next = self.w_val.q.val();
            self.hold1.next = self.w_result.val();
        }
        self.op2.next = self.raw2.val();
        self.hold2.next = self.raw2.val();
        if self.fwd2.val() {
            self.op2.next = self.w_val.q.val();
            self.hold2.next = self.w_result.val();
        }
        // The full build chooses between two registers only (see e_ram1); the held
        // operand still takes a load's or MUL's late value while execute waits for it.
        if !self.compact.val() {
            self.op1.next = self.e_hold1.q.val();
            if self.e_ram1.q.val() {
                self.op1.next = self.regs.rdata1.val();
            }
            self.hold1.next = self.op1.val();
            if self.fwd1.val() {
                self.hold1.next = self.w_result.val();
            }
            self.op2.next = self.e_hold2.q.val();
            if self.e_ram2.q.val() {
                self.op2.next = self.regs.rdata2.val();
            }
            self.hold2.next = self.op2.val();
            if self.fwd2.val() {
                self.hold2.next = self.w_result.val();
            }
        }
        // A load's or MUL's value is ready only late in write-back (one bubble); an ecall
        // waits for write-back to drain so its memory accesses and record follow in order.
        self.blocked.next = (self.w_valid.q.val()
            && (self.w_load_rd.q.val() || self.w_is_mul.q.val())
            && (self.fwd1.val() || self.fwd2.val()))
            || (self.w_valid.q.val() && self.e_is_ecall.q.val());
        // The cycle after a redirect, decode and execute hold wrong-path instructions.
        self.e_ok.next = self.e_valid.q.val() && !self.kill.q.val();
        self.d_ok.next = self.d_valid.q.val() && !self.kill.q.val();
        self.f2_ok.next = self.f2_valid.q.val() && !self.kill.q.val();
        self.f1_ok.next = self.f1_valid.q.val() && !self.kill.q.val();
        self.live.next =
            self.run.val() && self.e_ok.val() && !self.freeze.val() && !self.blocked.val();

        self.alu.a.next = self.op1.val();
        self.alu.b.next = self.op2.val();
        if self.e_alu_imm.q.val() {
            self.alu.b.next = self.e_imm.q.val();
        }
        self.alu.op.next = self.e_alu_op.q.val();
        // The compact build shifts serially (its ALU has no shifter): the first cycle loads
        // rs1 and the amount, each later one shifts, and the one with nothing left
        // finishes, its result passing the `other` multiplexer (a shift by n takes n + 2
        // cycles).
        self.sh_op.next = self.compact.val()
            && self.e_is_alu.q.val()
            && (self.e_alu_op.q.val().get_bits::<2>(0) == 1);
        self.sh_wait.next =
            self.sh_op.val() && (!self.e_step.q.val() || self.sh_left.q.val().any());
        // One place a cycle (op bit 2: right; bit 3: arithmetic, the sign filling the
        // place vacated). Four places a cycle while four are left would cost 48 LUT4 more.
        self.sh_next.next = self.sh_word.q.val() << 1;
        if self.e_alu_op.q.val().get_bit(2) {
            self.sh_next.next = self.sh_word.q.val() >> 1;
            if self.e_alu_op.q.val().get_bit(3) && self.sh_word.q.val().get_bit(31) {
                self.sh_next.next = (self.sh_word.q.val() >> 1) | 0x8000_0000_u64;
            }
        }
        if self.live.val() && !self.static_fault.val() && self.sh_op.val() {
            if !self.e_step.q.val() {
                self.sh_word.d.next = self.op1.val();
                self.sh_left.d.next = self.alu.b.val().get_bits::<5>(0);
            } else if self.sh_left.q.val().any() {
                self.sh_word.d.next = self.sh_next.val();
                self.sh_left.d.next = self.sh_left.q.val() - 1;
            }
        }
        self.branch.a.next = self.op1.val();
        self.branch.b.next = self.op2.val();
        // (funct3[2]: an ordering; funct3[0]: negated. funct3[1] went to the ALU's op.)
        self.branch.funct3.next = (bit_cast::<2, 1>(self.e_funct3.q.val().get_bits::<1>(2)) << 1)
            | bit_cast::<2, 1>(self.e_funct3.q.val().get_bits::<1>(0));
        self.branch.less.next = self.alu.less.val();
        self.lsu.base.next = self.op1.val();
        self.lsu.offset.next = self.e_imm.q.val();
        self.lsu.width.next = self.e_funct3.q.val().get_bits::<2>(0);
        self.lsu.code_lo.next = self.code_lo.val();
        self.lsu.code_hi.next = self.code_hi.val();
        self.mul.a.next = self.op1.val();
        self.mul.b.next = self.op2.val();
        self.mul.op.next = self.e_funct3.q.val().get_bits::<2>(0);
        self.div.a.next = self.op1.val();
        self.div.b.next = self.op2.val();
        self.div.op.next = self.e_funct3.q.val().get_bits::<2>(0);

        self.pc_imm.next = self.e_pc.q.val() + self.e_imm.q.val();
        self.pc4.next = self.e_pc.q.val() + 4;
        if self.compact.val() {
            // An instruction outside memory faults (fetch outside code) before its pc + 4
            // is used, so the compact build adds on the low address bits only.
            self.pc4.next = (self.e_pc.q.val() & self.low_bits.val()) + 4;
        }
        self.target.next = self.pc_imm.val();
        if self.e_is_jalr.q.val() {
            self.target.next = self.lsu.addr.val() & 0xffff_fffe_u64;
        }
        // The compact build's branches take two cycles: the first registers the comparison
        // (e_took), the second decides from it, so no path runs from the comparison to
        // fetch's pc.
        self.e_taken.next = self.branch.taken.val();
        if self.compact.val() {
            self.e_taken.next = self.e_took.q.val();
        }
        self.jumps.next = self.e_is_jal.q.val()
            || self.e_is_jalr.q.val()
            || (self.e_is_branch.q.val() && self.e_taken.val());
        self.next_pc.next = self.pc4.val();
        if self.jumps.val() {
            self.next_pc.next = self.target.val();
        }

        // Faults, in the executor's order: fetch outside the code table, cycle limit,
        // fetch of a partial word, then the instruction's own.
        self.e_fault.next = true;
        self.e_fault_code.next = 0.into();
        if self.e_outside.q.val() {
            self.e_fault_code.next = 3.into(); // fetch outside code
        } else if self.at_limit.val() {
            self.e_fault_code.next = 12.into(); // cycle limit
        } else if self.e_partial.q.val() {
            self.e_fault_code.next = 3.into(); // fetch outside code
        } else if self.e_is_illegal.q.val() {
            self.e_fault_code.next = 1.into(); // illegal instruction
        } else if self.e_is_ebreak.q.val() {
            self.e_fault_code.next = 2.into(); // ebreak
        } else if self.jump_fault.val() {
            self.e_fault_code.next = 6.into(); // misaligned jump
        } else if !self.late_ram.val() && self.e_is_load.q.val() && self.lsu.misaligned.val() {
            self.e_fault_code.next = 4.into(); // misaligned load
        } else if !self.late_ram.val() && self.e_is_load.q.val() && self.lsu.out_of_range.val() {
            self.e_fault_code.next = 7.into(); // load out of range
        } else if !self.late_ram.val() && self.e_is_store.q.val() && self.lsu.misaligned.val() {
            self.e_fault_code.next = 5.into(); // misaligned store
        } else if !self.late_ram.val() && self.e_is_store.q.val() && self.lsu.out_of_range.val() {
            self.e_fault_code.next = 8.into(); // store out of range
        } else if !self.late_ram.val() && self.e_is_store.q.val() && self.lsu.in_code.val() {
            self.e_fault_code.next = 9.into(); // store to code
        } else {
            self.e_fault.next = false;
        }
        // With a late RAM an access's own faults (after the static ones, which keep it in
        // execute) go with it into write-back, which takes them (w_fault).
        self.mem_code.next = 0.into();
        if self.e_is_load.q.val() && self.lsu.misaligned.val() {
            self.mem_code.next = 4.into(); // misaligned load
        } else if self.e_is_load.q.val() && self.lsu.out_of_range.val() {
            self.mem_code.next = 7.into(); // load out of range
        } else if self.e_is_store.q.val() && self.lsu.misaligned.val() {
            self.mem_code.next = 5.into(); // misaligned store
        } else if self.e_is_store.q.val() && self.lsu.out_of_range.val() {
            self.mem_code.next = 8.into(); // store out of range
        } else if self.e_is_store.q.val() && self.lsu.in_code.val() {
            self.mem_code.next = 9.into(); // store to code
        }

        // The value the instruction writes to rd. The ALU's result, the latest, passes one
        // multiplexer at the end; the others are chosen before it.
        self.other.next = self.sys_len.q.val();
        if self.e_is_lui.q.val() && !self.compact.val() {
            self.other.next = self.e_imm.q.val();
        } else if self.e_is_auipc.q.val() {
            self.other.next = self.pc_imm.val();
        } else if self.e_is_jal.q.val() || self.e_is_jalr.q.val() {
            self.other.next = self.pc4.val();
        } else if self.e_is_div.q.val() {
            self.other.next = self.div.y.val();
        } else if self.sh_op.val() {
            self.other.next = self.sh_word.q.val();
        }
        self.result.next = self.alu.y.val();
        if (self.e_is_lui.q.val() && !self.compact.val())
            || self.e_is_auipc.q.val()
            || self.e_is_jal.q.val()
            || self.e_is_jalr.q.val()
            || self.e_is_div.q.val()
            || self.e_is_ecall.q.val()
            || self.sh_op.val()
        {
            self.result.next = self.other.val();
        }

        // When execute finishes: one cycle for most, the RAM port for memory (a store in
        // write-back has it first), a second cycle for MUL, the divider, the syscall engine.
        self.simple.next = self.e_is_alu.q.val()
            || self.e_is_lui.q.val()
            || self.e_is_auipc.q.val()
            || self.e_is_jal.q.val()
            || self.e_is_jalr.q.val()
            || self.e_is_branch.q.val()
            || self.e_is_fence.q.val();
        // The same, split so that no slow check reaches a path it cannot change: the
        // front end never waits on a memory access's checks (a memory instruction in execute
        // keeps fetch off the RAM port anyway), and reading memory is harmless even when the
        // access then faults.
        self.static_fault.next = self.e_outside.q.val()
            || self.at_limit.val()
            || self.e_partial.q.val()
            || self.e_is_illegal.q.val()
            || self.e_is_ebreak.q.val();
        self.mem_fault.next = (self.e_is_load.q.val()
            && (self.lsu.misaligned.val() || self.lsu.out_of_range.val()))
            || (self.e_is_store.q.val()
                && (self.lsu.misaligned.val()
                    || self.lsu.out_of_range.val()
                    || self.lsu.in_code.val()));
        self.mem_read.next = self.live.val()
            && (self.e_is_load.q.val() || self.e_is_store.q.val())
            && !self.port_w.val();
        self.w_wait.d.next = (self.late_ram.val() && self.mem_read.val()) || self.w_wait2.q.val();
        self.w_wait2.d.next = self.later_ram.val() && self.mem_read.val();
        // A jump to a misaligned target faults instead of finishing. For JAL and branches
        // the target's bit 1 is pc[1] ^ imm[1] (imm[0] = 0); a branch does not wait for its
        // comparison to know whether it may finish: one whose target is misaligned takes a
        // second cycle (e_step), then finishes when not taken (e_took) and faults when
        // taken.
        self.jump_wait.next = (self.e_is_jalr.q.val() && self.lsu.addr.val().get_bit(1))
            || (self.compact.val() && self.e_is_branch.q.val() && !self.e_step.q.val())
            || ((self.e_is_jal.q.val()
                || (self.e_is_branch.q.val() && (!self.e_step.q.val() || self.e_took.q.val())))
                && (self.e_pc.q.val().get_bit(1) ^ self.e_imm.q.val().get_bit(1)));
        // The same, as a fault: a branch's only from the comparison registered in its first
        // cycle (e_took), so no path runs from the comparison to the fault registers.
        self.jump_fault.next = (self.e_is_jalr.q.val() && self.lsu.addr.val().get_bit(1))
            || ((self.e_is_jal.q.val()
                || (self.e_is_branch.q.val() && self.e_step.q.val() && self.e_took.q.val()))
                && (self.e_pc.q.val().get_bit(1) ^ self.e_imm.q.val().get_bit(1)));
        self.go_ctl.next = self.live.val()
            && !self.static_fault.val()
            && self.simple.val()
            && !self.jump_wait.val()
            && !self.sh_wait.val();
        self.go_front.next = self.go_ctl.val()
            || (self.live.val()
                && !self.static_fault.val()
                && (self.e_is_mul.q.val()
                    || (self.e_is_div.q.val() && self.e_step.q.val() && self.div.done.val())
                    || (self.e_is_ecall.q.val() && (self.sys.q.val() == SysState::Done))));
        self.go.next = self.go_front.val()
            || (self.mem_read.val()
                && !self.static_fault.val()
                && (self.late_ram.val() || !self.mem_fault.val()));
        // The same without the access's checks, for what a faulting access may disturb
        // because the core stops with it: decode may move into execute, and write-back's
        // fields may load (w_valid and the count follow go).
        self.go_opt.next = self.go_front.val() || (self.mem_read.val() && !self.static_fault.val());
        self.mul.enable.next = self.live.val() && !self.static_fault.val() && self.e_is_mul.q.val();
        // The divider is started once, in the first cycle; e_step remembers that.
        self.div.start.next = self.live.val()
            && !self.static_fault.val()
            && self.e_is_div.q.val()
            && !self.e_step.q.val();

        // ---- the syscall engine (an ecall in execute with write-back empty)
        self.sys_fault.next = false;
        self.sys_fault_code.next = 0.into();
        self.sys_read.next = false;
        self.sys_write.next = false;
        self.input_ready.next = false;
        // Buffer arithmetic on the low address bits: a start or length with any bit at or
        // above MEM_TOP is out of range by itself.
        self.sys_sum.next = (self.sys_start.q.val() & self.low_bits.val())
            + (self.sys_len.q.val() & self.low_bits.val());
        self.sys_bad.next = self.sys_start_out.q.val()
            || self.sys_len_high.q.val()
            || (self.sys_sum.val() > self.mem_top.val())
            || ((self.sys_kind.q.val() == 1)
                && ((self.sys_start.q.val() & self.low_bits.val())
                    < (self.code_hi.val() & self.bound_bits.val()))
                && (self.sys_sum.val() > (self.code_lo.val() & self.bound_bits.val())));
        // (sys_cur is a word address: the lane goes into its low bits, no adder.)
        self.sys_byte_addr.next =
            (self.sys_cur.q.val() & self.low_bits.val()) | bit_cast::<32, 2>(self.sys_lane.q.val());
        self.sys_active.next = (self.sys_byte_addr.val()
            >= (self.sys_start.q.val() & self.low_bits.val()))
            && (self.sys_byte_addr.val() < (self.sys_end.q.val() & self.bound_bits.val()));
        self.sys_shift.next = bit_cast::<32, 2>(self.sys_lane.q.val()) << 3;
        match self.sys_lane.q.val().index() {
            0 => self.sys_byte.next = self.sys_word.q.val().get_bits::<8>(0),
            1 => self.sys_byte.next = self.sys_word.q.val().get_bits::<8>(8),
            2 => self.sys_byte.next = self.sys_word.q.val().get_bits::<8>(16),
            _ => self.sys_byte.next = self.sys_word.q.val().get_bits::<8>(24),
        }
        self.sys_advance.next = false;
        self.sys_len_next.next = 0.into();
        // a1 asks for more than the input left (on input_mask's bits: the rest are zero in
        // input_left)
        self.input_more.next = (self.regs.rdata2.val() & !self.input_mask.val()).any()
            || (self.input_left.q.val() < (self.regs.rdata2.val() & self.input_mask.val()));
        // (An ecall's only faults are the static ones.)
        if self.live.val() && !self.static_fault.val() && self.e_is_ecall.q.val() {
            match self.sys.q.val() {
                SysState::Decode => {
                    // t0 is rs1, a0 is rs2; register-file port 2 is reading a1 meanwhile.
                    self.sys_kind.d.next = self.op1.val().get_bits::<2>(0);
                    self.sys_start.d.next = self.op2.val() & self.low_bits.val();
                    self.sys_start_out.d.next = !(self.op2.val() & self.below_base.val()).any()
                        || (self.op2.val() & self.above_top.val()).any();
                    self.sys_halt.d.next = false;
                    self.sys_len.d.next = 0.into();
                    self.sys_len_high.d.next = false;
                    if self.op1.val() == 0 {
                        self.sys_halt.d.next = true;
                        self.sys.d.next = SysState::Done;
                    } else if (self.op1.val() == 1) || (self.op1.val() == 2) {
                        self.sys.d.next = SysState::Length;
                    } else {
                        self.sys_fault.next = true;
                        self.sys_fault_code.next = 10.into(); // unknown syscall
                    }
                }
                SysState::Length => {
                    // READ moves min(a1, bytes left); COMMIT moves a1.
                    self.sys_len_next.next = self.regs.rdata2.val();
                    if (self.sys_kind.q.val() == 1) && self.input_more.val() {
                        self.sys_len_next.next = self.input_left.q.val();
                    }
                    // (the compact build's READ count is below input_mask's bound)
                    self.sys_len.d.next = self.sys_len_next.val() & self.input_mask.val();
                    self.sys_len_high.d.next =
                        (self.sys_len_next.val() & self.above_top.val()).any();
                    self.sys.d.next = SysState::Check;
                }
                SysState::Check => {
                    // Zero bytes touch nothing and cannot fault.
                    if (self.sys_len.q.val() == 0) && !self.sys_len_high.q.val() {
                        self.sys.d.next = SysState::Done;
                    } else if self.sys_bad.val() {
                        self.sys_fault.next = true;
                        self.sys_fault_code.next = 11.into(); // syscall buffer
                    } else {
                        self.sys_cur.d.next =
                            self.sys_start.q.val() & self.low_bits.val() & 0xffff_fffc_u64;
                        self.sys_end.d.next = self.sys_sum.val();
                        self.sys.d.next = SysState::Read;
                    }
                }
                SysState::Read => {
                    self.sys_read.next = true;
                    self.sys.d.next = SysState::Latch;
                    if self.late_ram.val() {
                        self.sys.d.next = SysState::Wait;
                    }
                }
                SysState::Wait => {
                    self.sys.d.next = SysState::Latch;
                    if self.later_ram.val() {
                        self.sys.d.next = SysState::Wait2;
                    }
                }
                SysState::Wait2 => {
                    self.sys.d.next = SysState::Latch;
                }
                SysState::Latch => {
                    self.sys_word.d.next = self.mem_rdata.val();
                    self.sys_lane.d.next = 0.into();
                    self.sys_mask.d.next = 0.into();
                    self.sys.d.next = SysState::Lanes;
                }
                SysState::Lanes => {
                    if !self.sys_active.val() {
                        self.sys_advance.next = true;
                    } else if self.sys_kind.q.val() == 1 {
                        // READ: the next input byte replaces this lane.
                        self.input_ready.next = true;
                        if self.input_valid.val() {
                            self.sys_word.d.next = (self.sys_word.q.val()
                                & !(bits::<32>(0xff) << self.sys_shift.val()))
                                | (bit_cast::<32, 8>(self.input_data.val())
                                    << self.sys_shift.val());
                            self.sys_mask.d.next =
                                self.sys_mask.q.val() | (bits::<4>(1) << self.sys_lane.q.val());
                            self.sys_advance.next = true;
                        }
                    } else if !self.jr_valid.q.val() || self.journal_ready.val() {
                        // COMMIT: this lane goes to the journal.
                        self.jr_valid.d.next = true;
                        self.jr_data.d.next = self.sys_byte.val();
                        self.sys_mask.d.next =
                            self.sys_mask.q.val() | (bits::<4>(1) << self.sys_lane.q.val());
                        self.sys_advance.next = true;
                    }
                    if self.sys_advance.val() {
                        self.sys_lane.d.next = self.sys_lane.q.val() + 1;
                        if self.sys_lane.q.val() == 3 {
                            if self.sys_kind.q.val() == 1 {
                                self.sys.d.next = SysState::Write;
                            } else {
                                self.sys.d.next = SysState::Emit;
                            }
                        }
                    }
                }
                SysState::Write => {
                    self.sys_write.next = true;
                    self.sys.d.next = SysState::Emit;
                }
                SysState::Emit => {
                    // The access is on the trace port (below) until the consumer takes it.
                    if self.trace_ready.val() {
                        self.sys_cur.d.next = (self.sys_cur.q.val() + 4) & self.low_bits.val();
                        if (self.sys_cur.q.val() & self.low_bits.val()) + 4
                            < (self.sys_end.q.val() & self.bound_bits.val())
                        {
                            self.sys.d.next = SysState::Read;
                        } else {
                            self.sys.d.next = SysState::Done;
                        }
                    }
                }
                _ => {
                    // Done: the ecall retires this cycle (go).
                    self.sys.d.next = SysState::Decode;
                    if self.sys_kind.q.val() == 1 {
                        self.input_left.d.next = (self.input_left.q.val() - self.sys_len.q.val())
                            & self.input_mask.val();
                    }
                }
            }
        }
        if self.live.val() && (self.e_fault.val() || self.sys_fault.val()) {
            self.state.d.next = CoreState::Faulted;
            self.fault_at.d.next = self.e_pc.q.val();
            if self.e_fault.val() {
                self.fault.d.next = self.e_fault_code.val();
            } else {
                self.fault.d.next = self.sys_fault_code.val();
            }
        }

        // ---- fetch and decode
        // Decode already sent fetch down JALs and backward branches (below); execute
        // redirects when that guess was wrong: JALR, a taken forward branch, an untaken
        // backward one. The redirect is registered: the target goes into pc_f, and the
        // next cycle (kill) squashes what decode and execute took meanwhile, so no path
        // runs from execute's comparison to the RAM's address.
        self.redirect.next = self.go_ctl.val() && (self.jumps.val() ^ self.e_predicted.q.val());
        self.redirect_to.next = self.pc4.val();
        if self.jumps.val() {
            self.redirect_to.next = self.target.val();
        }
        self.d_insn.next = self.d_hold.q.val();
        if self.d_fresh.q.val() {
            self.d_insn.next = self.mem_rdata.val();
        }
        self.decoder.insn.next = self.d_insn.val();
        self.d_sign.next = 0.into();
        if self.d_insn.val().get_bit(31) {
            self.d_sign.next = 0xffff_ffff_u64.into();
        }
        // Where decode's pc lies against the code, for execute's first fault checks; code
        // bounds are at most MEM_TOP, so only the low address bits are compared.
        self.d_pc_low.next = self.d_pc.q.val() & self.low_bits.val();
        self.d_outside.next = (self.d_pc.q.val() & self.above_top.val()).any()
            || (self.d_pc_low.val() < (self.code_lo.val() & self.bound_bits.val()))
            || (self.d_pc_low.val() >= (self.code_hi.val() & self.bound_bits.val()));
        self.d_partial.next =
            (self.d_pc_low.val() + 4) > (self.code_hi.val() & self.bound_bits.val());
        // The register file reads decode's sources every cycle; execute keeps the read made
        // on the edge the instruction enters it.
        self.regs.raddr1.next = self.decoder.rs1.val();
        // Nothing follows an ecall into execute until it retires (a HALT must stop the
        // pipeline, and the syscall engine owns the RAM port).
        self.ecall_in_e.next = self.e_ok.val() && self.e_is_ecall.q.val();
        // While an ecall sits in execute nothing leaves decode, so port 2 reads a1 for the
        // syscall engine (execute keeps a0 in its held operand).
        self.regs.raddr2.next = self.decoder.rs2.val();
        if self.ecall_in_e.val() {
            self.regs.raddr2.next = 11.into();
        }
        self.front_ok.next =
            self.run.val() && !self.freeze.val() && !self.halting.q.val() && !self.ecall_in_e.val();
        self.d_adv.next =
            self.front_ok.val() && self.d_ok.val() && (!self.e_ok.val() || self.go_opt.val());
        // The same for the front end, which only needs it when execute holds no memory
        // instruction (one would keep fetch off the RAM port this cycle anyway).
        self.d_adv_front.next =
            self.front_ok.val() && self.d_ok.val() && (!self.e_ok.val() || self.go_front.val());
        // Fetch when decode will be free (with a late RAM: the second fetch stage) and the
        // RAM port is (a redirect's target is fetched in the kill cycle: two bubbles, three
        // with a late RAM).
        self.fetch.next = self.front_ok.val()
            && (!self.d_ok.val()
                || self.d_adv_front.val()
                || (self.late_ram.val() && !self.f2_ok.val())
                || (self.later_ram.val() && !self.f1_ok.val()))
            && !self.port_w.val()
            && !self.mem_read.val();
        // A JAL or backward branch (a loop, most likely taken) leaving decode sends fetch
        // to its target at once, unless the target is misaligned: execute sorts that out.
        // (Straight from the word's bits, not through the decoder: this path runs from the
        // RAM's output back to its address.) JAL is 0x6f, a branch 0x63 with funct3 not 2
        // or 3; bit 2 of the opcode tells their immediates apart.
        self.d_imm_b.next = (self.d_sign.val() << 12)
            | (bit_cast::<32, 1>(self.d_insn.val().get_bits::<1>(7)) << 11)
            | (bit_cast::<32, 6>(self.d_insn.val().get_bits::<6>(25)) << 5)
            | (bit_cast::<32, 4>(self.d_insn.val().get_bits::<4>(8)) << 1);
        self.d_imm_j.next = (self.d_sign.val() << 20)
            | (bit_cast::<32, 8>(self.d_insn.val().get_bits::<8>(12)) << 12)
            | (bit_cast::<32, 1>(self.d_insn.val().get_bits::<1>(20)) << 11)
            | (bit_cast::<32, 10>(self.d_insn.val().get_bits::<10>(21)) << 1);
        // One adder: the immediates are chosen before it.
        self.d_imm.next = self.d_imm_b.val();
        if self.d_insn.val().get_bit(2) {
            self.d_imm.next = self.d_imm_j.val();
        }
        self.d_target.next = self.d_pc.q.val() + self.d_imm.val();
        self.d_taken.next = self.d_adv_front.val()
            && ((self.d_insn.val().get_bits::<7>(0) == 0x6f)
                || ((self.d_insn.val().get_bits::<7>(0) == 0x63)
                    && self.d_insn.val().get_bit(31)
                    && (self.d_insn.val().get_bits::<2>(13) != 1)))
            && !self.d_target.val().get_bit(1)
            // (not in the compact build: this path from the SPRAM's output back to its
            // address set the UP5K's clock; execute redirects instead)
            && !self.compact.val();
        self.fetch_addr.next = self.pc_f.q.val();
        if self.d_taken.val() {
            self.fetch_addr.next = self.d_target.val();
        }
        // With a late RAM a fetch goes into the second fetch stage (F2), whose word lands
        // on mem_rdata the cycle after (f2_new) and must be caught then if F2 has not
        // moved on (f2_arrived; f2_hold keeps it). F2 moves into decode when decode is
        // free, except past a JAL or backward branch leaving decode: F2 holds the word
        // after it, off the predicted path (one bubble).
        self.f2_move.next = self.late_ram.val()
            && self.f2_ok.val()
            && self.front_ok.val()
            && (!self.d_ok.val() || self.d_adv.val())
            && !self.d_taken.val();
        self.f2_word.next = self.f2_hold.q.val();
        if self.f2_arrived.q.val() {
            self.f2_word.next = self.mem_rdata.val();
        }
        // With a read latency of three a fetch goes into F1 first, and F1 moves into F2
        // when F2 is free or moving on (its word's timing goes with it).
        self.f1_move.next = self.later_ram.val()
            && self.f1_ok.val()
            && self.front_ok.val()
            && (!self.f2_ok.val() || self.f2_move.val())
            && !self.d_taken.val();
        self.f1_word.next = self.f1_hold.q.val();
        if self.f1_arrived.q.val() {
            self.f1_word.next = self.mem_rdata.val();
        }
        self.f1_hold.d.next = self.f1_word.val();
        self.f1_new.d.next = false;
        self.f1_due.d.next = self.f1_new.q.val() && !self.f1_move.val() && !self.fetch.val();
        self.f1_arrived.d.next = self.f1_due.q.val() && !self.f1_move.val() && !self.fetch.val();
        if self.fetch.val() && self.later_ram.val() {
            self.f1_valid.d.next = true;
            self.f1_new.d.next = true;
            self.f1_pc.d.next = self.fetch_addr.val();
        } else if self.kill.q.val() || self.f1_move.val() || self.d_taken.val() {
            self.f1_valid.d.next = false;
        }
        // What enters F2: a fetch (read latency two) or F1 (three).
        self.f2_load.next = self.late_ram.val() && self.fetch.val() && !self.later_ram.val();
        if self.later_ram.val() {
            self.f2_load.next = self.f1_move.val();
        }
        self.f2_hold.d.next = self.f2_word.val();
        self.f2_new.d.next = false;
        self.f2_arrived.d.next = self.f2_new.q.val() && !self.f2_move.val() && !self.f2_load.val();
        if self.f1_move.val() {
            self.f2_new.d.next = self.f1_new.q.val();
            self.f2_arrived.d.next = self.f1_due.q.val();
            self.f2_hold.d.next = self.f1_word.val();
        }
        self.d_hold.d.next = self.d_insn.val();
        self.d_fresh.d.next = false;
        if self.f2_move.val() {
            self.d_valid.d.next = true;
            self.d_pc.d.next = self.f2_pc.q.val();
            self.d_hold.d.next = self.f2_word.val();
            self.d_fresh.d.next = self.f2_new.q.val();
        } else if self.fetch.val() && !self.late_ram.val() {
            self.d_valid.d.next = true;
            self.d_pc.d.next = self.fetch_addr.val();
            self.d_fresh.d.next = true;
        } else if self.kill.q.val() || self.d_adv.val() {
            self.d_valid.d.next = false;
        }
        if self.fetch.val() {
            self.pc_f.d.next = self.fetch_addr.val() + 4;
            if self.compact.val() {
                // (the same: past MEM_TOP the sum's bit above the low bits says outside,
                // and an instruction there faults before any fetch after it matters)
                self.pc_f.d.next = (self.fetch_addr.val() & self.low_bits.val()) + 4;
            }
        } else if self.d_taken.val() {
            self.pc_f.d.next = self.d_target.val();
        }
        if self.f2_load.val() && !self.later_ram.val() {
            self.f2_valid.d.next = true;
            self.f2_new.d.next = true;
            self.f2_pc.d.next = self.fetch_addr.val();
        } else if self.f2_load.val() {
            self.f2_valid.d.next = true;
            self.f2_pc.d.next = self.f1_pc.q.val();
        } else if self.kill.q.val() || self.f2_move.val() || self.d_taken.val() {
            self.f2_valid.d.next = false;
        }
        self.kill.d.next = self.redirect.val();
        if self.redirect.val() {
            self.pc_f.d.next = self.redirect_to.val();
        }

        // ---- execute register updates
        // The register the instruction in execute writes (as recorded).
        self.rd_next.next = self.e_rd.q.val();
        if self.e_is_ecall.q.val() {
            // Only READ writes a register (a0, with the byte count).
            self.rd_next.next = 0.into();
            if self.sys_kind.q.val() == 1 {
                self.rd_next.next = 10.into();
            }
        }
        // The forwarding selects for the next cycle: an instruction entering execute takes
        // its sources from write-back when the one leaving execute writes them; one staying
        // in execute has taken write-back's value into its held operands, unless frozen.
        self.fwd_next1.next = self.e_ok.val()
            && self.rd_next.val().any()
            && (self.rd_next.val() == self.decoder.rs1.val());
        self.fwd_next2.next = self.e_ok.val()
            && self.rd_next.val().any()
            && (self.rd_next.val() == self.decoder.rs2.val());
        if self.d_adv.val() {
            self.e_fwd1.d.next = self.fwd_next1.val();
            self.e_fwd2.d.next = self.fwd_next2.val();
        } else if !self.freeze.val() {
            self.e_fwd1.d.next = false;
            self.e_fwd2.d.next = false;
        }
        self.e_hold1.d.next = self.hold1.val();
        self.e_hold2.d.next = self.hold2.val();
        self.e_fresh.d.next = false;
        if self.d_adv.val() {
            self.e_valid.d.next = true;
            self.e_fresh.d.next = true;
            self.e_predicted.d.next = self.d_taken.val();
            self.e_step.d.next = false;
            self.e_outside.d.next = self.d_outside.val();
            self.e_partial.d.next = self.d_partial.val();
            self.e_pc.d.next = self.d_pc.q.val();
            self.e_insn.d.next = self.d_insn.val();
            self.e_imm.d.next = self.decoder.imm.val();
            self.e_rs1.d.next = self.decoder.rs1.val();
            self.e_rs2.d.next = self.decoder.rs2.val();
            self.e_rd.d.next = self.decoder.rd.val();
            self.e_funct3.d.next = self.decoder.funct3.val();
            self.e_alu_op.d.next = self.decoder.alu_op.val();
            self.e_is_alu.d.next = self.decoder.is_alu.val();
            self.e_alu_imm.d.next = self.decoder.alu_imm.val();
            self.e_is_lui.d.next = self.decoder.is_lui.val();
            self.e_is_auipc.d.next = self.decoder.is_auipc.val();
            self.e_is_jal.d.next = self.decoder.is_jal.val();
            self.e_is_jalr.d.next = self.decoder.is_jalr.val();
            self.e_is_branch.d.next = self.decoder.is_branch.val();
            self.e_is_load.d.next = self.decoder.is_load.val();
            self.e_is_store.d.next = self.decoder.is_store.val();
            self.e_is_mul.d.next = self.decoder.is_mul.val();
            self.e_is_div.d.next = self.decoder.is_div.val();
            self.e_is_fence.d.next = self.decoder.is_fence.val();
            self.e_is_ecall.d.next = self.decoder.is_ecall.val();
            self.e_is_ebreak.d.next = self.decoder.is_ebreak.val();
            self.e_is_illegal.d.next = self.decoder.is_illegal.val();
            if self.compact.val() && self.decoder.is_lui.val() {
                // LUI's rs1 is x0 as recorded (0): the ALU adds its immediate to zero, so
                // the result multiplexer has one input fewer.
                self.e_alu_op.d.next = 0.into();
                self.e_alu_imm.d.next = true;
            }
        } else if self.go_opt.val() || self.kill.q.val() {
            self.e_valid.d.next = false;
        } else if self.div.start.val()
            || (self.live.val() && self.jump_wait.val())
            || (self.live.val() && !self.static_fault.val() && self.sh_op.val())
        {
            self.e_step.d.next = true;
        }
        self.e_took.d.next = self.branch.taken.val();
        if self.compact.val() {
            // The compact build counts on go_opt, whose access checks are not on the carry
            // chain: an access that faults instead holds the count (the enable's path).
            self.count.d.next = self.count.q.val() + bit_cast::<32, 1>(self.go_opt.val().into());
            if self.live.val() && self.e_fault.val() {
                self.count.d.next = self.count.q.val();
            }
        } else if self.go.val() {
            // (the enable on the flip-flops: no path from go through the carry chain)
            self.count.d.next = self.count.q.val() + 1;
        }
        if self.go_front.val() && self.e_is_ecall.q.val() && self.sys_halt.q.val() {
            self.halting.d.next = true;
        }

        // ---- write-back register updates
        // Write-back's fields load on go_opt (a faulting access's are never shown:
        // w_valid stays low, and the core stops).
        if self.go.val() {
            self.w_valid.d.next = true;
        } else if self.w_fire.val() {
            self.w_valid.d.next = false;
        }
        if self.go_opt.val() {
            self.w_pc.d.next = self.e_pc.q.val();
            self.w_insn.d.next = self.e_insn.q.val();
            self.w_rs1.d.next = self.e_rs1.q.val();
            self.w_rs1v.d.next = self.op1.val();
            self.w_rs2.d.next = self.e_rs2.q.val();
            self.w_rs2v.d.next = self.op2.val();
            self.w_rd.d.next = self.rd_next.val();
            // (x0's value is 0: a synchronous reset, no multiplexer.)
            self.w_val.d.next = self.result.val();
            if !self.rd_next.val().any() {
                self.w_val.d.next = 0.into();
            }
            self.w_is_load.d.next = self.e_is_load.q.val();
            self.w_load_rd.d.next = self.e_is_load.q.val() && self.rd_next.val().any();
            self.w_is_mul.d.next = self.e_is_mul.q.val() && self.rd_next.val().any();
            self.w_is_store.d.next = self.e_is_store.q.val();
            self.w_is_halt.d.next = self.e_is_ecall.q.val() && self.sys_halt.q.val();
            self.w_funct3.d.next = self.e_funct3.q.val();
            self.w_mfault.d.next = self.late_ram.val() && self.mem_fault.val();
            self.w_mcode.d.next = self.mem_code.val();
            // A retiring access lies inside memory: only its low address bits are kept.
            self.w_addr.d.next = self.lsu.addr.val() & self.low_bits.val();
            self.w_next_pc.d.next = self.next_pc.val();
        } else if self.trace_shift.val() {
            // The record's trace-only words as a shift register towards trace_pc (see the
            // port): a word-at-a-time consumer needs no multiplexer for them.
            self.w_pc.d.next = self.w_insn.q.val();
            self.w_insn.d.next = self.w_rs1v.q.val();
            self.w_rs1v.d.next = self.w_next_pc.q.val();
        }
        self.regs.we.next = false;
        self.regs.waddr.next = self.w_rd.q.val();
        self.regs.wdata.next = self.w_result.val();
        if self.w_fire.val() {
            self.regs.we.next = self.w_rd.q.val() != 0;
            if self.w_is_halt.q.val() {
                self.state.d.next = CoreState::Halted;
            }
        }
        // A faulting access (late RAM) stops the core from write-back: execute counted it
        // and is frozen behind it, so the count goes back by one.
        if self.run.val() && self.w_fault.val() {
            self.state.d.next = CoreState::Faulted;
            self.fault.d.next = self.w_mcode.q.val();
            self.fault_at.d.next = self.w_pc.q.val();
            self.w_valid.d.next = false;
            self.count.d.next = self.count.q.val() - 1;
        }

        // ---- the trace port: write-back's record, or the syscall engine's memory access
        // (write-back is empty then). The fields come from write-back's registers and the
        // word the RAM read for it, which holds while the pipeline is frozen.
        self.sys_emit.next = self.run.val()
            && self.e_ok.val()
            && self.e_is_ecall.q.val()
            && (self.sys.q.val() == SysState::Emit);
        self.trace_valid.next =
            (self.w_valid.q.val() && !self.w_wait.q.val() && !self.w_mfault.q.val())
                || self.sys_emit.val();
        self.trace_kind.next = self.sys_emit.val();
        self.trace_pc.next = self.w_pc.q.val();
        self.trace_insn.next = self.w_insn.q.val();
        self.trace_rs1.next = self.w_rs1.q.val();
        self.trace_rs1_data.next = self.w_rs1v.q.val();
        self.trace_rs2.next = self.w_rs2.q.val();
        self.trace_rs2_data.next = self.w_rs2v.q.val();
        self.trace_rd.next = self.w_rd.q.val();
        self.trace_rd_data.next = self.w_result.val();
        self.trace_next_pc.next = self.w_next_pc.q.val();
        self.trace_mem_addr.next = 0.into();
        self.trace_mem_rmask.next = 0.into();
        self.trace_mem_wmask.next = 0.into();
        self.trace_mem_rdata.next = 0.into();
        self.trace_mem_wdata.next = 0.into();
        if self.sys_emit.val() {
            // Only the trace_mem_* fields carry an access. The RAM still holds the old
            // word read for it (nothing reads memory while the engine runs).
            self.trace_mem_addr.next = self.sys_cur.q.val();
            if self.sys_kind.q.val() == 1 {
                self.trace_mem_wmask.next = self.sys_mask.q.val();
            } else {
                self.trace_mem_rmask.next = self.sys_mask.q.val();
            }
            self.trace_mem_rdata.next = self.mem_rdata.val();
            self.trace_mem_wdata.next = self.sys_word.q.val();
        } else if self.w_is_load.q.val() || self.w_is_store.q.val() {
            // (A load's store_word is the word read.)
            self.trace_mem_addr.next = self.w_addr.q.val() & 0xffff_fffc_u64;
            self.trace_mem_rdata.next = self.mem_rdata.val();
            self.trace_mem_wdata.next = self.lsu.store_word.val();
            if self.w_is_load.q.val() {
                self.trace_mem_rmask.next = self.lsu.mask.val();
            } else {
                self.trace_mem_wmask.next = self.lsu.mask.val();
            }
        }

        // ---- the RAM port: write-back's store, execute's load/store read, the syscall
        // engine, fetch, and (when stopped) the loader, in that order
        self.loader.next = !self.running.val() && !self.w_valid.q.val();
        self.mem_enable.next = false;
        self.mem_write.next = false;
        self.mem_addr.next = self.fetch_addr.val().get_bits::<RA>(2);
        self.mem_wdata.next = self.lsu.store_word.val();
        if self.port_w.val() {
            self.mem_enable.next = true;
            self.mem_write.next = true;
            self.mem_addr.next = self.w_addr.q.val().get_bits::<RA>(2);
        } else if self.mem_read.val() {
            self.mem_enable.next = true;
            self.mem_addr.next = self.lsu.addr.val().get_bits::<RA>(2);
        } else if self.sys_read.val() || self.sys_write.val() {
            self.mem_enable.next = true;
            self.mem_write.next = self.sys_write.val();
            self.mem_addr.next = self.sys_cur.q.val().get_bits::<RA>(2);
            self.mem_wdata.next = self.sys_word.q.val();
        } else if self.fetch.val() {
            self.mem_enable.next = true;
        } else if self.loader.val() && self.load_we.val() {
            self.mem_enable.next = true;
            self.mem_write.next = true;
            self.mem_addr.next = self.load_addr.val();
            self.mem_wdata.next = self.load_data.val();
        }

        // ---- run control: clear the registers, then run from the entry
        if self.state.q.val() == CoreState::Clear {
            self.regs.we.next = true;
            self.regs.waddr.next = self.clear_index.q.val();
            self.regs.wdata.next = 0.into();
            self.clear_index.d.next = self.clear_index.q.val() + 1;
            if self.clear_index.q.val() == 31 {
                self.state.d.next = CoreState::Run;
            }
        }
        if self.start.val() && !self.running.val() {
            self.state.d.next = CoreState::Clear;
            self.clear_index.d.next = 0.into();
            self.pc_f.d.next = self.entry.val();
            self.d_valid.d.next = false;
            self.f2_valid.d.next = false;
            self.f1_valid.d.next = false;
            self.kill.d.next = false;
            self.e_valid.d.next = false;
            self.w_valid.d.next = false;
            self.jr_valid.d.next = false;
            self.halting.d.next = false;
            self.count.d.next = 0.into();
            self.input_left.d.next = self.input_len.val() & self.input_mask.val();
            self.sys.d.next = SysState::Decode;
            self.fault.d.next = 0.into();
            self.fault_at.d.next = 0.into();
        }

        // ---- the compact build's fault pc: an access's fault lets decode move into
        // execute on its edge (go_opt), but not its pc
        if self.compact.val() && self.live.val() && (self.e_fault.val() || self.sys_fault.val()) {
            self.e_pc.d.next = self.e_pc.q.val();
        }

        // ---- the read-first register file's forwarding (after every write to `regs`):
        // a source written on the edge the instruction enters execute is taken from the
        // write into the held operand, and the register file's read is ignored.
        self.e_stale1.d.next = self.compact.val()
            && self.regs.we.val()
            && (self.regs.waddr.val() == self.regs.raddr1.val());
        self.e_stale2.d.next = self.compact.val()
            && self.regs.we.val()
            && (self.regs.waddr.val() == self.regs.raddr2.val());
        if self.compact.val() && self.d_adv.val() {
            self.e_hold1.d.next = self.regs.wdata.val();
            self.e_hold2.d.next = self.regs.wdata.val();
        }
        // The full build's operand selects for an instruction entering execute: the value
        // execute is passing to write-back on this edge (what write-back will forward),
        // else the register file's write on this edge (its read-first port misses it),
        // else the register file's read.
        self.e_ram1.d.next = false;
        self.e_ram2.d.next = false;
        if !self.compact.val() && self.d_adv.val() {
            if self.fwd_next1.val() {
                self.e_hold1.d.next = self.result.val();
            } else if self.regs.we.val() && (self.regs.waddr.val() == self.regs.raddr1.val()) {
                self.e_hold1.d.next = self.regs.wdata.val();
            } else {
                self.e_ram1.d.next = true;
            }
            if self.fwd_next2.val() {
                self.e_hold2.d.next = self.result.val();
            } else if self.regs.we.val() && (self.regs.waddr.val() == self.regs.raddr2.val()) {
                self.e_hold2.d.next = self.regs.wdata.val();
            } else {
                self.e_ram2.d.next = true;
            }
        }
    }
}
