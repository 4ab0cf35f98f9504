//! The FRI prover.

use super::fold::fold_binary;
use super::{flatten, Ext, FriConfig, FriError, FriProof};
use crate::field::{BabyBear, Field, TwoAdicField};
use crate::matrix::RowMajorMatrix;
use crate::mmcs::{self, ProverRng};
use crate::transcript::Transcript;
use crate::util::reverse_slice_index_bits;

/// Prove that each input codeword (bit-reversed evaluations on `g·H` of size `2^log_height`,
/// g the field generator) is close to a polynomial of degree `< 2^(log_height − log_blowup)`.
///
/// `inputs` are `(log_height, codeword)`, tallest first, heights distinct. With `salt`, every
/// layer commitment hides (a salted leaf per row, see [`mmcs::commit_salted`]). Returns the
/// proof and the query indices (into the tallest codeword) at which the caller must open the
/// commitments the inputs were derived from.
pub fn prove(
    config: &FriConfig,
    inputs: Vec<(usize, Vec<Ext>)>,
    transcript: &mut Transcript,
    salt: Option<&mut ProverRng>,
) -> Result<(FriProof, Vec<usize>), FriError> {
    prove_inner(config, inputs, transcript, salt, true)
}

/// [`prove`] without the final low-degree check: a cheating prover that folds a high-degree
/// codeword honestly and sends a truncated final polynomial. Only for soundness tests.
#[doc(hidden)]
pub fn prove_unchecked(
    config: &FriConfig,
    inputs: Vec<(usize, Vec<Ext>)>,
    transcript: &mut Transcript,
    salt: Option<&mut ProverRng>,
) -> Result<(FriProof, Vec<usize>), FriError> {
    prove_inner(config, inputs, transcript, salt, false)
}

fn prove_inner(
    config: &FriConfig,
    inputs: Vec<(usize, Vec<Ext>)>,
    transcript: &mut Transcript,
    mut salt: Option<&mut ProverRng>,
    strict: bool,
) -> Result<(FriProof, Vec<usize>), FriError> {
    let log_heights: Vec<usize> = inputs.iter().map(|(h, _)| *h).collect();
    let schedule = config.schedule(&log_heights)?;
    for (h, v) in &inputs {
        if v.len() != 1 << h {
            return Err(FriError::Shape(format!(
                "input of height 2^{h} has {} values",
                v.len()
            )));
        }
    }
    let mut inputs = inputs.into_iter();
    let (mut log_n, mut cur) = inputs.next().unwrap();
    let mut pending = inputs.peekable();
    let mut shift = BabyBear::GENERATOR;
    let mut layers = Vec::with_capacity(schedule.len());
    let mut commits = Vec::with_capacity(schedule.len());

    for &log_arity in &schedule {
        let arity = 1 << log_arity;
        let mat = RowMajorMatrix::new(flatten(&cur), 4 * arity);
        let data = mmcs::commit_salted(vec![mat], salt.as_deref_mut());
        transcript.absorb_digest(b"fri-layer", &data.root());
        commits.push(data.root());
        let beta = transcript.sample_ext();
        let mut b = beta;
        for _ in 0..log_arity {
            cur = fold_binary(&cur, b, shift, log_n);
            shift = shift.square();
            log_n -= 1;
            b = b.square();
        }
        // b is now beta^arity: a fresh coefficient for an input of this height.
        if let Some((_, input)) = pending.next_if(|(h, _)| *h == log_n) {
            for (c, v) in cur.iter_mut().zip(input) {
                *c += b * v;
            }
        }
        layers.push(data);
    }
    debug_assert!(pending.next().is_none());

    let final_len = config.final_poly_len(&log_heights);
    let final_poly = interpolate_coset(&cur, shift, log_n);
    if strict && final_poly[final_len..].iter().any(|c| !c.is_zero()) {
        return Err(FriError::NotLowDegree);
    }
    let final_poly = final_poly[..final_len].to_vec();
    transcript.absorb_ext(b"fri-final", &final_poly);
    let pow_nonce = transcript.grind(config.pow_bits);

    let log_max = log_heights[0];
    let indices: Vec<usize> = (0..config.num_queries)
        .map(|_| transcript.sample_bits(log_max))
        .collect();
    let mut idx = indices.clone();
    let openings = schedule
        .iter()
        .zip(&layers)
        .map(|(&log_arity, data)| {
            let groups: Vec<usize> = idx.iter().map(|i| i >> log_arity).collect();
            let mut batch = mmcs::open_batch(data, &groups);
            // The verifier predicts one value of each group (see `predicted_slots`): leave
            // it out.
            for (leaf, slot) in batch
                .leaves
                .iter_mut()
                .zip(super::predicted_slots(&idx, log_arity))
            {
                leaf.rows[0].drain(4 * slot..4 * slot + 4);
            }
            idx = groups;
            batch
        })
        .collect();
    Ok((
        FriProof {
            commits,
            final_poly,
            pow_nonce,
            layers: openings,
        },
        indices,
    ))
}

/// Coefficients of the polynomial whose bit-reversed evaluations on `shift·H` are `values`
/// (O(n²): only used for the short final codeword).
fn interpolate_coset(values: &[Ext], shift: BabyBear, log_n: usize) -> Vec<Ext> {
    let n = values.len();
    let mut natural = values.to_vec();
    reverse_slice_index_bits(&mut natural);
    let omega_inv = BabyBear::two_adic_generator(log_n).inverse();
    let n_inv = BabyBear::from_u64(n as u64).inverse();
    let shift_inv = shift.inverse();
    // c_j = shift^-j · (1/n) Σ_i v_i ω^-ij
    let mut out = Vec::with_capacity(n);
    let mut sj = BabyBear::ONE;
    for j in 0..n {
        let w = omega_inv.pow(j as u64);
        let mut acc = Ext::ZERO;
        let mut wi = BabyBear::ONE;
        for v in &natural {
            acc += *v * wi;
            wi *= w;
        }
        out.push(acc * (n_inv * sj));
        sj *= shift_inv;
    }
    out
}

/// Evaluate a polynomial (coefficients lowest first) at `x`.
pub(crate) fn eval_poly(coeffs: &[Ext], x: Ext) -> Ext {
    coeffs.iter().rev().fold(Ext::ZERO, |acc, c| acc * x + *c)
}
