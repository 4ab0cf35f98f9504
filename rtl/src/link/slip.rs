//! Framing for the link: SLIP (RFC 1055) byte stuffing with a CRC-16/IBM-3740 on each frame.
//!
//! On the wire a frame is its bytes, then their CRC (big-endian), all escaped (0xC0 → 0xDB
//! 0xDC, 0xDB → 0xDB 0xDD), then an unescaped END (0xC0). A receiver runs the CRC over the
//! unescaped bytes including the CRC and accepts the frame when the result is 0.

use super::crc::{Crc16Step, INIT};
use rust_hdl::prelude::*;

/// SLIP frame delimiter.
pub const END: u8 = 0xc0;
/// SLIP escape.
pub const ESC: u8 = 0xdb;
/// Escaped END.
pub const ESC_END: u8 = 0xdc;
/// Escaped ESC.
pub const ESC_ESC: u8 = 0xdd;

/// What the framer is sending.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum TxPhase {
    /// The frame's bytes.
    Data,
    /// CRC, high byte.
    CrcHigh,
    /// CRC, low byte.
    CrcLow,
    /// The END delimiter.
    End,
}

/// Frames a byte stream: `last` marks a frame's final byte. Both sides are valid/ready
/// streams; the output is a register.
#[derive(LogicBlock)]
pub struct SlipTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Frame byte.
    pub data: Signal<In, Bits<8>>,
    /// `data` ends its frame.
    pub last: Signal<In, Bit>,
    /// `data` is valid.
    pub valid: Signal<In, Bit>,
    /// The framer takes `data` this cycle (when `valid`).
    pub ready: Signal<Out, Bit>,
    /// Wire byte.
    pub out_data: Signal<Out, Bits<8>>,
    /// `out_data` is valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes `out_data` this cycle.
    pub out_ready: Signal<In, Bit>,
    crc: Crc16Step,
    init: Constant<Bits<16>>,
    phase: DFF<TxPhase>,
    // the CRC register holds crc ^ INIT, so that power-up (0) is a fresh CRC
    crc_x: DFF<Bits<16>>,
    held: DFF<Bits<8>>,
    full: DFF<Bit>,
    pending: DFF<Bits<8>>,
    has_pending: DFF<Bit>,
    free: Signal<Local, Bit>,
    crc_now: Signal<Local, Bits<16>>,
    emit: Signal<Local, Bits<8>>,
    emitting: Signal<Local, Bit>,
}

impl Default for SlipTx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            data: Default::default(),
            last: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            crc: Default::default(),
            init: Constant::new((INIT as u64).into()),
            phase: Default::default(),
            crc_x: Default::default(),
            held: Default::default(),
            full: Default::default(),
            pending: Default::default(),
            has_pending: Default::default(),
            free: Default::default(),
            crc_now: Default::default(),
            emit: Default::default(),
            emitting: Default::default(),
        }
    }
}

impl Logic for SlipTx {
    // hdl_gen translates no match guards, so conditions stay inside the arms.
    #[allow(clippy::collapsible_match)]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, phase, crc_x, held, full, pending, has_pending);
        self.out_data.next = self.held.q.val();
        self.out_valid.next = self.full.q.val();
        self.free.next = !self.full.q.val() || self.out_ready.val();
        if self.out_ready.val() {
            self.full.d.next = false;
        }
        self.crc_now.next = self.crc_x.q.val() ^ self.init.val();
        self.crc.crc_in.next = self.crc_now.val();
        self.crc.next_byte.next = self.data.val();
        self.ready.next =
            self.free.val() && !self.has_pending.q.val() && (self.phase.q.val() == TxPhase::Data);

        // The byte to send (escaped below) this cycle, if any.
        self.emitting.next = false;
        self.emit.next = self.data.val();
        match self.phase.q.val() {
            TxPhase::Data => {
                if self.valid.val() {
                    self.emitting.next = true;
                }
            }
            TxPhase::CrcHigh => {
                self.emitting.next = true;
                self.emit.next = self.crc_now.val().get_bits::<8>(8);
            }
            TxPhase::CrcLow => {
                self.emitting.next = true;
                self.emit.next = self.crc_now.val().get_bits::<8>(0);
            }
            _ => {}
        }

