//! `rvzk prove`: run a guest, prove the execution and write the receipt.

use anyhow::{bail, Context, Result};
use clap::Args;
use rvzk_zkvm::circuit::{CircuitError, ProveOptions, ProveReport};
use rvzk_zkvm::receipt::{prove_with_report, Receipt, ReceiptError};
use rvzk_zkvm::stark::StarkConfig;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::exit;
use crate::input::{load_program, read_input};
use crate::progress::Progress;
use crate::report::{exit_status, hex, mib, peak_rss_bytes, print_journal, printable, words};
use crate::rss::{RssSampler, RssSamples};

/// Arguments of `rvzk prove`.
#[derive(Args, Debug)]
pub struct ProveArgs {
    /// The guest: an RV32IM ELF executable.
    pub elf: PathBuf,
    /// Private input file (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Private input given as comma-separated u32 values, each written little-endian.
    #[arg(long, value_name = "LIST", conflicts_with = "input")]
    pub input_u32: Option<String>,
    /// Where to write the receipt (default: `<elf stem>.receipt` in the current directory).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Seed the prover's zero-knowledge randomness, to reproduce a proof exactly (default:
    /// fresh OS entropy, which hiding needs).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Stop with an error if the guest has not halted after this many instructions.
    #[arg(long, value_name = "N", default_value_t = ProveOptions::default().max_cycles)]
    pub max_cycles: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print each phase's time and peak memory, the table heights and the seal size.
    #[arg(long)]
    pub stats: bool,
    /// Test only: prove with cheap parameters of about 26 bits of security, which
    /// `rvzk verify` rejects unless given `--min-security-bits`.
    #[arg(long, hide = true)]
    pub insecure_test_params: bool,
}

/// One phase of proving: its time and the process's peak RSS when it ended.
struct Phase {
    name: String,
    seconds: f64,
    peak_rss: Option<u64>,
}

/// Run the subcommand; returns the process exit status.
pub fn main(args: &ProveArgs) -> Result<u8> {
    let program = load_program(&args.elf)?;
    let input = read_input(args.input.as_deref(), args.input_u32.as_deref())?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.elf));
    let config = if args.insecure_test_params {
        StarkConfig::zk_for_tests()
    } else {
        StarkConfig::default_100_bits()
    };
    let options = ProveOptions {
        config,
        max_cycles: args.max_cycles,
        seed: args.seed,
    };
    let elf = args.elf.display().to_string();
    check_memory(&elf, &program, &input, args.max_cycles)?;

    // Peak RSS at the end of each phase: sampled in the background, and matched to the
    // phases by time (the prover reports the STARK's phases only by duration).
    let progress = Progress::on_stderr("prove");
    let sampler = RssSampler::start(Duration::from_millis(2));
    let mut started: Vec<(String, Instant)> = Vec::new();
    let start = Instant::now();
    let result = prove_with_report(&program, &input, &options, &mut |phase| {
        started.push((phase.to_string(), Instant::now()));
        progress.phase(phase);
    });
    let samples = sampler.map(RssSampler::finish).unwrap_or_default();
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();

    let (receipt, report) = match result {
        Ok(r) => r,
        Err(ReceiptError::Prove(CircuitError::Execution(e))) => {
            let place = program
                .function_at(e.pc)
                .map(|s| format!(" in {}", s.name))
                .unwrap_or_default();
            bail!("{elf}: guest stopped: {e}{place}; there is nothing to prove");
        }
        Err(e) => bail!("{elf}: cannot prove: {e}"),
    };
    let bytes = receipt.to_bytes();
    std::fs::write(&output, &bytes)
        .with_context(|| format!("{}: cannot write the receipt", output.display()))?;

    let phases = phase_memory(&report, &started, start, &samples);
    let summary = Summary {
        elf: &elf,
        output: &output,
        receipt: &receipt,
        receipt_bytes: bytes.len(),
        report: &report,
        phases: &phases,
        seconds,
        peak_rss: peak_rss_bytes(),
    };
    if args.json {
        summary.print_json();
    } else {
        summary.print_text(args.stats);
    }
    Ok(if receipt.claim.exit_code == 0 {
        exit::SUCCESS
    } else {
        exit::GUEST_FAILED
    })
}

/// Each reported phase with the peak RSS at its end. A phase the progress callback announced
/// starts when it did; any other starts when the one before it ended.
fn phase_memory(
    report: &ProveReport,
    started: &[(String, Instant)],
    start: Instant,
    samples: &RssSamples,
) -> Vec<Phase> {
    let mut cursor = start;
    report
        .phases
        .iter()
        .map(|(name, secs)| {
            if let Some((_, at)) = started.iter().find(|(n, _)| n == name) {
                cursor = *at;
            }
            cursor += Duration::from_secs_f64(secs.max(0.0));
            Phase {
                name: name.clone(),
                seconds: *secs,
                peak_rss: samples.peak_at(cursor),
            }
        })
        .collect()
}

/// `<elf stem>.receipt` in the current directory.
pub fn default_output(elf: &Path) -> PathBuf {
    let stem = elf
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "guest".to_string());
    PathBuf::from(format!("{stem}.receipt"))
}

struct Summary<'a> {
    elf: &'a str,
    output: &'a Path,
    receipt: &'a Receipt,
    receipt_bytes: usize,
    report: &'a ProveReport,
    phases: &'a [Phase],
    seconds: f64,
    peak_rss: Option<u64>,
}

