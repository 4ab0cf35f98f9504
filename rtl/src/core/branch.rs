//! Branch unit: evaluates the six RV32I branch conditions, with the ALU's subtraction
//! for the orderings (the decoder gives a branch SLT's or SLTU's ALU op), so the core has
//! one comparator.

use rust_hdl::prelude::*;

/// Combinational branch comparator.
#[derive(LogicBlock, Default)]
pub struct BranchUnit {
    /// rs1.
    pub a: Signal<In, Bits<32>>,
    /// rs2.
    pub b: Signal<In, Bits<32>>,
    /// The branch's `funct3` bits 2 and 0 (0 BEQ, 1 BNE, 4 BLT, 5 BGE, 6 BLTU, 7 BGEU: bit 1,
    /// the order's signedness, is the ALU's business).
    pub funct3: Signal<In, Bits<2>>,
    /// `a < b` in the branch's order (signed when `funct3[1]` is 0): the ALU's `less`.
    pub less: Signal<In, Bit>,
    /// The condition holds.
    pub taken: Signal<Out, Bit>,
    cond: Signal<Local, Bit>,
}

impl Logic for BranchUnit {
    #[hdl_gen]
    fn update(&mut self) {
        // funct3[2] (here bit 1) picks an ordering test over equality; funct3[0] negates.
        if self.funct3.val().get_bit(1) {
            self.cond.next = self.less.val();
        } else {
            self.cond.next = self.a.val() == self.b.val();
        }
        self.taken.next = self.cond.val() ^ self.funct3.val().get_bit(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testutil::operands;

    #[test]
    fn conditions_match_rv32() {
        let mut a = operands(3, 150);
        let mut b = operands(4, 150);
        // Equal pairs, so BEQ/BNE and the >= cases see both outcomes.
        a.extend_from_slice(&[5, 0, u32::MAX, 0x8000_0000]);
        b.extend_from_slice(&[5, 0, u32::MAX, 0x8000_0000]);
        let mut uut = BranchUnit::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut ep: Sim<BranchUnit>| {
            let mut x = ep.init()?;
            for f3 in [0u32, 1, 4, 5, 6, 7] {
                for i in 0..a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                    x.funct3.next = (((f3 >> 1) & 2 | f3 & 1) as u64).into();
                    let (p, q) = (a[i], b[i]);
                    // What the ALU computes for the branch's op (SLT or SLTU).
                    x.less.next = if f3 & 2 == 0 {
                        (p as i32) < (q as i32)
                    } else {
                        p < q
                    };
                    x = ep.wait(1, x)?;
                    let want = match f3 {
                        0 => p == q,
                        1 => p != q,
                        4 => (p as i32) < (q as i32),
                        5 => (p as i32) >= (q as i32),
                        6 => p < q,
                        _ => p >= q,
                    };
                    sim_assert_eq!(ep, x.taken.val(), want, x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
    }
}
