//! UART, 8 data bits, no parity, one stop bit (8N1), least significant bit first; the bit
//! time is a whole number of clock cycles (the divisor). At 12 MHz and 3 Mbaud that is 4,
//! which is also what the testbenches use.

use rust_hdl::prelude::*;

/// Serialises bytes: a `valid` byte is taken when `ready` is high and sent as start bit,
/// eight data bits and stop bit. `tx` is a register and idles high.
#[derive(LogicBlock)]
pub struct UartTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Byte to send.
    pub data: Signal<In, Bits<8>>,
    /// `data` is valid.
    pub valid: Signal<In, Bit>,
    /// The transmitter takes `data` this cycle (when `valid`).
    pub ready: Signal<Out, Bit>,
    /// The serial line.
    pub tx: Signal<Out, Bit>,
    divisor: Constant<Bits<16>>,
    /// The bits the timer needs (it counts down from divisor − 1): the rest are constant
    /// zero, so synthesis keeps a counter of that width only.
    mask: Constant<Bits<16>>,
    busy: DFF<Bit>,
    frame: DFF<Bits<10>>,
    bits_left: DFF<Bits<4>>,
    timer: DFF<Bits<16>>,
    // stored inverted so that the line idles high from power-up (registers start at 0)
    line_low: DFF<Bit>,
}

impl UartTx {
    /// A transmitter whose bit time is `divisor` clock cycles (at least 2).
    pub fn new(divisor: u16) -> Self {
        assert!(divisor >= 2);
        Self {
            clock: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            tx: Default::default(),
            divisor: Constant::new((divisor as u64).into()),
            mask: timer_mask(divisor),
            busy: Default::default(),
            frame: Default::default(),
            bits_left: Default::default(),
            timer: Default::default(),
            line_low: Default::default(),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy, frame, bits_left, timer, line_low);
        self.ready.next = !self.busy.q.val();
        self.tx.next = !self.line_low.q.val();
        self.line_low.d.next = self.busy.q.val() && !self.frame.q.val().get_bit(0);
        if !self.busy.q.val() {
            if self.valid.val() {
                // stop bit, data, start bit; shifted out from bit 0
                self.frame.d.next = bits::<10>(0x200) | (bit_cast::<10, 8>(self.data.val()) << 1);
                self.bits_left.d.next = 10.into();
                self.timer.d.next = self.divisor.val() - 1;
                self.busy.d.next = true;
            }
        } else if self.timer.q.val() == 0 {
            self.timer.d.next = self.divisor.val() - 1;
            self.frame.d.next = self.frame.q.val() >> 1;
            self.bits_left.d.next = self.bits_left.q.val() - 1;
            if self.bits_left.q.val() == 1 {
                self.busy.d.next = false;
            }
        } else {
            self.timer.d.next = (self.timer.q.val() - 1) & self.mask.val();
        }
    }
}

/// All ones over the bits of `divisor − 1` (see `UartTx::mask`).
fn timer_mask(divisor: u16) -> Constant<Bits<16>> {
    Constant::new(((divisor as u64).next_power_of_two() - 1).into())
}

/// Deserialises bytes: finds a start bit, samples every bit in its middle, and pulses
/// `valid` with the byte after a good stop bit (or `error` after a bad one). It cannot be
/// stalled: a consumer takes a byte per bit-time × 10 at the most.
#[derive(LogicBlock)]
pub struct UartRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// The serial line (asynchronous: it is synchronised here).
    pub rx: Signal<In, Bit>,
    /// The byte received.
    pub data: Signal<Out, Bits<8>>,
    /// One-cycle pulse: `data` is a new byte.
    pub valid: Signal<Out, Bit>,
    /// One-cycle pulse: a byte ended without its stop bit (it is dropped).
    pub error: Signal<Out, Bit>,
    divisor: Constant<Bits<16>>,
    half: Constant<Bits<16>>,
    /// as `UartTx`'s
    mask: Constant<Bits<16>>,
    // two-stage synchroniser, stored inverted so that the line reads idle (high) at power-up
    sync1_low: DFF<Bit>,
    sync2_low: DFF<Bit>,
    busy: DFF<Bit>,
    phase: DFF<Bits<4>>,
    timer: DFF<Bits<16>>,
    shift: DFF<Bits<8>>,
    out: DFF<Bits<8>>,
    out_valid: DFF<Bit>,
    out_error: DFF<Bit>,
    line: Signal<Local, Bit>,
}

