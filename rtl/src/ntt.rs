//! The NTT engine: in-place radix-2 decimation-in-frequency over on-chip memory, one
//! butterfly per cycle, natural-order input and output (contract 3).
//!
//! * Memory: the n words live in two simple dual-port RAMs ("banks") of n/2 words. Word i
//!   goes to bank parity(i) (the XOR of its index bits) at address i >> 1. The two inputs
//!   of a butterfly differ in exactly one index bit, so they are always in different
//!   banks: each bank serves one read and one write per cycle.
//! * Transform: log2(n) Gentleman–Sande passes with half-size h = n/2, n/4, …, 1. Pass s
//!   pairs i and i + h and multiplies the difference by ω_n^(t·2^s), t = i mod h; the
//!   exponent is kept as a running sum so no shifter is needed. The twiddles ω_n^e,
//!   e < n/2, sit in a ROM in Montgomery form. After each pass the engine waits for the
//!   pipeline to drain before the next pass reads.
//! * Output: the DIF result X[m] sits at position bitrev(m). The forward transform reads
//!   m = k; the inverse reads m = −k mod n (since Σ x_j ω^(−jk) = X[−k]) and scales by
//!   1/n. Both go through one output multiplier by a Montgomery constant (2^32 for
//!   forward, i.e. ×1; n^(−1)·2^32 for inverse), so the output path is the same.
//!
//! Streams: `in_valid`/`in_ready`/`in_data` take n canonical values (the first one's
//! `inverse` bit picks the direction); then the engine computes; then it offers n results
//! on `out_valid`/`out_ready`/`out_data`. The output pipeline never stalls (a stall would
//! put a clock-enable multiplexer behind the slow block RAM outputs): it issues a read only
//! against a credit for a free slot in a 16-word output FIFO.

use crate::babybear;
use crate::field::{Butterfly, Delay, MontMul};
use crate::mem::{BankRam, BankStyle, LutRam, SyncRom};
use rust_hdl::prelude::*;

/// `y` is `x` with its bit order reversed (pure wiring).
#[derive(LogicBlock, Default)]
pub struct BitReverse<const K: usize> {
    /// Input.
    pub x: Signal<In, Bits<K>>,
    /// Bit-reversed input.
    pub y: Signal<Out, Bits<K>>,
}

impl<const K: usize> Logic for BitReverse<K> {
    fn update(&mut self) {
        let x = self.x.val();
        let mut y = Bits::<K>::default();
        for i in 0..K {
            y = y.replace_bit(K - 1 - i, x.get_bit(i));
        }
        self.y.next = y;
    }

    fn connect(&mut self) {
        self.y.connect();
    }

    fn hdl(&self) -> Verilog {
        let bits: Vec<String> = (0..K).map(|i| format!("x[{i}]")).collect();
        Verilog::Custom(format!("always @(*) y = {{{}}};\n", bits.join(", ")))
    }
}

/// Engine phase.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum NttPhase {
    /// Taking input words.
    Load,
    /// Issuing the butterflies of one pass.
    Compute,
    /// Waiting for a pass's last results to be written.
    Drain,
    /// Offering output words.
    Unload,
}

/// Cycles from issuing a butterfly to writing its results: address register, RAM read,
/// RAM data register, operand register, twiddle multiplication (the operands wait beside
/// it), butterfly.
const COMPUTE_DEPTH: usize = 4 + MontMul::LATENCY + Butterfly::LATENCY;
// The drain counter is five bits wide.
const _: () = assert!(COMPUTE_DEPTH < 31);
/// Cycles from issuing an output read to the word reaching the output FIFO: address
/// register, RAM read, RAM data register, operand register, multiplier input register,
/// multiplier.
const UNLOAD_DEPTH: usize = 5 + MontMul::LATENCY;

