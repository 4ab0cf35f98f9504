use super::*;
use crate::field::{BabyBear, Field};

fn isas() -> Vec<Isa> {
    [Isa::Scalar, Isa::Avx2, Isa::Avx512]
        .into_iter()
        .filter(|i| i.is_available())
        .collect()
}

/// Deterministic pseudo-random field elements (xorshift), so failures reproduce.
fn rand_vec(n: usize, seed: u64) -> Vec<BabyBear> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            BabyBear::new((s >> 32) as u32)
        })
        .collect()
}

fn rand_mat(h: usize, w: usize, seed: u64) -> RowMajorMatrix<BabyBear> {
    RowMajorMatrix::new(rand_vec(h * w, seed), w)
}

#[test]
fn naive_matches_definition_on_a_tiny_case() {
    // [1, 2, 0, 0] at powers of ω_4: 1 + 2·ω^j.
    let v: Vec<BabyBear> = [1, 2, 0, 0].map(BabyBear::new).to_vec();
    let w = BabyBear::two_adic_generator(2);
    let out = NaiveDft.dft(v.clone());
    for (j, y) in out.iter().enumerate() {
        assert_eq!(*y, BabyBear::ONE + BabyBear::TWO * w.pow(j as u64));
    }
    assert_eq!(NaiveDft.idft(out), v);
}

#[test]
fn matches_naive_small_sizes_all_widths_and_isas() {
    for isa in isas() {
        let dft = Radix2Dft::with_isa(isa);
        for log_h in 0..=7 {
            for w in [1, 2, 3, 8, 17, 33, 64, 70] {
                let m = rand_mat(1 << log_h, w, (log_h * 100 + w) as u64);
                let want = NaiveDft.dft_batch(m.clone());
                assert_eq!(
                    dft.dft_batch(m.clone()),
                    want,
                    "{isa:?} fwd h=2^{log_h} w={w}"
                );
                let want = NaiveDft.idft_batch(m.clone());
                assert_eq!(dft.idft_batch(m), want, "{isa:?} inv h=2^{log_h} w={w}");
            }
        }
    }
}

#[test]
fn four_step_matches_naive() {
    for isa in isas() {
        let dft = Radix2Dft::with_isa(isa);
        for log_n in 10..=11 {
            let v = rand_vec(1 << log_n, log_n as u64);
            assert_eq!(
                dft.dft(v.clone()),
                NaiveDft.dft(v.clone()),
                "{isa:?} 2^{log_n}"
            );
            assert_eq!(
                dft.idft(v.clone()),
                NaiveDft.idft(v),
                "{isa:?} inv 2^{log_n}"
            );
        }
    }
}

#[test]
fn large_round_trip_and_batch_equals_columns() {
    let dft = Radix2Dft::new();
    let v = rand_vec(1 << 20, 7);
    let f = dft.dft(v.clone());
    // Spot-check the 2^20 forward against the definition at a few outputs.
    let w = BabyBear::two_adic_generator(20);
    for j in [0usize, 1, 12345, (1 << 20) - 1] {
        let wj = w.pow(j as u64);
        let mut x = BabyBear::ONE;
        let mut acc = BabyBear::ZERO;
        for a in &v {
            acc += *a * x;
            x *= wj;
        }
        assert_eq!(f[j], acc, "output {j}");
    }
    assert_eq!(dft.idft(f), v);

    // Columns transformed together equal columns transformed alone (incl. the
    // four-step path for single vectors, and a multi-strip width).
    let m = rand_mat(1 << 12, 80, 3);
    let batched = dft.dft_batch(m.clone());
    for c in [0, 1, 63, 64, 79] {
        assert_eq!(batched.column(c), dft.dft(m.column(c)), "column {c}");
    }
    assert_eq!(dft.idft_batch(batched), m);
}

#[test]
fn multi_pass_batches_round_trip() {
    // Tall enough that layers split into several cache passes.
    for isa in isas() {
        let dft = Radix2Dft::with_isa(isa);
        let m = rand_mat(1 << 16, 16, 11);
        let f = dft.dft_batch(m.clone());
        assert_eq!(
            f.column(5),
            NaiveDftColumnCheck::spot(&m.column(5), &[0, 77, 65535])
        );
        assert_eq!(dft.idft_batch(f), m, "{isa:?}");
    }
}

/// Checks a few outputs of a long transform against the definition, returning the full
/// vector only where checked (so the comparison above is exact on those points).
struct NaiveDftColumnCheck;

impl NaiveDftColumnCheck {
    fn spot(col: &[BabyBear], points: &[usize]) -> Vec<BabyBear> {
        let full = Radix2Dft::with_isa(Isa::Scalar).dft(col.to_vec());
        let w = BabyBear::two_adic_generator(col.len().ilog2() as usize);
        for &j in points {
            let wj = w.pow(j as u64);
            let mut x = BabyBear::ONE;
            let mut acc = BabyBear::ZERO;
            for a in col {
                acc += *a * x;
                x *= wj;
            }
            assert_eq!(full[j], acc);
        }
        full
    }
}

