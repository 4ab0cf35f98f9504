//! The M extension's divider: restoring division on magnitudes, with the signs applied on
//! the way out. Two builds ([`Divider::new`]): the fast one takes two quotient bits per
//! cycle, skips the quotient's leading zero bytes, and keeps both results of the last
//! division, so a DIV and REM (or DIVU and REMU) of the same operands cost one division;
//! the serial one (for the UP5K, where it saves about 500 LUT4) takes one bit per cycle and
//! none of the shortcuts.

use rust_hdl::prelude::*;

/// Iterative divider for DIV, DIVU, REM and REMU, with RISC-V's rules for division by zero
/// (quotient all ones, remainder the dividend) and for `0x8000_0000 / -1` (which the
/// magnitude method gets right by itself).
///
/// A cycle with `start` high takes `a`, `b` and `op`; `done` (a register, so nothing
/// combinational leaves the divider but `y`) rises when `y` is the result and stays high
/// until the next `start`; the inputs must stay put meanwhile. That is the next cycle when
/// the last division had these operands and signedness (REM right after DIV) or the
/// divisor is zero, otherwise `⌈max(k, 8) / 8⌉ · 4 + 1` cycles for a quotient of `k`
/// significant bits. The serial build ([`Divider::new`]`(true)`) takes 34 cycles for any
/// division by a non-zero divisor, 35 when a signed dividend is negative.
#[derive(LogicBlock)]
pub struct Divider {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Begin a division (ignored while one runs).
    pub start: Signal<In, Bit>,
    /// Dividend (rs1).
    pub a: Signal<In, Bits<32>>,
    /// Divisor (rs2).
    pub b: Signal<In, Bits<32>>,
    /// `funct3[1:0]`: 0 DIV, 1 DIVU, 2 REM, 3 REMU.
    pub op: Signal<In, Bits<2>>,
    /// `y` is the result for the inputs taken by the last `start`.
    pub done: Signal<Out, Bit>,
    /// Quotient or remainder.
    pub y: Signal<Out, Bits<32>>,
    // the build: constant, so synthesis keeps only one of the two step and start circuits
    serial: Constant<Bit>,
    remainder: DFF<Bits<32>>,
    quotient: DFF<Bits<32>>,
    divisor: DFF<Bits<32>>,
    count: DFF<Bits<5>>,
    running: DFF<Bit>,
    finished: DFF<Bit>,
    negate_q: DFF<Bit>,
    negate_r: DFF<Bit>,
    have_last: DFF<Bit>,
    last_a: DFF<Bits<32>>,
    last_b: DFF<Bits<32>>,
    last_signed: DFF<Bit>,
    signed_op: Signal<Local, Bit>,
    hit: Signal<Local, Bit>,
    magnitude: Signal<Local, Bits<32>>,
    negate: Signal<Local, Bit>,
    neg_a: Signal<Local, Bit>,
    neg_b: Signal<Local, Bit>,
    mag_a: Signal<Local, Bits<32>>,
    mag_b: Signal<Local, Bits<32>>,
    // conditional negation as x ^ mask + inc: one LUT per bit on the carry chain
    flip_a: Signal<Local, Bits<32>>,
    flip_b: Signal<Local, Bits<32>>,
    flip_y: Signal<Local, Bits<32>>,
    inc_a: Signal<Local, Bits<32>>,
    inc_b: Signal<Local, Bits<32>>,
    inc_y: Signal<Local, Bits<32>>,
    shifted1: Signal<Local, Bits<33>>,
    diff1: Signal<Local, Bits<33>>,
    rem1: Signal<Local, Bits<32>>,
    shifted2: Signal<Local, Bits<33>>,
    diff2: Signal<Local, Bits<33>>,
    bits2: Signal<Local, Bits<32>>,
    // The serial build negates through one adder (`neg_out`): a negative dividend in a
    // first cycle (`prep`), the result on the way out. Its divisor register holds b when
    // b is negative and !b otherwise, so that `shifted1 + {1, divisor} + sub_one` is
    // `shifted1 − |b|` without a negation of its own.
    prep: DFF<Bit>,
    sub_one: DFF<Bit>,
    neg_in: Signal<Local, Bits<32>>,
    neg_flip: Signal<Local, Bit>,
    neg_out: Signal<Local, Bits<32>>,
    b_flip: Signal<Local, Bits<32>>,
    top33: Constant<Bits<33>>,
    div33: Signal<Local, Bits<33>>,
    diff_s: Signal<Local, Bits<33>>,
    rem_s: Signal<Local, Bits<32>>,
    // (a signal of its own: inverted inside a wider expression, Verilog would widen the
    // bit before inverting it)
    q_bit: Signal<Local, Bit>,
}

