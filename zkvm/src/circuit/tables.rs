//! The fixed lookup tables (byte operations, syscall lane masks) and the memory tables
//! (the image with the registers, and dynamic memory). `docs/circuit.md`, "Tables".

use super::bus;
use super::columns::columns;
use super::cpu::{range_pairs, sum, word};
use crate::air::{row_exprs, Air, AirBuilder, F};
use crate::field::Field;
use crate::matrix::RowMajorMatrix;

/// All byte pairs `(x, y)` with `x & y`, `x | y`, `x ^ y`; the main trace holds one
/// multiplicity column per operation (range, and, or, xor).
pub struct ByteTable {
    prep: RowMajorMatrix<F>,
}

impl ByteTable {
    /// The table (`full`), or only its shape (one zero row: what a verifier needs).
    pub fn new(full: bool) -> ByteTable {
        if !full {
            return ByteTable {
                prep: RowMajorMatrix::new(vec![F::ZERO; 5], 5),
            };
        }
        let mut v = Vec::with_capacity(5 << 16);
        for x in 0..256u32 {
            for y in 0..256u32 {
                v.extend([x, y, x & y, x | y, x ^ y].map(F::new));
            }
        }
        ByteTable {
            prep: RowMajorMatrix::new(v, 5),
        }
    }
}

/// log2 of the byte table's height.
pub const BYTE_LOG_HEIGHT: usize = 16;

impl Air for ByteTable {
    fn name(&self) -> String {
        "bytes".into()
    }
    fn width(&self) -> usize {
        4
    }
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        Some(self.prep.clone())
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        // On the stack: this table is 2^16 rows whatever the program, so it is evaluated at
        // 2^19 LDE points in every proof.
        let m: [B::Expr; 4] = row_exprs::<B, 4>(builder.local());
        let p: [B::Expr; 5] = row_exprs::<B, 5>(builder.preprocessed_local());
        let k = |x: u32| B::Expr::from(F::new(x));
        builder.receive(
            bus::BYTE,
            &[k(bus::OP_RANGE), p[0].clone(), p[1].clone(), k(0)],
            m[0].clone(),
        );
        for (op, col) in [(bus::OP_AND, 2), (bus::OP_OR, 3), (bus::OP_XOR, 4)] {
            builder.receive(
                bus::BYTE,
                &[k(op), p[0].clone(), p[1].clone(), p[col].clone()],
                m[op as usize].clone(),
            );
        }
    }
}

/// The row index of the byte pair `(x, y)` in the byte table.
pub fn byte_row(x: u32, y: u32) -> usize {
    (x as usize) << 8 | y as usize
}

/// Every `(first lane, count, lanes)` a syscall word can have: a run of `count` lanes from
/// `first`. Padding rows repeat the first row (so no other pattern exists).
pub struct MaskTable {
    prep: RowMajorMatrix<F>,
}

impl MaskTable {
    /// The table at `height` (a power of two ≥ 10), or only its shape.
    pub fn new(height: usize, full: bool) -> MaskTable {
        let rows = mask_rows();
        let height = if full { height } else { 1 };
        let mut v = Vec::with_capacity(height * 6);
        for i in 0..height {
            v.extend(rows.get(i).unwrap_or(&rows[0]).map(F::new));
        }
        MaskTable {
            prep: RowMajorMatrix::new(v, 6),
        }
    }
}

/// The ten lane runs.
pub fn mask_rows() -> Vec<[u32; 6]> {
    let mut rows = Vec::new();
    for o in 0..4u32 {
        for k in 1..=4 - o {
            let mut r = [o, k, 0, 0, 0, 0];
            for j in o..o + k {
                r[2 + j as usize] = 1;
            }
            rows.push(r);
        }
    }
    rows
}

impl Air for MaskTable {
    fn name(&self) -> String {
        "masks".into()
    }
    fn width(&self) -> usize {
        1
    }
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        Some(self.prep.clone())
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        let m: B::Expr = builder.local()[0].into();
        let p: Vec<B::Expr> = builder
            .preprocessed_local()
            .iter()
            .map(|&v| v.into())
            .collect();
        builder.receive(bus::MASK, &p, m);
    }
}

/// The image table: preprocessed `(word address, bytes, read-only, valid)` for the 32
/// registers (zero) and every word from `MEM_BASE` to the end of the image; it sends each
/// initial value at timestamp 0 and receives the final one (main columns).
pub struct ImageTable {
    /// Preprocessed rows (prover and setup only).
    pub rows: Option<RowMajorMatrix<F>>,
}

/// Preprocessed image-table columns.
pub const IMAGE_PREP_WIDTH: usize = 7;

columns! {
    /// Main columns of the image table.
    FinalCols {
        /// Timestamp of the last access (0 if never accessed).
        ts: T,
        /// Final value.
        v: [T; 4],
    }
}

