//! Instruction decoder: one RV32IM word in, the control bits the pipeline needs out.
//!
//! Strict like `rvzk_zkvm::rv32im::decode`: every reserved encoding (wrong funct3/funct7,
//! RV64 shift amounts, CSR/privileged SYSTEM words, FENCE.I, compressed words) raises
//! `illegal`. The register indices it outputs are the ones the trace record carries: 0 for a
//! port the instruction's format does not use, t0/a0 for `ecall`.

use rust_hdl::prelude::*;

/// Combinational RV32IM decoder. Exactly one of the `is_*` class outputs is high.
#[derive(LogicBlock, Default)]
pub struct Decoder {
    /// The instruction word.
    pub insn: Signal<In, Bits<32>>,
    /// First source register as recorded (0 if the format reads none; x5 for `ecall`).
    pub rs1: Signal<Out, Bits<5>>,
    /// Second source register as recorded (0 if unused; x10 for `ecall`).
    pub rs2: Signal<Out, Bits<5>>,
    /// Destination register (0 if the format writes none; a write to x0 is also 0).
    pub rd: Signal<Out, Bits<5>>,
    /// The immediate of the word's format, sign-extended (shift amount for shifts by immediate).
    pub imm: Signal<Out, Bits<32>>,
    /// `funct3`, which selects the branch condition, access width and M operation.
    pub funct3: Signal<Out, Bits<3>>,
    /// ALU operation: `funct3` plus bit 3 set for SUB, SRA and SRAI.
    pub alu_op: Signal<Out, Bits<4>>,
    /// Register-register or register-immediate ALU operation.
    pub is_alu: Signal<Out, Bit>,
    /// With `is_alu`: the second operand is `imm`, not rs2.
    pub alu_imm: Signal<Out, Bit>,
    /// LUI.
    pub is_lui: Signal<Out, Bit>,
    /// AUIPC.
    pub is_auipc: Signal<Out, Bit>,
    /// JAL.
    pub is_jal: Signal<Out, Bit>,
    /// JALR.
    pub is_jalr: Signal<Out, Bit>,
    /// Conditional branch.
    pub is_branch: Signal<Out, Bit>,
    /// Load (LB/LH/LW/LBU/LHU).
    pub is_load: Signal<Out, Bit>,
    /// Store (SB/SH/SW).
    pub is_store: Signal<Out, Bit>,
    /// MUL/MULH/MULHSU/MULHU.
    pub is_mul: Signal<Out, Bit>,
    /// DIV/DIVU/REM/REMU.
    pub is_div: Signal<Out, Bit>,
    /// FENCE (a no-op here).
    pub is_fence: Signal<Out, Bit>,
    /// ECALL (a syscall).
    pub is_ecall: Signal<Out, Bit>,
    /// EBREAK (a fault).
    pub is_ebreak: Signal<Out, Bit>,
    /// Not RV32IM.
    pub is_illegal: Signal<Out, Bit>,
    f3: Signal<Local, Bits<3>>,
    f7: Signal<Local, Bits<7>>,
    field_rd: Signal<Local, Bits<5>>,
    field_rs1: Signal<Local, Bits<5>>,
    field_rs2: Signal<Local, Bits<5>>,
    imm_i: Signal<Local, Bits<32>>,
    imm_s: Signal<Local, Bits<32>>,
    imm_b: Signal<Local, Bits<32>>,
    imm_j: Signal<Local, Bits<32>>,
    sign: Signal<Local, Bits<32>>,
}

