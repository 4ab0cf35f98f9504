//! Zero-knowledge internals: the committed trace is random off the trace domain but equals
//! the witness on it, and blinding the quotient chunks keeps their sum.

use super::domain::barycentric_eval;
use super::layout::Layout;
use super::poly::eval_coeff_columns;
use super::prover::{absorb_statement, ext_from_coords, trace_poly};
use super::*;
use crate::air::toy::{fibonacci_trace, Fibonacci};
use crate::field::{ExtensionField, Field, TwoAdicField};
use crate::mmcs::ProverRng;
use crate::ntt::Radix2Dft;
use crate::transcript::{is_in_base_field, Transcript};

fn point(seed: u32) -> E {
    E::new([F::new(seed), F::new(3), F::new(1), F::new(4)])
}

#[test]
fn randomized_trace_agrees_on_the_domain_and_nowhere_else() {
    let (trace, _) = fibonacci_trace(64, 1, 1);
    let dft = Radix2Dft::new();
    let a = trace_poly(&dft, &[&trace], Some((20, &mut ProverRng::new(1))), 9);
    let b = trace_poly(&dft, &[&trace], Some((20, &mut ProverRng::new(2))), 9);
    // Degree < n + 20 ≤ 2n: the committed polynomial fits the zero-knowledge degree bound.
    assert_eq!(a.len(), 84);
    let omega = F::two_adic_generator(6);
    for p in [&a, &b] {
        for i in 0..64 {
            let x = E::from(omega.pow(i as u64));
            let want: Vec<E> = trace.row(i).iter().map(|&t| E::from(t)).collect();
            assert_eq!(p.eval(x), want);
        }
    }
    let z = point(7);
    let witness = barycentric_eval(&trace.values, 2, 6, z);
    let (va, vb) = (a.eval(z), b.eval(z));
    for c in 0..2 {
        assert_ne!(va[c], witness[c]);
        assert_ne!(va[c], vb[c]);
    }
    // Every block of the LDE is the polynomial on that block's points.
    let xs = prover::lde_points_bitrev(9);
    for c in 0..8 {
        let blk = a.block(&dft, 6, c);
        for r in [0, 17, 63] {
            let got: Vec<E> = blk.row(r).iter().map(|&t| E::from(t)).collect();
            assert_eq!(got, a.eval(E::from(xs[c * 64 + r])));
        }
    }
    // A block built in a used buffer (another block's values, or garbage of another size)
    // is the same block. An unblinded polynomial of fewer coefficients than the block has
    // rows zeroes the rest.
    let mut spent = a.block(&dft, 6, 3).values;
    for c in 0..8 {
        let blk = a.block_into(&dft, 6, c, spent);
        assert_eq!(blk, a.block(&dft, 6, c), "block {c}");
        spent = blk.values;
    }
    let short = trace_poly(&dft, &[&trace], None, 9);
    let garbage = vec![F::from_u64(12345); 3 * 128];
    assert_eq!(
        short.block_into(&dft, 7, 1, garbage),
        short.block(&dft, 7, 1)
    );
    assert_eq!(
        short.block_into(&dft, 7, 2, Vec::new()),
        short.block(&dft, 7, 2)
    );
}

#[test]
fn small_blocks_from_the_coefficients_are_the_lde_rows() {
    let dft = Radix2Dft::new();
    // Blinded (a randomizer taller than the small blocks) or not; 2^6 coefficient rows (one
    // parallel chunk) and 2^13 (several, and a randomizer of 80 rows).
    for (n, log_lde, blind) in [(64, 9, None), (64, 9, Some(20)), (8192, 15, Some(80))] {
        let (trace, _) = fibonacci_trace(n, 1, 1);
        let mut rng = ProverRng::new(3);
        let p = trace_poly(&dft, &[&trace], blind.map(|k| (k, &mut rng)), log_lde);
        // The whole LDE, bit-reversed, from the commitment's blocks.
        let log_n = n.trailing_zeros() as usize;
        let lde: Vec<F> = (0..1 << (log_lde - log_n))
            .flat_map(|c| p.block(&dft, log_n, c).values)
            .collect();
        for log_block in [0, 1, 3, 6] {
            let m = 1usize << log_block;
            let count = 1usize << (log_lde - log_block);
            let cs = vec![0, count - 1, 5, 5, count / 2, 1];
            let got = p.blocks_at(&dft, log_block, &cs);
            assert_eq!(got.len(), cs.len());
            for (blk, &c) in got.iter().zip(&cs) {
                assert_eq!(
                    blk.values,
                    lde[c * m * 2..(c + 1) * m * 2],
                    "n {n}, blind {blind:?}, block {c} of 2^{log_block}"
                );
            }
        }
        assert!(p.blocks_at(&dft, 2, &[]).is_empty());
    }
}

