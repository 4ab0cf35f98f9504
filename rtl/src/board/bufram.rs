//! [`BufRam`]: the message layer's buffers in block RAM.

use rust_hdl::prelude::*;

/// A simple dual-port block RAM of `2^N` words of `D` bits, one synchronous read port and
/// one write port, for buffers whose reader never uses a word read on the edge that writes
/// it (each use in `BoardSoc` says why).
///
/// Simulation reads the old word then (read-first), but the Verilog marks the memory
/// `no_rw_check`: without it Yosys, asked for read-first behaviour that the iCE40's and
/// ECP5's block RAMs do not promise, builds it around the RAM with a register of the
/// written word, an address comparator and a multiplexer on every read bit (about 250
/// logic cells over the four buffers of the iCEBreaker's design).
#[derive(LogicBlock)]
pub struct BufRam<const D: usize, const N: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read address, sampled on the clock edge.
    pub read_address: Signal<In, Bits<N>>,
    /// The word at the address sampled on the last edge.
    pub read_data: Signal<Out, Bits<D>>,
    /// Write address.
    pub write_address: Signal<In, Bits<N>>,
    /// Word to write.
    pub write_data: Signal<In, Bits<D>>,
    /// Write `write_data` at `write_address` on the clock edge.
    pub write_enable: Signal<In, Bit>,
    _mem: Vec<Bits<D>>,
}

impl<const D: usize, const N: usize> Default for BufRam<D, N> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _mem: vec![Bits::<D>::default(); 1 << N],
        }
    }
}

impl<const D: usize, const N: usize> Logic for BufRam<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data.next = self._mem[self.read_address.val().index()];
            if self.write_enable.val() {
                let at = self.write_address.val().index();
                self._mem[at] = self.write_data.val();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
(* no_rw_check *)
reg [{top}:0] mem [0:{last}];
always @(posedge clock) begin
  read_data <= mem[read_address];
  if (write_enable) begin
    mem[write_address] <= write_data;
  end
end
",
            top = D - 1,
            last = (1usize << N) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![
            TimingInfo {
                name: "bufram_read".into(),
                clock: "clock".into(),
                inputs: vec!["read_address".into()],
                outputs: vec!["read_data".into()],
            },
            TimingInfo {
                name: "bufram_write".into(),
                clock: "clock".into(),
                inputs: vec![
                    "write_address".into(),
                    "write_data".into(),
                    "write_enable".into(),
                ],
                outputs: vec![],
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written() {
        let mut uut = BufRam::<8, 4>::default();
        uut.connect_all();
        let mut sim = simple_sim!(BufRam<8, 4>, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for a in 0..16u64 {
                x.write_enable.next = true;
                x.write_address.next = a.into();
                x.write_data.next = (a * 7 + 1).into();
                wait_clock_cycle!(ep, clock, x);
            }
            x.write_enable.next = false;
            for a in 0..16u64 {
                x.read_address.next = (15 - a).into();
                wait_clock_cycle!(ep, clock, x);
                sim_assert_eq!(ep, x.read_data.val(), bits::<8>((15 - a) * 7 + 1), x);
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
    }
}
