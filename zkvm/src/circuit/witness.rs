//! Trace generation: from the executor's trace to the main traces of every table. The
//! generator recomputes every value itself (results, timestamps, memory words) and checks
//! them against the executor's records, so a disagreement is an error, not a bad proof.

use std::collections::HashMap;

use super::bus::{self, REG_BASE};
use super::cpu::CpuCols;
use super::program::{fb, inst_row, InstCols, Kind, NK};
use super::tables::{DynCols, FinalCols, SysCols};
use super::{CircuitError, Image};
use crate::air::F;
use crate::field::Field;
use crate::matrix::RowMajorMatrix;
use crate::rv32im::{Trace, TraceRecord};

/// The main traces and public values of one execution (lookup multiplicities come later).
pub struct Witness {
    /// CPU rows.
    pub cpu: RowMajorMatrix<F>,
    /// Dynamic memory rows.
    pub dynamic: RowMajorMatrix<F>,
    /// Syscall rows.
    pub syscall: RowMajorMatrix<F>,
    /// Final state of every image-table row.
    pub image_final: RowMajorMatrix<F>,
    /// How often each program-table row ran.
    pub program_mult: Vec<u32>,
}

fn f(x: u32) -> F {
    F::new(x)
}

fn bytes4(v: u32) -> [F; 4] {
    v.to_le_bytes().map(|b| F::new(b as u32))
}

fn inv_or_zero(x: F) -> F {
    if x.is_zero() {
        F::ZERO
    } else {
        x.inverse()
    }
}

/// Memory as the circuit sees it: per word address, the last timestamp, value and whether it
/// is read-only. Words not yet touched come from the image (or are zero).
struct Memory<'a> {
    image: &'a Image,
    words: HashMap<u32, (u64, u32, bool)>,
}

impl Memory<'_> {
    fn get(&self, waddr: u32) -> (u64, u32, bool) {
        if let Some(&w) = self.words.get(&waddr) {
            return w;
        }
        match self.image.index(waddr) {
            Some(i) => (0, self.image.words[i], self.image.ro[i]),
            None => (0, 0, false),
        }
    }
    /// Access `waddr` at `ts`, writing `new`; returns (previous timestamp, old value, ro).
    fn access(&mut self, waddr: u32, ts: u64, new: u32) -> (u64, u32, bool) {
        let (prev, old, ro) = self.get(waddr);
        self.words.insert(waddr, (ts, new, ro));
        (prev, old, ro)
    }
}

/// The three bytes of `ts − prev − 1` (an access at `ts` after one at `prev`).
fn ts_diff(ts: u64, prev: u64) -> [F; 3] {
    let diff = ts - prev - 1;
    debug_assert!(diff < 1 << 24);
    [0, 1, 2].map(|j| f((diff >> (8 * j)) as u32 & 0xff))
}

/// Fill one access slot's timestamp columns.
fn slot(row: &mut CpuCols<F>, s: usize, clk: u64, prev: u64) {
    row.ts_prev[s] = F::from_u64(prev);
    row.ts_diff[s] = ts_diff(bus::ts(clk, s as u64 + 1), prev);
}

/// Sub/add chains on bytes: `u − v − bin` (or `u + v + cin`) → (d bytes, borrows/carries).
fn sub_bytes(u: u32, v: u32) -> ([u32; 4], [u32; 4]) {
    let (ub, vb) = (u.to_le_bytes(), v.to_le_bytes());
    let (mut d, mut br, mut bin) = ([0; 4], [0; 4], 0i32);
    for j in 0..4 {
        let t = ub[j] as i32 - vb[j] as i32 - bin;
        let b = (t < 0) as i32;
        d[j] = (t + 256 * b) as u32;
        br[j] = b as u32;
        bin = b;
    }
    (d, br)
}

fn add_bytes(u: u32, v: u32) -> ([u32; 4], [u32; 4]) {
    let (ub, vb) = (u.to_le_bytes(), v.to_le_bytes());
    let (mut d, mut cy, mut cin) = ([0; 4], [0; 4], 0u32);
    for j in 0..4 {
        let t = ub[j] as u32 + vb[j] as u32 + cin;
        d[j] = t & 0xff;
        cy[j] = t >> 8;
        cin = t >> 8;
    }
    (d, cy)
}

fn set4(dst: &mut [F; 4], v: [u32; 4]) {
    for j in 0..4 {
        dst[j] = f(v[j]);
    }
}

