//! The ULX3S clock: an ECP5 EHXPLLL taking the board's 25 MHz oscillator to 60 MHz, which
//! gives exactly 3 Mbaud at 20 clocks per UART bit and stays under the SoC's Fmax
//! (docs/benchmarks.md, "Session 6: ECP5 timing"; from 25 MHz with the phase detector at
//! 5 MHz or more, the rates with a whole number of clocks per bit are 45, 60 and 75 MHz).
//! Divider settings (as `ecppll -i 25 -o 60` computes them): 25 MHz / 5 = 5 MHz at the phase
//! detector, feedback from CLKOP divided by 12 (60 MHz), VCO = 60 MHz × 10 = 600 MHz
//! (inside the ECP5's 400–800 MHz), CLKOP = VCO / 10.

use crate::verilog::SocUlx3s;
use rust_hdl::prelude::*;

/// Board clock into the PLL, core clock out. In rust-hdl's simulator the clock passes
/// straight through; the Verilog is the vendor primitive (synthesis only).
#[derive(LogicBlock, Default)]
pub struct Ecp5Pll60 {
    /// 25 MHz in.
    pub clk_in: Signal<In, Clock>,
    /// 60 MHz out.
    pub clk_out: Signal<Out, Clock>,
    /// The PLL has locked.
    pub locked: Signal<Out, Bit>,
}

impl Logic for Ecp5Pll60 {
    fn update(&mut self) {
        self.clk_out.next = self.clk_in.val();
        self.locked.next = true;
    }

    fn connect(&mut self) {
        self.clk_out.connect();
        self.locked.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "\
wire clkop;
wire lock;
(* FREQUENCY_PIN_CLKI=\"25\" *)
(* FREQUENCY_PIN_CLKOP=\"60\" *)
EHXPLLL #(
  .CLKI_DIV(5), .CLKFB_DIV(12), .CLKOP_DIV(10), .CLKOP_CPHASE(4), .CLKOP_FPHASE(0),
  .CLKOP_ENABLE(\"ENABLED\"), .FEEDBK_PATH(\"CLKOP\"), .PLLRST_ENA(\"DISABLED\"),
  .INTFB_WAKE(\"DISABLED\"), .STDBY_ENABLE(\"DISABLED\"), .DPHASE_SOURCE(\"DISABLED\"),
  .OUTDIVIDER_MUXA(\"DIVA\")
) pll (
  .CLKI(clk_in), .CLKFB(clkop), .CLKOP(clkop), .LOCK(lock), .RST(1'b0), .STDBY(1'b0),
  .PHASESEL0(1'b0), .PHASESEL1(1'b0), .PHASEDIR(1'b1), .PHASESTEP(1'b1),
  .PHASELOADREG(1'b1), .PLLWAKESYNC(1'b0), .ENCLKOP(1'b0)
);
always @(*) begin
  clk_out = clkop;
  locked = lock;
end
"
            .into(),
        )
    }
}

/// The ULX3S's whole design: the PLL and the SoC (`rvzk_soc_ulx3s`) at 60 MHz; the ports
/// are the pins of constraints/ulx3s.lpf.
#[derive(LogicBlock)]
pub struct Ulx3sTop {
    /// The 25 MHz oscillator.
    pub clock: Signal<In, Clock>,
    /// UART from the host.
    pub rx: Signal<In, Bit>,
    /// UART to the host.
    pub tx: Signal<Out, Bit>,
    /// LED 0 running, LED 1 faulted.
    pub leds: Signal<Out, Bits<2>>,
    pll: Ecp5Pll60,
    soc: SocUlx3s,
}

impl Ulx3sTop {
    /// The PLL and an SoC built as `soc` says (its clock must be the PLL's 60 MHz).
    pub fn new(soc: SocUlx3s) -> Self {
        Self {
            clock: Default::default(),
            rx: Default::default(),
            tx: Default::default(),
            leds: Default::default(),
            pll: Default::default(),
            soc,
        }
    }
}

impl Logic for Ulx3sTop {
    #[hdl_gen]
    fn update(&mut self) {
        self.pll.clk_in.next = self.clock.val();
        self.soc.clock.next = self.pll.clk_out.val();
        self.soc.rx.next = self.rx.val();
        self.tx.next = self.soc.tx.val();
        self.leds.next = self.soc.leds.val();
    }
}