/// An NTT engine for n = 2^K points; `KM1` and `KM2` must be K − 1 and K − 2 (stable Rust
/// cannot compute them).
#[derive(LogicBlock)]
pub struct NttEngine<const K: usize, const KM1: usize, const KM2: usize> {
    /// Engine clock.
    pub clock: Signal<In, Clock>,
    /// An input word is offered.
    pub in_valid: Signal<In, Bit>,
    /// The offered word, canonical.
    pub in_data: Signal<In, Bits<32>>,
    /// With the first word of a transform: compute the inverse NTT.
    pub inverse: Signal<In, Bit>,
    /// The engine takes the offered word this cycle.
    pub in_ready: Signal<Out, Bit>,
    /// An output word is offered.
    pub out_valid: Signal<Out, Bit>,
    /// The offered output word, canonical.
    pub out_data: Signal<Out, Bits<32>>,
    /// The consumer takes the offered output word this cycle.
    pub out_ready: Signal<In, Bit>,
    /// The engine is between its last input and its first output.
    pub busy: Signal<Out, Bit>,
    // constants
    mont_one: Constant<Bits<32>>,
    mont_n_inv: Constant<Bits<32>>,
    half_n: Constant<Bits<K>>,
    drain_cycles: Constant<Bits<5>>,
    // storage
    bank0: BankRam<KM1, 32>,
    bank1: BankRam<KM1, 32>,
    // which copy of a ping-pong bank holds the current data (flips at every pass)
    copy: DFF<Bit>,
    twiddles: SyncRom<KM2, 32>,
    // the twiddle's exponent was ≥ n/4: multiply the ROM word by ω^(n/4)
    tw_quadrant: Delay<Bit, 2>,
    mont_quarter: Constant<Bits<32>>,
    quarter_n: Constant<Bits<KM1>>,
    mul_a: DFF<Bits<32>>,
    mul_b: DFF<Bits<32>>,
    op_delay_u: Delay<Bits<32>, { MontMul::LATENCY }>,
    op_delay_v: Delay<Bits<32>, { MontMul::LATENCY }>,
    // control
    phase: DFF<NttPhase>,
    inverse_mode: DFF<Bit>,
    count: DFF<Bits<K>>,
    // compute: butterfly index, half-size h (as h and h − 1), twiddle exponent and step
    bfly: DFF<Bits<KM1>>,
    half: DFF<Bits<K>>,
    half_mask: DFF<Bits<K>>,
    exponent: DFF<Bits<KM1>>,
    exponent_step: DFF<Bits<KM1>>,
    drain: DFF<Bits<5>>,
    bfly_wide: Signal<Local, Bits<K>>,
    index_u: Signal<Local, Bits<K>>,
    index_v: Signal<Local, Bits<K>>,
    issue: Signal<Local, Bit>,
    // stage A: registered bank addresses (shared by compute and unload) and tags
    rd_addr0: DFF<Bits<KM1>>,
    rd_addr1: DFF<Bits<KM1>>,
    a_swap: DFF<Bit>,
    a_valid: DFF<Bit>,
    a_addr_u: DFF<Bits<KM1>>,
    a_addr_v: DFF<Bits<KM1>>,
    a_exponent: DFF<Bits<KM1>>,
    a_out_valid: DFF<Bit>,
    // Block RAM outputs are slow (≈ 5.8 ns clock-to-out on ECP5), so each is registered
    // before any logic sees it.
    rd_data0: DFF<Bits<32>>,
    rd_data1: DFF<Bits<32>>,
    tw_data: DFF<Bits<32>>,
    swap_read: Delay<Bit, 2>,
    swap_write: Delay<Bit, { COMPUTE_DEPTH - 1 }>,
    write_valid: Delay<Bit, { COMPUTE_DEPTH - 1 }>,
    addr_u: Delay<Bits<KM1>, { COMPUTE_DEPTH - 1 }>,
    addr_v: Delay<Bits<KM1>, { COMPUTE_DEPTH - 1 }>,
    op_u: DFF<Bits<32>>,
    op_v: DFF<Bits<32>>,
    butterfly: Butterfly,
    // unload: issue counter, output counter, credits for the output FIFO
    all_issued: DFF<Bit>,
    out_count: DFF<Bits<K>>,
    credits: DFF<Bits<5>>,
    fifo: LutRam<4, 32>,
    fifo_head: DFF<Bits<4>>,
    fifo_tail: DFF<Bits<4>>,
    fifo_fill: DFF<Bits<5>>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    has_output: Signal<Local, Bit>,
    fifo_depth: Constant<Bits<5>>,
    out_issue: Signal<Local, Bit>,
    out_index: Signal<Local, Bits<K>>,
    reverse: BitReverse<K>,
    out_bank: Delay<Bit, 2>,
    out_operand: DFF<Bits<32>>,
    out_valid_line: Delay<Bit, { UNLOAD_DEPTH - 1 }>,
    scale_factor: DFF<Bits<32>>,
    scale: MontMul,
}

