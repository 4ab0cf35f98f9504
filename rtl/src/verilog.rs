//! Verilog emission for every top-level block of the accelerator.
//!
//! rust-hdl names the top module `top` and each submodule after its path (module
//! `top$mul$pp00`); the emitter renames the whole tree after the block so
//! several blocks can share one synthesis run or simulation build.

use crate::board::{board_id, BoardConfig, BoardSoc, Ulx3sTop};
use crate::core::{CoreSystem128K, RamStyle, RAM_ADDR_BITS_128K};
use crate::field::{Butterfly, ModAdd, ModSub, MontMul};
use crate::link::LinkLoopback;
use crate::mem::BankStyle;
use crate::ntt::NttEngine;
use crate::sha256::Sha256Core;
use rust_hdl::prelude::*;

/// A named top-level block's Verilog.
pub struct TopLevel {
    /// Module (and file) name.
    pub name: &'static str,
    /// One-line description.
    pub about: &'static str,
    /// The Verilog source.
    pub verilog: String,
}

fn emit<U: Block>(name: &'static str, about: &'static str, mut uut: U) -> TopLevel {
    uut.connect_all();
    let raw = generate_verilog(&uut);
    // Module names are `top` or start with `top_`; instances refer to them the same way.
    let mut verilog = String::with_capacity(raw.len());
    for line in raw.lines() {
        let renamed = rename_modules(line, name);
        verilog.push_str(&renamed);
        verilog.push('\n');
    }
    TopLevel {
        name,
        about,
        verilog,
    }
}

fn rename_modules(line: &str, name: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    for key in ["module ", "endmodule // "] {
        if let Some(rest) = trimmed.strip_prefix(key) {
            if let Some(tail) = rest.strip_prefix("top") {
                return format!("{indent}{key}{name}{tail}");
            }
        }
    }
    // Instantiations: `top$x$y inst_name(`.
    if let Some(rest) = trimmed.strip_prefix("top$") {
        if rest.contains(' ') {
            return format!("{indent}{name}${rest}");
        }
    }
    line.to_string()
}

/// Largest NTT for the ECP5-85F (ULX3S): 2^14 points.
pub type NttEcp5 = NttEngine<14, 13, 12>;
/// NTT for the UP5K (iCEBreaker): 2^12 points, one bank in SPRAM (built with
/// `BankStyle::PingPong`).
pub type NttUp5k = NttEngine<12, 11, 10>;
/// Small NTT used by quick simulations: 2^6 points.
pub type NttSmall = NttEngine<6, 5, 4>;

/// The simulated board: 128 KiB of guest memory, 8 KiB of input, NTT jobs of 2^6 values
/// (the engine's small build: the jobs' protocol is what the simulation checks).
pub type SocSim = BoardSoc<RAM_ADDR_BITS_128K, 11, 6, 5, 4>;
/// The iCEBreaker board: guest memory in the UP5K's SPRAM, 2 KiB of input, no NTT (the
/// UP5K has no room beside the core; the type's 2^3 engine is unused).
pub type SocIcebreaker = BoardSoc<RAM_ADDR_BITS_128K, 9, 3, 2, 1>;
/// The ULX3S board: guest memory in block RAM, 8 KiB of input, NTT jobs of 2^14 values.
pub type SocUlx3s = BoardSoc<RAM_ADDR_BITS_128K, 11, 14, 13, 12>;

/// UART bit time of the simulated board, in clocks: the fastest the UART's mid-bit
/// sampling allows, so that simulated runs spend their time in the core, not the line.
pub const SIM_DIVISOR: u16 = 4;
/// Clock the simulated board reports (it has none; 12 MHz like the iCEBreaker).
pub const SIM_CLOCK_HZ: u32 = 12_000_000;

/// The simulated board's configuration.
pub fn sim_board() -> BoardConfig {
    BoardConfig {
        board: board_id::SIM,
        clock_hz: SIM_CLOCK_HZ,
        divisor: SIM_DIVISOR,
        ram: RamStyle::Inferred,
        // the iCEBreaker's divider, so that the simulated board tests its logic
        serial_divider: true,
        leds_active_low: false,
        ntt: Some(BankStyle::DualPort),
        sha: Some(false),
    }
}

