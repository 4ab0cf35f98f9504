//! The builders the prover and verifier evaluate AIRs with.

use super::{Selectors, E};
use crate::air::{AirBuilder, Direction, F};

/// Prover: one point of the low-degree extension. Constraint i (a base-field value) is
/// added times `powers[i]` = α^(K−1−i): the same sum as Horner's rule with α, but each step
/// is a base-by-extension product instead of an extension product.
pub(super) struct LdeFolder<'a> {
    local: &'a [F],
    next: &'a [F],
    prep_local: &'a [F],
    prep_next: &'a [F],
    public: &'a [F],
    sel: &'a Selectors<F>,
    powers: &'a [E],
    pub index: usize,
    pub acc: E,
    pub interactions: Vec<(usize, Direction, Vec<E>, E)>,
}

impl<'a> LdeFolder<'a> {
    pub fn new(
        local: &'a [F],
        next: &'a [F],
        prep_local: &'a [F],
        prep_next: &'a [F],
        public: &'a [F],
        sel: &'a Selectors<F>,
        powers: &'a [E],
    ) -> Self {
        LdeFolder {
            local,
            next,
            prep_local,
            prep_next,
            public,
            sel,
            powers,
            index: 0,
            acc: E::default(),
            interactions: Vec::new(),
        }
    }
}

impl AirBuilder for LdeFolder<'_> {
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
        self.sel.first
    }
    fn is_last_row(&self) -> F {
        self.sel.last
    }
    fn is_transition(&self) -> F {
        self.sel.transition
    }
    fn assert_zero(&mut self, e: F) {
        self.acc += self.powers[self.index] * e;
        self.index += 1;
    }
    fn interact(&mut self, bus: usize, direction: Direction, values: &[F], multiplicity: F) {
        self.interactions.push((
            bus,
            direction,
            values.iter().map(|&v| E::from(v)).collect(),
            E::from(multiplicity),
        ));
    }
}

/// Verifier: the out-of-domain point; everything is in the extension.
pub(super) struct OodFolder<'a> {
    local: &'a [E],
    next: &'a [E],
    prep_local: &'a [E],
    prep_next: &'a [E],
    public: &'a [F],
    sel: &'a Selectors<E>,
    alpha: E,
    pub acc: E,
    pub interactions: Vec<(usize, Direction, Vec<E>, E)>,
}

impl<'a> OodFolder<'a> {
    pub fn new(
        local: &'a [E],
        next: &'a [E],
        prep_local: &'a [E],
        prep_next: &'a [E],
        public: &'a [F],
        sel: &'a Selectors<E>,
        alpha: E,
    ) -> Self {
        OodFolder {
            local,
            next,
            prep_local,
            prep_next,
            public,
            sel,
            alpha,
            acc: E::default(),
            interactions: Vec::new(),
        }
    }
}

impl AirBuilder for OodFolder<'_> {
    type Var = E;
    type Expr = E;
    fn local(&self) -> &[E] {
        self.local
    }
    fn next(&self) -> &[E] {
        self.next
    }
    fn preprocessed_local(&self) -> &[E] {
        self.prep_local
    }
    fn preprocessed_next(&self) -> &[E] {
        self.prep_next
    }
    fn public_values(&self) -> &[F] {
        self.public
    }
    fn is_first_row(&self) -> E {
        self.sel.first
    }
    fn is_last_row(&self) -> E {
        self.sel.last
    }
    fn is_transition(&self) -> E {
        self.sel.transition
    }
    fn assert_zero(&mut self, e: E) {
        self.acc = self.acc * self.alpha + e;
    }
    fn interact(&mut self, bus: usize, direction: Direction, values: &[E], multiplicity: E) {
        self.interactions
            .push((bus, direction, values.to_vec(), multiplicity));
    }
}

/// Counts interactions by evaluating on rows of zeros.
pub(super) struct CountingBuilder<'a> {
    zeros: Vec<F>,
    prep_zeros: Vec<F>,
    public: &'a [F],
    pub interactions: usize,
    pub constraints: usize,
}

impl<'a> CountingBuilder<'a> {
    pub fn new(width: usize, prep_width: usize, public: &'a [F]) -> Self {
        CountingBuilder {
            zeros: vec![F::default(); width],
            prep_zeros: vec![F::default(); prep_width],
            public,
            interactions: 0,
            constraints: 0,
        }
    }
}

impl AirBuilder for CountingBuilder<'_> {
    type Var = F;
    type Expr = F;
    fn local(&self) -> &[F] {
        &self.zeros
    }
    fn next(&self) -> &[F] {
        &self.zeros
    }
    fn preprocessed_local(&self) -> &[F] {
        &self.prep_zeros
    }
    fn preprocessed_next(&self) -> &[F] {
        &self.prep_zeros
    }
    fn public_values(&self) -> &[F] {
        self.public
    }
    fn is_first_row(&self) -> F {
        F::default()
    }
    fn is_last_row(&self) -> F {
        F::default()
    }
    fn is_transition(&self) -> F {
        F::default()
    }
    fn assert_zero(&mut self, _: F) {
        self.constraints += 1;
    }
    fn interact(&mut self, _: usize, _: Direction, _: &[F], _: F) {
        self.interactions += 1;
    }
}
