//! The CPU table: one row per retired instruction (then padding). It fetches from the program
//! table, reads and writes registers and memory through the memory bus, computes every RV32IM
//! result with byte-level arithmetic, and starts the syscall buffer walks. Every column and
//! constraint group is described in `docs/circuit.md`, "CPU".

use super::bus::{self, REG_BASE};
use super::columns::columns;
use super::program::{InstCols, Kind};
use crate::air::{row_exprs, Air, AirBuilder, Algebra, F};
use crate::field::Field;

columns! {
    /// One CPU row.
    CpuCols {
        /// The decoded instruction (sent to the program table).
        inst: InstCols<T>,
        /// 1 on rows that retire an instruction, 0 on padding.
        is_real: T,
        /// Cycle number (0 on the first row, +1 per row).
        clk: T,
        /// pc of the following instruction.
        next_pc: T,
        /// Journal bytes committed before this instruction.
        jpos: T,
        /// Operand a: rs1's value (bytes).
        a: [T; 4],
        /// Operand b: rs2's value or the immediate (bytes).
        b: [T; 4],
        /// Result c: the value written to rd (bytes).
        c: [T; 4],
        /// Timestamps of the previous access of each slot's word (rs1, rs2, memory, rd).
        ts_prev: [T; 4],
        /// `ts − ts_prev − 1` of each slot, three bytes each.
        ts_diff: [[T; 3]; 4],
        /// rd's value before the write.
        rd_old: [T; 4],
        /// Memory slot: the byte address (bytes) of a load/store, or JALR's target before
        /// clearing bit 0, or the end of a syscall buffer.
        m: [T; 4],
        /// Carries of the address adder.
        mcarry: [T; 4],
        /// `m[0] >> 2`.
        w0: T,
        /// One-hot byte offset `m & 3` (loads, stores, JALR).
        sel: [T; 4],
        /// The memory word before the access.
        mem_old: [T; 4],
        /// The memory word after the access.
        mem_new: [T; 4],
        /// The accessed word is read-only (code).
        ro: T,
        /// Carries of the result adder (ADD, SUB, AUIPC, JAL/JALR's link).
        carry: [T; 4],
        /// The pc's bytes.
        pcb: [T; 4],
        /// Comparator / remainder-bound difference bytes.
        d: [T; 4],
        /// Comparator borrows (or carries).
        br: [T; 4],
        /// Sign bit of a.
        sa: T,
        /// Sign bit of b.
        sb: T,
        /// `sa xor sb`.
        x_ab: T,
        /// Sign bit of d.
        sd: T,
        /// Comparison result.
        lt: T,
        /// Operands equal (BEQ/BNE).
        eq: T,
        /// Inverse of Σd where needed.
        inv: T,
        /// Branch taken.
        taken: T,
        /// Sign bit of a loaded byte/halfword.
        ls: T,
        /// Shift: low three bits of the amount.
        sh_r: [T; 3],
        /// Shift: one-hot byte part of the amount.
        sh_q: [T; 4],
        /// Shift: `b[0] >> 5`.
        sh_t: T,
        /// `2^r`.
        p2: T,
        /// `2^(8−r)`.
        p2r: T,
        /// The per-byte multiplier of this shift.
        sh_mult: T,
        /// Per byte: low byte of `a[i] · sh_mult`.
        lo: [T; 4],
        /// Per byte: high byte of `a[i] · sh_mult`.
        hi: [T; 4],
        /// SRA with a negative operand.
        fa: T,
        /// SRA's fill bits in the top byte: `fa · (256 − p2r)`.
        fill: T,
        /// Multiplier input x (= a for MUL*, the quotient for DIV*/REM*).
        x: [T; 4],
        /// Sign bit of x.
        sx: T,
        /// Sign-extend x / b / r into the 64-bit product.
        ex: T,
        /// See `ex`.
        ey: T,
        /// See `ex`.
        er: T,
        /// The 64-bit sum `x·b (+ r)`, bytes.
        p: [T; 8],
        /// Product column carries, low byte.
        pcl: [T; 8],
        /// Product column carries, high bits (< 8).
        pch: [T; 8],
        /// Remainder.
        r: [T; 4],
        /// Sign bit of r.
        sr: T,
        /// `sr xor sa`.
        x_ar: T,
        /// High word of a's sign extension in a division (0 on overflow).
        ah: T,
        /// Signed overflow: `0x8000_0000 / −1`.
        ovf: T,
        /// Divisor is zero.
        bz: T,
        /// Inverse of Σb when it is not zero.
        binv: T,
        /// Unsigned division with b ≠ 0.
        uk: T,
        /// Signed division remainder case by (sign r, sign b): 00, 01, 10, 11.
        dc: [T; 4],
        /// ECALL: HALT, READ, COMMIT.
        sys: [T; 3],
        /// The private input has ended (a READ returned fewer bytes than asked).
        eof: T,
        /// This READ returned fewer bytes than asked.
        short: T,
    }
}