fn sign(v: u32) -> u32 {
    v >> 31
}

/// The circuit's result of `kind` on (a, b) for the ALU and M kinds.
fn alu(kind: Kind, a: u32, b: u32) -> u32 {
    use Kind::*;
    let (sa, sb) = (a as i32, b as i32);
    match kind {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Slt => (sa < sb) as u32,
        Sltu => (a < b) as u32,
        Xor => a ^ b,
        Or => a | b,
        And => a & b,
        Sll => a << (b & 31),
        Srl => a >> (b & 31),
        Sra => (sa >> (b & 31)) as u32,
        Mul => a.wrapping_mul(b),
        Mulh => ((sa as i64 * sb as i64) >> 32) as u32,
        Mulhsu => ((sa as i64 * b as i64) >> 32) as u32,
        Mulhu => ((a as u64 * b as u64) >> 32) as u32,
        Div => {
            if b == 0 {
                u32::MAX
            } else {
                sa.wrapping_div(sb) as u32
            }
        }
        Divu => a.checked_div(b).unwrap_or(u32::MAX),
        Rem => {
            if b == 0 {
                a
            } else {
                sa.wrapping_rem(sb) as u32
            }
        }
        Remu => {
            if b == 0 {
                a
            } else {
                a % b
            }
        }
        _ => 0,
    }
}

fn kind_of_row(inst: &InstCols<F>) -> Option<Kind> {
    (0..NK).find(|&k| inst.k[k] == F::ONE).map(|k| {
        // SAFETY: k < NK and Kind is repr(usize) with discriminants 0..NK.
        unsafe { core::mem::transmute::<usize, Kind>(k) }
    })
}

fn mismatch(r: &TraceRecord, what: &str) -> CircuitError {
    CircuitError::Prove(format!(
        "trace generation disagrees with the executor at pc {:#010x} ({what})",
        r.pc
    ))
}

/// A deliberate error in trace generation, as a buggy or malicious executor would make:
/// soundness tests prove such witnesses with a cheating prover and require that the proof
/// does not verify.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lie {
    /// The `n`th ADD (counting from 0) returns a + b + 1.
    AddOffByOne(usize),
    /// The `n`th load returns the word's initial value instead of its last write.
    StaleLoad(usize),
    /// The `n`th taken branch is not taken.
    BranchNotTaken(usize),
    /// The `n`th REM/REMU returns the remainder + 1 (and the quotient unchanged).
    WrongRemainder(usize),
    /// The `n`th COMMIT'ed word sends a journal byte that differs from memory.
    JournalByte(usize),
}

