//! Proving backends: where the execution trace comes from and where the prover's heavy
//! steps run. [`software`] (the default, and the bit-exact reference) runs the executor and
//! proves on the CPU; [`board`] takes the trace from a board's trace-capture core and can
//! send NTT and Merkle work to the board's accelerator. With the same seed both give the
//! same receipt, byte for byte.

pub mod board;
pub mod software;

use crate::progress::DetailSetter;
use anyhow::Result;
use rvzk_zkvm::circuit::{ProveOptions, ProveReport};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::receipt::Receipt;

/// A way of proving a guest.
pub trait Backend {
    /// What it is, for messages ("software", "ULX3S (ECP5-85F) on /dev/ttyUSB0").
    fn name(&self) -> String;

    /// Runs `program` on `input` and proves the run. `elf` names the program in errors;
    /// `progress` is told each phase's name as it starts.
    fn prove(
        &mut self,
        elf: &str,
        program: &Program,
        input: &[u8],
        options: &ProveOptions,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Receipt, ProveReport)>;

    /// Figures about the board and its link (`None` for software).
    fn board_report(&self) -> Option<board::BoardReport> {
        None
    }

    /// Where to say how far a long phase has got (the board's trace stream); backends
    /// without such a phase ignore it.
    fn set_detail(&mut self, _detail: DetailSetter) {}
}

/// Refuse, before proving, a run whose proof would not fit in the memory available.
pub fn check_memory(elf: &str, cycles: u64) -> Result<()> {
    let Some(available) = mem_available() else {
        return Ok(());
    };
    let need = rvzk_zkvm::circuit::prover_memory_estimate(cycles);
    if need > available {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        let fits = (7..=rvzk_zkvm::circuit::MAX_LOG_CYCLES as u32)
            .rev()
            .find(|&k| rvzk_zkvm::circuit::prover_memory_estimate(1 << k) <= available);
        anyhow::bail!(
            "{elf}: {cycles} cycles would need about {:.1} GiB to prove, and {:.1} GiB is available; \
             the largest run that fits here is {} (one proof holds at most 2^{} cycles; \
             continuations are not supported yet)",
            gib(need),
            gib(available),
            fits.map_or("none".to_string(), |k| format!("2^{k} cycles")),
            rvzk_zkvm::circuit::MAX_LOG_CYCLES
        );
    }
    Ok(())
}

/// MemAvailable from /proc/meminfo, in bytes (None where there is no such file).
fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
