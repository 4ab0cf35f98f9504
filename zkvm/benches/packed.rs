//! The packed field and the quotient's per-point kernel: [`LANES`] points through
//! `PackedBabyBear` / `PackedExt4` against the same points one at a time, and the CPU
//! table's constraints at one LDE row (`Table::eval_lde_row`, scalar) against [`LANES`] rows
//! (`Table::eval_lde_packed`). Random values: the constraints need not hold, the work is
//! the same. `cargo bench -p rvzk-zkvm --bench packed`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rvzk_zkvm::air::window::Window;
use rvzk_zkvm::air::F;
use rvzk_zkvm::circuit::cpu::CpuTable;
use rvzk_zkvm::field::packed::LANES;
use rvzk_zkvm::field::{BabyBearExt4, Field, PackedBabyBear, PackedExt4};
use rvzk_zkvm::ntt::Isa;
use rvzk_zkvm::stark::{
    aux_groups, num_groups, LogUpRow, LookupChallenges, PackedLogUpRow, PackedScratch, ShoupExt,
    Table,
};
use std::hint::black_box;

type E = BabyBearExt4;

/// One point's main rows (this and next) and aux rows (this and next).
type PointRows = (Vec<F>, Vec<F>, Vec<E>, Vec<E>);

/// Deterministic pseudo-random field elements (the testkit's seeded bytes, 4 per element).
fn rand_vec(n: usize, seed: u64) -> Vec<F> {
    rvzk_testkit::pseudo_random_bytes(seed, 4 * n)
        .chunks_exact(4)
        .map(|b| F::new(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        .collect()
}

fn ext(v: &[F]) -> E {
    E::new([v[0], v[1], v[2], v[3]])
}

fn ops(c: &mut Criterion) {
    const N: usize = 4096;
    let a = rand_vec(N, 1);
    let b = rand_vec(N, 2);
    let pa: Vec<PackedBabyBear> = a
        .chunks(LANES)
        .map(|c| PackedBabyBear::from_fn(|l| c[l]))
        .collect();
    let pb: Vec<PackedBabyBear> = b
        .chunks(LANES)
        .map(|c| PackedBabyBear::from_fn(|l| c[l]))
        .collect();
    let mut g = c.benchmark_group("packed/base-mul");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("scalar", |bch| {
        bch.iter(|| {
            a.iter()
                .zip(&b)
                .map(|(x, y)| *x * *y)
                .fold(F::ZERO, |s, x| s + x)
        })
    });
    g.bench_function("packed", |bch| {
        bch.iter(|| {
            pa.iter()
                .zip(&pb)
                .map(|(x, y)| *x * *y)
                .fold(PackedBabyBear::default(), |s, x| s + x)
        })
    });
    g.finish();

    let ea: Vec<E> = a.chunks(4).map(ext).collect();
    let eb: Vec<E> = b.chunks(4).map(ext).collect();
    let pea: Vec<PackedExt4> = ea
        .chunks(LANES)
        .map(|c| PackedExt4::from_fn(|l| c[l]))
        .collect();
    let peb: Vec<PackedExt4> = eb
        .chunks(LANES)
        .map(|c| PackedExt4::from_fn(|l| c[l]))
        .collect();
    let mut g = c.benchmark_group("packed/ext-mul");
    g.throughput(Throughput::Elements(ea.len() as u64));
    g.bench_function("scalar", |bch| {
        bch.iter(|| {
            ea.iter()
                .zip(&eb)
                .map(|(x, y)| *x * *y)
                .fold(E::ZERO, |s, x| s + x)
        })
    });
    g.bench_function("packed", |bch| {
        bch.iter(|| {
            pea.iter()
                .zip(&peb)
                .map(|(x, y)| *x * *y)
                .fold(PackedExt4::default(), |s, x| s + x)
        })
    });
    g.finish();
}

fn quotient_kernel(c: &mut Criterion) {
    let table = CpuTable;
    let public = vec![F::ZERO; 16];
    let w = Table::width(&table);
    let groups = aux_groups(&table, &public, false);
    let aux_w = num_groups(&groups);
    let k = table.num_constraints(&public) + num_groups(&groups);
    let vals = rand_vec(2 * LANES * (w + 4 * aux_w) + 4 * k + 64, 7);
    let mut at = 0;
    let mut take = |n: usize| {
        at += n;
        &vals[at - n..at]
    };
    let rows: Vec<PointRows> = (0..LANES)
        .map(|_| {
            let (l, n) = (take(w).to_vec(), take(w).to_vec());
            let al = take(4 * aux_w).chunks(4).map(ext).collect();
            let an = take(4 * aux_w).chunks(4).map(ext).collect();
            (l, n, al, an)
        })
        .collect();
    let alpha_powers: Vec<E> = take(4 * k).chunks(4).map(ext).collect();
    let lookup = LookupChallenges {
        z: ext(take(4)),
        b: ext(take(4)),
    };
    let b_powers = lookup.powers(64);
    let sel = take(3 * LANES).to_vec();
    let sum_step = ext(take(4));

    let mut g = c.benchmark_group("packed/cpu-quotient-row");
    g.throughput(Throughput::Elements(LANES as u64));
    g.bench_function("scalar", |bch| {
        let mut scratch = Vec::new();
        bch.iter(|| {
            let mut acc = E::ZERO;
            for (l, (local, next, al, an)) in rows.iter().enumerate() {
                let window = Window {
                    local,
                    next,
                    prep_local: &[],
                    prep_next: &[],
                    public: &public,
                    first: sel[l],
                    last: sel[LANES + l],
                    transition: sel[2 * LANES + l],
                };
                let aux = LogUpRow {
                    local: al,
                    next: an,
                    lookup: &lookup,
                    sum_step,
                    blinding: &[],
                    groups: &groups,
                    b_powers: &b_powers,
                };
                acc += table.eval_lde_row(window, &aux, &alpha_powers, &mut scratch);
            }
            black_box(acc)
        })
    });
    let pack = |f: &dyn Fn(usize, usize) -> F, n: usize| -> Vec<PackedBabyBear> {
        (0..n)
            .map(|c| PackedBabyBear::from_fn(|l| f(l, c)))
            .collect()
    };
    let local = pack(&|l, c| rows[l].0[c], w);
    let next = pack(&|l, c| rows[l].1[c], w);
    let pack_ext = |f: &dyn Fn(usize, usize) -> E| -> Vec<PackedExt4> {
        (0..aux_w)
            .map(|c| PackedExt4::from_fn(|l| f(l, c)))
            .collect()
    };
    let aux_local = pack_ext(&|l, c| rows[l].2[c]);
    let aux_next = pack_ext(&|l, c| rows[l].3[c]);
    let alpha_shoup: Vec<ShoupExt> = alpha_powers.iter().map(ShoupExt::new).collect();
    let b_shoup: Vec<ShoupExt> = b_powers.iter().map(ShoupExt::new).collect();
    let sel_p = |i: usize| PackedBabyBear::from_fn(|l| sel[i * LANES + l]);
    g.bench_function("packed", |bch| {
        let mut scratch = PackedScratch::default();
        bch.iter(|| {
            let window = Window {
                local: &local,
                next: &next,
                prep_local: &[],
                prep_next: &[],
                public: &public,
                first: sel_p(0),
                last: sel_p(1),
                transition: sel_p(2),
            };
            let aux = PackedLogUpRow {
                local: &aux_local,
                next: &aux_next,
                lookup: &lookup,
                sum_step,
                blinding: &[],
                groups: &groups,
                b_powers: &b_powers,
                isa: Isa::detect(),
                alpha_shoup: &alpha_shoup,
                b_shoup: &b_shoup,
            };
            black_box(table.eval_lde_packed(window, &aux, &alpha_powers, &mut scratch))
        })
    });
    g.finish();
}

criterion_group!(benches, ops, quotient_kernel);
criterion_main!(benches);
