//! The accelerator's generated Verilog stays `verilator --lint-only -Wall` clean under the
//! waivers in `rtl/lint/waivers.vlt` (the same check as `make lint-verilog`).

use rvzk_sim::verilator::{need_tool, workspace_root};
use std::process::Command;

/// The blocks `make verilog` lints (the accelerator's part of `rvzk_rtl::verilog`).
const BLOCKS: &[&str] = &[
    "rvzk_mod_add",
    "rvzk_mod_sub",
    "rvzk_mont_mul",
    "rvzk_butterfly",
    "rvzk_sha256",
    "rvzk_sha256_cs",
    "rvzk_ntt6",
    "rvzk_ntt12",
    "rvzk_ntt14",
];

#[test]
fn accelerator_verilog_is_lint_clean() {
    need_tool("verilator").unwrap();
    let root = workspace_root();
    let dir = root.join("build/sim/lint");
    std::fs::create_dir_all(&dir).unwrap();
    for name in BLOCKS {
        let top = rvzk_rtl::verilog::top_level(name).unwrap();
        let path = dir.join(format!("{name}.v"));
        std::fs::write(&path, &top.verilog).unwrap();
        let out = Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", name])
            .arg(root.join("rtl/lint/waivers.vlt"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} is not lint clean:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
