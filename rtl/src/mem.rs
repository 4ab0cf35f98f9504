//! Memories written as plain inferable Verilog: the synthesis tools turn the synchronous
//! ones into block RAM (ECP5 DP16KD, iCE40 SB_RAM40_4K) and the small constant table into
//! LUTs. Each carries a behavioural model for rust-hdl's simulator.

use rust_hdl::prelude::*;

fn hex_width(d: usize) -> usize {
    d.div_ceil(4)
}

/// A combinational lookup table of `2^A` constants of `D` bits (becomes LUT logic).
#[derive(LogicBlock)]
pub struct ConstRom<const A: usize, const D: usize> {
    /// Entry index.
    pub address: Signal<In, Bits<A>>,
    /// The entry, in the same cycle.
    pub data: Signal<Out, Bits<D>>,
    _values: Vec<u64>,
}

impl<const A: usize, const D: usize> ConstRom<A, D> {
    /// A table holding `values` (missing entries read as zero).
    pub fn new(values: &[u64]) -> Self {
        assert!(values.len() <= 1 << A && D <= 64);
        let mut v = values.to_vec();
        v.resize(1 << A, 0);
        Self {
            address: Default::default(),
            data: Default::default(),
            _values: v,
        }
    }
}

impl<const A: usize, const D: usize> Logic for ConstRom<A, D> {
    fn update(&mut self) {
        self.data.next = self._values[self.address.val().index()].into();
    }

    fn connect(&mut self) {
        self.data.connect();
    }

    fn hdl(&self) -> Verilog {
        let w = hex_width(D);
        let cases: Vec<String> = self
            ._values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("    {A}'d{i}: data = {D}'h{v:0w$x};"))
            .collect();
        // The case is full (every address listed), so no default arm is needed.
        Verilog::Custom(format!(
            "always @(*) begin\n  case (address)\n{}\n  endcase\nend\n",
            cases.join("\n")
        ))
    }
}

/// A synchronous-read ROM of `2^A` words of `D` bits with a read enable (block RAM).
#[derive(LogicBlock)]
pub struct SyncRom<const A: usize, const D: usize> {
    /// Read clock.
    pub clock: Signal<In, Clock>,
    /// When high, `data` takes the word at `address` on the next clock edge.
    pub enable: Signal<In, Bit>,
    /// Word index.
    pub address: Signal<In, Bits<A>>,
    /// The word addressed in the last enabled cycle.
    pub data: Signal<Out, Bits<D>>,
    _values: Vec<u64>,
}

impl<const A: usize, const D: usize> SyncRom<A, D> {
    /// A ROM holding `values` (missing entries read as zero).
    pub fn new(values: &[u64]) -> Self {
        assert!(values.len() <= 1 << A && D <= 64);
        let mut v = values.to_vec();
        v.resize(1 << A, 0);
        Self {
            clock: Default::default(),
            enable: Default::default(),
            address: Default::default(),
            data: Default::default(),
            _values: v,
        }
    }
}

