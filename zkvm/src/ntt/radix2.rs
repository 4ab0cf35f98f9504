//! [`Radix2Dft`]: the fast Baby Bear NTT.
//!
//! * **Batched matrices** (one polynomial per column): radix-2 butterflies between whole
//!   rows, so the inner loop runs over columns with SIMD ([`super::backend`]). Layers are
//!   grouped into passes whose working set (a group of rows × a strip of columns) fits in
//!   the L2 cache, so a transform touches main memory about twice instead of once per layer.
//!   Forward: decimation in frequency (natural in, bit-reversed out) then a row bit-reversal
//!   (fused with the 1/n scaling for the inverse).
//! * **Single vectors** (width 1, n ≥ 2^10): the four-step algorithm turns one long
//!   transform into two batched ones over an n2 × n1 matrix, with the twiddle multiply and
//!   the bit-reversal folded into the one transpose between them.
//! * **Coset LDE**: inverse DIF leaves coefficients in bit-reversed order, which is exactly
//!   the input order the forward DIT on the larger domain wants, with each row repeated
//!   2^added_bits times — so neither transform needs a bit-reversal, the first
//!   `added_bits` layers vanish, and the coset shift and 1/n are folded into the copy.
//!
//! Twiddles are cached (one table per direction, grown to the largest size seen); smaller
//! transforms read them with a stride.

use super::backend::{shoup, Backend, Isa, Scalar};
use super::Dft;
use crate::field::baby_bear::{monty_mul, monty_reduce};
use crate::field::{BabyBear, Field, TwoAdicField};
use crate::matrix::RowMajorMatrix;
use crate::offload::Offload;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// Bytes of a row-group × column-strip worked on in one go (fits L2 with room to spare).
const GROUP_BYTES: usize = 256 * 1024;
/// Layers per strided (in-place) pass: 2^4 rows a power-of-two stride apart fit the
/// 16 ways of an L2 set.
const STRIDED_LAYERS: u32 = 4;
/// A strided-pass job covers adjacent groups spanning at least this many bytes per row.
const RUN_BYTES: usize = 4096;
/// Widest column strip of a strided pass (its 16 rows stay within L2).
const MAX_STRIDED_STRIP: usize = 4096;
/// Bytes of a sub-block kept in L1 for a group's lowest layers.
const L1_BYTES: usize = 32 * 1024;
/// Contiguous-block passes work in place when rows are at most this far apart; beyond it
/// (power-of-two strides of 4 KiB and more) they are staged like strided passes.
const STAGE_MIN_STRIDE_BYTES: usize = 2048;
/// Widest column strip; wider matrices are cut into strips of this many columns.
const MAX_STRIP: usize = 64;
/// Below this many elements a transform runs on the calling thread only.
const PAR_MIN_ELEMS: usize = 1 << 14;
/// Single vectors at least this long (log2) use the four-step algorithm.
const FOUR_STEP_MIN_LOG: u32 = 10;

/// A raw pointer the kernels share across rayon workers. Every job writes a disjoint set of
/// rows × columns, which is what makes the sharing sound.
#[derive(Clone, Copy)]
struct Ptr(*mut u32);
// SAFETY: see the type's doc: concurrent jobs never touch the same element.
unsafe impl Send for Ptr {}
unsafe impl Sync for Ptr {}

/// Twiddles ω^t for t < N/2, ω the primitive N-th root of unity of contract 3 (or its
/// inverse), N = 2^log_n, stored as interleaved pairs (canonical ω^t, its Shoup quotient) for
/// [`Backend::mul_shoup`]; entry t is at `t[2t..2t + 2]`.
struct Table {
    log_n: u32,
    t: Vec<u32>,
}

impl Table {
    fn new(log_n: u32, inverse: bool) -> Self {
        let half = (1usize << log_n) / 2;
        let mut w = BabyBear::two_adic_generator(log_n as usize);
        if inverse {
            w = w.inverse();
        }
        let mut t = vec![0u32; 2 * half];
        let pw = powers(w, BabyBear::ONE, half);
        t.par_chunks_mut(2)
            .zip(pw.par_iter())
            .for_each(|(pair, &m)| {
                let c = monty_reduce(m as u64);
                pair[0] = c;
                pair[1] = shoup(c);
            });
        Table { log_n, t }
    }
}

/// [c, c·x, c·x², …] (n terms) in Montgomery form, computed in parallel chunks.
fn powers(x: BabyBear, c: BabyBear, n: usize) -> Vec<u32> {
    const CHUNK: usize = 1 << 12;
    let mut out = vec![0u32; n];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(i, chunk)| {
            let mut cur = c * x.pow((i * CHUNK) as u64);
            for o in chunk {
                *o = cur.to_monty_raw();
                cur *= x;
            }
        });
    out
}

#[inline]
fn bitrev(x: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        x.reverse_bits() >> (usize::BITS - bits)
    }
}

/// The layers and work split of one pass (see [`Radix2Dft::plan`]).
struct PassShape {
    l0: u32,
    l1: u32,
    q: usize,
    strip: usize,
}

/// Everything a row-group job needs. `data` is a row-major matrix of `width` columns.
#[derive(Clone, Copy)]
struct Pass {
    data: Ptr,
    width: usize,
    /// Twiddle table (never written).
    tw: Ptr,
    log_tw: u32,
    /// Decimation in time (ascending layers) or in frequency (descending).
    dit: bool,
    /// Layers [l0, l1): groups are rows `base + m·2^l0`, m < 2^(l1−l0), inside aligned
    /// blocks of 2^l1 rows.
    l0: u32,
    l1: u32,
    strip: usize,
    n_strips: usize,
    /// Consecutive groups (offsets i) handled by one job, staged together.
    q: usize,
    /// For the LDE: before its layers, fill each block from a source matrix (see
    /// [`Expand`]). Only used with `l0` = added_bits.
    expand: Option<Expand>,
}

