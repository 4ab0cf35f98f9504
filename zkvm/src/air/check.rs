//! Evaluating an AIR on concrete rows: the constraint checker (for tests, debugging and the
//! prover's own sanity check) and the interaction collector (for the lookup argument).

use super::{Air, AirBuilder, Direction, F};
use crate::field::Field;
use crate::matrix::RowMajorMatrix;

/// A constraint that does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("table {table}: constraint {constraint} fails on row {row}")]
pub struct ConstraintFailure {
    /// Table name.
    pub table: String,
    /// Row index.
    pub row: usize,
    /// Index of the constraint in evaluation order.
    pub constraint: usize,
}

/// One interaction on one row, with concrete values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowInteraction {
    /// Bus number.
    pub bus: usize,
    /// Send or receive.
    pub direction: Direction,
    /// The tuple.
    pub values: Vec<F>,
    /// How many times it is sent or received.
    pub multiplicity: F,
}

/// Evaluates on one concrete row.
struct RowBuilder<'a> {
    local: &'a [F],
    next: &'a [F],
    prep_local: &'a [F],
    prep_next: &'a [F],
    public: &'a [F],
    first: bool,
    last: bool,
    /// Index of the first failing constraint, if any.
    failed: Option<usize>,
    count: usize,
    interactions: Vec<RowInteraction>,
}

impl AirBuilder for RowBuilder<'_> {
    type Var = F;
    type Expr = F;

    fn local(&self) -> &[F] {
        self.local
    }
    fn next(&self) -> &[F] {
        self.next
    }
    fn preprocessed_local(&self) -> &[F] {
        self.prep_local
    }
    fn preprocessed_next(&self) -> &[F] {
        self.prep_next
    }
    fn public_values(&self) -> &[F] {
        self.public
    }
    fn is_first_row(&self) -> F {
        F::from_u64(self.first as u64)
    }
    fn is_last_row(&self) -> F {
        F::from_u64(self.last as u64)
    }
    fn is_transition(&self) -> F {
        F::from_u64(!self.last as u64)
    }
    fn assert_zero(&mut self, e: F) {
        if !e.is_zero() && self.failed.is_none() {
            self.failed = Some(self.count);
        }
        self.count += 1;
    }
    fn interact(&mut self, bus: usize, direction: Direction, values: &[F], multiplicity: F) {
        self.interactions.push(RowInteraction {
            bus,
            direction,
            values: values.to_vec(),
            multiplicity,
        });
    }
}

/// Run `f` on a builder for every row of `trace`.
fn for_each_row<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
    mut f: impl FnMut(usize, RowBuilder<'_>),
) {
    let prep = air.preprocessed();
    let n = trace.height();
    let empty: [F; 0] = [];
    for row in 0..n {
        let next = (row + 1) % n;
        let (pl, pn) = match &prep {
            Some(p) => (p.row(row), p.row(next)),
            None => (&empty[..], &empty[..]),
        };
        let b = RowBuilder {
            local: trace.row(row),
            next: trace.row(next),
            prep_local: pl,
            prep_next: pn,
            public,
            first: row == 0,
            last: row == n - 1,
            failed: None,
            count: 0,
            interactions: Vec::new(),
        };
        f(row, b);
    }
}

/// Check every constraint of `air` on every row of `trace`; report the first failure.
pub fn check_constraints<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
) -> Result<(), ConstraintFailure> {
    let mut failure = None;
    for_each_row(air, trace, public, |row, mut b| {
        if failure.is_some() {
            return;
        }
        air.eval(&mut b);
        if let Some(constraint) = b.failed {
            failure = Some(ConstraintFailure {
                table: air.name(),
                row,
                constraint,
            });
        }
    });
    failure.map_or(Ok(()), Err)
}

/// The interactions of every row, in row order.
pub fn collect_interactions<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
) -> Vec<Vec<RowInteraction>> {
    let mut out = Vec::with_capacity(trace.height());
    for_each_row(air, trace, public, |_, mut b| {
        air.eval(&mut b);
        out.push(b.interactions);
    });
    out
}
