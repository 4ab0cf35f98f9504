//! The board backend: the guest runs on a board's trace-capture core, whose streamed trace
//! is the witness; NTT and Merkle work goes to the board's accelerator when the policy says
//! so (docs/boards.md).
//!
//! The policy is explicit ([`AccelMode`]): `off` sends nothing; `force` sends everything
//! the board can take, up to a job budget (for tests and measurements); `auto` sends a job
//! only when a cost model measured on this link says the board finishes it sooner than the
//! CPU would — over a 3 Mbaud UART, never (the numbers are in docs/boards.md).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rvzk_zkvm::circuit::{CircuitError, Execution, ProveOptions, ProveReport, MAX_LOG_CYCLES};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};
use rvzk_zkvm::offload::{Accelerator, Offload, OffloadStats};
use rvzk_zkvm::receipt::{prove_execution_with_report, Receipt, ReceiptError};
use rvzk_zkvm::rv32im::Outcome;

use super::{check_memory, Backend};
use crate::board::{fault_text, journal_from_trace, Board, BoardEnd, LinkOptions, LinkStats};
use crate::progress::DetailSetter;

/// Feature bits in INFO.
const FEATURE_NTT: u8 = 2;
const FEATURE_SHA256: u8 = 4;
/// The board's fault code for the cycle limit.
const FAULT_CYCLE_LIMIT: u8 = 12;

/// When to send prover work to the board's accelerator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AccelMode {
    /// Only jobs the measured cost model says the board finishes sooner than the CPU.
    Auto,
    /// Nothing: the board only runs the guest and streams its trace.
    Off,
    /// Every job the board can take (up to `--accel-jobs`); an error if it has no
    /// accelerator. For tests and measurements: over a UART this is much slower.
    Force,
}

impl AccelMode {
    fn name(self) -> &'static str {
        match self {
            AccelMode::Auto => "auto",
            AccelMode::Off => "off",
            AccelMode::Force => "force",
        }
    }
}

/// How to reach the board and what to send it.
#[derive(Clone, Debug)]
pub struct BoardOptions {
    /// The serial port.
    pub port: String,
    /// Its line rate (ignored by the simulated board's pseudo-terminal).
    pub baud: u32,
    /// Timeouts and retries.
    pub link: LinkOptions,
    /// The accelerator policy.
    pub accel: AccelMode,
    /// At most this many NTT jobs and this many SHA-256 jobs (`None`: no limit).
    pub jobs: Option<u64>,
}

/// What the board did, for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct BoardReport {
    /// The board's name.
    pub board: String,
    /// Its port.
    pub port: String,
    /// Its clock as INFO reports it.
    pub clock_hz: u32,
    /// UART clocks per bit.
    pub divisor: u32,
    /// Board clocks from RUN to the core's stop (trace back-pressure included).
    pub clocks: u32,
    /// Trace records (retired instructions).
    pub records: u64,
    /// Syscall memory accesses in the trace.
    pub syscall_accesses: u64,
    /// Wall time loading the program and input.
    pub load_seconds: f64,
    /// Wall time from RUN to the last chunk (running and streaming the trace).
    pub run_seconds: f64,
    /// Link counters for load, run and trace.
    pub run_link: LinkStats,
    /// Link counters for accelerator jobs.
    pub accel_link: LinkStats,
    /// The policy.
    pub accel: String,
    /// What the policy decided, and why.
    pub decision: String,
    /// What was offloaded (when anything could be).
    pub offload: Option<OffloadStats>,
}

impl BoardReport {
    /// Board clocks per wall second during the run: the board's clock on real hardware,
    /// the simulation's speed on the simulated board.
    pub fn effective_clock_hz(&self) -> f64 {
        f64::from(self.clocks) / self.run_seconds.max(1e-9)
    }

    /// The share of the board→host line the trace's records used while the core ran:
    /// trace payload bytes over what the line could carry in the run's board clocks (10 bits
    /// a byte). `None` for runs under 100 chunks, where the chunks still leaving after the
    /// core stopped make the figure meaningless.
    pub fn run_line_utilisation(&self) -> Option<f64> {
        if self.run_link.chunks < 100 {
            return None;
        }
        let capacity = f64::from(self.clocks) / (f64::from(self.divisor.max(1)) * 10.0);
        Some(self.run_link.trace_bytes as f64 / capacity.max(1.0))
    }