impl<const K: usize, const KM1: usize, const KM2: usize> NttEngine<K, KM1, KM2> {
    /// Transform size n = 2^K.
    pub const N: usize = 1 << K;

    /// Clock cycles spent computing (between the last input and the first output offer),
    /// for throughput estimates: K passes of n/2 butterflies plus a drain each.
    pub const COMPUTE_CYCLES: usize = K * ((1 << KM1) + COMPUTE_DEPTH + 2) + UNLOAD_DEPTH;

    /// The ROM contents: ω_n^e · 2^32 mod p for e < n/4. (Exponents in [n/4, n/2) are
    /// the word for e − n/4 times ω_n^(n/4), applied by the otherwise idle output
    /// multiplier: a quarter-size ROM is what lets 2^12 points fit the UP5K.)
    pub fn twiddle_table() -> Vec<u64> {
        let w = babybear::root_of_unity(Self::N);
        let mut x = 1u32;
        (0..Self::N / 4)
            .map(|_| {
                let m = babybear::to_mont(x) as u64;
                x = babybear::mul(x, w);
                m
            })
            .collect()
    }
}

impl<const K: usize, const KM1: usize, const KM2: usize> Default for NttEngine<K, KM1, KM2> {
    fn default() -> Self {
        Self::new(BankStyle::DualPort)
    }
}

impl<const K: usize, const KM1: usize, const KM2: usize> NttEngine<K, KM1, KM2> {
    /// An engine whose second bank is built in `bank1` style (`BankStyle::PingPong` puts it
    /// in the UP5K's SPRAM; the first bank and the ROM stay in block RAM).
    pub fn new(bank1: BankStyle) -> Self {
        assert!(
            K >= 3 && KM1 + 1 == K && KM2 + 2 == K,
            "NttEngine<K, KM1, KM2> needs KM1 = K - 1, KM2 = K - 2 and K >= 3"
        );
        let n_inv = babybear::inv(Self::N as u32);
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            in_data: Default::default(),
            inverse: Default::default(),
            in_ready: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_ready: Default::default(),
            busy: Default::default(),
            mont_one: Constant::new(bits(babybear::R_MOD_P as u64)),
            mont_n_inv: Constant::new(bits(babybear::to_mont(n_inv) as u64)),
            half_n: Constant::new(bits((Self::N / 2) as u64)),
            drain_cycles: Constant::new(bits(COMPUTE_DEPTH as u64)),
            bank0: BankRam::new(BankStyle::DualPort),
            bank1: BankRam::new(bank1),
            copy: Default::default(),
            twiddles: SyncRom::new(&Self::twiddle_table()),
            tw_quadrant: Default::default(),
            mont_quarter: Constant::new(bits(babybear::to_mont(babybear::pow(
                babybear::root_of_unity(Self::N),
                Self::N as u64 / 4,
            )) as u64)),
            quarter_n: Constant::new(bits((Self::N / 4) as u64)),
            mul_a: Default::default(),
            mul_b: Default::default(),
            op_delay_u: Default::default(),
            op_delay_v: Default::default(),
            phase: Default::default(),
            inverse_mode: Default::default(),
            count: Default::default(),
            bfly: Default::default(),
            half: Default::default(),
            half_mask: Default::default(),
            exponent: Default::default(),
            exponent_step: Default::default(),
            drain: Default::default(),
            bfly_wide: Default::default(),
            index_u: Default::default(),
            index_v: Default::default(),
            issue: Default::default(),
            rd_addr0: Default::default(),
            rd_addr1: Default::default(),
            a_swap: Default::default(),
            a_valid: Default::default(),
            a_addr_u: Default::default(),
            a_addr_v: Default::default(),
            a_exponent: Default::default(),
            a_out_valid: Default::default(),
            rd_data0: Default::default(),
            rd_data1: Default::default(),
            tw_data: Default::default(),
            swap_read: Default::default(),
            swap_write: Default::default(),
            write_valid: Default::default(),
            addr_u: Default::default(),
            addr_v: Default::default(),
            op_u: Default::default(),
            op_v: Default::default(),
            butterfly: Default::default(),
            all_issued: Default::default(),
            out_count: Default::default(),
            credits: Default::default(),
            fifo: Default::default(),
            fifo_head: Default::default(),
            fifo_tail: Default::default(),
            fifo_fill: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            has_output: Default::default(),
            fifo_depth: Constant::new(bits(16)),
            out_issue: Default::default(),
            out_index: Default::default(),
            reverse: Default::default(),
            out_bank: Default::default(),
            out_operand: Default::default(),
            out_valid_line: Default::default(),
            scale_factor: Default::default(),
            scale: Default::default(),
        }
    }
}

