//! The sinks the prover and verifier evaluate AIRs with (see [`crate::air::window`]).

use super::{LookupChallenges, E};
use crate::air::window::Sink;
use crate::air::{Direction, F};
use crate::field::WideExt;

/// One interaction with its values in the extension field.
pub(super) type ExtInteraction = (usize, Direction, Vec<E>, E);

/// Prover: one point of the low-degree extension. Constraint i (a base-field value) is
/// added times `powers[i]` = α^(K−1−i): the same sum as Horner's rule with α, but each step
/// is a base-by-extension product, summed unreduced ([`WideExt`]) and reduced once.
pub(super) struct PowersSink<'a> {
    pub powers: &'a [E],
    pub index: usize,
    pub acc: WideExt,
    pub lookup: &'a LookupChallenges,
    pub b_powers: &'a [E],
    /// `(fingerprint, ±multiplicity)` of each interaction, computed as it is declared.
    pub fps: &'a mut Vec<(E, E)>,
}

impl Sink<F> for PowersSink<'_> {
    #[inline]
    fn constraint(&mut self, e: F) {
        self.acc.add_product(&self.powers[self.index], e);
        self.index += 1;
    }
    #[inline]
    fn interaction(&mut self, bus: usize, direction: Direction, values: &[F], multiplicity: F) {
        let fp = self.lookup.fingerprint_base(bus, values, self.b_powers);
        let m = super::signed(direction, multiplicity);
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

/// An upper bound on an expression's degree (constants 0, cells and selectors 1): how the
/// prover and verifier decide which interactions can share a logUp column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deg(pub usize);

impl From<F> for Deg {
    fn from(_: F) -> Self {
        Deg(0)
    }
}

impl core::ops::Add for Deg {
    type Output = Deg;
    fn add(self, o: Deg) -> Deg {
        Deg(self.0.max(o.0))
    }
}

impl core::ops::Sub for Deg {
    type Output = Deg;
    fn sub(self, o: Deg) -> Deg {
        Deg(self.0.max(o.0))
    }
}

impl core::ops::Mul for Deg {
    type Output = Deg;
    // The degree of a product is the sum of the degrees.
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn mul(self, o: Deg) -> Deg {
        Deg(self.0 + o.0)
    }
}

impl core::ops::Neg for Deg {
    type Output = Deg;
    fn neg(self) -> Deg {
        self
    }
}

impl core::ops::Add<F> for Deg {
    type Output = Deg;
    fn add(self, _: F) -> Deg {
        self
    }
}

impl core::ops::Sub<F> for Deg {
    type Output = Deg;
    fn sub(self, _: F) -> Deg {
        self
    }
}

impl core::ops::Mul<F> for Deg {
    type Output = Deg;
    fn mul(self, _: F) -> Deg {
        self
    }
}

/// Records `(fingerprint degree, multiplicity degree)` per interaction.
#[derive(Default)]
pub(super) struct DegreeSink {
    pub degrees: Vec<(usize, usize)>,
}

impl Sink<Deg> for DegreeSink {
    fn constraint(&mut self, _: Deg) {}
    fn interaction(&mut self, _: usize, _: Direction, values: &[Deg], multiplicity: Deg) {
        let f = values.iter().map(|d| d.0).max().unwrap_or(0);
        self.degrees.push((f, multiplicity.0));
    }
}

/// The prover's logUp input: `(fingerprint, ±multiplicity)` per interaction, no constraints,
/// written in declaration order into `terms` (one row's worth).
pub(super) struct TermSink<'a> {
    pub lookup: &'a LookupChallenges,
    pub powers: &'a [E],
    pub terms: &'a mut [(E, F)],
    pub index: usize,
}

impl Sink<F> for TermSink<'_> {
    fn constraint(&mut self, _: F) {}
    fn interaction(&mut self, bus: usize, direction: Direction, values: &[F], multiplicity: F) {
        let fp = self.lookup.fingerprint_base(bus, values, self.powers);
        let m = super::signed(direction, multiplicity);
        self.terms[self.index] = (fp, m);
        self.index += 1;
    }
}
