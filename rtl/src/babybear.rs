//! Baby Bear constants and a plain-integer model of the arithmetic the hardware performs.
//!
//! The hardware needs a handful of precomputed constants (twiddle ROMs in Montgomery form,
//! 1/n, R mod p); they are computed here so the RTL crate does not depend on the software
//! prover. The model doubles as the reference for the block-level testbenches.

/// The Baby Bear prime p = 2^31 − 2^27 + 1.
pub const P: u32 = 0x7800_0001;
/// The multiplicative generator fixed by contract 3.
pub const GENERATOR: u32 = 31;
/// Montgomery radix R = 2^32 reduced mod p (the Montgomery form of 1).
pub const R_MOD_P: u32 = ((1u64 << 32) % P as u64) as u32;
/// R² mod p: Montgomery-multiplying a canonical value by this yields its Montgomery form.
pub const R2_MOD_P: u32 = (((1u128 << 64) % P as u128) as u64) as u32;

/// (a + b) mod p for canonical inputs.
pub fn add(a: u32, b: u32) -> u32 {
    let s = a + b;
    if s >= P {
        s - P
    } else {
        s
    }
}

/// (a − b) mod p for canonical inputs.
pub fn sub(a: u32, b: u32) -> u32 {
    if a >= b {
        a - b
    } else {
        a + P - b
    }
}

/// a · b mod p.
pub fn mul(a: u32, b: u32) -> u32 {
    ((a as u64 * b as u64) % P as u64) as u32
}

/// a^e mod p.
pub fn pow(mut a: u32, mut e: u64) -> u32 {
    let mut r = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, a);
        }
        a = mul(a, a);
        e >>= 1;
    }
    r
}

/// a^(−1) mod p (a ≠ 0), by Fermat.
pub fn inv(a: u32) -> u32 {
    pow(a, P as u64 - 2)
}

/// Montgomery form of a canonical value: a · 2^32 mod p.
pub fn to_mont(a: u32) -> u32 {
    (((a as u64) << 32) % P as u64) as u32
}

/// The Montgomery product a · b · 2^(−32) mod p, computed the way `MontMul` does it
/// (T − m·p with m = T·p^(−1) mod 2^32), so the testbenches can check intermediate steps.
pub fn mont_mul(a: u32, b: u32) -> u32 {
    let t = a as u64 * b as u64;
    let t_lo = t as u32;
    // p^(−1) mod 2^32 = 1 − 15·2^27, so m needs only the low five bits of 15·t_lo.
    let m = t_lo.wrapping_sub(t_lo.wrapping_mul(15) << 27);
    let q = m as u64 * P as u64;
    debug_assert_eq!(q as u32, t_lo);
    let d = (t >> 32) as i64 - (q >> 32) as i64;
    if d < 0 {
        (d + P as i64) as u32
    } else {
        d as u32
    }
}

/// The primitive n-th root of unity ω_n = 31^((p−1)/n) (n a power of two ≤ 2^27).
pub fn root_of_unity(n: usize) -> u32 {
    assert!(n.is_power_of_two() && n <= 1 << 27);
    pow(GENERATOR, (P as u64 - 1) / n as u64)
}

/// Straightforward O(n log n) forward NTT (recursive-free Cooley–Tukey with explicit
/// bit reversal): out[k] = Σ_j in[j] · ω_n^(jk). Used as a test reference.
pub fn ntt(input: &[u32]) -> Vec<u32> {
    let n = input.len();
    assert!(n.is_power_of_two());
    let bits = n.trailing_zeros();
    let mut a = vec![0; n];
    for (i, &x) in input.iter().enumerate() {
        let r = if bits == 0 {
            0
        } else {
            i.reverse_bits() >> (usize::BITS - bits)
        };
        a[r] = x;
    }
    let mut len = 2;
    while len <= n {
        let w = root_of_unity(len);
        for start in (0..n).step_by(len) {
            let mut wj = 1;
            for j in 0..len / 2 {
                let u = a[start + j];
                let v = mul(a[start + j + len / 2], wj);
                a[start + j] = add(u, v);
                a[start + j + len / 2] = sub(u, v);
                wj = mul(wj, w);
            }
        }
        len <<= 1;
    }
    a
}

/// Inverse NTT: out[j] = (1/n) Σ_k in[k] · ω_n^(−jk).
pub fn intt(input: &[u32]) -> Vec<u32> {
    let n = input.len();
    let fwd = ntt(input);
    let n_inv = inv(n as u32 % P);
    (0..n).map(|j| mul(fwd[(n - j) % n], n_inv)).collect()
}

/// The O(n²) definition, to check [`ntt`] itself on small sizes.
pub fn ntt_naive(input: &[u32]) -> Vec<u32> {
    let n = input.len();
    let w = root_of_unity(n);
    (0..n)
        .map(|k| {
            let wk = pow(w, k as u64);
            let mut acc = 0;
            let mut x = 1;
            for &a in input {
                acc = add(acc, mul(a, x));
                x = mul(x, wk);
            }
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(P, (1 << 31) - (1 << 27) + 1);
        assert_eq!(mont_mul(R2_MOD_P, 1), R_MOD_P);
        assert_eq!(pow(root_of_unity(1 << 27), 1 << 26), P - 1);
    }

    #[test]
    fn mont_mul_matches_definition() {
        let r_inv = inv(R_MOD_P);
        let mut x = 12345u32;
        for _ in 0..10_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let a = x % P;
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let b = x % P;
            assert_eq!(mont_mul(a, b), mul(mul(a, b), r_inv));
        }
        assert_eq!(mont_mul(P - 1, P - 1), mul(1, r_inv));
    }

    #[test]
    fn fast_ntt_matches_naive_and_inverts() {
        for k in 0..7 {
            let n = 1 << k;
            let v: Vec<u32> = (0..n as u32).map(|i| (i * 7919 + 3) % P).collect();
            assert_eq!(ntt(&v), ntt_naive(&v));
            assert_eq!(intt(&ntt(&v)), v);
        }
    }
}
