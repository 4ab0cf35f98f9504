//! The trace domain H = ⟨ω⟩ of size n and its selectors, at any point of the base field or
//! the extension.

use crate::field::{batch_inverse, BabyBear, BabyBearExt4, Field, TwoAdicField};

/// Values of the selectors at one point.
#[derive(Clone, Copy, Debug)]
pub struct Selectors<T> {
    /// L_0(x): 1 at ω⁰, 0 elsewhere on H.
    pub first: T,
    /// L_{n−1}(x): 1 at ω^(n−1), 0 elsewhere on H.
    pub last: T,
    /// x − ω^(n−1): zero only at the last row.
    pub transition: T,
    /// 1 / Z_H(x) = 1 / (x^n − 1).
    pub inv_zeroifier: T,
}

/// Selectors at `x` (not in H) for a trace of 2^log_n rows.
pub fn selectors_at<T>(x: T, log_n: usize) -> Selectors<T>
where
    T: Field + From<BabyBear> + core::ops::Mul<BabyBear, Output = T>,
{
    let n = BabyBear::from_u64(1 << log_n);
    let omega = BabyBear::two_adic_generator(log_n);
    let omega_inv = omega.inverse();
    let mut xn = x;
    for _ in 0..log_n {
        xn = xn.square();
    }
    let z = xn - T::ONE;
    // L_0 = Z/(n(x−1)); L_{n−1} = Z/(n(ωx − 1)).
    let first = z * ((x - T::ONE) * n).inverse();
    let last = z * ((x * omega - T::ONE) * n).inverse();
    Selectors {
        first,
        last,
        transition: x - T::from(omega_inv),
        inv_zeroifier: z.inverse(),
    }
}

/// Evaluate at `z` (outside H) the polynomials of degree < n whose values on H, in natural
/// order, are the columns of a row-major matrix (`width` columns), by the barycentric formula
/// f(z) = (z^n − 1)/n · Σ_i f(ω^i)·ω^i/(z − ω^i).
pub fn barycentric_eval(
    values: &[BabyBear],
    width: usize,
    log_n: usize,
    z: BabyBearExt4,
) -> Vec<BabyBearExt4> {
    let n = 1usize << log_n;
    assert_eq!(values.len(), n * width);
    let omega = BabyBear::two_adic_generator(log_n);
    let mut points = Vec::with_capacity(n);
    let mut w = BabyBear::ONE;
    for _ in 0..n {
        points.push(w);
        w *= omega;
    }
    let denoms: Vec<BabyBearExt4> = points.iter().map(|&p| z - BabyBearExt4::from(p)).collect();
    let inv = batch_inverse(&denoms);
    let mut zn = z;
    for _ in 0..log_n {
        zn = zn.square();
    }
    let scale = (zn - BabyBearExt4::ONE) * BabyBear::from_u64(n as u64).inverse();
    let mut out = vec![BabyBearExt4::ZERO; width];
    for (i, row) in values.chunks_exact(width).enumerate() {
        let coeff = inv[i] * points[i];
        for (o, v) in out.iter_mut().zip(row) {
            *o += coeff * *v;
        }
    }
    out.iter().map(|o| *o * scale).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_on_the_domain_edges() {
        // Evaluate just off the domain and compare with the Lagrange definitions via
        // barycentric interpolation of the indicator vectors.
        let log_n = 3;
        let z = BabyBearExt4::new([
            BabyBear::new(5),
            BabyBear::new(7),
            BabyBear::new(1),
            BabyBear::new(2),
        ]);
        let s = selectors_at(z, log_n);
        let mut first = vec![BabyBear::ZERO; 8];
        first[0] = BabyBear::ONE;
        let mut last = vec![BabyBear::ZERO; 8];
        last[7] = BabyBear::ONE;
        assert_eq!(barycentric_eval(&first, 1, log_n, z)[0], s.first);
        assert_eq!(barycentric_eval(&last, 1, log_n, z)[0], s.last);
    }

    #[test]
    fn barycentric_matches_a_direct_evaluation() {
        // f(x) = 3 + 2x + x^3 on H of size 4.
        let log_n = 2;
        let omega = BabyBear::two_adic_generator(log_n);
        let f = |x: BabyBearExt4| x * x * x + x * BabyBear::new(2) + BabyBear::new(3);
        let values: Vec<BabyBear> = (0..4)
            .map(|i| {
                let x = omega.pow(i);
                x * x * x + x * BabyBear::new(2) + BabyBear::new(3)
            })
            .collect();
        let z = BabyBearExt4::new([
            BabyBear::new(9),
            BabyBear::new(4),
            BabyBear::ZERO,
            BabyBear::new(1),
        ]);
        assert_eq!(barycentric_eval(&values, 1, log_n, z)[0], f(z));
    }
}
