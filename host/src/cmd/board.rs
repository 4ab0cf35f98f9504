//! `rvzk board …` (the simulated board, a board's INFO) and `rvzk run --board PORT`.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use rvzk_zkvm::rv32im::{run_traced_partial, ExecError, Fault, RunOptions, Trace};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::board::{fault_text, Board, BoardEnd, LinkOptions};
use crate::cmd::run::{print_text, RunArgs};
use crate::exit;
use crate::input::{load_program, read_input};

/// Arguments of `rvzk board`.
#[derive(Args, Debug)]
pub struct BoardArgs {
    #[command(subcommand)]
    pub command: BoardCommand,
}

/// `rvzk board` subcommands.
#[derive(Subcommand, Debug)]
pub enum BoardCommand {
    /// Start the simulated board (Verilator) on a pseudo-terminal, print its port, and run
    /// until interrupted.
    Sim(SimArgs),
    /// Ask a board what it is.
    Info(InfoArgs),
}

/// Arguments of `rvzk board sim`.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// The simulated board's executable (default: build/sim/soc/soc_tb, or
    /// build/sim/soc_vcd/soc_vcd_tb with --vcd; `make sim-board` builds them).
    #[arg(long, value_name = "PATH")]
    pub sim: Option<PathBuf>,
    /// Write the SoC's waveforms to this VCD file (slow; needs the waveform build).
    #[arg(long, value_name = "FILE")]
    pub vcd: Option<PathBuf>,
}

/// Arguments of `rvzk board info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Serial port of the board.
    pub port: String,
    /// Line rate (ignored by the simulated board's pseudo-terminal).
    #[arg(long, default_value_t = 3_000_000)]
    pub baud: u32,
}

/// Run `rvzk board …`; returns the process exit status.
pub fn main(args: &BoardArgs) -> Result<u8> {
    match &args.command {
        BoardCommand::Sim(a) => sim(a),
        BoardCommand::Info(a) => {
            let board = Board::open(&a.port, a.baud, LinkOptions::default())?;
            let i = &board.info;
            println!("board      {} on {}", i.board_name(), a.port);
            println!("protocol   {} (firmware {})", i.protocol, i.firmware);
            println!(
                "memory     {} KiB (MEM_TOP {:#x})",
                i.mem_top / 1024,
                i.mem_top
            );
            println!("input      {} bytes", i.input_capacity);
            println!("journal    {} bytes kept", i.journal_capacity);
            println!(
                "clock      {:.1} MHz, UART {} clocks/bit",
                i.clock_hz as f64 / 1e6,
                i.divisor
            );
            let mut f = vec![];
            for (bit, name) in [(1, "trace"), (2, "ntt"), (4, "sha256")] {
                if i.features & bit != 0 {
                    f.push(name);
                }
            }
            println!("features   {}", f.join(", "));
            if i.ntt_log_n > 0 {
                println!("ntt        n = 2^{} values per job", i.ntt_log_n);
            }
            Ok(exit::SUCCESS)
        }
    }
}

fn sim(args: &SimArgs) -> Result<u8> {
    let default = if args.vcd.is_some() {
        "build/sim/soc_vcd/soc_vcd_tb"
    } else {
        "build/sim/soc/soc_tb"
    };
    let exe = args.sim.clone().unwrap_or_else(|| PathBuf::from(default));
    if !exe.exists() {
        bail!(
            "the simulated board is not built ({} does not exist): run `make sim-board`{}, or give --sim PATH",
            exe.display(),
            if args.vcd.is_some() { " WAVEFORMS=1" } else { "" }
        );
    }
    let mut cmd = Command::new(&exe);
    if let Some(v) = &args.vcd {
        cmd.arg("--vcd").arg(v);
    }
    // The board reads our stdin to notice when we are gone; Ctrl-C reaches both.
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    // Held until the board stops: Child::wait would close it first, and the board takes
    // end of file on its stdin as its parent gone.
    let _stdin = child.stdin.take();
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .context("reading the simulated board's port")?;
    let Some(port) = line.trim().strip_prefix("port ") else {
        bail!("the simulated board did not name its port (it said {line:?})");
    };
    println!("{port}");
    eprintln!("simulated board on {port}; stop it with Ctrl-C");
    let status = child.wait().context("waiting for the simulated board")?;
    Ok(if status.success() {
        exit::SUCCESS
    } else {
        exit::ERROR
    })
}

/// How the board's run compares with the executor's.
#[derive(Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Every record, syscall access, the journal and the ending agree.
    Equal,
    /// The first disagreement.
    Differs(String),
}

