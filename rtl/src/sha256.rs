//! SHA-256 compression core (FIPS 180-4, §6.2.2) with the project's Merkle-node mode.
//!
//! One round per cycle: a block takes a load cycle, 64 round cycles and a final-addition
//! cycle that overlaps the next block's load, so back-to-back blocks start every
//! [`Sha256Core::CYCLES_PER_BLOCK`] = 65 cycles.
//!
//! Word order: `state_in`/`state_out` hold H0 in bits 255..224 down to H7 in bits 31..0;
//! `block_in` holds the 64 message bytes with byte 0 in bits 511..504, so W0 (big-endian,
//! as FIPS 180-4 reads it) is bits 511..480. The digest bytes of a Merkle node are
//! `state_out` written big-endian, word H0 first.

use crate::mem::ConstRom;
use rust_hdl::prelude::*;

/// The FIPS 180-4 round constants K0..K63.
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The FIPS 180-4 initial hash value H(0), the chaining input of every Merkle node.
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Packs eight state words into the 256-bit port layout (H0 in the top bits).
pub fn pack_state(words: &[u32; 8]) -> Bits<256> {
    let mut b = Bits::<256>::default();
    for (i, w) in words.iter().enumerate() {
        b.set_bits::<32>(224 - 32 * i, (*w as u64).into());
    }
    b
}

/// Unpacks the 256-bit port layout into eight state words.
pub fn unpack_state(b: Bits<256>) -> [u32; 8] {
    std::array::from_fn(|i| b.get_bits::<32>(224 - 32 * i).to_u32())
}

/// Packs 64 message bytes into the 512-bit port layout (byte 0 in the top bits).
pub fn pack_block(bytes: &[u8; 64]) -> Bits<512> {
    let mut b = Bits::<512>::default();
    for (i, &x) in bytes.iter().enumerate() {
        b.set_bits::<8>(504 - 8 * i, (x as u64).into());
    }
    b
}

