//! RV32IM instruction encoding: the inverse of [`decode`](super::decode::decode).
//!
//! Tests (here, in the circuit and in the hardware testbenches) use it to build programs
//! without an assembler.

use super::decode::{Decoded, Op};

fn r(funct7: u32, rs2: u8, rs1: u8, funct3: u32, rd: u8, opcode: u32) -> u32 {
    (funct7 << 25)
        | ((rs2 as u32 & 31) << 20)
        | ((rs1 as u32 & 31) << 15)
        | (funct3 << 12)
        | ((rd as u32 & 31) << 7)
        | opcode
}

fn i(imm: u32, rs1: u8, funct3: u32, rd: u8, opcode: u32) -> u32 {
    ((imm & 0xfff) << 20)
        | ((rs1 as u32 & 31) << 15)
        | (funct3 << 12)
        | ((rd as u32 & 31) << 7)
        | opcode
}

fn s(imm: u32, rs2: u8, rs1: u8, funct3: u32, opcode: u32) -> u32 {
    (((imm >> 5) & 0x7f) << 25)
        | ((rs2 as u32 & 31) << 20)
        | ((rs1 as u32 & 31) << 15)
        | (funct3 << 12)
        | ((imm & 0x1f) << 7)
        | opcode
}

fn b(imm: u32, rs2: u8, rs1: u8, funct3: u32) -> u32 {
    (((imm >> 12) & 1) << 31)
        | (((imm >> 5) & 0x3f) << 25)
        | ((rs2 as u32 & 31) << 20)
        | ((rs1 as u32 & 31) << 15)
        | (funct3 << 12)
        | (((imm >> 1) & 0xf) << 8)
        | (((imm >> 11) & 1) << 7)
        | 0x63
}

fn j(imm: u32, rd: u8) -> u32 {
    (((imm >> 20) & 1) << 31)
        | (((imm >> 1) & 0x3ff) << 21)
        | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xff) << 12)
        | ((rd as u32 & 31) << 7)
        | 0x6f
}

/// Encode a decoded instruction. Immediates are truncated to their field; for branches and
/// JAL the offset must be even. [`Op::Illegal`] encodes as the all-zero word.
pub fn encode(d: &Decoded) -> u32 {
    use Op::*;
    let (rd, rs1, rs2, imm) = (d.rd, d.rs1, d.rs2, d.imm);
    match d.op {
        Lui => (imm & 0xffff_f000) | ((rd as u32 & 31) << 7) | 0x37,
        Auipc => (imm & 0xffff_f000) | ((rd as u32 & 31) << 7) | 0x17,
        Jal => j(imm, rd),
        Jalr => i(imm, rs1, 0, rd, 0x67),
        Beq => b(imm, rs2, rs1, 0),
        Bne => b(imm, rs2, rs1, 1),
        Blt => b(imm, rs2, rs1, 4),
        Bge => b(imm, rs2, rs1, 5),
        Bltu => b(imm, rs2, rs1, 6),
        Bgeu => b(imm, rs2, rs1, 7),
        Lb => i(imm, rs1, 0, rd, 0x03),
        Lh => i(imm, rs1, 1, rd, 0x03),
        Lw => i(imm, rs1, 2, rd, 0x03),
        Lbu => i(imm, rs1, 4, rd, 0x03),
        Lhu => i(imm, rs1, 5, rd, 0x03),
        Sb => s(imm, rs2, rs1, 0, 0x23),
        Sh => s(imm, rs2, rs1, 1, 0x23),
        Sw => s(imm, rs2, rs1, 2, 0x23),
        Addi => i(imm, rs1, 0, rd, 0x13),
        Slti => i(imm, rs1, 2, rd, 0x13),
        Sltiu => i(imm, rs1, 3, rd, 0x13),
        Xori => i(imm, rs1, 4, rd, 0x13),
        Ori => i(imm, rs1, 6, rd, 0x13),
        Andi => i(imm, rs1, 7, rd, 0x13),
        Slli => i(imm & 31, rs1, 1, rd, 0x13),
        Srli => i(imm & 31, rs1, 5, rd, 0x13),
        Srai => i(0x400 | (imm & 31), rs1, 5, rd, 0x13),
        Add => r(0, rs2, rs1, 0, rd, 0x33),
        Sub => r(0x20, rs2, rs1, 0, rd, 0x33),
        Sll => r(0, rs2, rs1, 1, rd, 0x33),
        Slt => r(0, rs2, rs1, 2, rd, 0x33),
        Sltu => r(0, rs2, rs1, 3, rd, 0x33),
        Xor => r(0, rs2, rs1, 4, rd, 0x33),
        Srl => r(0, rs2, rs1, 5, rd, 0x33),
        Sra => r(0x20, rs2, rs1, 5, rd, 0x33),
        Or => r(0, rs2, rs1, 6, rd, 0x33),
        And => r(0, rs2, rs1, 7, rd, 0x33),
        Mul => r(1, rs2, rs1, 0, rd, 0x33),
        Mulh => r(1, rs2, rs1, 1, rd, 0x33),
        Mulhsu => r(1, rs2, rs1, 2, rd, 0x33),
        Mulhu => r(1, rs2, rs1, 3, rd, 0x33),
        Div => r(1, rs2, rs1, 4, rd, 0x33),
        Divu => r(1, rs2, rs1, 5, rd, 0x33),
        Rem => r(1, rs2, rs1, 6, rd, 0x33),
        Remu => r(1, rs2, rs1, 7, rd, 0x33),
        Fence => 0x0ff0_000f,
        Ecall => 0x0000_0073,
        Ebreak => 0x0010_0073,
        Illegal => 0,
    }
}

/// Shorthand constructor for tests: `ins(Op::Addi, rd, rs1, rs2, imm)`.
pub fn ins(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32) -> u32 {
    encode(&Decoded {
        op,
        rd,
        rs1,
        rs2,
        imm: imm as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::super::decode::decode;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every legal word decodes to something that encodes back to the same word
        /// (FENCE aside: its ignored fields are not kept). Words are drawn with a real opcode
        /// and, for R-type, a funct7 that exists, so most of them are legal.
        #[test]
        fn decode_encode_round_trip(
            high in any::<u32>(),
            opcode in prop::sample::select(vec![0x37u32, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33]),
            funct7 in prop::sample::select(vec![0u32, 1, 0x20]),
        ) {
            let mut word = (high & !0x7f) | opcode;
            if opcode == 0x33 || (opcode == 0x13 && (word >> 12) & 3 == 1) {
                word = (word & 0x01ff_ffff) | (funct7 << 25);
            }
            let d = decode(word);
            prop_assume!(d.op != Op::Illegal && d.op != Op::Fence);
            prop_assert_eq!(encode(&d), word);
        }
    }

    #[test]
    fn round_trip_edge_immediates() {
        for op in [Op::Beq, Op::Bgeu, Op::Jal] {
            let lim = if op == Op::Jal { 1 << 20 } else { 1 << 12 };
            for imm in [-lim, -2, 0, 2, lim - 2] {
                let d = decode(ins(op, 1, 2, 3, imm));
                assert_eq!((d.op, d.imm as i32), (op, imm));
            }
        }
        for imm in [-2048, -1, 0, 1, 2047] {
            assert_eq!(decode(ins(Op::Sw, 0, 2, 3, imm)).imm as i32, imm);
            assert_eq!(decode(ins(Op::Addi, 1, 2, 0, imm)).imm as i32, imm);
        }
    }
}