    /// The line rate in bytes per wall second at the board's effective clock.
    pub fn effective_line_bytes_per_second(&self) -> f64 {
        self.effective_clock_hz() / (f64::from(self.divisor.max(1)) * 10.0)
    }
}

/// The board backend.
pub struct BoardBackend {
    opts: BoardOptions,
    board: Option<Board>,
    report: BoardReport,
    detail: Option<Arc<DetailSetter>>,
}

impl BoardBackend {
    /// Connects to the board (INFO) and checks the policy against what it has.
    pub fn open(opts: BoardOptions) -> Result<BoardBackend> {
        let board = Board::open(&opts.port, opts.baud, opts.link)?;
        let i = &board.info;
        if opts.accel == AccelMode::Force && i.features & (FEATURE_NTT | FEATURE_SHA256) == 0 {
            bail!(
                "the {} on {} has no accelerator (no NTT engine, no SHA-256 core): --accel force needs one (use --accel auto or off)",
                i.board_name(),
                opts.port
            );
        }
        if i.features & 1 == 0 {
            bail!(
                "the {} on {} has no trace capture: it cannot run guests for proving",
                i.board_name(),
                opts.port
            );
        }
        let report = BoardReport {
            board: i.board_name().to_string(),
            port: opts.port.clone(),
            clock_hz: i.clock_hz,
            divisor: i.divisor,
            accel: opts.accel.name().to_string(),
            ..BoardReport::default()
        };
        Ok(BoardBackend {
            opts,
            board: Some(board),
            report,
            detail: None,
        })
    }
}

impl Backend for BoardBackend {
    fn name(&self) -> String {
        format!("{} on {}", self.report.board, self.report.port)
    }

    fn board_report(&self) -> Option<BoardReport> {
        Some(self.report.clone())
    }

    fn set_detail(&mut self, detail: DetailSetter) {
        self.detail = Some(Arc::new(detail));
    }

    fn prove(
        &mut self,
        elf: &str,
        program: &Program,
        input: &[u8],
        options: &ProveOptions,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Receipt, ProveReport)> {
        let port = self.opts.port.clone();
        let mut board = self
            .board
            .take()
            .context("the board backend proves one guest per connection")?;
        progress("board: load, run and stream the trace");
        if let Some(detail) = self.detail.clone() {
            board.on_trace_progress(move |p| detail(&p.to_string()));
        }
        let capped = options.max_cycles.min(1 << MAX_LOG_CYCLES);
        let before = board.stats.clone();
        let run = board
            .run_guest(program, input, capped, true)
            .with_context(|| format!("{elf}: on the board at {port}"))?;
        self.report.run_link = diff(&board.stats, &before);
        self.report.clocks = run.clocks;
        self.report.load_seconds = run.load_time.as_secs_f64();
        self.report.run_seconds = run.run_time.as_secs_f64();
        let exit_code = match run.end {
            BoardEnd::Halted(code) => code,
            BoardEnd::Faulted { code, .. }
                if code == FAULT_CYCLE_LIMIT && capped == 1 << MAX_LOG_CYCLES =>
            {
                bail!(
                    "{elf}: cannot prove: the guest did not halt within 2^{MAX_LOG_CYCLES} cycles, the most one proof holds (continuations are not supported yet)"
                )
            }
            BoardEnd::Faulted { code, pc } => {
                let place = program
                    .function_at(pc)
                    .map(|s| format!(" in {}", s.name))
                    .unwrap_or_default();
                bail!(
                    "{elf}: guest stopped on the board: {} at pc {pc:#010x}{place} after {} instructions; there is nothing to prove",
                    fault_text(code),
                    run.retired
                );
            }
        };
        let trace = run.trace.context("the board streamed no trace")?;
        self.report.records = trace.records.len() as u64;
        self.report.syscall_accesses = trace.syscall_mem.len() as u64;
        if u64::from(run.retired) != trace.records.len() as u64 {
            bail!(
                "{elf}: the board retired {} instructions but streamed {} trace records",
                run.retired,
                trace.records.len()
            );
        }
        if journal_from_trace(&trace) != run.journal {
            bail!("{elf}: the journal the board kept differs from the one in its trace");
        }
        check_memory(elf, u64::from(run.retired))?;

        let (accel, decision) = self.accelerator(board)?;
        self.report.decision = decision;
        let offload = accel
            .as_ref()
            .map(|a| Arc::new(Offload::new(a.clone() as Arc<dyn Accelerator>)));
        let execution = Execution {
            outcome: Outcome {
                exit_code,
                journal: run.journal,
                cycles: u64::from(run.retired),
            },
            trace,
        };
        let result =
            prove_execution_with_report(program, execution, options, offload.as_ref(), progress);
        if let (Some(a), Some(o)) = (&accel, &offload) {
            let board = a.board.lock().unwrap_or_else(|p| p.into_inner());
            self.report.accel_link = diff(&board.stats, &a.start);
            self.report.offload = Some(o.stats());
        }
        match result {
            Ok(r) => Ok(r),
            Err(ReceiptError::Prove(CircuitError::Offload(e))) => {
                bail!("{elf}: {e} on {port}; the proof is discarded")
            }
            Err(e) => bail!("{elf}: cannot prove the board's run: {e}"),
        }
    }
}