#[test]
fn coset_lde_matches_reference_and_direct_evaluation() {
    for isa in isas() {
        let dft = Radix2Dft::with_isa(isa);
        for (log_h, w, bits) in [
            (0, 3, 2),
            (1, 1, 1),
            (3, 5, 0),
            (4, 16, 1),
            (6, 33, 2),
            (8, 8, 3),
        ] {
            let m = rand_mat(1 << log_h, w, (log_h + 10 * w + 100 * bits) as u64);
            let want = NaiveDft.coset_lde_batch(m.clone(), bits);
            let got = dft.coset_lde_batch(m, bits);
            assert_eq!(got, want, "{isa:?} h=2^{log_h} w={w} bits={bits}");
        }
    }
}

#[test]
fn lde_of_low_degree_polynomial_is_its_evaluation() {
    // p(x) = 3 + 5x + 7x^3 sampled on H (|H| = 2^10), extended 4× onto 31·H'.
    let poly = |x: BabyBear| BabyBear::new(3) + BabyBear::new(5) * x + BabyBear::new(7) * x.pow(3);
    let (log_h, bits) = (10usize, 2usize);
    let wh = BabyBear::two_adic_generator(log_h);
    let evals: Vec<BabyBear> = (0..1u64 << log_h).map(|i| poly(wh.pow(i))).collect();
    // Two columns: p and 2p.
    let m = RowMajorMatrix::from_fn(1 << log_h, 2, |r, c| evals[r] * BabyBear::new(c as u32 + 1));
    let lde = Radix2Dft::new().coset_lde_batch(m, bits);
    let wb = BabyBear::two_adic_generator(log_h + bits);
    for j in [0usize, 1, 2, 1000, 4095] {
        let x = BabyBear::GENERATOR * wb.pow(j as u64);
        assert_eq!(lde.get(j, 0), poly(x), "row {j}");
        assert_eq!(lde.get(j, 1), poly(x).double());
    }
}

#[test]
fn large_lde_matches_batched_reference() {
    // Multi-pass expand path: 2^14 rows × 32, blowup 4, against idft + pad + dft.
    let dft = Radix2Dft::new();
    let m = rand_mat(1 << 14, 32, 5);
    let got = dft.coset_lde_batch(m.clone(), 2);
    let coeffs = dft.idft_batch(m);
    let mut v = coeffs.values;
    let mut s = BabyBear::ONE;
    for row in v.chunks_exact_mut(32) {
        row.iter_mut().for_each(|x| *x *= s);
        s *= BabyBear::GENERATOR;
    }
    v.resize(v.len() << 2, BabyBear::ZERO);
    assert_eq!(got, dft.dft_batch(RowMajorMatrix::new(v, 32)));
}

#[test]
fn bitrev_forward_is_the_forward_transform_with_rows_reversed() {
    for isa in isas() {
        let dft = Radix2Dft::with_isa(isa);
        // Small and multi-pass sizes, one column (the four-step fallback) and wide.
        for (log_h, w) in [(0, 3), (3, 1), (7, 5), (11, 1), (12, 70), (14, 9)] {
            let m = rand_mat(1 << log_h, w, (log_h * 31 + w) as u64);
            let mut want = dft.dft_batch(m.clone());
            crate::util::reverse_matrix_rows(&mut want.values, w);
            assert_eq!(dft.dft_batch_bitrev(m), want, "{isa:?} h=2^{log_h} w={w}");
        }
    }
}

#[test]
fn mul_const_rows_matches_field_products_on_every_isa() {
    // Lengths around the vector widths (tails), edge values among the inputs and factors.
    let edges = [
        BabyBear::ZERO,
        BabyBear::ONE,
        BabyBear::NEG_ONE,
        BabyBear::TWO,
    ];
    for len in [0, 1, 7, 8, 15, 16, 17, 33, 209] {
        let mut src = rand_vec(len, len as u64 + 1);
        for (x, e) in src.iter_mut().zip(edges) {
            *x = e;
        }
        let base = rand_vec(len, len as u64 + 99);
        for t in edges.into_iter().chain([BabyBear::new(123_456_789)]) {
            let mul: Vec<BabyBear> = src.iter().map(|x| *x * t).collect();
            let fma: Vec<BabyBear> = base.iter().zip(&src).map(|(b, x)| *b + *x * t).collect();
            for isa in isas() {
                let mut dst = rand_vec(len, 5);
                mul_const_rows(isa, &mut dst, &src, t, false);
                assert_eq!(dst, mul, "{isa:?} len {len} t {t}");
                let mut dst = base.clone();
                mul_const_rows(isa, &mut dst, &src, t, true);
                assert_eq!(dst, fma, "{isa:?} len {len} t {t} (accumulate)");
            }
        }
    }
}

#[test]
fn canonical_words_are_the_canonical_values_on_every_isa() {
    let edges = [
        BabyBear::ZERO,
        BabyBear::ONE,
        BabyBear::NEG_ONE,
        BabyBear::TWO,
        BabyBear::new(0x7800_0000 / 2),
    ];
    for len in [0, 1, 7, 8, 15, 16, 17, 33, 211] {
        let mut src = rand_vec(len, len as u64 + 7);
        for (x, e) in src.iter_mut().zip(edges) {
            *x = e;
        }
        let want: Vec<u32> = src.iter().map(|x| x.as_canonical()).collect();
        for isa in isas() {
            let mut dst = vec![0xdead_beef; len];
            canonical_words(isa, &mut dst, &src);
            assert_eq!(dst, want, "{isa:?} len {len}");
        }
    }
}
