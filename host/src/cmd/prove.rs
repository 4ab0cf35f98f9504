//! `rvzk prove`: run a guest, prove the execution and write the receipt.

use anyhow::{bail, Context, Result};
use clap::Args;
use rvzk_zkvm::circuit::{ProveOptions, ProveReport};
use rvzk_zkvm::receipt::{Receipt, VerifyOptions};
use rvzk_zkvm::stark::StarkConfig;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::backend::board::{AccelMode, BoardBackend, BoardOptions, BoardReport};
use crate::backend::software::Software;
use crate::backend::Backend;
use crate::board::LinkOptions;
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
    /// Run the guest on the board at this serial port and prove its streamed trace (`rvzk
    /// board sim` prints the simulated board's port).
    #[arg(long, value_name = "PORT")]
    pub board: Option<String>,
    /// Line rate of the board's port.
    #[arg(long, default_value_t = 3_000_000, requires = "board")]
    pub baud: u32,
    /// Seconds to wait for each answer from the board before sending again.
    #[arg(long, value_name = "S", default_value_t = 2.0, requires = "board")]
    pub board_timeout: f64,
    /// Send NTT and Merkle work to the board's accelerator: `auto` only what a cost model
    /// measured on this link says is faster there, `off` nothing, `force` everything it can
    /// take (up to --accel-jobs; an error if it has no accelerator).
    #[arg(long, value_enum, default_value = "auto", requires = "board")]
    pub accel: AccelMode,
    /// With --accel: at most N NTT jobs and N SHA-256 jobs.
    #[arg(long, value_name = "N", requires = "board")]
    pub accel_jobs: Option<u64>,
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
    let mut backend: Box<dyn Backend> = match &args.board {
        None => Box::new(Software),
        Some(port) => {
            if !(args.board_timeout > 0.0 && args.board_timeout.is_finite()) {
                bail!("--board-timeout must be a positive number of seconds");
            }
            Box::new(BoardBackend::open(BoardOptions {
                port: port.clone(),
                baud: args.baud,
                link: LinkOptions {
                    timeout: Duration::from_secs_f64(args.board_timeout),
                    ..LinkOptions::default()
                },
                accel: args.accel,
                jobs: args.accel_jobs,
            })?)
        }
    };

    // Peak RSS at the end of each phase: sampled in the background, and matched to the
    // phases by time (the prover reports the STARK's phases only by duration).
    let progress = Progress::on_stderr("prove");
    backend.set_detail(progress.detail_setter());
    let sampler = RssSampler::start(Duration::from_millis(2));
    let mut started: Vec<(String, Instant)> = Vec::new();
    let start = Instant::now();
    let result = backend.prove(&elf, &program, &input, &options, &mut |phase| {
        started.push((phase.to_string(), Instant::now()));
        progress.phase(phase);
    });
    let samples = sampler.map(RssSampler::finish).unwrap_or_default();
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();
    let (receipt, report) = result?;

    // Nothing is written that does not verify: a receipt is checked against its own claim
    // (the exit code it states, any security level) before it reaches the disk.
    let t = Instant::now();
    let check = VerifyOptions {
        expected_exit_code: Some(receipt.claim.exit_code),
        min_security_bits: 0.0,
    };
    receipt
        .verify_with(&receipt.claim.image_id, &check)
        .map_err(|e| {
            anyhow::anyhow!(
                "{elf}: the {} backend made a receipt that does not verify ({e}); nothing was written",
                backend.name()
            )
        })?;
    let verify_seconds = t.elapsed().as_secs_f64();
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
        verify_seconds,
        peak_rss: peak_rss_bytes(),
        backend: backend.name(),
        board: backend.board_report(),
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
    verify_seconds: f64,
    peak_rss: Option<u64>,
    backend: String,
    board: Option<BoardReport>,
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
        if self.board.is_some() {
            println!("backend    {}", self.backend);
        }
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
            println!("  {:<18} {:>9.3}", "verify receipt", self.verify_seconds);
            if let Some(rss) = self.peak_rss {
                println!("peak RSS   {}", mib(rss));
            }
            if let Some(b) = &self.board {
                print_board(b);
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
            "verify_seconds": self.verify_seconds,
            "backend": self.backend,
            "board": self.board.as_ref().map(board_json),
        });
        println!("{v}");
    }
}

