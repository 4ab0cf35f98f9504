//! Small AIRs for tests, benchmarks and documentation.

use super::{Air, AirBuilder, F};
use crate::matrix::RowMajorMatrix;

/// Columns (a, b): row 0 is (pub₀, pub₁); then a' = b and b' = a + b; on the last row b = pub₂.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fibonacci;

impl Air for Fibonacci {
    fn name(&self) -> String {
        "fibonacci".into()
    }
    fn width(&self) -> usize {
        2
    }
    fn max_degree(&self) -> usize {
        2
    }
    fn eval<B: AirBuilder>(&self, b: &mut B) {
        let (a, x) = (b.local()[0].into(), b.local()[1].into());
        let (a2, x2) = (b.next()[0].into(), b.next()[1].into());
        let p = b.public_values().to_vec();
        let (first, last, tr) = (b.is_first_row(), b.is_last_row(), b.is_transition());
        b.assert_zero(first.clone() * (a.clone() - p[0]));
        b.assert_zero(first * (x.clone() - p[1]));
        b.assert_zero(tr.clone() * (a2 - x.clone()));
        b.assert_zero(tr * (x2 - (a + x.clone())));
        b.assert_zero(last * (x - p[2]));
    }
}

/// A valid [`Fibonacci`] trace of `n` rows starting from (a₀, b₀), and its public values.
pub fn fibonacci_trace(n: usize, a0: u32, b0: u32) -> (RowMajorMatrix<F>, Vec<F>) {
    let mut v = Vec::with_capacity(2 * n);
    let (mut a, mut b) = (F::new(a0), F::new(b0));
    for _ in 0..n {
        v.push(a);
        v.push(b);
        (a, b) = (b, a + b);
    }
    let last = v[2 * n - 1];
    (
        RowMajorMatrix::new(v, 2),
        vec![F::new(a0), F::new(b0), last],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::check_constraints;
    use crate::field::Field;

    #[test]
    fn trace_satisfies_and_a_changed_cell_does_not() {
        let (mut t, p) = fibonacci_trace(16, 1, 1);
        check_constraints(&Fibonacci, &t, &p).unwrap();
        assert_eq!(p[2], F::new(1597)); // fib(17)
        t.row_mut(7)[1] += F::ONE;
        let e = check_constraints(&Fibonacci, &t, &p).unwrap_err();
        assert_eq!(e.row, 6); // row 6's transition into row 7 breaks first
    }
}
