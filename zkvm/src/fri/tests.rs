//! FRI: honest proofs verify; cheating provers and tampered proofs do not.

use super::*;
use crate::field::{Field, TwoAdicField};
use crate::mmcs::{ProverRng, SALT_WIDTH};
use crate::transcript::Transcript;
use crate::util::reverse_bits_len;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
    fn ext(&mut self) -> Ext {
        Ext::from_base_slice(&[
            BabyBear::new(self.next()),
            BabyBear::new(self.next()),
            BabyBear::new(self.next()),
            BabyBear::new(self.next()),
        ])
    }
}

/// Bit-reversed evaluations on g·H (|H| = 2^log_n) of a random polynomial of `degree`.
fn codeword(rng: &mut Rng, log_n: usize, degree: usize) -> Vec<Ext> {
    let coeffs: Vec<Ext> = (0..degree).map(|_| rng.ext()).collect();
    let omega = BabyBear::two_adic_generator(log_n);
    (0..1usize << log_n)
        .map(|i| {
            let x = BabyBear::GENERATOR * omega.pow(reverse_bits_len(i, log_n) as u64);
            prover::eval_poly(&coeffs, Ext::from(x))
        })
        .collect()
}

fn config() -> FriConfig {
    FriConfig {
        log_blowup: 2,
        max_log_arity: 3,
        log_final_poly_len: 1,
        num_queries: 20,
        pow_bits: 4,
    }
}

/// `prove` or `prove_unchecked`.
type ProveFn = fn(
    &FriConfig,
    Vec<(usize, Vec<Ext>)>,
    &mut Transcript,
    Option<&mut ProverRng>,
) -> Result<(FriProof, Vec<usize>), FriError>;

/// Prove with `prove_fn`, then verify with the true codeword values at the query indices.
fn run(
    inputs: &[(usize, Vec<Ext>)],
    prove_fn: ProveFn,
    tamper: impl FnOnce(&mut FriProof),
) -> Result<(), FriError> {
    run_with(inputs, prove_fn, false, tamper)
}

/// [`run`], with salted (hiding) layer commitments if `salted`.
fn run_with(
    inputs: &[(usize, Vec<Ext>)],
    prove_fn: ProveFn,
    salted: bool,
    tamper: impl FnOnce(&mut FriProof),
) -> Result<(), FriError> {
    let cfg = config();
    let mut rng = ProverRng::new(5);
    let (mut proof, _) = prove_fn(
        &cfg,
        inputs.to_vec(),
        &mut Transcript::new(b"fri-test"),
        salted.then_some(&mut rng),
    )?;
    tamper(&mut proof);
    let heights: Vec<usize> = inputs.iter().map(|(h, _)| *h).collect();
    let mut t = Transcript::new(b"fri-test");
    let ch = verifier_challenges(&cfg, &heights, &proof, &mut t)?;
    let values: Vec<Vec<Ext>> = ch
        .indices
        .iter()
        .map(|&q| {
            inputs
                .iter()
                .map(|(h, v)| v[q >> (heights[0] - h)])
                .collect()
        })
        .collect();
    verify_queries(&cfg, &heights, &proof, &ch, &values, salted)
}

fn honest_inputs(rng: &mut Rng) -> Vec<(usize, Vec<Ext>)> {
    // Heights 2^10, 2^8 and 2^3 (degree bounds 256, 64, 2): a schedule of 3+2+3+... layers.
    vec![
        (10, codeword(rng, 10, 256)),
        (8, codeword(rng, 8, 64)),
        (3, codeword(rng, 3, 2)),
    ]
}

#[test]
fn schedule_lands_on_every_height() {
    let cfg = config();
    assert_eq!(cfg.schedule(&[10, 8, 3]).unwrap(), vec![2, 3, 2]);
    assert_eq!(cfg.final_poly_len(&[10, 8, 3]), 2);
    assert_eq!(cfg.schedule(&[12]).unwrap(), vec![3, 3, 3]);
    assert_eq!(cfg.schedule(&[3]).unwrap(), Vec::<usize>::new());
    assert!(cfg.schedule(&[8, 8]).is_err());
    assert!(cfg.schedule(&[8, 1]).is_err());
    assert!(cfg.schedule(&[]).is_err());
}

