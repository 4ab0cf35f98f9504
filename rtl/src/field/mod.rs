//! Baby Bear arithmetic blocks.
//!
//! Every block here is fully pipelined: it accepts a new operand set every cycle while
//! `enable` is high, holds all of its pipeline registers while `enable` is low (a clock
//! enable, so a stalled consumer can freeze a whole pipeline), and presents its result
//! `LATENCY` enabled cycles after the operands. Every port carries a canonical value
//! (u32 < p) except the `w` operand of [`MontMul`] and [`Butterfly`], which is in
//! Montgomery form (w·2^32 mod p); see `docs/rtl-accel.md`.

mod add;
mod butterfly;
mod delay;
mod mont_mul;
mod sub;

pub use add::ModAdd;
pub use butterfly::Butterfly;
pub use delay::Delay;
pub use mont_mul::MontMul;
pub use sub::ModSub;

#[cfg(test)]
pub(crate) mod testutil {
    use crate::babybear::P;
    use rand::{Rng, SeedableRng};

    /// A deterministic operand source that over-weights the edge values 0, 1, p−1.
    pub fn operands(seed: u64, count: usize) -> Vec<u32> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..count)
            .map(|_| match rng.gen_range(0..8) {
                0 => 0,
                1 => 1,
                2 => P - 1,
                _ => rng.gen_range(0..P),
            })
            .collect()
    }
}