impl Divider {
    /// The fast divider (`serial` false) or the serial one (true).
    pub fn new(serial: bool) -> Self {
        Self {
            clock: Default::default(),
            start: Default::default(),
            a: Default::default(),
            b: Default::default(),
            op: Default::default(),
            done: Default::default(),
            y: Default::default(),
            serial: Constant::new(serial),
            remainder: Default::default(),
            quotient: Default::default(),
            divisor: Default::default(),
            count: Default::default(),
            running: Default::default(),
            finished: Default::default(),
            negate_q: Default::default(),
            negate_r: Default::default(),
            have_last: Default::default(),
            last_a: Default::default(),
            last_b: Default::default(),
            last_signed: Default::default(),
            signed_op: Default::default(),
            hit: Default::default(),
            magnitude: Default::default(),
            negate: Default::default(),
            neg_a: Default::default(),
            neg_b: Default::default(),
            mag_a: Default::default(),
            mag_b: Default::default(),
            flip_a: Default::default(),
            flip_b: Default::default(),
            flip_y: Default::default(),
            inc_a: Default::default(),
            inc_b: Default::default(),
            inc_y: Default::default(),
            shifted1: Default::default(),
            diff1: Default::default(),
            rem1: Default::default(),
            shifted2: Default::default(),
            diff2: Default::default(),
            bits2: Default::default(),
            prep: Default::default(),
            sub_one: Default::default(),
            neg_in: Default::default(),
            neg_flip: Default::default(),
            neg_out: Default::default(),
            b_flip: Default::default(),
            top33: Constant::new((1u64 << 32).into()),
            div33: Default::default(),
            diff_s: Default::default(),
            rem_s: Default::default(),
            q_bit: Default::default(),
        }
    }
}

impl Default for Divider {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Logic for Divider {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            remainder,
            quotient,
            divisor,
            count,
            running,
            finished,
            negate_q,
            negate_r,
            have_last,
            last_a,
            last_b,
            last_signed,
            prep,
            sub_one
        );
        self.signed_op.next = !self.op.val().get_bit(0);
        self.hit.next = !self.serial.val()
            && self.have_last.q.val()
            && (self.a.val() == self.last_a.q.val())
            && (self.b.val() == self.last_b.q.val())
            && (self.signed_op.val() == self.last_signed.q.val());
        self.done.next = self.finished.q.val();
        // Results leave through the (one) sign fix-up, which in the serial build also
        // takes the magnitude of a negative dividend (`prep`).
        self.magnitude.next = self.quotient.q.val();
        self.negate.next = self.negate_q.q.val();
        if self.op.val().get_bit(1) {
            self.magnitude.next = self.remainder.q.val();
            self.negate.next = self.negate_r.q.val();
        }
        self.neg_in.next = self.magnitude.val();
        self.neg_flip.next = self.negate.val();
        if self.prep.q.val() {
            self.neg_in.next = self.quotient.q.val();
            self.neg_flip.next = self.negate_r.q.val();
        }
        self.flip_y.next = 0.into();
        self.inc_y.next = 0.into();
        if self.neg_flip.val() {
            self.flip_y.next = 0xffff_ffff_u64.into();
            self.inc_y.next = 1.into();
        }
        self.neg_out.next = (self.neg_in.val() ^ self.flip_y.val()) + self.inc_y.val();
        self.y.next = self.neg_out.val();

