//! The link's byte level on the host side: SLIP framing with a CRC-16/IBM-3740 per frame,
//! bit for bit what `rtl/src/link` does on the board (docs/board-protocol.md, "Frames").

use crc::{Crc, CRC_16_IBM_3740};

/// SLIP frame delimiter.
pub const END: u8 = 0xc0;
/// SLIP escape.
pub const ESC: u8 = 0xdb;
/// Escaped END.
pub const ESC_END: u8 = 0xdc;
/// Escaped ESC.
pub const ESC_ESC: u8 = 0xdd;

const CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);

/// CRC-16/IBM-3740 of `bytes` (check value 0x29B1).
pub fn crc16(bytes: &[u8]) -> u16 {
    CRC16.checksum(bytes)
}

fn push_escaped(out: &mut Vec<u8>, b: u8) {
    match b {
        END => out.extend_from_slice(&[ESC, ESC_END]),
        ESC => out.extend_from_slice(&[ESC, ESC_ESC]),
        _ => out.push(b),
    }
}

/// The wire bytes of one frame: a leading END (so the receiver drops any noise before it),
/// the payload and its CRC (big-endian), escaped, and the closing END.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload.len() / 32 + 5);
    out.push(END);
    for &b in payload {
        push_escaped(&mut out, b);
    }
    for b in crc16(payload).to_be_bytes() {
        push_escaped(&mut out, b);
    }
    out.push(END);
    out
}

/// What [`Decoder::push`] found at an END.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A frame whose CRC checked: its payload (CRC removed).
    Good(Vec<u8>),
    /// Bytes between two ENDs that do not form a good frame (CRC or escape error).
    Bad,
}

/// Unframes a byte stream.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
    escaped: bool,
    broken: bool,
}

impl Decoder {
    /// Takes one wire byte; returns a frame (or a bad one) when an END closes it. Empty
    /// frames (two ENDs in a row) are skipped.
    pub fn push(&mut self, b: u8) -> Option<Decoded> {
        if b == END {
            let buf = std::mem::take(&mut self.buf);
            let broken = std::mem::take(&mut self.broken) || self.escaped;
            self.escaped = false;
            if buf.is_empty() && !broken {
                return None;
            }
            if broken || buf.len() < 2 || crc16(&buf) != 0 {
                // CRC-16/IBM-3740 has no final XOR: running it over data + CRC gives 0
                return Some(Decoded::Bad);
            }
            let n = buf.len() - 2;
            let mut payload = buf;
            payload.truncate(n);
            return Some(Decoded::Good(payload));
        }
        if self.escaped {
            self.escaped = false;
            match b {
                ESC_END => self.buf.push(END),
                ESC_ESC => self.buf.push(ESC),
                _ => self.broken = true,
            }
        } else if b == ESC {
            self.escaped = true;
        } else {
            self.buf.push(b);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_catalogue() {
        assert_eq!(crc16(b"123456789"), 0x29b1);
    }

    #[test]
    fn frames_round_trip_and_damage_is_caught() {
        let payloads: Vec<Vec<u8>> = vec![
            vec![1],
            vec![END, ESC, ESC_END, ESC_ESC, 0],
            (0..=255).collect(),
        ];
        let mut d = Decoder::default();
        for p in &payloads {
            let wire = encode(p);
            let got: Vec<Decoded> = wire.iter().filter_map(|&b| d.push(b)).collect();
            assert_eq!(got, vec![Decoded::Good(p.clone())]);
            // flip one bit of every byte position in turn (the END bytes excepted)
            for i in 1..wire.len() - 1 {
                let mut bad = wire.clone();
                bad[i] ^= 0x10;
                let got: Vec<Decoded> = bad.iter().filter_map(|&b| d.push(b)).collect();
                assert!(
                    !got.contains(&Decoded::Good(p.clone())),
                    "damage at byte {i} went unnoticed"
                );
            }
        }
    }
}