/// One SHA-256 compression per 65 cycles.
///
/// Handshake: when `ready` is high, a cycle with `start` high loads a block. The chaining
/// input is `state_in`, or the FIPS IV when `merkle` is high (the 2-to-1 node hash of
/// contract 4: one raw compression of left‖right, no padding block), or the previous
/// result when `chain` is high (for multi-block messages; such a block can load one cycle
/// after the previous result, not beside it, so chained blocks take 66 cycles each).
/// 65 cycles after the load,
/// `done` pulses for one cycle and `state_out` holds the new state until the next result.
#[derive(LogicBlock)]
pub struct Sha256Core {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Load a block (honoured only while `ready`).
    pub start: Signal<In, Bit>,
    /// With `start`: chain from the FIPS IV (Merkle node mode).
    pub merkle: Signal<In, Bit>,
    /// With `start`: chain from the previous result.
    pub chain: Signal<In, Bit>,
    /// Chaining input H0..H7 (H0 in bits 255..224).
    pub state_in: Signal<In, Bits<256>>,
    /// The 64-byte block, byte 0 in bits 511..504.
    pub block_in: Signal<In, Bits<512>>,
    /// The core can take a block this cycle.
    pub ready: Signal<Out, Bit>,
    /// One-cycle pulse: `state_out` holds a new result.
    pub done: Signal<Out, Bit>,
    /// The compression result (same layout as `state_in`).
    pub state_out: Signal<Out, Bits<256>>,
    iv: Constant<Bits<256>>,
    k0: Constant<Bits<32>>,
    k1: Constant<Bits<32>>,
    k_rom: ConstRom<6, 32>,
    // K for the next round, registered: the table lookup is four LUT levels deep
    k_next: DFF<Bits<32>>,
    // working variables and message window w[0..16] = W_t..W_(t+15), w[0] on top
    var_a: DFF<Bits<32>>,
    var_b: DFF<Bits<32>>,
    var_c: DFF<Bits<32>>,
    var_d: DFF<Bits<32>>,
    var_e: DFF<Bits<32>>,
    var_f: DFF<Bits<32>>,
    var_g: DFF<Bits<32>>,
    h_k_w: DFF<Bits<32>>,
    d_h_k_w: DFF<Bits<32>>,
    window: DFF<Bits<512>>,
    chaining: DFF<Bits<256>>,
    round: DFF<Bits<6>>,
    running: DFF<Bit>,
    finishing: DFF<Bit>,
    done_reg: DFF<Bit>,
    result: DFF<Bits<256>>,
    // combinational helpers
    init: Signal<Local, Bits<256>>,
    sum: Signal<Local, Bits<256>>,
    sum0: Signal<Local, Bits<32>>,
    sum1: Signal<Local, Bits<32>>,
    sum2: Signal<Local, Bits<32>>,
    sum3: Signal<Local, Bits<32>>,
    sum4: Signal<Local, Bits<32>>,
    sum5: Signal<Local, Bits<32>>,
    sum6: Signal<Local, Bits<32>>,
    sum7: Signal<Local, Bits<32>>,
    big_sigma0: Signal<Local, Bits<32>>,
    big_sigma1: Signal<Local, Bits<32>>,
    choose: Signal<Local, Bits<32>>,
    majority: Signal<Local, Bits<32>>,
    // carry-save terms (x ^ y ^ z, majority(x, y, z) << 1) of the round's sums
    e_sum: Signal<Local, Bits<32>>,
    e_carry: Signal<Local, Bits<32>>,
    a_p: Signal<Local, Bits<32>>,
    a_q: Signal<Local, Bits<32>>,
    a_r: Signal<Local, Bits<32>>,
    a_u: Signal<Local, Bits<32>>,
    a_v: Signal<Local, Bits<32>>,
    a_z: Signal<Local, Bits<32>>,
    n_m: Signal<Local, Bits<32>>,
    n_n: Signal<Local, Bits<32>>,
    n_dm: Signal<Local, Bits<32>>,
    n_dn: Signal<Local, Bits<32>>,
    l_h: Signal<Local, Bits<32>>,
    l_d: Signal<Local, Bits<32>>,
    l_w: Signal<Local, Bits<32>>,
    l_m: Signal<Local, Bits<32>>,
    l_n: Signal<Local, Bits<32>>,
    l_dm: Signal<Local, Bits<32>>,
    l_dn: Signal<Local, Bits<32>>,
    take: Signal<Local, Bit>,
    // the same sums with ordinary adders
    p_t: Signal<Local, Bits<32>>,
    p_a_left: Signal<Local, Bits<32>>,
    p_a_right: Signal<Local, Bits<32>>,
    p_hkw: Signal<Local, Bits<32>>,
    p_d_h: Signal<Local, Bits<32>>,
    p_w_next: Signal<Local, Bits<32>>,
    p_l_hkw: Signal<Local, Bits<32>>,
    carry_save: Constant<Bit>,
    w1: Signal<Local, Bits<32>>,
    w14: Signal<Local, Bits<32>>,
    small_sigma0: Signal<Local, Bits<32>>,
    small_sigma1: Signal<Local, Bits<32>>,
    w_next: Signal<Local, Bits<32>>,
    w9: Signal<Local, Bits<32>>,
    w0: Signal<Local, Bits<32>>,
    ws_a: Signal<Local, Bits<32>>,
    ws_b: Signal<Local, Bits<32>>,
    ws_c: Signal<Local, Bits<32>>,
    ws_d: Signal<Local, Bits<32>>,
}

impl Sha256Core {
    /// Cycles between the starts of back-to-back blocks.
    pub const CYCLES_PER_BLOCK: usize = 65;
    /// Clock edges from the load edge to the one that raises `done` (the next block can
    /// load on that same edge).
    pub const LATENCY: usize = 65;
}