impl Air for ImageTable {
    fn name(&self) -> String {
        "image".into()
    }
    fn width(&self) -> usize {
        FinalCols::<F>::WIDTH
    }
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        self.rows.clone()
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        let m: Vec<B::Expr> = builder.local().iter().map(|&v| v.into()).collect();
        let p: Vec<B::Expr> = builder
            .preprocessed_local()
            .iter()
            .map(|&v| v.into())
            .collect();
        let f = FinalCols::view(&m);
        let (addr, init, ro, valid) = (&p[0], &p[1..5], &p[5], &p[6]);
        let mut tx = vec![addr.clone(), B::Expr::from(F::ZERO)];
        tx.extend(init.iter().cloned());
        tx.push(ro.clone());
        builder.send(bus::MEMORY, &tx, valid.clone());
        let mut rx = vec![addr.clone(), f.ts.clone()];
        rx.extend(f.v.iter().cloned());
        rx.push(ro.clone());
        builder.receive(bus::MEMORY, &rx, valid.clone());
        // Padding rows hold nothing.
        for c in &m {
            builder.assert_zero((B::Expr::from(F::ONE) - valid.clone()) * c.clone());
        }
    }
}

columns! {
    /// Dynamic memory: words above the image, zero at first, one row per word touched, in
    /// increasing address order after a sentinel row.
    DynCols {
        /// 1 on rows that hold a word.
        valid: T,
        /// Word address.
        addr: [T; 4],
        /// `next.addr − addr − 1`, when the next row is valid.
        gap: [T; 4],
        /// Final timestamp and value.
        fin: FinalCols<T>,
    }
}

/// The dynamic-memory table (word addresses from the image end up to 2^26).
pub struct DynamicTable;

impl Air for DynamicTable {
    fn name(&self) -> String {
        "memory".into()
    }
    fn width(&self) -> usize {
        DynCols::<F>::WIDTH
    }
    fn max_degree(&self) -> usize {
        3
    }
    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        let local: Vec<B::Expr> = builder.local().iter().map(|&v| v.into()).collect();
        let next: Vec<B::Expr> = builder.next().iter().map(|&v| v.into()).collect();
        let image_end = builder.public_values()[bus::PV_IMAGE_END];
        let l = DynCols::view(&local);
        let n = DynCols::view(&next);
        let first = builder.is_first_row();
        let transition = builder.is_transition();
        let addr = word(&l.addr);
        builder.assert_bool(l.valid.clone());
        // Row 0 is the sentinel just below the dynamic range; valid rows follow it, then
        // padding.
        builder.assert_zero(first.clone() * l.valid.clone());
        builder.assert_zero(first.clone() * (addr.clone() - image_end + F::ONE));
        // (No transition factor: on the last row the next row is the sentinel, not valid.)
        builder
            .assert_zero((first.clone() - F::ONE) * (l.valid.clone() - F::ONE) * n.valid.clone());
        builder.assert_zero(
            transition.clone()
                * n.valid.clone()
                * (word(&n.addr) - addr.clone() - F::ONE - word(&l.gap)),
        );
        // Unused cells are zero: the gap after the last word, and padding rows.
        let one = B::Expr::from(F::ONE);
        let last = builder.is_last_row();
        for g in &l.gap {
            builder.assert_zero(transition.clone() * (one.clone() - n.valid.clone()) * g.clone());
            builder.assert_zero(last.clone() * g.clone());
        }
        for a in &l.addr {
            builder.assert_zero(
                (one.clone() - first.clone()) * (one.clone() - l.valid.clone()) * a.clone(),
            );
        }
        for c in [&l.fin.ts].into_iter().chain(&l.fin.v) {
            builder.assert_zero((one.clone() - l.valid.clone()) * c.clone());
        }
        let zero = B::Expr::from(F::ZERO);
        builder.send(
            bus::MEMORY,
            &[
                addr.clone(),
                zero.clone(),
                zero.clone(),
                zero.clone(),
                zero.clone(),
                zero.clone(),
                zero.clone(),
            ],
            l.valid.clone(),
        );
        let mut rx = vec![addr, l.fin.ts.clone()];
        rx.extend(l.fin.v.iter().cloned());
        rx.push(zero);
        builder.receive(bus::MEMORY, &rx, l.valid.clone());
        // Addresses and gaps below 2^26: strictly increasing, no wrap-around. The top bytes
        // are checked both as bytes and times 64 (so they are whole numbers below 4: a
        // fraction t/64 would pass the scaled check alone and reach the registers).
        let bytes = [
            l.addr[0].clone(),
            l.addr[1].clone(),
            l.addr[2].clone(),
            l.addr[3].clone() * F::new(64),
            l.addr[3].clone(),
            l.gap[0].clone(),
            l.gap[1].clone(),
            l.gap[2].clone(),
            l.gap[3].clone() * F::new(64),
            l.gap[3].clone(),
        ];
        range_pairs(builder, &bytes, B::Expr::from(F::ONE));
    }
}