/// Σ bᵢ·256ⁱ.
pub(crate) fn word<E: Algebra>(b: &[E]) -> E {
    let mut acc = E::from(F::ZERO);
    for (i, x) in b.iter().enumerate() {
        acc = acc + x.clone() * F::new(1 << (8 * i));
    }
    acc
}

/// Σ xᵢ.
pub(crate) fn sum<E: Algebra>(xs: impl IntoIterator<Item = E>) -> E {
    xs.into_iter().fold(E::from(F::ZERO), |a, x| a + x)
}

/// The CPU table.
pub struct CpuTable;

impl Air for CpuTable {
    fn name(&self) -> String {
        "cpu".into()
    }
    fn width(&self) -> usize {
        CpuCols::<F>::WIDTH
    }
    fn max_degree(&self) -> usize {
        4
    }

    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        const W: usize = CpuCols::<u8>::WIDTH;
        let local: [B::Expr; W] = row_exprs::<B, W>(builder.local());
        let next: [B::Expr; W] = row_exprs::<B, W>(builder.next());
        let public: [F; bus::NUM_PUBLIC] = builder.public_values()[..bus::NUM_PUBLIC]
            .try_into()
            .expect("the CPU table's public values");
        let l = CpuCols::view(&local);
        let n = CpuCols::view(&next);
        let k = |x: u32| B::Expr::from(F::new(x));
        let flag = |kind: Kind| l.inst.k[kind as usize].clone();
        let flags = |kinds: &[Kind]| sum(kinds.iter().map(|&kd| flag(kd)));
        let first = builder.is_first_row();
        let last = builder.is_last_row();
        let transition = builder.is_transition();
        let real = l.is_real.clone();
        let i = &l.inst;

        use Kind::*;
        let k_load = flags(&[Lb, Lh, Lw, Lbu, Lhu]);
        let k_store = flags(&[Sb, Sh, Sw]);
        let k_branch = flags(&[Beq, Bne, Blt, Bge, Bltu, Bgeu]);
        let k_ecall = flag(Ecall);
        let (s_halt, s_read, s_commit) = (l.sys[0].clone(), l.sys[1].clone(), l.sys[2].clone());

        // ---- Booleans, one-hot kind, control flow.
        builder.assert_bool(real.clone());
        for f in &i.k {
            builder.assert_bool(f.clone());
        }
        builder.assert_eq(sum(i.k.iter().cloned()), real.clone());
        builder.assert_zero(first.clone() * (real.clone() - F::ONE));
        builder.assert_zero(first.clone() * l.clk.clone());
        builder.assert_zero(first.clone() * (i.pc.clone() - public[bus::PV_ENTRY]));
        builder.assert_zero(first.clone() * l.jpos.clone());
        builder.assert_zero(transition.clone() * (n.clk.clone() - l.clk.clone() - F::ONE));
        builder.assert_zero(
            transition.clone() * n.is_real.clone() * (n.inst.pc.clone() - l.next_pc.clone()),
        );
        builder.assert_zero(
            transition.clone() * (n.jpos.clone() - l.jpos.clone() - s_commit.clone() * word(&l.b)),
        );
        // The last real row is HALT: is_real drops exactly after it.
        builder
            .assert_zero(transition.clone() * (s_halt.clone() - real.clone() + n.is_real.clone()));
        builder.assert_zero(last * (real.clone() - s_halt.clone()));
        for j in 0..4 {
            builder.assert_zero(s_halt.clone() * (l.a[j].clone() - public[bus::PV_EXIT + j]));
        }
        builder.assert_zero(s_halt.clone() * (l.jpos.clone() - public[bus::PV_JOURNAL_LEN]));
        builder.send(bus::PROGRAM, i_tuple(i), real.clone());

        // pc bytes: pc < 2^28 (so the bytes are unique).
        builder.assert_eq(word(&l.pcb), i.pc.clone());

        // next_pc.
        let m_val = word(&l.m);
        let jalr_target = m_val.clone() - l.sel[1].clone() - l.sel[3].clone();
        builder.assert_zero(
            l.next_pc.clone()
                - i.pc.clone()
                - F::new(4)
                - flag(Jal) * (i.imm_f.clone() - F::new(4))
                - flag(Jalr) * (jalr_target - i.pc.clone() - F::new(4))
                - l.taken.clone() * (i.imm_f.clone() - F::new(4)),
        );

