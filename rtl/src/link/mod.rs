//! The board link's byte level: an 8N1 UART ([`UartTx`], [`UartRx`]) and SLIP framing with
//! a CRC-16/IBM-3740 on every frame ([`SlipTx`], [`SlipRx`], [`Crc16Step`]). The messages
//! carried in the frames (configuration, memory image, input, trace records, journal,
//! status) are the next layer up (docs/rtl-core.md, "Link").

mod crc;
mod slip;
mod uart;

pub use crc::{crc16, crc16_update, Crc16Step, INIT as CRC_INIT, POLY as CRC_POLY};
pub use slip::{SlipRx, SlipTx, TxPhase, END, ESC, ESC_END, ESC_ESC};
pub use uart::{UartRx, UartTx};

use rust_hdl::prelude::*;

/// The whole byte level end to end — framer, UART transmitter, the line, UART receiver,
/// unframer — as one block: the link's testbench, and its Verilog top (`rvzk_link`) for
/// lint.
#[derive(LogicBlock)]
pub struct LinkLoopback {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Frame byte in.
    pub data: Signal<In, Bits<8>>,
    /// `data` ends its frame.
    pub last: Signal<In, Bit>,
    /// `data` is valid.
    pub valid: Signal<In, Bit>,
    /// The framer takes `data`.
    pub ready: Signal<Out, Bit>,
    /// The serial line between the two ends.
    pub line: Signal<Out, Bit>,
    /// Frame byte out (two bytes late, see [`SlipRx`]).
    pub out_data: Signal<Out, Bits<8>>,
    /// `out_data` is new.
    pub out_valid: Signal<Out, Bit>,
    /// A frame ended.
    pub frame_end: Signal<Out, Bit>,
    /// Its CRC checked.
    pub frame_good: Signal<Out, Bit>,
    /// A byte arrived without its stop bit.
    pub line_error: Signal<Out, Bit>,
    framer: SlipTx,
    uart_tx: UartTx,
    uart_rx: UartRx,
    unframer: SlipRx,
}

impl LinkLoopback {
    /// A loop whose UART bit time is `divisor` clock cycles.
    pub fn new(divisor: u16) -> Self {
        Self {
            clock: Default::default(),
            data: Default::default(),
            last: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            line: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            frame_end: Default::default(),
            frame_good: Default::default(),
            line_error: Default::default(),
            framer: Default::default(),
            uart_tx: UartTx::new(divisor),
            uart_rx: UartRx::new(divisor),
            unframer: Default::default(),
        }
    }
}

impl Logic for LinkLoopback {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, framer, uart_tx, uart_rx, unframer);
        self.framer.data.next = self.data.val();
        self.framer.last.next = self.last.val();
        self.framer.valid.next = self.valid.val();
        self.ready.next = self.framer.ready.val();
        self.uart_tx.data.next = self.framer.out_data.val();
        self.uart_tx.valid.next = self.framer.out_valid.val();
        self.framer.out_ready.next = self.uart_tx.ready.val();
        self.line.next = self.uart_tx.tx.val();
        self.uart_rx.rx.next = self.uart_tx.tx.val();
        self.unframer.rx_byte.next = self.uart_rx.data.val();
        self.unframer.valid.next = self.uart_rx.valid.val();
        self.out_data.next = self.unframer.data.val();
        self.out_valid.next = self.unframer.data_valid.val();
        self.frame_end.next = self.unframer.frame_end.val();
        self.frame_good.next = self.unframer.frame_good.val();
        self.line_error.next = self.uart_rx.error.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_cross_the_link() {
        let frames: Vec<Vec<u8>> = vec![
            b"hello".to_vec(),
            vec![END, ESC, 0, 0xff],
            (0..40).collect(),
            vec![ESC_END],
        ];
        let mut uut = LinkLoopback::new(4);
        uut.connect_all();
        let mut sim = simple_sim!(LinkLoopback, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let flat: Vec<(u8, bool)> = frames
                .iter()
                .flat_map(|f| {
                    f.iter()
                        .enumerate()
                        .map(move |(i, &b)| (b, i + 1 == f.len()))
                })
                .collect();
            let (mut sent, mut cycles) = (0, 0);
            let (mut got, mut cur) = (vec![], vec![]);
            while got.len() < frames.len() {
                x.valid.next = sent < flat.len();
                if sent < flat.len() {
                    x.data.next = (flat[sent].0 as u64).into();
                    x.last.next = flat[sent].1;
                }
                x = ep.wait(1, x)?;
                if x.valid.val() && x.ready.val() {
                    sent += 1;
                }
                wait_clock_cycle!(ep, clock, x);
                if x.out_valid.val() {
                    cur.push(x.out_data.val().to_u8());
                }
                sim_assert!(ep, !x.line_error.val(), x);
                if x.frame_end.val() {
                    sim_assert!(ep, x.frame_good.val(), x);
                    got.push(std::mem::take(&mut cur));
                }
                cycles += 1;
                sim_assert!(ep, cycles < 20_000, x);
            }
            sim_assert_eq!(ep, got, frames, x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }
}