        self.neg_a.next = self.signed_op.val() && self.a.val().get_bit(31);
        self.neg_b.next = self.signed_op.val() && self.b.val().get_bit(31);
        self.flip_a.next = 0.into();
        self.inc_a.next = 0.into();
        if self.neg_a.val() {
            self.flip_a.next = 0xffff_ffff_u64.into();
            self.inc_a.next = 1.into();
        }
        self.mag_a.next = (self.a.val() ^ self.flip_a.val()) + self.inc_a.val();
        self.flip_b.next = 0.into();
        self.inc_b.next = 0.into();
        if self.neg_b.val() {
            self.flip_b.next = 0xffff_ffff_u64.into();
            self.inc_b.next = 1.into();
        }
        self.mag_b.next = (self.b.val() ^ self.flip_b.val()) + self.inc_b.val();

        // Two restoring steps: shift the next dividend bit into the partial remainder and
        // subtract the divisor if it fits (bit 32 of a difference is the borrow).
        self.shifted1.next = (bit_cast::<33, 32>(self.remainder.q.val()) << 1)
            | bit_cast::<33, 1>(self.quotient.q.val().get_bits::<1>(31));
        self.diff1.next = self.shifted1.val() - bit_cast::<33, 32>(self.divisor.q.val());
        self.rem1.next = self.diff1.val().get_bits::<32>(0);
        self.bits2.next = 2.into();
        if self.diff1.val().get_bit(32) {
            self.rem1.next = self.shifted1.val().get_bits::<32>(0);
            self.bits2.next = 0.into();
        }
        self.shifted2.next = (bit_cast::<33, 32>(self.rem1.val()) << 1)
            | bit_cast::<33, 1>(self.quotient.q.val().get_bits::<1>(30));
        self.diff2.next = self.shifted2.val() - bit_cast::<33, 32>(self.divisor.q.val());
        // The serial step: {1, divisor} + sub_one is −|b| in 33 bits (see `prep`).
        self.div33.next = bit_cast::<33, 32>(self.divisor.q.val()) | self.top33.val();
        self.diff_s.next =
            self.shifted1.val() + self.div33.val() + bit_cast::<33, 1>(self.sub_one.q.val().into());
        self.rem_s.next = self.diff_s.val().get_bits::<32>(0);
        self.q_bit.next = !self.diff_s.val().get_bit(32);
        if self.diff_s.val().get_bit(32) {
            self.rem_s.next = self.shifted1.val().get_bits::<32>(0);
        }
        self.b_flip.next = 0xffff_ffff_u64.into();
        if self.neg_b.val() {
            self.b_flip.next = 0.into();
        }