        // ---- Register and memory accesses (slots: rs1, rs2, memory, rd).
        let ts = |slot: u32| l.clk.clone() * F::new(4) + F::new(slot);
        let reg = |r: &B::Expr| r.clone() + F::new(REG_BASE);
        let zero = k(0);
        let access = |builder: &mut B,
                      slot: usize,
                      addr: B::Expr,
                      old: &[B::Expr],
                      new: &[B::Expr],
                      ro: B::Expr,
                      mult: B::Expr| {
            let t = ts(slot as u32 + 1);
            let rx = [
                addr.clone(),
                l.ts_prev[slot].clone(),
                old[0].clone(),
                old[1].clone(),
                old[2].clone(),
                old[3].clone(),
                ro.clone(),
            ];
            let tx = [
                addr,
                t.clone(),
                new[0].clone(),
                new[1].clone(),
                new[2].clone(),
                new[3].clone(),
                ro,
            ];
            builder.receive(bus::MEMORY, &rx, mult.clone());
            builder.send(bus::MEMORY, &tx, mult);
            builder.assert_zero(t - l.ts_prev[slot].clone() - F::ONE - word(&l.ts_diff[slot]));
        };
        access(
            builder,
            0,
            reg(&i.rs1),
            &l.a,
            &l.a,
            zero.clone(),
            i.reads_rs1.clone(),
        );
        access(
            builder,
            1,
            reg(&i.rs2),
            &l.b,
            &l.b,
            zero.clone(),
            i.reads_rs2.clone(),
        );
        let waddr = l.w0.clone()
            + l.m[1].clone() * F::new(1 << 6)
            + l.m[2].clone() * F::new(1 << 14)
            + l.m[3].clone() * F::new(1 << 22);
        let mem_addr =
            k_ecall.clone() * F::new(REG_BASE + 5) + (k_load.clone() + k_store.clone()) * waddr;
        access(
            builder,
            2,
            mem_addr,
            &l.mem_old,
            &l.mem_new,
            l.ro.clone(),
            k_load.clone() + k_store.clone() + k_ecall.clone(),
        );
        access(
            builder,
            3,
            reg(&i.rd),
            &l.rd_old,
            &l.c,
            zero.clone(),
            i.writes_rd.clone() + s_read.clone(),
        );
        builder.assert_bool(l.ro.clone());
        builder.assert_zero(k_store.clone() * l.ro.clone());
        for j in 0..4 {
            builder.assert_zero(i.imm_b.clone() * (l.b[j].clone() - i.imm[j].clone()));
        }

        // ---- Address adder: m = a + imm (loads, stores, JALR) or a + length (READ, COMMIT).
        for c in &l.mcarry {
            builder.assert_bool(c.clone());
        }
        let k_addr = k_load.clone() + k_store.clone() + flag(Jalr);
        for j in 0..4 {
            let cin = if j == 0 {
                zero.clone()
            } else {
                l.mcarry[j - 1].clone()
            };
            let out = l.m[j].clone() + l.mcarry[j].clone() * F::new(256) - cin;
            builder.assert_zero(k_addr.clone() * (l.a[j].clone() + i.imm[j].clone() - out.clone()));
            builder.assert_zero(s_read.clone() * (l.a[j].clone() + l.c[j].clone() - out.clone()));
            builder.assert_zero(s_commit.clone() * (l.a[j].clone() + l.b[j].clone() - out));
        }
        // A syscall buffer ends inside memory: no carry out (and m < 2^28 below).
        builder.assert_zero((s_read.clone() + s_commit.clone()) * l.mcarry[3].clone());
        // Byte offset within the word.
        for s in &l.sel {
            builder.assert_bool(s.clone());
        }
        builder.assert_eq(sum(l.sel.iter().cloned()), k_addr.clone());
        let off = l.sel[1].clone() + l.sel[2].clone() * F::new(2) + l.sel[3].clone() * F::new(3);
        builder.assert_zero(k_addr.clone() * (l.m[0].clone() - l.w0.clone() * F::new(4) - off));
        builder.assert_zero(flags(&[Lw, Sw]) * (l.sel[0].clone() - F::ONE));
        builder.assert_zero(flags(&[Lh, Lhu, Sh]) * (l.sel[1].clone() + l.sel[3].clone()));

        // ---- Loads and stores.
        builder.assert_bool(l.ls.clone());
        builder.assert_zero((real.clone() - flags(&[Lb, Lh])) * l.ls.clone());
        for j in 0..4 {
            builder.assert_zero(
                (k_load.clone() + k_ecall.clone()) * (l.mem_new[j].clone() - l.mem_old[j].clone()),
            );
        }
        let byte = sum((0..4).map(|j| l.sel[j].clone() * l.mem_old[j].clone()));
        let h0 = l.sel[0].clone() * l.mem_old[0].clone() + l.sel[2].clone() * l.mem_old[2].clone();
        let h1 = l.sel[0].clone() * l.mem_old[1].clone() + l.sel[2].clone() * l.mem_old[3].clone();
        builder.assert_zero(flags(&[Lb, Lbu]) * (l.c[0].clone() - byte));
        builder.assert_zero(flags(&[Lh, Lhu]) * (l.c[0].clone() - h0));
        builder.assert_zero(flags(&[Lh, Lhu]) * (l.c[1].clone() - h1));
        for j in 1..4 {
            builder.assert_zero(flag(Lbu) * l.c[j].clone());
            builder.assert_zero(flag(Lb) * (l.c[j].clone() - l.ls.clone() * F::new(255)));
        }
        for j in 2..4 {
            builder.assert_zero(flag(Lhu) * l.c[j].clone());
            builder.assert_zero(flag(Lh) * (l.c[j].clone() - l.ls.clone() * F::new(255)));
        }
        for j in 0..4 {
            builder.assert_zero(flag(Lw) * (l.c[j].clone() - l.mem_old[j].clone()));
            builder.assert_zero(flag(Sw) * (l.mem_new[j].clone() - l.b[j].clone()));
            let keep_b =
                l.mem_old[j].clone() + l.sel[j].clone() * (l.b[0].clone() - l.mem_old[j].clone());
            builder.assert_zero(flag(Sb) * (l.mem_new[j].clone() - keep_b));
            let (s, src) = if j < 2 {
                (&l.sel[0], &l.b[j])
            } else {
                (&l.sel[2], &l.b[j - 2])
            };
            let keep_h = l.mem_old[j].clone() + s.clone() * (src.clone() - l.mem_old[j].clone());
            builder.assert_zero(flag(Sh) * (l.mem_new[j].clone() - keep_h));
        }