impl Summary<'_> {
    fn rate(&self) -> f64 {
        self.report.cycles as f64 / self.seconds.max(1e-9)
    }

    fn print_text(&self, stats: bool) {
        let r = self.receipt;
        println!("guest      {}", self.elf);
        println!("image ID   {}", r.claim.image_id);
        println!("exit code  {}", exit_status(r.claim.exit_code));
        print_journal(&r.claim.journal);
        println!("cycles     {}", self.report.cycles);
        println!(
            "time       {:.3} s ({:.0} cycles/s)",
            self.seconds,
            self.rate()
        );
        println!(
            "receipt    {} ({} bytes, seal {} bytes)",
            self.output.display(),
            self.receipt_bytes,
            r.seal.len()
        );
        println!("security   {}", security_text(r));
        if stats {
            println!("phases     (seconds, peak RSS at the end of the phase, sampled every 2 ms)");
            for p in self.phases {
                let rss = p.peak_rss.map(mib).unwrap_or_else(|| "-".into());
                println!("  {:<18} {:>9.3}  {:>12}", p.name, p.seconds, rss);
            }
            println!("tables     (rows)");
            for (name, log_h) in &self.report.tables {
                println!("  {name:<18} 2^{log_h}");
            }
            if let Some(rss) = self.peak_rss {
                println!("peak RSS   {}", mib(rss));
            }
        }
        if r.claim.exit_code != 0 {
            eprintln!(
                "note: the guest halted with exit code {}; the receipt proves that code, and \
                 `rvzk verify` accepts it only when given `--exit-code {}`",
                r.claim.exit_code, r.claim.exit_code
            );
        }
    }

    fn print_json(&self) {
        let r = self.receipt;
        let v = json!({
            "elf": self.elf,
            "receipt": self.output.display().to_string(),
            "image_id": r.claim.image_id.to_hex(),
            "exit_code": r.claim.exit_code,
            "journal_hex": hex(&r.claim.journal),
            "journal_text": printable(&r.claim.journal),
            "journal_u32": words(&r.claim.journal),
            "cycles": self.report.cycles,
            "seconds": self.seconds,
            "cycles_per_second": self.rate(),
            "receipt_bytes": self.receipt_bytes,
            "seal_bytes": r.seal.len(),
            "security_bits": r.security_bits(),
            "zk": r.config.zk,
            "protocol_version": r.version,
            "phases": self.phases.iter().map(|p| json!({
                "phase": p.name,
                "seconds": p.seconds,
                "peak_rss_bytes": p.peak_rss,
            })).collect::<Vec<_>>(),
            "tables": self.report.tables.iter().map(|(name, log_h)| json!({
                "table": name,
                "log_height": log_h,
            })).collect::<Vec<_>>(),
            "peak_rss_bytes": self.peak_rss,
        });
        println!("{v}");
    }
}

/// `100.0 bits (conjectured), zero-knowledge`.
pub fn security_text(r: &Receipt) -> String {
    format!(
        "{:.1} bits (conjectured), {}",
        r.security_bits(),
        if r.config.zk {
            "zero-knowledge"
        } else {
            "not zero-knowledge"
        }
    )
}

/// Refuse, before proving, a run whose proof would not fit in the memory available: run the
/// executor (fast) for the cycle count and compare the prover's estimate with MemAvailable.
fn check_memory(
    elf: &str,
    program: &rvzk_zkvm::elf::Program,
    input: &[u8],
    max_cycles: u64,
) -> Result<()> {
    let Some(available) = mem_available() else {
        return Ok(());
    };
    let run = rvzk_zkvm::rv32im::RunOptions {
        max_cycles,
        ..Default::default()
    };
    // A fault is reported by the prover itself, with its usual message.
    let Ok(outcome) = rvzk_zkvm::rv32im::run(program, input, &run) else {
        return Ok(());
    };
    let need = rvzk_zkvm::circuit::prover_memory_estimate(outcome.cycles);
    if need > available {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        let fits = (7..=rvzk_zkvm::circuit::MAX_LOG_CYCLES as u32)
            .rev()
            .find(|&k| rvzk_zkvm::circuit::prover_memory_estimate(1 << k) <= available);
        bail!(
            "{elf}: {} cycles would need about {:.1} GiB to prove, and {:.1} GiB is available; \
             the largest run that fits here is {} (one proof holds at most 2^{} cycles; \
             continuations are not supported yet)",
            outcome.cycles,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_get_the_peak_at_their_end() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let report = ProveReport {
            cycles: 1,
            phases: vec![
                ("execute".into(), 0.010),
                ("prove".into(), 0.0),
                ("commit".into(), 0.020),
                ("FRI".into(), 0.030),
            ],
            tables: vec![],
        };
        // "prove" was announced at 15 ms; "commit" and "FRI" follow it by duration.
        let started = vec![
            ("execute".to_string(), t0),
            ("prove".to_string(), t0 + ms(15)),
        ];
        let samples = RssSamples((0..100).map(|k| (t0 + ms(k), 1000 + k)).collect());
        let p = phase_memory(&report, &started, t0, &samples);
        let got: Vec<Option<u64>> = p.iter().map(|p| p.peak_rss).collect();
        assert_eq!(got, [Some(1010), Some(1015), Some(1035), Some(1065)]);
    }

    #[test]
    fn default_output_is_the_stem_in_the_current_directory() {
        assert_eq!(
            default_output(Path::new("build/guests/multiply.elf")),
            PathBuf::from("multiply.receipt")
        );
        assert_eq!(
            default_output(Path::new("prog")),
            PathBuf::from("prog.receipt")
        );
    }
}
