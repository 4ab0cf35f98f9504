//! The M extension's multiplier: four registered 16×16 partial products (one DSP each on
//! iCE40 SB_MAC16 and ECP5 MULT18X18D), summed the next cycle. Two builds
//! ([`Multiplier::new`]): the fast one registers the four products themselves; the compact
//! one (the UP5K's) registers the two middle products' sum and the high product less the
//! signed correction instead, which Yosys puts in the SB_MAC16's adder and one fabric
//! subtractor, and leaves write-back one adder and the result multiplexer (about 100 LUT4
//! fewer, with a longer path in execute).

use rust_hdl::prelude::*;

/// 32×32 multiplier for MUL, MULH, MULHSU and MULHU.
///
/// A cycle with `enable` high registers the partial products of `a`, `b` and `op`; `y` holds
/// the result from the next cycle on (it is combinational from those registers, which keep
/// their value while `enable` is low).
#[derive(LogicBlock)]
pub struct Multiplier {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Register new operands this cycle.
    pub enable: Signal<In, Bit>,
    /// rs1.
    pub a: Signal<In, Bits<32>>,
    /// rs2.
    pub b: Signal<In, Bits<32>>,
    /// `funct3[1:0]`: 0 MUL, 1 MULH, 2 MULHSU, 3 MULHU.
    pub op: Signal<In, Bits<2>>,
    /// The result for the operands registered last.
    pub y: Signal<Out, Bits<32>>,
    // the build: constant, so synthesis keeps only one of the two
    compact: Constant<Bit>,
    pp_ll: DFF<Bits<32>>,
    pp_lh: DFF<Bits<32>>,
    pp_hl: DFF<Bits<32>>,
    pp_hh: DFF<Bits<32>>,
    correction: DFF<Bits<32>>,
    high: DFF<Bit>,
    /// Compact build: pp_lh + pp_hl.
    mid: DFF<Bits<33>>,
    /// Compact build: pp_hh minus the correction.
    hi_word: DFF<Bits<32>>,
    corr_a: Signal<Local, Bits<32>>,
    corr_b: Signal<Local, Bits<32>>,
    product: Signal<Local, Bits<64>>,
    upper: Signal<Local, Bits<48>>,
}

impl Multiplier {
    /// The fast multiplier (`compact` false) or the compact one (true).
    pub fn new(compact: bool) -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            op: Default::default(),
            y: Default::default(),
            compact: Constant::new(compact),
            pp_ll: Default::default(),
            pp_lh: Default::default(),
            pp_hl: Default::default(),
            pp_hh: Default::default(),
            correction: Default::default(),
            high: Default::default(),
            mid: Default::default(),
            hi_word: Default::default(),
            corr_a: Default::default(),
            corr_b: Default::default(),
            product: Default::default(),
            upper: Default::default(),
        }
    }
}

impl Default for Multiplier {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Logic for Multiplier {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pp_ll, pp_lh, pp_hl, pp_hh, correction, high, mid, hi_word);
        // A signed operand x stands for x - 2^32·x[31], so the signed high word is the
        // unsigned one minus (a[31] ? b : 0) minus (b[31] ? a : 0), for the signed operands.
        self.corr_a.next = 0.into();
        if (self.op.val() == 1 || self.op.val() == 2) && self.a.val().get_bit(31) {
            self.corr_a.next = self.b.val();
        }
        self.corr_b.next = 0.into();
        if self.op.val() == 1 && self.b.val().get_bit(31) {
            self.corr_b.next = self.a.val();
        }
        if self.enable.val() {
            self.pp_ll.d.next = self.a.val().get_bits::<16>(0) * self.b.val().get_bits::<16>(0);
            self.pp_lh.d.next = self.a.val().get_bits::<16>(0) * self.b.val().get_bits::<16>(16);
            self.pp_hl.d.next = self.a.val().get_bits::<16>(16) * self.b.val().get_bits::<16>(0);
            self.pp_hh.d.next = self.a.val().get_bits::<16>(16) * self.b.val().get_bits::<16>(16);
            self.correction.d.next = self.corr_a.val() + self.corr_b.val();
            self.high.d.next = self.op.val() != 0;
            if self.compact.val() {
                self.mid.d.next = bit_cast::<33, 32>(
                    self.a.val().get_bits::<16>(0) * self.b.val().get_bits::<16>(16),
                ) + bit_cast::<33, 32>(
                    self.a.val().get_bits::<16>(16) * self.b.val().get_bits::<16>(0),
                );
                self.hi_word.d.next = (self.a.val().get_bits::<16>(16)
                    * self.b.val().get_bits::<16>(16))
                    - (self.corr_a.val() + self.corr_b.val());
            }
        }
        self.product.next = bit_cast::<64, 32>(self.pp_ll.q.val())
            + (bit_cast::<64, 32>(self.pp_lh.q.val()) << 16)
            + (bit_cast::<64, 32>(self.pp_hl.q.val()) << 16)
            + (bit_cast::<64, 32>(self.pp_hh.q.val()) << 32);
        if self.high.q.val() {
            self.y.next = self.product.val().get_bits::<32>(32) - self.correction.q.val();
        } else {
            self.y.next = self.product.val().get_bits::<32>(0);
        }
        // Compact build: bits 16..63 of the product (the high word already corrected).
        self.upper.next = ((bit_cast::<48, 32>(self.hi_word.q.val()) << 16)
            | bit_cast::<48, 16>(self.pp_ll.q.val().get_bits::<16>(16)))
            + bit_cast::<48, 33>(self.mid.q.val());
        if self.compact.val() {
            if self.high.q.val() {
                self.y.next = self.upper.val().get_bits::<32>(16);
            } else {
                self.y.next = (bit_cast::<32, 16>(self.upper.val().get_bits::<16>(0)) << 16)
                    | bit_cast::<32, 16>(self.pp_ll.q.val().get_bits::<16>(0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testutil::operands;

    fn reference(a: u32, b: u32, op: u32) -> u32 {
        let (sa, sb) = (a as i32 as i64, b as i32 as i64);
        match op {
            0 => a.wrapping_mul(b),
            1 => ((sa * sb) >> 32) as u32,
            2 => ((sa * b as i64) >> 32) as u32,
            _ => ((a as u64 * b as u64) >> 32) as u32,
        }
    }

    #[test]
    fn products_match_rv32m() {
        check(false);
    }

    #[test]
    fn compact_products_match_rv32m() {
        check(true);
    }

    fn check(compact: bool) {
        let a = operands(7, 200);
        let b = operands(8, 200);
        let mut uut = Multiplier::new(compact);
        uut.connect_all();
        let mut sim = simple_sim!(Multiplier, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for op in 0..4u32 {
                for i in 0..a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                    x.op.next = (op as u64).into();
                    x.enable.next = true;
                    wait_clock_cycle!(ep, clock, x);
                    // Operands change and enable drops: the result must hold.
                    x.enable.next = false;
                    x.a.next = 0x1234_5678.into();
                    x = ep.wait(1000, x)?;
                    let want = reference(a[i], b[i], op) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }
}
