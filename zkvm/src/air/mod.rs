//! Algebraic intermediate representations: what a table's rows must satisfy.
//!
//! An [`Air`] describes one table: its main (witness) width, optional preprocessed (fixed)
//! columns, its polynomial constraints over two adjacent rows, and the tuples it sends to or
//! receives from lookup buses. It is written once, generically over an [`AirBuilder`], and
//! evaluated by several builders: the prover's quotient evaluation on the low-degree
//! extension, the verifier's evaluation at the out-of-domain point, a row-by-row checker for
//! tests and debugging, and a collector of bus interactions. See `docs/stark.md` ("AIR").

mod check;
pub mod toy;
pub mod window;

pub use check::{
    check_constraints, check_rows, collect_interactions, row_interactions, ConstraintFailure,
    RowInteraction,
};

use core::ops::{Add, Mul, Neg, Sub};

use crate::field::{BabyBear, Field};
use crate::matrix::RowMajorMatrix;

/// The base field of every AIR.
pub type F = BabyBear;

/// Arithmetic an expression type must support.
pub trait Algebra:
    Clone
    + From<F>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + Add<F, Output = Self>
    + Sub<F, Output = Self>
    + Mul<F, Output = Self>
{
}

impl<T> Algebra for T where
    T: Clone
        + From<F>
        + Add<Output = T>
        + Sub<Output = T>
        + Mul<Output = T>
        + Neg<Output = T>
        + Add<F, Output = T>
        + Sub<F, Output = T>
        + Mul<F, Output = T>
{
}

/// Which way a tuple travels on a bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Adds `multiplicity / fingerprint` to the bus.
    Send,
    /// Subtracts it.
    Receive,
}

/// What an AIR's `eval` reads and writes.
pub trait AirBuilder {
    /// A cell value (a column of the current or next row).
    type Var: Into<Self::Expr> + Copy;
    /// An expression over cells.
    type Expr: Algebra;

    /// The main columns of the current row.
    fn local(&self) -> &[Self::Var];
    /// The main columns of the next row (the first row follows the last: the domain wraps).
    fn next(&self) -> &[Self::Var];
    /// The preprocessed columns of the current row (empty if the table has none).
    fn preprocessed_local(&self) -> &[Self::Var];
    /// The preprocessed columns of the next row.
    fn preprocessed_next(&self) -> &[Self::Var];
    /// The proof's public values.
    fn public_values(&self) -> &[F];
    /// 1 on the first row, 0 elsewhere.
    fn is_first_row(&self) -> Self::Expr;
    /// 1 on the last row, 0 elsewhere.
    fn is_last_row(&self) -> Self::Expr;
    /// 0 on the last row, non-zero elsewhere: multiply transition constraints by it.
    fn is_transition(&self) -> Self::Expr;
    /// Require `e` to be zero on every row.
    fn assert_zero(&mut self, e: Self::Expr);
    /// Put `values` on bus `bus` with `multiplicity` (an expression, zero on unused rows).
    fn interact(
        &mut self,
        bus: usize,
        direction: Direction,
        values: &[Self::Expr],
        multiplicity: Self::Expr,
    );

    /// Require `a == b`.
    #[track_caller]
    fn assert_eq(&mut self, a: Self::Expr, b: Self::Expr) {
        self.assert_zero(a - b);
    }
    /// Require `x ∈ {0, 1}`.
    #[track_caller]
    fn assert_bool(&mut self, x: Self::Expr) {
        self.assert_zero(x.clone() * (x - F::ONE));
    }
    /// Send `values` on `bus` with `multiplicity`.
    fn send(&mut self, bus: usize, values: &[Self::Expr], multiplicity: Self::Expr) {
        self.interact(bus, Direction::Send, values, multiplicity);
    }
    /// Receive `values` from `bus` with `multiplicity`.
    fn receive(&mut self, bus: usize, values: &[Self::Expr], multiplicity: Self::Expr) {
        self.interact(bus, Direction::Receive, values, multiplicity);
    }
}

/// A row of cells as expressions, on the stack: AIRs are evaluated at every LDE point, where
/// a heap allocation per point would cost as much as many constraints. Panics unless the row
/// has `N` cells.
pub fn row_exprs<B: AirBuilder, const N: usize>(vars: &[B::Var]) -> [B::Expr; N] {
    assert_eq!(vars.len(), N, "row width");
    core::array::from_fn(|c| vars[c].into())
}

/// One table's constraints.
pub trait Air: Sync {
    /// A short name for reports and errors.
    fn name(&self) -> String;
    /// Number of main columns.
    fn width(&self) -> usize;
    /// The preprocessed (fixed) columns, if any: committed once, part of the verifying key.
    fn preprocessed(&self) -> Option<RowMajorMatrix<F>> {
        None
    }
    /// An upper bound on the degree of every constraint, counting selectors (at least 2).
    /// A bus interaction contributes degree `1 + max(deg(values), deg(multiplicity))`.
    fn max_degree(&self) -> usize;
    /// Evaluate the constraints and declare the interactions.
    fn eval<B: AirBuilder>(&self, builder: &mut B);
}
