//! Folding a codeword by two.

use rayon::prelude::*;

use super::Ext;
use crate::field::{BabyBear, Field, TwoAdicField};
use crate::util::reverse_bits_len;

/// Fold a bit-reversed codeword on `shift·H` (|H| = 2^log_n) by two with challenge `beta`.
///
/// Positions `2m` and `2m + 1` hold `f(x)` and `f(−x)` for `x = shift·ω^rev(m)` (ω of order
/// 2^log_n, rev over log_n − 1 bits). The result at `m` is
/// `(f(x) + f(−x))/2 + beta·(f(x) − f(−x))/(2x)`, the codeword of `f_even + beta·f_odd` on
/// `shift²·H²`, again bit-reversed.
pub fn fold_binary(values: &[Ext], beta: Ext, shift: BabyBear, log_n: usize) -> Vec<Ext> {
    let n = values.len();
    assert_eq!(n, 1 << log_n);
    let half = n / 2;
    let inv_two = BabyBear::TWO.inverse();
    // 1/(2x) for every m: (1/2)·shift⁻¹·ω^−rev(m).
    let omega_inv = BabyBear::two_adic_generator(log_n).inverse();
    let mut powers = Vec::with_capacity(half);
    let mut p = inv_two * shift.inverse();
    for _ in 0..half {
        powers.push(p);
        p *= omega_inv;
    }
    let bits = log_n - 1;
    (0..half)
        .into_par_iter()
        .map(|m| {
            let (a, b) = (values[2 * m], values[2 * m + 1]);
            let inv_2x = powers[reverse_bits_len(m, bits)];
            (a + b) * inv_two + beta * ((a - b) * inv_2x)
        })
        .collect()
}

/// Fold one group of `2^log_arity` adjacent values (group `index` of a codeword of size
/// 2^log_n on `shift·H`) down to one value, with `beta, beta², beta⁴, …`. The verifier's
/// counterpart of `log_arity` calls to [`fold_binary`].
pub(crate) fn fold_group(
    values: &[Ext],
    index: usize,
    beta: Ext,
    mut shift: BabyBear,
    mut log_n: usize,
) -> Ext {
    let mut cur = values.to_vec();
    let mut b = beta;
    let inv_two = BabyBear::TWO.inverse();
    while cur.len() > 1 {
        let half = cur.len() / 2;
        let omega = BabyBear::two_adic_generator(log_n);
        let bits = log_n - 1;
        let next: Vec<Ext> = (0..half)
            .map(|j| {
                // Group `index` of 2^a values folds to group `index` of 2^(a−1).
                let m = index * half + j;
                let x = shift * omega.pow(reverse_bits_len(m, bits) as u64);
                let (a, c) = (cur[2 * j], cur[2 * j + 1]);
                (a + c) * inv_two + b * ((a - c) * (inv_two * x.inverse()))
            })
            .collect();
        cur = next;
        shift = shift.square();
        log_n -= 1;
        b = b.square();
    }
    cur[0]
}