/// The iCEBreaker: 12 MHz, 3 Mbaud (divisor 4), LEDs active low.
pub fn icebreaker_board() -> BoardConfig {
    BoardConfig {
        board: board_id::ICEBREAKER,
        clock_hz: 12_000_000,
        divisor: 4,
        ram: RamStyle::Up5kSpram,
        serial_divider: true,
        leds_active_low: true,
        ntt: None,
        sha: None,
    }
}

/// The ULX3S: 60 MHz from the PLL ([`Ulx3sTop`]), 3 Mbaud (divisor 20); guest memory in
/// block RAM with registers on both sides (read latency three).
pub fn ulx3s_board() -> BoardConfig {
    BoardConfig {
        board: board_id::ULX3S,
        clock_hz: 60_000_000,
        divisor: 20,
        ram: RamStyle::Pipelined,
        serial_divider: false,
        leds_active_low: false,
        ntt: Some(BankStyle::DualPort),
        sha: Some(false),
    }
}

/// Every top-level block, in the order `make verilog` writes them.
pub fn top_levels() -> Vec<TopLevel> {
    vec![
        emit("rvzk_mod_add", "Baby Bear adder", ModAdd::default()),
        emit("rvzk_mod_sub", "Baby Bear subtractor", ModSub::default()),
        emit(
            "rvzk_mont_mul",
            "Baby Bear Montgomery multiplier",
            MontMul::default(),
        ),
        emit(
            "rvzk_butterfly",
            "Gentleman-Sande butterfly",
            Butterfly::default(),
        ),
        emit(
            "rvzk_sha256",
            "SHA-256 core, ordinary adders (ECP5)",
            Sha256Core::new(false),
        ),
        emit(
            "rvzk_sha256_cs",
            "SHA-256 core, carry-save sums (iCE40)",
            Sha256Core::new(true),
        ),
        emit("rvzk_ntt6", "NTT engine, n = 2^6", NttSmall::default()),
        emit(
            "rvzk_ntt12",
            "NTT engine, n = 2^12, second bank in SPRAM (UP5K)",
            NttUp5k::new(BankStyle::PingPong),
        ),
        emit(
            "rvzk_ntt14",
            "NTT engine, n = 2^14 (ECP5-85F)",
            NttEcp5::default(),
        ),
        emit(
            "rvzk_core",
            "RV32IM trace-capture core with 128 KiB of guest memory registered on both sides (ULX3S)",
            CoreSystem128K::new(RamStyle::Pipelined),
        ),
        emit(
            "rvzk_core_up5k",
            "RV32IM trace-capture core, guest memory in the UP5K's SPRAM, serial divider (synthesis only)",
            CoreSystem128K::with_divider(RamStyle::Up5kSpram, true),
        ),
        emit(
            "rvzk_link",
            "UART + SLIP/CRC-16 framing, end to end (lint and testbench)",
            LinkLoopback::new(4),
        ),
        emit(
            "rvzk_soc_sim",
            "the simulated board: core, 128 KiB guest memory, link and message layer",
            SocSim::new(sim_board()),
        ),
        emit(
            "rvzk_soc_icebreaker",
            "iCEBreaker SoC: core, guest memory in SPRAM, link (synthesis only)",
            SocIcebreaker::new(icebreaker_board()),
        ),
        emit(
            "rvzk_soc_ulx3s",
            "ULX3S SoC at 60 MHz: core, guest memory in block RAM registered on both sides, link",
            SocUlx3s::new(ulx3s_board()),
        ),
        emit(
            "rvzk_top_ulx3s",
            "ULX3S design: 25 -> 60 MHz PLL and the SoC (synthesis only)",
            Ulx3sTop::new(SocUlx3s::new(ulx3s_board())),
        ),
    ]
}

/// The Verilog of one named top-level block.
pub fn top_level(name: &str) -> Option<TopLevel> {
    top_levels().into_iter().find(|t| t.name == name)
}