/// Compares a board run with the executor's on the same program and input.
pub fn compare(
    run: &crate::board::BoardRun,
    exec: &(Result<rvzk_zkvm::rv32im::Outcome, ExecError>, Trace),
) -> Comparison {
    let (result, trace) = exec;
    match (&run.end, result) {
        (BoardEnd::Halted(code), Ok(out)) => {
            if *code != out.exit_code {
                return Comparison::Differs(format!(
                    "exit code {code} on the board, {} in software",
                    out.exit_code
                ));
            }
            if run.journal != out.journal {
                return Comparison::Differs("the journals differ".into());
            }
        }
        (BoardEnd::Faulted { code, pc }, Err(e)) => {
            if !same_fault(*code, &e.fault) || *pc != e.pc {
                return Comparison::Differs(format!(
                    "the board stopped with {} at pc {pc:#010x}, the executor with {} at pc {:#010x}",
                    fault_text(*code),
                    e.fault,
                    e.pc
                ));
            }
        }
        (BoardEnd::Halted(c), Err(e)) => {
            return Comparison::Differs(format!(
                "the board halted with {c}, the executor stopped: {e}"
            ))
        }
        (BoardEnd::Faulted { code, pc }, Ok(_)) => {
            return Comparison::Differs(format!(
                "the board stopped with {} at pc {pc:#010x}, the executor halted",
                fault_text(*code)
            ))
        }
    }
    if u64::from(run.retired) != trace.records.len() as u64 {
        return Comparison::Differs(format!(
            "{} instructions retired on the board, {} in software",
            run.retired,
            trace.records.len()
        ));
    }
    if let Some(t) = &run.trace {
        if let Some(i) = t
            .records
            .iter()
            .zip(&trace.records)
            .position(|(a, b)| a != b)
        {
            return Comparison::Differs(format!(
                "trace record {i} differs: board {:?}, executor {:?}",
                t.records[i], trace.records[i]
            ));
        }
        if t.records.len() != trace.records.len() {
            return Comparison::Differs(format!(
                "{} records from the board, {} from the executor",
                t.records.len(),
                trace.records.len()
            ));
        }
        if t.syscall_mem != trace.syscall_mem {
            return Comparison::Differs("the syscall memory accesses differ".into());
        }
    }
    Comparison::Equal
}

/// Whether the board's fault code names the executor's fault.
pub fn same_fault(code: u8, fault: &Fault) -> bool {
    matches!(
        (code, fault),
        (1, Fault::IllegalInstruction { .. })
            | (2, Fault::Ebreak)
            | (3, Fault::FetchOutsideCode)
            | (4, Fault::MisalignedLoad { .. })
            | (5, Fault::MisalignedStore { .. })
            | (6, Fault::MisalignedJump { .. })
            | (7, Fault::LoadOutOfRange { .. })
            | (8, Fault::StoreOutOfRange { .. })
            | (9, Fault::StoreToCode { .. })
            | (10, Fault::UnknownSyscall { .. })
            | (11, Fault::SyscallBuffer { .. })
            | (12, Fault::CycleLimit { .. })
    )
}

/// `rvzk run --board PORT`: the guest on the board, reported like `rvzk run`, plus whether
/// the board's trace equals the executor's.
pub fn run_on_board(args: &RunArgs, port: &str) -> Result<u8> {
    let program = load_program(&args.elf)?;
    let input = read_input(args.input.as_deref(), args.input_u32.as_deref())?;
    let opts = LinkOptions {
        timeout: Duration::from_secs_f64(args.board_timeout),
        ..LinkOptions::default()
    };
    let mut board = Board::open(port, args.baud, opts)?;
    let elf = args.elf.display().to_string();
    let run = board
        .run_guest(&program, &input, args.max_cycles, !args.no_trace)
        .with_context(|| format!("{elf}: on the board at {port}"))?;
    let options = RunOptions {
        max_cycles: args.max_cycles,
        mem_top: board.info.mem_top,
    };
    let exec = run_traced_partial(&program, &input, &options);
    let verdict = compare(&run, &exec);
    let seconds = run.run_time.as_secs_f64();
    match &run.end {
        BoardEnd::Halted(code) => {
            let out = rvzk_zkvm::rv32im::Outcome {
                exit_code: *code,
                journal: run.journal.clone(),
                cycles: u64::from(run.retired),
            };
            print_text(&elf, input.len(), &out, seconds, None, args);
        }
        BoardEnd::Faulted { code, pc } => {
            let func = program.function_at(*pc).map(|s| format!(" in {}", s.name));
            eprintln!(
                "error: {elf}: guest stopped on the board: {} at pc {pc:#010x}{} after {} instructions",
                fault_text(*code),
                func.unwrap_or_default(),
                run.retired
            );
        }
    }
    print_board(&board, &run, &verdict, args.no_trace);
    Ok(match (&verdict, &run.end) {
        (Comparison::Differs(_), _) => exit::ERROR,
        (_, BoardEnd::Faulted { .. }) => exit::ERROR,
        (_, BoardEnd::Halted(0)) => exit::SUCCESS,
        _ => exit::GUEST_FAILED,
    })
}

fn print_board(board: &Board, run: &crate::board::BoardRun, verdict: &Comparison, no_trace: bool) {
    let s = &board.stats;
    println!(
        "board      {} on {}",
        board.info.board_name(),
        board.port_name()
    );
    println!(
        "  clocks   {} ({:.2} per instruction)",
        run.clocks,
        f64::from(run.clocks) / f64::from(run.retired.max(1))
    );
    println!(
        "  link     {} bytes out, {} in, {} frames sent ({} resent), {} damaged frames received",
        s.bytes_out, s.bytes_in, s.frames_sent, s.retries, s.bad_frames
    );
    println!(
        "  time     load {:.3} s, run and trace {:.3} s",
        run.load_time.as_secs_f64(),
        run.run_time.as_secs_f64()
    );
    match (verdict, no_trace) {
        (Comparison::Equal, false) => println!(
            "trace      {} records and {} syscall accesses, equal to the executor's",
            run.trace.as_ref().map_or(0, |t| t.records.len()),
            run.trace.as_ref().map_or(0, |t| t.syscall_mem.len())
        ),
        (Comparison::Equal, true) => {
            println!("trace      not streamed; ending and journal equal to the executor's")
        }
        (Comparison::Differs(why), _) => {
            println!("trace      DIFFERS from the executor's: {why}");
            eprintln!("error: the board disagrees with the executor: {why}");
        }
    }
}
