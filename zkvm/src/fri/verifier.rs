//! The FRI verifier, in two steps so the caller can check its own openings in between:
//! [`verifier_challenges`] replays the transcript; [`verify_queries`] checks every query.

use super::fold::fold_group;
use super::prover::eval_poly;
use super::{unflatten, Ext, FriConfig, FriError, FriProof};
use crate::field::{BabyBear, Field, TwoAdicField};
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
    {
        return Err(FriError::Shape(
            "input values do not match the queries".into(),
        ));
    }
    // Each layer's batch opening, checked once for all queries: `leaf_of[layer][qi]` is the
    // position of query qi's leaf in that layer's batch.
    let mut leaf_of = Vec::with_capacity(schedule.len());
    let mut idx = challenges.indices.clone();
    let mut log_n = log_heights[0];
    for (layer, ((&log_arity, batch), commit)) in schedule
        .iter()
        .zip(&proof.layers)
        .zip(&proof.commits)
        .enumerate()
    {
        idx.iter_mut().for_each(|i| *i >>= log_arity);
        let dims = [Dims {
            width: 4 << log_arity,
            height: 1 << (log_n - log_arity),
        }];
        leaf_of.push(
            mmcs::verify_batch(commit, &dims, salted, &idx, batch)
                .map_err(|err| FriError::Merkle { layer, err })?,
        );
        log_n -= log_arity;
    }
    for (qi, (&q, input)) in challenges.indices.iter().zip(inputs).enumerate() {
        let mut log_n = log_heights[0];
        let mut shift = BabyBear::GENERATOR;
        let mut idx = q;
        let mut value = input[0];
        let mut next_input = 1;
        for (layer, (&log_arity, &beta)) in schedule.iter().zip(&challenges.betas).enumerate() {
            let arity = 1 << log_arity;
            // Width checked by the Merkle verifier: 4·arity base values.
            let values = unflatten(&proof.layers[layer].leaves[leaf_of[layer][qi]].rows[0]);
            let leaf = idx >> log_arity;
            if values[idx & (arity - 1)] != value {
                return Err(FriError::Fold { query: qi, layer });
            }
            value = fold_group(&values, leaf, beta, shift, log_n);
            for _ in 0..log_arity {
                shift = shift.square();
            }
            log_n -= log_arity;
            idx = leaf;
            if next_input < log_heights.len() && log_heights[next_input] == log_n {
                value += beta.pow(arity as u64) * input[next_input];
                next_input += 1;
            }
        }
        // The last fold must be the final polynomial at this point.
        let x =
            shift * BabyBear::two_adic_generator(log_n).pow(reverse_bits_len(idx, log_n) as u64);
        if eval_poly(&proof.final_poly, Ext::from(x)) != value {
            return Err(FriError::FinalPoly { query: qi });
        }
    }
    Ok(())
}
