//! The register file: 32 × 32 bits, two read ports and one write port, in block RAM.

use rust_hdl::prelude::*;

/// Register file with synchronous reads (block RAM has no asynchronous read port).
///
/// Each read port is its own copy of the registers (two simple dual-port RAMs written
/// together). A read returns, one cycle later, the register's value *including* a write to
/// it on the same clock edge (write-first), which block RAM alone would not give: a small
/// forwarding register does. The read-first build ([`RegFile::read_first`], the core's)
/// leaves that out: a read on the edge of a write to the same register returns the old
/// value, and the core forwards the new one itself. x0 is an ordinary location here; the
/// core never writes it and clears every register before a run.
#[derive(LogicBlock, Default)]
pub struct RegFile {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Read port 1 address (sampled every cycle).
    pub raddr1: Signal<In, Bits<5>>,
    /// Read port 2 address.
    pub raddr2: Signal<In, Bits<5>>,
    /// Port 1 data: the register addressed in the previous cycle.
    pub rdata1: Signal<Out, Bits<32>>,
    /// Port 2 data.
    pub rdata2: Signal<Out, Bits<32>>,
    /// Write enable.
    pub we: Signal<In, Bit>,
    /// Write address.
    pub waddr: Signal<In, Bits<5>>,
    /// Write data.
    pub wdata: Signal<In, Bits<32>>,
    _regs: [u32; 32],
    _q1: u32,
    _q2: u32,
    _read_first: bool,
}

impl RegFile {
    /// The read-first register file: no forwarding register (see the type).
    pub fn read_first() -> Self {
        Self {
            _read_first: true,
            ..Self::default()
        }
    }
}

impl Logic for RegFile {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let (r1, r2) = (self.raddr1.val().index(), self.raddr2.val().index());
            let w = self.waddr.val().index();
            let we = self.we.val() && !self._read_first;
            self._q1 = if we && w == r1 {
                self.wdata.val().to_u32()
            } else {
                self._regs[r1]
            };
            self._q2 = if we && w == r2 {
                self.wdata.val().to_u32()
            } else {
                self._regs[r2]
            };
            if self.we.val() {
                self._regs[w] = self.wdata.val().to_u32();
            }
        }
        self.rdata1.next = (self._q1 as u64).into();
        self.rdata2.next = (self._q2 as u64).into();
    }

    fn connect(&mut self) {
        self.rdata1.connect();
        self.rdata2.connect();
    }

    fn hdl(&self) -> Verilog {
        if self._read_first {
            // no_rw_check: the core ignores a read that collides with a write, so Yosys
            // need not build the old value's bypass around the block RAM; nor does it read
            // before the first clock edge, so q1 and q2 have no initial value (which Yosys
            // would give them with a multiplexer after the RAM).
            return Verilog::Custom(
                "\
(* no_rw_check *)
reg [31:0] bank1 [0:31];
(* no_rw_check *)
reg [31:0] bank2 [0:31];
reg [31:0] q1;
reg [31:0] q2;
integer i;
initial begin
  for (i = 0; i < 32; i = i + 1) begin
    bank1[i] = 32'h0;
    bank2[i] = 32'h0;
  end
end
always @(posedge clock) begin
  if (we) begin
    bank1[waddr] <= wdata;
    bank2[waddr] <= wdata;
  end
  q1 <= bank1[raddr1];
  q2 <= bank2[raddr2];
end
always @(*) begin
  rdata1 = q1;
  rdata2 = q2;
end
"
                .into(),
            );
        }
        Verilog::Custom(
            "\
reg [31:0] bank1 [0:31];
reg [31:0] bank2 [0:31];
reg [31:0] q1;
reg [31:0] q2;
reg [31:0] wlast;
reg fwd1;
reg fwd2;
integer i;
initial begin
  for (i = 0; i < 32; i = i + 1) begin
    bank1[i] = 32'h0;
    bank2[i] = 32'h0;
  end
  q1 = 32'h0;
  q2 = 32'h0;
  wlast = 32'h0;
  fwd1 = 1'b0;
  fwd2 = 1'b0;
end
always @(posedge clock) begin
  if (we) begin
    bank1[waddr] <= wdata;
    bank2[waddr] <= wdata;
  end
  q1 <= bank1[raddr1];
  q2 <= bank2[raddr2];
  fwd1 <= we && (waddr == raddr1);
  fwd2 <= we && (waddr == raddr2);
  wlast <= wdata;
end
always @(*) begin
  rdata1 = fwd1 ? wlast : q1;
  rdata2 = fwd2 ? wlast : q2;
end
"
            .into(),
        )
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "regfile".into(),
            clock: "clock".into(),
            inputs: vec![
                "raddr1".into(),
                "raddr2".into(),
                "we".into(),
                "waddr".into(),
                "wdata".into(),
            ],
            outputs: vec!["rdata1".into(), "rdata2".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_write_first() {
        let mut uut = RegFile::default();
        uut.connect_all();
        let mut sim = simple_sim!(RegFile, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for r in 0..32u64 {
                x.we.next = true;
                x.waddr.next = r.into();
                x.wdata.next = (r * 0x0101_0101).into();
                wait_clock_cycle!(ep, clock, x);
            }
            // Read while writing the same register: the new value comes out.
            x.waddr.next = 7.into();
            x.wdata.next = 0xdead_beef.into();
            x.raddr1.next = 7.into();
            x.raddr2.next = 8.into();
            wait_clock_cycle!(ep, clock, x);
            sim_assert_eq!(ep, x.rdata1.val(), bits::<32>(0xdead_beef), x);
            sim_assert_eq!(ep, x.rdata2.val(), bits::<32>(0x0808_0808), x);
            x.we.next = false;
            for r in 0..32u64 {
                x.raddr1.next = r.into();
                x.raddr2.next = (31 - r).into();
                wait_clock_cycle!(ep, clock, x);
                let want1 = if r == 7 { 0xdead_beef } else { r * 0x0101_0101 };
                let want2 = if 31 - r == 7 {
                    0xdead_beef
                } else {
                    (31 - r) * 0x0101_0101
                };
                sim_assert_eq!(ep, x.rdata1.val(), bits::<32>(want1), x);
                sim_assert_eq!(ep, x.rdata2.val(), bits::<32>(want2), x);
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }

    #[test]
    fn read_first_build_returns_the_old_value() {
        let mut uut = RegFile::read_first();
        uut.connect_all();
        let mut sim = simple_sim!(RegFile, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.we.next = true;
            x.waddr.next = 5.into();
            x.wdata.next = 0x1234_5678.into();
            wait_clock_cycle!(ep, clock, x);
            // Read while writing the same register: the value before the write comes out.
            x.wdata.next = 0xdead_beef.into();
            x.raddr1.next = 5.into();
            x.raddr2.next = 5.into();
            wait_clock_cycle!(ep, clock, x);
            sim_assert_eq!(ep, x.rdata1.val(), bits::<32>(0x1234_5678), x);
            sim_assert_eq!(ep, x.rdata2.val(), bits::<32>(0x1234_5678), x);
            x.we.next = false;
            wait_clock_cycle!(ep, clock, x);
            sim_assert_eq!(ep, x.rdata1.val(), bits::<32>(0xdead_beef), x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }
}
