//! The core's and the link's generated Verilog pass `verilator --lint-only -Wall` with only
//! the waivers in rtl/lint/waivers.vlt (rust-hdl's style) and their own waiver files
//! (rtl/src/core/waivers.vlt, rtl/src/link/waivers.vlt; each waiver justified there).
//! Fails, not skips, when Verilator cannot be had.

use std::process::Command;

use rvzk_sim::verilator::{need_tool, workspace_root};

fn lint(top: &str, waivers: &str) {
    need_tool("verilator").unwrap();
    let root = workspace_root();
    let block = rvzk_rtl::verilog::top_level(top).expect("a top level");
    let dir = root.join("build/sim/core-lint");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{top}.v"));
    std::fs::write(&path, &block.verilog).unwrap();
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top])
        .arg(root.join("rtl/lint/waivers.vlt"))
        .arg(root.join(waivers))
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
fn core_verilog_is_lint_clean() {
    lint("rvzk_core", "rtl/src/core/waivers.vlt");
}

#[test]
fn link_verilog_is_lint_clean() {
    lint("rvzk_link", "rtl/src/link/waivers.vlt");
}