impl<const K: usize, const KM1: usize, const KM2: usize> Logic for NttEngine<K, KM1, KM2> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            phase,
            inverse_mode,
            count,
            bfly,
            half,
            half_mask,
            exponent,
            exponent_step,
            drain,
            op_u,
            op_v,
            all_issued,
            out_count,
            credits,
            fifo_head,
            fifo_tail,
            fifo_fill,
            out_operand,
            scale_factor,
            copy,
            mul_a,
            mul_b,
            rd_addr0,
            rd_addr1,
            a_swap,
            a_valid,
            a_addr_u,
            a_addr_v,
            a_exponent,
            a_out_valid,
            rd_data0,
            rd_data1,
            tw_data
        );
        clock!(
            self,
            clock,
            bank0,
            bank1,
            twiddles,
            tw_quadrant,
            op_delay_u,
            op_delay_v,
            swap_read,
            swap_write,
            write_valid,
            addr_u,
            addr_v,
            butterfly,
            out_bank,
            out_valid_line,
            scale,
            fifo
        );
        self.in_ready.next = self.phase.q.val() == NttPhase::Load;
        self.busy.next =
            (self.phase.q.val() == NttPhase::Compute) | (self.phase.q.val() == NttPhase::Drain);

        // ---- compute pipeline: addresses of butterfly `bfly` in the current pass ----
        // i_u inserts a zero at bit log2(h) of the butterfly index; i_v = i_u + h.
        self.bfly_wide.next = bit_cast::<K, KM1>(self.bfly.q.val());
        self.index_u.next = ((self.bfly_wide.val() & !self.half_mask.q.val()) << 1)
            | (self.bfly_wide.val() & self.half_mask.q.val());
        self.index_v.next = self.index_u.val() | self.half.q.val();
        self.issue.next = self.phase.q.val() == NttPhase::Compute;
        self.twiddles.enable.next = true;
        self.twiddles.address.next = self.a_exponent.q.val().get_bits::<KM2>(0);
        self.tw_quadrant.enable.next = true;
        self.tw_quadrant.x.next = (self.a_exponent.q.val() & self.quarter_n.val()) != 0;
        // Tags that travel with the butterfly to its write-back.
        self.swap_read.enable.next = true;
        self.swap_write.enable.next = true;
        self.write_valid.enable.next = true;
        self.addr_u.enable.next = true;
        self.addr_v.enable.next = true;
        self.swap_read.x.next = self.a_swap.q.val();
        self.swap_write.x.next = self.a_swap.q.val();
        self.write_valid.x.next = self.a_valid.q.val();
        self.addr_u.x.next = self.a_addr_u.q.val();
        self.addr_v.x.next = self.a_addr_v.q.val();
        // Operand register: undo the bank swap, line the twiddle up.
        self.rd_data0.d.next = self.bank0.read_data.val();
        self.rd_data1.d.next = self.bank1.read_data.val();
        self.tw_data.d.next = self.twiddles.data.val();
        if self.swap_read.y.val() {
            self.op_u.d.next = self.rd_data1.q.val();
            self.op_v.d.next = self.rd_data0.q.val();
        } else {
            self.op_u.d.next = self.rd_data0.q.val();
            self.op_v.d.next = self.rd_data1.q.val();
        }
        // The operands wait while the twiddle goes through the multiplier.
        self.op_delay_u.enable.next = true;
        self.op_delay_v.enable.next = true;
        self.op_delay_u.x.next = self.op_u.q.val();
        self.op_delay_v.x.next = self.op_v.q.val();
        self.butterfly.enable.next = true;
        self.butterfly.u.next = self.op_delay_u.y.val();
        self.butterfly.v.next = self.op_delay_v.y.val();
        self.butterfly.w.next = self.scale.y.val();

        // ---- unload pipeline: free-running; a read is issued only against a credit ----
        self.out_issue.next = (self.phase.q.val() == NttPhase::Unload)
            & !self.all_issued.q.val()
            & (self.credits.q.val() != 0);
        if self.inverse_mode.q.val() {
            self.out_index.next = 0 - self.count.q.val();
        } else {
            self.out_index.next = self.count.q.val();
        }
        self.reverse.x.next = self.out_index.val();
        self.out_bank.enable.next = true;
        self.out_bank.x.next = self.a_swap.q.val();
        if self.out_bank.y.val() {
            self.out_operand.d.next = self.rd_data1.q.val();
        } else {
            self.out_operand.d.next = self.rd_data0.q.val();
        }
        // One multiplier, two jobs: while computing it finishes the twiddles (×1 or
        // ×ω^(n/4), in Montgomery form), while unloading it scales the outputs.
        self.scale.enable.next = true;
        if self.phase.q.val() == NttPhase::Unload {
            self.mul_a.d.next = self.out_operand.q.val();
            self.mul_b.d.next = self.scale_factor.q.val();
        } else {
            self.mul_a.d.next = self.tw_data.q.val();
            if self.tw_quadrant.y.val() {
                self.mul_b.d.next = self.mont_quarter.val();
            } else {
                self.mul_b.d.next = self.mont_one.val();
            }
        }
        self.scale.a.next = self.mul_a.q.val();
        // (registered, so the multiplier's DSP inputs come straight from flip-flops)
        if self.inverse_mode.q.val() {
            self.scale_factor.d.next = self.mont_n_inv.val();
        } else {
            self.scale_factor.d.next = self.mont_one.val();
        }
        self.scale.b.next = self.mul_b.q.val();
        self.out_valid_line.enable.next = true;
        self.out_valid_line.x.next = self.a_out_valid.q.val();
        // Output FIFO: scaled words enter at the tail, the consumer takes them at the head.
        self.push.next = self.out_valid_line.y.val();
        self.has_output.next = self.fifo_fill.q.val() != 0;
        self.pop.next = self.has_output.val() & self.out_ready.val();
        self.fifo.write_enable.next = self.push.val();
        self.fifo.write_address.next = self.fifo_tail.q.val();
        self.fifo.write_data.next = self.scale.y.val();
        self.fifo.read_address.next = self.fifo_head.q.val();
        self.out_valid.next = self.has_output.val();
        self.out_data.next = self.fifo.read_data.val();
        if self.push.val() {
            self.fifo_tail.d.next = self.fifo_tail.q.val() + 1;
        }
        if self.pop.val() {
            self.fifo_head.d.next = self.fifo_head.q.val() + 1;
        }
        if self.push.val() & !self.pop.val() {
            self.fifo_fill.d.next = self.fifo_fill.q.val() + 1;
        }
        if self.pop.val() & !self.push.val() {
            self.fifo_fill.d.next = self.fifo_fill.q.val() - 1;
        }
        // A credit is spent by each issued read and comes back when its word leaves.
        if self.out_issue.val() & !self.pop.val() {
            self.credits.d.next = self.credits.q.val() - 1;
        }
        if self.pop.val() & !self.out_issue.val() {
            self.credits.d.next = self.credits.q.val() + 1;
        }

        // ---- bank ports ----
        // Stage A registers the read addresses: the address arithmetic and the parity
        // tree in front of the block RAMs were the engine's critical path.
        self.a_addr_u.d.next = self.index_u.val().get_bits::<KM1>(1);
        self.a_addr_v.d.next = self.index_v.val().get_bits::<KM1>(1);
        self.a_exponent.d.next = self.exponent.q.val();
        if self.phase.q.val() == NttPhase::Unload {
            self.a_valid.d.next = false;
            self.rd_addr0.d.next = self.reverse.y.val().get_bits::<KM1>(1);
            self.rd_addr1.d.next = self.reverse.y.val().get_bits::<KM1>(1);
            self.a_swap.d.next = self.reverse.y.val().xor();
        } else {
            self.a_valid.d.next = self.issue.val();
            self.a_swap.d.next = self.index_u.val().xor();
            if self.index_u.val().xor() {
                self.rd_addr0.d.next = self.index_v.val().get_bits::<KM1>(1);
                self.rd_addr1.d.next = self.index_u.val().get_bits::<KM1>(1);
            } else {
                self.rd_addr0.d.next = self.index_u.val().get_bits::<KM1>(1);
                self.rd_addr1.d.next = self.index_v.val().get_bits::<KM1>(1);
            }
        }
        self.bank0.read_address.next = self.rd_addr0.q.val();
        self.bank1.read_address.next = self.rd_addr1.q.val();
        self.bank0.read_copy.next = self.copy.q.val();
        self.bank1.read_copy.next = self.copy.q.val();
        self.a_out_valid.d.next = self.out_issue.val();
        if self.phase.q.val() == NttPhase::Load {
            self.bank0.write_enable.next = self.in_valid.val() & !self.count.q.val().xor();
            self.bank1.write_enable.next = self.in_valid.val() & self.count.q.val().xor();
            self.bank0.write_address.next = self.count.q.val().get_bits::<KM1>(1);
            self.bank1.write_address.next = self.count.q.val().get_bits::<KM1>(1);
            self.bank0.write_data.next = self.in_data.val();
            self.bank1.write_data.next = self.in_data.val();
        } else {
            self.bank0.write_enable.next = self.write_valid.y.val();
            self.bank1.write_enable.next = self.write_valid.y.val();
            if self.swap_write.y.val() {
                self.bank0.write_address.next = self.addr_v.y.val();
                self.bank0.write_data.next = self.butterfly.y.val();
                self.bank1.write_address.next = self.addr_u.y.val();
                self.bank1.write_data.next = self.butterfly.x.val();
            } else {
                self.bank0.write_address.next = self.addr_u.y.val();
                self.bank0.write_data.next = self.butterfly.x.val();
                self.bank1.write_address.next = self.addr_v.y.val();
                self.bank1.write_data.next = self.butterfly.y.val();
            }
        }

        // ---- sequencing ----
        match self.phase.q.val() {
            NttPhase::Load => {
                if self.in_valid.val() {
                    if self.count.q.val() == 0 {
                        self.inverse_mode.d.next = self.inverse.val();
                    }
                    self.count.d.next = self.count.q.val() + 1;
                    if self.count.q.val().all() {
                        self.phase.d.next = NttPhase::Compute;
                        self.copy.d.next = !self.copy.q.val();
                        self.bfly.d.next = 0.into();
                        self.exponent.d.next = 0.into();
                        self.exponent_step.d.next = 1.into();
                        self.half.d.next = self.half_n.val();
                        self.half_mask.d.next = self.half_n.val() - 1;
                    }
                }
            }
            NttPhase::Compute => {
                self.bfly.d.next = self.bfly.q.val() + 1;
                self.exponent.d.next = self.exponent.q.val() + self.exponent_step.q.val();
                if self.bfly.q.val().all() {
                    self.phase.d.next = NttPhase::Drain;
                    self.drain.d.next = 0.into();
                }
            }
            NttPhase::Drain => {
                self.drain.d.next = self.drain.q.val() + 1;
                // One cycle beyond the pipeline depth: the next pass's first read must
                // come after the last write, not beside it.
                if self.drain.q.val() == self.drain_cycles.val() {
                    // Every word of the pass is written: its results are the data now.
                    self.copy.d.next = !self.copy.q.val();
                    if self.half.q.val() == 1 {
                        self.phase.d.next = NttPhase::Unload;
                        self.count.d.next = 0.into();
                        self.all_issued.d.next = false;
                        self.out_count.d.next = 0.into();
                        self.credits.d.next = self.fifo_depth.val();
                    } else {
                        self.phase.d.next = NttPhase::Compute;
                        self.bfly.d.next = 0.into();
                        self.exponent.d.next = 0.into();
                        self.exponent_step.d.next = self.exponent_step.q.val() << 1;
                        self.half.d.next = self.half.q.val() >> 1;
                        self.half_mask.d.next = self.half_mask.q.val() >> 1;
                    }
                }
            }
            NttPhase::Unload => {
                if self.out_issue.val() {
                    self.count.d.next = self.count.q.val() + 1;
                    if self.count.q.val().all() {
                        self.all_issued.d.next = true;
                    }
                }
                if self.pop.val() {
                    self.out_count.d.next = self.out_count.q.val() + 1;
                    if self.out_count.q.val().all() {
                        self.phase.d.next = NttPhase::Load;
                        self.count.d.next = 0.into();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babybear::P;
    use rand::{Rng, SeedableRng};

    /// Streams each (inverse, data) job through the engine with random valid/ready
    /// gaps and checks the outputs against the software transform.
    fn run<const K: usize, const KM1: usize, const KM2: usize>(
        style: BankStyle,
        jobs: Vec<(bool, Vec<u32>)>,
        seed: u64,
    ) {
        let mut uut = NttEngine::<K, KM1, KM2>::new(style);
        uut.connect_all();
        let mut sim = simple_sim!(NttEngine<K, KM1, KM2>, clock, 100_000_000, ep, {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut x = ep.init()?;
            for (inverse, data) in &jobs {
                let want = if *inverse {
                    babybear::intt(data)
                } else {
                    babybear::ntt(data)
                };
                let mut sent = 0;
                let mut got = vec![];
                let mut cycles = 0;
                while got.len() < data.len() {
                    let offer = sent < data.len() && rng.gen_bool(0.8);
                    x.in_valid.next = offer;
                    x.in_data.next = (if offer { data[sent] } else { 0 } as u64).into();
                    x.inverse.next = *inverse;
                    x.out_ready.next = rng.gen_bool(0.7);
                    // Settle combinational outputs for the new inputs before sampling.
                    x = ep.wait(1, x)?;
                    let took = offer && x.in_ready.val();
                    let out = x.out_valid.val() && x.out_ready.val();
                    let word = x.out_data.val().to_u32();
                    wait_clock_cycle!(ep, clock, x);
                    if took {
                        sent += 1;
                    }
                    if out {
                        got.push(word);
                    }
                    cycles += 1;
                    sim_assert!(ep, cycles < 100_000, x);
                }
                x.in_valid.next = false;
                sim_assert_eq!(ep, got, want, x);
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }

    fn random_vec(rng: &mut impl Rng, n: usize) -> Vec<u32> {
        (0..n).map(|_| rng.gen_range(0..P)).collect()
    }

    #[test]
    fn forward_and_inverse_16() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut ramp: Vec<u32> = (0..16).collect();
        ramp[15] = P - 1;
        let jobs = vec![
            (false, ramp.clone()),
            (true, ramp),
            (false, random_vec(&mut rng, 16)),
            (true, random_vec(&mut rng, 16)),
        ];
        run::<4, 3, 2>(BankStyle::DualPort, jobs.clone(), 1);
        run::<4, 3, 2>(BankStyle::PingPong, jobs, 3);
    }

    #[test]
    fn forward_and_inverse_32() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        let jobs = vec![
            (true, random_vec(&mut rng, 32)),
            (false, random_vec(&mut rng, 32)),
        ];
        run::<5, 4, 3>(BankStyle::DualPort, jobs.clone(), 2);
        run::<5, 4, 3>(BankStyle::PingPong, jobs, 4);
    }

    #[test]
    fn bit_reverse() {
        let mut uut = BitReverse::<5>::default();
        uut.connect_all();
        uut.x.next = bits(0b00111);
        assert!(simulate(&mut uut, 10));
        assert_eq!(uut.y.val(), bits::<5>(0b11100));
    }
}
