//! The M extension's divider: restoring division, one quotient bit per cycle, on magnitudes
//! with the signs fixed up at the end.

use rust_hdl::prelude::*;

/// Iterative divider for DIV, DIVU, REM and REMU, with RISC-V's rules for division by zero
/// (quotient all ones, remainder the dividend) and for `0x8000_0000 / -1` (which the
/// magnitude method gets right by itself).
///
/// A cycle with `start` high takes `a`, `b` and `op`; `done` rises when `y` holds the
/// result and stays high (with `y`) until the next `start`.
#[derive(LogicBlock, Default)]
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
    /// `y` holds the result of the last division.
    pub done: Signal<Out, Bit>,
    /// Quotient or remainder.
    pub y: Signal<Out, Bits<32>>,
    remainder: DFF<Bits<32>>,
    quotient: DFF<Bits<32>>,
    divisor: DFF<Bits<32>>,
    count: DFF<Bits<6>>,
    running: DFF<Bit>,
    finished: DFF<Bit>,
    negate: DFF<Bit>,
    want_rem: DFF<Bit>,
    result: DFF<Bits<32>>,
    signed_op: Signal<Local, Bit>,
    neg_a: Signal<Local, Bit>,
    neg_b: Signal<Local, Bit>,
    mag_a: Signal<Local, Bits<32>>,
    mag_b: Signal<Local, Bits<32>>,
    shifted: Signal<Local, Bits<33>>,
    diff: Signal<Local, Bits<33>>,
    magnitude: Signal<Local, Bits<32>>,
}

impl Logic for Divider {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, remainder, quotient, divisor, count, running, finished, negate, want_rem,
            result
        );
        self.done.next = self.finished.q.val();
        self.y.next = self.result.q.val();

        self.signed_op.next = !self.op.val().get_bit(0);
        self.neg_a.next = self.signed_op.val() && self.a.val().get_bit(31);
        self.neg_b.next = self.signed_op.val() && self.b.val().get_bit(31);
        self.mag_a.next = self.a.val();
        if self.neg_a.val() {
            self.mag_a.next = 0_u64 - self.a.val();
        }
        self.mag_b.next = self.b.val();
        if self.neg_b.val() {
            self.mag_b.next = 0_u64 - self.b.val();
        }

        // One restoring step: shift the next dividend bit into the partial remainder and
        // subtract the divisor if it fits (bit 32 of the difference is the borrow).
        self.shifted.next = (bit_cast::<33, 32>(self.remainder.q.val()) << 1)
            | bit_cast::<33, 1>(self.quotient.q.val().get_bits::<1>(31));
        self.diff.next = self.shifted.val() - bit_cast::<33, 32>(self.divisor.q.val());
        if self.want_rem.q.val() {
            self.magnitude.next = self.remainder.q.val();
        } else {
            self.magnitude.next = self.quotient.q.val();
        }

        if self.start.val() && !self.running.q.val() {
            self.finished.d.next = false;
            self.want_rem.d.next = self.op.val().get_bit(1);
            if self.b.val() == 0 {
                // x / 0 = all ones, x % 0 = x, signed or not: no iteration needed.
                self.finished.d.next = true;
                if self.op.val().get_bit(1) {
                    self.result.d.next = self.a.val();
                } else {
                    self.result.d.next = 0xffff_ffff_u64.into();
                }
            } else {
                self.running.d.next = true;
                self.remainder.d.next = 0.into();
                self.quotient.d.next = self.mag_a.val();
                self.divisor.d.next = self.mag_b.val();
                self.count.d.next = 32.into();
                // The remainder takes the dividend's sign, the quotient the sign product.
                if self.op.val().get_bit(1) {
                    self.negate.d.next = self.neg_a.val();
                } else {
                    self.negate.d.next = self.neg_a.val() ^ self.neg_b.val();
                }
            }
        } else if self.running.q.val() {
            if self.count.q.val() == 0 {
                self.running.d.next = false;
                self.finished.d.next = true;
                if self.negate.q.val() {
                    self.result.d.next = 0_u64 - self.magnitude.val();
                } else {
                    self.result.d.next = self.magnitude.val();
                }
            } else {
                self.count.d.next = self.count.q.val() - 1;
                if self.diff.val().get_bit(32) {
                    self.remainder.d.next = self.shifted.val().get_bits::<32>(0);
                    self.quotient.d.next = self.quotient.q.val() << 1;
                } else {
                    self.remainder.d.next = self.diff.val().get_bits::<32>(0);
                    self.quotient.d.next = (self.quotient.q.val() << 1) | 1;
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

    #[test]
    fn quotients_and_remainders_match_rv32m() {
        let mut a = operands(9, 60);
        let mut b = operands(10, 60);
        a.extend_from_slice(&[0x8000_0000, 0x8000_0000, 7, u32::MAX, 0, 100]);
        b.extend_from_slice(&[u32::MAX, 1, 0, 0, 0, 7]);
        let mut uut = Divider::default();
        uut.connect_all();
        let mut sim = simple_sim!(Divider, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for op in 0..4u32 {
                for i in 0..a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                    x.op.next = (op as u64).into();
                    x.start.next = true;
                    wait_clock_cycle!(ep, clock, x);
                    x.start.next = false;
                    x.a.next = 0.into();
                    x.b.next = 0.into();
                    let mut cycles = 0;
                    while !x.done.val() {
                        wait_clock_cycle!(ep, clock, x);
                        cycles += 1;
                        sim_assert!(ep, cycles < 40, x);
                    }
                    let want = reference(a[i], b[i], op) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 10_000_000_000_000).unwrap();
    }
}