impl Default for Sha256Core {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Sha256Core {
    /// A core whose round sums use ordinary adders (`carry_save = false`: fewest LUTs,
    /// right for ECP5) or carry-save trees with one carry-propagate adder per sum
    /// (`carry_save = true`: shortest path, for the slower iCE40 fabric). Both compute the
    /// same thing; the choice is a constant, so synthesis drops the unused form.
    pub fn new(carry_save: bool) -> Self {
        let k: Vec<u64> = K.iter().map(|&k| k as u64).collect();
        Self {
            clock: Default::default(),
            start: Default::default(),
            merkle: Default::default(),
            chain: Default::default(),
            state_in: Default::default(),
            block_in: Default::default(),
            ready: Default::default(),
            done: Default::default(),
            state_out: Default::default(),
            iv: Constant::new(pack_state(&IV)),
            k0: Constant::new(bits(K[0] as u64)),
            k1: Constant::new(bits(K[1] as u64)),
            k_rom: ConstRom::new(&k),
            k_next: Default::default(),
            var_a: Default::default(),
            var_b: Default::default(),
            var_c: Default::default(),
            var_d: Default::default(),
            var_e: Default::default(),
            var_f: Default::default(),
            var_g: Default::default(),
            h_k_w: Default::default(),
            d_h_k_w: Default::default(),
            window: Default::default(),
            chaining: Default::default(),
            round: Default::default(),
            running: Default::default(),
            finishing: Default::default(),
            done_reg: Default::default(),
            result: Default::default(),
            init: Default::default(),
            sum: Default::default(),
            sum0: Default::default(),
            sum1: Default::default(),
            sum2: Default::default(),
            sum3: Default::default(),
            sum4: Default::default(),
            sum5: Default::default(),
            sum6: Default::default(),
            sum7: Default::default(),
            big_sigma0: Default::default(),
            big_sigma1: Default::default(),
            choose: Default::default(),
            majority: Default::default(),
            e_sum: Default::default(),
            e_carry: Default::default(),
            a_p: Default::default(),
            a_q: Default::default(),
            a_r: Default::default(),
            a_u: Default::default(),
            a_v: Default::default(),
            a_z: Default::default(),
            n_m: Default::default(),
            n_n: Default::default(),
            n_dm: Default::default(),
            n_dn: Default::default(),
            l_h: Default::default(),
            l_d: Default::default(),
            l_w: Default::default(),
            l_m: Default::default(),
            l_n: Default::default(),
            l_dm: Default::default(),
            l_dn: Default::default(),
            take: Default::default(),
            p_t: Default::default(),
            p_a_left: Default::default(),
            p_a_right: Default::default(),
            p_hkw: Default::default(),
            p_d_h: Default::default(),
            p_w_next: Default::default(),
            p_l_hkw: Default::default(),
            carry_save: Constant::new(carry_save),
            w1: Default::default(),
            w14: Default::default(),
            small_sigma0: Default::default(),
            small_sigma1: Default::default(),
            w_next: Default::default(),
            w9: Default::default(),
            w0: Default::default(),
            ws_a: Default::default(),
            ws_b: Default::default(),
            ws_c: Default::default(),
            ws_d: Default::default(),
        }
    }
}

impl Logic for Sha256Core {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, var_a, var_b, var_c, var_d, var_e, var_f, var_g, h_k_w, d_h_k_w, k_next,
            window, chaining, round, running, finishing, done_reg, result
        );
        // h is never stored on its own: h + K_t + W_t is formed a round early (from g,
        // which becomes h) to take two adders off the round's critical path.
        self.big_sigma0.next = ((self.var_a.q.val() >> 2) | (self.var_a.q.val() << 30))
            ^ ((self.var_a.q.val() >> 13) | (self.var_a.q.val() << 19))
            ^ ((self.var_a.q.val() >> 22) | (self.var_a.q.val() << 10));
        self.big_sigma1.next = ((self.var_e.q.val() >> 6) | (self.var_e.q.val() << 26))
            ^ ((self.var_e.q.val() >> 11) | (self.var_e.q.val() << 21))
            ^ ((self.var_e.q.val() >> 25) | (self.var_e.q.val() << 7));
        self.choose.next =
            (self.var_e.q.val() & self.var_f.q.val()) ^ (!self.var_e.q.val() & self.var_g.q.val());
        self.majority.next = (self.var_a.q.val() & self.var_b.q.val())
            ^ (self.var_a.q.val() & self.var_c.q.val())
            ^ (self.var_b.q.val() & self.var_c.q.val());
        // Message schedule: W_(t+16) = σ1(W_(t+14)) + W_(t+9) + σ0(W_(t+1)) + W_t.
        self.w1.next = self.window.q.val().get_bits::<32>(448);
        self.w14.next = self.window.q.val().get_bits::<32>(32);
        self.small_sigma0.next = ((self.w1.val() >> 7) | (self.w1.val() << 25))
            ^ ((self.w1.val() >> 18) | (self.w1.val() << 14))
            ^ (self.w1.val() >> 3);
        self.small_sigma1.next = ((self.w14.val() >> 17) | (self.w14.val() << 15))
            ^ ((self.w14.val() >> 19) | (self.w14.val() << 13))
            ^ (self.w14.val() >> 10);
        // (as a carry-save tree too: four operands, one carry-propagate adder)
        self.w9.next = self.window.q.val().get_bits::<32>(192);
        self.w0.next = self.window.q.val().get_bits::<32>(480);
        self.ws_a.next = self.small_sigma1.val() ^ self.w9.val() ^ self.small_sigma0.val();
        self.ws_b.next = ((self.small_sigma1.val() & self.w9.val())
            | (self.small_sigma1.val() & self.small_sigma0.val())
            | (self.w9.val() & self.small_sigma0.val()))
            << 1;
        self.ws_c.next = self.ws_a.val() ^ self.ws_b.val() ^ self.w0.val();
        self.ws_d.next = ((self.ws_a.val() & self.ws_b.val())
            | (self.ws_a.val() & self.w0.val())
            | (self.ws_b.val() & self.w0.val()))
            << 1;
        self.w_next.next = self.ws_c.val() + self.ws_d.val();
        self.p_w_next.next = (self.small_sigma1.val() + self.window.q.val().get_bits::<32>(192))
            + (self.small_sigma0.val() + self.window.q.val().get_bits::<32>(480));
        // Ordinary-adder forms: Σ1 + Ch is shared by e' and a'.
        self.p_t.next = self.big_sigma1.val() + self.choose.val();
        self.p_a_left.next = self.h_k_w.q.val() + self.p_t.val();
        self.p_a_right.next = self.big_sigma0.val() + self.majority.val();
        self.p_hkw.next =
            self.var_g.q.val() + self.k_next.q.val() + self.window.q.val().get_bits::<32>(448);
        // (no d + h + K + W register here: e' = (d + h + K + W) + (Σ1 + Ch) costs two adders,
        // the same depth as a', and the precomputation would cost two more)
        self.p_d_h.next = self.var_d.q.val() + self.h_k_w.q.val();
        // Round r looks up K for round r + 2 (the index wraps after round 63, unused).
        self.k_rom.address.next = self.round.q.val() + 2;
        // Final addition: chaining value + working variables. Each word gets its own
        // 32-bit signal so the carries cannot spill into the neighbouring word.
        self.sum0.next = self.chaining.q.val().get_bits::<32>(224) + self.var_a.q.val();
        self.sum1.next = self.chaining.q.val().get_bits::<32>(192) + self.var_b.q.val();
        self.sum2.next = self.chaining.q.val().get_bits::<32>(160) + self.var_c.q.val();
        self.sum3.next = self.chaining.q.val().get_bits::<32>(128) + self.var_d.q.val();
        self.sum4.next = self.chaining.q.val().get_bits::<32>(96) + self.var_e.q.val();
        self.sum5.next = self.chaining.q.val().get_bits::<32>(64) + self.var_f.q.val();
        self.sum6.next = self.chaining.q.val().get_bits::<32>(32) + self.var_g.q.val();
        self.sum7.next = self.chaining.q.val().get_bits::<32>(0) + self.h_k_w.q.val();
        self.sum.next = (bit_cast::<256, 32>(self.sum0.val()) << 224)
            | (bit_cast::<256, 32>(self.sum1.val()) << 192)
            | (bit_cast::<256, 32>(self.sum2.val()) << 160)
            | (bit_cast::<256, 32>(self.sum3.val()) << 128)
            | (bit_cast::<256, 32>(self.sum4.val()) << 96)
            | (bit_cast::<256, 32>(self.sum5.val()) << 64)
            | (bit_cast::<256, 32>(self.sum6.val()) << 32)
            | (bit_cast::<256, 32>(self.sum7.val()) << 0);
        // Chaining input for a new block. A chained block starts from the registered
        // result (keeping the final addition out of the load path), so it cannot load in
        // the finishing cycle, only one cycle later.
        if self.merkle.val() {
            self.init.next = self.iv.val();
        } else if self.chain.val() {
            self.init.next = self.result.q.val();
        } else {
            self.init.next = self.state_in.val();
        }
        self.ready.next = !self.running.q.val() & !(self.chain.val() & self.finishing.q.val());
        self.take.next = self.start.val() & self.ready.val();
        self.p_l_hkw.next = self.init.val().get_bits::<32>(0)
            + self.k0.val()
            + self.block_in.val().get_bits::<32>(480);
        // The round's sums as carry-save trees with one carry-propagate adder each:
        // e' = (d + h + K + W) + Σ1 + Ch and a' = (h + K + W) + Σ1 + Ch + Σ0 + Maj, with the
        // bracketed terms formed a round early (`d_h_k_w`, `h_k_w`).
        self.e_sum.next = self.d_h_k_w.q.val() ^ self.big_sigma1.val() ^ self.choose.val();
        self.e_carry.next = ((self.d_h_k_w.q.val() & self.big_sigma1.val())
            | (self.d_h_k_w.q.val() & self.choose.val())
            | (self.big_sigma1.val() & self.choose.val()))
            << 1;
        self.a_p.next = self.h_k_w.q.val() ^ self.big_sigma1.val() ^ self.choose.val();
        self.a_q.next = ((self.h_k_w.q.val() & self.big_sigma1.val())
            | (self.h_k_w.q.val() & self.choose.val())
            | (self.big_sigma1.val() & self.choose.val()))
            << 1;
        self.a_r.next = self.a_p.val() ^ self.a_q.val() ^ self.big_sigma0.val();
        self.a_u.next = ((self.a_p.val() & self.a_q.val())
            | (self.a_p.val() & self.big_sigma0.val())
            | (self.a_q.val() & self.big_sigma0.val()))
            << 1;
        self.a_v.next = self.a_r.val() ^ self.a_u.val() ^ self.majority.val();
        self.a_z.next = ((self.a_r.val() & self.a_u.val())
            | (self.a_r.val() & self.majority.val())
            | (self.a_u.val() & self.majority.val()))
            << 1;
        // Next round's h + K + W (g becomes h) and d + h + K + W (c becomes d).
        self.n_m.next =
            self.var_g.q.val() ^ self.k_next.q.val() ^ self.window.q.val().get_bits::<32>(448);
        self.n_n.next = ((self.var_g.q.val() & self.k_next.q.val())
            | (self.var_g.q.val() & self.window.q.val().get_bits::<32>(448))
            | (self.k_next.q.val() & self.window.q.val().get_bits::<32>(448)))
            << 1;
        self.n_dm.next = self.n_m.val() ^ self.n_n.val() ^ self.var_c.q.val();
        self.n_dn.next = ((self.n_m.val() & self.n_n.val())
            | (self.n_m.val() & self.var_c.q.val())
            | (self.n_n.val() & self.var_c.q.val()))
            << 1;
        // The same two sums for round 0, from the block being loaded.
        self.l_h.next = self.init.val().get_bits::<32>(0);
        self.l_d.next = self.init.val().get_bits::<32>(128);
        self.l_w.next = self.block_in.val().get_bits::<32>(480);
        self.l_m.next = self.l_h.val() ^ self.k0.val() ^ self.l_w.val();
        self.l_n.next = ((self.l_h.val() & self.k0.val())
            | (self.l_h.val() & self.l_w.val())
            | (self.k0.val() & self.l_w.val()))
            << 1;
        self.l_dm.next = self.l_m.val() ^ self.l_n.val() ^ self.l_d.val();
        self.l_dn.next = ((self.l_m.val() & self.l_n.val())
            | (self.l_m.val() & self.l_d.val())
            | (self.l_n.val() & self.l_d.val()))
            << 1;