        // ---- Result adder: ADD, SUB, AUIPC, and the link value pc + 4 of JAL/JALR.
        for c in &l.carry {
            builder.assert_bool(c.clone());
        }
        let k_link = flags(&[Jal, Jalr]);
        for j in 0..4 {
            let cin = if j == 0 {
                zero.clone()
            } else {
                l.carry[j - 1].clone()
            };
            let carry = l.carry[j].clone() * F::new(256);
            builder.assert_zero(
                flag(Add)
                    * (l.a[j].clone() + l.b[j].clone() + cin.clone()
                        - l.c[j].clone()
                        - carry.clone()),
            );
            builder.assert_zero(
                flag(Sub)
                    * (l.b[j].clone() + l.c[j].clone() + cin.clone()
                        - l.a[j].clone()
                        - carry.clone()),
            );
            builder.assert_zero(
                flag(Auipc)
                    * (l.pcb[j].clone() + l.b[j].clone() + cin.clone()
                        - l.c[j].clone()
                        - carry.clone()),
            );
            let four = if j == 0 { k(4) } else { zero.clone() };
            builder.assert_zero(
                k_link.clone() * (l.pcb[j].clone() + four + cin - l.c[j].clone() - carry),
            );
            builder.assert_zero(flag(Lui) * (l.c[j].clone() - l.b[j].clone()));
        }

        // ---- Signs, comparator, branches.
        for s in [&l.sa, &l.sb, &l.sd, &l.sx, &l.sr] {
            builder.assert_bool(s.clone());
        }
        builder.assert_zero(
            l.x_ab.clone() - l.sa.clone() - l.sb.clone() + l.sa.clone() * l.sb.clone() * F::new(2),
        );
        builder.assert_zero(
            l.x_ar.clone() - l.sa.clone() - l.sr.clone() + l.sa.clone() * l.sr.clone() * F::new(2),
        );
        for c in &l.br {
            builder.assert_bool(c.clone());
        }
        let k_cmp = flags(&[Slt, Sltu]) + k_branch.clone();
        // sub(u, v): u − v − borrow_in = d − 256·borrow_out, per byte.
        let sub_row = |u: &[B::Expr], v: &[B::Expr], j: usize| {
            let bin = if j == 0 { k(0) } else { l.br[j - 1].clone() };
            u[j].clone() - v[j].clone() - bin - l.d[j].clone() + l.br[j].clone() * F::new(256)
        };
        let add_row = |u: &[B::Expr], v: &[B::Expr], j: usize| {
            let cin = if j == 0 { k(0) } else { l.br[j - 1].clone() };
            u[j].clone() + v[j].clone() + cin - l.d[j].clone() - l.br[j].clone() * F::new(256)
        };
        for j in 0..4 {
            builder.assert_zero(k_cmp.clone() * sub_row(&l.a, &l.b, j));
            // READ returns at most the requested length: a1 − n does not borrow.
            builder.assert_zero(s_read.clone() * sub_row(&l.b, &l.c, j));
        }
        builder.assert_zero(s_read.clone() * l.br[3].clone());
        // READ returns min(requested, bytes left): a short READ ends the input, and once it
        // has ended every READ returns 0. `short` ⟺ d = a1 − n ≠ 0 (inverse in `inv`).
        builder.assert_bool(l.eof.clone());
        builder.assert_bool(l.short.clone());
        builder.assert_zero(first.clone() * l.eof.clone());
        builder.assert_zero(
            transition.clone()
                * (n.eof.clone() - l.eof.clone() - l.short.clone()
                    + l.short.clone() * l.eof.clone()),
        );
        let d_total = sum(l.d.iter().cloned());
        builder.assert_zero(s_read.clone() * (k(1) - l.short.clone()) * d_total.clone());
        builder.assert_zero(l.short.clone() * (k(1) - d_total * l.inv.clone()));
        builder.assert_zero(s_read.clone() * l.eof.clone() * sum(l.c.iter().cloned()));
        let lt_u = l.br[3].clone();
        let lt_s = lt_u.clone() - lt_u.clone() * l.x_ab.clone() + l.sa.clone() * l.x_ab.clone();
        builder.assert_zero(flags(&[Slt, Blt, Bge]) * (l.lt.clone() - lt_s));
        builder.assert_zero(flags(&[Sltu, Bltu, Bgeu]) * (l.lt.clone() - lt_u));
        for j in 0..4 {
            let v = if j == 0 { l.lt.clone() } else { zero.clone() };
            builder.assert_zero(flags(&[Slt, Sltu]) * (l.c[j].clone() - v));
        }
        let d_sum = sum(l.d.iter().cloned());
        let k_eq = flags(&[Beq, Bne]);
        builder.assert_zero(k_eq.clone() * l.eq.clone() * d_sum.clone());
        builder.assert_zero(k_eq * (k(1) - l.eq.clone() - d_sum.clone() * l.inv.clone()));
        builder.assert_zero(
            l.taken.clone()
                - flag(Beq) * l.eq.clone()
                - flag(Bne) * (k(1) - l.eq.clone())
                - flags(&[Blt, Bltu]) * l.lt.clone()
                - flags(&[Bge, Bgeu]) * (k(1) - l.lt.clone()),
        );