#[test]
fn honest_proofs_verify() {
    let mut rng = Rng(1);
    run(&honest_inputs(&mut rng), prove, |_| {}).unwrap();
    // One input; degree exactly at the bound; an input of the final size only.
    run(&[(9, codeword(&mut rng, 9, 128))], prove, |_| {}).unwrap();
    run(&[(3, codeword(&mut rng, 3, 2))], prove, |_| {}).unwrap();
    // Lower degree than the bound is fine too.
    run(&[(9, codeword(&mut rng, 9, 5))], prove, |_| {}).unwrap();
}

#[test]
fn folding_matches_the_even_odd_split() {
    // fold(f)(x²) = f_e(x²) + β f_o(x²): check on f = 1 + 2x + 3x² + 4x³ directly.
    let coeffs: Vec<Ext> = (1..=4).map(|c| Ext::from(BabyBear::new(c))).collect();
    let log_n = 4;
    let omega = BabyBear::two_adic_generator(log_n);
    let shift = BabyBear::GENERATOR;
    let word: Vec<Ext> = (0..16)
        .map(|i| {
            let x = shift * omega.pow(reverse_bits_len(i, log_n) as u64);
            prover::eval_poly(&coeffs, Ext::from(x))
        })
        .collect();
    let beta = Ext::from(BabyBear::new(7));
    let folded = fold_binary(&word, beta, shift, log_n);
    // f_e = 1 + 3y, f_o = 2 + 4y → 15 + 31y.
    let want = [Ext::from(BabyBear::new(15)), Ext::from(BabyBear::new(31))];
    let omega2 = BabyBear::two_adic_generator(log_n - 1);
    for (m, v) in folded.iter().enumerate() {
        let y = shift.square() * omega2.pow(reverse_bits_len(m, log_n - 1) as u64);
        assert_eq!(*v, prover::eval_poly(&want, Ext::from(y)));
    }
    // And fold_group agrees with fold_binary on every group.
    let f2 = fold_binary(&folded, beta.square(), shift.square(), log_n - 1);
    for g in 0..4 {
        assert_eq!(
            fold::fold_group(&word[4 * g..4 * g + 4], g, beta, shift, log_n),
            f2[g]
        );
    }
}

#[test]
fn high_degree_input_is_refused_by_the_prover_and_rejected_when_forced() {
    let mut rng = Rng(2);
    let mut inputs = honest_inputs(&mut rng);
    inputs[0].1 = codeword(&mut rng, 10, 512); // twice the degree bound
    assert_eq!(run(&inputs, prove, |_| {}), Err(FriError::NotLowDegree));
    let r = run(&inputs, prove_unchecked, |_| {});
    assert!(
        matches!(
            r,
            Err(FriError::FinalPoly { .. }) | Err(FriError::Fold { .. })
        ),
        "{r:?}"
    );
    // A smaller input of too high a degree is caught as well.
    let mut inputs = honest_inputs(&mut rng);
    inputs[1].1 = codeword(&mut rng, 8, 256);
    assert!(run(&inputs, prove_unchecked, |_| {}).is_err());
    // Random values (no polynomial at all).
    let mut inputs = honest_inputs(&mut rng);
    inputs[0].1 = (0..1024).map(|_| rng.ext()).collect();
    assert!(run(&inputs, prove_unchecked, |_| {}).is_err());
}