#[test]
fn query_openings_from_groups_equal_those_from_whole_blocks() {
    use super::poly::Poly;
    use super::prover::{commit_polys, open_polys, open_polys_by_blocks};
    let dft = Radix2Dft::new();
    let mut rng = ProverRng::new(11);
    // Heights 2^12, 2^9 and 2^4 rows (LDEs 2^14, 2^11, 2^6 with four blocks), blinded or
    // not, and an unblinded quotient-like column set.
    let (tall, _) = fibonacci_trace(1 << 12, 1, 2);
    let (mid, _) = fibonacci_trace(1 << 9, 3, 4);
    let (tiny, _) = fibonacci_trace(1 << 4, 5, 6);
    let polys: Vec<Poly> = vec![
        trace_poly(&dft, &[&tall], Some((80, &mut rng)), 14),
        trace_poly(&dft, &[&mid, &mid], Some((80, &mut rng)), 11),
        trace_poly(&dft, &[&tiny], None, 6),
        trace_poly(&dft, &[&tall], None, 14),
    ];
    let list: Vec<&Poly> = polys.iter().collect();
    for salted in [false, true] {
        let mut salt = ProverRng::new(12);
        let tree = commit_polys(&dft, &list, 2, salted.then_some(&mut salt), None);
        // Query indices into a taller FRI domain (2^16), as the prover draws them.
        for idx in [
            vec![0],
            vec![65535, 3, 3, 40000, 12345, 777, 778, 20000],
            (0..39u64)
                .map(|i| ((i * 0x9e37_79b9) % 65536) as usize)
                .collect(),
        ] {
            let new = open_polys(&tree, &list, &idx, 16);
            let old = open_polys_by_blocks(&dft, &tree, &list, 2, &idx, 16);
            assert_eq!(new, old, "salted {salted}, indices {idx:?}");
        }
    }
}

/// ζ of a Fibonacci proof (no lookups), replayed as the verifier does.
fn zeta_of(cfg: &StarkConfig, vk: &VerifyingKey, proof: &StarkProof, public: &[F]) -> E {
    let mut t = Transcript::new(b"rvzk-stark");
    absorb_statement(&mut t, cfg, &proof.log_heights, public, vk);
    t.absorb_digest(b"main", &proof.main_commit);
    t.absorb_ext(b"claimed-sums", &proof.claimed_sums);
    let _alpha = t.sample_ext();
    t.absorb_digest(b"quotient", &proof.quotient_commit);
    t.sample_ext_avoiding(is_in_base_field)
}

#[test]
fn zk_openings_are_not_the_witness_polynomial() {
    let (trace, public) = fibonacci_trace(128, 1, 1);
    let tables: Vec<&dyn Table> = vec![&Fibonacci];
    for cfg in [
        StarkConfig::insecure_for_tests(),
        StarkConfig::zk_for_tests(),
    ] {
        let (pk, vk) = setup(&cfg, &tables);
        let proof = prove(
            &cfg,
            &pk,
            &vk,
            &tables,
            vec![trace.clone()],
            &public,
            &[],
            5,
        )
        .unwrap();
        verify(&cfg, &vk, &tables, &proof, &public, &[]).unwrap();
        let zeta = zeta_of(&cfg, &vk, &proof, &public);
        let witness = barycentric_eval(&trace.values, 2, 7, zeta);
        let next = barycentric_eval(&trace.values, 2, 7, zeta * F::two_adic_generator(7));
        let o = &proof.opened[0];
        if cfg.zk {
            for c in 0..2 {
                assert_ne!(o.main_local[c], witness[c]);
                assert_ne!(o.main_next[c], next[c]);
            }
        } else {
            // The replayed ζ is right: without zero-knowledge the opening is the witness's.
            assert_eq!(o.main_local, witness);
            assert_eq!(o.main_next, next);
        }
    }
}

