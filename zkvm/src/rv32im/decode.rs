//! RV32IM instruction decoding.
//!
//! Decoding is strict: every reserved encoding of RV32IM (wrong funct7, RV64-only shift
//! amounts, CSR instructions, compressed encodings) is [`Op::Illegal`], so the executor, the
//! circuit and the hardware agree on what runs.

/// An RV32IM operation (plus [`Op::Illegal`] for anything else).
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Lbu,
    Lhu,
    Sb,
    Sh,
    Sw,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    /// FENCE is an ordering hint; a single-hart machine with no caches executes it as a no-op.
    Fence,
    Ecall,
    Ebreak,
    /// Not an RV32IM instruction.
    Illegal,
}

impl Op {
    /// Lower-case assembler mnemonic.
    pub fn mnemonic(self) -> &'static str {
        use Op::*;
        match self {
            Lui => "lui",
            Auipc => "auipc",
            Jal => "jal",
            Jalr => "jalr",
            Beq => "beq",
            Bne => "bne",
            Blt => "blt",
            Bge => "bge",
            Bltu => "bltu",
            Bgeu => "bgeu",
            Lb => "lb",
            Lh => "lh",
            Lw => "lw",
            Lbu => "lbu",
            Lhu => "lhu",
            Sb => "sb",
            Sh => "sh",
            Sw => "sw",
            Addi => "addi",
            Slti => "slti",
            Sltiu => "sltiu",
            Xori => "xori",
            Ori => "ori",
            Andi => "andi",
            Slli => "slli",
            Srli => "srli",
            Srai => "srai",
            Add => "add",
            Sub => "sub",
            Sll => "sll",
            Slt => "slt",
            Sltu => "sltu",
            Xor => "xor",
            Srl => "srl",
            Sra => "sra",
            Or => "or",
            And => "and",
            Mul => "mul",
            Mulh => "mulh",
            Mulhsu => "mulhsu",
            Mulhu => "mulhu",
            Div => "div",
            Divu => "divu",
            Rem => "rem",
            Remu => "remu",
            Fence => "fence",
            Ecall => "ecall",
            Ebreak => "ebreak",
            Illegal => "illegal",
        }
    }
}

/// A decoded instruction. Unused register fields are 0; `imm` is sign-extended (for shifts by
/// immediate it is the 5-bit shift amount).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// The operation.
    pub op: Op,
    /// Destination register (0 when the instruction writes none).
    pub rd: u8,
    /// First source register (0 when unused).
    pub rs1: u8,
    /// Second source register (0 when unused).
    pub rs2: u8,
    /// Immediate, sign-extended to 32 bits.
    pub imm: u32,
}

impl Decoded {
    const ILLEGAL: Decoded = Decoded {
        op: Op::Illegal,
        rd: 0,
        rs1: 0,
        rs2: 0,
        imm: 0,
    };
}