        if self.free.val() {
            if self.has_pending.q.val() {
                // the second byte of an escape
                self.held.d.next = self.pending.q.val();
                self.full.d.next = true;
                self.has_pending.d.next = false;
            } else if self.phase.q.val() == TxPhase::End {
                self.held.d.next = 0xc0_u64.into();
                self.full.d.next = true;
                self.crc_x.d.next = 0.into();
                self.phase.d.next = TxPhase::Data;
            } else if self.emitting.val() {
                self.full.d.next = true;
                self.held.d.next = self.emit.val();
                if self.emit.val() == 0xc0_u64 {
                    self.held.d.next = 0xdb_u64.into();
                    self.pending.d.next = 0xdc_u64.into();
                    self.has_pending.d.next = true;
                } else if self.emit.val() == 0xdb_u64 {
                    self.held.d.next = 0xdb_u64.into();
                    self.pending.d.next = 0xdd_u64.into();
                    self.has_pending.d.next = true;
                }
                match self.phase.q.val() {
                    TxPhase::Data => {
                        self.crc_x.d.next = self.crc.crc_out.val() ^ self.init.val();
                        if self.last.val() {
                            self.phase.d.next = TxPhase::CrcHigh;
                        }
                    }
                    TxPhase::CrcHigh => self.phase.d.next = TxPhase::CrcLow,
                    _ => self.phase.d.next = TxPhase::End,
                }
            }
        }
    }
}

/// Unframes wire bytes (from a UART receiver: `valid` pulses, no back-pressure). A frame's
/// bytes come out two bytes late (the last two on the wire are its CRC); at its 0xc0_u64,
/// `frame_end` pulses with `frame_good` telling whether the CRC checked (and the frame had
/// at least its two CRC bytes). A consumer must not act on a frame's bytes before it is
/// known good.
#[derive(LogicBlock)]
pub struct SlipRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Wire byte.
    pub rx_byte: Signal<In, Bits<8>>,
    /// One-cycle pulse: `rx_byte` is new.
    pub valid: Signal<In, Bit>,
    /// Frame byte.
    pub data: Signal<Out, Bits<8>>,
    /// One-cycle pulse: `data` is the frame's next byte.
    pub data_valid: Signal<Out, Bit>,
    /// One-cycle pulse: the frame ended.
    pub frame_end: Signal<Out, Bit>,
    /// With `frame_end`: the CRC checked.
    pub frame_good: Signal<Out, Bit>,
    crc: Crc16Step,
    init: Constant<Bits<16>>,
    crc_x: DFF<Bits<16>>,
    escaped: DFF<Bit>,
    count: DFF<Bits<2>>,
    newer: DFF<Bits<8>>,
    older: DFF<Bits<8>>,
    out: DFF<Bits<8>>,
    out_valid: DFF<Bit>,
    ended: DFF<Bit>,
    good: DFF<Bit>,
    value: Signal<Local, Bits<8>>,
}

impl Default for SlipRx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rx_byte: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            data_valid: Default::default(),
            frame_end: Default::default(),
            frame_good: Default::default(),
            crc: Default::default(),
            init: Constant::new((INIT as u64).into()),
            crc_x: Default::default(),
            escaped: Default::default(),
            count: Default::default(),
            newer: Default::default(),
            older: Default::default(),
            out: Default::default(),
            out_valid: Default::default(),
            ended: Default::default(),
            good: Default::default(),
            value: Default::default(),
        }
    }
}