#[test]
fn blinded_quotient_chunks_keep_their_sum() {
    use super::layout::{quotient_shape, QuotientShape};
    use super::quotient::cut_quotient;
    let (trace, public) = fibonacci_trace(64, 1, 1);
    let layout = Layout::new(&[6], 2, true);
    let dft = Radix2Dft::new();
    let main = trace_poly(&dft, &[&trace], Some((20, &mut ProverRng::new(3))), 9);
    let lookup = LookupChallenges {
        z: E::ZERO,
        b: E::ZERO,
    };
    let q = super::quotient::quotient(
        &dft,
        &Fibonacci,
        &layout,
        0,
        super::quotient::QuotientInputs {
            main: &main,
            prep: None,
            aux: None,
            public: &public,
            lookup: &lookup,
            sum_step: E::ZERO,
            blinded: false,
            alpha: point(11),
        },
        true,
    )
    .unwrap();
    // Degree 2, n = 64, k = 20: q has degree ≤ 2·83 − 64 = 102 < 2n, one chunk of 2n rows.
    let one = quotient_shape(2, 6, Some(20));
    assert_eq!(
        one,
        QuotientShape {
            len: 108,
            count: 1,
            rows: 128
        }
    );
    assert!(q[4 * 103..].iter().all(|x| x.is_zero()));
    let single = cut_quotient(&q, one, Some(&mut ProverRng::new(4)));
    assert_eq!(single.values[..], q[..4 * 128]);
    // A shape of three chunks of 40 coefficients, each held in 128 rows, blinded by random
    // polynomials of 88 coefficients.
    let three = QuotientShape {
        len: 40,
        count: 3,
        rows: 128,
    };
    let plain = cut_quotient(&q, three, None);
    let blinded = cut_quotient(&q, three, Some(&mut ProverRng::new(4)));
    assert_eq!((plain.height(), plain.width), (128, 12));
    // Unblinded, the first two chunks use only their first 40 rows; blinded, every chunk
    // changes.
    assert!((40..128).all(|k| plain.row(k)[..8].iter().all(|x| x.is_zero())));
    let z = point(13);
    let at = |m: &RowMajorMatrix<F>| -> Vec<E> {
        eval_coeff_columns(m, z)
            .chunks_exact(4)
            .map(ext_from_coords)
            .collect()
    };
    let (p, b) = (at(&plain), at(&blinded));
    assert!(p.iter().zip(&b).all(|(x, y)| x != y));
    // Σ z^(40j) q'_j = Σ z^(40j) q_j = q(z).
    let zl = z.pow(40);
    let sum = |v: &[E]| v[0] + zl * (v[1] + zl * v[2]);
    assert_eq!(sum(&p), sum(&b));
    let direct = q
        .chunks_exact(4)
        .rev()
        .fold(E::ZERO, |acc, c| acc * z + E::from_base_slice(c));
    assert_eq!(sum(&b), direct);
}

#[test]
fn quotient_shapes_hold_the_honest_quotient() {
    use super::layout::quotient_shape;
    // The default zk parameters: k = 80. Degree 4 or 3: two chunks of 2n − 80; degree 2:
    // one. Without zero-knowledge: d − 1 chunks of n.
    for log_n in [12, 16, 20] {
        let n = 1usize << log_n;
        for d in 2..=4 {
            let s = quotient_shape(d, log_n, Some(80));
            assert_eq!((s.len, s.rows), (2 * n - 80, 2 * n));
            assert_eq!(s.count, if d == 2 { 1 } else { 2 });
            // The honest quotient's coefficients fit.
            assert!(d * (n + 79) - n < (s.count - 1) * s.len + s.rows);
            let plain = quotient_shape(d, log_n, None);
            assert_eq!((plain.len, plain.count, plain.rows), (n, d - 1, n));
        }
    }
    // Short tables need more chunks: n = 128, degree 4: 4·207 − 128 + 1 = 701 coefficients,
    // 256 in the last chunk and 176 in each other.
    assert_eq!(quotient_shape(4, 7, Some(80)).count, 4);
}