/// Fill rows of the output from `src`: output row r·2^bits + c (c < 2^bits) is source row r
/// times `factors[r]`.
#[derive(Clone, Copy)]
struct Expand {
    src: Ptr,
    factors: Ptr,
    bits: u32,
}

impl Pass {
    /// Jobs: one per (block, strip) when expanding, else per (block, run of `q` group
    /// offsets, strip).
    fn n_jobs(&self, log_h: u32) -> usize {
        let per_block = if self.expand.is_some() {
            1
        } else {
            (1usize << self.l0) / self.q
        };
        (1usize << (log_h - self.l1)) * per_block * self.n_strips
    }
}

thread_local! {
    /// Per-thread staging buffer for gathered groups.
    static STAGE: core::cell::RefCell<Vec<u32>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Runs job `idx` of `pass`.
///
/// # Safety
/// `pass` must describe a live matrix and table, and jobs running concurrently must have
/// different indices. The backend must be supported by the CPU.
#[inline(always)]
unsafe fn run_job<B: Backend>(pass: &Pass, idx: usize) {
    let s = idx % pass.n_strips;
    let g = idx / pass.n_strips;
    let col0 = s * pass.strip;
    let cols = pass.strip.min(pass.width - col0);
    let w = pass.width;
    let rows = 1usize << (pass.l1 - pass.l0);
    if let Some(e) = pass.expand {
        let block = g << pass.l1;
        let src_rows = 1usize << (pass.l1 - e.bits);
        for m in 0..src_rows {
            let r = (block >> e.bits) + m;
            let f = *e.factors.0.add(r);
            let src = e.src.0.add(r * w + col0);
            let dst0 = pass.data.0.add(((r << e.bits) * w) + col0);
            scale_into::<B>(src, dst0, cols, f);
            for c in 1..1usize << e.bits {
                core::ptr::copy_nonoverlapping(dst0, dst0.add(c * w), cols);
            }
        }
        // The block is contiguous and was just written, so it is in cache.
        for i in 0..1usize << pass.l0 {
            let base = pass.data.0.add((block | i) * w + col0);
            group::<B>(pass, base, w << pass.l0, rows, i, cols);
        }
        return;
    }
    let per_block = (1usize << pass.l0) / pass.q;
    let (b, i0) = (g / per_block, (g % per_block) * pass.q);
    let first = pass.data.0.add(((b << pass.l1) + i0) * w + col0);
    if pass.l0 > 0 {
        // Strided pass: few enough layers that the group's rows do not fight over cache
        // sets, so in place; adjacent groups one after the other keep reads sequential.
        for ii in 0..pass.q {
            group::<B>(pass, first.add(ii * w), w << pass.l0, rows, i0 + ii, cols);
        }
        return;
    }
    if w * 4 <= STAGE_MIN_STRIDE_BYTES {
        // Contiguous block with short row strides: in place, the cache copes.
        group::<B>(pass, first, w, rows, 0, cols);
        return;
    }
    // A strip of a very wide matrix: its rows lie a power-of-two stride (≥ 4 KiB) apart and
    // would all map onto the same cache sets; stage them contiguously instead, at the cost
    // of one copy in and out.
    let n = rows * cols;
    // The buffer is taken out of the closure: code inside a closure does not get this
    // function's target features, so the kernels must not run there.
    let buf = STAGE.with(|st| {
        let mut st = st.borrow_mut();
        if st.len() < n {
            st.resize(n, 0);
        }
        st.as_mut_ptr()
    });
    for m in 0..rows {
        copy_row::<B>(first.add(m * w), buf.add(m * cols), cols);
    }
    group::<B>(pass, buf, cols, rows, 0, cols);
    for m in 0..rows {
        copy_row::<B>(buf.add(m * cols), first.add(m * w), cols);
    }
}

/// Copies `n` values (inline vector loop: these runs are too short for a `memcpy` call to
/// pay off).
#[inline(always)]
unsafe fn copy_row<B: Backend>(src: *const u32, dst: *mut u32, n: usize) {
    let mut k = 0;
    while k + B::LANES <= n {
        B::store(dst.add(k), B::load(src.add(k)));
        k += B::LANES;
    }
    while k < n {
        *dst.add(k) = *src.add(k);
        k += 1;
    }
}

/// All layers of one group: `g` rows `stride` elements apart starting at `base`, `cols`
/// columns; `i` is the group's offset (its first row's index mod 2^l0) for the twiddles.
///
/// The group fits L2; its lowest layers only mix rows inside aligned sub-blocks, so those
/// run sub-block by sub-block in L1 (after the higher layers for DIF, before them for DIT).
#[inline(always)]
unsafe fn group<B: Backend>(
    pass: &Pass,
    base: *mut u32,
    stride: usize,
    g: usize,
    i: usize,
    cols: usize,
) {
    let n = pass.l1 - pass.l0;
    let c1 = (L1_BYTES / (cols * 4)).max(2).ilog2().min(n);
    // (Plain loops, not closures: a closure would not inherit the caller's target features
    // and the SIMD kernels would stop being inlined.)
    if !pass.dit {
        layers::<B>(pass, base, stride, g, i, cols, pass.l0 + c1, pass.l1);
    }
    for b in 0..g >> c1 {
        let sub = base.add((b << c1) * stride);
        layers::<B>(pass, sub, stride, 1 << c1, i, cols, pass.l0, pass.l0 + c1);
    }
    if pass.dit {
        layers::<B>(pass, base, stride, g, i, cols, pass.l0 + c1, pass.l1);
    }
}

/// Layers [lo, hi) of a group (see [`group`]), two at a time (radix 4: half the loads and
/// stores of radix 2): ascending for DIT, descending for DIF.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn layers<B: Backend>(
    pass: &Pass,
    base: *mut u32,
    stride: usize,
    g: usize,
    i: usize,
    cols: usize,
    lo: u32,
    hi: u32,
) {
    if pass.dit {
        let mut l = lo;
        while l + 2 <= hi {
            layer2::<B, true>(pass, base, stride, g, i, l, cols);
            l += 2;
        }
        if l < hi {
            layer::<B, true>(pass, base, stride, g, i, l, cols);
        }
    } else {
        let mut l = hi;
        while l >= lo + 2 {
            layer2::<B, false>(pass, base, stride, g, i, l - 2, cols);
            l -= 2;
        }
        if l > lo {
            layer::<B, false>(pass, base, stride, g, i, l - 1, cols);
        }
    }
}

