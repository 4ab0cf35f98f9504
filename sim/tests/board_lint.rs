//! The board SoCs' generated Verilog passes `verilator --lint-only -Wall` with only the
//! waivers of rust-hdl's style (rtl/lint/waivers.vlt) and of the core, the link and the
//! SoC (rtl/src/{core,link,board}/waivers.vlt; each waiver justified there). The iCEBreaker
//! SoC differs from the ULX3S one only in its guest memory (the UP5K's SPRAM primitives,
//! which Verilator has no model of) and is checked by synthesis instead, as is the ULX3S
//! top (`rvzk_top_ulx3s`: the ECP5 PLL around `rvzk_soc_ulx3s`). Fails, not skips,
//! when Verilator cannot be had.

use std::process::Command;

use rvzk_sim::verilator::{need_tool, workspace_root};

fn lint(top: &str) {
    need_tool("verilator").unwrap();
    let root = workspace_root();
    let block = rvzk_rtl::verilog::top_level(top).expect("a top level");
    let dir = root.join("build/sim/board-lint");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{top}.v"));
    std::fs::write(&path, &block.verilog).unwrap();
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top])
        .args(
            [
                "rtl/lint/waivers.vlt",
                "rtl/src/core/waivers.vlt",
                "rtl/src/link/waivers.vlt",
                "rtl/src/board/waivers.vlt",
            ]
            .map(|w| root.join(w)),
        )
        .arg(&path)
        .output()
        .expect("run verilator");
    assert!(
        out.status.success(),
        "verilator --lint-only -Wall on {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn simulated_board_verilog_is_lint_clean() {
    lint("rvzk_soc_sim");
}

#[test]
fn ulx3s_soc_verilog_is_lint_clean() {
    lint("rvzk_soc_ulx3s");
}