impl BoardBackend {
    /// The accelerator the policy allows (with the board moved into it), and the decision
    /// in words.
    fn accelerator(&mut self, board: Board) -> Result<(Option<Arc<BoardAccel>>, String)> {
        let i = board.info.clone();
        let k =
            (i.features & FEATURE_NTT != 0 && i.ntt_log_n > 0).then_some(u32::from(i.ntt_log_n));
        let sha = i.features & FEATURE_SHA256 != 0;
        if self.opts.accel == AccelMode::Off || (k.is_none() && !sha) {
            let why = if self.opts.accel == AccelMode::Off {
                "off: nothing sent".to_string()
            } else {
                "the board has no accelerator".to_string()
            };
            self.board = Some(board);
            return Ok((None, why));
        }
        let model = CostModel::measure(&self.report, k);
        let budget = self.opts.jobs.unwrap_or(u64::MAX);
        let (send_ntt, send_sha) = match self.opts.accel {
            AccelMode::Force => (k.is_some(), sha),
            _ => (
                k.is_some() && model.ntt_job_seconds() < model.cpu_ntt_job_seconds,
                sha && model.node_job_seconds() < model.cpu_node_seconds,
            ),
        };
        let mut words = vec![];
        if let Some(k) = k {
            words.push(format!(
                "NTT job (2^{k}) about {} on the board vs {} on the CPU",
                seconds(model.ntt_job_seconds()),
                seconds(model.cpu_ntt_job_seconds)
            ));
        }
        if sha {
            words.push(format!(
                "Merkle node about {} on the board vs {} on the CPU",
                seconds(model.node_job_seconds()),
                seconds(model.cpu_node_seconds)
            ));
        }
        let sent = match (send_ntt, send_sha) {
            (true, true) => "NTT and SHA-256 jobs sent",
            (true, false) => "NTT jobs sent",
            (false, true) => "SHA-256 jobs sent",
            (false, false) => "nothing sent",
        };
        let limit = self
            .opts
            .jobs
            .map(|n| format!(" (at most {n} of each kind)"))
            .unwrap_or_default();
        let decision = format!(
            "{}: {}; {sent}{limit}",
            self.opts.accel.name(),
            words.join("; ")
        );
        if !send_ntt && !send_sha {
            self.board = Some(board);
            return Ok((None, decision));
        }
        let start = board.stats.clone();
        let accel = BoardAccel {
            board: Mutex::new(board),
            start,
            k: k.filter(|_| send_ntt),
            sha: send_sha,
            ntt_budget: AtomicU64::new(budget),
            sha_budget: AtomicU64::new(budget),
        };
        Ok((Some(Arc::new(accel)), decision))
    }
}

fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.2} µs", s * 1e6)
    }
}

/// Counters since `before`.
fn diff(now: &LinkStats, before: &LinkStats) -> LinkStats {
    LinkStats {
        frames_sent: now.frames_sent - before.frames_sent,
        answers: now.answers - before.answers,
        retries: now.retries - before.retries,
        timeouts: now.timeouts - before.timeouts,
        bad_frames: now.bad_frames - before.bad_frames,
        stale_answers: now.stale_answers - before.stale_answers,
        drained_bytes: now.drained_bytes - before.drained_bytes,
        restarts: now.restarts - before.restarts,
        ntt_pieces_drained: now.ntt_pieces_drained - before.ntt_pieces_drained,
        bytes_out: now.bytes_out - before.bytes_out,
        bytes_in: now.bytes_in - before.bytes_in,
        trace_bytes: now.trace_bytes - before.trace_bytes,
        chunks: now.chunks - before.chunks,
    }
}

