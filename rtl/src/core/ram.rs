//! Guest memory: a single-port RAM of 32-bit words.

use rust_hdl::prelude::*;

/// Single-port synchronous RAM of `2^A` 32-bit words (2^15 words = 128 KiB, the UP5K's four
/// SPRAMs; block RAM on ECP5).
///
/// A cycle with `enable` high either writes `wdata` at `addr` (`write` high) or reads the
/// word at `addr` into `rdata` on the clock edge. `rdata` changes only on a read, so it holds
/// a word for as long as the core needs it — the core relies on that.
#[derive(LogicBlock)]
pub struct CoreRam<const A: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Access this cycle.
    pub enable: Signal<In, Bit>,
    /// The access is a write.
    pub write: Signal<In, Bit>,
    /// Word address.
    pub addr: Signal<In, Bits<A>>,
    /// Word to write.
    pub wdata: Signal<In, Bits<32>>,
    /// The word read by the last read.
    pub rdata: Signal<Out, Bits<32>>,
    _mem: Vec<u32>,
    _q: u32,
}

impl<const A: usize> Default for CoreRam<A> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            write: Default::default(),
            addr: Default::default(),
            wdata: Default::default(),
            rdata: Default::default(),
            _mem: vec![0; 1 << A],
            _q: 0,
        }
    }
}

impl<const A: usize> Logic for CoreRam<A> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            let a = self.addr.val().index();
            if self.write.val() {
                self._mem[a] = self.wdata.val().to_u32();
            } else {
                self._q = self._mem[a];
            }
        }
        self.rdata.next = (self._q as u64).into();
    }

    fn connect(&mut self) {
        self.rdata.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [31:0] mem [0:{last}];
initial rdata = 32'h0;
always @(posedge clock) begin
  if (enable) begin
    if (write) mem[addr] <= wdata;
    else rdata <= mem[addr];
  end
end
",
            last = (1usize << A) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "ram".into(),
            clock: "clock".into(),
            inputs: vec![
                "enable".into(),
                "write".into(),
                "addr".into(),
                "wdata".into(),
            ],
            outputs: vec!["rdata".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_writes_and_holds() {
        let mut uut = CoreRam::<6>::default();
        uut.connect_all();
        let mut sim = simple_sim!(CoreRam<6>, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            x.enable.next = true;
            x.write.next = true;
            for a in 0..64u64 {
                x.addr.next = a.into();
                x.wdata.next = (a * 3 + 1).into();
                wait_clock_cycle!(ep, clock, x);
            }
            x.write.next = false;
            for a in 0..64u64 {
                x.addr.next = (63 - a).into();
                wait_clock_cycle!(ep, clock, x);
                sim_assert_eq!(ep, x.rdata.val(), bits::<32>((63 - a) * 3 + 1), x);
            }
            // No access, then a write: the last word read stays on rdata.
            x.enable.next = false;
            x.addr.next = 5.into();
            wait_clock_cycle!(ep, clock, x);
            x.enable.next = true;
            x.write.next = true;
            x.wdata.next = 99.into();
            wait_clock_cycle!(ep, clock, x);
            sim_assert_eq!(ep, x.rdata.val(), bits::<32>(1), x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }
}
