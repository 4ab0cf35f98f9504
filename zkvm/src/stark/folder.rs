//! The sinks the prover and verifier evaluate AIRs with (see [`crate::air::window`]).

use super::{LookupChallenges, PackedLogUpRow, BLINDING_BUS, E};
use crate::air::window::Sink;
use crate::air::{Direction, F};
use crate::field::packed::LANES;
use crate::field::{PackedBabyBear, PackedExt4, WideExt};
use crate::ntt::{shoup, Backend, Scalar};

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

/// The set of next-row cells an expression depends on, as a bitset over the main columns
/// then the preprocessed ones ([`DEP_CELLS`] at most): every operation joins its operands'
/// sets, so an evaluation over `Dep` finds every next-row cell a constraint or an
/// interaction reads (a superset if some term cancels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Dep(pub [u64; DEP_CELLS / 64]);

/// How many next-row cells [`Dep`] tracks; a wider table is opened at ζω in full.
pub(super) const DEP_CELLS: usize = 512;

impl Dep {
    /// The set holding cell `i` alone.
    pub fn cell(i: usize) -> Self {
        let mut d = Dep::default();
        d.0[i / 64] |= 1 << (i % 64);
        d
    }
    fn join(self, o: Dep) -> Dep {
        let mut d = self;
        for (a, b) in d.0.iter_mut().zip(o.0) {
            *a |= b;
        }
        d
    }
    /// Whether cell `i` is in the set.
    pub fn has(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
}

impl From<F> for Dep {
    fn from(_: F) -> Self {
        Dep::default()
    }
}

impl core::ops::Add for Dep {
    type Output = Dep;
    fn add(self, o: Dep) -> Dep {
        self.join(o)
    }
}

impl core::ops::Sub for Dep {
    type Output = Dep;
    fn sub(self, o: Dep) -> Dep {
        self.join(o)
    }
}

impl core::ops::Mul for Dep {
    type Output = Dep;
    fn mul(self, o: Dep) -> Dep {
        self.join(o)
    }
}

impl core::ops::Neg for Dep {
    type Output = Dep;
    fn neg(self) -> Dep {
        self
    }
}

impl core::ops::Add<F> for Dep {
    type Output = Dep;
    fn add(self, _: F) -> Dep {
        self
    }
}

impl core::ops::Sub<F> for Dep {
    type Output = Dep;
    fn sub(self, _: F) -> Dep {
        self
    }
}

impl core::ops::Mul<F> for Dep {
    type Output = Dep;
    fn mul(self, _: F) -> Dep {
        self
    }
}

/// Joins the [`Dep`] of every constraint and interaction (tuple and multiplicity).
#[derive(Default)]
pub(super) struct DepSink {
    pub used: Dep,
}

impl Sink<Dep> for DepSink {
    fn constraint(&mut self, v: Dep) {
        self.used = self.used.join(v);
    }
    fn interaction(&mut self, _: usize, _: Direction, values: &[Dep], multiplicity: Dep) {
        self.used = values
            .iter()
            .fold(self.used.join(multiplicity), |a, &v| a.join(v));
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

/// Prover, [`LANES`](crate::field::packed::LANES) LDE points at once: records the packed
/// constraint values and interactions as the AIR declares them; all the extension-field
/// arithmetic (the α-combination, fingerprints, logUp constraints) then runs in one pass,
/// [`packed_tail`], compiled for the CPU's vector unit.
pub(super) struct PackedSink<'a> {
    pub scratch: &'a mut PackedScratch,
}

/// What one packed evaluation records, reused across points so that none allocates.
#[derive(Default)]
pub struct PackedScratch {
    /// Constraint values in evaluation order.
    constraints: Vec<PackedBabyBear>,
    /// The interactions' tuples, one after another.
    values: Vec<PackedBabyBear>,
    /// Per interaction: bus, tuple length, ±multiplicity.
    interactions: Vec<(usize, usize, PackedBabyBear)>,
    /// Per interaction: (fingerprint, ±multiplicity).
    fps: Vec<(PackedExt4, PackedBabyBear)>,
    /// The logUp constraints' values.
    logup: Vec<PackedExt4>,
}

impl PackedScratch {
    pub(super) fn clear(&mut self) {
        self.constraints.clear();
        self.values.clear();
        self.interactions.clear();
        self.fps.clear();
        self.logup.clear();
    }
}

impl Sink<PackedBabyBear> for PackedSink<'_> {
    #[inline]
    fn constraint(&mut self, e: PackedBabyBear) {
        self.scratch.constraints.push(e);
    }
    #[inline]
    fn interaction(
        &mut self,
        bus: usize,
        direction: Direction,
        values: &[PackedBabyBear],
        multiplicity: PackedBabyBear,
    ) {
        self.scratch.values.extend_from_slice(values);
        self.scratch
            .interactions
            .push((bus, values.len(), super::signed(direction, multiplicity)));
    }
}

/// [`LookupChallenges::fingerprint_base`] of a tuple on every lane.
#[inline(always)]
fn packed_fingerprint<B: Backend>(
    aux: &PackedLogUpRow<'_>,
    bus: usize,
    values: &[PackedBabyBear],
) -> PackedExt4 {
    let lookup = aux.lookup;
    if values.len() > aux.b_shoup.len() {
        return PackedExt4::from_fn(|l| {
            let lane: Vec<F> = values.iter().map(|v| v.0[l]).collect();
            lookup.fingerprint(bus, &lane)
        });
    }
    let mut acc = PackedExt4::splat(lookup.z + E::from(F::new(bus as u32)));
    fold_const::<B>(&mut acc, values, &aux.b_shoup[..values.len()]);
    acc
}

/// A constant extension element prepared for multiplying packed base values: each
/// coordinate canonical, with its Shoup quotient ([`crate::ntt::shoup`]).
#[derive(Clone, Copy, Debug)]
pub struct ShoupExt([(u32, u32); 4]);

impl ShoupExt {
    /// `e`, prepared.
    pub fn new(e: &E) -> Self {
        ShoupExt(e.coeffs().map(|c| {
            let t = c.as_canonical();
            (t, shoup(t))
        }))
    }
}

/// `acc += Σᵢ ks[i]·xs[i]` (constant extension elements times packed base values), on the
/// vector unit `B` ([`crate::ntt::Scalar`] one lane at a time).
#[inline(always)]
fn fold_const<B: Backend>(acc: &mut PackedExt4, xs: &[PackedBabyBear], ks: &[ShoupExt]) {
    debug_assert_eq!(xs.len(), ks.len());
    let mut off = 0;
    while off < LANES {
        // SAFETY: every pointer covers B::LANES ≤ LANES − off values of a lane array, and
        // the backend's results are in [0, p) (`BabyBear` is `repr(transparent)` over its
        // Montgomery form). The caller reached this ISA after checking the CPU.
        unsafe {
            let ptr = |p: &PackedBabyBear| p.0.as_ptr().add(off).cast::<u32>();
            let mut a = acc.c.map(|c| B::load(ptr(&c)));
            for (x, k) in xs.iter().zip(ks) {
                let v = B::load(ptr(x));
                for (a, &(t, ts)) in a.iter_mut().zip(&k.0) {
                    *a = B::add(*a, B::mul_shoup(v, B::splat(t), B::splat(ts)));
                }
            }
            for (c, a) in acc.c.iter_mut().zip(a) {
                B::store(c.0.as_mut_ptr().add(off).cast(), a);
            }
        }
        off += B::LANES;
    }
}

/// The α-combined constraints of one packed evaluation from what [`PackedSink`] recorded:
/// the AIR's constraints, then (with `aux`'s groups) the fingerprints, the blinding
/// interaction and the logUp constraints. Runs the same field operations whatever the
/// instruction set; AVX2 only widens the lanes' loops.
pub(super) fn packed_tail(
    scratch: &mut PackedScratch,
    aux: &PackedLogUpRow<'_>,
    selectors: [PackedBabyBear; 3],
    alpha_powers: &[E],
) -> PackedExt4 {
    #[cfg(target_arch = "x86_64")]
    if aux.isa >= crate::ntt::Isa::Avx2 {
        // SAFETY: `aux.isa` was checked against the CPU (`Isa::detect`).
        return unsafe { packed_tail_avx2(scratch, aux, selectors, alpha_powers) };
    }
    packed_tail_inner::<Scalar>(scratch, aux, selectors, alpha_powers)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn packed_tail_avx2(
    scratch: &mut PackedScratch,
    aux: &PackedLogUpRow<'_>,
    selectors: [PackedBabyBear; 3],
    alpha_powers: &[E],
) -> PackedExt4 {
    packed_tail_inner::<crate::ntt::Avx2>(scratch, aux, selectors, alpha_powers)
}

#[inline(always)]
fn packed_tail_inner<B: Backend>(
    scratch: &mut PackedScratch,
    aux: &PackedLogUpRow<'_>,
    selectors: [PackedBabyBear; 3],
    alpha_powers: &[E],
) -> PackedExt4 {
    let mut acc = PackedExt4::default();
    let k = scratch.constraints.len();
    fold_const::<B>(&mut acc, &scratch.constraints, &aux.alpha_shoup[..k]);
    let mut index = k;
    if super::num_groups(aux.groups) == 0 {
        return acc;
    }
    let mut at = 0;
    for &(bus, len, m) in &scratch.interactions {
        let fp = packed_fingerprint::<B>(aux, bus, &scratch.values[at..at + len]);
        scratch.fps.push((fp, m));
        at += len;
    }
    let [first, last, _] = selectors;
    if !aux.blinding.is_empty() {
        let fp = packed_fingerprint::<B>(aux, BLINDING_BUS, aux.blinding);
        scratch.fps.push((fp, first - last));
    }
    packed_logup_constraints(&scratch.fps, aux, &mut scratch.logup);
    for c in &scratch.logup {
        acc += c.mul_const(&alpha_powers[index]);
        index += 1;
    }
    acc
}

/// [`super::logup_constraints`] at several points at once (multiplicities in the base
/// field).
#[inline(always)]
fn packed_logup_constraints(
    interactions: &[(PackedExt4, PackedBabyBear)],
    aux: &PackedLogUpRow<'_>,
    out: &mut Vec<PackedExt4>,
) {
    let mut fold = |c| out.push(c);
    let k = super::num_groups(aux.groups);
    debug_assert_eq!(interactions.len(), aux.groups.len());
    debug_assert_eq!(aux.local.len(), k);
    let s = aux.local[k - 1];
    let s_next = *aux.next.last().expect("the running sum at the next row");
    // The last group's h: what the running sum's step leaves after the committed groups.
    let mut last_h = s_next - s + PackedExt4::splat(aux.sum_step);
    for h in &aux.local[..k - 1] {
        last_h = last_h - *h;
    }
    let mut j = 0;
    for g in 0..k {
        // The group's fractions as one: num / den; num stays in the base field until the
        // second member.
        let (fp0, m0) = interactions[j];
        let mut num: Option<PackedExt4> = None;
        let mut den = fp0;
        j += 1;
        while j < interactions.len() && aux.groups[j] == g {
            let (fp, m) = interactions[j];
            let scaled = match num {
                None => fp.mul_base(m0),
                Some(num) => num * fp,
            };
            num = Some(scaled + den.mul_base(m));
            den *= fp;
            j += 1;
        }
        let num = num.unwrap_or_else(|| PackedExt4::from_base(m0));
        let h = if g + 1 < k { aux.local[g] } else { last_h };
        fold(h * den - num);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

    /// `fold_const` on every available backend equals the plain extension arithmetic, lane
    /// by lane, with edge values among the inputs.
    #[test]
    fn fold_const_matches_field_arithmetic() {
        let edge = [F::ZERO, F::ONE, F::NEG_ONE, F::TWO, F::new(0x7800_0000)];
        let xs: Vec<PackedBabyBear> = (0..37u32)
            .map(|i| {
                PackedBabyBear::from_fn(|l| {
                    let k = i as usize * LANES + l;
                    edge.get(k)
                        .copied()
                        .unwrap_or(F::new(i.wrapping_mul(0x9E37_79B9) ^ l as u32))
                })
            })
            .collect();
        let es: Vec<E> = (0..37u32)
            .map(|i| E::new([i, i * 7 + 1, 0x7800_0000 - i, i ^ 0x55].map(F::new)))
            .chain([E::ZERO, E::ONE, -E::ONE])
            .take(37)
            .collect();
        let ks: Vec<ShoupExt> = es.iter().map(ShoupExt::new).collect();
        let start = PackedExt4::from_fn(|l| E::new([l as u32, 1, 2, 3].map(F::new)));
        let expect = PackedExt4::from_fn(|l| {
            let mut acc = start.lane(l);
            for (x, e) in xs.iter().zip(&es) {
                acc += *e * x.0[l];
            }
            acc
        });
        let mut acc = start;
        fold_const::<Scalar>(&mut acc, &xs, &ks);
        assert_eq!(acc, expect);
        #[cfg(target_arch = "x86_64")]
        if crate::ntt::Isa::Avx2.is_available() {
            let mut acc = start;
            // SAFETY: the CPU has AVX2 (checked above).
            unsafe { fold_avx2(&mut acc, &xs, &ks) };
            assert_eq!(acc, expect);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn fold_avx2(acc: &mut PackedExt4, xs: &[PackedBabyBear], ks: &[ShoupExt]) {
        fold_const::<crate::ntt::Avx2>(acc, xs, ks)
    }
}
