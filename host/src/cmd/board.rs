//! `rvzk board …` (the simulated board, a board's INFO) and `rvzk run --board PORT`.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use rvzk_zkvm::rv32im::{run_traced_partial, ExecError, Fault, RunOptions, Trace};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::board::proxy::{Action, Faults, Proxy, ProxyCounts, Upstream};
use crate::board::{fault_text, Board, BoardEnd, LinkOptions};
use crate::cmd::run::{print_text, RunArgs};
use crate::exit;
use crate::input::{load_program, read_input};
use crate::progress::Progress;

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
    /// A fault-injecting proxy: opens a new pseudo-terminal (its name is printed) and
    /// forwards bytes between it and the board, damaging them at the given rates. Commands
    /// on standard input: `reset` (restart a --sim board), `unplug`, `counts`. Ctrl-C stops
    /// it and prints what it did.
    Proxy(ProxyArgs),
}

/// Arguments of `rvzk board proxy`.
#[derive(Args, Debug)]
pub struct ProxyArgs {
    /// The board's serial port (or --sim).
    #[arg(required_unless_present = "sim", conflicts_with = "sim")]
    pub port: Option<String>,
    /// Start the simulated board behind the proxy (so that `reset` can restart it).
    #[arg(long)]
    pub sim: bool,
    /// The simulated board's executable (default: build/sim/soc/soc_tb).
    #[arg(long, value_name = "PATH", requires = "sim")]
    pub sim_exe: Option<PathBuf>,
    /// Line rate of the board's port.
    #[arg(long, default_value_t = 3_000_000)]
    pub baud: u32,
    /// Probability that a byte has a bit flipped (each way).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub byte_error_rate: f64,
    /// Probability that a byte is dropped.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Probability that a whole frame is dropped.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub frame_drop_rate: f64,
    /// Probability that a frame is sent twice.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub duplicate_rate: f64,
    /// Probability that a frame is cut short.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub truncate_rate: f64,
    /// Probability that a frame (and all behind it) is held back by --delay-ms.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub delay_rate: f64,
    /// How long a delayed frame is held, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    pub delay_ms: u64,
    /// Seed of the fault generators (the same seed and traffic give the same faults).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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
        BoardCommand::Proxy(a) => proxy(a),
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
    let (mut child, _stdin, port) = spawn_sim(&exe, args.vcd.as_deref())?;
    println!("{port}");
    eprintln!("simulated board on {port}; stop it with Ctrl-C");
    let status = child.wait().context("waiting for the simulated board")?;
    Ok(if status.success() {
        exit::SUCCESS
    } else {
        exit::ERROR
    })
}

/// Starts the simulated board `exe`; returns it, its standard input (the board stops when
/// that closes: hold it) and its port.
fn spawn_sim(
    exe: &std::path::Path,
    vcd: Option<&std::path::Path>,
) -> Result<(std::process::Child, std::process::ChildStdin, String)> {
    let mut cmd = Command::new(exe);
    if let Some(v) = vcd {
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
    let stdin = child.stdin.take().expect("piped");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .context("reading the simulated board's port")?;
    let Some(port) = line.trim().strip_prefix("port ") else {
        let _ = child.kill();
        let _ = child.wait();
        bail!("the simulated board did not name its port (it said {line:?})");
    };
    Ok((child, stdin, port.to_string()))
}

static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    STOP.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn proxy(args: &ProxyArgs) -> Result<u8> {
    let faults = Faults {
        byte_error_rate: args.byte_error_rate,
        byte_drop_rate: args.drop_rate,
        frame_drop_rate: args.frame_drop_rate,
        duplicate_rate: args.duplicate_rate,
        truncate_rate: args.truncate_rate,
        delay_rate: args.delay_rate,
        delay: Duration::from_millis(args.delay_ms),
    };
    faults.validate().map_err(anyhow::Error::msg)?;
    let upstream = match &args.port {
        Some(p) => Upstream::Port {
            path: p.clone(),
            baud: args.baud,
        },
        None => {
            let exe = args
                .sim_exe
                .clone()
                .unwrap_or_else(|| PathBuf::from("build/sim/soc/soc_tb"));
            if !exe.exists() {
                bail!(
                    "the simulated board is not built ({} does not exist): run `make sim-board`, or give --sim-exe PATH",
                    exe.display()
                );
            }
            let mut running: Option<(std::process::Child, std::process::ChildStdin)> = None;
            Upstream::Restartable(Box::new(move || {
                if let Some((mut child, stdin)) = running.take() {
                    drop(stdin); // the board stops at end of file on its stdin
                    let _ = child.kill();
                    let _ = child.wait();
                }
                let (child, stdin, port) = spawn_sim(&exe, None).map_err(|e| format!("{e:#}"))?;
                running = Some((child, stdin));
                Ok(port)
            }))
        }
    };
    let proxy = Proxy::start(upstream, faults, args.seed).map_err(anyhow::Error::msg)?;
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_stop_signal as *const () as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            on_stop_signal as *const () as libc::sighandler_t,
        );
    }
    println!("{}", proxy.port());
    eprintln!(
        "proxy on {} to {}; commands on stdin: reset, unplug, counts; stop it with Ctrl-C",
        proxy.port(),
        args.port.as_deref().unwrap_or("the simulated board")
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while !STOP.load(std::sync::atomic::Ordering::SeqCst) {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => match line.trim() {
                "reset" => match proxy.act(Action::ResetBoard) {
                    Ok(()) => eprintln!("board reset"),
                    Err(e) => eprintln!("error: {e}"),
                },
                "unplug" => {
                    let _ = proxy.act(Action::Unplug);
                    eprintln!("host unplugged ({} is closed)", proxy.port());
                }
                "counts" => print_counts(&proxy.counts()),
                "" => {}
                other => eprintln!("unknown command {other:?} (reset, unplug, counts)"),
            },
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            // standard input closed: keep forwarding until a signal
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(50))
            }
        }
    }
    print_counts(&proxy.stop());
    Ok(exit::SUCCESS)
}

fn print_counts(c: &ProxyCounts) {
    println!("to board   {}", c.to_board);
    println!("to host    {}", c.to_host);
    println!(
        "board      {} resets{}",
        c.resets,
        if c.unplugged { ", host unplugged" } else { "" }
    );
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
    let progress = Progress::on_stderr("run");
    progress.phase("board: load, run and stream the trace");
    let detail = progress.detail_setter();
    board.on_trace_progress(move |p| detail(&p.to_string()));
    let run = board.run_guest(&program, &input, args.max_cycles, !args.no_trace);
    progress.finish();
    let run = run.with_context(|| format!("{elf}: on the board at {port}"))?;
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
        "  link     {} bytes out, {} in, {} frames sent ({} resent after {} timeouts), {} damaged and {} stale frames dropped{}",
        s.bytes_out,
        s.bytes_in,
        s.frames_sent,
        s.retries,
        s.timeouts,
        s.bad_frames,
        s.stale_answers,
        if s.restarts > 0 {
            format!(", {} restarts after a board reset", s.restarts)
        } else {
            String::new()
        }
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
