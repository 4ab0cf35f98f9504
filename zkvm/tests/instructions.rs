//! Every RV32IM instruction, with its edge cases, against hand-computed values; every fault
//! with the pc it must name. Programs are built from encoded words (no compiler needed).

use rvzk_zkvm::abi::{MEM_BASE, MEM_TOP};
use rvzk_zkvm::elf::{Program, Segment};
use rvzk_zkvm::rv32im::{
    ins, run, run_traced, ExecError, Fault, Op, Outcome, RunOptions, Trace, TraceRecord,
};

const CODE: u32 = 0x1000;
const DATA: u32 = 0x8000;
const T0: u8 = 5;
const A0: u8 = 10;
const A1: u8 = 11;

/// A tiny assembler: a list of words at `CODE`.
#[derive(Default)]
struct Asm(Vec<u32>);

impl Asm {
    fn pc(&self) -> u32 {
        CODE + 4 * self.0.len() as u32
    }
    fn op(&mut self, op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32) -> &mut Self {
        self.0.push(ins(op, rd, rs1, rs2, imm));
        self
    }
    /// Load a 32-bit constant in two instructions (LUI + ADDI, with the ADDI carry fixed).
    fn li(&mut self, rd: u8, v: u32) -> &mut Self {
        let lo = ((v & 0xfff) as i32) << 20 >> 20;
        let hi = v.wrapping_sub(lo as u32);
        self.op(Op::Lui, rd, 0, 0, hi as i32);
        self.op(Op::Addi, rd, rd, 0, lo)
    }
    fn halt_with(&mut self, reg: u8) -> &mut Self {
        self.op(Op::Addi, A0, reg, 0, 0);
        self.op(Op::Addi, T0, 0, 0, 0);
        self.op(Op::Ecall, 0, 0, 0, 0)
    }
    fn program(&self, data: &[u8]) -> Program {
        let seg = Segment {
            index: 1,
            vaddr: DATA,
            memsz: 0x1000,
            data: data.to_vec(),
            executable: false,
            writable: true,
        };
        Program::from_words(CODE, &self.0, vec![seg])
    }
}

