//! Pipelined Montgomery multiplier.

use crate::babybear::P;
use rust_hdl::prelude::*;

/// `y = a · b · 2^(−32) mod p` for a, b < p, a new operand pair every cycle.
///
/// With `b` in Montgomery form (b·2^32 mod p) the result is the canonical product a·b,
/// which is how the NTT uses it: twiddles live in ROM pre-scaled by 2^32, data stays
/// canonical. The datapath, one register stage per line:
///
/// 1. four 16×16 partial products a_i·b_j (one DSP each: SB_MAC16 / MULT18X18D);
/// 2. the middle sum a_0·b_1 + a_1·b_0 (< 2^32 because a_1, b_1 < 2^15);
/// 3. T = a·b split as T_lo (32 bits, with a carry into the top) and the top half;
/// 4. T_hi, and m = T_lo · p^(−1) mod 2^32 — as p^(−1) ≡ 1 − 15·2^27 only the top five
///    bits of m differ from T_lo, and they need the low five bits of T_lo;
/// 5. (m·p) >> 32 = (15m >> 5) + c, with c the carry out of m + ((15m mod 32) << 27),
///    a five-bit addition, folded into T_hi − c;
/// 6. d = T_hi − (m·p >> 32), in (−p, p) because T − m·p ≡ 0 mod 2^32;
/// 7. y = d, or d + p when d is negative.
#[derive(LogicBlock)]
pub struct MontMul {
    /// Pipeline clock.
    pub clock: Signal<In, Clock>,
    /// Clock enable for every pipeline register.
    pub enable: Signal<In, Bit>,
    /// Canonical multiplicand.
    pub a: Signal<In, Bits<32>>,
    /// Multiplier (< p; in Montgomery form to get a canonical product).
    pub b: Signal<In, Bits<32>>,
    /// a·b·2^(−32) mod p, canonical, [`MontMul::LATENCY`] cycles later.
    pub y: Signal<Out, Bits<32>>,
    modulus: Constant<Bits<32>>,
    a_lo: Signal<Local, Bits<16>>,
    a_hi: Signal<Local, Bits<16>>,
    b_lo: Signal<Local, Bits<16>>,
    b_hi: Signal<Local, Bits<16>>,
    // stage 1
    pp00: DFF<Bits<32>>,
    pp01: DFF<Bits<32>>,
    pp10: DFF<Bits<32>>,
    pp11: DFF<Bits<32>>,
    // stage 2
    mid: DFF<Bits<32>>,
    pp00_2: DFF<Bits<32>>,
    pp11_2: DFF<Bits<32>>,
    // stage 3: T_lo = {lo_upper[15:0], lo_lower}, carry lo_upper[16]
    lo_upper: DFF<Bits<17>>,
    lo_lower: DFF<Bits<16>>,
    hi_part: DFF<Bits<32>>,
    // stage 4
    tlo_top5: Signal<Local, Bits<5>>,
    tlo_low5: Signal<Local, Bits<5>>,
    tlo_low5_x15: Signal<Local, Bits<5>>,
    m_top5: Signal<Local, Bits<5>>,
    t_hi: DFF<Bits<32>>,
    m: DFF<Bits<32>>,
    // stage 5
    m_wide: Signal<Local, Bits<36>>,
    m_x15: Signal<Local, Bits<36>>,
    m_low5: Signal<Local, Bits<5>>,
    m_low5_x15: Signal<Local, Bits<5>>,
    m_carry_sum: Signal<Local, Bits<6>>,
    q_main: DFF<Bits<32>>,
    t_hi_minus_c: DFF<Bits<32>>,
    // stage 6
    diff: DFF<Bits<32>>,
    // stage 7
    out: DFF<Bits<32>>,
}

impl MontMul {
    /// Cycles from operands to result.
    pub const LATENCY: usize = 7;
}

impl Default for MontMul {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            a: Default::default(),
            b: Default::default(),
            y: Default::default(),
            modulus: Constant::new(bits(P as u64)),
            a_lo: Default::default(),
            a_hi: Default::default(),
            b_lo: Default::default(),
            b_hi: Default::default(),
            pp00: Default::default(),
            pp01: Default::default(),
            pp10: Default::default(),
            pp11: Default::default(),
            mid: Default::default(),
            pp00_2: Default::default(),
            pp11_2: Default::default(),
            lo_upper: Default::default(),
            lo_lower: Default::default(),
            hi_part: Default::default(),
            tlo_top5: Default::default(),
            tlo_low5: Default::default(),
            tlo_low5_x15: Default::default(),
            m_top5: Default::default(),
            t_hi: Default::default(),
            m: Default::default(),
            m_wide: Default::default(),
            m_x15: Default::default(),
            m_low5: Default::default(),
            m_low5_x15: Default::default(),
            m_carry_sum: Default::default(),
            q_main: Default::default(),
            t_hi_minus_c: Default::default(),
            diff: Default::default(),
            out: Default::default(),
        }
    }
}

