//! The simulated board: the Verilator build of `rvzk_soc_sim` (core, guest memory, link and
//! message layer) inside `sim/board/soc_tb.cpp`, which bridges the SoC's UART to a
//! pseudo-terminal. Host code talks to it through that terminal with `serialport`, exactly
//! as to a real board on /dev/ttyUSB0.

use crate::verilator::{build_with, HarnessSpec};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// Builds (or reuses) the simulated board; `waveforms` builds the variant that can write a
/// VCD file (`--vcd`), which simulates more slowly. Returns the executable.
pub fn build_board(waveforms: bool) -> Result<PathBuf, String> {
    let divisor = format!("DIVISOR={}", rvzk_rtl::verilog::SIM_DIVISOR);
    let defines = [divisor.as_str()];
    let spec = HarnessSpec {
        name: if waveforms { "soc_vcd" } else { "soc" },
        top: "rvzk_soc_sim",
        testbench: "sim/board/soc_tb.cpp",
        defines: &defines,
    };
    if waveforms {
        build_with(&spec, &["--trace", "-LDFLAGS", "-lutil"])
    } else {
        build_with(&spec, &["-LDFLAGS", "-lutil"])
    }
}

/// A running simulated board. Dropping it stops the simulation.
pub struct SimBoard {
    child: Child,
    // Held open: the simulation stops when it reads end of file here.
    _stdin: ChildStdin,
    /// The pseudo-terminal to open (`/dev/pts/N`).
    pub port: String,
}

impl SimBoard {
    /// Starts the board executable `exe` (from [`build_board`]); `vcd` writes waveforms
    /// (only with the `waveforms` build). Its statistics line goes to this process's stderr.
    pub fn start(exe: &Path, vcd: Option<&Path>) -> Result<SimBoard, String> {
        let mut cmd = Command::new(exe);
        if let Some(v) = vcd {
            cmd.arg("--vcd").arg(v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", exe.display()))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the simulated board's port: {e}"))?;
        let port = match line.trim().strip_prefix("port ") {
            Some(p) => p.to_string(),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the simulated board did not name its port (said {line:?})"
                ));
            }
        };
        Ok(SimBoard {
            child,
            _stdin: stdin,
            port,
        })
    }

    /// Stops the simulation (SIGTERM, so it prints its statistics) and waits for it.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        // SIGTERM rather than Child::kill (SIGKILL), so the board prints its statistics.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for SimBoard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}