impl UartRx {
    /// A receiver whose bit time is `divisor` clock cycles (at least 4).
    pub fn new(divisor: u16) -> Self {
        assert!(divisor >= 4);
        Self {
            clock: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            error: Default::default(),
            divisor: Constant::new((divisor as u64).into()),
            half: Constant::new(((divisor / 2) as u64).into()),
            mask: timer_mask(divisor),
            sync1_low: Default::default(),
            sync2_low: Default::default(),
            busy: Default::default(),
            phase: Default::default(),
            timer: Default::default(),
            shift: Default::default(),
            out: Default::default(),
            out_valid: Default::default(),
            out_error: Default::default(),
            line: Default::default(),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sync1_low, sync2_low, busy, phase, timer, shift, out, out_valid, out_error
        );
        self.sync1_low.d.next = !self.rx.val();
        self.sync2_low.d.next = self.sync1_low.q.val();
        self.line.next = !self.sync2_low.q.val();
        self.data.next = self.out.q.val();
        self.valid.next = self.out_valid.q.val();
        self.error.next = self.out_error.q.val();
        self.out_valid.d.next = false;
        self.out_error.d.next = false;
        if !self.busy.q.val() {
            if !self.line.val() {
                // a falling edge: look again in the middle of the start bit
                self.busy.d.next = true;
                self.phase.d.next = 0.into();
                self.timer.d.next = self.half.val() - 1;
            }
        } else if self.timer.q.val() != 0 {
            self.timer.d.next = (self.timer.q.val() - 1) & self.mask.val();
        } else {
            self.timer.d.next = self.divisor.val() - 1;
            self.phase.d.next = self.phase.q.val() + 1;
            if self.phase.q.val() == 0 {
                if self.line.val() {
                    self.busy.d.next = false; // a glitch, not a start bit
                }
            } else if self.phase.q.val() == 9 {
                self.busy.d.next = false;
                if self.line.val() {
                    self.out.d.next = self.shift.q.val();
                    self.out_valid.d.next = true;
                } else {
                    self.out_error.d.next = true;
                }
            } else {
                self.shift.d.next =
                    (self.shift.q.val() >> 1) | (bit_cast::<8, 1>(self.line.val().into()) << 7);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transmitter wired to a receiver.
    #[derive(LogicBlock)]
    struct Loop {
        clock: Signal<In, Clock>,
        data: Signal<In, Bits<8>>,
        valid: Signal<In, Bit>,
        ready: Signal<Out, Bit>,
        got: Signal<Out, Bits<8>>,
        got_valid: Signal<Out, Bit>,
        got_error: Signal<Out, Bit>,
        tx: UartTx,
        rx: UartRx,
    }

    impl Logic for Loop {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, tx, rx);
            self.tx.data.next = self.data.val();
            self.tx.valid.next = self.valid.val();
            self.ready.next = self.tx.ready.val();
            self.rx.rx.next = self.tx.tx.val();
            self.got.next = self.rx.data.val();
            self.got_valid.next = self.rx.valid.val();
            self.got_error.next = self.rx.error.val();
        }
    }

    #[test]
    fn bytes_cross_the_line() {
        let bytes: Vec<u8> = (0..=255u8).chain([0, 0xff, 0x55, 0xaa]).collect();
        let mut uut = Loop {
            clock: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            got: Default::default(),
            got_valid: Default::default(),
            got_error: Default::default(),
            tx: UartTx::new(4),
            rx: UartRx::new(4),
        };
        uut.connect_all();
        let mut sim = simple_sim!(Loop, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let mut sent = 0;
            let mut received = vec![];
            let mut cycles = 0;
            while received.len() < bytes.len() {
                x.valid.next = sent < bytes.len();
                if sent < bytes.len() {
                    x.data.next = (bytes[sent] as u64).into();
                }
                x = ep.wait(1, x)?;
                if x.valid.val() && x.ready.val() {
                    sent += 1;
                }
                wait_clock_cycle!(ep, clock, x);
                sim_assert!(ep, !x.got_error.val(), x);
                if x.got_valid.val() {
                    received.push(x.got.val().to_u8());
                }
                cycles += 1;
                sim_assert!(ep, cycles < 60 * bytes.len(), x);
            }
            sim_assert_eq!(ep, &received, &bytes, x);
            // Back to back: 10 bit times per byte, and not more than one cycle apart.
            sim_assert!(ep, cycles <= 41 * bytes.len() + 20, x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000_000).unwrap();
    }
}
