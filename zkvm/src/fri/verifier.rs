//! The FRI verifier, in two steps so the caller can check its own openings in between:
//! [`verifier_challenges`] replays the transcript; [`verify_queries`] checks every query.

use super::fold::fold_group;
use super::prover::eval_poly;
use super::{unflatten, Ext, FriConfig, FriError, FriProof};
use crate::field::{BabyBear, ExtensionField, Field, TwoAdicField};
use crate::mmcs::{self, Dims};
use crate::transcript::Transcript;
use crate::util::reverse_bits_len;

/// The verifier's challenges, replayed from the transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FriChallenges {
    /// Folding challenge of each layer.
    pub betas: Vec<Ext>,
    /// Query indices into the tallest codeword.
    pub indices: Vec<usize>,
}

/// Replay the commit phase: absorb the layer commitments and final polynomial, check the
/// proof of work, and draw the query indices.
pub fn verifier_challenges(
    config: &FriConfig,
    log_heights: &[usize],
    proof: &FriProof,
    transcript: &mut Transcript,
) -> Result<FriChallenges, FriError> {
    let schedule = config.schedule(log_heights)?;
    if proof.commits.len() != schedule.len() {
        return Err(FriError::Shape(format!(
            "{} layer commitments, expected {}",
            proof.commits.len(),
            schedule.len()
        )));
    }
    let final_len = config.final_poly_len(log_heights);
    if proof.final_poly.len() != final_len {
        return Err(FriError::Shape(format!(
            "final polynomial has {} coefficients, expected {final_len}",
            proof.final_poly.len()
        )));
    }
    if proof.layers.len() != schedule.len() {
        return Err(FriError::Shape(format!(
            "{} layer openings, expected {}",
            proof.layers.len(),
            schedule.len()
        )));
    }
    let betas = proof
        .commits
        .iter()
        .map(|c| {
            transcript.absorb_digest(b"fri-layer", c);
            transcript.sample_ext()
        })
        .collect();
    transcript.absorb_ext(b"fri-final", &proof.final_poly);
    if !transcript.check_pow(config.pow_bits, proof.pow_nonce) {
        return Err(FriError::ProofOfWork(config.pow_bits));
    }
    let indices = (0..config.num_queries)
        .map(|_| transcript.sample_bits(log_heights[0]))
        .collect();
    Ok(FriChallenges { betas, indices })
}

/// Check every query. `inputs[i][t]` is the value of input `t` (tallest first) at query `i`,
/// computed by the caller from its own verified openings: at row `index >> (log_heights[0] −
/// log_heights[t])` of input `t`'s codeword. `salted`: whether the layer commitments hide
/// (every layer opening must then carry a salt, else none).
///
/// Layer by layer: each leaf of the layer's batch lacks the value the verifier predicts (the
/// previous fold, or the input, at the smallest position a query reaches in that group);
/// it is put back from the prediction before the batch is checked against the root, so a
/// group whose committed value differs from the prediction fails the Merkle check, and
/// every other query's prediction is compared with the row.
pub fn verify_queries(
    config: &FriConfig,
    log_heights: &[usize],
    proof: &FriProof,
    challenges: &FriChallenges,
    inputs: &[Vec<Ext>],
    salted: bool,
) -> Result<(), FriError> {
    let schedule = config.schedule(log_heights)?;
    if inputs.len() != challenges.indices.len()
        || inputs.iter().any(|v| v.len() != log_heights.len())
        || challenges.betas.len() != schedule.len()
        || proof.layers.len() != schedule.len()
        || proof.commits.len() != schedule.len()
    {
        return Err(FriError::Shape(
            "input values do not match the queries".into(),
        ));
    }
    // Each query's position in the current layer's codeword and its predicted value there.
    let mut idx = challenges.indices.clone();
    let mut values: Vec<Ext> = inputs.iter().map(|v| v[0]).collect();
    let mut log_n = log_heights[0];
    let mut shift = BabyBear::GENERATOR;
    let mut next_input = 1;
    for (layer, (&log_arity, beta)) in schedule.iter().zip(&challenges.betas).enumerate() {
        let arity = 1usize << log_arity;
        let shape = |what: String| FriError::Merkle {
            layer,
            err: crate::mmcs::MmcsError::Shape(what),
        };
        let groups: Vec<usize> = idx.iter().map(|i| i >> log_arity).collect();
        let uniq = mmcs::distinct_sorted(&groups);
        let slots = super::predicted_slots(&idx, log_arity);
        let mut batch = proof.layers[layer].clone();
        if batch.leaves.len() != uniq.len() {
            return Err(shape(format!(
                "{} leaves for {} distinct groups",
                batch.leaves.len(),
                uniq.len()
            )));
        }
        for ((leaf, &slot), &g) in batch.leaves.iter_mut().zip(&slots).zip(&uniq) {
            let row = match &mut leaf.rows[..] {
                [row] if row.len() == 4 * (arity - 1) => row,
                _ => {
                    return Err(shape(format!(
                        "a leaf must be one row of {} values (the group less its predicted \
                         value)",
                        4 * (arity - 1)
                    )))
                }
            };
            let q = idx
                .iter()
                .position(|&i| i == (g << log_arity) | slot)
                .expect("the slot is a query's position");
            row.splice(
                4 * slot..4 * slot,
                values[q].as_base_slice().iter().copied(),
            );
        }
        let dims = [Dims {
            width: 4 << log_arity,
            height: 1 << (log_n - log_arity),
        }];
        let leaf_of = mmcs::verify_batch(&proof.commits[layer], &dims, salted, &groups, &batch)
            .map_err(|err| FriError::Merkle { layer, err })?;
        for (qi, value) in values.iter_mut().enumerate() {
            // Width checked by the Merkle verifier: 4·arity base values.
            let group = unflatten(&batch.leaves[leaf_of[qi]].rows[0]);
            if group[idx[qi] & (arity - 1)] != *value {
                return Err(FriError::Fold { query: qi, layer });
            }
            *value = fold_group(&group, groups[qi], *beta, shift, log_n);
        }
        for _ in 0..log_arity {
            shift = shift.square();
        }
        log_n -= log_arity;
        idx = groups;
        if next_input < log_heights.len() && log_heights[next_input] == log_n {
            let b = beta.pow(arity as u64);
            for (value, input) in values.iter_mut().zip(inputs) {
                *value += b * input[next_input];
            }
            next_input += 1;
        }
    }
    // The last fold must be the final polynomial at each query's point.
    let omega = BabyBear::two_adic_generator(log_n);
    for (qi, (&i, value)) in idx.iter().zip(&values).enumerate() {
        let x = shift * omega.pow(reverse_bits_len(i, log_n) as u64);
        if eval_poly(&proof.final_poly, Ext::from(x)) != *value {
            return Err(FriError::FinalPoly { query: qi });
        }
    }
    Ok(())
}
