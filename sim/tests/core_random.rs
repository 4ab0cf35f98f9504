//! Random RV32IM programs on the trace-capture core under Verilator, compared record for
//! record with the executor. The programs are dense in hazards: few registers (so most
//! instructions depend on the last few), loads and stores to a small data block, forward
//! branches and jumps, M instructions with edge operands, READ and COMMIT at any alignment,
//! and an occasional misaligned access (which ends the run with a fault).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rvzk_sim::core::{check_against_executor, CoreOptions};
use rvzk_zkvm::elf::{Program, Segment};
use rvzk_zkvm::rv32im::{ins, Op};

const DATA: u32 = 0x2000;
/// Registers the random instructions use; x1 holds DATA, x8 is JALR's base, and x5, x10 and
/// x11 belong to the syscall sequences (which also read what the others leave there).
const REGS: [u8; 8] = [0, 2, 3, 4, 6, 7, 9, 10];

fn reg(rng: &mut StdRng) -> u8 {
    REGS[rng.gen_range(0..REGS.len())]
}

fn dest(rng: &mut StdRng) -> u8 {
    REGS[rng.gen_range(0..REGS.len())]
}

fn edge(rng: &mut StdRng) -> i32 {
    [0, 1, -1, i32::MIN, i32::MAX, 2, -2, 0x7ff, -0x800][rng.gen_range(0..9)]
}

/// A control transfer whose target is decided once every unit has its address.
enum Jump {
    Branch(Op, u8, u8),
    Jal(u8),
    /// `auipc x8, 0` comes just before; bit 0 of the offset is set when the flag is (JALR
    /// clears it).
    Jalr(u8, bool),
}

