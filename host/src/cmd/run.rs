//! `rvzk run`: execute a guest and report its exit code, journal and cycles.

use anyhow::Result;
use clap::Args;
use rvzk_zkvm::rv32im::{run, run_profiled, ExecError, Outcome, RunOptions, DEFAULT_MAX_CYCLES};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

use crate::exit;
use crate::input::{load_program, read_input};
use crate::report::{exit_status, hex, print_journal, printable};

/// Arguments of `rvzk run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The guest: an RV32IM ELF executable.
    pub elf: PathBuf,
    /// Private input file (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Private input given as comma-separated u32 values, each written little-endian.
    #[arg(long, value_name = "LIST", conflicts_with = "input")]
    pub input_u32: Option<String>,
    /// Stop with an error if the guest has not halted after this many instructions.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CYCLES)]
    pub max_cycles: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// List the guest functions that used the most cycles.
    #[arg(long)]
    pub profile: bool,
    /// How many functions `--profile` lists.
    #[arg(long, value_name = "N", default_value_t = 15, requires = "profile")]
    pub profile_top: usize,
    /// Run on the board at this serial port (`rvzk board sim` prints the simulated one's)
    /// and compare its trace with the executor's.
    #[arg(long, value_name = "PORT", conflicts_with_all = ["profile", "json"])]
    pub board: Option<String>,
    /// Line rate of the board's port.
    #[arg(long, default_value_t = 3_000_000, requires = "board")]
    pub baud: u32,
    /// Seconds to wait for each answer from the board before sending again.
    #[arg(long, value_name = "S", default_value_t = 2.0, requires = "board")]
    pub board_timeout: f64,
    /// Do not stream the trace from the board (only the ending and journal are compared).
    #[arg(long, requires = "board")]
    pub no_trace: bool,
}

/// Run the subcommand; returns the process exit status.
pub fn main(args: &RunArgs) -> Result<u8> {
    if let Some(port) = &args.board {
        return super::board::run_on_board(args, port);
    }
    let program = load_program(&args.elf)?;
    let input = read_input(args.input.as_deref(), args.input_u32.as_deref())?;
    let options = RunOptions {
        max_cycles: args.max_cycles,
        ..RunOptions::default()
    };
    let start = Instant::now();
    let (result, profile) = if args.profile {
        match run_profiled(&program, &input, &options) {
            Ok((out, prof)) => (Ok(out), Some(prof.by_function(&program))),
            Err(e) => (Err(e), None),
        }
    } else {
        (run(&program, &input, &options), None)
    };
    let seconds = start.elapsed().as_secs_f64();
    let elf = args.elf.display().to_string();
    match result {
        Ok(out) => {
            if args.json {
                print_json(&elf, input.len(), &out, seconds, profile.as_deref());
            } else {
                print_text(&elf, input.len(), &out, seconds, profile.as_deref(), args);
            }
            Ok(if out.exit_code == 0 {
                exit::SUCCESS
            } else {
                exit::GUEST_FAILED
            })
        }
        Err(e) => {
            report_fault(&elf, &program, &e, args.json);
            Ok(exit::ERROR)
        }
    }
}

pub(crate) fn print_text(
    elf: &str,
    input_len: usize,
    out: &Outcome,
    seconds: f64,
    profile: Option<&[rvzk_zkvm::rv32im::FunctionCycles]>,
    args: &RunArgs,
) {
    println!("guest      {elf}");
    println!("input      {input_len} bytes");
    println!("exit code  {}", exit_status(out.exit_code));
    println!("cycles     {}", out.cycles);
    // A rate over a few microseconds measures start-up, not the executor.
    if out.cycles >= 100_000 {
        println!(
            "time       {:.3} ms ({:.1} M instr/s)",
            seconds * 1e3,
            out.cycles as f64 / seconds / 1e6
        );
    } else {
        println!("time       {:.3} ms", seconds * 1e3);
    }
    print_journal(&out.journal);
    if let Some(funcs) = profile {
        let total = out.cycles.max(1) as f64;
        println!("profile    (self cycles, top {})", args.profile_top);
        for f in funcs.iter().take(args.profile_top) {
            println!(
                "  {:>12}  {:>5.1}%  {}",
                f.cycles,
                100.0 * f.cycles as f64 / total,
                f.name
            );
        }
    }
}

fn print_json(
    elf: &str,
    input_len: usize,
    out: &Outcome,
    seconds: f64,
    profile: Option<&[rvzk_zkvm::rv32im::FunctionCycles]>,
) {
    let mut v = json!({
        "elf": elf,
        "status": "halted",
        "exit_code": out.exit_code,
        "journal_hex": hex(&out.journal),
        "journal_text": printable(&out.journal),
        "cycles": out.cycles,
        "input_bytes": input_len,
        "seconds": seconds,
    });
    if let Some(funcs) = profile {
        v["profile"] = funcs
            .iter()
            .map(|f| json!({"function": f.name, "addr": f.addr, "cycles": f.cycles}))
            .collect();
    }
    println!("{v}");
}

fn report_fault(elf: &str, program: &rvzk_zkvm::elf::Program, e: &ExecError, as_json: bool) {
    let func = program.function_at(e.pc).map(|s| s.name.clone());
    if as_json {
        let v = json!({
            "elf": elf,
            "status": "fault",
            "error": e.to_string(),
            "pc": e.pc,
            "cycles": e.cycle,
            "function": func,
        });
        println!("{v}");
    } else {
        let place = func.map(|f| format!(" in {f}")).unwrap_or_default();
        eprintln!("error: {elf}: guest stopped: {e}{place}");
    }
}