        // ---- Bitwise operations through the byte table.
        let k_bit = flags(&[And, Or, Xor]);
        let op = flag(And) * F::new(bus::OP_AND)
            + flag(Or) * F::new(bus::OP_OR)
            + flag(Xor) * F::new(bus::OP_XOR);
        for j in 0..4 {
            builder.send(
                bus::BYTE,
                &[op.clone(), l.a[j].clone(), l.b[j].clone(), l.c[j].clone()],
                k_bit.clone(),
            );
        }

        // ---- Shifts: amount = r + 8q + 32t from b[0]; bytes shifted by r via a multiplier,
        // then moved by q whole bytes.
        let k_shift = flags(&[Sll, Srl, Sra]);
        let k_right = flags(&[Srl, Sra]);
        for x in l.sh_r.iter().chain(&l.sh_q) {
            builder.assert_bool(x.clone());
        }
        builder.assert_eq(sum(l.sh_q.iter().cloned()), k_shift.clone());
        let q_idx =
            l.sh_q[1].clone() + l.sh_q[2].clone() * F::new(2) + l.sh_q[3].clone() * F::new(3);
        builder.assert_zero(
            k_shift.clone()
                * (l.b[0].clone()
                    - l.sh_r[0].clone()
                    - l.sh_r[1].clone() * F::new(2)
                    - l.sh_r[2].clone() * F::new(4)
                    - q_idx * F::new(8)
                    - l.sh_t.clone() * F::new(32)),
        );
        builder.assert_zero(
            l.p2.clone()
                - (l.sh_r[0].clone() + F::ONE)
                    * (l.sh_r[1].clone() * F::new(3) + F::ONE)
                    * (l.sh_r[2].clone() * F::new(15) + F::ONE),
        );
        builder.assert_zero(l.p2.clone() * l.p2r.clone() - F::new(256));
        builder.assert_zero(
            l.sh_mult.clone() - flag(Sll) * l.p2.clone() - k_right.clone() * l.p2r.clone(),
        );
        for j in 0..4 {
            builder.assert_zero(
                k_shift.clone()
                    * (l.a[j].clone() * l.sh_mult.clone()
                        - l.lo[j].clone()
                        - l.hi[j].clone() * F::new(256)),
            );
        }
        builder.assert_zero(l.fa.clone() - flag(Sra) * l.sa.clone());
        builder.assert_zero(l.fill.clone() - l.fa.clone() * (k(256) - l.p2r.clone()));
        for j in 0..4 {
            // Left: v_j = lo_j + hi_{j−1}; c_j = v_{j−q}.
            let mut left = zero.clone();
            for q in 0..=j {
                let s = j - q;
                let v = if s == 0 {
                    l.lo[0].clone()
                } else {
                    l.lo[s].clone() + l.hi[s - 1].clone()
                };
                left = left + l.sh_q[q].clone() * v;
            }
            builder.assert_zero(flag(Sll) * (l.c[j].clone() - left));
            // Right: w_s = hi_s + lo_{s+1} (w_3 = hi_3 + fill); c_j = w_{j+q}, sign or 0 beyond.
            let mut right = zero.clone();
            for q in 0..4 {
                let s = j + q;
                let w = match s {
                    0..=2 => l.hi[s].clone() + l.lo[s + 1].clone(),
                    3 => l.hi[3].clone() + l.fill.clone(),
                    _ => l.fa.clone() * F::new(255),
                };
                right = right + l.sh_q[q].clone() * w;
            }
            builder.assert_zero(k_right.clone() * (l.c[j].clone() - right));
        }

