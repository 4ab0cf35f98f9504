//! CRC-16/IBM-3740 (also called CRC-16/CCITT-FALSE): polynomial 0x1021, initial value
//! 0xFFFF, no reflection, no final XOR — `crc::CRC_16_IBM_3740` on the host. Its check value
//! (the CRC of the ASCII bytes "123456789") is 0x29B1. Appending a frame's CRC big-endian
//! makes the CRC of the whole frame 0, which is how the receiver checks it.

use rust_hdl::prelude::*;

/// The generator polynomial (x^16 + x^12 + x^5 + 1, the x^16 term implied).
pub const POLY: u16 = 0x1021;
/// The register's value before the first byte.
pub const INIT: u16 = 0xffff;

/// One byte of the CRC in software: the reference the hardware is built from.
pub fn crc16_update(crc: u16, byte: u8) -> u16 {
    let mut c = crc ^ ((byte as u16) << 8);
    for _ in 0..8 {
        c = if c & 0x8000 != 0 {
            (c << 1) ^ POLY
        } else {
            c << 1
        };
    }
    c
}

/// The CRC of `bytes` from [`INIT`].
pub fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(INIT, |c, &b| crc16_update(c, b))
}

/// One byte of the CRC in hardware, combinational. The CRC is linear over GF(2), so each
/// output bit is the XOR of a fixed set of input bits; the sets are worked out from
/// [`crc16_update`] when the Verilog is written.
#[derive(LogicBlock, Default)]
pub struct Crc16Step {
    /// The CRC so far.
    pub crc_in: Signal<In, Bits<16>>,
    /// The next byte.
    pub next_byte: Signal<In, Bits<8>>,
    /// The CRC after it.
    pub crc_out: Signal<Out, Bits<16>>,
}

impl Logic for Crc16Step {
    fn update(&mut self) {
        let next = crc16_update(self.crc_in.val().to_u16(), self.next_byte.val().to_u8());
        self.crc_out.next = (next as u64).into();
    }

    fn connect(&mut self) {
        self.crc_out.connect();
    }

    fn hdl(&self) -> Verilog {
        // Output bit i depends on CRC bit j iff flipping j alone (from 0, byte 0) flips it.
        let mut lines = vec!["always @(*) begin".to_string()];
        for i in 0..16 {
            let mut terms = vec![];
            for j in 0..16 {
                if crc16_update(1 << j, 0) >> i & 1 == 1 {
                    terms.push(format!("crc_in[{j}]"));
                }
            }
            for j in 0..8 {
                if crc16_update(0, 1 << j) >> i & 1 == 1 {
                    terms.push(format!("next_byte[{j}]"));
                }
            }
            let rhs = if terms.is_empty() {
                "1'b0".to_string()
            } else {
                terms.join(" ^ ")
            };
            lines.push(format!("  crc_out[{i}] = {rhs};"));
        }
        lines.push("end".into());
        Verilog::Custom(lines.join("\n") + "\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn matches_the_catalogue_check_value() {
        // The check value that defines CRC-16/IBM-3740 in the CRC catalogue (and in the
        // host's `crc` crate).
        assert_eq!(crc16(b"123456789"), 0x29b1);
        // Appending the CRC big-endian leaves zero.
        let mut frame = b"rvzk link".to_vec();
        let c = crc16(&frame);
        frame.extend_from_slice(&c.to_be_bytes());
        assert_eq!(crc16(&frame), 0);
    }

    #[test]
    fn hardware_step_matches_software() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(12);
        let cases: Vec<(u16, u8)> = (0..500).map(|_| (rng.gen(), rng.gen())).collect();
        let mut uut = Crc16Step::default();
        uut.connect_all();
        // The Verilog is checked against the same equations by the co-simulation of the
        // link; here the block's two descriptions must agree bit for bit.
        let text = match uut.hdl() {
            Verilog::Custom(t) => t,
            _ => unreachable!(),
        };
        for &(c, b) in cases.iter().take(50) {
            let want = crc16_update(c, b);
            let mut got = 0u16;
            for (i, line) in text.lines().filter(|l| l.contains("crc_out[")).enumerate() {
                let rhs = line.split('=').nth(1).unwrap();
                let mut bit = 0u16;
                for term in rhs.trim().trim_end_matches(';').split(" ^ ") {
                    let idx: u16 = term[term.find('[').unwrap() + 1..term.find(']').unwrap()]
                        .parse()
                        .unwrap();
                    bit ^= if term.starts_with("crc_in") {
                        c >> idx & 1
                    } else {
                        (b as u16) >> idx & 1
                    };
                }
                got |= bit << i;
            }
            assert_eq!(got, want);
        }
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut ep: Sim<Crc16Step>| {
            let mut x = ep.init()?;
            for &(c, b) in &cases {
                x.crc_in.next = (c as u64).into();
                x.next_byte.next = (b as u64).into();
                x = ep.wait(1, x)?;
                sim_assert_eq!(
                    ep,
                    x.crc_out.val(),
                    bits::<16>(crc16_update(c, b) as u64),
                    x
                );
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
    }
}