        if self.running.q.val() {
            if self.prep.q.val() {
                // (serial only) the dividend's magnitude
                self.prep.d.next = false;
                self.quotient.d.next = self.neg_out.val();
            } else {
                if self.count.q.val() == 1 {
                    self.running.d.next = false;
                    self.finished.d.next = true;
                }
                self.count.d.next = self.count.q.val() - 1;
                if self.serial.val() {
                    // one restoring step
                    self.remainder.d.next = self.rem_s.val();
                    self.quotient.d.next =
                        (self.quotient.q.val() << 1) | bit_cast::<32, 1>(self.q_bit.val().into());
                } else {
                    self.quotient.d.next = (self.quotient.q.val() << 2) | self.bits2.val();
                    if self.diff2.val().get_bit(32) {
                        self.remainder.d.next = self.shifted2.val().get_bits::<32>(0);
                    } else {
                        self.remainder.d.next = self.diff2.val().get_bits::<32>(0);
                        self.quotient.d.next = (self.quotient.q.val() << 2) | self.bits2.val() | 1;
                    }
                }
            }
        } else if self.start.val() && self.hit.val() {
            // The other half of the last division: both results are still here.
            self.finished.d.next = true;
        } else if self.start.val() {
            self.finished.d.next = true;
            self.have_last.d.next = true;
            self.last_a.d.next = self.a.val();
            self.last_b.d.next = self.b.val();
            self.last_signed.d.next = self.signed_op.val();
            self.negate_q.d.next = self.neg_a.val() ^ self.neg_b.val();
            self.negate_r.d.next = self.neg_a.val();
            self.divisor.d.next = self.mag_b.val();
            if self.serial.val() {
                self.divisor.d.next = self.b.val() ^ self.b_flip.val();
            }
            if self.b.val() == 0 {
                // x / 0 = all ones, x % 0 = x, signed or not.
                self.negate_q.d.next = false;
                self.negate_r.d.next = false;
                self.quotient.d.next = 0xffff_ffff_u64.into();
                self.remainder.d.next = self.a.val();
            } else {
                // The quotient's top bits are zero while the dividend's top bits are below
                // the divisor: start past whole zero bytes of it.
                self.finished.d.next = false;
                self.running.d.next = true;
                if self.serial.val() {
                    // a negative dividend's magnitude first (prep), then 32 steps (the
                    // 5-bit count wraps)
                    self.sub_one.d.next = !self.neg_b.val();
                    self.prep.d.next = self.neg_a.val();
                    self.remainder.d.next = 0.into();
                    self.quotient.d.next = self.a.val();
                    self.count.d.next = 0.into();
                } else if (self.mag_a.val() >> 8) < self.mag_b.val() {
                    self.remainder.d.next = self.mag_a.val() >> 8;
                    self.quotient.d.next = self.mag_a.val() << 24;
                    self.count.d.next = 4.into();
                } else if (self.mag_a.val() >> 16) < self.mag_b.val() {
                    self.remainder.d.next = self.mag_a.val() >> 16;
                    self.quotient.d.next = self.mag_a.val() << 16;
                    self.count.d.next = 8.into();
                } else if (self.mag_a.val() >> 24) < self.mag_b.val() {
                    self.remainder.d.next = self.mag_a.val() >> 24;
                    self.quotient.d.next = self.mag_a.val() << 8;
                    self.count.d.next = 12.into();
                } else {
                    self.remainder.d.next = 0.into();
                    self.quotient.d.next = self.mag_a.val();
                    self.count.d.next = 16.into();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testutil::operands;

    fn reference(a: u32, b: u32, op: u32) -> u32 {
        let (sa, sb) = (a as i32, b as i32);
        match op {
            0 if b == 0 => u32::MAX,
            0 => sa.wrapping_div(sb) as u32,
            1 => a.checked_div(b).unwrap_or(u32::MAX),
            2 if b == 0 => a,
            2 => sa.wrapping_rem(sb) as u32,
            _ => a.checked_rem(b).unwrap_or(a),
        }
    }

    /// Every operation on edge and random operands, against Rust, taking at most
    /// `max_cycles` from `start` to `done`.
    fn check(serial: bool, max_cycles: u32) {
        let mut a = operands(9, 60);
        let mut b = operands(10, 60);
        a.extend_from_slice(&[0x8000_0000, 0x8000_0000, 7, u32::MAX, 0, 100]);
        b.extend_from_slice(&[u32::MAX, 1, 0, 0, 0, 7]);
        let mut uut = Divider::new(serial);
        uut.connect_all();
        let mut sim = simple_sim!(Divider, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            // All four operations on each pair, back to back: REM after DIV (and REMU after
            // DIVU) reuses the division, DIVU after REM must not.
            for i in 0..a.len() {
                for op in [0u32, 2, 1, 3, 3, 0] {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                    x.op.next = (op as u64).into();
                    x.start.next = true;
                    wait_clock_cycle!(ep, clock, x);
                    x.start.next = false;
                    let mut cycles = 1;
                    while !x.done.val() {
                        wait_clock_cycle!(ep, clock, x);
                        cycles += 1;
                        sim_assert!(ep, cycles <= max_cycles, x);
                    }
                    let want = reference(a[i], b[i], op) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 10_000_000_000_000).unwrap();
    }

    #[test]
    fn quotients_and_remainders_match_rv32m() {
        check(false, 19);
    }

    #[test]
    fn serial_quotients_and_remainders_match_rv32m() {
        check(true, 35);
    }
}