/// Global layers `l` and `l + 1` of one group fused: rows a, b = a + d, c = a + 2d,
/// e = a + 3d (d = 2^(l−l0) group rows) are loaded once for four butterflies.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn layer2<B: Backend, const DIT: bool>(
    pass: &Pass,
    base: *mut u32,
    stride: usize,
    g: usize,
    i: usize,
    l: u32,
    cols: usize,
) {
    let hh = 1usize << (l - pass.l0);
    let tw = pass.tw.0 as *const u32;
    let (sh_in, sh_out) = (pass.log_tw - l - 1, pass.log_tw - l - 2);
    for mm in 0..hh {
        // Layer l pairs (a, b) and (c, e) at offset mm; layer l + 1 pairs (a, c) at offset
        // mm and (b, e) at offset mm + hh.
        let pair = |k: usize| (*tw.add(2 * k), *tw.add(2 * k + 1));
        let ts_in = pair((i + (mm << pass.l0)) << sh_in);
        let ts_ac = pair((i + (mm << pass.l0)) << sh_out);
        let ts_be = pair((i + ((mm + hh) << pass.l0)) << sh_out);
        let sp = |(t, s): (u32, u32)| (B::splat(t), B::splat(s));
        let (t_in, t_ac, t_be) = (sp(ts_in), sp(ts_ac), sp(ts_be));
        let mut blk = 0;
        while blk < g {
            let pa = base.add((blk + mm) * stride);
            let pb = pa.add(hh * stride);
            let pc = pb.add(hh * stride);
            let pe = pc.add(hh * stride);
            let mut k = 0;
            while k + B::LANES <= cols {
                let (a, b, c, e) = (
                    B::load(pa.add(k)),
                    B::load(pb.add(k)),
                    B::load(pc.add(k)),
                    B::load(pe.add(k)),
                );
                let (a, b, c, e) = if DIT {
                    let (b, e) = (mul_t::<B>(b, t_in), mul_t::<B>(e, t_in));
                    let (a1, b1, c1, e1) = (B::add(a, b), B::sub(a, b), B::add(c, e), B::sub(c, e));
                    let (c1, e1) = (mul_t::<B>(c1, t_ac), mul_t::<B>(e1, t_be));
                    (
                        B::add(a1, c1),
                        B::add(b1, e1),
                        B::sub(a1, c1),
                        B::sub(b1, e1),
                    )
                } else {
                    let (a1, c1) = (B::add(a, c), mul_t::<B>(B::sub(a, c), t_ac));
                    let (b1, e1) = (B::add(b, e), mul_t::<B>(B::sub(b, e), t_be));
                    (
                        B::add(a1, b1),
                        mul_t::<B>(B::sub(a1, b1), t_in),
                        B::add(c1, e1),
                        mul_t::<B>(B::sub(c1, e1), t_in),
                    )
                };
                B::store(pa.add(k), a);
                B::store(pb.add(k), b);
                B::store(pc.add(k), c);
                B::store(pe.add(k), e);
                k += B::LANES;
            }
            if k < cols {
                let n = cols - k;
                if DIT {
                    dit_bfly::<Scalar>(pa.add(k), pb.add(k), n, ts_in);
                    dit_bfly::<Scalar>(pc.add(k), pe.add(k), n, ts_in);
                    dit_bfly::<Scalar>(pa.add(k), pc.add(k), n, ts_ac);
                    dit_bfly::<Scalar>(pb.add(k), pe.add(k), n, ts_be);
                } else {
                    dif_bfly::<Scalar>(pa.add(k), pc.add(k), n, ts_ac);
                    dif_bfly::<Scalar>(pb.add(k), pe.add(k), n, ts_be);
                    dif_bfly::<Scalar>(pa.add(k), pb.add(k), n, ts_in);
                    dif_bfly::<Scalar>(pc.add(k), pe.add(k), n, ts_in);
                }
            }
            blk += 4 * hh;
        }
    }
}