        // ---- Multiply and divide: x·b (+ r) = p over 64 bits, sign-extended as each kind needs.
        let k_mul = flags(&[Mul, Mulh, Mulhsu, Mulhu]);
        let k_div = flags(&[Div, Divu, Rem, Remu]);
        let k_sdiv = flags(&[Div, Rem]);
        let k_md = k_mul.clone() + k_div.clone();
        for j in 0..4 {
            builder.assert_zero(k_mul.clone() * (l.x[j].clone() - l.a[j].clone()));
        }
        builder
            .assert_zero(l.ex.clone() - l.sx.clone() * (flags(&[Mulh, Mulhsu]) + k_sdiv.clone()));
        builder.assert_zero(l.ey.clone() - l.sb.clone() * (flag(Mulh) + k_sdiv.clone()));
        builder.assert_zero(l.er.clone() - l.sr.clone() * k_sdiv.clone());
        let xe = |t: usize| {
            if t < 4 {
                l.x[t].clone()
            } else {
                l.ex.clone() * F::new(255)
            }
        };
        let ye = |t: usize| {
            if t < 4 {
                l.b[t].clone()
            } else {
                l.ey.clone() * F::new(255)
            }
        };
        for col in 0..8 {
            let mut s = zero.clone();
            for t in 0..=col {
                s = s + xe(t) * ye(col - t);
            }
            let cy = |c: usize| l.pcl[c].clone() + l.pch[c].clone() * F::new(256);
            let cin = if col == 0 { zero.clone() } else { cy(col - 1) };
            let rterm = if col < 4 {
                l.r[col].clone()
            } else {
                l.er.clone() * F::new(255)
            };
            builder.assert_zero(
                k_md.clone() * (s + cin - l.p[col].clone() - cy(col) * F::new(256))
                    + k_div.clone() * rterm,
            );
        }
        for j in 0..4 {
            builder.assert_zero(flag(Mul) * (l.c[j].clone() - l.p[j].clone()));
            builder
                .assert_zero(flags(&[Mulh, Mulhsu, Mulhu]) * (l.c[j].clone() - l.p[j + 4].clone()));
            builder.assert_zero(k_div.clone() * (l.p[j].clone() - l.a[j].clone()));
            builder.assert_zero(k_div.clone() * (l.p[j + 4].clone() - l.ah.clone() * F::new(255)));
            builder.assert_zero(flags(&[Div, Divu]) * (l.c[j].clone() - l.x[j].clone()));
            builder.assert_zero(flags(&[Rem, Remu]) * (l.c[j].clone() - l.r[j].clone()));
        }
        // a's sign extension, except for 0x8000_0000 / −1 (quotient 2^31, an overflow).
        builder.assert_zero(
            l.ah.clone() - l.sa.clone() * k_sdiv.clone()
                + l.sa.clone() * k_sdiv.clone() * l.ovf.clone(),
        );
        builder.assert_bool(l.ovf.clone());
        builder.assert_zero(l.ovf.clone() * (k_sdiv.clone() - F::ONE));
        for j in 0..3 {
            builder.assert_zero(l.ovf.clone() * l.a[j].clone());
        }
        builder.assert_zero(l.ovf.clone() * (l.a[3].clone() - F::new(128)));
        for j in 0..4 {
            builder.assert_zero(l.ovf.clone() * (l.b[j].clone() - F::new(255)));
        }
        // Division by zero: quotient all ones (the identity then gives r = a).
        let b_sum = sum(l.b.iter().cloned());
        builder.assert_bool(l.bz.clone());
        builder.assert_zero((real.clone() - k_div.clone()) * l.bz.clone());
        builder.assert_zero(k_div.clone() * l.bz.clone() * b_sum.clone());
        builder.assert_zero(k_div.clone() * (k(1) - l.bz.clone() - b_sum * l.binv.clone()));
        for j in 0..4 {
            builder.assert_zero(l.bz.clone() * (l.x[j].clone() - F::new(255)));
        }
        // Unsigned remainder bound: r < b.
        builder.assert_zero(l.uk.clone() - flags(&[Divu, Remu]) * (k(1) - l.bz.clone()));
        for j in 0..4 {
            builder.assert_zero(l.uk.clone() * sub_row(&l.r, &l.b, j));
        }
        builder.assert_zero(l.uk.clone() * (k(1) - l.br[3].clone()));
        // Signed remainder bound |r| < |b|, by the signs of r and b.
        for dc in &l.dc {
            builder.assert_bool(dc.clone());
            builder.assert_zero((real.clone() - k_sdiv.clone()) * dc.clone());
        }
        builder.assert_zero(k_sdiv.clone() * (sum(l.dc.iter().cloned()) + l.bz.clone() - F::ONE));
        let (sr, sb) = (l.sr.clone(), l.sb.clone());
        let one = k(1);
        for (c, (wr, wb)) in l.dc.iter().zip([(0, 0), (0, 1), (1, 0), (1, 1)]) {
            let fr = if wr == 1 {
                one.clone() - sr.clone()
            } else {
                sr.clone()
            };
            let fbb = if wb == 1 {
                one.clone() - sb.clone()
            } else {
                sb.clone()
            };
            builder.assert_zero(c.clone() * fr);
            builder.assert_zero(c.clone() * fbb);
        }
        for j in 0..4 {
            // r ≥ 0, b > 0: r < b.
            builder.assert_zero(l.dc[0].clone() * sub_row(&l.r, &l.b, j));
            // r < 0, b < 0: b < r.
            builder.assert_zero(l.dc[3].clone() * sub_row(&l.b, &l.r, j));
            // Opposite signs: d = r + b, whose sign decides.
            builder.assert_zero((l.dc[1].clone() + l.dc[2].clone()) * add_row(&l.r, &l.b, j));
        }
        builder.assert_zero((l.dc[0].clone() + l.dc[3].clone()) * (k(1) - l.br[3].clone()));
        // r ≥ 0 > b: r + b < 0.
        builder.assert_zero(l.dc[1].clone() * (k(1) - l.sd.clone()));
        // b > 0 > r: r + b > 0 (sign clear and not zero).
        builder.assert_zero(l.dc[2].clone() * l.sd.clone());
        builder.assert_zero(l.dc[2].clone() * (k(1) - d_sum * l.inv.clone()));
        // The remainder has the dividend's sign (or is zero).
        builder.assert_zero(k_sdiv * l.x_ar.clone() * sum(l.r.iter().cloned()));