/// Build the main traces of one execution of `image`'s program with `trace` (and `lie`).
pub fn generate(
    image: &Image,
    trace: &Trace,
    min_height: usize,
    lie: Option<Lie>,
) -> Result<Witness, CircuitError> {
    let honest = lie.is_none();
    let mut counts = [0usize; 5];
    let mut lie_now = |which: usize| -> bool {
        let target = match lie {
            Some(Lie::AddOffByOne(n)) if which == 0 => n,
            Some(Lie::StaleLoad(n)) if which == 1 => n,
            Some(Lie::BranchNotTaken(n)) if which == 2 => n,
            Some(Lie::WrongRemainder(n)) if which == 3 => n,
            Some(Lie::JournalByte(n)) if which == 4 => n,
            _ => return false,
        };
        counts[which] += 1;
        counts[which] - 1 == target
    };
    let n = trace.records.len();
    let height = (n.next_power_of_two()).max(min_height);
    let w = CpuCols::<F>::WIDTH;
    let mut cpu = RowMajorMatrix::new(vec![F::ZERO; height * w], w);
    let mut mem = Memory {
        image,
        words: HashMap::new(),
    };
    let mut regs = [0u32; 32];
    let mut program_mult = vec![0u32; image.code.len()];
    let mut sys_rows: Vec<SysCols<F>> = Vec::new();
    let read_words: HashMap<(u32, u32), u32> = trace
        .syscall_mem
        .iter()
        .filter(|x| x.wmask != 0)
        .map(|x| ((x.record, x.addr), x.wdata))
        .collect();
    let mut jpos = 0u32;
    let mut eof = false;

    for (clk, r) in trace.records.iter().enumerate() {
        let clk64 = clk as u64;
        let row = CpuCols::view_mut(cpu.row_mut(clk));
        let ci = image
            .code_index(r.pc)
            .ok_or_else(|| mismatch(r, "pc outside the code"))?;
        if image.code[ci].1 != r.insn {
            return Err(mismatch(r, "instruction word"));
        }
        program_mult[ci] += 1;
        row.inst = inst_row(r.pc, r.insn);
        let kind =
            kind_of_row(&row.inst).ok_or_else(|| mismatch(r, "not a provable instruction"))?;
        let i = row.inst;
        let rs1 = i.rs1.as_canonical() as usize;
        let rs2 = i.rs2.as_canonical() as usize;
        let rd = i.rd.as_canonical() as usize;
        let imm = u32::from_le_bytes(i.imm.map(|x| x.as_canonical() as u8));
        row.is_real = F::ONE;
        row.clk = F::from_u64(clk64);
        row.jpos = f(jpos);
        row.eof = fb(eof);
        set4(&mut row.pcb, r.pc.to_le_bytes().map(u32::from));

        // Operands and the register reads.
        let a = if i.reads_rs1 == F::ONE { regs[rs1] } else { 0 };
        let b = if i.imm_b == F::ONE {
            imm
        } else if i.reads_rs2 == F::ONE {
            regs[rs2]
        } else {
            0
        };
        let mut prev = [0u64; 4];
        for (s, p) in prev.iter_mut().enumerate() {
            *p = bus::ts(clk64, s as u64 + 1) - 1;
        }
        if i.reads_rs1 == F::ONE {
            prev[0] = mem.access(REG_BASE + rs1 as u32, bus::ts(clk64, 1), a).0;
        }
        if i.reads_rs2 == F::ONE {
            prev[1] = mem.access(REG_BASE + rs2 as u32, bus::ts(clk64, 2), b).0;
        }
        set4(&mut row.a, a.to_le_bytes().map(u32::from));
        set4(&mut row.b, b.to_le_bytes().map(u32::from));
        let (sa, sb) = (sign(a), sign(b));
        row.sa = f(sa);
        row.sb = f(sb);
        row.x_ab = f(sa ^ sb);
        row.x_ar = f(sa);
        row.p2 = F::ONE;
        row.p2r = f(256);

        use Kind::*;
        let mut c = 0u32;
        let mut next_pc = r.pc.wrapping_add(4);
        let mut d_br: Option<([u32; 4], [u32; 4])> = None;
        let mut eof_next = false;
        // Whether `inv` holds 1/Σd (BEQ/BNE, a short READ, signed remainder case 2).
        let mut invert_d = false;
        match kind {
            Add | Sub | Auipc | Jal | Jalr | Lui => {
                let (res, cy) = match kind {
                    Add => add_bytes(a, b),
                    Sub => {
                        let c = a.wrapping_sub(b);
                        let (_, cy) = add_bytes(b, c);
                        (c.to_le_bytes().map(u32::from), cy)
                    }
                    Auipc => add_bytes(r.pc, b),
                    Jal | Jalr => add_bytes(r.pc, 4),
                    _ => (b.to_le_bytes().map(u32::from), [0; 4]),
                };
                c = u32::from_le_bytes(res.map(|x| x as u8));
                set4(&mut row.carry, cy);
                if kind == Add && lie_now(0) {
                    c = c.wrapping_add(1);
                }
                if kind == Jal {
                    next_pc = r.pc.wrapping_add(imm);
                }
            }
            _ => {}
        }
        // The address adder (loads, stores, JALR).
        let is_load = matches!(kind, Lb | Lh | Lw | Lbu | Lhu);
        let is_store = matches!(kind, Sb | Sh | Sw);
        if is_load || is_store || kind == Jalr {
            let (m, cy) = add_bytes(a, imm);
            set4(&mut row.m, m);
            set4(&mut row.mcarry, cy);
            let addr = a.wrapping_add(imm);
            let off = (addr & 3) as usize;
            row.sel[off] = F::ONE;
            row.w0 = f((addr & 0xff) >> 2);
            if kind == Jalr {
                next_pc = addr & !1;
            } else {
                let waddr = addr >> 2;
                let (old_ts, mut old, ro) = mem.get(waddr);
                let initial = image.index(waddr).map_or(0, |i| image.words[i]);
                if is_load && initial != old && lie_now(1) {
                    old = initial;
                }
                let ob = old.to_le_bytes();
                let bb = b.to_le_bytes();
                let new = match kind {
                    Sw => b,
                    Sb => {
                        let mut nb = ob;
                        nb[off] = bb[0];
                        u32::from_le_bytes(nb)
                    }
                    Sh => {
                        let mut nb = ob;
                        nb[off] = bb[0];
                        nb[(off + 1) & 3] = bb[1];
                        u32::from_le_bytes(nb)
                    }
                    _ => old,
                };
                mem.access(waddr, bus::ts(clk64, 3), new);
                prev[2] = old_ts;
                row.ro = fb(ro);
                set4(&mut row.mem_old, ob.map(u32::from));
                set4(&mut row.mem_new, new.to_le_bytes().map(u32::from));
                c = match kind {
                    Lw => old,
                    Lbu => ob[off] as u32,
                    Lb => ob[off] as i8 as i32 as u32,
                    Lhu => u16::from_le_bytes([ob[off], ob[(off + 1) & 3]]) as u32,
                    Lh => u16::from_le_bytes([ob[off], ob[(off + 1) & 3]]) as i16 as i32 as u32,
                    _ => 0,
                };
                if kind == Lb {
                    row.ls = f(ob[off] as u32 >> 7);
                }
                if kind == Lh {
                    row.ls = f(ob[(off + 1) & 3] as u32 >> 7);
                }
                if honest && is_store && (r.mem_addr != waddr << 2 || r.mem_wdata != new) {
                    return Err(mismatch(r, "store"));
                }
            }
        }
        match kind {
            Slt | Sltu | Beq | Bne | Blt | Bge | Bltu | Bgeu => {
                let (d, br) = sub_bytes(a, b);
                d_br = Some((d, br));
                let lt = match kind {
                    Slt | Blt | Bge => ((a as i32) < (b as i32)) as u32,
                    _ => (a < b) as u32,
                };
                if !matches!(kind, Beq | Bne) {
                    row.lt = f(lt);
                }
                if matches!(kind, Beq | Bne) {
                    row.eq = fb(d.iter().all(|&x| x == 0));
                    invert_d = true;
                }
                let mut taken = match kind {
                    Beq => a == b,
                    Bne => a != b,
                    Blt => (a as i32) < (b as i32),
                    Bge => (a as i32) >= (b as i32),
                    Bltu => a < b,
                    Bgeu => a >= b,
                    _ => false,
                };
                if matches!(kind, Slt | Sltu) {
                    c = lt;
                }
                if matches!(kind, Beq | Bne | Blt | Bge | Bltu | Bgeu) {
                    if taken && lie_now(2) {
                        taken = false;
                    }
                    row.taken = fb(taken);
                    if taken {
                        next_pc = r.pc.wrapping_add(imm);
                    }
                }
            }
            Xor | Or | And => c = alu(kind, a, b),
            Sll | Srl | Sra => {
                c = alu(kind, a, b);
                let sh = b & 31;
                let (rr, q) = (sh & 7, (sh >> 3) as usize);
                for bit in 0..3 {
                    row.sh_r[bit] = f((rr >> bit) & 1);
                }
                row.sh_q[q] = F::ONE;
                row.sh_t = f((b & 0xff) >> 5);
                row.p2 = f(1 << rr);
                row.p2r = f(256 >> rr);
                let mult = if kind == Sll { 1u32 << rr } else { 256 >> rr };
                row.sh_mult = f(mult);
                for (j, &x) in a.to_le_bytes().iter().enumerate() {
                    let v = x as u32 * mult;
                    row.lo[j] = f(v & 0xff);
                    row.hi[j] = f(v >> 8);
                }
                if kind == Sra && sa == 1 {
                    row.fa = F::ONE;
                    row.fill = f(256 - (256 >> rr));
                }
            }
            Mul | Mulh | Mulhsu | Mulhu | Div | Divu | Rem | Remu => {
                c = alu(kind, a, b);
                let is_div = matches!(kind, Div | Divu | Rem | Remu);
                let signed_div = matches!(kind, Div | Rem);
                let (x, mut rem) = if is_div {
                    (
                        alu(if signed_div { Div } else { Divu }, a, b),
                        alu(if signed_div { Rem } else { Remu }, a, b),
                    )
                } else {
                    (a, 0)
                };
                if matches!(kind, Rem | Remu) && lie_now(3) {
                    rem = rem.wrapping_add(1);
                    c = rem;
                }
                let sx = sign(x);
                let sr = sign(rem);
                row.sx = f(sx);
                row.sr = f(sr);
                row.x_ar = f(sr ^ sa);
                let ex = sx * matches!(kind, Mulh | Mulhsu | Div | Rem) as u32;
                let ey = sb * matches!(kind, Mulh | Div | Rem) as u32;
                let er = sr * signed_div as u32;
                row.ex = f(ex);
                row.ey = f(ey);
                row.er = f(er);
                set4(&mut row.x, x.to_le_bytes().map(u32::from));
                set4(&mut row.r, rem.to_le_bytes().map(u32::from));
                let ovf = signed_div && a == 0x8000_0000 && b == u32::MAX;
                row.ovf = fb(ovf);
                let ah = (signed_div && sa == 1 && !ovf) as u32;
                row.ah = f(ah);
                // Column sums of the sign-extended 64-bit product (+ remainder).
                let xe: Vec<u64> = (0..8)
                    .map(|t| {
                        if t < 4 {
                            (x >> (8 * t)) as u64 & 0xff
                        } else {
                            255 * ex as u64
                        }
                    })
                    .collect();
                let ye: Vec<u64> = (0..8)
                    .map(|t| {
                        if t < 4 {
                            (b >> (8 * t)) as u64 & 0xff
                        } else {
                            255 * ey as u64
                        }
                    })
                    .collect();
                let mut carry = 0u64;
                for col in 0..8 {
                    let mut s: u64 = (0..=col).map(|t| xe[t] * ye[col - t]).sum();
                    if is_div {
                        s += if col < 4 {
                            (rem >> (8 * col)) as u64 & 0xff
                        } else {
                            255 * er as u64
                        };
                    }
                    s += carry;
                    row.p[col] = F::from_u64(s & 0xff);
                    carry = s >> 8;
                    row.pcl[col] = F::from_u64(carry & 0xff);
                    row.pch[col] = F::from_u64(carry >> 8);
                }
                if is_div {
                    let bsum: u32 = b.to_le_bytes().iter().map(|&x| x as u32).sum();
                    row.bz = fb(b == 0);
                    row.binv = inv_or_zero(f(bsum));
                    if b != 0 {
                        if !signed_div {
                            row.uk = F::ONE;
                            d_br = Some(sub_bytes(rem, b));
                        } else {
                            let case = (sr * 2 + sign(b)) as usize;
                            row.dc[case] = F::ONE;
                            d_br = Some(match case {
                                0 => sub_bytes(rem, b),
                                3 => sub_bytes(b, rem),
                                _ => add_bytes(rem, b),
                            });
                            invert_d = case == 2;
                        }
                    }
                }
            }
            Ecall => {
                let t0 = regs[5];
                let (tprev, _, _) = mem.access(REG_BASE + 5, bus::ts(clk64, 3), t0);
                prev[2] = tprev;
                set4(&mut row.mem_old, t0.to_le_bytes().map(u32::from));
                set4(&mut row.mem_new, t0.to_le_bytes().map(u32::from));
                match t0 {
                    0 => row.sys[0] = F::ONE,
                    1 | 2 => {
                        row.sys[t0 as usize] = F::ONE;
                        let read = t0 == 1;
                        let len = if read { r.rd_wdata } else { b };
                        if read {
                            c = len;
                            d_br = Some(sub_bytes(b, c));
                            if c != b {
                                row.short = F::ONE;
                                invert_d = true;
                                eof_next = true;
                            }
                        }
                        let (m, cy) = add_bytes(a, len);
                        set4(&mut row.m, m);
                        set4(&mut row.mcarry, cy);
                        // The buffer walk.
                        let (mut ptr, mut left, mut jp) = (a, len, jpos);
                        while left > 0 {
                            let waddr = ptr >> 2;
                            let o = ptr & 3;
                            let count = left.min(4 - o);
                            let mut s = SysCols::<F> {
                                valid: F::ONE,
                                clk: F::from_u64(clk64),
                                read: fb(read),
                                ptr: f(ptr),
                                len: f(left),
                                jpos: f(jp),
                                waddr: f(waddr),
                                count: f(count),
                                ..Default::default()
                            };
                            s.first[o as usize] = F::ONE;
                            for j in o..o + count {
                                s.lanes[j as usize] = F::ONE;
                            }
                            let (_, old, _) = mem.get(waddr);
                            let new = if read {
                                match read_words.get(&(clk as u32, waddr << 2)) {
                                    Some(&w) => w,
                                    None if honest => return Err(mismatch(r, "READ buffer")),
                                    None => old,
                                }
                            } else {
                                old
                            };
                            let (tp, old, ro) = mem.access(waddr, bus::ts(clk64, 3), new);
                            s.ro = fb(ro);
                            s.ts_prev = F::from_u64(tp);
                            s.ts_diff = ts_diff(bus::ts(clk64, 3), tp);
                            set4(&mut s.old, old.to_le_bytes().map(u32::from));
                            set4(&mut s.new, new.to_le_bytes().map(u32::from));
                            sys_rows.push(s);
                            ptr += count;
                            left -= count;
                            if !read {
                                jp += count;
                            }
                        }
                        if !read {
                            jpos += len;
                        }
                    }
                    _ => return Err(mismatch(r, "unknown syscall")),
                }
            }
            _ => {}
        }
        if let Some((d, br)) = d_br {
            set4(&mut row.d, d);
            set4(&mut row.br, br);
            row.sd = f(d[3] >> 7);
            if invert_d {
                row.inv = inv_or_zero(f(d.iter().sum()));
            }
        }
        // The rd write.
        let writes = i.writes_rd == F::ONE || row.sys[1] == F::ONE;
        set4(&mut row.c, c.to_le_bytes().map(u32::from));
        if writes {
            let (tp, old, _) = mem.access(REG_BASE + rd as u32, bus::ts(clk64, 4), c);
            prev[3] = tp;
            set4(&mut row.rd_old, old.to_le_bytes().map(u32::from));
            regs[rd] = c;
            if honest && (r.rd_addr as usize != rd || r.rd_wdata != c) {
                return Err(mismatch(r, "rd value"));
            }
        }
        if honest && row.sys[0] != F::ONE && next_pc != r.next_pc {
            return Err(mismatch(r, "next pc"));
        }
        row.next_pc = f(next_pc);
        for (s, &p) in prev.iter().enumerate() {
            slot(row, s, clk64, p);
        }
        eof |= eof_next;
    }
    // Padding rows.
    for clk in n..height {
        let row = CpuCols::view_mut(cpu.row_mut(clk));
        row.clk = F::from_u64(clk as u64);
        row.jpos = f(jpos);
        row.eof = fb(eof);
        row.next_pc = f(4);
        row.p2 = F::ONE;
        row.p2r = f(256);
        for s in 0..4 {
            slot(row, s, clk as u64, bus::ts(clk as u64, s as u64 + 1) - 1);
        }
    }

    // Final memory: image rows, then dynamic words in address order.
    let fw = FinalCols::<F>::WIDTH;
    let mut image_final = RowMajorMatrix::new(vec![F::ZERO; image.rows.height() * fw], fw);
    let mut dynamic_words: Vec<(u32, u64, u32)> = Vec::new();
    for i in 0..image.num_rows() {
        FinalCols::view_mut(image_final.row_mut(i)).v = bytes4(image.row_value(i));
    }
    for (&waddr, &(ts, v, _)) in &mem.words {
        match image.row_of(waddr) {
            Some(i) => {
                let fc = FinalCols::view_mut(image_final.row_mut(i));
                fc.ts = F::from_u64(ts);
                fc.v = bytes4(v);
            }
            None => dynamic_words.push((waddr, ts, v)),
        }
    }
    dynamic_words.sort_unstable();
    let dh = (dynamic_words.len() + 1)
        .next_power_of_two()
        .max(min_height);
    let dw = DynCols::<F>::WIDTH;
    let mut dynamic = RowMajorMatrix::new(vec![F::ZERO; dh * dw], dw);
    let mut addrs = vec![image.end - 1];
    addrs.extend(dynamic_words.iter().map(|w| w.0));
    for (i, &addr) in addrs.iter().enumerate() {
        let row = DynCols::view_mut(dynamic.row_mut(i));
        row.addr = bytes4(addr);
        if let Some(&next) = addrs.get(i + 1) {
            row.gap = bytes4(next - addr - 1);
        }
        if i > 0 {
            let (_, ts, v) = dynamic_words[i - 1];
            row.valid = F::ONE;
            row.fin.ts = F::from_u64(ts);
            row.fin.v = bytes4(v);
        }
    }

    let sh = sys_rows.len().next_power_of_two().max(min_height);
    let sw = SysCols::<F>::WIDTH;
    let mut syscall = RowMajorMatrix::new(vec![F::ZERO; sh * sw], sw);
    for (i, s) in sys_rows.into_iter().enumerate() {
        *SysCols::view_mut(syscall.row_mut(i)) = s;
    }
    Ok(Witness {
        cpu,
        dynamic,
        syscall,
        image_final,
        program_mult,
    })
}