#[test]
fn the_quotient_is_evaluated_on_the_smallest_coset_that_holds_it() {
    use super::quotient::quotient_domain;
    // zk, 42 queries: D = n + 86 coefficients. Degree 3 needs 2n + 255 < e: 4n of the 8n
    // LDE once n ≥ 2^7; degree 2 needs n + 170 < e: 2n from n = 2^8.
    assert_eq!(
        quotient_domain(3, (1 << 20) + 86, 20, 23),
        (2 * (1 << 20) + 255, 22)
    );
    assert_eq!(quotient_domain(3, 128 + 86, 7, 10), (511, 9));
    assert_eq!(quotient_domain(2, (1 << 16) + 86, 16, 19).1, 17);
    assert_eq!(quotient_domain(2, 128 + 86, 7, 10).1, 9);
    // 63 queries at n = 2^7: D = 256, 3·255 − 128 = 637 needs the whole 2^10 LDE.
    assert_eq!(quotient_domain(3, 256, 7, 10), (637, 10));
    // Without zero-knowledge (D = n, LDE 4n): (d − 1)·n − d < e.
    assert_eq!(quotient_domain(3, 1 << 10, 10, 12).1, 11);
    assert_eq!(quotient_domain(2, 1 << 10, 10, 12).1, 10);
    // Never fewer points than rows.
    assert_eq!(quotient_domain(2, 8, 3, 5).1, 3);
    // The first e points of the bit-reversed LDE are g·H_e in its own bit-reversed order.
    let lde = prover::lde_points_bitrev(10);
    for log_e in [7, 8, 9, 10] {
        assert_eq!(prover::lde_points_bitrev(log_e), lde[..1 << log_e]);
    }
}

/// Sends its column's value on bus 0, every row.
struct Sender;

