//! Modular subtraction.

use crate::babybear::P;
use rust_hdl::prelude::*;

/// `y = (a − b) mod p`, two pipeline stages: the raw 32-bit difference, whose bit 31 is
/// the borrow because |a − b| < 2^31, then one conditional addition of p.
#[derive(LogicBlock)]
pub struct ModSub {
    /// Pipeline clock.
    pub clock: Signal<In, Clock>,
    /// Clock enable for every pipeline register.
    pub enable: Signal<In, Bit>,
    /// Canonical minuend.
    pub a: Signal<In, Bits<32>>,
    /// Canonical subtrahend.
    pub b: Signal<In, Bits<32>>,
    /// Canonical difference, [`ModSub::LATENCY`] cycles later.
    pub y: Signal<Out, Bits<32>>,
    modulus: Constant<Bits<32>>,
    diff: DFF<Bits<32>>,
    out: DFF<Bits<32>>,
}

impl ModSub {
    /// Cycles from operands to result.
    pub const LATENCY: usize = 2;
}

impl Default for ModSub {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            y: Default::default(),
            modulus: Constant::new(bits(P as u64)),
            diff: Default::default(),
            out: Default::default(),
        }
    }
}

impl Logic for ModSub {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, diff, out);
        if self.enable.val() {
            self.diff.d.next = self.a.val() - self.b.val();
            if self.diff.q.val().get_bit(31) {
                self.out.d.next = self.diff.q.val() + self.modulus.val();
            } else {
                self.out.d.next = self.diff.q.val();
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
    fn subtracts_mod_p() {
        let a = operands(3, 300);
        let b = operands(4, 300);
        let mut uut = ModSub::default();
        uut.connect_all();
        let mut sim = simple_sim!(ModSub, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            for i in 0..a.len() + ModSub::LATENCY - 1 {
                if i < a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                }
                wait_clock_cycle!(ep, clock, x);
                if i + 1 >= ModSub::LATENCY {
                    let j = i + 1 - ModSub::LATENCY;
                    let want = babybear::sub(a[j], b[j]) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000).unwrap();
    }
}