        self.done.next = self.done_reg.q.val();
        self.state_out.next = self.result.q.val();
        self.done_reg.d.next = self.finishing.q.val();
        self.finishing.d.next = false;
        if self.finishing.q.val() {
            self.result.d.next = self.sum.val();
        }
        if self.running.q.val() {
            if self.carry_save.val() {
                self.var_a.d.next = self.a_v.val() + self.a_z.val();
                self.var_e.d.next = self.e_sum.val() + self.e_carry.val();
                self.window.d.next =
                    (self.window.q.val() << 32) | bit_cast::<512, 32>(self.w_next.val());
                self.d_h_k_w.d.next = self.n_dm.val() + self.n_dn.val();
            } else {
                self.var_a.d.next = self.p_a_left.val() + self.p_a_right.val();
                self.var_e.d.next = self.p_d_h.val() + self.p_t.val();
                self.window.d.next =
                    (self.window.q.val() << 32) | bit_cast::<512, 32>(self.p_w_next.val());
            }
            self.var_b.d.next = self.var_a.q.val();
            self.var_c.d.next = self.var_b.q.val();
            self.var_d.d.next = self.var_c.q.val();
            self.var_f.d.next = self.var_e.q.val();
            self.var_g.d.next = self.var_f.q.val();
            self.round.d.next = self.round.q.val() + 1;
            if self.round.q.val() == 63 {
                // Last round: h must now be the plain old g, not h + K + W.
                self.h_k_w.d.next = self.var_g.q.val();
                self.running.d.next = false;
                self.finishing.d.next = true;
            } else {
                if self.carry_save.val() {
                    self.h_k_w.d.next = self.n_m.val() + self.n_n.val();
                } else {
                    self.h_k_w.d.next = self.p_hkw.val();
                }
            }
            self.k_next.d.next = self.k_rom.data.val();
        } else if self.take.val() {
            self.var_a.d.next = self.init.val().get_bits::<32>(224);
            self.var_b.d.next = self.init.val().get_bits::<32>(192);
            self.var_c.d.next = self.init.val().get_bits::<32>(160);
            self.var_d.d.next = self.init.val().get_bits::<32>(128);
            self.var_e.d.next = self.init.val().get_bits::<32>(96);
            self.var_f.d.next = self.init.val().get_bits::<32>(64);
            self.var_g.d.next = self.init.val().get_bits::<32>(32);
            if self.carry_save.val() {
                self.h_k_w.d.next = self.l_m.val() + self.l_n.val();
                self.d_h_k_w.d.next = self.l_dm.val() + self.l_dn.val();
            } else {
                self.h_k_w.d.next = self.p_l_hkw.val();
            }
            self.k_next.d.next = self.k1.val();
            self.chaining.d.next = self.init.val();
            self.window.d.next = self.block_in.val();
            self.round.d.next = 0.into();
            self.running.d.next = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use sha2::compress256;

    fn reference(state: &[u32; 8], block: &[u8; 64]) -> [u32; 8] {
        let mut s = *state;
        compress256(&mut s, &[(*block).into()]);
        s
    }

    /// Runs `jobs` = (merkle, state, block) back to back, starting each as soon as `ready`
    /// allows, and checks every result and the 65-cycle block period.
    fn run(carry_save: bool, jobs: Vec<(bool, [u32; 8], [u8; 64])>) {
        let mut uut = Sha256Core::new(carry_save);
        uut.connect_all();
        let mut sim = simple_sim!(Sha256Core, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let mut issued = 0;
            let mut checked = 0;
            let mut starts = vec![];
            let mut cycle = 0usize;
            while checked < jobs.len() {
                if issued < jobs.len() {
                    let (merkle, state, block) = &jobs[issued];
                    x.start.next = true;
                    x.merkle.next = *merkle;
                    x.state_in.next = pack_state(state);
                    x.block_in.next = pack_block(block);
                } else {
                    x.start.next = false;
                }
                let took = issued < jobs.len() && x.ready.val();
                wait_clock_cycle!(ep, clock, x);
                cycle += 1;
                if took {
                    starts.push(cycle);
                    issued += 1;
                }
                if x.done.val() {
                    let (merkle, state, block) = &jobs[checked];
                    let chain = if *merkle { IV } else { *state };
                    let want = reference(&chain, block);
                    sim_assert_eq!(ep, unpack_state(x.state_out.val()), want, x);
                    sim_assert_eq!(ep, cycle - starts[checked], Sha256Core::LATENCY, x);
                    checked += 1;
                }
                sim_assert!(ep, cycle < 100 * (jobs.len() + 1), x);
            }
            for pair in starts.windows(2) {
                sim_assert_eq!(ep, pair[1] - pair[0], Sha256Core::CYCLES_PER_BLOCK, x);
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }

    #[test]
    fn compresses_like_fips_180_4() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let mut jobs = vec![];
        // The FIPS "abc" block, padded by hand.
        let mut abc = [0u8; 64];
        abc[..3].copy_from_slice(b"abc");
        abc[3] = 0x80;
        abc[63] = 24;
        jobs.push((false, IV, abc));
        for i in 0..5 {
            let state: [u32; 8] = std::array::from_fn(|_| rng.gen());
            let block: [u8; 64] = std::array::from_fn(|_| rng.gen());
            jobs.push((i % 2 == 1, state, block));
        }
        run(false, jobs.clone());
        run(true, jobs);
    }

    #[test]
    fn abc_digest() {
        let mut abc = [0u8; 64];
        abc[..3].copy_from_slice(b"abc");
        abc[3] = 0x80;
        abc[63] = 24;
        let want = [
            0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61,
            0xf20015ad,
        ];
        assert_eq!(reference(&IV, &abc), want);
    }
}
