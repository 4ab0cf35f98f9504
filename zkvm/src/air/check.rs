//! Evaluating an AIR on concrete rows: the constraint checker (for tests, debugging and the
//! prover's own sanity check) and the interaction collector (for the lookup argument).

use super::window::{Sink, Window, WindowBuilder};
use super::{Air, Direction, F};
use crate::field::Field;
use crate::matrix::RowMajorMatrix;

/// A constraint that does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("table {table}: constraint {constraint} ({at}) fails on row {row}")]
pub struct ConstraintFailure {
    /// Table name.
    pub table: String,
    /// Row index.
    pub row: usize,
    /// Index of the constraint in evaluation order.
    pub constraint: usize,
    /// Where the AIR asserts it (`file:line`).
    pub at: String,
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

/// Records the first failing constraint and every interaction of one row.
#[derive(Default)]
struct RowSink {
    failed: Option<usize>,
    failed_at: Option<&'static core::panic::Location<'static>>,
    count: usize,
    interactions: Vec<RowInteraction>,
    /// Only constraints are checked: interactions are not recorded.
    constraints_only: bool,
}

impl Sink<F> for RowSink {
    fn constraint(&mut self, e: F) {
        if !e.is_zero() && self.failed.is_none() {
            self.failed = Some(self.count);
        }
        self.count += 1;
    }
    fn constraint_at(&mut self, e: F, at: &'static core::panic::Location<'static>) {
        if !e.is_zero() && self.failed.is_none() {
            self.failed_at = Some(at);
        }
        self.constraint(e);
    }
    fn interaction(&mut self, bus: usize, direction: Direction, values: &[F], multiplicity: F) {
        if self.constraints_only {
            return;
        }
        self.interactions.push(RowInteraction {
            bus,
            direction,
            values: values.to_vec(),
            multiplicity,
        });
    }
}

/// Evaluate `air` on every row of `trace`, handing each row's sink to `f`.
fn for_each_row<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
    rows: impl Iterator<Item = usize>,
    mut f: impl FnMut(usize, RowSink),
) {
    let prep = air.preprocessed();
    for row in rows {
        let mut b = WindowBuilder {
            window: Window::at_row(trace, prep.as_ref(), public, row),
            sink: RowSink::default(),
        };
        air.eval(&mut b);
        f(row, b.sink);
    }
}

/// Check every constraint of `air` on every row of `trace`; report the first failure (the
/// lowest row, and its first failing constraint). Rows are checked in parallel, in blocks.
pub fn check_constraints<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
) -> Result<(), ConstraintFailure> {
    use rayon::prelude::*;
    const ROWS: usize = 1 << 12;
    let prep = air.preprocessed();
    let first = (0..trace.height().div_ceil(ROWS))
        .into_par_iter()
        .find_map_first(|b| {
            (b * ROWS..((b + 1) * ROWS).min(trace.height())).find_map(|row| {
                let mut builder = WindowBuilder {
                    window: Window::at_row(trace, prep.as_ref(), public, row),
                    sink: RowSink {
                        constraints_only: true,
                        ..RowSink::default()
                    },
                };
                air.eval(&mut builder);
                failure(air, row, &builder.sink)
            })
        });
    first.map_or(Ok(()), Err)
}

/// The interactions of every row, in row order.
pub fn collect_interactions<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
) -> Vec<Vec<RowInteraction>> {
    let mut out = Vec::with_capacity(trace.height());
    for_each_row(air, trace, public, 0..trace.height(), |_, sink| {
        out.push(sink.interactions)
    });
    out
}

/// [`check_constraints`] on the given rows only (each with its next row).
pub fn check_rows<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
    rows: &[usize],
) -> Result<(), ConstraintFailure> {
    let mut first = None;
    for_each_row(air, trace, public, rows.iter().copied(), |row, sink| {
        if first.is_none() {
            first = failure(air, row, &sink);
        }
    });
    first.map_or(Ok(()), Err)
}

/// The failure a row's sink recorded, if any.
fn failure<A: Air>(air: &A, row: usize, sink: &RowSink) -> Option<ConstraintFailure> {
    sink.failed.map(|constraint| ConstraintFailure {
        table: air.name(),
        row,
        constraint,
        at: sink
            .failed_at
            .map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line())),
    })
}

/// [`collect_interactions`] of the given rows only.
pub fn row_interactions<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
    rows: &[usize],
) -> Vec<Vec<RowInteraction>> {
    let mut out = Vec::with_capacity(rows.len());
    for_each_row(air, trace, public, rows.iter().copied(), |_, sink| {
        out.push(sink.interactions)
    });
    out
}
