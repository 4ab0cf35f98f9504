//! [`BoardSoc`]: core + guest memory + UART/SLIP link + the message layer.
//!
//! Data paths (docs/board-protocol.md says what crosses the wire):
//!
//! * **Receive.** UART → unframer → bytes packed into words in `rxbuf` (the whole frame,
//!   because nothing may act before the CRC has checked at END). A good frame is handed to
//!   the executor; a bad one is dropped without a word (the host times out and resends).
//! * **Execute.** The executor copies LOAD words into guest memory through the core's
//!   loader, INPUT words into `inbuf`, RUN's configuration into registers, and answers.
//! * **Trace.** While a run streams its trace, the filler writes each item the core offers
//!   into one of two chunk slots (40 bytes, one byte a cycle, holding the core's trace port
//!   until the last byte is in). A CHUNK request for the next number waits for the filling
//!   slot to be full (or the run to end), swaps the slots and sends it; the same number
//!   again is answered from the other slot, so the host can re-ask for a lost chunk.
//! * **Transmit.** One reply at a time, byte by byte from registers, `chunks` or `jbuf`,
//!   into the framer → UART.

use super::bufram::BufRam;
use super::{
    board_id, cmd, feature, status, CHUNK_HEADER, CHUNK_ITEMS, FIRMWARE_VERSION, ITEM_BYTES,
    JOURNAL_BITS, JOURNAL_REPLY_MAX, MAX_FRAME, PROTOCOL_VERSION,
};
use crate::core::{CoreSystem, RamStyle};
use crate::link::{SlipRx, SlipTx, UartRx, UartTx};
use crate::mem::BankStyle;
use crate::ntt::NttEngine;
use crate::sha256::Sha256Core;
use rust_hdl::prelude::*;

/// What the executor is doing.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum ExState {
    /// Waiting for a good frame.
    Idle,
    /// CLEAR: writing zeros over guest memory.
    Clear,
    /// LOAD / INPUT: copying the frame's data words.
    Copy,
    /// RUN: reading the configuration words.
    Config,
    /// CHUNK: waiting for the filling slot to complete.
    WaitChunk,
    /// NTT_READ: collecting the next output piece from the NTT engine into `rxbuf`.
    NttRead,
    /// SHA256: loading state and blocks, compressing, writing the state into `rxbuf`.
    Sha,
    /// Sending the reply.
    Reply,
}

// Reply kinds (`tx_kind`), written as literals below: 0 ack (seq, status), 1 INFO,
// 2 STATUS, 3 CHUNK, 4 JOURNAL, 5 NTT_READ.
// Copy targets (`ex_target`): 0 guest memory, 1 input buffer, 2 the NTT engine.

/// How a [`BoardSoc`] is built.
#[derive(Clone, Copy, Debug)]
pub struct BoardConfig {
    /// [`board_id`] reported by INFO.
    pub board: u8,
    /// Clock frequency reported by INFO.
    pub clock_hz: u32,
    /// UART bit time in clocks.
    pub divisor: u16,
    /// How guest memory is written in Verilog.
    pub ram: RamStyle,
    /// The core's divider is the serial one (the UP5K's, smaller and slower).
    pub serial_divider: bool,
    /// The LEDs light on a low output (iCEBreaker).
    pub leds_active_low: bool,
    /// Serve NTT jobs with the engine's second bank built this way; `None`: no NTT (the
    /// engine type parameter is then the smallest, and synthesis removes it).
    pub ntt: Option<BankStyle>,
    /// Serve SHA256 jobs with the SHA-256 core, in its carry-save form when `true`;
    /// `None`: no SHA-256 (the core and its job registers are then removed by synthesis).
    pub sha: Option<bool>,
}

/// The board: see the module documentation. `RA`: guest memory is 2^RA words
/// (MEM_TOP = 4·2^RA); `IA`: the private-input buffer is 2^IA words; `NK`: the NTT engine
/// transforms 2^NK values (`NK1`, `NK2` = NK − 1, NK − 2, as [`NttEngine`] needs).
#[derive(LogicBlock)]
pub struct BoardSoc<
    const RA: usize,
    const IA: usize,
    const NK: usize,
    const NK1: usize,
    const NK2: usize,