#[inline]
fn bits(insn: u32, hi: u32, lo: u32) -> u32 {
    (insn >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Sign-extend the low `width` bits of `value`.
#[inline]
fn sext(value: u32, width: u32) -> u32 {
    let shift = 32 - width;
    (((value << shift) as i32) >> shift) as u32
}

fn imm_i(insn: u32) -> u32 {
    sext(insn >> 20, 12)
}

fn imm_s(insn: u32) -> u32 {
    sext((bits(insn, 31, 25) << 5) | bits(insn, 11, 7), 12)
}

fn imm_b(insn: u32) -> u32 {
    let v = (bits(insn, 31, 31) << 12)
        | (bits(insn, 7, 7) << 11)
        | (bits(insn, 30, 25) << 5)
        | (bits(insn, 11, 8) << 1);
    sext(v, 13)
}

fn imm_u(insn: u32) -> u32 {
    insn & 0xffff_f000
}

fn imm_j(insn: u32) -> u32 {
    let v = (bits(insn, 31, 31) << 20)
        | (bits(insn, 19, 12) << 12)
        | (bits(insn, 20, 20) << 11)
        | (bits(insn, 30, 21) << 1);
    sext(v, 21)
}

/// Decode one 32-bit instruction word.
pub fn decode(insn: u32) -> Decoded {
    use Op::*;
    if insn & 3 != 3 {
        return Decoded::ILLEGAL; // a compressed (16-bit) encoding
    }
    let opcode = bits(insn, 6, 0);
    let rd = bits(insn, 11, 7) as u8;
    let rs1 = bits(insn, 19, 15) as u8;
    let rs2 = bits(insn, 24, 20) as u8;
    let funct3 = bits(insn, 14, 12);
    let funct7 = bits(insn, 31, 25);
    let d = |op, rd, rs1, rs2, imm| Decoded {
        op,
        rd,
        rs1,
        rs2,
        imm,
    };
    match opcode {
        0b011_0111 => d(Lui, rd, 0, 0, imm_u(insn)),
        0b001_0111 => d(Auipc, rd, 0, 0, imm_u(insn)),
        0b110_1111 => d(Jal, rd, 0, 0, imm_j(insn)),
        0b110_0111 if funct3 == 0 => d(Jalr, rd, rs1, 0, imm_i(insn)),
        0b110_0011 => {
            let op = match funct3 {
                0 => Beq,
                1 => Bne,
                4 => Blt,
                5 => Bge,
                6 => Bltu,
                7 => Bgeu,
                _ => return Decoded::ILLEGAL,
            };
            d(op, 0, rs1, rs2, imm_b(insn))
        }
        0b000_0011 => {
            let op = match funct3 {
                0 => Lb,
                1 => Lh,
                2 => Lw,
                4 => Lbu,
                5 => Lhu,
                _ => return Decoded::ILLEGAL,
            };
            d(op, rd, rs1, 0, imm_i(insn))
        }
        0b010_0011 => {
            let op = match funct3 {
                0 => Sb,
                1 => Sh,
                2 => Sw,
                _ => return Decoded::ILLEGAL,
            };
            d(op, 0, rs1, rs2, imm_s(insn))
        }
        0b001_0011 => {
            let shamt = bits(insn, 24, 20);
            let op = match (funct3, funct7) {
                (0, _) => Addi,
                (2, _) => Slti,
                (3, _) => Sltiu,
                (4, _) => Xori,
                (6, _) => Ori,
                (7, _) => Andi,
                (1, 0) => return d(Slli, rd, rs1, 0, shamt),
                (5, 0) => return d(Srli, rd, rs1, 0, shamt),
                (5, 0b010_0000) => return d(Srai, rd, rs1, 0, shamt),
                _ => return Decoded::ILLEGAL,
            };
            d(op, rd, rs1, 0, imm_i(insn))
        }
        0b011_0011 => {
            let op = match (funct7, funct3) {
                (0, 0) => Add,
                (0b010_0000, 0) => Sub,
                (0, 1) => Sll,
                (0, 2) => Slt,
                (0, 3) => Sltu,
                (0, 4) => Xor,
                (0, 5) => Srl,
                (0b010_0000, 5) => Sra,
                (0, 6) => Or,
                (0, 7) => And,
                (1, 0) => Mul,
                (1, 1) => Mulh,
                (1, 2) => Mulhsu,
                (1, 3) => Mulhu,
                (1, 4) => Div,
                (1, 5) => Divu,
                (1, 6) => Rem,
                (1, 7) => Remu,
                _ => return Decoded::ILLEGAL,
            };
            d(op, rd, rs1, rs2, 0)
        }
        // FENCE: fm/pred/succ/rs1/rd are ignored by the specification's own rule.
        0b000_1111 if funct3 == 0 => d(Fence, 0, 0, 0, 0),
        0b111_0011 => match insn {
            0x0000_0073 => d(Ecall, 0, 0, 0, 0),
            0x0010_0073 => d(Ebreak, 0, 0, 0, 0),
            _ => Decoded::ILLEGAL, // CSR instructions, MRET, WFI, …: no privileged state here
        },
        _ => Decoded::ILLEGAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediates_decode_with_sign() {
        // addi a0, a0, -1
        let d = decode(0xfff5_0513);
        assert_eq!((d.op, d.rd, d.rs1, d.imm), (Op::Addi, 10, 10, u32::MAX));
        // sw a1, -4(sp)
        let d = decode(0xfeb1_2e23);
        assert_eq!((d.op, d.rs1, d.rs2, d.imm as i32), (Op::Sw, 2, 11, -4));
        // beq x0, x0, -8
        let d = decode(0xfe00_0ce3);
        assert_eq!((d.op, d.imm as i32), (Op::Beq, -8));
        // jal ra, +2048
        let d = decode(0x0010_00ef);
        assert_eq!((d.op, d.rd, d.imm), (Op::Jal, 1, 2048));
        // jal x0, -1048576 (most negative)
        let d = decode(0x8000_006f);
        assert_eq!(d.imm as i32, -(1 << 20));
        // lui a0, 0xfffff
        let d = decode(0xffff_f537);
        assert_eq!((d.op, d.imm), (Op::Lui, 0xffff_f000));
        // srai a0, a0, 31
        let d = decode(0x41f5_5513);
        assert_eq!((d.op, d.imm), (Op::Srai, 31));
    }

    #[test]
    fn reserved_encodings_are_illegal() {
        for insn in [
            0x0000_0000, // all zero
            0xffff_ffff, // all ones
            0x0000_4501, // compressed c.li
            0x0205_1513, // slli a0, a0, 32 (RV64 shamt)
            0x4005_1513, // slli with funct7 0x20
            0x0205_5513, // srli with shamt[5]
            0x3000_2573, // csrrs a0, mstatus
            0x3020_0073, // mret
            0x0000_3003, // ld (RV64)
            0x0000_3023, // sd (RV64)
            0x0000_2063, // branch funct3 2
            0x0000_1067, // jalr funct3 1
            0x0400_0533, // add with funct7 0x02
            0x0000_100f, // fence.i (Zifencei, not in RV32IM)
        ] {
            assert_eq!(decode(insn).op, Op::Illegal, "{insn:#010x}");
        }
    }

    #[test]
    fn every_r_type_decodes() {
        let ops = [
            (0, 0, Op::Add),
            (0x20, 0, Op::Sub),
            (0, 1, Op::Sll),
            (0, 2, Op::Slt),
            (0, 3, Op::Sltu),
            (0, 4, Op::Xor),
            (0, 5, Op::Srl),
            (0x20, 5, Op::Sra),
            (0, 6, Op::Or),
            (0, 7, Op::And),
            (1, 0, Op::Mul),
            (1, 1, Op::Mulh),
            (1, 2, Op::Mulhsu),
            (1, 3, Op::Mulhu),
            (1, 4, Op::Div),
            (1, 5, Op::Divu),
            (1, 6, Op::Rem),
            (1, 7, Op::Remu),
        ];
        for (f7, f3, op) in ops {
            let insn = (f7 << 25) | (7 << 20) | (6 << 15) | (f3 << 12) | (5 << 7) | 0x33;
            assert_eq!(
                decode(insn),
                Decoded {
                    op,
                    rd: 5,
                    rs1: 6,
                    rs2: 7,
                    imm: 0
                }
            );
        }
    }
}