fn rate_text(bytes: u64, secs: f64) -> String {
    format!("{:.1} KB/s", bytes as f64 / secs.max(1e-9) / 1e3)
}

/// The board's part of `--stats`: the run and its trace, the link, the accelerator.
fn print_board(b: &BoardReport) {
    let run = &b.run_link;
    println!("board      {} on {}", b.board, b.port);
    println!(
        "  run      {} records, {} syscall accesses; {} board clocks ({:.2} M clocks/s); load {:.3} s, run and trace {:.3} s ({:.0} records/s)",
        b.records,
        b.syscall_accesses,
        b.clocks,
        b.effective_clock_hz() / 1e6,
        b.load_seconds,
        b.run_seconds,
        b.records as f64 / b.run_seconds.max(1e-9)
    );
    println!(
        "  link     load, run, trace: {} bytes out, {} in ({} in during the run), {} frames ({} resent, {} timeouts), {} damaged and {} stale answers received, {} restarts; {}",
        run.bytes_out,
        run.bytes_in,
        rate_text(run.bytes_in, b.run_seconds),
        run.frames_sent,
        run.retries,
        run.timeouts,
        run.bad_frames,
        run.stale_answers,
        run.restarts,
        match b.run_line_utilisation() {
            Some(u) => format!(
                "the trace records used {:.1} % of the board-to-host line",
                100.0 * u
            ),
            None => "(too few chunks to measure the line's use)".to_string(),
        }
    );
    println!("  accel    {}", b.decision);
    if let Some(o) = &b.offload {
        let a = &b.accel_link;
        let secs = o.ntt_seconds + o.sha_seconds;
        println!(
            "  jobs     NTT {} ({} transforms) {:.3} s; SHA-256 {} {:.3} s; checking them {:.3} s",
            o.ntt_jobs, o.ntt_transforms, o.ntt_seconds, o.sha_jobs, o.sha_seconds, o.check_seconds
        );
        println!(
            "  link     jobs: {} bytes out, {} in ({} out, {} in), {} frames ({} resent), {} damaged received; {:.1} % of the line each way",
            a.bytes_out,
            a.bytes_in,
            rate_text(a.bytes_out, secs),
            rate_text(a.bytes_in, secs),
            a.frames_sent,
            a.retries,
            a.bad_frames,
            100.0 * (a.bytes_out.max(a.bytes_in) as f64)
                / (secs.max(1e-9) * b.effective_line_bytes_per_second())
        );
    }
}

fn board_json(b: &BoardReport) -> serde_json::Value {
    let link = |l: &crate::board::LinkStats| {
        json!({
            "bytes_out": l.bytes_out,
            "bytes_in": l.bytes_in,
            "frames_sent": l.frames_sent,
            "retries": l.retries,
            "timeouts": l.timeouts,
            "bad_frames": l.bad_frames,
            "stale_answers": l.stale_answers,
            "restarts": l.restarts,
        })
    };
    json!({
        "board": b.board,
        "port": b.port,
        "clocks": b.clocks,
        "records": b.records,
        "syscall_accesses": b.syscall_accesses,
        "load_seconds": b.load_seconds,
        "run_seconds": b.run_seconds,
        "run_link": link(&b.run_link),
        "run_line_utilisation": b.run_line_utilisation(),
        "accel": b.accel,
        "decision": b.decision,
        "accel_link": link(&b.accel_link),
        "ntt_jobs": b.offload.as_ref().map(|o| o.ntt_jobs),
        "sha_jobs": b.offload.as_ref().map(|o| o.sha_jobs),
        "ntt_seconds": b.offload.as_ref().map(|o| o.ntt_seconds),
        "sha_seconds": b.offload.as_ref().map(|o| o.sha_seconds),
    })
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