impl crate::air::Air for Sender {
    fn name(&self) -> String {
        "sender".into()
    }
    fn width(&self) -> usize {
        1
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: crate::air::AirBuilder>(&self, b: &mut B) {
        let v: B::Expr = b.local()[0].into();
        b.send(0, &[v], F::ONE.into());
    }
}

/// Receives its first column's value on bus 0, the second column's number of times.
struct Receiver;

impl crate::air::Air for Receiver {
    fn name(&self) -> String {
        "receiver".into()
    }
    fn width(&self) -> usize {
        2
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: crate::air::AirBuilder>(&self, b: &mut B) {
        let v: B::Expr = b.local()[0].into();
        let m: B::Expr = b.local()[1].into();
        b.receive(0, &[v], m);
    }
}

/// Each table's unmasked bus sum Σ ±μ/φ, with the lookup challenges the verifier draws.
fn true_sums(
    cfg: &StarkConfig,
    vk: &VerifyingKey,
    proof: &StarkProof,
    tables: &[&dyn Table],
    traces: &[RowMajorMatrix<F>],
) -> Vec<E> {
    let mut t = Transcript::new(b"rvzk-stark");
    absorb_statement(&mut t, cfg, &proof.log_heights, &[], vk);
    t.absorb_digest(b"main", &proof.main_commit);
    let lookup = LookupChallenges {
        z: t.sample_ext(),
        b: t.sample_ext(),
    };
    tables
        .iter()
        .zip(traces)
        .map(|(table, trace)| {
            table
                .interactions(trace, &[])
                .iter()
                .flatten()
                .map(|i| {
                    let inv = lookup.fingerprint(i.bus, &i.values).inverse();
                    signed(i.direction, E::from(i.multiplicity)) * inv
                })
                .sum()
        })
        .collect()
}

#[test]
fn zk_masks_each_claimed_sum_but_keeps_their_total() {
    // The sender sends 0..8 sixteen times each; the receiver takes each value 16 times.
    let n = 128;
    let sender = RowMajorMatrix::new((0..n as u32).map(|i| F::new(i % 8)).collect(), 1);
    let mut recv = vec![F::ZERO; 2 * n];
    for v in 0..8 {
        recv[2 * v] = F::new(v as u32);
        recv[2 * v + 1] = F::new(16);
    }
    let receiver = RowMajorMatrix::new(recv, 2);
    let tables: Vec<&dyn Table> = vec![&Sender, &Receiver];
    let traces = vec![sender, receiver];
    for cfg in [
        StarkConfig::insecure_for_tests(),
        StarkConfig::zk_for_tests(),
    ] {
        let (pk, vk) = setup(&cfg, &tables);
        let mut masks = Vec::new();
        for seed in [1u64, 2] {
            let proof = prove(&cfg, &pk, &vk, &tables, traces.clone(), &[], &[], seed).unwrap();
            verify(&cfg, &vk, &tables, &proof, &[], &[]).unwrap();
            let truth = true_sums(&cfg, &vk, &proof, &tables, &traces);
            // The tables' true sums are non-zero and cancel (the bus balances).
            assert!(!truth[0].is_zero());
            assert_eq!(truth[0] + truth[1], E::ZERO);
            let claimed = &proof.claimed_sums;
            assert_eq!(claimed[0] + claimed[1], E::ZERO);
            if cfg.zk {
                // Each claim is shifted by 1/φ(R_0) − 1/φ(R_1) (and back): not the truth.
                assert_ne!(claimed[0], truth[0]);
                masks.push(claimed[0] - truth[0]);
            } else {
                assert_eq!(claimed, &truth);
            }
        }
        if cfg.zk {
            assert_ne!(masks[0], masks[1], "the mask depends on the seed");
        }
    }
}

#[test]
fn combined_coefficients_are_the_plain_extension_sums() {
    // `Poly::combine_into` (unreduced sums) against Σ_c powers[c]·P_c[k] in plain extension
    // arithmetic, over several parallel chunks, with and without a randomizer, for a wide
    // matrix of edge values (zeros, ones, p − 1).
    let dft = Radix2Dft::new();
    let (n, w) = (1usize << 13, 230);
    let edge = [F::ZERO, F::ONE, F::NEG_ONE, F::from_u64(0x7800_0000)];
    let trace = RowMajorMatrix::new(
        (0..n * w)
            .map(|i| match i % 7 {
                0..=3 => edge[i % 4],
                _ => F::from_u64((i as u64).wrapping_mul(0x9E37_79B9) % (1 << 31)),
            })
            .collect(),
        w,
    );
    let powers: Vec<E> = (0..w)
        .map(|c| match c % 5 {
            0 => -E::ONE,
            1 => E::new([F::NEG_ONE; 4]),
            _ => point(c as u32 + 3),
        })
        .collect();
    for blind in [None, Some(80)] {
        let mut rng = ProverRng::new(9);
        let p = trace_poly(&dft, &[&trace], blind.map(|k| (k, &mut rng)), 16);
        let start: Vec<E> = (0..p.len()).map(|k| point(k as u32)).collect();
        let mut got = start.clone();
        p.combine_into(&mut got, &powers);
        let coeff = |k: usize, c: usize| -> F {
            let low = if k < n { p.low.row(k)[c] } else { F::ZERO };
            let u = p.blind.as_ref();
            let at = |r: usize| {
                u.filter(|u| r < u.height())
                    .map_or(F::ZERO, |u| u.row(r)[c])
            };
            // P = low + (x^n − 1)·U.
            low - at(k) + if k >= n { at(k - n) } else { F::ZERO }
        };
        for k in (0..p.len()).step_by(97).chain([0, n - 1, p.len() - 1]) {
            let mut want = start[k];
            for (c, pw) in powers.iter().enumerate() {
                want += *pw * coeff(k, c);
            }
            assert_eq!(got[k], want, "row {k}, blind {blind:?}");
        }
    }
}
