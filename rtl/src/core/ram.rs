//! Guest memory: a single-port RAM of 32-bit words.

use rust_hdl::prelude::*;

/// How [`CoreRam`] is written in Verilog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RamStyle {
    /// A plain memory array: simulators, and block RAM on ECP5 (inferred). The word read is
    /// on `rdata` the cycle after the read.
    Inferred,
    /// The same array, its word passing a register after the block RAMs' output
    /// multiplexer (the ULX3S until session 6): on `rdata` two cycles after the read. The
    /// ECP5's block RAM takes 5.6 ns from the clock to its unregistered output, and 64 of
    /// them need a multiplexer and long wires: nothing but this register may follow them in
    /// a cycle.
    Registered,
    /// [`RamStyle::Registered`] with a register in front as well (address, enable, write,
    /// data): the ULX3S. On `rdata` three cycles after the read. Nothing but that register
    /// drives the 64 block RAMs' inputs across the die, so no path runs from the core's
    /// port selection and address adder to them.
    Pipelined,
    /// The iCE40 UP5K's four SB_SPRAM256KA (16K × 16 each), as two banks of two; only for
    /// 2^15 words. Not simulable without the vendor model (synthesis only).
    Up5kSpram,
}

impl RamStyle {
    /// Clock edges from a read to its word on `rdata`: 1, 2 for [`RamStyle::Registered`], 3
    /// for [`RamStyle::Pipelined`].
    pub fn read_latency(self) -> usize {
        match self {
            RamStyle::Registered => 2,
            RamStyle::Pipelined => 3,
            _ => 1,
        }
    }
}

/// Single-port synchronous RAM of `2^A` 32-bit words (2^15 words = 128 KiB, the UP5K's four
/// SPRAMs; block RAM on ECP5).
///
/// A cycle with `enable` high either writes `wdata` at `addr` (`write` high) or reads the
/// word at `addr` into `rdata` on the clock edge ([`RamStyle::Registered`]: on the edge
/// after; [`RamStyle::Pipelined`]: two edges after, the access itself a cycle late). `rdata` changes only on a read, so it holds a word for as long as the core needs
/// it — the core relies on that.
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
    _pending: bool,
    _out: u32,
    // Pipelined: the access registered in front (enable, write, address, data)
    _in: Option<(bool, usize, u32)>,
    _style: RamStyle,
}

impl<const A: usize> CoreRam<A> {
    /// A RAM written in Verilog as `style` says.
    pub fn new(style: RamStyle) -> Self {
        assert!(
            style != RamStyle::Up5kSpram || A == 15,
            "SPRAM holds exactly 2^15 words"
        );
        Self {
            _style: style,
            ..Self::default()
        }
    }
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
            _pending: false,
            _out: 0,
            _in: None,
            _style: RamStyle::Inferred,
        }
    }
}

