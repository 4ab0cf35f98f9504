//! Verilog emission for every top-level block of the accelerator.
//!
//! rust-hdl names the top module `top` and each submodule after its path (module
//! `top$mul$pp00`); the emitter renames the whole tree after the block so
//! several blocks can share one synthesis run or simulation build.

use crate::core::{CoreSystem128K, RamStyle};
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
            "RV32IM trace-capture core with 128 KiB of guest memory",
            CoreSystem128K::default(),
        ),
        emit(
            "rvzk_core_up5k",
            "RV32IM trace-capture core, guest memory in the UP5K's SPRAM (synthesis only)",
            CoreSystem128K::new(RamStyle::Up5kSpram),
        ),
        emit(
            "rvzk_link",
            "UART + SLIP/CRC-16 framing, end to end (lint and testbench)",
            LinkLoopback::new(4),
        ),
    ]
}

/// The Verilog of one named top-level block.
pub fn top_level(name: &str) -> Option<TopLevel> {
    top_levels().into_iter().find(|t| t.name == name)
}
