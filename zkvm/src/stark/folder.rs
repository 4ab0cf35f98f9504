//! The sinks the prover and verifier evaluate AIRs with (see [`crate::air::window`]).

use super::{LookupChallenges, E};
use crate::air::window::Sink;
use crate::air::{Direction, F};

/// One interaction with its values in the extension field.
pub(super) type ExtInteraction = (usize, Direction, Vec<E>, E);

/// Prover: one point of the low-degree extension. Constraint i (a base-field value) is
/// added times `powers[i]` = α^(K−1−i): the same sum as Horner's rule with α, but each step
/// is a base-by-extension product instead of an extension product.
pub(super) struct PowersSink<'a> {
    pub powers: &'a [E],
    pub index: usize,
    pub acc: E,
    pub lookup: &'a LookupChallenges,
    pub b_powers: &'a [E],
    /// `(fingerprint, ±multiplicity)` of each interaction, computed as it is declared.
    pub fps: Vec<(E, E)>,
}

impl Sink<F> for PowersSink<'_> {
    fn constraint(&mut self, e: F) {
        self.acc += self.powers[self.index] * e;
        self.index += 1;
    }
    fn interaction(&mut self, bus: usize, direction: Direction, values: &[F], multiplicity: F) {
        let fp = self.lookup.fingerprint_base(bus, values, self.b_powers);
        let m = match direction {
            Direction::Send => multiplicity,
            Direction::Receive => -multiplicity,
        };
        self.fps.push((fp, E::from(m)));
    }
}

/// Verifier: the out-of-domain point; constraints folded by Horner's rule with α.
pub(super) struct HornerSink {
    pub alpha: E,
    pub acc: E,
    pub interactions: Vec<ExtInteraction>,
}

impl Sink<E> for HornerSink {
    fn constraint(&mut self, e: E) {
        self.acc = self.acc * self.alpha + e;
    }
    fn interaction(&mut self, bus: usize, direction: Direction, values: &[E], multiplicity: E) {
        self.interactions
            .push((bus, direction, values.to_vec(), multiplicity));
    }
}

/// Counts constraints and records each interaction's bus.
#[derive(Default)]
pub(super) struct CountingSink {
    pub constraints: usize,
    pub buses: Vec<usize>,
}

impl Sink<F> for CountingSink {
    fn constraint(&mut self, _: F) {
        self.constraints += 1;
    }
    fn interaction(&mut self, bus: usize, _: Direction, _: &[F], _: F) {
        self.buses.push(bus);
    }
}