#[test]
fn wrong_input_values_are_rejected() {
    // The caller's openings disagree with what FRI committed: layer-0 value mismatch.
    let mut rng = Rng(3);
    let inputs = honest_inputs(&mut rng);
    let cfg = config();
    let (proof, _) = prove(
        &cfg,
        inputs.clone(),
        &mut Transcript::new(b"fri-test"),
        None,
    )
    .unwrap();
    let heights = [10, 8, 3];
    let ch =
        verifier_challenges(&cfg, &heights, &proof, &mut Transcript::new(b"fri-test")).unwrap();
    for t in 0..3 {
        let mut values: Vec<Vec<Ext>> = ch
            .indices
            .iter()
            .map(|&q| inputs.iter().map(|(h, v)| v[q >> (10 - h)]).collect())
            .collect();
        values[5][t] += Ext::ONE;
        assert!(
            verify_queries(&cfg, &heights, &proof, &ch, &values, false).is_err(),
            "input {t}"
        );
    }
}

/// Every tampered part of a proof (salted layers or not) is rejected.
fn tampered_regions_are_rejected(salted: bool) {
    let mut rng = Rng(4);
    let run = |inputs: &[(usize, Vec<Ext>)], prove_fn: ProveFn, tamper: &dyn Fn(&mut FriProof)| {
        run_with(inputs, prove_fn, salted, tamper)
    };
    let inputs = honest_inputs(&mut rng);
    let layers = config().schedule(&[10, 8, 3]).unwrap().len();
    for l in 0..layers {
        assert!(
            run(&inputs, prove, &|p| p.commits[l][3] ^= 1).is_err(),
            "commit {l}"
        );
    }
    for c in 0..2 {
        assert!(
            run(&inputs, prove, &|p| p.final_poly[c] += Ext::ONE).is_err(),
            "final {c}"
        );
    }
    // Another nonce either fails the work check or (if it happens to pass) moves every
    // query index, so the openings no longer match.
    assert!(run(&inputs, prove, &|p| p.pow_nonce =
        p.pow_nonce.wrapping_add(1))
    .is_err());
    for l in 0..layers {
        assert!(
            run(&inputs, prove, &|p| p.layers[l].leaves[0].rows[0][5] +=
                BabyBear::ONE)
            .is_err(),
            "values of layer {l}"
        );
        assert!(
            run(&inputs, prove, &|p| p.layers[l].siblings[0][0] ^= 0x80).is_err(),
            "siblings of layer {l}"
        );
    }
    // Shape errors, never panics.
    assert!(matches!(
        run(&inputs, prove, &|p| {
            p.layers.pop();
        }),
        Err(FriError::Shape(_))
    ));
    assert!(matches!(
        run(&inputs, prove, &|p| {
            p.commits.pop();
        }),
        Err(FriError::Shape(_))
    ));
    assert!(matches!(
        run(&inputs, prove, &|p| {
            p.final_poly.push(Ext::ZERO);
        }),
        Err(FriError::Shape(_))
    ));
    assert!(matches!(
        run(&inputs, prove, &|p| {
            p.layers[1].leaves[0].rows[0].pop();
        }),
        Err(FriError::Merkle { layer: 1, .. })
    ));
    assert!(run(&inputs, prove, &|p| {
        p.layers[0].siblings.pop();
    })
    .is_err());
    assert!(matches!(
        run(&inputs, prove, &|p| {
            p.layers[0].leaves.pop();
        }),
        Err(FriError::Merkle { layer: 0, .. })
    ));
}

#[test]
fn every_tampered_region_is_rejected() {
    tampered_regions_are_rejected(false);
    tampered_regions_are_rejected(true);
}

