//! The program table: one preprocessed row per code word with its decoded fields. A CPU row
//! sends its pc and fields; this table receives them with a multiplicity (how often that
//! instruction ran). Rows are fixed by the ELF, so they are part of the image ID.

use super::bus;
use super::columns::columns;
use crate::air::{Air, AirBuilder, F};
use crate::field::Field;
use crate::matrix::RowMajorMatrix;
use crate::rv32im::decode::{decode, Op};

/// Instruction kinds, one flag column each (exactly one is set on a real CPU row).
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Kind {
    Add,
    Sub,
    Slt,
    Sltu,
    Xor,
    Or,
    And,
    Sll,
    Srl,
    Sra,
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
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Ecall,
    Fence,
}

/// Number of kinds.
pub const NK: usize = Kind::Fence as usize + 1;

/// Kind names, in flag order.
pub const KIND_NAMES: [&str; NK] = [
    "add", "sub", "slt", "sltu", "xor", "or", "and", "sll", "srl", "sra", "lui", "auipc", "jal",
    "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw", "lbu", "lhu", "sb", "sh",
    "sw", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "ecall", "fence",
];

columns! {
    /// What the program table holds per code word (and the CPU copies per row).
    InstCols {
        /// Address of the instruction.
        pc: T,
        /// Register read as operand a (x10 for ecall).
        rs1: T,
        /// Register read as operand b (x11 for ecall).
        rs2: T,
        /// Register written (x10 for ecall: READ's result).
        rd: T,
        /// The immediate's bytes (little-endian, sign-extended to 32 bits).
        imm: [T; 4],
        /// The immediate as a signed field element (branch and JAL offsets).
        imm_f: T,
        /// 1 if rs1 is read.
        reads_rs1: T,
        /// 1 if rs2 is read.
        reads_rs2: T,
        /// 1 if rd is written (never for x0).
        writes_rd: T,
        /// 1 if operand b is the immediate instead of rs2.
        imm_b: T,
        /// One flag per [`Kind`].
        k: [T; NK],
    }
}

fn kind_of(op: Op) -> Option<Kind> {
    use Kind as K;
    Some(match op {
        Op::Lui => K::Lui,
        Op::Auipc => K::Auipc,
        Op::Jal => K::Jal,
        Op::Jalr => K::Jalr,
        Op::Beq => K::Beq,
        Op::Bne => K::Bne,
        Op::Blt => K::Blt,
        Op::Bge => K::Bge,
        Op::Bltu => K::Bltu,
        Op::Bgeu => K::Bgeu,
        Op::Lb => K::Lb,
        Op::Lh => K::Lh,
        Op::Lw => K::Lw,
        Op::Lbu => K::Lbu,
        Op::Lhu => K::Lhu,
        Op::Sb => K::Sb,
        Op::Sh => K::Sh,
        Op::Sw => K::Sw,
        Op::Addi | Op::Add => K::Add,
        Op::Slti | Op::Slt => K::Slt,
        Op::Sltiu | Op::Sltu => K::Sltu,
        Op::Xori | Op::Xor => K::Xor,
        Op::Ori | Op::Or => K::Or,
        Op::Andi | Op::And => K::And,
        Op::Slli | Op::Sll => K::Sll,
        Op::Srli | Op::Srl => K::Srl,
        Op::Srai | Op::Sra => K::Sra,
        Op::Sub => K::Sub,
        Op::Mul => K::Mul,
        Op::Mulh => K::Mulh,
        Op::Mulhsu => K::Mulhsu,
        Op::Mulhu => K::Mulhu,
        Op::Div => K::Div,
        Op::Divu => K::Divu,
        Op::Rem => K::Rem,
        Op::Remu => K::Remu,
        Op::Fence => K::Fence,
        Op::Ecall => K::Ecall,
        Op::Ebreak | Op::Illegal => return None,
    })
}

/// 1 or 0.
pub fn fb(b: bool) -> F {
    F::from_u64(b as u64)
}

/// A signed 32-bit value as a field element.
pub fn signed_field(v: u32) -> F {
    let s = v as i32;
    if s >= 0 {
        F::new(s as u32)
    } else {
        -F::new(s.unsigned_abs())
    }
}