impl<const A: usize, const D: usize> Logic for SyncRom<A, D> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            self.data.next = self._values[self.address.val().index()].into();
        }
    }

    fn connect(&mut self) {
        self.data.connect();
    }

    fn hdl(&self) -> Verilog {
        // The ROM is written as bit slices of at most 16 Kbit each (2^A words of
        // 16384 >> A bits), so each slice fits one ECP5 DP16KD in its deepest shape and the
        // block RAM outputs feed the data register with no cascade multiplexer between.
        // Each slice is initialised from one wide constant by a loop, which keeps the file
        // small.
        let depth = 1usize << A;
        let slice = (16384 >> A).clamp(1, D);
        let mut text = String::from("integer i;\n");
        let mut parts = vec![];
        let mut lo = 0;
        let mut k = 0;
        while lo < D {
            let w = slice.min(D - lo);
            // INIT_k holds word j's bits [lo, lo + w) at bit j·w.
            let mut init = vec![0u8; (depth * w).div_ceil(4)];
            for (j, v) in self._values.iter().enumerate() {
                for b in 0..w {
                    if (v >> (lo + b)) & 1 == 1 {
                        let bit = j * w + b;
                        init[bit / 4] |= 1 << (bit % 4);
                    }
                }
            }
            let hex: String = init.iter().rev().map(|n| format!("{n:x}")).collect();
            text.push_str(&format!(
                "localparam [{top}:0] INIT_{k} = {bits}'h{hex};\n\
                 reg [{wm}:0] mem_{k} [0:{last}];\n\
                 reg [{wm}:0] q_{k};\n\
                 initial for (i = 0; i < {depth}; i = i + 1) mem_{k}[i] = INIT_{k}[i * {w} +: {w}];\n\
                 always @(posedge clock) if (enable) q_{k} <= mem_{k}[address];\n",
                top = depth * w - 1,
                bits = depth * w,
                wm = w - 1,
                last = depth - 1,
            ));
            parts.push(format!("q_{k}"));
            lo += w;
            k += 1;
        }
        parts.reverse();
        text.push_str(&format!("always @(*) data = {{{}}};\n", parts.join(", ")));
        Verilog::Custom(text)
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "rom_read".into(),
            clock: "clock".into(),
            inputs: vec!["address".into(), "enable".into()],
            outputs: vec!["data".into()],
        }]
    }
}

/// A simple dual-port RAM of `2^A` words of `D` bits: one synchronous read port with a
/// read enable and one write port, both on one clock. A read of the address being
/// written in the same cycle returns the old word.
#[derive(LogicBlock)]
pub struct SdpRam<const A: usize, const D: usize> {
    /// The one clock.
    pub clock: Signal<In, Clock>,
    /// When high, `read_data` takes the word at `read_address` on the next edge.
    pub read_enable: Signal<In, Bit>,
    /// Read word index.
    pub read_address: Signal<In, Bits<A>>,
    /// The word read in the last enabled cycle.
    pub read_data: Signal<Out, Bits<D>>,
    /// When high, `write_data` is stored at `write_address` on the next edge.
    pub write_enable: Signal<In, Bit>,
    /// Write word index.
    pub write_address: Signal<In, Bits<A>>,
    /// Word to store.
    pub write_data: Signal<In, Bits<D>>,
    _mem: Vec<Bits<D>>,
}

impl<const A: usize, const D: usize> Default for SdpRam<A, D> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            read_enable: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            _mem: vec![Bits::default(); 1 << A],
        }
    }
}

impl<const A: usize, const D: usize> Logic for SdpRam<A, D> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.read_enable.val() {
                self.read_data.next = self._mem[self.read_address.val().index()];
            }
            if self.write_enable.val() {
                self._mem[self.write_address.val().index()] = self.write_data.val();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [{dm}:0] mem [0:{last}];\n\
             always @(posedge clock) begin\n\
             \x20 if (read_enable) read_data <= mem[read_address];\n\
             \x20 if (write_enable) mem[write_address] <= write_data;\n\
             end\n",
            dm = D - 1,
            last = (1usize << A) - 1,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "ram".into(),
            clock: "clock".into(),
            inputs: vec![
                "read_address".into(),
                "read_enable".into(),
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec!["read_data".into()],
        }]
    }
}

/// How a [`BankRam`] is built.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum BankStyle {
    /// One simple dual-port block RAM.
    #[default]
    DualPort,
    /// Two single-port RAMs marked for the iCE40 UP5K's SPRAM (`ram_style = "huge"`):
    /// reads come from copy `read_copy`, writes go to the other copy. Right for a memory
    /// that is read and rewritten in full between two flips of `read_copy`, like an NTT
    /// bank during one pass.
    PingPong,
}

/// A memory with one synchronous read port (always reading) and one write port, in one of
/// two [`BankStyle`]s with the same timing: `read_data` is the word at the `read_address`
/// of the previous cycle.
#[derive(LogicBlock)]
pub struct BankRam<const A: usize, const D: usize> {
    /// The one clock.
    pub clock: Signal<In, Clock>,
    /// Word to read.
    pub read_address: Signal<In, Bits<A>>,
    /// The word read in the last cycle.
    pub read_data: Signal<Out, Bits<D>>,
    /// When high, `write_data` is stored at `write_address` on the next edge.
    pub write_enable: Signal<In, Bit>,
    /// Write word index.
    pub write_address: Signal<In, Bits<A>>,
    /// Word to store.
    pub write_data: Signal<In, Bits<D>>,
    /// Ping-pong style: the copy reads come from (writes go to the other). Ignored by the
    /// dual-port style.
    pub read_copy: Signal<In, Bit>,
    _style: BankStyle,
    _mem: [Vec<Bits<D>>; 2],
    _copy_q: bool,
}