/// One radix-2 layer (global layer `l`, butterfly distance 2^l rows) of one group.
#[inline(always)]
unsafe fn layer<B: Backend, const DIT: bool>(
    pass: &Pass,
    base: *mut u32,
    stride: usize,
    g: usize,
    i: usize,
    l: u32,
    cols: usize,
) {
    let hh = 1usize << (l - pass.l0);
    // ω_{2^(l+1)}^j = ω_N^(j·N/2^(l+1)), with j = (global row index) mod 2^l.
    let shift = pass.log_tw - l - 1;
    let tw = pass.tw.0 as *const u32;
    for mm in 0..hh {
        let k = (i + (mm << pass.l0)) << shift;
        let t = (*tw.add(2 * k), *tw.add(2 * k + 1));
        let mut blk = 0;
        while blk < g {
            let u = base.add((blk + mm) * stride);
            let v = u.add(hh * stride);
            if DIT {
                dit_bfly::<B>(u, v, cols, t);
            } else {
                dif_bfly::<B>(u, v, cols, t);
            }
            blk += 2 * hh;
        }
    }
}

/// Multiplies by a twiddle given as (splat t, splat Shoup quotient).
#[inline(always)]
unsafe fn mul_t<B: Backend>(x: B::V, t: (B::V, B::V)) -> B::V {
    B::mul_shoup(x, t.0, t.1)
}

/// (u, v) ← (u + v, (u − v)·t) over `n` columns; `t` = (twiddle, Shoup quotient).
#[inline(always)]
unsafe fn dif_bfly<B: Backend>(u: *mut u32, v: *mut u32, n: usize, t: (u32, u32)) {
    let tv = (B::splat(t.0), B::splat(t.1));
    let mut k = 0;
    while k + B::LANES <= n {
        let a = B::load(u.add(k));
        let b = B::load(v.add(k));
        B::store(u.add(k), B::add(a, b));
        B::store(v.add(k), mul_t::<B>(B::sub(a, b), tv));
        k += B::LANES;
    }
    while k < n {
        let (a, b) = (*u.add(k), *v.add(k));
        *u.add(k) = Scalar::add(a, b);
        *v.add(k) = Scalar::mul_shoup(Scalar::sub(a, b), t.0, t.1);
        k += 1;
    }
}

/// (u, v) ← (u + t·v, u − t·v) over `n` columns; `t` = (twiddle, Shoup quotient).
#[inline(always)]
unsafe fn dit_bfly<B: Backend>(u: *mut u32, v: *mut u32, n: usize, t: (u32, u32)) {
    let tv = (B::splat(t.0), B::splat(t.1));
    let mut k = 0;
    while k + B::LANES <= n {
        let a = B::load(u.add(k));
        let b = mul_t::<B>(B::load(v.add(k)), tv);
        B::store(u.add(k), B::add(a, b));
        B::store(v.add(k), B::sub(a, b));
        k += B::LANES;
    }
    while k < n {
        let a = *u.add(k);
        let b = Scalar::mul_shoup(*v.add(k), t.0, t.1);
        *u.add(k) = Scalar::add(a, b);
        *v.add(k) = Scalar::sub(a, b);
        k += 1;
    }
}

/// dst[k] = src[k]·f for k < n (Montgomery product).
#[inline(always)]
unsafe fn scale_into<B: Backend>(src: *const u32, dst: *mut u32, n: usize, f: u32) {
    let fv = B::splat(f);
    let mut k = 0;
    while k + B::LANES <= n {
        B::store(dst.add(k), B::mul(B::load(src.add(k)), fv));
        k += B::LANES;
    }
    while k < n {
        *dst.add(k) = Scalar::mul(*src.add(k), f);
        k += 1;
    }
}

/// Row bit-reversal of one tile pair, with an optional factor on every row. Writing
/// r = (hi, m, lo) with `a`-bit hi and lo, bitrev(r) = (rev lo, rev m, rev hi): the 2^2a rows
/// with middle bits `m` are exchanged with those with middle bits rev(m). Both tiles are runs
/// of 2^a consecutive rows, so this streams through memory instead of jumping a page per row.
///
/// # Safety
/// `data` is a live `2^log_h × width` matrix; concurrent calls use different `m`, each with
/// m ≤ rev(m), so every row belongs to exactly one call.
#[inline(always)]
unsafe fn bitrev_rows<B: Backend>(
    data: Ptr,
    width: usize,
    log_h: u32,
    a: u32,
    m: usize,
    scale: Option<u32>,
) {
    let mid_bits = log_h - 2 * a;
    let self_paired = bitrev(m, mid_bits) == m;
    for hi in 0..1usize << a {
        for lo in 0..1usize << a {
            let r = (((hi << mid_bits) | m) << a) | lo;
            let rr = bitrev(r, log_h);
            let x = data.0.add(r * width);
            if !self_paired || r < rr {
                let y = data.0.add(rr * width);
                match scale {
                    None => core::ptr::swap_nonoverlapping(x, y, width),
                    Some(f) => {
                        let fv = B::splat(f);
                        let mut k = 0;
                        while k + B::LANES <= width {
                            let u = B::load(x.add(k));
                            let v = B::load(y.add(k));
                            B::store(x.add(k), B::mul(v, fv));
                            B::store(y.add(k), B::mul(u, fv));
                            k += B::LANES;
                        }
                        while k < width {
                            let (u, v) = (*x.add(k), *y.add(k));
                            *x.add(k) = monty_mul(v, f);
                            *y.add(k) = monty_mul(u, f);
                            k += 1;
                        }
                    }
                }
            } else if r == rr {
                if let Some(f) = scale {
                    scale_into::<B>(x, x, width, f);
                }
            }
        }
    }
}

