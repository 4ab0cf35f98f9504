//! Gentleman–Sande (decimation-in-frequency) butterfly.

use super::{Delay, ModAdd, ModSub, MontMul};
use rust_hdl::prelude::*;

/// `x = u + v`, `y = (u − v) · w` (mod p), with `w` a twiddle in Montgomery form, a new
/// operand set every cycle.
///
/// Only the Gentleman–Sande form is built: the NTT engine runs every transform as a
/// decimation-in-frequency pass over natural-order data (the inverse is the forward
/// transform read back at negated indices, see `ntt`), so it never needs Cooley–Tukey.
#[derive(LogicBlock, Default)]
pub struct Butterfly {
    /// Pipeline clock.
    pub clock: Signal<In, Clock>,
    /// Clock enable for every pipeline register.
    pub enable: Signal<In, Bit>,
    /// Canonical upper input.
    pub u: Signal<In, Bits<32>>,
    /// Canonical lower input.
    pub v: Signal<In, Bits<32>>,
    /// Twiddle factor in Montgomery form.
    pub w: Signal<In, Bits<32>>,
    /// u + v, canonical, [`Butterfly::LATENCY`] cycles later.
    pub x: Signal<Out, Bits<32>>,
    /// (u − v)·w, canonical, [`Butterfly::LATENCY`] cycles later.
    pub y: Signal<Out, Bits<32>>,
    add: ModAdd,
    sum_delay: Delay<Bits<32>, { MontMul::LATENCY }>,
    sub: ModSub,
    twiddle_delay: Delay<Bits<32>, { ModSub::LATENCY }>,
    mul: MontMul,
}

impl Butterfly {
    /// Cycles from operands to results.
    pub const LATENCY: usize = ModSub::LATENCY + MontMul::LATENCY;
}

impl Logic for Butterfly {
    #[hdl_gen]
    fn update(&mut self) {
        self.add.clock.next = self.clock.val();
        self.sum_delay.clock.next = self.clock.val();
        self.sub.clock.next = self.clock.val();
        self.twiddle_delay.clock.next = self.clock.val();
        self.mul.clock.next = self.clock.val();
        self.add.enable.next = self.enable.val();
        self.sum_delay.enable.next = self.enable.val();
        self.sub.enable.next = self.enable.val();
        self.twiddle_delay.enable.next = self.enable.val();
        self.mul.enable.next = self.enable.val();
        // Sum path: add, then wait for the product.
        self.add.a.next = self.u.val();
        self.add.b.next = self.v.val();
        self.sum_delay.x.next = self.add.y.val();
        self.x.next = self.sum_delay.y.val();
        // Difference path: subtract, then multiply by the twiddle (delayed to meet it).
        self.sub.a.next = self.u.val();
        self.sub.b.next = self.v.val();
        self.twiddle_delay.x.next = self.w.val();
        self.mul.a.next = self.sub.y.val();
        self.mul.b.next = self.twiddle_delay.y.val();
        self.y.next = self.mul.y.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babybear;
    use crate::field::testutil::operands;

    #[test]
    fn gentleman_sande_butterfly() {
        let u = operands(9, 200);
        let v = operands(10, 200);
        let w = operands(11, 200);
        let mut uut = Butterfly::default();
        uut.connect_all();
        let mut sim = simple_sim!(Butterfly, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            for i in 0..u.len() + Butterfly::LATENCY - 1 {
                if i < u.len() {
                    x.u.next = (u[i] as u64).into();
                    x.v.next = (v[i] as u64).into();
                    x.w.next = (babybear::to_mont(w[i]) as u64).into();
                }
                wait_clock_cycle!(ep, clock, x);
                if i + 1 >= Butterfly::LATENCY {
                    let j = i + 1 - Butterfly::LATENCY;
                    let sum = babybear::add(u[j], v[j]) as u64;
                    let prod = babybear::mul(babybear::sub(u[j], v[j]), w[j]) as u64;
                    sim_assert_eq!(ep, x.x.val(), bits::<32>(sum), x);
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(prod), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000).unwrap();
    }
}