> {
    /// The one clock.
    pub clock: Signal<In, Clock>,
    /// UART line from the host.
    pub rx: Signal<In, Bit>,
    /// UART line to the host.
    pub tx: Signal<Out, Bit>,
    /// LED 0: running; LED 1: the last run faulted.
    pub leds: Signal<Out, Bits<2>>,

    sys: CoreSystem<RA>,
    uart_rx: UartRx,
    unframer: SlipRx,
    framer: SlipTx,
    uart_tx: UartTx,
    // (BufRam: none of these uses a word read on the edge that writes it. rxbuf is written
    // by the receiver only while the executor is idle with no frame pending, when nothing
    // uses its output, and by NTT_READ and SHA256 before their reply reads it; inbuf only
    // by INPUT, refused while the core (the only reader) runs; jbuf at the journal's end,
    // past every byte a JOURNAL reply reads; chunks in the filling slot, the reply reads
    // the other.)
    rxbuf: BufRam<32, 7>,
    inbuf: BufRam<32, IA>,
    jbuf: BufRam<8, JOURNAL_BITS>,
    chunks: BufRam<8, 10>,
    ntt: NttEngine<NK, NK1, NK2>,
    sha: Sha256Core,

    // INFO words 0..6 (word 0 without seq and status), other constants
    info0: Constant<Bits<32>>,
    info1: Constant<Bits<32>>,
    mem_top: Constant<Bits<32>>,
    input_cap: Constant<Bits<32>>,
    journal_cap: Constant<Bits<32>>,
    clock_hz: Constant<Bits<32>>,
    divisor: Constant<Bits<32>>,
    mem_words: Constant<Bits<21>>,
    input_words: Constant<Bits<21>>,
    mem_last: Constant<Bits<RA>>,
    mem_above: Constant<Bits<21>>,
    mem_below: Constant<Bits<21>>,
    input_above: Constant<Bits<21>>,
    input_below: Constant<Bits<21>>,
    led_invert: Constant<Bits<2>>,
    has_ntt: Constant<Bit>,
    has_sha: Constant<Bit>,
    /// NTT or SHA-256: answers of words from rxbuf exist.
    has_words: Constant<Bit>,
    /// Bits of a RUN input length above the input buffer's size, and below it.
    len_above: Constant<Bits<32>>,
    len_below: Constant<Bits<32>>,
    ntt_n: Constant<Bits<32>>,
    ntt_k: Constant<Bits<32>>,

    // receive
    rx_count: DFF<Bits<11>>,
    rx_over: DFF<Bit>,
    rx_drop: DFF<Bit>,
    /// The frame being received has written rxbuf past word 1, where an NTT piece waits to
    /// be sent again: at its end, good or damaged, the piece is gone.
    rx_dirty: DFF<Bit>,
    rx_word: DFF<Bits<32>>,
    /// seq and cmd of the frame (bytes 2 and 3 are not looked at).
    rx_hdr: DFF<Bits<16>>,
    rx_arg: DFF<Bits<32>>,
    pend: DFF<Bit>,
    pend_len: DFF<Bits<11>>,
    pend_over: DFF<Bit>,
    rx_full: Signal<Local, Bits<32>>,

    // execute
    ex: DFF<ExState>,
    ex_words: DFF<Bits<8>>,
    ex_k: DFF<Bits<8>>,
    ex_phase: DFF<Bit>,
    /// Word address of the next LOAD / INPUT / CLEAR write (guest memory, the larger).
    ex_dest: DFF<Bits<RA>>,
    ex_target: DFF<Bits<2>>,
    last_seq: DFF<Bits<8>>,
    d_seq: Signal<Local, Bits<8>>,
    d_cmd: Signal<Local, Bits<8>>,
    d_words: Signal<Local, Bits<8>>,
    // LOAD / INPUT: the frame's end word (argument bits 2..21 + words), and whether the
    // argument has bits above those (then it is out of every buffer)
    d_end: Signal<Local, Bits<21>>,
    arg_high: Signal<Local, Bit>,
    mem_over: Signal<Local, Bit>,
    input_over: Signal<Local, Bit>,
    // JOURNAL: bytes kept (at most 4 KiB, so 16 bits), left after the offset, and whether
    // the offset is past them
    j_max: Signal<Local, Bits<17>>,
    j_left: Signal<Local, Bits<17>>,
    j_past: Signal<Local, Bit>,
    /// The first RUN word (input length) is over the input buffer.
    len_over: Signal<Local, Bit>,
    d_ntt_end: Signal<Local, Bits<32>>,
    ntt_in_ready: Signal<Local, Bit>,
    ntt_left: Signal<Local, Bits<32>>,
    // NTT jobs: armed by NTT_RUN; values taken and given; output pieces (64 values each,
    // collected in rxbuf words 2.., which an 8-byte request frame leaves alone)
    ntt_armed: DFF<Bit>,
    ntt_inverse: DFF<Bit>,
    ntt_in: DFF<Bits<32>>,
    ntt_out: DFF<Bits<32>>,
    ntt_piece: DFF<Bits<32>>,
    ntt_piece_valid: DFF<Bit>,
    ntt_piece_len: DFF<Bits<8>>,
    // SHA256 jobs: the chaining state and the block being assembled from rxbuf words,
    // the step (0 load words, 1 start, 2 wait, 3 write the result), blocks asked and done
    sha_state: DFF<Bits<256>>,
    sha_block: DFF<Bits<512>>,
    sha_step: DFF<Bits<2>>,
    sha_blocks: DFF<Bits<3>>,
    sha_no: DFF<Bits<3>>,
    d_sha_words: Signal<Local, Bits<8>>,
    rx_swapped: Signal<Local, Bits<32>>,
    j_addr: Signal<Local, Bits<12>>,

    // run configuration and state
    cfg_code_lo: DFF<Bits<32>>,
    cfg_code_hi: DFF<Bits<32>>,
    cfg_max: DFF<Bits<32>>,
    /// At most the input buffer's 4·2^IA bytes (RUN refuses more).
    cfg_input_len: DFF<Bits<16>>,
    /// RUN's input length is over the buffer (registered in its configuration).
    len_bad: DFF<Bit>,
    cfg_stream: DFF<Bit>,
    started: DFF<Bit>,
    start_pulse: DFF<Bit>,
    run_clocks: DFF<Bits<32>>,
    j_len: DFF<Bits<32>>,
    in_ptr: DFF<Bits<16>>,
    in_ok: DFF<Bit>,
    in_word: Signal<Local, Bits<32>>,
    state_code: Signal<Local, Bits<8>>,

    // trace chunks
    fill_slot: DFF<Bit>,
    fill_count: DFF<Bits<4>>,
    fill_base: DFF<Bits<9>>,
    /// Bit i: item i is a syscall access (12 items a chunk).
    fill_kinds: DFF<Bits<12>>,
    ser: DFF<Bits<6>>,
    next_n: DFF<Bits<32>>,
    /// next_n − the number asked for: 1 asks again for the chunk sent last, 0 for the next
    /// (one subtractor instead of an incrementer and two comparators)
    n_behind: Signal<Local, Bits<32>>,
    n_behind_le1: Signal<Local, Bit>,
    sent_valid: DFF<Bit>,
    sent_count: DFF<Bits<4>>,
    sent_kinds: DFF<Bits<12>>,
    sent_last: DFF<Bit>,
    item_word: Signal<Local, Bits<32>>,
    item_byte: Signal<Local, Bits<8>>,
    /// The fast-clock build (the ULX3S's pipelined RAM): the filler's byte, address and
    /// enable are registered before `chunks`, so that no path runs from the core's
    /// write-back (a MUL's sum, a load's lanes) through the byte select to the block RAM.
    late_fill: Constant<Bit>,
    fill_we: DFF<Bit>,
    fill_addr: DFF<Bits<10>>,
    fill_byte: DFF<Bits<8>>,
    complete: Signal<Local, Bit>,
    fill_len: Signal<Local, Bits<11>>,
    sent_len: Signal<Local, Bits<11>>,

    // transmit
    tx_kind: DFF<Bits<3>>,
    tx_status: DFF<Bits<8>>,
    tx_len: DFF<Bits<11>>,
    tx_idx: DFF<Bits<11>>,
    tx_settled: DFF<Bit>,
    /// The byte for the framer, registered: `tx_idx` → RAM or reply select → here, then
    /// the framer's CRC and escape in the next cycle (ULX3S timing).
    tx_byte: DFF<Bits<8>>,
    /// `tx_byte` holds the byte for `tx_idx` (a cycle after `tx_settled`).
    tx_ready: DFF<Bit>,
    reply_word: Signal<Local, Bits<32>>,
    reply_byte: Signal<Local, Bits<8>>,
    head_word: Signal<Local, Bits<32>>,
    c_off: Signal<Local, Bits<11>>,
}