impl<const A: usize, const D: usize> BankRam<A, D> {
    /// A bank of the given style.
    pub fn new(style: BankStyle) -> Self {
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_copy: Default::default(),
            _style: style,
            _mem: [vec![Bits::default(); 1 << A], vec![Bits::default(); 1 << A]],
            _copy_q: false,
        }
    }
}

impl<const A: usize, const D: usize> Default for BankRam<A, D> {
    fn default() -> Self {
        Self::new(BankStyle::DualPort)
    }
}

impl<const A: usize, const D: usize> Logic for BankRam<A, D> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let (read, write) = match self._style {
                BankStyle::DualPort => (0, 0),
                BankStyle::PingPong => {
                    let c = self.read_copy.val() as usize;
                    (c, 1 - c)
                }
            };
            self.read_data.next = self._mem[read][self.read_address.val().index()];
            if self.write_enable.val() {
                self._mem[write][self.write_address.val().index()] = self.write_data.val();
            }
            self._copy_q = self.read_copy.val();
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let dm = D - 1;
        let am = A - 1;
        let last = (1usize << A) - 1;
        Verilog::Custom(match self._style {
            BankStyle::DualPort => format!(
                "reg [{dm}:0] mem [0:{last}];\n\
                 // read_copy only matters to the ping-pong style\n\
                 always @(posedge clock) begin\n\
                 \x20 read_data <= mem[read_address];\n\
                 \x20 if (write_enable) mem[write_address] <= write_data;\n\
                 end\n"
            ),
            // Each copy has one address (the read one or the write one), the shape yosys
            // maps onto SB_SPRAM256KA; its read data holds while it is being written.
            BankStyle::PingPong => format!(
                "(* ram_style = \"huge\" *) reg [{dm}:0] mem0 [0:{last}];\n\
                 (* ram_style = \"huge\" *) reg [{dm}:0] mem1 [0:{last}];\n\
                 wire [{am}:0] addr0 = read_copy ? write_address : read_address;\n\
                 wire [{am}:0] addr1 = read_copy ? read_address : write_address;\n\
                 wire we0 = read_copy & write_enable;\n\
                 wire we1 = ~read_copy & write_enable;\n\
                 reg [{dm}:0] q0;\n\
                 reg [{dm}:0] q1;\n\
                 reg copy_q;\n\
                 always @(posedge clock) begin\n\
                 \x20 if (we0) mem0[addr0] <= write_data; else q0 <= mem0[addr0];\n\
                 \x20 if (we1) mem1[addr1] <= write_data; else q1 <= mem1[addr1];\n\
                 \x20 copy_q <= read_copy;\n\
                 end\n\
                 always @(*) read_data = copy_q ? q1 : q0;\n"
            ),
        })
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "bank".into(),
            clock: "clock".into(),
            inputs: vec![
                "read_address".into(),
                "read_copy".into(),
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec!["read_data".into()],
        }]
    }
}

/// A small RAM with a synchronous write port and an asynchronous read port (LUT RAM on
/// ECP5, flip-flops and multiplexers on iCE40), for FIFOs.
#[derive(LogicBlock)]
pub struct LutRam<const A: usize, const D: usize> {
    /// Write clock.
    pub clock: Signal<In, Clock>,
    /// Word read in the same cycle.
    pub read_address: Signal<In, Bits<A>>,
    /// The word at `read_address` (after any write on the last edge).
    pub read_data: Signal<Out, Bits<D>>,
    /// When high, `write_data` is stored at `write_address` on the next edge.
    pub write_enable: Signal<In, Bit>,
    /// Write word index.
    pub write_address: Signal<In, Bits<A>>,
    /// Word to store.
    pub write_data: Signal<In, Bits<D>>,
    _mem: Vec<Bits<D>>,
}

