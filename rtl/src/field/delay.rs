//! A clock-enabled shift register that delays a value by `L` cycles, used to line up
//! the side paths of a pipeline with its multiplier.

use rust_hdl::prelude::*;

/// `y` is `x` as it was `L` enabled cycles ago (`L ≥ 1`).
#[derive(LogicBlock)]
pub struct Delay<T: Synth, const L: usize> {
    /// Pipeline clock.
    pub clock: Signal<In, Clock>,
    /// Clock enable: the line shifts only while this is high.
    pub enable: Signal<In, Bit>,
    /// Value entering the line.
    pub x: Signal<In, T>,
    /// Value leaving the line.
    pub y: Signal<Out, T>,
    stages: [DFF<T>; L],
}

impl<T: Synth, const L: usize> Default for Delay<T, L> {
    fn default() -> Self {
        assert!(L >= 1, "a Delay needs at least one stage");
        Self {
            clock: Default::default(),
            enable: Default::default(),
            x: Default::default(),
            y: Default::default(),
            stages: std::array::from_fn(|_| Default::default()),
        }
    }
}

impl<T: Synth, const L: usize> Logic for Delay<T, L> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..L {
            self.stages[i].clock.next = self.clock.val();
            self.stages[i].d.next = self.stages[i].q.val();
        }
        if self.enable.val() {
            self.stages[0].d.next = self.x.val();
            for i in 1..L {
                self.stages[i].d.next = self.stages[i - 1].q.val();
            }
        }
        // (a one-trip loop: the Verilog emitter only resolves indices that are loop variables)
        for i in (L - 1)..L {
            self.y.next = self.stages[i].q.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_by_l_enabled_cycles() {
        let mut uut = Delay::<Bits<8>, 3>::default();
        uut.connect_all();
        let mut sim = simple_sim!(Delay<Bits<8>, 3>, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            for i in 0..20u64 {
                x.x.next = (i + 1).into();
                wait_clock_cycle!(ep, clock, x);
                if i >= 3 {
                    sim_assert_eq!(ep, x.y.val(), bits::<8>(i - 1), x);
                }
            }
            // With enable low the line holds its contents.
            x.enable.next = false;
            let held = x.y.val();
            wait_clock_cycles!(ep, clock, x, 5);
            sim_assert_eq!(ep, x.y.val(), held, x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000).unwrap();
    }
}
