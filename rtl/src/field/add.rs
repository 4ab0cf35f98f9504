//! Modular addition.

use crate::babybear::P;
use rust_hdl::prelude::*;

/// `y = (a + b) mod p`, two pipeline stages: the raw 32-bit sum (a, b < p < 2^31, so it
/// cannot overflow), then one conditional subtraction of p.
#[derive(LogicBlock)]
pub struct ModAdd {
    /// Pipeline clock.
    pub clock: Signal<In, Clock>,
    /// Clock enable for every pipeline register.
    pub enable: Signal<In, Bit>,
    /// Canonical addend.
    pub a: Signal<In, Bits<32>>,
    /// Canonical addend.
    pub b: Signal<In, Bits<32>>,
    /// Canonical sum, [`ModAdd::LATENCY`] cycles later.
    pub y: Signal<Out, Bits<32>>,
    modulus: Constant<Bits<32>>,
    sum: DFF<Bits<32>>,
    out: DFF<Bits<32>>,
}

impl ModAdd {
    /// Cycles from operands to result.
    pub const LATENCY: usize = 2;
}

impl Default for ModAdd {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            y: Default::default(),
            modulus: Constant::new(bits(P as u64)),
            sum: Default::default(),
            out: Default::default(),
        }
    }
}

impl Logic for ModAdd {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sum, out);
        if self.enable.val() {
            self.sum.d.next = self.a.val() + self.b.val();
            if self.sum.q.val() >= self.modulus.val() {
                self.out.d.next = self.sum.q.val() - self.modulus.val();
            } else {
                self.out.d.next = self.sum.q.val();
            }
        }
        self.y.next = self.out.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babybear;
    use crate::field::testutil::operands;

    #[test]
    fn adds_mod_p() {
        let a = operands(1, 300);
        let b = operands(2, 300);
        let mut uut = ModAdd::default();
        uut.connect_all();
        let mut sim = simple_sim!(ModAdd, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            for i in 0..a.len() + ModAdd::LATENCY - 1 {
                if i < a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                }
                wait_clock_cycle!(ep, clock, x);
                if i + 1 >= ModAdd::LATENCY {
                    let j = i + 1 - ModAdd::LATENCY;
                    let want = babybear::add(a[j], b[j]) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000).unwrap();
    }
}