/// The decoded row of the instruction word `insn` at `pc`: all flags zero for a word that is
/// not an RV32IM instruction the circuit proves (illegal, EBREAK), so no CPU row can match it.
pub fn inst_row(pc: u32, insn: u32) -> InstCols<F> {
    let mut row = InstCols::<F> {
        pc: F::new(pc),
        ..Default::default()
    };
    let d = decode(insn);
    let Some(kind) = kind_of(d.op) else {
        return row;
    };
    use Kind as K;
    let (rs1, rs2, rd, imm_b) = match kind {
        K::Lui | K::Auipc => (0, 0, d.rd, true),
        K::Jal => (0, 0, d.rd, false),
        K::Jalr | K::Lb | K::Lh | K::Lw | K::Lbu | K::Lhu => (d.rs1, 0, d.rd, false),
        K::Beq | K::Bne | K::Blt | K::Bge | K::Bltu | K::Bgeu | K::Sb | K::Sh | K::Sw => {
            (d.rs1, d.rs2, 0, false)
        }
        K::Ecall => (10, 11, 10, false),
        K::Fence => (0, 0, 0, false),
        _ => {
            let imm_b = matches!(
                d.op,
                Op::Addi
                    | Op::Slti
                    | Op::Sltiu
                    | Op::Xori
                    | Op::Ori
                    | Op::Andi
                    | Op::Slli
                    | Op::Srli
                    | Op::Srai
            );
            (d.rs1, if imm_b { 0 } else { d.rs2 }, d.rd, imm_b)
        }
    };
    let reads_rs1 = !matches!(kind, K::Lui | K::Auipc | K::Jal | K::Fence);
    let reads_rs2 = matches!(
        kind,
        K::Beq | K::Bne | K::Blt | K::Bge | K::Bltu | K::Bgeu | K::Sb | K::Sh | K::Sw | K::Ecall
    ) || (!imm_b
        && !matches!(
            kind,
            K::Lui
                | K::Auipc
                | K::Jal
                | K::Jalr
                | K::Lb
                | K::Lh
                | K::Lw
                | K::Lbu
                | K::Lhu
                | K::Fence
        ));
    let writes = !matches!(
        kind,
        K::Beq
            | K::Bne
            | K::Blt
            | K::Bge
            | K::Bltu
            | K::Bgeu
            | K::Sb
            | K::Sh
            | K::Sw
            | K::Ecall
            | K::Fence
    );
    row.rs1 = F::new(rs1 as u32);
    row.rs2 = F::new(rs2 as u32);
    row.rd = F::new(rd as u32);
    for (i, b) in d.imm.to_le_bytes().iter().enumerate() {
        row.imm[i] = F::new(*b as u32);
    }
    row.imm_f = signed_field(d.imm);
    row.reads_rs1 = fb(reads_rs1);
    row.reads_rs2 = fb(reads_rs2);
    row.writes_rd = fb(writes && rd != 0);
    row.imm_b = fb(imm_b);
    row.k[kind as usize] = F::ONE;
    row
}

/// The program table of a proof: its preprocessed rows (one per code word, padded with zero
/// rows to `height`); the main trace is one column, the multiplicity of each row.
pub struct ProgramTable {
    /// Preprocessed rows (the prover's and setup's copy; the verifier's is `None`).
    pub rows: Option<RowMajorMatrix<F>>,
}

impl ProgramTable {
    /// Rows for the words `(pc, insn)`, padded to a power of two ≥ `min_height`.
    pub fn build(words: &[(u32, u32)], min_height: usize) -> RowMajorMatrix<F> {
        let height = words.len().next_power_of_two().max(min_height);
        let w = InstCols::<F>::WIDTH;
        let mut m = RowMajorMatrix::new(vec![F::ZERO; height * w], w);
        for (i, &(pc, insn)) in words.iter().enumerate() {
            *InstCols::view_mut(m.row_mut(i)) = inst_row(pc, insn);
        }
        m
    }
}

impl Air for ProgramTable {
    fn name(&self) -> String {
        "program".into()
    }
    fn width(&self) -> usize {
        1
    }
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        self.rows.clone()
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        let mult: B::Expr = builder.local()[0].into();
        let tuple: Vec<B::Expr> = builder
            .preprocessed_local()
            .iter()
            .map(|&v| v.into())
            .collect();
        builder.receive(bus::PROGRAM, &tuple, mult);
    }
}