impl<const A: usize> Logic for CoreRam<A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self._pending {
                self._out = self._q;
            }
            let now = self.enable.val().then(|| {
                (
                    self.write.val(),
                    self.addr.val().index(),
                    self.wdata.val().to_u32(),
                )
            });
            let access = if self._style == RamStyle::Pipelined {
                std::mem::replace(&mut self._in, now)
            } else {
                now
            };
            self._pending = matches!(access, Some((false, _, _)));
            if let Some((write, a, data)) = access {
                if write {
                    self._mem[a] = data;
                } else {
                    self._q = self._mem[a];
                }
            }
        }
        let word = if self._style.read_latency() > 1 {
            self._out
        } else {
            self._q
        };
        self.rdata.next = (word as u64).into();
    }

    fn connect(&mut self) {
        self.rdata.connect();
    }

    fn hdl(&self) -> Verilog {
        if self._style == RamStyle::Up5kSpram {
            return Verilog::Custom(UP5K_SPRAM.into());
        }
        if self._style == RamStyle::Pipelined {
            // The access a cycle late from the input registers, then as Registered.
            return Verilog::Custom(format!(
                "\
reg [31:0] mem [0:{last}];
reg [31:0] word;
reg pending;
reg en_q;
reg we_q;
reg [{top}:0] addr_q;
reg [31:0] wdata_q;
initial begin
  word = 32'h0;
  pending = 1'b0;
  rdata = 32'h0;
  en_q = 1'b0;
  we_q = 1'b0;
  addr_q = {a}'h0;
  wdata_q = 32'h0;
end
always @(posedge clock) begin
  en_q <= enable;
  we_q <= write;
  addr_q <= addr;
  wdata_q <= wdata;
  pending <= en_q && !we_q;
  if (pending) rdata <= word;
  if (en_q) begin
    if (we_q) mem[addr_q] <= wdata_q;
    else word <= mem[addr_q];
  end
end
",
                last = (1usize << A) - 1,
                top = A - 1,
                a = A
            ));
        }
        if self._style == RamStyle::Registered {
            // `word` is the block RAMs' own output (it holds between reads); `rdata` takes
            // it the cycle after a read.
            return Verilog::Custom(format!(
                "\
reg [31:0] mem [0:{last}];
reg [31:0] word;
reg pending;
initial begin
  word = 32'h0;
  pending = 1'b0;
  rdata = 32'h0;
end
always @(posedge clock) begin
  pending <= enable && !write;
  if (pending) rdata <= word;
  if (enable) begin
    if (write) mem[addr] <= wdata;
    else word <= mem[addr];
  end
end
",
                last = (1usize << A) - 1
            ));
        }
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

/// 2^15 words in the UP5K's SPRAMs: address bit 14 picks a bank, each bank is two SPRAMs
/// for the low and high halfwords. SPRAM's output is only promised for the cycle after a
/// read, so a register keeps the word for as long as the core needs it.
const UP5K_SPRAM: &str = "\
wire [15:0] q0lo;
wire [15:0] q0hi;
wire [15:0] q1lo;
wire [15:0] q1hi;
wire cs0 = enable && !addr[14];
wire cs1 = enable && addr[14];
reg bank;
reg fresh;
reg [31:0] held;
wire [31:0] word = bank ? {q1hi, q1lo} : {q0hi, q0lo};
SB_SPRAM256KA ram0lo (.ADDRESS(addr[13:0]), .DATAIN(wdata[15:0]), .MASKWREN(4'b1111),
  .WREN(write), .CHIPSELECT(cs0), .CLOCK(clock), .STANDBY(1'b0), .SLEEP(1'b0),
  .POWEROFF(1'b1), .DATAOUT(q0lo));
SB_SPRAM256KA ram0hi (.ADDRESS(addr[13:0]), .DATAIN(wdata[31:16]), .MASKWREN(4'b1111),
  .WREN(write), .CHIPSELECT(cs0), .CLOCK(clock), .STANDBY(1'b0), .SLEEP(1'b0),
  .POWEROFF(1'b1), .DATAOUT(q0hi));
SB_SPRAM256KA ram1lo (.ADDRESS(addr[13:0]), .DATAIN(wdata[15:0]), .MASKWREN(4'b1111),
  .WREN(write), .CHIPSELECT(cs1), .CLOCK(clock), .STANDBY(1'b0), .SLEEP(1'b0),
  .POWEROFF(1'b1), .DATAOUT(q1lo));
SB_SPRAM256KA ram1hi (.ADDRESS(addr[13:0]), .DATAIN(wdata[31:16]), .MASKWREN(4'b1111),
  .WREN(write), .CHIPSELECT(cs1), .CLOCK(clock), .STANDBY(1'b0), .SLEEP(1'b0),
  .POWEROFF(1'b1), .DATAOUT(q1hi));
initial begin
  bank = 1'b0;
  fresh = 1'b0;
  held = 32'h0;
end
always @(posedge clock) begin
  fresh <= enable && !write;
  if (enable && !write) bank <= addr[14];
  if (fresh) held <= word;
end
always @(*) rdata = fresh ? word : held;
";

#[cfg(test)]
mod tests {
    use super::*;

    fn check(style: RamStyle) {
        let later = style.read_latency() as u64 - 1;
        let mut uut = CoreRam::<6>::new(style);
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
                // A read's word is on rdata `latency` edges after it: after this edge,
                // the word of the read `later` reads back.
                if a >= later {
                    sim_assert_eq!(ep, x.rdata.val(), bits::<32>((63 - (a - later)) * 3 + 1), x);
                }
            }
            // No access, then a write: the last word read reaches rdata and stays there.
            x.enable.next = false;
            x.addr.next = 5.into();
            for _ in 0..later {
                wait_clock_cycle!(ep, clock, x);
            }
            sim_assert_eq!(ep, x.rdata.val(), bits::<32>(1), x);
            x.enable.next = true;
            x.write.next = true;
            x.wdata.next = 99.into();
            wait_clock_cycle!(ep, clock, x);
            sim_assert_eq!(ep, x.rdata.val(), bits::<32>(1), x);
            x.enable.next = false;
            for _ in 0..3 {
                wait_clock_cycle!(ep, clock, x);
            }
            sim_assert_eq!(ep, x.rdata.val(), bits::<32>(1), x);
            // ... and the write took: reading it back
            x.enable.next = true;
            x.write.next = false;
            wait_clock_cycle!(ep, clock, x);
            x.enable.next = false;
            for _ in 0..later {
                wait_clock_cycle!(ep, clock, x);
            }
            sim_assert_eq!(ep, x.rdata.val(), bits::<32>(99), x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    }

    #[test]
    fn reads_writes_and_holds() {
        check(RamStyle::Inferred);
    }

    #[test]
    fn registered_reads_arrive_a_cycle_later_and_hold() {
        check(RamStyle::Registered);
    }

    #[test]
    fn pipelined_reads_arrive_two_cycles_later_and_hold() {
        check(RamStyle::Pipelined);
    }
}