impl<const RA: usize, const IA: usize, const NK: usize, const NK1: usize, const NK2: usize>
    BoardSoc<RA, IA, NK, NK1, NK2>
{
    /// A board built as `config` says.
    pub fn new(config: BoardConfig) -> Self {
        // the narrowed address arithmetic below: word addresses of 20 bits, byte counts
        // into the input buffer of 16
        assert!(IA <= RA && RA <= 20 && IA + 3 <= 16);
        let c32 = |v: u64| Constant::<Bits<32>>::new(v.into());
        let has_ntt = config.ntt.is_some();
        let has_sha = config.sha.is_some();
        let features = feature::TRACE as u64
            | if has_ntt { feature::NTT as u64 } else { 0 }
            | if has_sha { feature::SHA256 as u64 } else { 0 };
        let ntt_k = if has_ntt { NK as u64 } else { 0 };
        let info0 = ((PROTOCOL_VERSION as u64) << 16) | ((FIRMWARE_VERSION as u64) << 24);
        let info1 =
            (config.board as u64) | (features << 8) | ((CHUNK_ITEMS as u64) << 16) | (ntt_k << 24);
        let _ = board_id::SIM;
        Self {
            clock: Default::default(),
            rx: Default::default(),
            tx: Default::default(),
            leds: Default::default(),
            sys: CoreSystem::with_divider(config.ram, config.serial_divider),
            uart_rx: UartRx::new(config.divisor),
            unframer: Default::default(),
            framer: Default::default(),
            uart_tx: UartTx::new(config.divisor),
            rxbuf: Default::default(),
            inbuf: Default::default(),
            jbuf: Default::default(),
            chunks: Default::default(),
            ntt: NttEngine::new(config.ntt.unwrap_or_default()),
            sha: Sha256Core::new(config.sha.unwrap_or(false)),
            info0: c32(info0),
            info1: c32(info1),
            mem_top: c32(4u64 << RA),
            input_cap: c32(4u64 << IA),
            journal_cap: c32(1u64 << JOURNAL_BITS),
            clock_hz: c32(config.clock_hz as u64),
            divisor: c32(config.divisor as u64),
            mem_words: Constant::new((1u64 << RA).into()),
            input_words: Constant::new((1u64 << IA).into()),
            mem_last: Constant::new(((1u64 << RA) - 1).into()),
            mem_above: Constant::new((((1u64 << 21) - 1) & !((2u64 << RA) - 1)).into()),
            mem_below: Constant::new(((1u64 << RA) - 1).into()),
            input_above: Constant::new((((1u64 << 21) - 1) & !((2u64 << IA) - 1)).into()),
            input_below: Constant::new(((1u64 << IA) - 1).into()),
            led_invert: Constant::new(if config.leds_active_low { 3u64 } else { 0 }.into()),
            has_ntt: Constant::new(has_ntt),
            has_sha: Constant::new(has_sha),
            has_words: Constant::new(has_ntt || has_sha),
            len_above: c32(0xffff_ffff & !((8u64 << IA) - 1)),
            len_below: c32((4u64 << IA) - 1),
            ntt_n: c32(1u64 << NK),
            ntt_k: c32(NK as u64),
            rx_count: Default::default(),
            rx_over: Default::default(),
            rx_drop: Default::default(),
            rx_dirty: Default::default(),
            rx_word: Default::default(),
            rx_hdr: Default::default(),
            rx_arg: Default::default(),
            pend: Default::default(),
            pend_len: Default::default(),
            pend_over: Default::default(),
            rx_full: Default::default(),
            ex: Default::default(),
            ex_words: Default::default(),
            ex_k: Default::default(),
            ex_phase: Default::default(),
            ex_dest: Default::default(),
            ex_target: Default::default(),
            last_seq: Default::default(),
            d_seq: Default::default(),
            d_cmd: Default::default(),
            d_words: Default::default(),
            d_end: Default::default(),
            arg_high: Default::default(),
            mem_over: Default::default(),
            input_over: Default::default(),
            j_max: Default::default(),
            j_left: Default::default(),
            j_past: Default::default(),
            len_over: Default::default(),
            d_ntt_end: Default::default(),
            ntt_in_ready: Default::default(),
            ntt_left: Default::default(),
            ntt_armed: Default::default(),
            ntt_inverse: Default::default(),
            ntt_in: Default::default(),
            ntt_out: Default::default(),
            ntt_piece: Default::default(),
            ntt_piece_valid: Default::default(),
            ntt_piece_len: Default::default(),
            sha_state: Default::default(),
            sha_block: Default::default(),
            sha_step: Default::default(),
            sha_blocks: Default::default(),
            sha_no: Default::default(),
            d_sha_words: Default::default(),
            rx_swapped: Default::default(),
            j_addr: Default::default(),
            cfg_code_lo: Default::default(),
            cfg_code_hi: Default::default(),
            cfg_max: Default::default(),
            cfg_input_len: Default::default(),
            len_bad: Default::default(),
            cfg_stream: Default::default(),
            started: Default::default(),
            start_pulse: Default::default(),
            run_clocks: Default::default(),
            j_len: Default::default(),
            in_ptr: Default::default(),
            in_ok: Default::default(),
            in_word: Default::default(),
            state_code: Default::default(),
            fill_slot: Default::default(),
            fill_count: Default::default(),
            fill_base: Default::default(),
            fill_kinds: Default::default(),
            ser: Default::default(),
            next_n: Default::default(),
            n_behind: Default::default(),
            n_behind_le1: Default::default(),
            sent_valid: Default::default(),
            sent_count: Default::default(),
            sent_kinds: Default::default(),
            sent_last: Default::default(),
            item_word: Default::default(),
            item_byte: Default::default(),
            late_fill: Constant::new(matches!(config.ram, RamStyle::Pipelined)),
            fill_we: Default::default(),
            fill_addr: Default::default(),
            fill_byte: Default::default(),
            complete: Default::default(),
            fill_len: Default::default(),
            sent_len: Default::default(),
            tx_kind: Default::default(),
            tx_status: Default::default(),
            tx_len: Default::default(),
            tx_idx: Default::default(),
            tx_settled: Default::default(),
            tx_byte: Default::default(),
            tx_ready: Default::default(),
            reply_word: Default::default(),
            reply_byte: Default::default(),
            head_word: Default::default(),
            c_off: Default::default(),
        }
    }
}

// The constants the update below writes as literals (hdl_gen takes literals, not paths);
// a change here without one there fails this check at compile time.
const _: () = {
    assert!(CHUNK_ITEMS == 12 && ITEM_BYTES == 40 && CHUNK_HEADER == 12);
    assert!(MAX_FRAME == 512 && JOURNAL_REPLY_MAX == 256 && JOURNAL_BITS == 12);
    assert!(cmd::INFO == 1 && cmd::CLEAR == 2 && cmd::LOAD == 3 && cmd::INPUT == 4);
    assert!(cmd::RUN == 5 && cmd::STATUS == 6 && cmd::CHUNK == 7 && cmd::JOURNAL == 8);
    assert!(cmd::DISCARD == 9 && cmd::NTT_LOAD == 16 && cmd::NTT_RUN == 17);
    assert!(cmd::NTT_READ == 18 && cmd::SHA256 == 19);
    assert!(status::OK == 0 && status::UNKNOWN == 1 && status::BAD_LENGTH == 2);
    assert!(status::BAD_ADDRESS == 3 && status::BUSY == 4 && status::WINDOW == 5);
    assert!(status::NO_TRACE == 6 && status::BAD_ARGUMENT == 7);
};