/// Four-step middle: `dst[bitrev(j1)][k2] = src[bitrev(k2)][j1] · twt[j1][k2]` for k2 in
/// [k2a, k2b), where `src` is n2 × n1, `dst` and `twt` are n1 × n2.
///
/// # Safety
/// Pointers to live matrices of those shapes; concurrent calls use disjoint k2 ranges.
#[allow(clippy::too_many_arguments)]
unsafe fn transpose_band_scalar(
    src: Ptr,
    dst: Ptr,
    twt: Ptr,
    log_n1: u32,
    log_n2: u32,
    k2a: usize,
    k2b: usize,
) {
    let (n1, n2) = (1usize << log_n1, 1usize << log_n2);
    for k2 in k2a..k2b {
        let s = src.0.add(bitrev(k2, log_n2) * n1);
        for j1 in 0..n1 {
            let x = *s.add(j1);
            let t = *twt.0.add(j1 * n2 + k2);
            *dst.0.add(bitrev(j1, log_n1) * n2 + k2) = monty_mul(x, t);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::super::backend::{Avx2, Avx512, Backend};
    use super::{bitrev, bitrev_rows, run_job, Pass, Ptr};
    use core::arch::x86_64::*;

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn run_job_avx2(pass: &Pass, idx: usize) {
        run_job::<Avx2>(pass, idx)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn run_job_avx512(pass: &Pass, idx: usize) {
        run_job::<Avx512>(pass, idx)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn bitrev_rows_avx2(
        data: Ptr,
        width: usize,
        log_h: u32,
        a: u32,
        m: usize,
        scale: Option<u32>,
    ) {
        bitrev_rows::<Avx2>(data, width, log_h, a, m, scale)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn bitrev_rows_avx512(
        data: Ptr,
        width: usize,
        log_h: u32,
        a: u32,
        m: usize,
        scale: Option<u32>,
    ) {
        bitrev_rows::<Avx512>(data, width, log_h, a, m, scale)
    }

    /// [`super::transpose_band_scalar`] in 8×8 AVX2 tiles, two stacked so every store
    /// and twiddle load is a whole 64-byte line; needs n1 ≥ 8, n2 ≥ 16 and k2a, k2b
    /// multiples of 16.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn transpose_band_avx2(
        src: Ptr,
        dst: Ptr,
        twt: Ptr,
        log_n1: u32,
        log_n2: u32,
        k2a: usize,
        k2b: usize,
    ) {
        let (n1, n2) = (1usize << log_n1, 1usize << log_n2);
        // Blocks of J columns × the band's rows, so each destination and twiddle row gets
        // (k2b − k2a)·4 contiguous bytes per visit instead of one line per page.
        const J: usize = 64;
        let mut jb = 0;
        while jb < n1 {
            let mut k0 = k2a;
            while k0 < k2b {
                let rows: [*const u32; 16] =
                    core::array::from_fn(|r| src.0.add(bitrev(k0 + r, log_n2) * n1) as *const u32);
                let mut j0 = jb;
                while j0 < (jb + J).min(n1) {
                    let lo = transpose8(core::array::from_fn(|i| Avx2::load(rows[i].add(j0))));
                    let hi = transpose8(core::array::from_fn(|i| Avx2::load(rows[8 + i].add(j0))));
                    for i in 0..8 {
                        let j1 = j0 + i;
                        let t = twt.0.add(j1 * n2 + k0);
                        let d = dst.0.add(bitrev(j1, log_n1) * n2 + k0);
                        Avx2::store(d, Avx2::mul(lo[i], Avx2::load(t)));
                        Avx2::store(d.add(8), Avx2::mul(hi[i], Avx2::load(t.add(8))));
                    }
                    j0 += 8;
                }
                k0 += 16;
            }
            jb += J;
        }
    }

    /// Transposes an 8×8 tile of 32-bit lanes: out[c] lane r = in[r] lane c.
    #[inline(always)]
    unsafe fn transpose8(r: [__m256i; 8]) -> [__m256i; 8] {
        let t0 = _mm256_unpacklo_epi32(r[0], r[1]);
        let t1 = _mm256_unpackhi_epi32(r[0], r[1]);
        let t2 = _mm256_unpacklo_epi32(r[2], r[3]);
        let t3 = _mm256_unpackhi_epi32(r[2], r[3]);
        let t4 = _mm256_unpacklo_epi32(r[4], r[5]);
        let t5 = _mm256_unpackhi_epi32(r[4], r[5]);
        let t6 = _mm256_unpacklo_epi32(r[6], r[7]);
        let t7 = _mm256_unpackhi_epi32(r[6], r[7]);
        let s0 = _mm256_unpacklo_epi64(t0, t2);
        let s1 = _mm256_unpackhi_epi64(t0, t2);
        let s2 = _mm256_unpacklo_epi64(t1, t3);
        let s3 = _mm256_unpackhi_epi64(t1, t3);
        let s4 = _mm256_unpacklo_epi64(t4, t6);
        let s5 = _mm256_unpackhi_epi64(t4, t6);
        let s6 = _mm256_unpacklo_epi64(t5, t7);
        let s7 = _mm256_unpackhi_epi64(t5, t7);
        [
            _mm256_permute2x128_si256::<0x20>(s0, s4),
            _mm256_permute2x128_si256::<0x20>(s1, s5),
            _mm256_permute2x128_si256::<0x20>(s2, s6),
            _mm256_permute2x128_si256::<0x20>(s3, s7),
            _mm256_permute2x128_si256::<0x31>(s0, s4),
            _mm256_permute2x128_si256::<0x31>(s1, s5),
            _mm256_permute2x128_si256::<0x31>(s2, s6),
            _mm256_permute2x128_si256::<0x31>(s3, s7),
        ]
    }
}

/// A shared, immutable table of Montgomery-form twiddles.
type Twiddles = Arc<Vec<u32>>;

/// The fast NTT for Baby Bear (see the module docs). Cheap to share: caches are behind locks.
pub struct Radix2Dft {
    isa: Isa,
    fwd: RwLock<Arc<Table>>,
    inv: RwLock<Arc<Table>>,
    /// Four-step twiddle matrices by (log n, inverse).
    four_step: Mutex<HashMap<(u32, bool), Twiddles>>,
    /// A spare buffer for the four-step transpose (its input buffer is recycled into it).
    scratch: Mutex<Vec<BabyBear>>,
    /// Where columns may be sent instead (see [`crate::offload`]); `None` on the software
    /// path.
    offload: Option<Arc<Offload>>,
}

impl Default for Radix2Dft {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Radix2Dft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Radix2Dft")
            .field("isa", &self.isa)
            .finish_non_exhaustive()
    }
}

impl Radix2Dft {
    /// Uses the best instruction set of this CPU.
    pub fn new() -> Self {
        Self::with_isa(Isa::detect())
    }

    /// Uses `isa`, or the best available one below it (for tests and benchmarks).
    pub fn with_isa(isa: Isa) -> Self {
        let isa = isa.min(Isa::detect());
        Self {
            isa,
            fwd: RwLock::new(Arc::new(Table::new(1, false))),
            inv: RwLock::new(Arc::new(Table::new(1, true))),
            four_step: Mutex::new(HashMap::new()),
            scratch: Mutex::new(Vec::new()),
            offload: None,
        }
    }

    /// This transform, consulting `offload` (when given) for every batch and LDE: the
    /// columns it grants go to its device, the others are done here. Results are the same.
    pub fn with_offload(mut self, offload: Option<Arc<Offload>>) -> Self {
        self.offload = offload;
        self
    }

    /// The instruction set in use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// A twiddle table covering transforms of size up to 2^log_n.
    fn table(&self, inverse: bool, log_n: u32) -> Arc<Table> {
        let lock = if inverse { &self.inv } else { &self.fwd };
        {
            let t = lock.read().unwrap();
            if t.log_n >= log_n {
                return t.clone();
            }
        }
        let mut t = lock.write().unwrap();
        if t.log_n < log_n {
            *t = Arc::new(Table::new(log_n, inverse));
        }
        t.clone()
    }

    /// Splits layers [start, end) of a matrix `width` wide into passes, lowest layers first.
    ///
    /// * The lowest pass works on contiguous blocks of 2^l1 rows (2^start-fold repeated for
    ///   the LDE) × a strip of ≤ `MAX_STRIP` columns, sized to `GROUP_BYTES` (L2).
    /// * Each higher pass does at most `STRIDED_LAYERS` layers in place on whole rows: its
    ///   groups are 2^(l1−l0) rows a power-of-two stride apart, and up to 16 of those share
    ///   an L2 set without conflict (16-way); a job takes `q` adjacent groups so memory is
    ///   read in runs of at least `RUN_BYTES`.
    fn plan(start: u32, end: u32, width: usize) -> Vec<PassShape> {
        let mut out = Vec::new();
        if end <= start {
            return out;
        }
        let strip = width.min(MAX_STRIP);
        let rows_fit = (GROUP_BYTES / ((strip * 4) << start)).max(2).ilog2();
        let c0 = rows_fit.min(end - start);
        out.push(PassShape {
            l0: start,
            l1: start + c0,
            q: 1,
            strip,
        });
        let rest = end - start - c0;
        let passes = rest.div_ceil(STRIDED_LAYERS);
        let strip = width.min(MAX_STRIDED_STRIP);
        let q = (RUN_BYTES / (width * 4)).max(1).next_power_of_two();
        let mut l0 = start + c0;
        for i in 0..passes {
            let c = rest / passes + u32::from(i < rest % passes);
            out.push(PassShape {
                l0,
                l1: l0 + c,
                q: q.min(1 << l0),
                strip,
            });
            l0 += c;
        }
        out
    }

    fn run_pass(&self, pass: &Pass, log_h: u32) {
        let jobs = pass.n_jobs(log_h);
        let elems = pass.width << log_h;
        let isa = self.isa;
        let f = |idx: usize| {
            // SAFETY: the pass describes a live matrix; job indices are distinct, and the
            // ISA was checked against the CPU in `with_isa`.
            unsafe {
                match isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => x86::run_job_avx512(pass, idx),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => x86::run_job_avx2(pass, idx),
                    _ => run_job::<Scalar>(pass, idx),
                }
            }
        };
        if elems >= PAR_MIN_ELEMS && jobs > 1 {
            (0..jobs).into_par_iter().for_each(f);
        } else {
            (0..jobs).for_each(f);
        }
    }

    /// All DIF layers over the columns of a 2^log_h × width matrix: natural order in,
    /// bit-reversed out.
    fn dif(&self, data: &mut [u32], width: usize, log_h: u32, tw: &Table) {
        for sh in Self::plan(0, log_h, width).into_iter().rev() {
            let pass = Pass {
                data: Ptr(data.as_mut_ptr()),
                width,
                tw: Ptr(tw.t.as_ptr() as *mut u32),
                log_tw: tw.log_n,
                dit: false,
                l0: sh.l0,
                l1: sh.l1,
                strip: sh.strip,
                n_strips: width.div_ceil(sh.strip),
                q: sh.q,
                expand: None,
            };
            self.run_pass(&pass, log_h);
        }
    }

    /// DIT layers [start, log_h) over the columns: bit-reversed in, natural out. With
    /// `expand`, the first pass first fills its rows from the source (see [`Expand`]).
    fn dit(
        &self,
        data: &mut [u32],
        width: usize,
        log_h: u32,
        start: u32,
        tw: &Table,
        mut expand: Option<Expand>,
    ) {
        for sh in Self::plan(start, log_h, width) {
            let pass = Pass {
                data: Ptr(data.as_mut_ptr()),
                width,
                tw: Ptr(tw.t.as_ptr() as *mut u32),
                log_tw: tw.log_n,
                dit: true,
                l0: sh.l0,
                l1: sh.l1,
                strip: sh.strip,
                n_strips: width.div_ceil(sh.strip),
                q: sh.q,
                expand: expand.take(),
            };
            self.run_pass(&pass, log_h);
        }
        assert!(
            expand.is_none(),
            "expanding an LDE needs at least one layer"
        );
    }

    /// Row bit-reversal, with an optional factor on every row.
    fn bitrev(&self, data: &mut [u32], width: usize, log_h: u32, scale: Option<u32>) {
        // Tiles of 2^2a rows, two of which fit comfortably in L2.
        let mut a = 0;
        while 2 * (a + 1) <= log_h && (width * 4) << (2 * (a + 1)) <= GROUP_BYTES / 2 {
            a += 1;
        }
        let mid_bits = log_h - 2 * a;
        let ptr = Ptr(data.as_mut_ptr());
        let isa = self.isa;
        let f = |m: usize| {
            // SAFETY: each tile pair is handled by one call (m ≤ rev(m)); see `bitrev_rows`.
            unsafe {
                match isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => x86::bitrev_rows_avx512(ptr, width, log_h, a, m, scale),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => x86::bitrev_rows_avx2(ptr, width, log_h, a, m, scale),
                    _ => bitrev_rows::<Scalar>(ptr, width, log_h, a, m, scale),
                }
            }
        };
        let ms = (0..1usize << mid_bits).filter(|&m| m <= bitrev(m, mid_bits));
        if data.len() >= PAR_MIN_ELEMS {
            ms.collect::<Vec<_>>().into_par_iter().for_each(f);
        } else {
            ms.for_each(f);
        }
    }

    /// Batched transform of every column, natural order in and out.
    fn batch(&self, mut mat: RowMajorMatrix<BabyBear>, inverse: bool) -> RowMajorMatrix<BabyBear> {
        let h = mat.height();
        assert!(h.is_power_of_two(), "NTT height must be a power of two");
        let log_h = h.ilog2();
        if log_h == 0 {
            return mat;
        }
        if let Some(out) = self.offload.as_ref().and_then(|o| o.batch(&mat, inverse)) {
            return out;
        }
        if mat.width == 1 && log_h >= FOUR_STEP_MIN_LOG {
            let v = std::mem::take(&mut mat.values);
            return RowMajorMatrix::new(self.four_step(v, inverse), 1);
        }
        let width = mat.width;
        let tw = self.table(inverse, log_h);
        let data = BabyBear::slice_as_monty_mut(&mut mat.values);
        self.dif(data, width, log_h, &tw);
        let scale = inverse.then(|| BabyBear::from_u64(h as u64).inverse().to_monty_raw());
        self.bitrev(data, width, log_h, scale);
        mat
    }

    /// Forward transform of every column with the rows left in **bit-reversed** order: the
    /// DIF layers alone, without the final row permutation. For callers that want the
    /// evaluations bit-reversed anyway (every committed LDE block), this saves two passes
    /// over the matrix.
    pub fn dft_batch_bitrev(&self, mut mat: RowMajorMatrix<BabyBear>) -> RowMajorMatrix<BabyBear> {
        let h = mat.height();
        assert!(h.is_power_of_two(), "NTT height must be a power of two");
        let log_h = h.ilog2();
        let width = mat.width;
        // The offload device and the single-vector path produce natural order.
        let natural = self.offload.is_some() || (width == 1 && log_h >= FOUR_STEP_MIN_LOG);
        if log_h == 0 || natural {
            let mut out = self.batch(mat, false);
            crate::util::reverse_matrix_rows(&mut out.values, width);
            return out;
        }
        let tw = self.table(false, log_h);
        let data = BabyBear::slice_as_monty_mut(&mut mat.values);
        self.dif(data, width, log_h, &tw);
        mat
    }

    /// Four-step twiddles: `twt[j1][k2] = ω_n^(j1·k2)` (times 1/n for the inverse), n1 × n2.
    fn four_step_twiddles(&self, log_n: u32, inverse: bool) -> Twiddles {
        if let Some(t) = self.four_step.lock().unwrap().get(&(log_n, inverse)) {
            return t.clone();
        }
        let log_n1 = log_n / 2;
        let n2 = 1usize << (log_n - log_n1);
        let mut w = BabyBear::two_adic_generator(log_n as usize);
        let mut c = BabyBear::ONE;
        if inverse {
            w = w.inverse();
            c = BabyBear::from_u64(1 << log_n).inverse();
        }
        let mut t = vec![0u32; 1 << log_n];
        t.par_chunks_mut(n2).enumerate().for_each(|(j1, row)| {
            let step = w.pow(j1 as u64);
            let mut cur = c;
            for x in row {
                *x = cur.to_monty_raw();
                cur *= step;
            }
        });
        let t = Arc::new(t);
        self.four_step
            .lock()
            .unwrap()
            .insert((log_n, inverse), t.clone());
        t
    }

    /// One long vector as two batched transforms (see the module docs). With n = n1·n2,
    /// input index j1 + n1·j2 and output index k2 + n2·k1:
    /// 1. column DFTs of size n2 on the n2 × n1 matrix (DIF, rows left bit-reversed);
    /// 2. transpose to n1 × n2 with the twiddle ω_n^(j1·k2), rows placed bit-reversed;
    /// 3. column DFTs of size n1 (DIT, bit-reversed in, natural out).
    fn four_step(&self, mut v: Vec<BabyBear>, inverse: bool) -> Vec<BabyBear> {
        let n = v.len();
        let log_n = n.ilog2();
        let log_n1 = log_n / 2;
        let log_n2 = log_n - log_n1;
        let (n1, n2) = (1usize << log_n1, 1usize << log_n2);
        let tw = self.table(inverse, log_n2);
        self.dif(BabyBear::slice_as_monty_mut(&mut v), n1, log_n2, &tw);

        let twt = self.four_step_twiddles(log_n, inverse);
        let mut out = std::mem::take(&mut *self.scratch.lock().unwrap());
        out.resize(n, BabyBear::ZERO);
        let (src, dst, tp) = (
            Ptr(BabyBear::slice_as_monty_mut(&mut v).as_mut_ptr()),
            Ptr(BabyBear::slice_as_monty_mut(&mut out).as_mut_ptr()),
            Ptr(twt.as_ptr() as *mut u32),
        );
        let isa = self.isa;
        const BAND: usize = 64;
        (0..n2.div_ceil(BAND)).into_par_iter().for_each(|b| {
            let (k2a, k2b) = (b * BAND, ((b + 1) * BAND).min(n2));
            // SAFETY: src is n2 × n1, dst and twt are n1 × n2; bands are disjoint in k2.
            unsafe {
                match isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 | Isa::Avx512 if n1 >= 8 && n2 >= 16 => {
                        x86::transpose_band_avx2(src, dst, tp, log_n1, log_n2, k2a, k2b)
                    }
                    _ => transpose_band_scalar(src, dst, tp, log_n1, log_n2, k2a, k2b),
                }
            }
        });

        let tw = self.table(inverse, log_n1);
        self.dit(
            BabyBear::slice_as_monty_mut(&mut out),
            n2,
            log_n1,
            0,
            &tw,
            None,
        );
        *self.scratch.lock().unwrap() = v;
        out
    }

    /// Coset LDE (see the module docs and [`Dft::coset_lde_batch_with_shift`]).
    fn lde(
        &self,
        mut mat: RowMajorMatrix<BabyBear>,
        added_bits: usize,
        shift: BabyBear,
    ) -> RowMajorMatrix<BabyBear> {
        let h = mat.height();
        assert!(h.is_power_of_two(), "LDE height must be a power of two");
        let (width, log_h, bits) = (mat.width, h.ilog2(), added_bits as u32);
        let log_big = log_h + bits;
        if log_big == 0 {
            return mat;
        }
        if let Some(out) = self
            .offload
            .as_ref()
            .and_then(|o| o.lde(&mat, added_bits, shift))
        {
            return out;
        }
        // Coefficients, bit-reversed: row r holds h·c_{bitrev(r)}.
        let inv = self.table(true, log_h);
        let data = BabyBear::slice_as_monty_mut(&mut mat.values);
        self.dif(data, width, log_h, &inv);
        // Row r is scaled by shift^bitrev(r) / h.
        let pw = powers(shift, BabyBear::from_u64(h as u64).inverse(), h);
        let factors: Vec<u32> = (0..h).map(|r| pw[bitrev(r, log_h)]).collect();

        let total = width << log_big;
        let mut out: Vec<BabyBear> = crate::matrix::prefaulted_vec(total);
        let fwd = self.table(false, log_big);
        let expand = Expand {
            src: Ptr(data.as_mut_ptr()),
            factors: Ptr(factors.as_ptr() as *mut u32),
            bits,
        };
        // SAFETY: the expansion in the first DIT pass writes every element of `out` before
        // any layer reads it (each job fills its whole block first), so the spare capacity
        // is initialised by the time `set_len` exposes it to safe code.
        let out_slice =
            unsafe { core::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut u32, total) };
        if log_big == bits {
            // h = 1: no layer runs; every output row is the single input row (times 1).
            for c in out_slice.chunks_exact_mut(width) {
                c.copy_from_slice(data);
            }
        } else {
            self.dit(out_slice, width, log_big, bits, &fwd, Some(expand));
        }
        unsafe { out.set_len(total) };
        RowMajorMatrix::new(out, width)
    }
}

impl Dft<BabyBear> for Radix2Dft {
    fn dft_batch(&self, mat: RowMajorMatrix<BabyBear>) -> RowMajorMatrix<BabyBear> {
        self.batch(mat, false)
    }

    fn idft_batch(&self, mat: RowMajorMatrix<BabyBear>) -> RowMajorMatrix<BabyBear> {
        self.batch(mat, true)
    }

    fn coset_lde_batch_with_shift(
        &self,
        mat: RowMajorMatrix<BabyBear>,
        added_bits: usize,
        shift: BabyBear,
    ) -> RowMajorMatrix<BabyBear> {
        self.lde(mat, added_bits, shift)
    }
}
