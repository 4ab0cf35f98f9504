//! FRI over the degree-4 extension: a proof that committed codewords are close to
//! polynomials of low degree.
//!
//! Codewords are evaluations on cosets `g·H` (g = 31, the field generator) in **bit-reversed**
//! order, so the `2^a` points folded together sit in `2^a` adjacent positions and a query at
//! index `q` of the tallest codeword meets index `q >> k` of one `2^k` times shorter — the same
//! rule the mixed-height commitment ([`crate::mmcs`]) uses for rows.
//!
//! Several inputs of different heights are proven at once: the prover folds the tallest, and
//! when the folded codeword has shrunk to an input's height, adds that input times a fresh
//! power of the folding challenge ("rolling in"). Each layer folds by up to
//! `2^max_log_arity`, and the layer sizes are chosen so that every input height is a layer
//! boundary ([`FriConfig::schedule`]). Spec: `docs/stark.md` ("FRI").

mod fold;
mod prover;
mod verifier;

pub use fold::fold_binary;
pub use prover::{prove, prove_unchecked};
pub use verifier::{verifier_challenges, verify_queries, FriChallenges};

use crate::field::{BabyBear, BabyBearExt4, ExtensionField};
use crate::mmcs::{BatchOpening, Digest};

/// The extension field FRI works over.
pub type Ext = BabyBearExt4;

/// FRI parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FriConfig {
    /// log2 of the blowup: codewords are `2^log_blowup` times longer than the degree bound.
    pub log_blowup: usize,
    /// Each layer folds by at most `2^max_log_arity` (16 for 4).
    pub max_log_arity: usize,
    /// The prover sends the last polynomial's coefficients: at most `2^log_final_poly_len`.
    pub log_final_poly_len: usize,
    /// Number of query positions.
    pub num_queries: usize,
    /// Proof-of-work bits ground before the queries are drawn.
    pub pow_bits: u32,
}

/// Bits of an extension field element: an upper bound on what any parameter set can give.
pub const EXT_FIELD_BITS: f64 = 123.9;

impl FriConfig {
    /// Conjectured security in bits: each query of a rate-`2^-log_blowup` code is taken to
    /// catch a cheating prover with probability `1 − 2^-log_blowup` (the "ethSTARK" conjecture),
    /// and grinding adds `pow_bits`; capped by the extension field's size. See
    /// `docs/stark.md` ("Security").
    pub fn conjectured_security_bits(&self) -> f64 {
        let bits = (self.num_queries * self.log_blowup) as f64 + self.pow_bits as f64;
        bits.min(EXT_FIELD_BITS)
    }

    /// log2 of the final codeword's length for inputs of these log heights (tallest first).
    pub fn log_final_size(&self, log_heights: &[usize]) -> usize {
        let smallest = *log_heights.last().expect("at least one input");
        (self.log_final_poly_len + self.log_blowup).min(smallest)
    }

    /// Number of final-polynomial coefficients the prover sends.
    pub fn final_poly_len(&self, log_heights: &[usize]) -> usize {
        1 << (self.log_final_size(log_heights) - self.log_blowup)
    }

    /// log2 of each layer's folding arity, for inputs of these log heights (distinct,
    /// tallest first, each at least `log_blowup`).
    pub fn schedule(&self, log_heights: &[usize]) -> Result<Vec<usize>, FriError> {
        check_heights(self, log_heights)?;
        let final_log = self.log_final_size(log_heights);
        let mut cur = log_heights[0];
        let mut out = Vec::new();
        let targets = log_heights[1..]
            .iter()
            .copied()
            .chain(std::iter::once(final_log));
        for t in targets {
            while cur > t {
                let step = (cur - t).min(self.max_log_arity);
                out.push(step);
                cur -= step;
            }
        }
        Ok(out)
    }
}

fn check_heights(config: &FriConfig, log_heights: &[usize]) -> Result<(), FriError> {
    if log_heights.is_empty() {
        return Err(FriError::Shape("no inputs".into()));
    }
    if config.max_log_arity == 0 {
        return Err(FriError::Shape("max_log_arity is 0".into()));
    }
    if log_heights.windows(2).any(|w| w[0] <= w[1]) {
        return Err(FriError::Shape(format!(
            "input heights {log_heights:?} are not distinct and decreasing"
        )));
    }
    if *log_heights.last().unwrap() < config.log_blowup || log_heights[0] > 27 {
        return Err(FriError::Shape(format!(
            "input heights {log_heights:?} outside [2^log_blowup, 2^27]"
        )));
    }
    Ok(())
}

/// A FRI proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FriProof {
    /// Commitment to each layer's codeword.
    pub commits: Vec<Digest>,
    /// Coefficients of the final polynomial (lowest first).
    pub final_poly: Vec<Ext>,
    /// The proof-of-work nonce.
    pub pow_nonce: u64,
    /// Per layer, the openings at every query as one batch ([`crate::mmcs::BatchOpening`]):
    /// the leaf of each distinct index the queries reach in that layer holds the folded
    /// group's `2^arity` values (four base coordinates each) but one, which the verifier
    /// predicts (the smallest position a query reaches in the group, see `docs/stark.md`,
    /// "FRI"), and, when the layers hide, its salt.
    pub layers: Vec<BatchOpening>,
}

/// Why a FRI proof is rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FriError {
    /// The proof or the inputs do not have the shape the parameters require.
    #[error("FRI shape: {0}")]
    Shape(String),
    /// The proof-of-work nonce does not have enough leading zero bits.
    #[error("FRI proof of work: nonce has fewer than {0} leading zero bits")]
    ProofOfWork(u32),
    /// A layer opening does not match its commitment.
    #[error("FRI layer {layer}: openings do not match the commitment: {err}")]
    Merkle {
        /// Layer number.
        layer: usize,
        /// The Merkle error.
        err: crate::mmcs::MmcsError,
    },
    /// A layer's value differs from the previous layer's fold.
    #[error("FRI query {query}, layer {layer}: value differs from the fold of the layer above")]
    Fold {
        /// Query number.
        query: usize,
        /// Layer number.
        layer: usize,
    },
    /// The last fold differs from the final polynomial.
    #[error("FRI query {query}: final polynomial does not match the last fold")]
    FinalPoly {
        /// Query number.
        query: usize,
    },
    /// The prover's input was not of low degree (a prover-side bug, never a verifier result).
    #[error("FRI input is not of low degree (prover bug)")]
    NotLowDegree,
}

/// The value of each opened group that a layer's leaf leaves out, because the verifier
/// computes it itself (the previous fold, or the input): for the layer's positions `idx`
/// (each query's index into the layer's codeword), the slot within its group of the
/// smallest position in each distinct group, groups ascending — one slot per leaf of the
/// layer's batch opening.
pub(crate) fn predicted_slots(idx: &[usize], log_arity: usize) -> Vec<usize> {
    let mut sorted = idx.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<usize> = Vec::new();
    let mut last_group = None;
    for i in sorted {
        if last_group != Some(i >> log_arity) {
            last_group = Some(i >> log_arity);
            out.push(i & ((1 << log_arity) - 1));
        }
    }
    out
}

/// Extension values as base field values (4 per element), for committing.
pub(crate) fn flatten(values: &[Ext]) -> Vec<BabyBear> {
    values
        .iter()
        .flat_map(|v| v.as_base_slice().to_vec())
        .collect()
}

/// The inverse of [`flatten`].
pub(crate) fn unflatten(values: &[BabyBear]) -> Vec<Ext> {
    values.chunks_exact(4).map(Ext::from_base_slice).collect()
}

#[cfg(test)]
mod tests;