        // ---- ECALL: t0 (read through the memory slot) selects HALT, READ or COMMIT.
        for s in &l.sys {
            builder.assert_bool(s.clone());
        }
        builder.assert_eq(sum(l.sys.iter().cloned()), k_ecall.clone());
        builder.assert_zero(
            k_ecall.clone()
                * (l.mem_old[0].clone() - s_read.clone() - s_commit.clone() * F::new(2)),
        );
        for j in 1..4 {
            builder.assert_zero(k_ecall.clone() * l.mem_old[j].clone());
        }
        // READ/COMMIT walk the buffer [a, m) in the syscall table.
        let k_buf = s_read.clone() + s_commit.clone();
        let len = s_read.clone() * word(&l.c) + s_commit.clone() * word(&l.b);
        builder.send(
            bus::SYSCALL,
            &[l.clk.clone(), word(&l.a), len, l.jpos.clone()],
            k_buf.clone(),
        );
        builder.receive(
            bus::SYSCALL,
            &[
                l.clk.clone(),
                m_val,
                zero.clone(),
                l.jpos.clone() + s_commit * word(&l.b),
            ],
            k_buf,
        );

        // ---- Byte range checks, two per lookup.
        let mut bytes: Vec<B::Expr> = Vec::with_capacity(96);
        bytes.extend(l.c.iter().cloned());
        for d in &l.ts_diff {
            bytes.extend(d.iter().cloned());
        }
        bytes.extend(l.m[..3].iter().cloned());
        bytes.push(l.m[3].clone() * F::new(16)); // addresses < 2^28
        bytes.push(l.m[3].clone());
        // A scaled check `k·x ∈ [0, 256)` alone lets x be a fraction t/k; each x is also
        // checked as a byte, so it is a whole number below 256/k.
        bytes.push(l.w0.clone() * F::new(4));
        bytes.push(l.w0.clone());
        bytes.extend(l.pcb[..3].iter().cloned());
        bytes.push(l.pcb[3].clone() * F::new(16));
        bytes.push(l.pcb[3].clone());
        bytes.extend(l.d.iter().cloned());
        for (v, s) in [
            (&l.a[3], &l.sa),
            (&l.b[3], &l.sb),
            (&l.d[3], &l.sd),
            (&l.x[3], &l.sx),
            (&l.r[3], &l.sr),
        ] {
            bytes.push((v.clone() - s.clone() * F::new(128)) * F::new(2));
        }
        bytes.push(
            (flag(Lb) * l.c[0].clone() + flag(Lh) * l.c[1].clone() - l.ls.clone() * F::new(128))
                * F::new(2),
        );
        bytes.push(l.sh_t.clone() * F::new(32));
        bytes.push(l.sh_t.clone());
        bytes.extend(l.lo.iter().cloned());
        bytes.extend(l.hi.iter().cloned());
        bytes.extend(l.x.iter().cloned());
        bytes.extend(l.p.iter().cloned());
        bytes.extend(l.pcl.iter().cloned());
        bytes.extend(l.pch.iter().map(|h| h.clone() * F::new(32)));
        bytes.extend(l.pch.iter().cloned());
        bytes.extend(l.r.iter().cloned());
        // On padding rows too (every byte there is 0), so no sign bit is left free.
        range_pairs(builder, &bytes, k(1));