impl<const RA: usize, const IA: usize, const NK: usize, const NK1: usize, const NK2: usize> Logic
    for BoardSoc<RA, IA, NK, NK1, NK2>
{
    // hdl_gen translates no match guards, so conditions stay inside the arms.
    #[allow(clippy::collapsible_match)]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            rx_count,
            rx_over,
            rx_drop,
            rx_dirty,
            rx_word,
            rx_hdr,
            rx_arg,
            pend,
            pend_len,
            pend_over,
            ex,
            ex_words,
            ex_k,
            ex_phase,
            ex_dest,
            ex_target,
            last_seq,
            cfg_code_lo,
            cfg_code_hi,
            cfg_max,
            cfg_input_len,
            len_bad,
            cfg_stream,
            started,
            start_pulse,
            run_clocks,
            j_len,
            in_ptr,
            in_ok,
            fill_slot,
            fill_count,
            fill_base,
            fill_kinds,
            fill_we,
            fill_addr,
            fill_byte,
            ser,
            next_n,
            sent_valid,
            sent_count,
            sent_kinds,
            sent_last,
            tx_kind,
            tx_status,
            tx_len,
            tx_idx,
            tx_settled,
            tx_byte,
            tx_ready,
            ntt_armed,
            ntt_inverse,
            ntt_in,
            ntt_out,
            ntt_piece,
            ntt_piece_valid,
            ntt_piece_len,
            sha_state,
            sha_block,
            sha_step,
            sha_blocks,
            sha_no
        );
        clock!(self, clock, sys, uart_rx, unframer, framer, uart_tx, ntt, sha);
        self.rxbuf.clock.next = self.clock.val();
        self.inbuf.clock.next = self.clock.val();
        self.jbuf.clock.next = self.clock.val();
        self.chunks.clock.next = self.clock.val();

        // ---- pins and the byte level
        self.uart_rx.rx.next = self.rx.val();
        self.unframer.rx_byte.next = self.uart_rx.data.val();
        self.unframer.valid.next = self.uart_rx.valid.val();
        self.uart_tx.data.next = self.framer.out_data.val();
        self.uart_tx.valid.next = self.framer.out_valid.val();
        self.framer.out_ready.next = self.uart_tx.ready.val();
        self.tx.next = self.uart_tx.tx.val();
        self.leds.next = (bit_cast::<2, 1>(self.sys.running.val().into())
            | (bit_cast::<2, 1>((self.started.q.val() && self.sys.faulted.val()).into()) << 1))
            ^ self.led_invert.val();

        // ---- receive: pack bytes into words of rxbuf; hand a good frame to the executor
        self.rx_full.next =
            (self.rx_word.q.val() >> 8) | (bit_cast::<32, 8>(self.unframer.data.val()) << 24);
        self.rxbuf.write_enable.next = false;
        self.rxbuf.write_address.next = self.rx_count.q.val().get_bits::<7>(2);
        self.rxbuf.write_data.next = self.rx_full.val();
        if self.unframer.data_valid.val() {
            if self.ex.q.val() != ExState::Idle || self.pend.q.val() {
                // The executor owns rxbuf: the host sent before its answer came (or noise).
                self.rx_drop.d.next = true;
            }
            if self.rx_count.q.val() == 512 {
                self.rx_over.d.next = true;
            } else {
                self.rx_count.d.next = self.rx_count.q.val() + 1;
            }
            self.rx_word.d.next = self.rx_full.val();
            if (self.rx_count.q.val().get_bits::<2>(0) == 3)
                && !self.rx_over.q.val()
                && !self.rx_drop.q.val()
                && (self.ex.q.val() == ExState::Idle)
                && !self.pend.q.val()
            {
                self.rxbuf.write_enable.next = true;
                if self.rx_count.q.val() > 8 {
                    self.rx_dirty.d.next = true;
                }
                if self.rx_count.q.val() == 3 {
                    self.rx_hdr.d.next = self.rx_full.val().get_bits::<16>(0);
                }
                if self.rx_count.q.val() == 7 {
                    self.rx_arg.d.next = self.rx_full.val();
                }
            }
        }
        if self.unframer.frame_end.val() {
            if self.unframer.frame_good.val()
                && !self.rx_drop.q.val()
                && (self.ex.q.val() == ExState::Idle)
                && !self.pend.q.val()
            {
                self.pend.d.next = true;
                self.pend_len.d.next = self.rx_count.q.val();
                self.pend_over.d.next = self.rx_over.q.val();
            }
            if self.rx_dirty.q.val() {
                // also a damaged frame, which the executor never sees (the executor cannot
                // be in NttRead here: rxbuf is written only while it is idle)
                self.ntt_piece_valid.d.next = false;
            }
            self.rx_count.d.next = 0.into();
            self.rx_over.d.next = false;
            self.rx_drop.d.next = false;
            self.rx_dirty.d.next = false;
        }

        // ---- the core: configuration, input feeder, journal sink
        self.sys.start.next = self.start_pulse.q.val();
        self.start_pulse.d.next = false;
        // The core takes the entry point only with `start`: it comes straight from rxbuf,
        // which Config leaves addressing RUN's first word (no register holds it).
        self.sys.entry.next = self.rxbuf.read_data.val();
        self.sys.code_lo.next = self.cfg_code_lo.q.val();
        self.sys.code_hi.next = self.cfg_code_hi.q.val();
        self.sys.max_cycles.next = self.cfg_max.q.val();
        self.sys.input_len.next = bit_cast::<32, 16>(self.cfg_input_len.q.val());
        self.sys.load_we.next = false;
        self.sys.load_addr.next = self.ex_dest.q.val();
        self.sys.load_data.next = 0.into();
        // Counters add their enable (the carry chain's input) rather than choose between
        // q + 1 and q: one logic cell a bit instead of two on the iCE40.
        self.run_clocks.d.next =
            self.run_clocks.q.val() + bit_cast::<32, 1>(self.sys.running.val().into());

        // input: inbuf is read a cycle ahead, so each byte waits one cycle after the last
        self.inbuf.read_address.next = self.in_ptr.q.val().get_bits::<IA>(2);
        self.in_word.next = self.inbuf.read_data.val();
        match self.in_ptr.q.val().get_bits::<2>(0).index() {
            0 => self.sys.input_data.next = self.in_word.val().get_bits::<8>(0),
            1 => self.sys.input_data.next = self.in_word.val().get_bits::<8>(8),
            2 => self.sys.input_data.next = self.in_word.val().get_bits::<8>(16),
            _ => self.sys.input_data.next = self.in_word.val().get_bits::<8>(24),
        }
        self.sys.input_valid.next = self.started.q.val()
            && self.in_ok.q.val()
            && (self.in_ptr.q.val() < self.cfg_input_len.q.val());
        self.in_ok.d.next = !(self.sys.input_valid.val() && self.sys.input_ready.val());
        self.in_ptr.d.next = self.in_ptr.q.val()
            + bit_cast::<16, 1>((self.sys.input_valid.val() && self.sys.input_ready.val()).into());

        // journal: always taken; kept while it fits, counted always
        self.sys.journal_ready.next = true;
        self.jbuf.write_address.next = self.j_len.q.val().get_bits::<12>(0);
        self.jbuf.write_data.next = self.sys.journal_data.val();
        self.jbuf.write_enable.next = false;
        self.j_len.d.next =
            self.j_len.q.val() + bit_cast::<32, 1>(self.sys.journal_valid.val().into());
        if self.sys.journal_valid.val() {
            // below 4 KiB: nothing above bit 11
            self.jbuf.write_enable.next = self.j_len.q.val().get_bits::<20>(12) == 0;
        }

        // ---- trace filler: one byte of the offered item a cycle into the filling slot.
        // pc, insn, rs1's value and next pc all come from trace_pc: the core shifts them
        // along after each of the first three words (trace_shift, below).
        match self.ser.q.val().get_bits::<4>(2).index() {
            0 => self.item_word.next = self.sys.trace_pc.val(),
            1 => self.item_word.next = self.sys.trace_pc.val(),
            2 => self.item_word.next = self.sys.trace_pc.val(),
            3 => self.item_word.next = self.sys.trace_rs2_data.val(),
            4 => self.item_word.next = self.sys.trace_rd_data.val(),
            5 => self.item_word.next = self.sys.trace_mem_addr.val(),
            6 => self.item_word.next = self.sys.trace_mem_rdata.val(),
            7 => self.item_word.next = self.sys.trace_mem_wdata.val(),
            8 => self.item_word.next = self.sys.trace_pc.val(),
            _ => {
                self.item_word.next = bit_cast::<32, 5>(self.sys.trace_rs1.val())
                    | (bit_cast::<32, 5>(self.sys.trace_rs2.val()) << 8)
                    | (bit_cast::<32, 5>(self.sys.trace_rd.val()) << 16)
                    | (bit_cast::<32, 4>(self.sys.trace_mem_rmask.val()) << 24)
                    | (bit_cast::<32, 4>(self.sys.trace_mem_wmask.val()) << 28)
            }
        }
        match self.ser.q.val().get_bits::<2>(0).index() {
            0 => self.item_byte.next = self.item_word.val().get_bits::<8>(0),
            1 => self.item_byte.next = self.item_word.val().get_bits::<8>(8),
            2 => self.item_byte.next = self.item_word.val().get_bits::<8>(16),
            _ => self.item_byte.next = self.item_word.val().get_bits::<8>(24),
        }
        self.chunks.write_address.next = (bit_cast::<10, 1>(self.fill_slot.q.val().into()) << 9)
            | bit_cast::<10, 9>(self.fill_base.q.val() + bit_cast::<9, 6>(self.ser.q.val()));
        self.chunks.write_data.next = self.item_byte.val();
        self.chunks.write_enable.next = false;
        self.fill_addr.d.next = (bit_cast::<10, 1>(self.fill_slot.q.val().into()) << 9)
            | bit_cast::<10, 9>(self.fill_base.q.val() + bit_cast::<9, 6>(self.ser.q.val()));
        self.fill_byte.d.next = self.item_byte.val();
        self.fill_we.d.next = false;
        // Without streaming the trace is dropped: the core runs at full speed.
        self.sys.trace_ready.next = !self.cfg_stream.q.val();
        self.sys.trace_shift.next = false;
        if self.cfg_stream.q.val() && self.sys.trace_valid.val() && (self.fill_count.q.val() != 12)
        {
            self.chunks.write_enable.next = true;
            self.fill_we.d.next = true;
            // the last byte of word 0, 1 or 2 (bytes 3, 7, 11): the next word to trace_pc
            // (harmless on a syscall access: write-back is empty then)
            self.sys.trace_shift.next =
                (self.ser.q.val().get_bits::<2>(0) == 3) && (self.ser.q.val().get_bits::<4>(2) < 3);
            self.ser.d.next = self.ser.q.val() + 1;
            if self.ser.q.val() == 39 {
                self.sys.trace_ready.next = true;
                self.ser.d.next = 0.into();
                self.fill_base.d.next = self.fill_base.q.val() + 40;
                self.fill_count.d.next = self.fill_count.q.val() + 1;
                self.fill_kinds.d.next = self.fill_kinds.q.val()
                    | (bit_cast::<12, 1>(self.sys.trace_kind.val().into())
                        << bit_cast::<12, 4>(self.fill_count.q.val()));
            }
        }
        // (The fast-clock build writes each byte a cycle later; a chunk's bytes are read
        // only after its 12-byte header has gone out, hundreds of clocks after the last
        // write.)
        if self.late_fill.val() {
            self.chunks.write_enable.next = self.fill_we.q.val();
            self.chunks.write_address.next = self.fill_addr.q.val();
            self.chunks.write_data.next = self.fill_byte.q.val();
        }
        self.complete.next = (self.fill_count.q.val() == 12) || self.sys.done.val();
        // the chunk number moves on as WaitChunk sends the chunk
        self.next_n.d.next = self.next_n.q.val()
            + bit_cast::<32, 1>(
                ((self.ex.q.val() == ExState::WaitChunk) && self.complete.val()).into(),
            );
        // a chunk answer's length, 12 + 40 per item (as tables: a LUT per bit)
        match self.fill_count.q.val().index() {
            0 => self.fill_len.next = 12.into(),
            1 => self.fill_len.next = 52.into(),
            2 => self.fill_len.next = 92.into(),
            3 => self.fill_len.next = 132.into(),
            4 => self.fill_len.next = 172.into(),
            5 => self.fill_len.next = 212.into(),
            6 => self.fill_len.next = 252.into(),
            7 => self.fill_len.next = 292.into(),
            8 => self.fill_len.next = 332.into(),
            9 => self.fill_len.next = 372.into(),
            10 => self.fill_len.next = 412.into(),
            11 => self.fill_len.next = 452.into(),
            _ => self.fill_len.next = 492.into(),
        }
        match self.sent_count.q.val().index() {
            0 => self.sent_len.next = 12.into(),
            1 => self.sent_len.next = 52.into(),
            2 => self.sent_len.next = 92.into(),
            3 => self.sent_len.next = 132.into(),
            4 => self.sent_len.next = 172.into(),
            5 => self.sent_len.next = 212.into(),
            6 => self.sent_len.next = 252.into(),
            7 => self.sent_len.next = 292.into(),
            8 => self.sent_len.next = 332.into(),
            9 => self.sent_len.next = 372.into(),
            10 => self.sent_len.next = 412.into(),
            11 => self.sent_len.next = 452.into(),
            _ => self.sent_len.next = 492.into(),
        }

        self.n_behind.next = self.next_n.q.val() - self.rx_arg.q.val();
        self.n_behind_le1.next = self.n_behind.val().get_bits::<31>(1) == 0;

        // ---- status helpers
        if !self.started.q.val() {
            self.state_code.next = 0.into();
        } else if !self.sys.done.val() {
            self.state_code.next = 1.into();
        } else if self.sys.halted.val() {
            self.state_code.next = 2.into();
        } else {
            self.state_code.next = 3.into();
        }
        // journal bytes held, and how many are left after the requested offset
        self.j_max.next = bit_cast::<17, 12>(self.j_len.q.val().get_bits::<12>(0));
        if self.j_len.q.val().get_bits::<20>(12) != 0 {
            self.j_max.next = 4096.into();
        }
        // 17 bits: the top one is the borrow, set when the offset is past j_max
        self.j_left.next =
            self.j_max.val() - bit_cast::<17, 16>(self.rx_arg.q.val().get_bits::<16>(0));
        self.j_past.next =
            (self.rx_arg.q.val().get_bits::<16>(16) != 0) || self.j_left.val().get_bit(16);

        // ---- executor
        self.d_seq.next = self.rx_hdr.q.val().get_bits::<8>(0);
        self.d_cmd.next = self.rx_hdr.q.val().get_bits::<8>(8);
        self.d_words.next = self.pend_len.q.val().get_bits::<8>(2) - 2;
        self.d_end.next = bit_cast::<21, 20>(self.rx_arg.q.val().get_bits::<20>(2))
            + bit_cast::<21, 8>(self.d_words.val());
        self.arg_high.next = self.rx_arg.q.val().get_bits::<10>(22) != 0;
        // d_end over 2^RA (2^IA): a bit above 2^RA set, or that bit and a lower one
        self.mem_over.next = ((self.d_end.val() & self.mem_above.val()) != 0)
            || (((self.d_end.val() & self.mem_words.val()) != 0)
                && ((self.d_end.val() & self.mem_below.val()) != 0));
        self.input_over.next = ((self.d_end.val() & self.input_above.val()) != 0)
            || (((self.d_end.val() & self.input_words.val()) != 0)
                && ((self.d_end.val() & self.input_below.val()) != 0));
        // RUN's input length over 4·2^IA: a bit above the capacity's, or its bit and a lower one
        self.len_over.next = ((self.rxbuf.read_data.val() & self.len_above.val()) != 0)
            || (((self.rxbuf.read_data.val() & self.input_cap.val()) != 0)
                && ((self.rxbuf.read_data.val() & self.len_below.val()) != 0));
        self.rxbuf.read_address.next = bit_cast::<7, 8>(self.ex_k.q.val() + 2);
        self.inbuf.write_address.next = self.ex_dest.q.val().get_bits::<IA>(0);
        self.inbuf.write_data.next = self.rxbuf.read_data.val();
        self.inbuf.write_enable.next = false;
        self.ntt.in_valid.next = false;
        self.ntt.in_data.next = self.rxbuf.read_data.val();
        self.ntt.inverse.next = self.ntt_inverse.q.val();
        self.ntt.out_ready.next = false;
        // A board without an engine (has_ntt / has_sha constant false) must not depend on the
        // engine's outputs anywhere, nor run the states that feed it: synthesis then removes
        // the engine and its job registers (the iCEBreaker's UP5K has no room for them).
        self.ntt_in_ready.next = self.ntt.in_ready.val() && self.has_ntt.val();
        self.d_ntt_end.next = self.rx_arg.q.val() + bit_cast::<32, 8>(self.d_words.val());
        self.ntt_left.next = self.ntt_n.val() - self.ntt_out.q.val();
        // SHA256: 8 state words, then 16 words per block; block words go in big-endian
        // (the core wants message byte 0 in the top bits)
        self.d_sha_words.next = (bit_cast::<8, 3>(self.rx_arg.q.val().get_bits::<3>(0)) << 4) + 8;
        self.rx_swapped.next = (bit_cast::<32, 8>(self.rxbuf.read_data.val().get_bits::<8>(0))
            << 24)
            | (bit_cast::<32, 8>(self.rxbuf.read_data.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.rxbuf.read_data.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.rxbuf.read_data.val().get_bits::<8>(24));
        self.sha.start.next = false;
        self.sha.merkle.next = false;
        self.sha.chain.next = self.sha_no.q.val() != 0;
        self.sha.state_in.next = self.sha_state.q.val();
        self.sha.block_in.next = self.sha_block.q.val();
        match self.ex.q.val() {
            ExState::Idle => {
                if self.pend.q.val() {
                    self.pend.d.next = false;
                    self.ex_words.d.next = self.d_words.val();
                    self.ex_k.d.next = 0.into();
                    self.ex_phase.d.next = false;
                    self.ex_dest.d.next = self.rx_arg.q.val().get_bits::<RA>(2);
                    self.last_seq.d.next = self.d_seq.val();
                    if self.pend_len.q.val() != 8 {
                        // the frame's data overwrote rxbuf past word 1: no NTT piece there
                        self.ntt_piece_valid.d.next = false;
                    }
                    self.ex.d.next = ExState::Reply;
                    self.tx_kind.d.next = 0.into() /* ack */;
                    self.tx_status.d.next = 0.into();
                    self.tx_len.d.next = 2.into();
                    if self.pend_over.q.val()
                        || (self.pend_len.q.val() < 8)
                        || (self.pend_len.q.val().get_bits::<2>(0) != 0)
                    {
                        self.tx_status.d.next = 2.into();
                    } else {
                        match self.d_cmd.val().index() {
                            1 => {
                                self.tx_kind.d.next = 1.into() /* info */;
                                self.tx_len.d.next = 28.into();
                            }
                            2 => {
                                if self.sys.running.val() {
                                    self.tx_status.d.next = 4.into();
                                } else {
                                    self.ex_dest.d.next = 0.into();
                                    self.ex.d.next = ExState::Clear;
                                }
                            }
                            3 => {
                                if self.sys.running.val() {
                                    self.tx_status.d.next = 4.into();
                                } else if (self.rx_arg.q.val().get_bits::<2>(0) != 0)
                                    || self.arg_high.val()
                                    || self.mem_over.val()
                                {
                                    self.tx_status.d.next = 3.into();
                                } else if self.d_words.val() != 0 {
                                    self.ex_target.d.next = 0.into();
                                    self.ex.d.next = ExState::Copy;
                                }
                            }
                            4 => {
                                if self.sys.running.val() {
                                    self.tx_status.d.next = 4.into();
                                } else if (self.rx_arg.q.val().get_bits::<2>(0) != 0)
                                    || self.arg_high.val()
                                    || self.input_over.val()
                                {
                                    self.tx_status.d.next = 3.into();
                                } else if self.d_words.val() != 0 {
                                    self.ex_target.d.next = 1.into();
                                    self.ex.d.next = ExState::Copy;
                                }
                            }
                            5 => {
                                // A resent RUN whose answer was lost must not start again.
                                if self.d_seq.val() == self.last_seq.q.val() {
                                    self.tx_status.d.next = 0.into();
                                } else if self.sys.running.val() {
                                    self.tx_status.d.next = 4.into();
                                } else if self.d_words.val() != 5 {
                                    self.tx_status.d.next = 2.into();
                                } else {
                                    self.ex.d.next = ExState::Config;
                                }
                            }
                            6 => {
                                self.tx_kind.d.next = 2.into() /* status */;
                                self.tx_len.d.next = 24.into();
                            }
                            7 => {
                                if !self.started.q.val() || !self.cfg_stream.q.val() {
                                    self.tx_status.d.next = 6.into();
                                } else if self.sent_valid.q.val()
                                    && self.n_behind_le1.val()
                                    && self.n_behind.val().get_bit(0)
                                {
                                    self.tx_kind.d.next = 3.into() /* chunk */;
                                    self.tx_len.d.next = self.sent_len.val();
                                } else if self.n_behind_le1.val() && !self.n_behind.val().get_bit(0)
                                {
                                    self.ex.d.next = ExState::WaitChunk;
                                } else {
                                    self.tx_status.d.next = 5.into();
                                }
                            }
                            8 => {
                                // JOURNAL: min(left after the offset, 256) bytes; an offset
                                // past the bytes kept is an error
                                self.tx_kind.d.next = 4.into() /* journal */;
                                if self.j_past.val() {
                                    self.tx_status.d.next = 3.into();
                                } else if self.j_left.val().get_bits::<9>(8) == 0 {
                                    self.tx_len.d.next = self.j_left.val().get_bits::<11>(0) + 2;
                                } else {
                                    self.tx_len.d.next = 258.into();
                                }
                            }
                            9 => {
                                // DISCARD: the rest of the trace is dropped, so a run the
                                // host has given up on finishes at full speed
                                self.cfg_stream.d.next = false;
                            }
                            16 => {
                                // 0x10 NTT_LOAD: values must continue the transform's input
                                if !self.has_ntt.val() {
                                    self.tx_status.d.next = 1.into();
                                } else if self.d_ntt_end.val() > self.ntt_n.val() {
                                    self.tx_status.d.next = 3.into();
                                } else if self.d_ntt_end.val() <= self.ntt_in.q.val() {
                                    // a resend of values already taken: done
                                    self.tx_status.d.next = 0.into();
                                } else if self.rx_arg.q.val() != self.ntt_in.q.val() {
                                    self.tx_status.d.next = 3.into();
                                } else if !self.ntt_armed.q.val() {
                                    self.tx_status.d.next = 7.into();
                                } else {
                                    self.ex_target.d.next = 2.into();
                                    self.ex.d.next = ExState::Copy;
                                }
                            }
                            17 => {
                                // 0x11 NTT_RUN: arm a transform of 2^K values
                                if !self.has_ntt.val() {
                                    self.tx_status.d.next = 1.into();
                                } else if bit_cast::<32, 5>(self.rx_arg.q.val().get_bits::<5>(0))
                                    != self.ntt_k.val()
                                {
                                    self.tx_status.d.next = 7.into();
                                } else if (self.ntt_in.q.val() != 0)
                                    && (self.ntt_out.q.val() != self.ntt_n.val())
                                {
                                    self.tx_status.d.next = 4.into();
                                } else {
                                    self.ntt_armed.d.next = true;
                                    self.ntt_inverse.d.next = self.rx_arg.q.val().get_bit(8);
                                    self.ntt_in.d.next = 0.into();
                                    self.ntt_out.d.next = 0.into();
                                    self.ntt_piece.d.next = 0.into();
                                    self.ntt_piece_valid.d.next = false;
                                }
                            }
                            19 => {
                                // 0x13 SHA256: k = arg blocks (1..7) after the state
                                if !self.has_sha.val() {
                                    self.tx_status.d.next = 1.into();
                                } else if (self.rx_arg.q.val() == 0) || (self.rx_arg.q.val() > 7) {
                                    self.tx_status.d.next = 7.into();
                                } else if self.d_words.val() != self.d_sha_words.val() {
                                    self.tx_status.d.next = 2.into();
                                } else {
                                    self.sha_blocks.d.next = self.rx_arg.q.val().get_bits::<3>(0);
                                    self.sha_no.d.next = 0.into();
                                    self.sha_step.d.next = 0.into();
                                    self.ex.d.next = ExState::Sha;
                                }
                            }
                            18 => {
                                // 0x12 NTT_READ: the piece just sent again, or the next one
                                if !self.has_ntt.val() {
                                    self.tx_status.d.next = 1.into();
                                } else if self.ntt_piece_valid.q.val()
                                    && (self.pend_len.q.val() == 8)
                                    && (self.rx_arg.q.val() + 1 == self.ntt_piece.q.val())
                                {
                                    self.tx_kind.d.next = 5.into() /* ntt */;
                                    self.tx_len.d.next =
                                        (bit_cast::<11, 8>(self.ntt_piece_len.q.val()) << 2) + 4;
                                } else if (self.rx_arg.q.val() == self.ntt_piece.q.val())
                                    && (self.ntt_in.q.val() == self.ntt_n.val())
                                    && (self.ntt_out.q.val() != self.ntt_n.val())
                                {
                                    self.ntt_piece_len.d.next = 64.into();
                                    if self.ntt_left.val() < 64 {
                                        self.ntt_piece_len.d.next =
                                            self.ntt_left.val().get_bits::<8>(0);
                                    }
                                    self.ex_k.d.next = 0.into();
                                    self.ex.d.next = ExState::NttRead;
                                } else {
                                    self.tx_status.d.next = 5.into();
                                }
                            }
                            _ => {
                                self.tx_status.d.next = 1.into();
                            }
                        }
                    }
                }
            }
            ExState::Clear => {
                self.sys.load_we.next = true;
                self.ex_dest.d.next = self.ex_dest.q.val() + 1;
                if self.ex_dest.q.val() == self.mem_last.val() {
                    self.ex.d.next = ExState::Reply;
                }
            }
            ExState::Copy => {
                self.ex_phase.d.next = !self.ex_phase.q.val();
                if self.ex_phase.q.val() {
                    // rxbuf's word for ex_k is on its output now
                    match self.ex_target.q.val().index() {
                        0 => {
                            self.sys.load_we.next = true;
                            self.sys.load_data.next = self.rxbuf.read_data.val();
                        }
                        1 => self.inbuf.write_enable.next = true,
                        _ => {
                            self.ntt.in_valid.next = self.has_ntt.val();
                            if !self.ntt_in_ready.val() {
                                // the engine is not taking: hold this word
                                self.ex_phase.d.next = true;
                            }
                        }
                    }
                    if (self.ex_target.q.val() != 2) || self.ntt_in_ready.val() {
                        if self.ex_target.q.val() == 2 {
                            self.ntt_in.d.next = self.ntt_in.q.val() + 1;
                        }
                        self.ex_dest.d.next = self.ex_dest.q.val() + 1;
                        self.ex_k.d.next = self.ex_k.q.val() + 1;
                        if self.ex_k.q.val() + 1 == self.ex_words.q.val() {
                            self.ex.d.next = ExState::Reply;
                        }
                    }
                }
            }
            ExState::Sha => {
                if self.has_sha.val() {
                    match self.sha_step.q.val().index() {
                        0 => {
                            // rxbuf word ex_k + 2 is on the output every other cycle
                            self.ex_phase.d.next = !self.ex_phase.q.val();
                            if self.ex_phase.q.val() {
                                self.ex_k.d.next = self.ex_k.q.val() + 1;
                                if self.ex_k.q.val() < 8 {
                                    self.sha_state.d.next = (self.sha_state.q.val() << 32)
                                        | bit_cast::<256, 32>(self.rxbuf.read_data.val());
                                } else {
                                    self.sha_block.d.next = (self.sha_block.q.val() << 32)
                                        | bit_cast::<512, 32>(self.rx_swapped.val());
                                    if self.ex_k.q.val().get_bits::<4>(0) == 7 {
                                        // the block's 16th word (words 8 + 16·b .. 23 + 16·b)
                                        self.sha_step.d.next = 1.into();
                                    }
                                }
                            }
                        }
                        1 => {
                            self.sha.start.next = true;
                            if self.sha.ready.val() {
                                self.sha_step.d.next = 2.into();
                            }
                        }
                        2 => {
                            if self.sha.done.val() {
                                self.sha_no.d.next = self.sha_no.q.val() + 1;
                                if self.sha_no.q.val() + 1 == self.sha_blocks.q.val() {
                                    self.sha_state.d.next = self.sha.state_out.val();
                                    self.ex_k.d.next = 0.into();
                                    self.sha_step.d.next = 3.into();
                                } else {
                                    self.sha_step.d.next = 0.into();
                                }
                            }
                        }
                        _ => {
                            // the result, H0 first, into rxbuf words 2..9 (written below)
                            self.sha_state.d.next = self.sha_state.q.val() << 32;
                            self.ex_k.d.next = self.ex_k.q.val() + 1;
                            if self.ex_k.q.val() == 7 {
                                self.ntt_piece_valid.d.next = false;
                                self.ntt_piece_len.d.next = 8.into();
                                self.tx_kind.d.next = 5.into() /* words from rxbuf */;
                                self.tx_len.d.next = 36.into();
                                self.ex.d.next = ExState::Reply;
                            }
                        }
                    }
                }
            }
            ExState::NttRead => {
                if self.has_ntt.val() {
                    // the engine's output words into rxbuf words 2.. (the receiver writes
                    // rxbuf only while the executor is idle)
                    self.ntt.out_ready.next = true;
                    if self.ntt.out_valid.val() {
                        self.ntt_out.d.next = self.ntt_out.q.val() + 1;
                        self.ex_k.d.next = self.ex_k.q.val() + 1;
                        if self.ex_k.q.val() + 1 == self.ntt_piece_len.q.val() {
                            self.ntt_piece.d.next = self.ntt_piece.q.val() + 1;
                            self.ntt_piece_valid.d.next = true;
                            self.tx_kind.d.next = 5.into() /* ntt */;
                            self.tx_len.d.next =
                                (bit_cast::<11, 8>(self.ntt_piece_len.q.val()) << 2) + 4;
                            self.ex.d.next = ExState::Reply;
                        }
                    }
                }
            }
            ExState::Config => {
                self.ex_phase.d.next = !self.ex_phase.q.val();
                if self.ex_phase.q.val() {
                    self.ex_k.d.next = self.ex_k.q.val() + 1;
                    match self.ex_k.q.val().index() {
                        0 => {}
                        1 => self.cfg_code_lo.d.next = self.rxbuf.read_data.val(),
                        2 => self.cfg_code_hi.d.next = self.rxbuf.read_data.val(),
                        3 => self.cfg_max.d.next = self.rxbuf.read_data.val(),
                        4 => {
                            // The input length and its check, registered for the next step
                            // (no path from rxbuf's output to the start's many register
                            // updates); the core reads input_len only when it starts.
                            self.cfg_input_len.d.next =
                                self.rxbuf.read_data.val().get_bits::<16>(0);
                            self.len_bad.d.next = self.len_over.val();
                        }
                        _ => {
                            self.ex.d.next = ExState::Reply;
                            // `entry` for the core's start, on rxbuf's output next cycle
                            // (read whether or not the run starts: no path from rxbuf's
                            // output back to its address)
                            self.rxbuf.read_address.next = 2.into();
                            if self.len_bad.q.val() {
                                self.tx_status.d.next = 7.into();
                            } else {
                                self.cfg_stream.d.next = self.rx_arg.q.val().get_bit(0);
                                self.start_pulse.d.next = true;
                                self.started.d.next = true;
                                self.run_clocks.d.next = 0.into();
                                self.j_len.d.next = 0.into();
                                self.in_ptr.d.next = 0.into();
                                self.in_ok.d.next = false;
                                self.fill_slot.d.next = false;
                                self.fill_count.d.next = 0.into();
                                self.fill_base.d.next = 0.into();
                                self.fill_kinds.d.next = 0.into();
                                self.ser.d.next = 0.into();
                                self.next_n.d.next = 0.into();
                                self.sent_valid.d.next = false;
                            }
                        }
                    }
                }
            }
            ExState::WaitChunk => {
                if self.complete.val() {
                    self.sent_count.d.next = self.fill_count.q.val();
                    self.sent_kinds.d.next = self.fill_kinds.q.val();
                    self.sent_last.d.next = self.sys.done.val();
                    self.sent_valid.d.next = true;
                    self.fill_slot.d.next = !self.fill_slot.q.val();
                    self.fill_count.d.next = 0.into();
                    self.fill_base.d.next = 0.into();
                    self.fill_kinds.d.next = 0.into();
                    self.ser.d.next = 0.into();
                    self.tx_kind.d.next = 3.into() /* chunk */;
                    self.tx_len.d.next = self.fill_len.val();
                    self.ex.d.next = ExState::Reply;
                }
            }
            _ => {}
        }
        if self.has_ntt.val() && (self.ex.q.val() == ExState::NttRead) {
            self.rxbuf.write_address.next = bit_cast::<7, 8>(self.ex_k.q.val() + 2);
            self.rxbuf.write_data.next = self.ntt.out_data.val();
            self.rxbuf.write_enable.next = self.ntt.out_valid.val();
        }
        if self.has_sha.val() && (self.ex.q.val() == ExState::Sha) && (self.sha_step.q.val() == 3) {
            self.rxbuf.write_address.next = bit_cast::<7, 8>(self.ex_k.q.val() + 2);
            self.rxbuf.write_data.next = self.sha_state.q.val().get_bits::<32>(224);
            self.rxbuf.write_enable.next = true;
        }
        // ---- transmit the reply
        // The fixed words of each reply (word 0 carries seq and status in its low half).
        self.head_word.next =
            bit_cast::<32, 8>(self.d_seq.val()) | (bit_cast::<32, 8>(self.tx_status.q.val()) << 8);
        self.reply_word.next = self.head_word.val();
        if self.tx_status.q.val() == 0 {
            match self.tx_kind.q.val().index() {
                1 => match self.tx_idx.q.val().get_bits::<3>(2).index() {
                    0 => self.reply_word.next = self.head_word.val() | self.info0.val(),
                    1 => self.reply_word.next = self.info1.val(),
                    2 => self.reply_word.next = self.mem_top.val(),
                    3 => self.reply_word.next = self.input_cap.val(),
                    4 => self.reply_word.next = self.journal_cap.val(),
                    5 => self.reply_word.next = self.clock_hz.val(),
                    _ => self.reply_word.next = self.divisor.val(),
                },
                2 => match self.tx_idx.q.val().get_bits::<3>(2).index() {
                    0 => {
                        self.reply_word.next = self.head_word.val()
                            | (bit_cast::<32, 8>(self.state_code.val()) << 16)
                            | (bit_cast::<32, 4>(self.sys.fault_code.val()) << 24)
                    }
                    1 => self.reply_word.next = self.sys.exit_code.val(),
                    2 => self.reply_word.next = self.sys.fault_pc.val(),
                    3 => self.reply_word.next = self.sys.retired.val(),
                    4 => self.reply_word.next = self.j_len.q.val(),
                    _ => self.reply_word.next = self.run_clocks.q.val(),
                },
                3 => match self.tx_idx.q.val().get_bits::<3>(2).index() {
                    0 => {
                        self.reply_word.next = self.head_word.val()
                            | (bit_cast::<32, 1>(self.sent_last.q.val().into()) << 16)
                            | (bit_cast::<32, 4>(self.sent_count.q.val()) << 24)
                    }
                    1 => self.reply_word.next = self.rx_arg.q.val(),
                    _ => self.reply_word.next = bit_cast::<32, 12>(self.sent_kinds.q.val()),
                },
                5 => {
                    // (a board without NTT and SHA-256 has no such answer)
                    if self.has_words.val() {
                        self.reply_word.next = self.head_word.val()
                            | (bit_cast::<32, 8>(self.ntt_piece_len.q.val()) << 16);
                        if self.tx_idx.q.val() >= 4 {
                            self.reply_word.next = self.rxbuf.read_data.val();
                        }
                    }
                }
                _ => {}
            }
        }
        match self.tx_idx.q.val().get_bits::<2>(0).index() {
            0 => self.reply_byte.next = self.reply_word.val().get_bits::<8>(0),
            1 => self.reply_byte.next = self.reply_word.val().get_bits::<8>(8),
            2 => self.reply_byte.next = self.reply_word.val().get_bits::<8>(16),
            _ => self.reply_byte.next = self.reply_word.val().get_bits::<8>(24),
        }
        self.c_off.next = self.tx_idx.q.val() - 12;
        // The RAMs are addressed from tx_idx, so their byte is ready a cycle after it moves.
        self.chunks.read_address.next = (bit_cast::<10, 1>((!self.fill_slot.q.val()).into()) << 9)
            | self.c_off.val().get_bits::<10>(0);
        self.j_addr.next =
            self.rx_arg.q.val().get_bits::<12>(0) + bit_cast::<12, 11>(self.tx_idx.q.val()) - 2;
        self.jbuf.read_address.next = self.j_addr.val();
        if (self.ex.q.val() == ExState::Reply) && (self.tx_kind.q.val() == 5) {
            // NTT_READ's values sit in rxbuf words 2..: word (idx − 4)/4 + 2
            self.rxbuf.read_address.next = self.tx_idx.q.val().get_bits::<7>(2) + 1;
        }
        // The byte for tx_idx goes through tx_byte: nothing but that register follows the
        // RAMs' outputs and the reply select in a cycle (a byte takes 10 UART bits anyway).
        self.tx_byte.d.next = self.reply_byte.val();
        if (self.tx_kind.q.val() == 3) && (self.tx_idx.q.val() >= 12) {
            self.tx_byte.d.next = self.chunks.read_data.val();
        }
        if (self.tx_kind.q.val() == 4) && (self.tx_idx.q.val() >= 2) {
            self.tx_byte.d.next = self.jbuf.read_data.val();
        }
        self.framer.data.next = self.tx_byte.q.val();
        self.framer.last.next = self.tx_idx.q.val() + 1 == self.tx_len.q.val();
        self.framer.valid.next = (self.ex.q.val() == ExState::Reply) && self.tx_ready.q.val();
        self.tx_settled.d.next = true;
        self.tx_ready.d.next = self.tx_settled.q.val();
        if self.ex.q.val() != ExState::Reply {
            self.tx_idx.d.next = 0.into();
            self.tx_settled.d.next = false;
            self.tx_ready.d.next = false;
        } else if self.framer.valid.val() && self.framer.ready.val() {
            self.tx_idx.d.next = self.tx_idx.q.val() + 1;
            self.tx_settled.d.next = false;
            self.tx_ready.d.next = false;
            if self.framer.last.val() {
                self.ex.d.next = ExState::Idle;
            }
        }
    }
}
