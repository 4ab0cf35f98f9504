//! The core's generated Verilog passes `verilator --lint-only -Wall` with only the waivers
//! in rtl/lint/waivers.vlt (rust-hdl's style) and rtl/src/core/waivers.vlt (each justified
//! there). Fails, not skips, when Verilator cannot be had.

use std::process::Command;

use rvzk_sim::verilator::{need_tool, workspace_root};

#[test]
fn core_verilog_is_lint_clean() {
    need_tool("verilator").unwrap();
    let root = workspace_root();
    let top = rvzk_rtl::verilog::top_level("rvzk_core").expect("rvzk_core is a top level");
    let dir = root.join("build/sim/core-lint");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rvzk_core.v");
    std::fs::write(&path, &top.verilog).unwrap();
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", "rvzk_core"])
        .arg(root.join("rtl/lint/waivers.vlt"))
        .arg(root.join("rtl/src/core/waivers.vlt"))
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