/// What a job costs on each side: the link's measured time per byte during the trace
/// stream (turnarounds included) times the job's bytes, plus the engine's cycles at the
/// board's effective clock; the CPU's time measured here and now.
#[derive(Clone, Debug)]
pub struct CostModel {
    /// Wall seconds per byte on the link (both directions), measured while the trace
    /// streamed.
    pub seconds_per_byte: f64,
    /// Board clocks per wall second.
    pub clock_hz: f64,
    /// The engine's K.
    pub k: u32,
    /// CPU seconds for one 2^K transform.
    pub cpu_ntt_job_seconds: f64,
    /// CPU seconds for one Merkle node compression.
    pub cpu_node_seconds: f64,
}

impl CostModel {
    fn measure(report: &BoardReport, k: Option<u32>) -> CostModel {
        let bytes = (report.run_link.bytes_in + report.run_link.bytes_out).max(1);
        let k = k.unwrap_or(6);
        let dft = Radix2Dft::new();
        let values: Vec<BabyBear> = (0..1u32 << k).map(BabyBear::new).collect();
        let mut best = f64::MAX;
        for _ in 0..20 {
            let t = Instant::now();
            std::hint::black_box(dft.dft(values.clone()));
            best = best.min(t.elapsed().as_secs_f64());
        }
        let (l, r) = ([1u8; 32], [2u8; 32]);
        let t = Instant::now();
        for _ in 0..1000 {
            std::hint::black_box(rvzk_zkvm::merkle::hash_node(
                std::hint::black_box(&l),
                std::hint::black_box(&r),
            ));
        }
        let node = t.elapsed().as_secs_f64() / 1000.0;
        CostModel {
            seconds_per_byte: report.run_seconds / bytes as f64,
            clock_hz: report.effective_clock_hz().max(1.0),
            k,
            cpu_ntt_job_seconds: best,
            cpu_node_seconds: node,
        }
    }

    /// Link bytes of one NTT job of 2^K values: NTT_RUN, LOAD frames of 120 values,
    /// READ pieces of 64 (frames of 12 bytes besides their data, answers of 6).
    pub fn ntt_job_bytes(k: u32) -> u64 {
        let n = 1u64 << k;
        let loads = n.div_ceil(120);
        let reads = n.div_ceil(64);
        let out = 12 + loads * 12 + 4 * n + reads * 12;
        let back = 6 + loads * 6 + reads * 10 + 4 * n;
        out + back
    }

    /// Wall seconds the board takes for one NTT job.
    pub fn ntt_job_seconds(&self) -> f64 {
        let n = 1u64 << self.k;
        let cycles = n + u64::from(self.k) * (n / 2 + 21) + n + 13;
        Self::ntt_job_bytes(self.k) as f64 * self.seconds_per_byte + cycles as f64 / self.clock_hz
    }

    /// Wall seconds the board takes for one Merkle node (104 data bytes out, 36 back).
    pub fn node_job_seconds(&self) -> f64 {
        (12 + 104 + 6 + 32) as f64 * self.seconds_per_byte + 65.0 / self.clock_hz
    }
}

/// The board as an [`Accelerator`] under the policy.
struct BoardAccel {
    board: Mutex<Board>,
    /// Counters when proving started.
    start: LinkStats,
    /// The engine's K, when NTT jobs are sent.
    k: Option<u32>,
    /// Whether SHA-256 jobs are sent.
    sha: bool,
    ntt_budget: AtomicU64,
    sha_budget: AtomicU64,
}

fn take(budget: &AtomicU64, n: u64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(n))
        .is_ok()
}

impl Accelerator for BoardAccel {
    fn ntt_log_n(&self) -> Option<u32> {
        self.k
    }

    fn has_sha256(&self) -> bool {
        self.sha
    }

    fn grant_ntt(&self, _log_n: u32, jobs: usize) -> bool {
        self.k.is_some() && take(&self.ntt_budget, jobs as u64)
    }

    fn grant_nodes(&self, nodes: usize) -> usize {
        if !self.sha {
            return 0;
        }
        let mut granted = 0;
        let _ = self
            .sha_budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                granted = b.min(nodes as u64);
                Some(b - granted)
            });
        granted as usize
    }

    fn ntt(&self, values: &[u32], inverse: bool) -> Result<Vec<u32>, String> {
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        board.ntt(values, inverse).map_err(|e| format!("{e:#}"))
    }

    fn sha256_compress(&self, state: [u32; 8], block: &[u8; 64]) -> Result<[u32; 8], String> {
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        board
            .sha256_compress(state, std::slice::from_ref(block))
            .map_err(|e| format!("{e:#}"))
    }
}
