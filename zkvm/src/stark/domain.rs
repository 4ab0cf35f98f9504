//! The trace domain H = ⟨ω⟩ of size n and its selectors, at any point of the base field or
//! the extension.

use rayon::prelude::*;

use crate::field::{
    batch_inverse, BabyBear, BabyBearExt4, ExtensionField, Field, PrimeField32, TwoAdicField,
};

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

/// `scale/(x − z)` for every base-field point `x`, where `z` lies outside the base field.
///
/// Uses the norm: m(X) = Π_σ (X − σ(z)) over the four Frobenius conjugates of z has base-field
/// coefficients, so `1/(x − z) = P(x)/m(x)` with P = m/(X − z) a cubic; one batch inversion in
/// the base field and a few base-by-extension products per point replace an extension-field
/// batch inversion.
pub(crate) fn inv_diffs(
    xs: &[BabyBear],
    z: BabyBearExt4,
    scale: BabyBearExt4,
) -> Vec<BabyBearExt4> {
    let p = BabyBear::ORDER_U32 as u64;
    let z1 = z.pow(p);
    let z2 = z1.pow(p);
    let z3 = z2.pow(p);
    // P(X) = (X − z1)(X − z2)(X − z3) = X³ + p2·X² + p1·X + p0.
    let p2 = -(z1 + z2 + z3);
    let p1 = z1 * z2 + z1 * z3 + z2 * z3;
    let p0 = -(z1 * z2 * z3);
    // m(X) = (X − z)·P(X) = X⁴ + (p2 − z)X³ + (p1 − z·p2)X² + (p0 − z·p1)X − z·p0, all in F.
    let base = |e: BabyBearExt4| e.as_base_slice()[0];
    let m = [
        base(-(z * p0)),
        base(p0 - z * p1),
        base(p1 - z * p2),
        base(p2 - z),
    ];
    debug_assert!(crate::transcript::is_in_base_field(p2 - z));
    // scale·P(x) by Horner on the scaled coefficients: no extension product per point.
    let (s3, s2, s1, s0) = (scale, scale * p2, scale * p1, scale * p0);
    xs.par_chunks(4096)
        .flat_map_iter(|xs| {
            let norms: Vec<BabyBear> = xs
                .iter()
                .map(|&x| (((x + m[3]) * x + m[2]) * x + m[1]) * x + m[0])
                .collect();
            let inv = batch_inverse(&norms);
            xs.iter()
                .zip(inv)
                .map(move |(&x, i)| (((s3 * x + s2) * x + s1) * x + s0) * i)
        })
        .collect()
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
    // 1/(z − ωⁱ) = −1/(ωⁱ − z).
    let inv = inv_diffs(&points, z, -BabyBearExt4::ONE);
    let mut zn = z;
    for _ in 0..log_n {
        zn = zn.square();
    }
    let scale = (zn - BabyBearExt4::ONE) * BabyBear::from_u64(n as u64).inverse();
    const ROWS: usize = 4096;
    let out = values
        .par_chunks(ROWS * width)
        .enumerate()
        .map(|(b, block)| {
            let mut out = vec![BabyBearExt4::ZERO; width];
            for (k, row) in block.chunks_exact(width).enumerate() {
                let i = b * ROWS + k;
                let coeff = inv[i] * points[i];
                for (o, v) in out.iter_mut().zip(row) {
                    *o += coeff * *v;
                }
            }
            out
        })
        .reduce(
            || vec![BabyBearExt4::ZERO; width],
            |a, b| a.iter().zip(&b).map(|(x, y)| *x + *y).collect(),
        );
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
    fn inverse_differences_via_the_norm() {
        let z = BabyBearExt4::new([
            BabyBear::new(3),
            BabyBear::new(1),
            BabyBear::new(4),
            BabyBear::new(1),
        ]);
        let xs: Vec<BabyBear> = (0..50).map(|i| BabyBear::new(i * 7919 + 5)).collect();
        let scale = z * z + BabyBearExt4::ONE;
        for (x, v) in xs.iter().zip(inv_diffs(&xs, z, scale)) {
            assert_eq!(v * (BabyBearExt4::from(*x) - z), scale);
        }
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