fn exec(asm: &Asm, data: &[u8], input: &[u8]) -> Result<(Outcome, Trace), ExecError> {
    let program = asm.program(data);
    // Both modes must agree on every program.
    let fast = run(&program, input, &RunOptions::default());
    let traced = run_traced(&program, input, &RunOptions::default());
    match (&fast, &traced) {
        (Ok(a), Ok((b, t))) => {
            assert_eq!(a, b);
            assert_eq!(t.records.len() as u64, a.cycles);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("fast and tracing modes disagree: {fast:?} vs {traced:?}"),
    }
    traced
}

fn exit_code(asm: &Asm) -> u32 {
    exec(asm, &[], &[]).expect("program halts").0.exit_code
}

/// `op x28, x6, x7` with x6 = a, x7 = b; returns x28.
fn r_type(op: Op, a: u32, b: u32) -> u32 {
    let mut asm = Asm::default();
    asm.li(6, a).li(7, b).op(op, 28, 6, 7, 0).halt_with(28);
    let result = exit_code(&asm);
    // The trace record of the operation says the same.
    let (_, trace) = exec(&asm, &[], &[]).unwrap();
    let rec = trace.records[4];
    assert_eq!(
        (rec.rs1_addr, rec.rs1_rdata, rec.rs2_addr, rec.rs2_rdata),
        (6, a, 7, b)
    );
    assert_eq!((rec.rd_addr, rec.rd_wdata), (28, result));
    result
}

/// `op x28, x6, imm` with x6 = a; returns x28.
fn i_type(op: Op, a: u32, imm: i32) -> u32 {
    let mut asm = Asm::default();
    asm.li(6, a).op(op, 28, 6, 0, imm).halt_with(28);
    exit_code(&asm)
}

#[test]
fn alu_register_register() {
    let m = 0x8000_0000u32;
    let cases: &[(Op, u32, u32, u32)] = &[
        (Op::Add, 1, 2, 3),
        (Op::Add, 0xffff_ffff, 1, 0),
        (Op::Add, 0x7fff_ffff, 1, m),
        (Op::Sub, 0, 1, 0xffff_ffff),
        (Op::Sub, m, 1, 0x7fff_ffff),
        (Op::Sub, 5, 5, 0),
        (Op::Xor, 0xff00_ff00, 0x0ff0_0ff0, 0xf0f0_f0f0),
        (Op::Or, 0xff00_ff00, 0x0ff0_0ff0, 0xfff0_fff0),
        (Op::And, 0xff00_ff00, 0x0ff0_0ff0, 0x0f00_0f00),
        (Op::Slt, 0xffff_ffff, 0, 1),
        (Op::Slt, 0, 0xffff_ffff, 0),
        (Op::Slt, m, 0x7fff_ffff, 1),
        (Op::Slt, 5, 5, 0),
        (Op::Sltu, 0xffff_ffff, 0, 0),
        (Op::Sltu, 0, 0xffff_ffff, 1),
        (Op::Sltu, m, 0x7fff_ffff, 0),
        (Op::Sltu, 5, 5, 0),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(r_type(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
}

#[test]
fn shifts_mask_the_amount_to_five_bits() {
    let m = 0x8000_0000u32;
    let cases: &[(Op, u32, u32, u32)] = &[
        (Op::Sll, 1, 31, m),
        (Op::Sll, 1, 32, 1),
        (Op::Sll, 0xffff_ffff, 33, 0xffff_fffe),
        (Op::Sll, 3, 0x25, 0x60),
        (Op::Sll, 0x1234_5678, 0, 0x1234_5678),
        (Op::Srl, m, 31, 1),
        (Op::Srl, m, 32, m),
        (Op::Srl, 0xf000_0000, 36, 0x0f00_0000),
        (Op::Sra, m, 31, 0xffff_ffff),
        (Op::Sra, m, 4, 0xf800_0000),
        (Op::Sra, 0x7fff_ffff, 0x3f, 0),
        (Op::Sra, m, 64, m),
        (Op::Sra, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(r_type(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
    let imm: &[(Op, u32, i32, u32)] = &[
        (Op::Slli, 1, 31, m),
        (Op::Slli, 0xffff_ffff, 0, 0xffff_ffff),
        (Op::Srli, m, 31, 1),
        (Op::Srli, 0xffff_ffff, 4, 0x0fff_ffff),
        (Op::Srai, m, 31, 0xffff_ffff),
        (Op::Srai, 0x7fff_fff0, 4, 0x07ff_ffff),
        (Op::Srai, m, 0, m),
    ];
    for &(op, a, sh, want) in imm {
        assert_eq!(i_type(op, a, sh), want, "{op:?} {a:#x} {sh}");
    }
}

#[test]
fn multiply() {
    let m = 0x8000_0000u32;
    let n1 = 0xffff_ffffu32; // -1
    let cases: &[(Op, u32, u32, u32)] = &[
        (Op::Mul, n1, n1, 1),
        (Op::Mul, 0x1_0000, 0x1_0000, 0),
        (Op::Mul, 7, (-3i32) as u32, (-21i32) as u32),
        (Op::Mul, m, n1, m),
        (Op::Mulh, n1, n1, 0),
        (Op::Mulh, m, m, 0x4000_0000),
        (Op::Mulh, m, 1, n1),
        (Op::Mulh, 0x7fff_ffff, 0x7fff_ffff, 0x3fff_ffff),
        (Op::Mulh, n1, 1, n1),
        (Op::Mulh, m, n1, 0), // −2^31 · −1 = 2^31
        (Op::Mulhsu, n1, n1, n1),
        (Op::Mulhsu, m, n1, m),
        (Op::Mulhsu, 1, n1, 0),
        (Op::Mulhsu, 0x7fff_ffff, m, 0x3fff_ffff),
        (Op::Mulhsu, n1, 0, 0),
        (Op::Mulhu, n1, n1, 0xffff_fffe),
        (Op::Mulhu, m, 2, 1),
        (Op::Mulhu, 0x1234_5678, 0, 0),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(r_type(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
}

#[test]
fn divide_with_riscv_edge_cases() {
    let m = 0x8000_0000u32;
    let n = |v: i32| v as u32;
    let cases: &[(Op, u32, u32, u32)] = &[
        (Op::Div, 7, 2, 3),
        (Op::Div, n(-7), 2, n(-3)),
        (Op::Div, 7, n(-2), n(-3)),
        (Op::Div, n(-7), n(-2), 3),
        (Op::Div, 5, 0, 0xffff_ffff),
        (Op::Div, 0, 0, 0xffff_ffff),
        (Op::Div, m, n(-1), m),
        (Op::Divu, 7, 2, 3),
        (Op::Divu, 0xffff_ffff, 2, 0x7fff_ffff),
        (Op::Divu, 5, 0, 0xffff_ffff),
        (Op::Divu, m, 0xffff_ffff, 0),
        (Op::Rem, 7, 2, 1),
        (Op::Rem, n(-7), 2, n(-1)),
        (Op::Rem, 7, n(-2), 1),
        (Op::Rem, n(-7), n(-2), n(-1)),
        (Op::Rem, n(-5), 0, n(-5)),
        (Op::Rem, m, n(-1), 0),
        (Op::Remu, 7, 2, 1),
        (Op::Remu, 0xffff_ffff, 0x10, 0xf),
        (Op::Remu, 5, 0, 5),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(r_type(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
}

#[test]
fn alu_immediate() {
    let cases: &[(Op, u32, i32, u32)] = &[
        (Op::Addi, 5, -6, 0xffff_ffff),
        (Op::Addi, 0x7fff_ffff, 1, 0x8000_0000),
        (Op::Addi, 0, 2047, 2047),
        (Op::Addi, 0, -2048, 0xffff_f800),
        (Op::Slti, 0xffff_ffff, 0, 1),
        (Op::Slti, 0, -1, 0),
        (Op::Slti, 0xffff_f800, -2048, 0),
        (Op::Slti, 0xffff_f7ff, -2048, 1),
        (Op::Sltiu, 0, -1, 1), // the immediate is sign-extended, then compared unsigned
        (Op::Sltiu, 0xffff_ffff, -1, 0),
        (Op::Sltiu, 0, 1, 1),
        (Op::Sltiu, 1, 1, 0),
        (Op::Xori, 0x1234_5678, -1, 0xedcb_a987),
        (Op::Xori, 0xff, 0xf0, 0x0f),
        (Op::Ori, 0x8000_0000, 0x7ff, 0x8000_07ff),
        (Op::Ori, 0, -2048, 0xffff_f800),
        (Op::Andi, 0xffff_ffff, 0x7ff, 0x7ff),
        (Op::Andi, 0x1234_5678, -16, 0x1234_5670),
    ];
    for &(op, a, imm, want) in cases {
        assert_eq!(i_type(op, a, imm), want, "{op:?} {a:#x} {imm}");
    }
}

#[test]
fn lui_and_auipc() {
    let mut asm = Asm::default();
    asm.op(Op::Lui, 28, 0, 0, 0xffff_f000u32 as i32)
        .halt_with(28);
    assert_eq!(exit_code(&asm), 0xffff_f000);

    let mut asm = Asm::default();
    asm.op(Op::Addi, 0, 0, 0, 0); // pc 0x1000
    let pc = asm.pc();
    asm.op(Op::Auipc, 28, 0, 0, 0x7000_0000).halt_with(28);
    assert_eq!(exit_code(&asm), pc + 0x7000_0000);

    let mut asm = Asm::default();
    asm.op(Op::Auipc, 28, 0, 0, 0xffff_f000u32 as i32)
        .halt_with(28);
    assert_eq!(exit_code(&asm), CODE.wrapping_sub(0x1000));
}

#[test]
fn x0_is_always_zero() {
    let mut asm = Asm::default();
    asm.op(Op::Addi, 0, 0, 0, 5)
        .op(Op::Lui, 0, 0, 0, 0x1000)
        .op(Op::Add, 28, 0, 0, 0)
        .halt_with(28);
    assert_eq!(exit_code(&asm), 0);
    let (_, trace) = exec(&asm, &[], &[]).unwrap();
    // A write to x0 is recorded as no write.
    assert_eq!(
        (trace.records[0].rd_addr, trace.records[0].rd_wdata),
        (0, 0)
    );
}

/// Branch `op` on (a, b): returns whether it was taken.
fn branch_taken(op: Op, a: u32, b: u32) -> bool {
    let mut asm = Asm::default();
    asm.li(6, a).li(7, b);
    asm.op(op, 0, 6, 7, 12) // to the "taken" line
        .op(Op::Addi, 28, 0, 0, 0)
        .op(Op::Jal, 0, 0, 0, 8)
        .op(Op::Addi, 28, 0, 0, 1)
        .halt_with(28);
    exit_code(&asm) == 1
}

#[test]
fn branches() {
    let n1 = 0xffff_ffffu32;
    let cases: &[(Op, u32, u32, bool)] = &[
        (Op::Beq, 1, 1, true),
        (Op::Beq, 1, 2, false),
        (Op::Bne, 1, 1, false),
        (Op::Bne, 1, 2, true),
        (Op::Blt, n1, 0, true),
        (Op::Blt, 0, n1, false),
        (Op::Blt, 5, 5, false),
        (Op::Blt, 0x8000_0000, 0x7fff_ffff, true),
        (Op::Bge, 5, 5, true),
        (Op::Bge, n1, 0, false),
        (Op::Bge, 0, n1, true),
        (Op::Bltu, n1, 0, false),
        (Op::Bltu, 0, n1, true),
        (Op::Bltu, 3, 3, false),
        (Op::Bgeu, n1, 0, true),
        (Op::Bgeu, 0, 1, false),
        (Op::Bgeu, 3, 3, true),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(branch_taken(op, a, b), want, "{op:?} {a:#x} {b:#x}");
    }
    // A backward branch: count down from 5.
    let mut asm = Asm::default();
    asm.op(Op::Addi, 6, 0, 0, 5).op(Op::Addi, 28, 0, 0, 0);
    asm.op(Op::Addi, 28, 28, 0, 3)
        .op(Op::Addi, 6, 6, 0, -1)
        .op(Op::Bne, 0, 6, 0, -8)
        .halt_with(28);
    assert_eq!(exit_code(&asm), 15);
}

#[test]
fn jal_and_jalr() {
    // jal ra, +12 links pc + 4 and lands on the halt.
    let mut asm = Asm::default();
    let jal_pc = asm.pc();
    asm.op(Op::Jal, 1, 0, 0, 12)
        .op(Op::Ebreak, 0, 0, 0, 0)
        .op(Op::Ebreak, 0, 0, 0, 0)
        .halt_with(1);
    assert_eq!(exit_code(&asm), jal_pc + 4);

    // jalr clears bit 0 of the target; rd == rs1 uses the old rs1 value.
    let mut asm = Asm::default();
    asm.li(6, CODE + 4 * 5 + 1); // target: the halt, plus one
    let jalr_pc = asm.pc();
    asm.op(Op::Jalr, 6, 6, 0, 0)
        .op(Op::Ebreak, 0, 0, 0, 0)
        .op(Op::Ebreak, 0, 0, 0, 0)
        .halt_with(6);
    assert_eq!(jalr_pc, CODE + 8);
    assert_eq!(exit_code(&asm), jalr_pc + 4);

    // jalr with a negative offset and rd = x0.
    let mut asm = Asm::default();
    asm.li(6, CODE + 4 * 4 + 16); // 16 past the halt
    asm.op(Op::Jalr, 0, 6, 0, -16)
        .op(Op::Ebreak, 0, 0, 0, 0)
        .op(Op::Addi, 28, 0, 0, 9)
        .halt_with(28);
    assert_eq!(exit_code(&asm), 9);
}

#[test]
fn loads_extend_and_stores_merge() {
    // Word at DATA: bytes 80 7f 01 80.
    let data = [0x80, 0x7f, 0x01, 0x80, 0, 0, 0, 0];
    let load = |op: Op, off: i32| {
        let mut asm = Asm::default();
        asm.li(6, DATA).op(op, 28, 6, 0, off).halt_with(28);
        exec(&asm, &data, &[]).unwrap().0.exit_code
    };
    assert_eq!(load(Op::Lb, 0), 0xffff_ff80);
    assert_eq!(load(Op::Lb, 1), 0x7f);
    assert_eq!(load(Op::Lb, 3), 0xffff_ff80);
    assert_eq!(load(Op::Lbu, 0), 0x80);
    assert_eq!(load(Op::Lbu, 3), 0x80);
    assert_eq!(load(Op::Lh, 0), 0x7f80);
    assert_eq!(load(Op::Lh, 2), 0xffff_8001);
    assert_eq!(load(Op::Lhu, 2), 0x8001);
    assert_eq!(load(Op::Lw, 0), 0x8001_7f80);
    assert_eq!(load(Op::Lw, 4), 0);

    // Stores of each width merge into the word; then read it back.
    let mut asm = Asm::default();
    asm.li(6, DATA + 8)
        .li(7, 0x1234_56ab)
        .op(Op::Sb, 0, 6, 7, 1)
        .li(7, 0xffff_cdef)
        .op(Op::Sh, 0, 6, 7, 2)
        .op(Op::Lw, 28, 6, 0, 0)
        .halt_with(28);
    let (out, trace) = exec(&asm, &data, &[]).unwrap();
    assert_eq!(out.exit_code, 0xcdef_ab00);
    // The SH record: word address, lanes 2..3 written, whole words before and after.
    let sh = trace.records[7];
    assert_eq!(
        (sh.mem_addr, sh.mem_rmask, sh.mem_wmask),
        (DATA + 8, 0, 0b1100)
    );
    assert_eq!((sh.mem_rdata, sh.mem_wdata), (0x0000_ab00, 0xcdef_ab00));
    let lw = trace.records[8];
    assert_eq!(
        (lw.mem_addr, lw.mem_rmask, lw.mem_wmask),
        (DATA + 8, 0xf, 0)
    );
    assert_eq!((lw.mem_rdata, lw.mem_wdata), (0xcdef_ab00, 0xcdef_ab00));

    // Loads may read code (constants next to code); the value is the instruction word.
    let mut asm = Asm::default();
    asm.li(6, CODE).op(Op::Lw, 28, 6, 0, 0).halt_with(28);
    let first = asm.0[0];
    assert_eq!(exit_code(&asm), first);

    // The last word of memory is reachable.
    let mut asm = Asm::default();
    asm.li(6, MEM_TOP - 4).li(7, 77).op(Op::Sw, 0, 6, 7, 0);
    asm.op(Op::Lw, 28, 6, 0, 0).halt_with(28);
    assert_eq!(exit_code(&asm), 77);
}

#[test]
fn fence_is_a_no_op() {
    let mut asm = Asm::default();
    asm.op(Op::Addi, 28, 0, 0, 4)
        .op(Op::Fence, 0, 0, 0, 0)
        .halt_with(28);
    assert_eq!(exit_code(&asm), 4);
}

#[test]
fn syscalls_read_commit_halt() {
    let input = b"hello world";
    let mut asm = Asm::default();
    // READ 4 bytes to DATA, then up to 100 to DATA+4, then once more (end of input).
    asm.li(A0, DATA)
        .op(Op::Addi, A1, 0, 0, 4)
        .op(Op::Addi, T0, 0, 0, 1);
    asm.op(Op::Ecall, 0, 0, 0, 0); // a0 = 4
    let first_read = asm.0.len() - 1;
    // a1 and t0 are unchanged by the syscall: 0x401 in x29.
    asm.op(Op::Slli, 29, A1, 0, 8).op(Op::Or, 29, 29, T0, 0);
    asm.op(Op::Add, 30, A0, 0, 0); // x30 = 4
    asm.li(A0, DATA + 4).op(Op::Addi, A1, 0, 0, 100);
    asm.op(Op::Ecall, 0, 0, 0, 0); // a0 = 7
    asm.op(Op::Add, 30, 30, A0, 0); // x30 = 11
    asm.op(Op::Ecall, 0, 0, 0, 0); // a0 = 0
    asm.op(Op::Add, 30, 30, A0, 0);
    // COMMIT the 11 bytes from DATA+0 in two pieces (one unaligned), and an empty one.
    asm.li(A0, DATA)
        .op(Op::Addi, A1, 0, 0, 5)
        .op(Op::Addi, T0, 0, 0, 2);
    asm.op(Op::Ecall, 0, 0, 0, 0);
    asm.li(A0, DATA + 5).op(Op::Addi, A1, 0, 0, 6);
    asm.op(Op::Ecall, 0, 0, 0, 0);
    asm.op(Op::Addi, A1, 0, 0, 0).op(Op::Ecall, 0, 0, 0, 0);
    // exit = x29 + x30 = 0x401 + 11
    asm.op(Op::Add, 28, 29, 30, 0).halt_with(28);
    let (out, trace) = exec(&asm, &[], input).unwrap();
    assert_eq!(out.journal, b"hello world");
    assert_eq!(out.exit_code, 0x401 + 11);
    assert_eq!(out.cycles, trace.records.len() as u64);

    // The first READ's record and its word-granular writes.
    let rec = trace.records[first_read];
    assert_eq!(rec.insn, 0x73);
    assert_eq!((rec.rs1_addr, rec.rs1_rdata), (T0, 1));
    assert_eq!((rec.rs2_addr, rec.rs2_rdata), (A0, DATA));
    assert_eq!((rec.rd_addr, rec.rd_wdata), (A0, 4));
    let first: Vec<_> = trace
        .syscall_mem
        .iter()
        .filter(|m| m.record == first_read as u32)
        .collect();
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].addr, first[0].wmask, first[0].rmask),
        (DATA, 0xf, 0)
    );
    assert_eq!(
        (first[0].rdata, first[0].wdata),
        (0, u32::from_le_bytes(*b"hell"))
    );
    // Second READ: 7 bytes at DATA+4 touch two words; COMMIT of 6 at DATA+5 touches two.
    assert_eq!(
        trace
            .syscall_mem
            .iter()
            .map(|m| (m.addr, m.rmask, m.wmask))
            .collect::<Vec<_>>(),
        vec![
            (DATA, 0, 0xf),
            (DATA + 4, 0, 0xf),
            (DATA + 8, 0, 0x7),
            (DATA, 0xf, 0),
            (DATA + 4, 0x1, 0),
            (DATA + 4, 0xe, 0),
            (DATA + 8, 0x7, 0),
        ]
    );
    // HALT's record: t0 = 0, a0 = exit code, no write.
    let halt = trace.records.last().unwrap();
    assert_eq!(
        (halt.rs1_rdata, halt.rs2_rdata, halt.rd_addr),
        (0, 0x401 + 11, 0)
    );
    assert_eq!(halt.next_pc, halt.pc + 4);
}

#[test]
fn trace_records_are_consistent() {
    // Each record's next_pc is the next record's pc, and registers read equal the last write.
    let mut asm = Asm::default();
    asm.op(Op::Addi, 6, 0, 0, 10).op(Op::Addi, 28, 0, 0, 0);
    asm.op(Op::Add, 28, 28, 6, 0)
        .op(Op::Addi, 6, 6, 0, -1)
        .op(Op::Bne, 0, 6, 0, -8)
        .halt_with(28);
    let (out, trace) = exec(&asm, &[], &[]).unwrap();
    assert_eq!(out.exit_code, 55);
    let mut regs = [0u32; 32];
    for pair in trace.records.windows(2) {
        assert_eq!(pair[0].next_pc, pair[1].pc);
    }
    for r in &trace.records {
        assert_eq!(regs[r.rs1_addr as usize], r.rs1_rdata, "{r:?}");
        assert_eq!(regs[r.rs2_addr as usize], r.rs2_rdata, "{r:?}");
        if r.rd_addr != 0 {
            regs[r.rd_addr as usize] = r.rd_wdata;
        }
        assert_eq!(TraceRecord::from_bytes(&r.to_bytes()).unwrap(), *r);
    }
}

/// Run a program that must fault; return the error after checking both modes agree.
fn fault_of(asm: &Asm, input: &[u8]) -> ExecError {
    exec(asm, &[0; 16], input).expect_err("program must fault")
}

#[test]
fn faults_name_the_pc() {
    let check = |asm: &Asm, pc: u32, want: Fault| {
        let e = fault_of(asm, &[]);
        assert_eq!(e.fault, want);
        assert_eq!(e.pc, pc, "{e}");
        assert!(e.to_string().contains(&format!("{pc:#010x}")), "{e}");
    };

    let mut asm = Asm::default();
    asm.op(Op::Addi, 6, 0, 0, 1);
    let pc = asm.pc();
    asm.0.push(0); // all-zero word
    check(&asm, pc, Fault::IllegalInstruction { insn: 0 });

    let mut asm = Asm::default();
    asm.0.push(0x3000_2573); // csrrs a0, mstatus, x0
    check(&asm, CODE, Fault::IllegalInstruction { insn: 0x3000_2573 });

    let mut asm = Asm::default();
    asm.op(Op::Ebreak, 0, 0, 0, 0);
    check(&asm, CODE, Fault::Ebreak);

    let mut asm = Asm::default();
    asm.li(6, DATA + 2);
    let pc = asm.pc();
    asm.op(Op::Lw, 7, 6, 0, 0);
    check(
        &asm,
        pc,
        Fault::MisalignedLoad {
            addr: DATA + 2,
            width: 4,
        },
    );

    let mut asm = Asm::default();
    asm.li(6, DATA + 1);
    let pc = asm.pc();
    asm.op(Op::Sh, 0, 6, 0, 0);
    check(
        &asm,
        pc,
        Fault::MisalignedStore {
            addr: DATA + 1,
            width: 2,
        },
    );

    // Null pointer, the last byte below guest memory, and the first byte above it.
    let mut asm = Asm::default();
    asm.op(Op::Lb, 7, 0, 0, 0);
    check(&asm, CODE, Fault::LoadOutOfRange { addr: 0, width: 1 });
    let mut asm = Asm::default();
    asm.op(Op::Lbu, 7, 0, 0, -1).li(6, MEM_BASE);
    let pc = asm.pc();
    asm.op(Op::Lbu, 7, 6, 0, -1);
    assert_eq!(
        fault_of(&asm, &[]).fault,
        Fault::LoadOutOfRange {
            addr: 0xffff_ffff,
            width: 1
        }
    );
    asm.0.remove(0);
    let pc = pc - 4;
    check(
        &asm,
        pc,
        Fault::LoadOutOfRange {
            addr: MEM_BASE - 1,
            width: 1,
        },
    );
    let mut asm = Asm::default();
    asm.li(6, MEM_TOP);
    let pc = asm.pc();
    asm.op(Op::Sw, 0, 6, 0, 0);
    check(
        &asm,
        pc,
        Fault::StoreOutOfRange {
            addr: MEM_TOP,
            width: 4,
        },
    );
    // An address that wraps around the top of the address space.
    let mut asm = Asm::default();
    asm.op(Op::Lw, 7, 0, 0, -4);
    check(
        &asm,
        CODE,
        Fault::LoadOutOfRange {
            addr: 0xffff_fffc,
            width: 4,
        },
    );

    let mut asm = Asm::default();
    asm.li(6, CODE);
    let pc = asm.pc();
    asm.op(Op::Sb, 0, 6, 0, 3);
    check(&asm, pc, Fault::StoreToCode { addr: CODE + 3 });

    // Jumps and taken branches to addresses ≡ 2 (mod 4).
    let mut asm = Asm::default();
    asm.li(6, CODE + 2);
    let pc = asm.pc();
    asm.op(Op::Jalr, 1, 6, 0, 0);
    check(&asm, pc, Fault::MisalignedJump { target: CODE + 2 });
    let mut asm = Asm::default();
    asm.op(Op::Beq, 0, 0, 0, 6);
    check(&asm, CODE, Fault::MisalignedJump { target: CODE + 6 });
    // A branch not taken to a misaligned target is fine.
    let mut asm = Asm::default();
    asm.op(Op::Bne, 0, 0, 0, 6).halt_with(0);
    assert_eq!(exit_code(&asm), 0);

    // Jumping into data, and running off the end of the code.
    let mut asm = Asm::default();
    asm.li(6, DATA).op(Op::Jalr, 0, 6, 0, 0);
    check(&asm, DATA, Fault::FetchOutsideCode);
    let mut asm = Asm::default();
    asm.op(Op::Addi, 6, 0, 0, 1);
    check(&asm, CODE + 4, Fault::FetchOutsideCode);

    let mut asm = Asm::default();
    asm.op(Op::Addi, T0, 0, 0, 99);
    asm.op(Op::Ecall, 0, 0, 0, 0);
    check(&asm, CODE + 4, Fault::UnknownSyscall { number: 99 });
}

#[test]
fn syscall_buffers_are_checked() {
    // READ into code, READ past the top, COMMIT from the null page.
    let read = |dst: u32, n: i32| {
        let mut asm = Asm::default();
        asm.li(A0, dst)
            .op(Op::Addi, A1, 0, 0, n)
            .op(Op::Addi, T0, 0, 0, 1);
        asm.op(Op::Ecall, 0, 0, 0, 0).halt_with(0);
        fault_of(&asm, b"0123456789").fault
    };
    assert_eq!(
        read(CODE, 4),
        Fault::SyscallBuffer {
            syscall: "READ",
            addr: CODE,
            len: 4
        }
    );
    assert_eq!(
        read(MEM_TOP - 2, 4),
        Fault::SyscallBuffer {
            syscall: "READ",
            addr: MEM_TOP - 2,
            len: 4
        }
    );
    // A READ at end of input writes nothing, so no buffer check applies.
    let mut asm = Asm::default();
    asm.op(Op::Addi, A1, 0, 0, 4).op(Op::Addi, T0, 0, 0, 1);
    asm.op(Op::Ecall, 0, 0, 0, 0).halt_with(A0);
    assert_eq!(exec(&asm, &[], &[]).unwrap().0.exit_code, 0);

    let mut asm = Asm::default();
    asm.op(Op::Addi, A1, 0, 0, 8).op(Op::Addi, T0, 0, 0, 2);
    asm.op(Op::Ecall, 0, 0, 0, 0);
    let e = fault_of(&asm, &[]);
    assert_eq!(
        e.fault,
        Fault::SyscallBuffer {
            syscall: "COMMIT",
            addr: 0,
            len: 8
        }
    );
    assert_eq!(e.pc, CODE + 8);
    // COMMIT whose end wraps past 2^32.
    let mut asm = Asm::default();
    asm.li(A0, DATA)
        .op(Op::Addi, A1, 0, 0, -1)
        .op(Op::Addi, T0, 0, 0, 2);
    asm.op(Op::Ecall, 0, 0, 0, 0);
    assert!(matches!(
        fault_of(&asm, &[]).fault,
        Fault::SyscallBuffer { .. }
    ));
}

#[test]
fn cycle_limit_stops_an_infinite_loop() {
    let mut asm = Asm::default();
    asm.op(Op::Addi, 6, 6, 0, 1).op(Op::Jal, 0, 0, 0, -4);
    let program = asm.program(&[]);
    let opts = RunOptions {
        max_cycles: 1001,
        ..RunOptions::default()
    };
    for e in [
        run(&program, &[], &opts).unwrap_err(),
        run_traced(&program, &[], &opts).unwrap_err(),
    ] {
        assert_eq!(e.fault, Fault::CycleLimit { limit: 1001 });
        assert_eq!(e.cycle, 1001);
        assert_eq!(e.pc, CODE + 4); // 1001 = 500 loops + the addi
    }
    // Exactly enough cycles is fine.
    let mut asm = Asm::default();
    asm.halt_with(0);
    let opts = RunOptions {
        max_cycles: 3,
        ..RunOptions::default()
    };
    assert_eq!(run(&asm.program(&[]), &[], &opts).unwrap().cycles, 3);
}

#[test]
fn smaller_memory_for_a_board() {
    let mut asm = Asm::default();
    asm.li(6, 0x2_0000).op(Op::Lw, 7, 6, 0, -4).halt_with(7);
    let program = asm.program(&[]);
    let board = RunOptions {
        mem_top: 0x2_0000,
        ..RunOptions::default()
    };
    assert_eq!(run(&program, &[], &board).unwrap().exit_code, 0);
    let mut asm = Asm::default();
    asm.li(6, 0x2_0000).op(Op::Lw, 7, 6, 0, 0).halt_with(7);
    let e = run(&asm.program(&[]), &[], &board).unwrap_err();
    assert_eq!(
        e.fault,
        Fault::LoadOutOfRange {
            addr: 0x2_0000,
            width: 4
        }
    );
    // A program whose data lies above the board's memory is refused before it runs, in both
    // modes, rather than loaded partially.
    let mut asm = Asm::default();
    asm.halt_with(0);
    let program = Program::from_words(
        CODE,
        &asm.0,
        vec![Segment {
            index: 1,
            vaddr: 0x1_ff00,
            memsz: 0x200,
            data: vec![7; 0x200],
            executable: false,
            writable: true,
        }],
    );
    let want = Fault::ImageOutsideMemory {
        segment: 1,
        start: 0x1_ff00,
        end: 0x2_0100,
        mem_top: 0x2_0000,
    };
    assert_eq!(run(&program, &[], &board).unwrap_err().fault, want);
    assert_eq!(run_traced(&program, &[], &board).unwrap_err().fault, want);
    assert!(run(&program, &[], &RunOptions::default()).is_ok());
}