impl<const A: usize, const D: usize> Default for LutRam<A, D> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            _mem: vec![Bits::default(); 1 << A],
        }
    }
}

impl<const A: usize, const D: usize> Logic for LutRam<A, D> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.write_enable.val() {
            self._mem[self.write_address.val().index()] = self.write_data.val();
        }
        self.read_data.next = self._mem[self.read_address.val().index()];
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [{dm}:0] mem [0:{last}];\n\
             always @(posedge clock) if (write_enable) mem[write_address] <= write_data;\n\
             always @(*) read_data = mem[read_address];\n",
            dm = D - 1,
            last = (1usize << A) - 1,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "lutram_write".into(),
            clock: "clock".into(),
            inputs: vec![
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec![],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exposes every memory input as a port, as the simulator wants them driven.
    #[derive(LogicBlock)]
    struct RamRom {
        clock: Signal<In, Clock>,
        we: Signal<In, Bit>,
        wa: Signal<In, Bits<4>>,
        wd: Signal<In, Bits<8>>,
        re: Signal<In, Bit>,
        ra: Signal<In, Bits<4>>,
        rom_en: Signal<In, Bit>,
        rom_a: Signal<In, Bits<3>>,
        table_a: Signal<In, Bits<2>>,
        ram: SdpRam<4, 8>,
        rom: SyncRom<3, 12>,
        table: ConstRom<2, 5>,
    }

    impl Default for RamRom {
        fn default() -> Self {
            Self {
                clock: Default::default(),
                we: Default::default(),
                wa: Default::default(),
                wd: Default::default(),
                re: Default::default(),
                ra: Default::default(),
                rom_en: Default::default(),
                rom_a: Default::default(),
                table_a: Default::default(),
                ram: Default::default(),
                rom: SyncRom::new(&[0x111, 0x222, 0x333, 0x444, 0x555, 0x666, 0x777, 0x888]),
                table: ConstRom::new(&[3, 1, 4, 1]),
            }
        }
    }

    impl Logic for RamRom {
        #[hdl_gen]
        fn update(&mut self) {
            self.ram.clock.next = self.clock.val();
            self.rom.clock.next = self.clock.val();
            self.ram.write_enable.next = self.we.val();
            self.ram.write_address.next = self.wa.val();
            self.ram.write_data.next = self.wd.val();
            self.ram.read_enable.next = self.re.val();
            self.ram.read_address.next = self.ra.val();
            self.rom.enable.next = self.rom_en.val();
            self.rom.address.next = self.rom_a.val();
            self.table.address.next = self.table_a.val();
        }
    }

    #[test]
    fn memories_behave() {
        let mut uut = RamRom::default();
        uut.connect_all();
        let mut sim = simple_sim!(RamRom, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for i in 0..16u64 {
                x.we.next = true;
                x.wa.next = i.into();
                x.wd.next = (i * 7 + 1).into();
                wait_clock_cycle!(ep, clock, x);
            }
            x.we.next = false;
            for i in 0..16u64 {
                x.re.next = true;
                x.ra.next = i.into();
                x.rom_en.next = true;
                x.rom_a.next = (i % 8).into();
                x.table_a.next = (i % 4).into();
                wait_clock_cycle!(ep, clock, x);
                sim_assert_eq!(ep, x.ram.read_data.val(), bits::<8>(i * 7 + 1), x);
                sim_assert_eq!(ep, x.rom.data.val(), bits::<12>((i % 8 + 1) * 0x111), x);
                sim_assert_eq!(
                    ep,
                    x.table.data.val(),
                    bits::<5>([3, 1, 4, 1][i as usize % 4]),
                    x
                );
            }
            // Read enable low: the output holds.
            x.re.next = false;
            x.ra.next = 0.into();
            wait_clock_cycle!(ep, clock, x);
            sim_assert_eq!(ep, x.ram.read_data.val(), bits::<8>(15 * 7 + 1), x);
            ep.done(x)
        });
        sim.run(Box::new(uut), 100_000_000).unwrap();
    }
}