impl Logic for Decoder {
    // hdl_gen translates no match guards, so conditions stay inside the arms.
    #[allow(clippy::collapsible_match)]
    #[hdl_gen]
    fn update(&mut self) {
        self.f3.next = self.insn.val().get_bits::<3>(12);
        self.f7.next = self.insn.val().get_bits::<7>(25);
        self.field_rd.next = self.insn.val().get_bits::<5>(7);
        self.field_rs1.next = self.insn.val().get_bits::<5>(15);
        self.field_rs2.next = self.insn.val().get_bits::<5>(20);
        // All four signed formats take their sign from bit 31.
        self.sign.next = 0.into();
        if self.insn.val().get_bit(31) {
            self.sign.next = 0xffff_ffff_u64.into();
        }
        self.imm_i.next =
            (self.sign.val() << 12) | bit_cast::<32, 12>(self.insn.val().get_bits::<12>(20));
        self.imm_s.next = (self.sign.val() << 12)
            | (bit_cast::<32, 7>(self.insn.val().get_bits::<7>(25)) << 5)
            | bit_cast::<32, 5>(self.insn.val().get_bits::<5>(7));
        self.imm_b.next = (self.sign.val() << 12)
            | (bit_cast::<32, 1>(self.insn.val().get_bits::<1>(7)) << 11)
            | (bit_cast::<32, 6>(self.insn.val().get_bits::<6>(25)) << 5)
            | (bit_cast::<32, 4>(self.insn.val().get_bits::<4>(8)) << 1);
        self.imm_j.next = (self.sign.val() << 20)
            | (bit_cast::<32, 8>(self.insn.val().get_bits::<8>(12)) << 12)
            | (bit_cast::<32, 1>(self.insn.val().get_bits::<1>(20)) << 11)
            | (bit_cast::<32, 10>(self.insn.val().get_bits::<10>(21)) << 1);

        self.rs1.next = 0.into();
        self.rs2.next = 0.into();
        self.rd.next = 0.into();
        self.imm.next = 0.into();
        self.funct3.next = self.f3.val();
        self.alu_op.next = bit_cast::<4, 3>(self.f3.val());
        self.is_alu.next = false;
        self.alu_imm.next = false;
        self.is_lui.next = false;
        self.is_auipc.next = false;
        self.is_jal.next = false;
        self.is_jalr.next = false;
        self.is_branch.next = false;
        self.is_load.next = false;
        self.is_store.next = false;
        self.is_mul.next = false;
        self.is_div.next = false;
        self.is_fence.next = false;
        self.is_ecall.next = false;
        self.is_ebreak.next = false;
        self.is_illegal.next = true;
        // Opcodes in decimal: rust-hdl copies match patterns into Verilog verbatim.
        match self.insn.val().get_bits::<7>(0).index() {
            55 => {
                // LUI (0x37)
                self.is_illegal.next = false;
                self.is_lui.next = true;
                self.rd.next = self.field_rd.val();
                self.imm.next = self.insn.val() & 0xffff_f000_u64;
            }
            23 => {
                // AUIPC (0x17)
                self.is_illegal.next = false;
                self.is_auipc.next = true;
                self.rd.next = self.field_rd.val();
                self.imm.next = self.insn.val() & 0xffff_f000_u64;
            }
            111 => {
                // JAL (0x6f)
                self.is_illegal.next = false;
                self.is_jal.next = true;
                self.rd.next = self.field_rd.val();
                self.imm.next = self.imm_j.val();
            }
            103 => {
                // JALR (0x67)
                if self.f3.val() == 0 {
                    self.is_illegal.next = false;
                    self.is_jalr.next = true;
                    self.rd.next = self.field_rd.val();
                    self.rs1.next = self.field_rs1.val();
                    self.imm.next = self.imm_i.val();
                }
            }
            99 => {
                // BRANCH (0x63): funct3 2 and 3 are reserved
                if self.f3.val().get_bits::<2>(1) != 1 {
                    self.is_illegal.next = false;
                    self.is_branch.next = true;
                    // The ALU compares: SLT for the signed orders, SLTU for the unsigned.
                    self.alu_op.next = bit_cast::<4, 1>(self.f3.val().get_bits::<1>(1)) | 2;
                    self.rs1.next = self.field_rs1.val();
                    self.rs2.next = self.field_rs2.val();
                    self.imm.next = self.imm_b.val();
                }
            }
            3 => {
                // LOAD: LB LH LW LBU LHU
                if (self.f3.val() != 3) && (self.f3.val() < 6) {
                    self.is_illegal.next = false;
                    self.is_load.next = true;
                    self.rd.next = self.field_rd.val();
                    self.rs1.next = self.field_rs1.val();
                    self.imm.next = self.imm_i.val();
                }
            }
            35 => {
                // STORE (0x23): SB SH SW
                if self.f3.val() < 3 {
                    self.is_illegal.next = false;
                    self.is_store.next = true;
                    self.rs1.next = self.field_rs1.val();
                    self.rs2.next = self.field_rs2.val();
                    self.imm.next = self.imm_s.val();
                }
            }
            19 => {
                // OP-IMM (0x13); shifts by immediate carry funct7 rules and a 5-bit amount
                self.rd.next = self.field_rd.val();
                self.rs1.next = self.field_rs1.val();
                self.imm.next = self.imm_i.val();
                if self.f3.val() == 1 {
                    if self.f7.val() == 0 {
                        self.is_illegal.next = false;
                        self.is_alu.next = true;
                        self.alu_imm.next = true;
                        self.imm.next = bit_cast::<32, 5>(self.field_rs2.val());
                    }
                } else if self.f3.val() == 5 {
                    if self.f7.val() == 0 {
                        self.is_illegal.next = false;
                        self.is_alu.next = true;
                        self.alu_imm.next = true;
                        self.imm.next = bit_cast::<32, 5>(self.field_rs2.val());
                    } else if self.f7.val() == 32 {
                        self.is_illegal.next = false;
                        self.is_alu.next = true;
                        self.alu_imm.next = true;
                        self.alu_op.next = bit_cast::<4, 3>(self.f3.val()) | 8;
                        self.imm.next = bit_cast::<32, 5>(self.field_rs2.val());
                    }
                } else {
                    self.is_illegal.next = false;
                    self.is_alu.next = true;
                    self.alu_imm.next = true;
                }
            }
            51 => {
                // OP (0x33): funct7 0 (all), 0x20 (SUB, SRA), 1 (M extension)
                self.rd.next = self.field_rd.val();
                self.rs1.next = self.field_rs1.val();
                self.rs2.next = self.field_rs2.val();
                if self.f7.val() == 0 {
                    self.is_illegal.next = false;
                    self.is_alu.next = true;
                } else if self.f7.val() == 32 {
                    if (self.f3.val() == 0) || (self.f3.val() == 5) {
                        self.is_illegal.next = false;
                        self.is_alu.next = true;
                        self.alu_op.next = bit_cast::<4, 3>(self.f3.val()) | 8;
                    }
                } else if self.f7.val() == 1 {
                    self.is_illegal.next = false;
                    if self.f3.val().get_bit(2) {
                        self.is_div.next = true;
                    } else {
                        self.is_mul.next = true;
                    }
                }
            }
            15 => {
                // MISC-MEM (0x0f): only FENCE; its other fields are ignored
                if self.f3.val() == 0 {
                    self.is_illegal.next = false;
                    self.is_fence.next = true;
                }
            }
            115 => {
                // SYSTEM (0x73): exactly ECALL or EBREAK, nothing else
                if self.insn.val() == 0x73 {
                    self.is_illegal.next = false;
                    self.is_ecall.next = true;
                    self.rs1.next = 5.into();
                    self.rs2.next = 10.into();
                } else if self.insn.val() == 0x0010_0073 {
                    self.is_illegal.next = false;
                    self.is_ebreak.next = true;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rvzk_zkvm::rv32im::{decode, Op};

    /// What the decoder should output for `insn`, from the software decoder.
    fn expected(insn: u32) -> (u64, u64, u64, u64, [bool; 15]) {
        let d = decode(insn);
        use Op::*;
        let alu = matches!(
            d.op,
            Addi | Slti
                | Sltiu
                | Xori
                | Ori
                | Andi
                | Slli
                | Srli
                | Srai
                | Add
                | Sub
                | Sll
                | Slt
                | Sltu
                | Xor
                | Srl
                | Sra
                | Or
                | And
        );
        let (rs1, rs2) = match d.op {
            Ecall => (5, 10),
            _ => (d.rs1, d.rs2),
        };
        let classes = [
            alu,
            d.op == Lui,
            d.op == Auipc,
            d.op == Jal,
            d.op == Jalr,
            matches!(d.op, Beq | Bne | Blt | Bge | Bltu | Bgeu),
            matches!(d.op, Lb | Lh | Lw | Lbu | Lhu),
            matches!(d.op, Sb | Sh | Sw),
            matches!(d.op, Mul | Mulh | Mulhsu | Mulhu),
            matches!(d.op, Div | Divu | Rem | Remu),
            d.op == Fence,
            d.op == Ecall,
            d.op == Ebreak,
            d.op == Illegal,
            alu && matches!(
                d.op,
                Addi | Slti | Sltiu | Xori | Ori | Andi | Slli | Srli | Srai
            ),
        ];
        let imm = if d.op == Illegal { 0 } else { d.imm };
        (rs1 as u64, rs2 as u64, d.rd as u64, imm as u64, classes)
    }

    /// Words covering every opcode, every funct3/funct7 of interest, and random fields.
    fn words() -> Vec<u32> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut v = vec![
            0x0000_0073,
            0x0010_0073,
            0x0020_0073,
            0x0000_0000,
            0xffff_ffff,
        ];
        let opcodes = [
            0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73, 0x2f,
        ];
        for &op in &opcodes {
            for f3 in 0..8u32 {
                for f7 in [0u32, 1, 0x20, 0x21, 0x40, 0x7f] {
                    let fields = rng.gen::<u32>() & 0x01ff_8f80; // rs2, rs1, rd
                    v.push((f7 << 25) | (f3 << 12) | fields | op);
                }
            }
        }
        for _ in 0..400 {
            let w: u32 = rng.gen();
            v.push(w);
            v.push((w & !0x7f) | opcodes[rng.gen_range(0..opcodes.len())]);
        }
        v
    }

    #[test]
    fn matches_the_software_decoder() {
        let cases = words();
        let mut uut = Decoder::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut ep: Sim<Decoder>| {
            let mut x = ep.init()?;
            for &w in &cases {
                x.insn.next = (w as u64).into();
                x = ep.wait(1, x)?;
                let (rs1, rs2, rd, imm, classes) = expected(w);
                let got = [
                    x.is_alu.val(),
                    x.is_lui.val(),
                    x.is_auipc.val(),
                    x.is_jal.val(),
                    x.is_jalr.val(),
                    x.is_branch.val(),
                    x.is_load.val(),
                    x.is_store.val(),
                    x.is_mul.val(),
                    x.is_div.val(),
                    x.is_fence.val(),
                    x.is_ecall.val(),
                    x.is_ebreak.val(),
                    x.is_illegal.val(),
                    x.is_alu.val() && x.alu_imm.val(),
                ];
                sim_assert_eq!(ep, got, classes, x);
                if !classes[13] && !classes[12] && !classes[10] {
                    sim_assert_eq!(ep, x.rs1.val(), bits::<5>(rs1), x);
                    sim_assert_eq!(ep, x.rs2.val(), bits::<5>(rs2), x);
                    sim_assert_eq!(ep, x.rd.val(), bits::<5>(rd), x);
                    if !classes[9] && !classes[8] && !classes[11] {
                        sim_assert_eq!(ep, x.imm.val(), bits::<32>(imm), x);
                    }
                }
                if classes[0] {
                    let sub = (w >> 30) & 1 == 1 && ((w & 0x7f) == 0x33 || (w >> 12) & 7 == 5);
                    let want = ((w >> 12) & 7) as u64 | if sub { 8 } else { 0 };
                    sim_assert_eq!(ep, x.alu_op.val(), bits::<4>(want), x);
                }
                if classes[5] {
                    // A branch's comparison: SLT (signed orders) or SLTU (unsigned).
                    let want = 2 | ((w >> 13) & 1) as u64;
                    sim_assert_eq!(ep, x.alu_op.val(), bits::<4>(want), x);
                    sim_assert!(ep, !x.alu_imm.val(), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
    }
}