columns! {
    /// One word of a READ or COMMIT buffer.
    SysCols {
        /// 1 on rows that hold a word.
        valid: T,
        /// The ecall's cycle.
        clk: T,
        /// READ (1) or COMMIT (0), on valid rows.
        read: T,
        /// Address of the first byte this row handles.
        ptr: T,
        /// Bytes left, this row's included.
        len: T,
        /// Journal position of this row's first byte (COMMIT).
        jpos: T,
        /// Word address.
        waddr: T,
        /// One-hot first lane.
        first: [T; 4],
        /// Number of lanes this row handles.
        count: T,
        /// Lanes handled.
        lanes: [T; 4],
        /// Word before.
        old: [T; 4],
        /// Word after.
        new: [T; 4],
        /// Read-only word.
        ro: T,
        /// Timestamp of the word's previous access.
        ts_prev: T,
        /// `ts − ts_prev − 1`, bytes.
        ts_diff: [T; 3],
    }
}

/// The syscall table: the word-by-word walk of every READ and COMMIT buffer.
pub struct SyscallTable;

impl Air for SyscallTable {
    fn name(&self) -> String {
        "syscall".into()
    }
    fn width(&self) -> usize {
        SysCols::<F>::WIDTH
    }
    fn max_degree(&self) -> usize {
        3
    }
    fn eval<B: AirBuilder>(&self, builder: &mut B) {
        let local: Vec<B::Expr> = builder.local().iter().map(|&v| v.into()).collect();
        let l = SysCols::view(&local);
        let valid = l.valid.clone();
        let read = l.read.clone();
        let commit = valid.clone() - read.clone();
        builder.assert_bool(valid.clone());
        builder.assert_bool(read.clone());
        builder.assert_zero((B::Expr::from(F::ONE) - valid.clone()) * read.clone());
        for f in &l.first {
            builder.assert_bool(f.clone());
        }
        let off =
            l.first[1].clone() + l.first[2].clone() * F::new(2) + l.first[3].clone() * F::new(3);
        builder.assert_eq(sum(l.first.iter().cloned()), valid.clone());
        builder.assert_zero(l.ptr.clone() - l.waddr.clone() * F::new(4) - off.clone());
        let mut mask = vec![off.clone(), l.count.clone()];
        mask.extend(l.lanes.iter().cloned());
        builder.send(bus::MASK, &mask, valid.clone());
        // A row stops at the end of its word or at the end of the buffer.
        builder.assert_zero(
            (l.len.clone() - l.count.clone())
                * (B::Expr::from(F::new(4)) - off.clone() - l.count.clone()),
        );
        builder.receive(
            bus::SYSCALL,
            &[l.clk.clone(), l.ptr.clone(), l.len.clone(), l.jpos.clone()],
            valid.clone(),
        );
        builder.send(
            bus::SYSCALL,
            &[
                l.clk.clone(),
                l.ptr.clone() + l.count.clone(),
                l.len.clone() - l.count.clone(),
                l.jpos.clone() + commit.clone() * l.count.clone(),
            ],
            valid.clone(),
        );
        // The word access at the ecall's memory slot.
        let ts = l.clk.clone() * F::new(4) + F::new(3);
        let mut rx = vec![l.waddr.clone(), l.ts_prev.clone()];
        rx.extend(l.old.iter().cloned());
        rx.push(l.ro.clone());
        let mut tx = vec![l.waddr.clone(), ts.clone()];
        tx.extend(l.new.iter().cloned());
        tx.push(l.ro.clone());
        builder.receive(bus::MEMORY, &rx, valid.clone());
        builder.send(bus::MEMORY, &tx, valid.clone());
        builder.assert_zero(valid.clone() * (ts - l.ts_prev.clone() - F::ONE - word(&l.ts_diff)));
        builder.assert_zero(read.clone() * l.ro.clone());
        for j in 0..4 {
            // Lanes outside the buffer keep their value; COMMIT changes nothing.
            builder.assert_zero(
                (B::Expr::from(F::ONE) - l.lanes[j].clone())
                    * (l.new[j].clone() - l.old[j].clone()),
            );
            builder.assert_zero(commit.clone() * (l.new[j].clone() - l.old[j].clone()));
            // Journal byte at position jpos + (j − first lane).
            builder.send(
                bus::JOURNAL,
                &[
                    l.jpos.clone() + F::new(j as u32) - off.clone(),
                    l.old[j].clone(),
                ],
                commit.clone() * l.lanes[j].clone(),
            );
        }
        let bytes = [
            l.ts_diff[0].clone(),
            l.ts_diff[1].clone(),
            l.ts_diff[2].clone(),
            l.new[0].clone(),
            l.new[1].clone(),
            l.new[2].clone(),
            l.new[3].clone(),
        ];
        range_pairs(builder, &bytes, valid.clone());
        // Padding rows are zero.
        let pad = B::Expr::from(F::ONE) - valid;
        let mut cells = vec![
            l.clk.clone(),
            l.jpos.clone(),
            l.waddr.clone(),
            l.count.clone(),
            l.ro.clone(),
            l.ts_prev.clone(),
        ];
        cells.extend(l.ts_diff.iter().cloned());
        cells.extend(l.old.iter().cloned());
        cells.extend(l.new.iter().cloned());
        cells.extend(l.lanes.iter().cloned());
        for c in cells {
            builder.assert_zero(pad.clone() * c);
        }
    }
}