#[test]
fn salted_layers_verify_and_salts_are_checked() {
    let mut rng = Rng(6);
    let inputs = honest_inputs(&mut rng);
    run_with(&inputs, prove, true, |p| {
        assert!(p
            .layers
            .iter()
            .flat_map(|b| &b.leaves)
            .all(|l| l.salts.len() == 1 && l.salts[0].len() == SALT_WIDTH));
    })
    .unwrap();
    // A salted proof read as unsalted, and the reverse, are rejected.
    assert!(run_with(&inputs, prove, true, |p| p
        .layers
        .iter_mut()
        .flat_map(|b| &mut b.leaves)
        .for_each(|l| l.salts.clear()))
    .is_err());
    assert!(
        run_with(&inputs, prove, false, |p| p.layers[0].leaves[0].salts =
            vec![vec![BabyBear::ONE; 5]])
        .is_err()
    );
    for l in 0..3 {
        assert!(
            run_with(&inputs, prove, true, |p| p.layers[l].leaves[0].salts[0]
                [l] += BabyBear::ONE)
            .is_err(),
            "salt of layer {l}"
        );
    }
    // The salt changes every layer commitment.
    let prove_seeded = |seed| {
        prove(
            &config(),
            inputs.clone(),
            &mut Transcript::new(b"fri-test"),
            Some(&mut ProverRng::new(seed)),
        )
        .unwrap()
        .0
    };
    let (a, b) = (prove_seeded(1), prove_seeded(2));
    assert_eq!(a, prove_seeded(1));
    assert!(a.commits.iter().zip(&b.commits).all(|(x, y)| x != y));
}

#[test]
fn security_bits_formula() {
    let c = FriConfig {
        log_blowup: 2,
        max_log_arity: 4,
        log_final_poly_len: 3,
        num_queries: 42,
        pow_bits: 16,
    };
    assert_eq!(c.conjectured_security_bits(), 100.0);
    let c = FriConfig {
        num_queries: 1000,
        ..c
    };
    assert_eq!(c.conjectured_security_bits(), EXT_FIELD_BITS);
}

#[test]
fn each_leaf_leaves_out_the_value_the_verifier_predicts() {
    let mut rng = Rng(7);
    let inputs = honest_inputs(&mut rng);
    let cfg = config();
    let heights = [10, 8, 3];
    let (proof, indices) = prove(
        &cfg,
        inputs.clone(),
        &mut Transcript::new(b"fri-test"),
        None,
    )
    .unwrap();
    let schedule = cfg.schedule(&heights).unwrap();
    for (layer, &a) in proof.layers.iter().zip(&schedule) {
        assert!(layer
            .leaves
            .iter()
            .all(|l| l.rows[0].len() == 4 * ((1 << a) - 1)));
    }
    // The slots: the smallest position per distinct group, groups ascending.
    assert_eq!(predicted_slots(&[9, 2, 11, 3, 30], 2), vec![2, 1, 2]);
    assert_eq!(predicted_slots(&[], 3), Vec::<usize>::new());
    // Sending the left-out value as well (the version-7 layout) is a shape error; so is a
    // leaf with one value fewer.
    let layer0 = &inputs[0].1;
    let r = run(&inputs, prove, |p| {
        let idx: Vec<usize> = indices.iter().map(|i| i >> schedule[0]).collect();
        let slot = predicted_slots(&indices, schedule[0])[0];
        let first = crate::mmcs::distinct_sorted(&idx)[0];
        let v = layer0[(first << schedule[0]) | slot];
        let row = &mut p.layers[0].leaves[0].rows[0];
        row.splice(4 * slot..4 * slot, v.as_base_slice().iter().copied());
    });
    assert!(matches!(r, Err(FriError::Merkle { layer: 0, .. })), "{r:?}");
    // Each layer's predictions are bound through the root: a wrong input at a query (the
    // caller's DEEP value) changes the rebuilt leaf, whichever slot it lands in.
    let ch =
        verifier_challenges(&cfg, &heights, &proof, &mut Transcript::new(b"fri-test")).unwrap();
    let honest: Vec<Vec<Ext>> = ch
        .indices
        .iter()
        .map(|&q| inputs.iter().map(|(h, v)| v[q >> (10 - h)]).collect())
        .collect();
    verify_queries(&cfg, &heights, &proof, &ch, &honest, false).unwrap();
    for q in 0..ch.indices.len() {
        let mut values = honest.clone();
        values[q][0] += Ext::ONE;
        assert!(
            verify_queries(&cfg, &heights, &proof, &ch, &values, false).is_err(),
            "query {q}"
        );
    }
}