impl Logic for SlipRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, crc_x, escaped, count, newer, older, out, out_valid, ended, good);
        self.data.next = self.out.q.val();
        self.data_valid.next = self.out_valid.q.val();
        self.frame_end.next = self.ended.q.val();
        self.frame_good.next = self.good.q.val();
        self.out_valid.d.next = false;
        self.ended.d.next = false;
        // The unescaped byte (an 0xdb_u64 followed by anything but 0xdc_u64/0xdd_u64 is a protocol
        // error; the byte is taken as it is and the CRC will most likely reject the frame).
        self.value.next = self.rx_byte.val();
        if self.escaped.q.val() {
            if self.rx_byte.val() == 0xdc_u64 {
                self.value.next = 0xc0_u64.into();
            } else if self.rx_byte.val() == 0xdd_u64 {
                self.value.next = 0xdb_u64.into();
            }
        }
        self.crc.crc_in.next = self.crc_x.q.val() ^ self.init.val();
        self.crc.next_byte.next = self.value.val();
        if self.valid.val() {
            if self.rx_byte.val() == 0xc0_u64 {
                self.ended.d.next = true;
                self.good.d.next = (self.crc_x.q.val() == self.init.val())
                    && (self.count.q.val() == 2)
                    && !self.escaped.q.val();
                self.crc_x.d.next = 0.into();
                self.count.d.next = 0.into();
                self.escaped.d.next = false;
            } else if (self.rx_byte.val() == 0xdb_u64) && !self.escaped.q.val() {
                self.escaped.d.next = true;
            } else {
                self.escaped.d.next = false;
                self.crc_x.d.next = self.crc.crc_out.val() ^ self.init.val();
                self.newer.d.next = self.value.val();
                self.older.d.next = self.newer.q.val();
                if self.count.q.val() == 2 {
                    self.out.d.next = self.older.q.val();
                    self.out_valid.d.next = true;
                } else {
                    self.count.d.next = self.count.q.val() + 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::crc::crc16;
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Test frames: random bytes, heavy in the two special values.
    fn frames() -> Vec<Vec<u8>> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(21);
        let mut v = vec![vec![END], vec![ESC], vec![END, ESC, END], b"rvzk".to_vec()];
        for _ in 0..12 {
            let n = rng.gen_range(1..48);
            v.push(
                (0..n)
                    .map(|_| match rng.gen_range(0..6) {
                        0 => END,
                        1 => ESC,
                        _ => rng.gen(),
                    })
                    .collect(),
            );
        }
        v
    }

    /// Software decoding of a wire byte stream into frames whose CRC checks.
    fn unslip(wire: &[u8]) -> Vec<Vec<u8>> {
        let mut frames = vec![];
        let mut cur = vec![];
        let mut esc = false;
        for &b in wire {
            match (esc, b) {
                (false, END) => {
                    assert!(cur.len() >= 2 && crc16(&cur) == 0, "bad frame {cur:02x?}");
                    cur.truncate(cur.len() - 2);
                    frames.push(std::mem::take(&mut cur));
                }
                (false, ESC) => esc = true,
                (true, ESC_END) => {
                    cur.push(END);
                    esc = false
                }
                (true, ESC_ESC) => {
                    cur.push(ESC);
                    esc = false
                }
                (false, x) => cur.push(x),
                (true, x) => panic!("bad escape {x:#x}"),
            }
        }
        assert!(cur.is_empty());
        frames
    }

    #[test]
    fn framer_output_decodes_to_the_frames() {
        let frames = frames();
        let mut uut = SlipTx::default();
        uut.connect_all();
        let mut sim = simple_sim!(SlipTx, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let flat: Vec<(u8, bool)> = frames
                .iter()
                .flat_map(|f| {
                    f.iter()
                        .enumerate()
                        .map(move |(i, &b)| (b, i + 1 == f.len()))
                })
                .collect();
            let mut sent = 0;
            let mut wire = vec![];
            let mut cycle = 0u32;
            while wire.iter().filter(|&&b| b == END).count() < frames.len() {
                x.valid.next = sent < flat.len();
                if sent < flat.len() {
                    x.data.next = (flat[sent].0 as u64).into();
                    x.last.next = flat[sent].1;
                }
                // a consumer that stalls every third cycle
                x.out_ready.next = cycle % 3 != 2;
                x = ep.wait(1, x)?;
                if x.valid.val() && x.ready.val() {
                    sent += 1;
                }
                if x.out_valid.val() && x.out_ready.val() {
                    wire.push(x.out_data.val().to_u8());
                }
                wait_clock_cycle!(ep, clock, x);
                cycle += 1;
                sim_assert!(ep, cycle < 10_000, x);
            }
            sim_assert_eq!(ep, unslip(&wire), frames, x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }

    #[test]
    fn unframer_checks_and_strips_the_crc() {
        let frames = frames();
        // The wire bytes, escaped in software; frame 5 gets one byte flipped.
        let mut wire = vec![];
        let mut expect = vec![];
        for (k, f) in frames.iter().enumerate() {
            let mut body = f.clone();
            body.extend_from_slice(&crc16(f).to_be_bytes());
            if k == 5 {
                body[0] ^= 0x10;
            }
            for b in body {
                match b {
                    END => wire.extend_from_slice(&[ESC, ESC_END]),
                    ESC => wire.extend_from_slice(&[ESC, ESC_ESC]),
                    x => wire.push(x),
                }
            }
            wire.push(END);
            let mut data = f.clone();
            if k == 5 {
                data[0] ^= 0x10;
            }
            expect.push((data, k != 5));
        }
        let mut uut = SlipRx::default();
        uut.connect_all();
        let mut sim = simple_sim!(SlipRx, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let mut got = vec![];
            let mut cur = vec![];
            for (i, &b) in wire.iter().enumerate() {
                // a byte every few cycles, as a UART delivers them
                for k in 0..3 {
                    x.valid.next = k == 0;
                    x.rx_byte.next = (b as u64).into();
                    wait_clock_cycle!(ep, clock, x);
                    if x.data_valid.val() {
                        cur.push(x.data.val().to_u8());
                    }
                    if x.frame_end.val() {
                        got.push((std::mem::take(&mut cur), x.frame_good.val()));
                    }
                }
                let _ = i;
            }
            sim_assert_eq!(ep, got, expect, x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }
}