/// One random program of about `body` instructions, plus the input bytes it may READ.
///
/// The body is a list of units (one instruction, or a short sequence such as a syscall's
/// setup); jumps and branches go forward to the start of a later unit, so no program
/// loops and no jump lands inside a sequence.
fn random_program(seed: u64, body: usize) -> (Program, Vec<u8>) {
    use Op::*;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut code = vec![ins(Lui, 1, 0, 0, DATA as i32)];
    for &r in &REGS[1..] {
        let v: i32 = if rng.gen_bool(0.3) {
            edge(&mut rng)
        } else {
            rng.gen()
        };
        code.push(ins(Lui, r, 0, 0, v.wrapping_add(0x800) & !0xfff));
        code.push(ins(Addi, r, r, 0, (v << 20) >> 20));
    }
    let end = code.len() + body;
    let alu = [Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And];
    let alu_imm = [Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai];
    let muldiv = [Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu];
    let loads = [(Lb, 1), (Lh, 2), (Lw, 4), (Lbu, 1), (Lhu, 2)];
    let stores = [(Sb, 1), (Sh, 2), (Sw, 4)];
    let branches = [Beq, Bne, Blt, Bge, Bltu, Bgeu];
    // (code index, unit index, units ahead, kind) of every forward transfer
    let mut jumps = vec![];
    let mut units = vec![];
    while code.len() < end {
        units.push(code.len());
        let unit = units.len() - 1;
        let ahead = rng.gen_range(1..5);
        match rng.gen_range(0..100) {
            0..=24 => code.push(ins(
                alu[rng.gen_range(0..alu.len())],
                dest(&mut rng),
                reg(&mut rng),
                reg(&mut rng),
                0,
            )),
            25..=39 => code.push(ins(
                alu_imm[rng.gen_range(0..alu_imm.len())],
                dest(&mut rng),
                reg(&mut rng),
                0,
                rng.gen_range(-2048..2048),
            )),
            40..=49 => code.push(ins(
                muldiv[rng.gen_range(0..muldiv.len())],
                dest(&mut rng),
                reg(&mut rng),
                reg(&mut rng),
                0,
            )),
            50..=51 => code.push(ins(
                if rng.gen() { Lui } else { Auipc },
                dest(&mut rng),
                0,
                0,
                rng.gen::<i32>() & !0xfff,
            )),
            52..=65 => {
                let (op, w) = loads[rng.gen_range(0..loads.len())];
                let mut off = rng.gen_range(0..64) * w;
                if rng.gen_ratio(1, 400) {
                    off += 1;
                }
                code.push(ins(op, dest(&mut rng), 1, 0, off));
            }
            66..=77 => {
                let (op, w) = stores[rng.gen_range(0..stores.len())];
                let mut off = rng.gen_range(0..64) * w;
                if rng.gen_ratio(1, 400) {
                    off += 1;
                }
                code.push(ins(op, 0, 1, reg(&mut rng), off));
            }
            78..=85 => {
                let op = branches[rng.gen_range(0..branches.len())];
                let (a, b) = (reg(&mut rng), reg(&mut rng));
                jumps.push((code.len(), unit, ahead, Jump::Branch(op, a, b)));
                code.push(0);
            }
            86..=88 => {
                jumps.push((code.len(), unit, ahead, Jump::Jal(dest(&mut rng))));
                code.push(0);
            }
            89..=90 => {
                code.push(ins(Auipc, 8, 0, 0, 0));
                let j = Jump::Jalr(dest(&mut rng), rng.gen());
                jumps.push((code.len(), unit, ahead, j));
                code.push(0);
            }
            91 => code.push(ins(Fence, 0, 0, 0, 0)),
            92..=96 => {
                // READ or COMMIT of 0..24 bytes at any alignment in the data block.
                code.push(ins(Addi, 5, 0, 0, rng.gen_range(1..3)));
                code.push(ins(Addi, 10, 1, 0, rng.gen_range(0..200)));
                code.push(ins(Addi, 11, 0, 0, rng.gen_range(0..25)));
                code.push(ins(Ecall, 0, 0, 0, 0));
            }
            _ => code.push(ins(Add, dest(&mut rng), reg(&mut rng), reg(&mut rng), 0)),
        }
    }
    // The epilogue counts as the last unit: publish part of the data block and halt with a
    // register as the exit code.
    units.push(code.len());
    for (at, unit, ahead, jump) in jumps {
        let target = units[(unit + ahead).min(units.len() - 1)];
        let off = 4 * (target as i32 - at as i32);
        code[at] = match jump {
            Jump::Branch(op, a, b) => ins(op, 0, a, b, off),
            Jump::Jal(rd) => ins(Jal, rd, 0, 0, off),
            Jump::Jalr(rd, low) => ins(Jalr, rd, 8, 0, off + 4 + low as i32),
        };
    }
    code.push(ins(Addi, 5, 0, 0, 2));
    code.push(ins(Addi, 10, 1, 0, 0));
    code.push(ins(Addi, 11, 0, 0, 64));
    code.push(ins(Ecall, 0, 0, 0, 0));
    code.push(ins(Addi, 5, 0, 0, 0));
    code.push(ins(Add, 10, 2, 3, 0));
    code.push(ins(Ecall, 0, 0, 0, 0));
    let data = Segment {
        index: 0,
        vaddr: DATA,
        memsz: 0x1000,
        data: (0..256).map(|_| rng.gen()).collect(),
        executable: false,
        writable: true,
    };
    let input = (0..rng.gen_range(0..200)).map(|_| rng.gen()).collect();
    (Program::from_words(0x1000, &code, vec![data]), input)
}

fn run_seeds(seeds: std::ops::Range<u64>, body: usize, stall: bool) {
    let mut stops = std::collections::BTreeMap::<String, usize>::new();
    let mut retired = 0u64;
    for seed in seeds {
        let (program, input) = random_program(seed, body);
        let opts = CoreOptions {
            max_cycles: 100_000,
            stall_seed: if stall { seed as u32 + 1 } else { 0 },
            ..CoreOptions::default()
        };
        let run = check_against_executor(&program, &input, &opts)
            .unwrap_or_else(|e| panic!("random program {seed} (body {body}): {e}"));
        let stop = match run.stop {
            rvzk_sim::core::CoreStop::Faulted { code, .. } => format!("{code:?}"),
            _ => "halted".into(),
        };
        *stops.entry(stop).or_default() += 1;
        retired += run.retired as u64;
    }
    eprintln!("{retired} instructions retired; stops: {stops:?}");
}

#[test]
fn random_programs() {
    run_seeds(0..150, 300, false);
}

#[test]
fn random_programs_with_stalls() {
    run_seeds(1000..1050, 300, true);
}
