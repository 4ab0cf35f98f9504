//! Integer ALU: the RV32I register-register and register-immediate operations.

use rust_hdl::prelude::*;

/// Combinational ALU. `op` is the decoder's `alu_op`: `funct3`, with bit 3 set for SUB and
/// SRA/SRAI.
///
/// Built small for the UP5K: one adder serves ADD, SUB, SLT and SLTU (the last two from the
/// subtraction's sign and borrow), and one right shifter serves all three shifts (SLL shifts
/// the bit-reversed operand right and reverses the result). The compact build's ALU
/// ([`Alu::without_shifter`]) has no shifter: the core shifts serially instead.
#[derive(LogicBlock)]
pub struct Alu {
    /// First operand (rs1).
    pub a: Signal<In, Bits<32>>,
    /// Second operand (rs2 or the immediate).
    pub b: Signal<In, Bits<32>>,
    /// Operation.
    pub op: Signal<In, Bits<4>>,
    /// Result.
    pub y: Signal<Out, Bits<32>>,
    /// `a < b`, signed for op 2 (SLT), unsigned for op 3 (SLTU): what the branches use
    /// (the decoder gives a branch one of these two ops).
    pub less: Signal<Out, Bit>,
    subtract: Signal<Local, Bit>,
    flip_b: Signal<Local, Bits<32>>,
    carry_in: Signal<Local, Bits<34>>,
    wide: Signal<Local, Bits<34>>,
    sum: Signal<Local, Bits<33>>,
    shamt: Signal<Local, Bits<5>>,
    source: Signal<Local, Bits<32>>,
    right: Signal<Local, Bits<32>>,
    invert: Signal<Local, Bits<32>>,
    bitwise: Signal<Local, Bits<32>>,
    upper: Signal<Local, Bits<32>>,
    lower: Signal<Local, Bits<32>>,
    /// No shifter: ops 1, 5 and 13 give no defined result (the core shifts elsewhere).
    no_shift: Constant<Bit>,
    reverse_in: Reverse32,
    reverse_out: Reverse32,
}

/// Bit reversal: wiring only.
#[derive(LogicBlock, Default)]
pub struct Reverse32 {
    /// Input.
    pub a: Signal<In, Bits<32>>,
    /// `a` with bit i moved to bit 31 − i.
    pub y: Signal<Out, Bits<32>>,
}

impl Logic for Reverse32 {
    fn update(&mut self) {
        self.y.next = (self.a.val().to_u32().reverse_bits() as u64).into();
    }

    fn connect(&mut self) {
        self.y.connect();
    }

    fn hdl(&self) -> Verilog {
        let bits: Vec<String> = (0..32).map(|i| format!("a[{i}]")).collect();
        Verilog::Custom(format!("always @(*) y = {{{}}};\n", bits.join(", ")))
    }
}

impl Default for Alu {
    fn default() -> Self {
        Self {
            a: Default::default(),
            b: Default::default(),
            op: Default::default(),
            y: Default::default(),
            less: Default::default(),
            subtract: Default::default(),
            flip_b: Default::default(),
            carry_in: Default::default(),
            wide: Default::default(),
            sum: Default::default(),
            shamt: Default::default(),
            source: Default::default(),
            right: Default::default(),
            invert: Default::default(),
            bitwise: Default::default(),
            upper: Default::default(),
            lower: Default::default(),
            no_shift: Constant::new(false),
            reverse_in: Default::default(),
            reverse_out: Default::default(),
        }
    }
}

impl Alu {
    /// The ALU without its shifter (about 250 LUT4 fewer on the iCE40): `y` is undefined
    /// for the shift ops, and the core computes shifts itself.
    pub fn without_shifter() -> Self {
        Self {
            no_shift: Constant::new(true),
            ..Default::default()
        }
    }
}

impl Logic for Alu {
    #[hdl_gen]
    fn update(&mut self) {
        // a - b is a + !b + 1; bit 32 of the 33-bit sum is then "no borrow". One adder
        // does both: the operands get an extra low bit, 1 for a and `subtract` for b, whose
        // carry is the +1 (the complement folds into the adder's LUTs).
        self.subtract.next = self.op.val().get_bit(3)
            || (self.op.val().get_bits::<3>(0) == 2)
            || (self.op.val().get_bits::<3>(0) == 3);
        self.flip_b.next = self.b.val();
        self.carry_in.next = 0.into();
        if self.subtract.val() {
            self.flip_b.next = !self.b.val();
            self.carry_in.next = 1.into();
        }
        self.wide.next = ((bit_cast::<34, 32>(self.a.val()) << 1) | 1)
            + ((bit_cast::<34, 32>(self.flip_b.val()) << 1) | self.carry_in.val());
        self.sum.next = self.wide.val().get_bits::<33>(1);
        // SLTU: a borrow. SLT: the operands' signs differ ? a's sign : the difference's sign.
        self.less.next = !self.sum.val().get_bit(32);
        if self.op.val().get_bits::<3>(0) == 2 {
            self.less.next = self.sum.val().get_bit(31);
            if self.a.val().get_bit(31) != self.b.val().get_bit(31) {
                self.less.next = self.a.val().get_bit(31);
            }
        }

        // RV32: only the low five bits of the shift amount count.
        self.shamt.next = self.b.val().get_bits::<5>(0);
        self.reverse_in.a.next = self.a.val();
        self.source.next = self.a.val();
        if self.op.val().get_bits::<3>(0) == 1 {
            self.source.next = self.reverse_in.y.val();
        }
        // An arithmetic right shift of a negative value is the complement of a logical shift
        // of its complement, which spares a sign-fill mask. The complement is an XOR with a
        // mask on both sides of the one shifter (two shifters and a multiplexer otherwise);
        // the XORs fold into the shifter's first and last LUTs.
        self.invert.next = 0.into();
        if self.op.val().get_bit(3) && self.a.val().get_bit(31) {
            self.invert.next = 0xffff_ffff_u64.into();
        }
        self.right.next =
            ((self.source.val() ^ self.invert.val()) >> self.shamt.val()) ^ self.invert.val();
        self.reverse_out.a.next = self.right.val();

        // The result select in three small steps, each a LUT per bit (a case over op maps
        // to a deeper tree): the logic operations from a, b and op[1:0]; with op[2] set,
        // the right shift replaces them for op 5; with op[2] clear, the sum, the left shift
        // (op 1) or the comparison (ops 2, 3).
        self.bitwise.next = self.a.val() ^ self.b.val();
        if self.op.val().get_bit(1) {
            if self.op.val().get_bit(0) {
                self.bitwise.next = self.a.val() & self.b.val();
            } else {
                self.bitwise.next = self.a.val() | self.b.val();
            }
        }
        self.upper.next = self.bitwise.val();
        if (self.op.val().get_bits::<2>(0) == 1) && !self.no_shift.val() {
            self.upper.next = self.right.val();
        }
        self.lower.next = self.sum.val().get_bits::<32>(0);
        if self.op.val().get_bit(1) {
            self.lower.next = bit_cast::<32, 1>(self.less.val().into());
        } else if self.op.val().get_bit(0) && !self.no_shift.val() {
            self.lower.next = self.reverse_out.y.val();
        }
        self.y.next = self.lower.val();
        if self.op.val().get_bit(2) {
            self.y.next = self.upper.val();
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
