//! Integer ALU: the RV32I register-register and register-immediate operations.

use rust_hdl::prelude::*;

/// Combinational ALU. `op` is the decoder's `alu_op`: `funct3`, with bit 3 set for SUB and
/// SRA/SRAI.
#[derive(LogicBlock, Default)]
pub struct Alu {
    /// First operand (rs1).
    pub a: Signal<In, Bits<32>>,
    /// Second operand (rs2 or the immediate).
    pub b: Signal<In, Bits<32>>,
    /// Operation.
    pub op: Signal<In, Bits<4>>,
    /// Result.
    pub y: Signal<Out, Bits<32>>,
    shamt: Signal<Local, Bits<5>>,
    right: Signal<Local, Bits<32>>,
    flip: Signal<Local, Bits<32>>,
}

impl Logic for Alu {
    #[hdl_gen]
    fn update(&mut self) {
        // RV32: only the low five bits of the shift amount count.
        self.shamt.next = self.b.val().get_bits::<5>(0);
        // An arithmetic right shift of a negative value is the complement of a logical shift
        // of its complement, which spares a sign-fill mask.
        if self.op.val().get_bit(3) && self.a.val().get_bit(31) {
            self.right.next = !((!self.a.val()) >> self.shamt.val());
        } else {
            self.right.next = self.a.val() >> self.shamt.val();
        }
        // Signed order is unsigned order with both sign bits flipped.
        self.flip.next = 0x8000_0000_u64.into();
        self.y.next = 0.into();
        match self.op.val().get_bits::<3>(0).index() {
            0 => {
                if self.op.val().get_bit(3) {
                    self.y.next = self.a.val() - self.b.val();
                } else {
                    self.y.next = self.a.val() + self.b.val();
                }
            }
            1 => self.y.next = self.a.val() << self.shamt.val(),
            2 => {
                if (self.a.val() ^ self.flip.val()) < (self.b.val() ^ self.flip.val()) {
                    self.y.next = 1.into();
                }
            }
            3 => {
                if self.a.val() < self.b.val() {
                    self.y.next = 1.into();
                }
            }
            4 => self.y.next = self.a.val() ^ self.b.val(),
            5 => self.y.next = self.right.val(),
            6 => self.y.next = self.a.val() | self.b.val(),
            _ => self.y.next = self.a.val() & self.b.val(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testutil::operands;

    fn reference(a: u32, b: u32, op: u32) -> u32 {
        let sh = b & 31;
        match op {
            0 => a.wrapping_add(b),
            8 => a.wrapping_sub(b),
            1 => a << sh,
            2 => ((a as i32) < (b as i32)) as u32,
            3 => (a < b) as u32,
            4 => a ^ b,
            5 => a >> sh,
            13 => ((a as i32) >> sh) as u32,
            6 => a | b,
            _ => a & b,
        }
    }

    #[test]
    fn every_operation_matches_rv32() {
        let a = operands(1, 200);
        let b = operands(2, 200);
        let mut uut = Alu::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut ep: Sim<Alu>| {
            let mut x = ep.init()?;
            for op in [0u32, 8, 1, 2, 3, 4, 5, 13, 6, 7] {
                for i in 0..a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                    x.op.next = (op as u64).into();
                    x = ep.wait(1, x)?;
                    let want = reference(a[i], b[i], op) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
    }
}
