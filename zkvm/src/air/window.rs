//! One generic [`AirBuilder`]: a [`Window`] of values (two rows, selectors, public values) and
//! a [`Sink`] that decides what a constraint or an interaction does. The constraint checker,
//! the prover's and the verifier's folders and the interaction counter are all sinks.

use super::{AirBuilder, Algebra, Direction, F};
use crate::field::Field;
use crate::matrix::RowMajorMatrix;

/// What an AIR sees at one point: the current and next rows of its main and preprocessed
/// columns, the selectors there, and the public values.
#[derive(Clone, Copy, Debug)]
pub struct Window<'a, T> {
    /// Main columns, current row.
    pub local: &'a [T],
    /// Main columns, next row.
    pub next: &'a [T],
    /// Preprocessed columns, current row.
    pub prep_local: &'a [T],
    /// Preprocessed columns, next row.
    pub prep_next: &'a [T],
    /// Public values.
    pub public: &'a [F],
    /// L₀ at this point.
    pub first: T,
    /// L_{n−1} at this point.
    pub last: T,
    /// x − ω^(n−1) at this point.
    pub transition: T,
}

impl<'a> Window<'a, F> {
    /// Row `row` of a trace on its own domain: that row and the next (the last row's next is
    /// the first), the preprocessed rows likewise, and the selectors' 0/1 values there.
    pub fn at_row(
        trace: &'a RowMajorMatrix<F>,
        prep: Option<&'a RowMajorMatrix<F>>,
        public: &'a [F],
        row: usize,
    ) -> Self {
        let n = trace.height();
        let next = (row + 1) % n;
        let last = row == n - 1;
        let bit = |b: bool| if b { F::ONE } else { F::ZERO };
        Window {
            local: trace.row(row),
            next: trace.row(next),
            prep_local: prep.map_or(&[][..], |p| p.row(row)),
            prep_next: prep.map_or(&[][..], |p| p.row(next)),
            public,
            first: bit(row == 0),
            last: bit(last),
            transition: bit(!last),
        }
    }
}

/// Receives the constraints and interactions of one evaluation.
pub trait Sink<T> {
    /// A constraint value (zero when satisfied).
    fn constraint(&mut self, value: T);
    /// [`Sink::constraint`], told where the AIR asserted it (for error messages).
    fn constraint_at(&mut self, value: T, _at: &'static core::panic::Location<'static>) {
        self.constraint(value);
    }
    /// An interaction with its evaluated tuple and multiplicity.
    fn interaction(&mut self, bus: usize, direction: Direction, values: &[T], multiplicity: T);
}

/// An [`AirBuilder`] over a [`Window`], reporting to a [`Sink`].
pub struct WindowBuilder<'a, T, S> {
    /// The values.
    pub window: Window<'a, T>,
    /// Where constraints and interactions go.
    pub sink: S,
}

impl<T: Algebra + Copy, S: Sink<T>> AirBuilder for WindowBuilder<'_, T, S> {
    type Var = T;
    type Expr = T;

    fn local(&self) -> &[T] {
        self.window.local
    }
    fn next(&self) -> &[T] {
        self.window.next
    }
    fn preprocessed_local(&self) -> &[T] {
        self.window.prep_local
    }
    fn preprocessed_next(&self) -> &[T] {
        self.window.prep_next
    }
    fn public_values(&self) -> &[F] {
        self.window.public
    }
    fn is_first_row(&self) -> T {
        self.window.first
    }
    fn is_last_row(&self) -> T {
        self.window.last
    }
    fn is_transition(&self) -> T {
        self.window.transition
    }
    #[track_caller]
    fn assert_zero(&mut self, e: T) {
        self.sink.constraint_at(e, core::panic::Location::caller());
    }
    fn interact(&mut self, bus: usize, direction: Direction, values: &[T], multiplicity: T) {
        self.sink.interaction(bus, direction, values, multiplicity);
    }
}