        // ---- Cells an instruction does not use are zero, so every cell of a valid trace is
        // determined (the under-constraint tests change each one and require a failure).
        let padding = k(1) - real.clone();
        let inst_cells = i_tuple(i);
        for c in &inst_cells[..NK_FIELDS] {
            builder.assert_zero(padding.clone() * c.clone());
        }
        zero_unless::<B>(builder, i.reads_rs1.clone(), &l.a);
        zero_unless::<B>(builder, i.reads_rs2.clone() + i.imm_b.clone(), &l.b);
        let c_free = padding.clone()
            + k_branch.clone()
            + k_store.clone()
            + flag(Fence)
            + l.sys[0].clone()
            + l.sys[2].clone();
        builder.assert_zero(c_free.clone() * sum(l.c.iter().cloned()));
        zero_unless::<B>(builder, i.writes_rd.clone() + l.sys[1].clone(), &l.rd_old);
        let k_m = k_addr.clone() + l.sys[1].clone() + l.sys[2].clone();
        zero_sum_unless::<B>(builder, k_m.clone(), &l.m);
        zero_sum_unless::<B>(builder, k_m, &l.mcarry);
        zero_unless::<B>(builder, k_addr.clone(), std::slice::from_ref(&l.w0));
        let k_slot = k_load.clone() + k_store.clone() + k_ecall.clone();
        zero_unless::<B>(builder, k_slot.clone(), &l.mem_old);
        zero_unless::<B>(builder, k_slot.clone(), &l.mem_new);
        zero_unless::<B>(builder, k_slot, std::slice::from_ref(&l.ro));
        zero_sum_unless::<B>(builder, flags(&[Add, Sub, Auipc, Jal, Jalr]), &l.carry);
        let d_used = k_cmp.clone() + l.sys[1].clone() + l.uk.clone() + sum(l.dc.iter().cloned());
        zero_sum_unless::<B>(builder, d_used.clone(), &l.d);
        zero_sum_unless::<B>(builder, d_used, &l.br);
        zero_unless(
            builder,
            flags(&[Slt, Sltu, Blt, Bge, Bltu, Bgeu]),
            std::slice::from_ref(&l.lt),
        );
        zero_unless::<B>(builder, flags(&[Beq, Bne]), std::slice::from_ref(&l.eq));
        zero_unless(
            builder,
            flags(&[Beq, Bne]) + l.dc[2].clone() + l.short.clone(),
            std::slice::from_ref(&l.inv),
        );
        builder.assert_zero(l.eq.clone() * l.inv.clone());
        zero_sum_unless::<B>(builder, k_shift.clone(), &l.sh_r);
        zero_unless::<B>(builder, k_shift.clone(), std::slice::from_ref(&l.sh_t));
        zero_sum_unless::<B>(builder, k_shift.clone(), &l.lo);
        zero_sum_unless::<B>(builder, k_shift, &l.hi);
        zero_sum_unless::<B>(builder, k_md.clone(), &l.x);
        zero_sum_unless::<B>(builder, k_md.clone(), &l.p);
        zero_sum_unless::<B>(builder, k_md.clone(), &l.pcl);
        zero_sum_unless::<B>(builder, k_md, &l.pch);
        zero_sum_unless::<B>(builder, k_div.clone(), &l.r);
        zero_unless::<B>(builder, k_div, std::slice::from_ref(&l.binv));
        zero_unless::<B>(builder, l.sys[1].clone(), std::slice::from_ref(&l.short));
        builder.assert_zero(l.bz.clone() * l.binv.clone());
    }
}

/// The program-bus tuple of an instruction row.
/// Require `cells` — each range-checked as a byte or boolean on every row, so a sum of them
/// is zero only if each is — to be zero where `used` is 0, with one constraint.
#[track_caller]
fn zero_sum_unless<B: AirBuilder>(builder: &mut B, used: B::Expr, cells: &[B::Expr]) {
    builder.assert_zero((B::Expr::from(F::ONE) - used) * sum(cells.iter().cloned()));
}

/// Require `cells` to be zero where `used` is 0.
#[track_caller]
fn zero_unless<B: AirBuilder>(builder: &mut B, used: B::Expr, cells: &[B::Expr]) {
    for c in cells {
        builder.assert_zero((B::Expr::from(F::ONE) - used.clone()) * c.clone());
    }
}

/// Instruction fields that must be zero on padding rows (all of them).
const NK_FIELDS: usize = InstCols::<u8>::WIDTH;

/// The PROGRAM bus tuple of an instruction: its cells, whose declaration order is the tuple's.
pub(crate) fn i_tuple<E>(i: &InstCols<E>) -> &[E] {
    i.as_slice()
}

pub(crate) fn range_pairs<B: AirBuilder>(builder: &mut B, bytes: &[B::Expr], mult: B::Expr) {
    let zero = B::Expr::from(F::ZERO);
    for pair in bytes.chunks(2) {
        let y = pair.get(1).cloned().unwrap_or_else(|| zero.clone());
        builder.send(
            bus::BYTE,
            &[
                B::Expr::from(F::new(bus::OP_RANGE)),
                pair[0].clone(),
                y,
                zero.clone(),
            ],
            mult.clone(),
        );
    }
}