impl Logic for MontMul {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            pp00,
            pp01,
            pp10,
            pp11,
            mid,
            pp00_2,
            pp11_2,
            lo_upper,
            lo_lower,
            hi_part,
            t_hi,
            m,
            q_main,
            t_hi_minus_c,
            diff,
            out
        );
        // Operand halves for the 16×16 multipliers.
        self.a_lo.next = self.a.val().get_bits::<16>(0);
        self.a_hi.next = self.a.val().get_bits::<16>(16);
        self.b_lo.next = self.b.val().get_bits::<16>(0);
        self.b_hi.next = self.b.val().get_bits::<16>(16);
        // Five-bit helpers for m = T_lo·p^(−1) and for the carry of m·p's low word.
        self.tlo_top5.next = self.lo_upper.q.val().get_bits::<5>(11);
        self.tlo_low5.next = self.lo_lower.q.val().get_bits::<5>(0);
        self.tlo_low5_x15.next = (self.tlo_low5.val() << 4) - self.tlo_low5.val();
        self.m_top5.next = self.tlo_top5.val() - self.tlo_low5_x15.val();
        self.m_wide.next = bit_cast::<36, 32>(self.m.q.val());
        self.m_x15.next = (self.m_wide.val() << 4) - self.m_wide.val();
        self.m_low5.next = self.m.q.val().get_bits::<5>(0);
        self.m_low5_x15.next = (self.m_low5.val() << 4) - self.m_low5.val();
        self.m_carry_sum.next = bit_cast::<6, 5>(self.m.q.val().get_bits::<5>(27))
            + bit_cast::<6, 5>(self.m_low5_x15.val());
        if self.enable.val() {
            // 1: partial products
            self.pp00.d.next = self.a_lo.val() * self.b_lo.val();
            self.pp01.d.next = self.a_lo.val() * self.b_hi.val();
            self.pp10.d.next = self.a_hi.val() * self.b_lo.val();
            self.pp11.d.next = self.a_hi.val() * self.b_hi.val();
            // 2: middle sum
            self.mid.d.next = self.pp01.q.val() + self.pp10.q.val();
            self.pp00_2.d.next = self.pp00.q.val();
            self.pp11_2.d.next = self.pp11.q.val();
            // 3: T = pp11·2^32 + mid·2^16 + pp00
            self.lo_upper.d.next = bit_cast::<17, 16>(self.pp00_2.q.val().get_bits::<16>(16))
                + bit_cast::<17, 16>(self.mid.q.val().get_bits::<16>(0));
            self.lo_lower.d.next = self.pp00_2.q.val().get_bits::<16>(0);
            self.hi_part.d.next =
                self.pp11_2.q.val() + bit_cast::<32, 16>(self.mid.q.val().get_bits::<16>(16));
            // 4: T_hi and m
            if self.lo_upper.q.val().get_bit(16) {
                self.t_hi.d.next = self.hi_part.q.val() + 1;
            } else {
                self.t_hi.d.next = self.hi_part.q.val();
            }
            self.m.d.next = (bit_cast::<32, 5>(self.m_top5.val()) << 27)
                | (bit_cast::<32, 11>(self.lo_upper.q.val().get_bits::<11>(0)) << 16)
                | bit_cast::<32, 16>(self.lo_lower.q.val());
            // 5: (m·p) >> 32 = (15m >> 5) + c
            self.q_main.d.next = bit_cast::<32, 31>(self.m_x15.val().get_bits::<31>(5));
            if self.m_carry_sum.val().get_bit(5) {
                self.t_hi_minus_c.d.next = self.t_hi.q.val() - 1;
            } else {
                self.t_hi_minus_c.d.next = self.t_hi.q.val();
            }
            // 6: signed difference
            self.diff.d.next = self.t_hi_minus_c.q.val() - self.q_main.q.val();
            // 7: back into [0, p)
            if self.diff.q.val().get_bit(31) {
                self.out.d.next = self.diff.q.val() + self.modulus.val();
            } else {
                self.out.d.next = self.diff.q.val();
            }
        }
        self.y.next = self.out.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babybear;
    use crate::field::testutil::operands;

    #[test]
    fn multiplies_in_montgomery_form() {
        let a = operands(5, 300);
        let b = operands(6, 300);
        let mut uut = MontMul::default();
        uut.connect_all();
        let mut sim = simple_sim!(MontMul, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            for i in 0..a.len() + MontMul::LATENCY - 1 {
                if i < a.len() {
                    x.a.next = (a[i] as u64).into();
                    x.b.next = (b[i] as u64).into();
                }
                wait_clock_cycle!(ep, clock, x);
                if i + 1 >= MontMul::LATENCY {
                    let j = i + 1 - MontMul::LATENCY;
                    let want = babybear::mont_mul(a[j], b[j]) as u64;
                    sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000).unwrap();
    }

    #[test]
    fn montgomery_operand_gives_canonical_product() {
        let a = operands(7, 100);
        let b = operands(8, 100);
        let mut uut = MontMul::default();
        uut.connect_all();
        let mut sim = simple_sim!(MontMul, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            for i in 0..a.len() {
                x.a.next = (a[i] as u64).into();
                x.b.next = (babybear::to_mont(b[i]) as u64).into();
                wait_clock_cycles!(ep, clock, x, MontMul::LATENCY);
                let want = babybear::mul(a[i], b[i]) as u64;
                sim_assert_eq!(ep, x.y.val(), bits::<32>(want), x);
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000).unwrap();
    }
}
