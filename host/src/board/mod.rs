//! The board client: the host side of the board protocol (docs/board-protocol.md) over a
//! serial port — a real board on /dev/ttyUSB0 or the simulated one on a pseudo-terminal.
//!
//! [`Board`] sends one command frame at a time and waits for its answer, resending the same
//! frame (same sequence number) when none comes in time; the board never acts twice on a
//! resent RUN, and everything else it does is idempotent. [`Board::run_guest`] loads a
//! program, runs it, fetches the trace chunk by chunk and reads the journal.

pub mod frame;
pub mod proxy;
pub mod pty;

use frame::{encode, Decoded, Decoder};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::rv32im::{SyscallMemAccess, Trace, TraceRecord, TRACE_RECORD_BYTES};
use std::fmt;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// The protocol version this host speaks.
pub const PROTOCOL_VERSION: u8 = 1;
/// Largest data part of a LOAD or INPUT frame (the board takes frames up to 512 bytes).
pub const MAX_DATA: usize = 480;
/// Times [`Board::run_guest`] and [`Board::ntt`] start again after a board reset before
/// giving up.
pub const MAX_RESTARTS: u32 = 2;
/// Bytes of a chunk reply's header.
const CHUNK_HEADER: usize = 12;
/// Most journal bytes in one JOURNAL reply.
const JOURNAL_REPLY_MAX: usize = 256;

/// Command codes.
pub mod cmd {
    /// Board, versions, sizes, features.
    pub const INFO: u8 = 0x01;
    /// Zero guest memory.
    pub const CLEAR: u8 = 0x02;
    /// Write guest memory.
    pub const LOAD: u8 = 0x03;
    /// Write the input buffer.
    pub const INPUT: u8 = 0x04;
    /// Start a run.
    pub const RUN: u8 = 0x05;
    /// Run state.
    pub const STATUS: u8 = 0x06;
    /// A trace chunk.
    pub const CHUNK: u8 = 0x07;
    /// Journal bytes.
    pub const JOURNAL: u8 = 0x08;
    /// Drop the rest of a running program's trace.
    pub const DISCARD: u8 = 0x09;
    /// Write NTT input values (accelerator boards; reserved).
    pub const NTT_LOAD: u8 = 0x10;
    /// Run an NTT (accelerator boards; reserved).
    pub const NTT_RUN: u8 = 0x11;
    /// Read NTT output values (accelerator boards; reserved).
    pub const NTT_READ: u8 = 0x12;
    /// SHA-256 compressions (accelerator boards; reserved).
    pub const SHA256: u8 = 0x13;

    /// The command's name, for messages.
    pub fn name(c: u8) -> &'static str {
        match c {
            INFO => "INFO",
            CLEAR => "CLEAR",
            LOAD => "LOAD",
            INPUT => "INPUT",
            RUN => "RUN",
            STATUS => "STATUS",
            CHUNK => "CHUNK",
            JOURNAL => "JOURNAL",
            DISCARD => "DISCARD",
            NTT_LOAD => "NTT_LOAD",
            NTT_RUN => "NTT_RUN",
            NTT_READ => "NTT_READ",
            SHA256 => "SHA256",
            _ => "unknown command",
        }
    }
}

/// What a status code means in the answer to `command`.
pub fn status_text(command: u8, code: u8) -> &'static str {
    match (command, code) {
        (_, 1) => "unknown or unsupported command",
        (_, 2) => "frame length wrong for the command",
        (_, 3) => "address or offset out of range (or not word-aligned)",
        (cmd::NTT_RUN, 4) => "the NTT engine holds a transform not yet loaded and read to its end",
        (_, 4) => "the core is running",
        (cmd::NTT_READ, 5) => "output piece is neither the last one sent nor the next one",
        (_, 5) => "chunk is neither the last one sent nor the next one",
        (_, 6) => "no run is streaming its trace",
        (_, 7) => "argument out of range",
        _ => "unknown status",
    }
}

/// The board's fault codes (docs/rtl-core.md, "Faults"), as the executor names them.
pub fn fault_text(code: u8) -> &'static str {
    match code {
        1 => "illegal instruction",
        2 => "ebreak",
        3 => "fetch outside code",
        4 => "misaligned load",
        5 => "misaligned store",
        6 => "misaligned jump",
        7 => "load out of range",
        8 => "store out of range",
        9 => "store to code",
        10 => "unknown syscall",
        11 => "syscall buffer out of range",
        12 => "cycle limit",
        _ => "unknown fault",
    }
}

/// Everything that can go wrong talking to a board.
#[derive(Debug)]
pub enum BoardError {
    /// The port cannot be opened: no board there.
    Open {
        /// The port.
        port: String,
        /// Why.
        reason: String,
    },
    /// The guest committed more journal than the board keeps, and the trace (which has
    /// all of it) was not streamed.
    JournalTooLong {
        /// Bytes committed.
        committed: u32,
        /// Bytes the board keeps.
        kept: u32,
    },
    /// Reading or writing the port failed: the board (or its USB adapter) is gone.
    Disconnected {
        /// The port.
        port: String,
        /// Why.
        reason: String,
    },
    /// The board forgot the run under way: it was reset (or power-cycled) during it.
    Reset {
        /// What gave it away.
        sign: String,
    },
    /// No answer, not even a damaged one, after every retry.
    NoReply {
        /// The port.
        port: String,
        /// The command.
        cmd: u8,
        /// Times sent.
        tries: u32,
        /// Wait after each.
        timeout: Duration,
        /// Whether the board had answered earlier commands on this connection.
        answered_before: bool,
    },
    /// Answers came, but none passed its CRC.
    CrcStorm {
        /// The port.
        port: String,
        /// The command.
        cmd: u8,
        /// Damaged frames seen.
        bad: u32,
        /// Times sent.
        tries: u32,
    },
    /// The board speaks another protocol version.
    Version {
        /// The board's.
        found: u8,
    },
    /// The board answered with an error status.
    Status {
        /// The command.
        cmd: u8,
        /// The status.
        code: u8,
    },
    /// An answer too short or inconsistent for its command.
    Malformed {
        /// The command.
        cmd: u8,
        /// What is wrong.
        what: String,
    },
}

impl fmt::Display for BoardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardError::Open { port, reason } => write!(
                f,
                "no board: cannot open {port}: {reason} (is the board plugged in, or `rvzk board sim` running?)"
            ),
            BoardError::JournalTooLong { committed, kept } => write!(
                f,
                "the guest committed {committed} journal bytes, more than the board keeps ({kept}); run with the trace to have all of it"
            ),
            BoardError::Disconnected { port, reason } => write!(
                f,
                "board disconnected: {port} failed ({reason}); check the cable, then run again"
            ),
            BoardError::Reset { sign } => write!(
                f,
                "the board was reset during the run ({sign}); nothing it sent is used, run again"
            ),
            BoardError::NoReply {
                port,
                cmd,
                tries,
                timeout,
                answered_before: true,
            } => write!(
                f,
                "the board on {port} stopped answering: no answer to {} after {tries} tries of {:.1} s each (a link too noisy for any frame to pass, or the board hung or lost power)",
                cmd::name(*cmd),
                timeout.as_secs_f64()
            ),
            BoardError::NoReply {
                port,
                cmd,
                tries,
                timeout,
                answered_before: false,
            } => write!(
                f,
                "no answer from a board on {port} to {} after {tries} tries of {:.1} s each (is a board there, at the right baud rate?)",
                cmd::name(*cmd),
                timeout.as_secs_f64()
            ),
            BoardError::CrcStorm {
                port,
                cmd,
                bad,
                tries,
            } => write!(
                f,
                "CRC storm on {port}: {bad} damaged frames and no good answer to {} in {tries} tries (check the baud rate and the cable)",
                cmd::name(*cmd)
            ),
            BoardError::Version { found } => write!(
                f,
                "wrong firmware version: the board speaks protocol version {found}, this rvzk speaks {PROTOCOL_VERSION} (rebuild the bitstream or rvzk from the same sources)"
            ),
            BoardError::Status { cmd, code } => write!(
                f,
                "the board refused {}: {} (status {code})",
                cmd::name(*cmd),
                status_text(*cmd, *code)
            ),
            BoardError::Malformed { cmd, what } => {
                write!(f, "malformed answer to {}: {what}", cmd::name(*cmd))
            }
        }
    }
}

impl std::error::Error for BoardError {}

/// What INFO says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    /// Protocol version.
    pub protocol: u8,
    /// Firmware (board design) version.
    pub firmware: u8,
    /// Board id: 0 simulated, 1 iCEBreaker, 2 ULX3S.
    pub board: u8,
    /// Feature bits: 1 trace capture, 2 NTT, 4 SHA-256.
    pub features: u8,
    /// Trace items per chunk.
    pub chunk_items: u8,
    /// The NTT engine's size, log2 (0: no NTT).
    pub ntt_log_n: u8,
    /// One past the highest guest address.
    pub mem_top: u32,
    /// Input buffer bytes.
    pub input_capacity: u32,
    /// Journal bytes kept.
    pub journal_capacity: u32,
    /// Board clock.
    pub clock_hz: u32,
    /// UART bit time in clocks.
    pub divisor: u32,
}

impl BoardInfo {
    /// The board's name.
    pub fn board_name(&self) -> &'static str {
        match self.board {
            0 => "simulated board (Verilator)",
            1 => "iCEBreaker (iCE40 UP5K)",
            2 => "ULX3S (ECP5-85F)",
            _ => "unknown board",
        }
    }
}

/// What STATUS says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardStatus {
    /// 0 never run, 1 running, 2 halted, 3 faulted.
    pub state: u8,
    /// Fault code (docs/rtl-core.md).
    pub fault_code: u8,
    /// HALT's a0.
    pub exit_code: u32,
    /// pc of the faulting instruction.
    pub fault_pc: u32,
    /// Instructions retired.
    pub retired: u32,
    /// Journal bytes committed (may exceed what the board keeps).
    pub journal_len: u32,
    /// Clock cycles from start to stop.
    pub clocks: u32,
}

/// Link counters.
#[derive(Clone, Debug, Default)]
pub struct LinkStats {
    /// Frames sent, retries included.
    pub frames_sent: u64,
    /// Good answers taken (one per command that got one).
    pub answers: u64,
    /// Frames sent again because no good answer came in time.
    pub retries: u64,
    /// Waits for an answer that ended without a good one (each is followed by a retry or,
    /// after the last try, an error).
    pub timeouts: u64,
    /// Damaged frames received (failed CRC or SLIP escape), dropped.
    pub bad_frames: u64,
    /// Good frames received with another command's sequence number (late answers to an
    /// earlier try, duplicates), dropped.
    pub stale_answers: u64,
    /// Bytes found waiting before a new command was sent (the rest of earlier answers),
    /// dropped.
    pub drained_bytes: u64,
    /// Runs and NTT jobs started again from the beginning because the board was reset
    /// during them or forgot part of them.
    pub restarts: u64,
    /// NTT output pieces read and dropped before a job started again (the rest of a
    /// transform whose piece was lost).
    pub ntt_pieces_drained: u64,
    /// Bytes written to the port.
    pub bytes_out: u64,
    /// Bytes read from the port.
    pub bytes_in: u64,
    /// Trace item bytes received (40 per item), first copies only.
    pub trace_bytes: u64,
    /// Trace chunks received.
    pub chunks: u64,
}

/// How patient the client is.
#[derive(Clone, Copy, Debug)]
pub struct LinkOptions {
    /// Wait for each answer.
    pub timeout: Duration,
    /// Times a command is sent before giving up.
    pub tries: u32,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            timeout: Duration::from_secs(2),
            tries: 5,
        }
    }
}

/// How a run on the board ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoardEnd {
    /// HALT with this code.
    Halted(u32),
    /// Stopped by a fault.
    Faulted {
        /// Fault code.
        code: u8,
        /// pc of the faulting instruction (for the cycle limit: the next one).
        pc: u32,
    },
}

/// A run on the board.
#[derive(Clone, Debug)]
pub struct BoardRun {
    /// How it ended.
    pub end: BoardEnd,
    /// Instructions retired.
    pub retired: u32,
    /// The journal.
    pub journal: Vec<u8>,
    /// The trace, when streamed.
    pub trace: Option<Trace>,
    /// Board clocks from start to stop.
    pub clocks: u32,
    /// Wall time loading memory and input.
    pub load_time: Duration,
    /// Wall time from RUN to the last chunk and status.
    pub run_time: Duration,
}

/// A connection to a board.
pub struct Board {
    port: Box<dyn serialport::SerialPort>,
    name: String,
    seq: u8,
    decoder: Decoder,
    opts: LinkOptions,
    /// Counters since the connection opened.
    pub stats: LinkStats,
    /// What the board said it is.
    pub info: BoardInfo,
    /// Told after each trace chunk how far the stream has got.
    observer: Option<TraceObserver>,
}

/// What [`Board::on_trace_progress`] installs.
type TraceObserver = Box<dyn FnMut(&TraceProgress) + Send>;

/// How far a trace stream has got (see [`Board::on_trace_progress`]).
#[derive(Clone, Copy, Debug)]
pub struct TraceProgress {
    /// Trace records received so far in this run (retired instructions).
    pub records: u64,
    /// Trace item bytes received so far in this run.
    pub bytes: u64,
    /// Time since the first chunk was asked for.
    pub elapsed: Duration,
}

impl fmt::Display for TraceProgress {
    /// "123,456 trace records (27.2 KB/s)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.records.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.bytes as f64 / secs / 1e3
        } else {
            0.0
        };
        write!(f, "{grouped} trace records ({rate:.1} KB/s)")
    }
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

impl Board {
    /// Opens `port` at `baud` (ignored by a pseudo-terminal), asks INFO and checks the
    /// protocol version.
    pub fn open(port: &str, baud: u32, opts: LinkOptions) -> Result<Board, BoardError> {
        let p = serialport::new(port, baud)
            .timeout(Duration::from_millis(20))
            .open()
            .map_err(|e| BoardError::Open {
                port: port.to_string(),
                reason: e.to_string(),
            })?;
        // Bytes left from an earlier session would only be counted as damaged frames.
        let _ = p.clear(serialport::ClearBuffer::Input);
        let mut board = Board {
            port: p,
            name: port.to_string(),
            seq: 0,
            decoder: Decoder::default(),
            opts,
            stats: LinkStats::default(),
            observer: None,
            info: BoardInfo {
                protocol: 0,
                firmware: 0,
                board: 0,
                features: 0,
                chunk_items: 0,
                ntt_log_n: 0,
                mem_top: 0,
                input_capacity: 0,
                journal_capacity: 0,
                clock_hz: 0,
                divisor: 0,
            },
        };
        // A sequence number unlikely to equal the board's last one (a resent RUN is
        // recognised by an equal number).
        board.seq = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.subsec_nanos() as u8);
        board.info = board.query_info()?;
        Ok(board)
    }

    /// The port's name.
    pub fn port_name(&self) -> &str {
        &self.name
    }

    fn disconnected(&self, e: impl fmt::Display) -> BoardError {
        BoardError::Disconnected {
            port: self.name.clone(),
            reason: e.to_string(),
        }
    }

    /// Sends a command and returns its answer's payload (sequence number and status
    /// included), resending the same frame on silence or damage.
    ///
    /// Every outcome is bounded: at most `tries` sends of `timeout` each, then *no answer*
    /// or *CRC storm*; a port that fails (unplugged) is *board disconnected* at once. Only a
    /// frame that passes its CRC and carries this command's sequence number is taken;
    /// anything else (damaged frames, late answers to earlier commands, duplicates) is
    /// counted and dropped.
    pub fn transact(&mut self, command: u8, arg: u32, data: &[u8]) -> Result<Vec<u8>, BoardError> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut payload = vec![seq, command, 0, 0];
        payload.extend_from_slice(&arg.to_le_bytes());
        payload.extend_from_slice(data);
        let wire = encode(&payload);
        // Whatever is still in the pipe belongs to earlier commands (late answers, their
        // duplicates, the tail of a damaged frame): forget it, so that a half frame cannot
        // run into this command's answer and spoil it.
        self.drain()?;
        self.decoder = Decoder::default();
        let mut bad = 0u32;
        let mut buf = [0u8; 4096];
        for attempt in 0..self.opts.tries {
            if attempt > 0 {
                self.stats.retries += 1;
            }
            self.port
                .write_all(&wire)
                .and_then(|()| self.port.flush())
                .map_err(|e| self.disconnected(e))?;
            self.stats.frames_sent += 1;
            self.stats.bytes_out += wire.len() as u64;
            let deadline = Instant::now() + self.opts.timeout;
            let mut damaged = false;
            while Instant::now() < deadline && !damaged {
                let n = self.read_some(&mut buf)?;
                for &b in &buf[..n] {
                    match self.decoder.push(b) {
                        Some(Decoded::Good(reply)) if reply.len() >= 2 && reply[0] == seq => {
                            self.stats.answers += 1;
                            if reply[1] != 0 {
                                return Err(BoardError::Status {
                                    cmd: command,
                                    code: reply[1],
                                });
                            }
                            return Ok(reply);
                        }
                        // an answer to an earlier frame (late, or a duplicate)
                        Some(Decoded::Good(_)) => self.stats.stale_answers += 1,
                        // Most likely our answer, damaged: ask again at once rather
                        // than after the timeout. (A resend that reaches the board while it
                        // still answers is dropped there; the answer's rest then comes as
                        // another damaged frame, and that resend is taken.)
                        Some(Decoded::Bad) => {
                            bad += 1;
                            self.stats.bad_frames += 1;
                            damaged = true;
                        }
                        None => {}
                    }
                }
            }
            if !damaged {
                self.stats.timeouts += 1;
            }
        }
        if bad > 0 {
            Err(BoardError::CrcStorm {
                port: self.name.clone(),
                cmd: command,
                bad,
                tries: self.opts.tries,
            })
        } else {
            Err(BoardError::NoReply {
                port: self.name.clone(),
                cmd: command,
                tries: self.opts.tries,
                timeout: self.opts.timeout,
                answered_before: self.stats.answers > 0,
            })
        }
    }

    /// Reads what the port has within its short read timeout (0 bytes when nothing came).
    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, BoardError> {
        let n = match self.port.read(buf) {
            Ok(0) => {
                // A terminal whose other side has gone reads end of file: without this
                // check the client would spin until its retries ran out.
                return Err(self.disconnected("end of file"));
            }
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => 0,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(e) => return Err(self.disconnected(e)),
        };
        self.stats.bytes_in += n as u64;
        Ok(n)
    }

    /// Drops the bytes waiting in the port (without waiting for more).
    fn drain(&mut self) -> Result<(), BoardError> {
        let mut buf = [0u8; 4096];
        loop {
            let waiting = self
                .port
                .bytes_to_read()
                .map_err(|e| self.disconnected(e))?;
            if waiting == 0 {
                return Ok(());
            }
            let n = self.read_some(&mut buf[..(waiting as usize).min(4096)])?;
            self.stats.drained_bytes += n as u64;
            if n == 0 {
                return Ok(());
            }
        }
    }

    fn expect_len(command: u8, reply: &[u8], n: usize) -> Result<(), BoardError> {
        if reply.len() != n {
            return Err(BoardError::Malformed {
                cmd: command,
                what: format!("{} bytes, expected {n}", reply.len()),
            });
        }
        Ok(())
    }

    /// INFO.
    pub fn query_info(&mut self) -> Result<BoardInfo, BoardError> {
        let r = self.transact(cmd::INFO, 0, &[])?;
        // The version first: a different protocol may have a different INFO.
        if r.len() >= 3 && r[2] != PROTOCOL_VERSION {
            return Err(BoardError::Version { found: r[2] });
        }
        Self::expect_len(cmd::INFO, &r, 28)?;
        Ok(BoardInfo {
            protocol: r[2],
            firmware: r[3],
            board: r[4],
            features: r[5],
            chunk_items: r[6],
            ntt_log_n: r[7],
            mem_top: le32(&r, 8),
            input_capacity: le32(&r, 12),
            journal_capacity: le32(&r, 16),
            clock_hz: le32(&r, 20),
            divisor: le32(&r, 24),
        })
    }

    /// STATUS.
    pub fn status(&mut self) -> Result<BoardStatus, BoardError> {
        let r = self.transact(cmd::STATUS, 0, &[])?;
        Self::expect_len(cmd::STATUS, &r, 24)?;
        Ok(BoardStatus {
            state: r[2],
            fault_code: r[3],
            exit_code: le32(&r, 4),
            fault_pc: le32(&r, 8),
            retired: le32(&r, 12),
            journal_len: le32(&r, 16),
            clocks: le32(&r, 20),
        })
    }

    /// Writes `words` (little-endian bytes, a multiple of 4) at byte address `addr`, in
    /// frames of at most [`MAX_DATA`] bytes.
    fn write_words(&mut self, command: u8, addr: u32, bytes: &[u8]) -> Result<(), BoardError> {
        debug_assert!(bytes.len().is_multiple_of(4) && addr.is_multiple_of(4));
        for (i, piece) in bytes.chunks(MAX_DATA).enumerate() {
            let r = self.transact(command, addr + (i * MAX_DATA) as u32, piece)?;
            Self::expect_len(command, &r, 2)?;
        }
        Ok(())
    }

    /// Checks that `program` and `input` fit this board, without sending anything.
    pub fn check_fits(&self, program: &Program, input: &[u8]) -> Result<(u32, u32), String> {
        let end = program.segments.iter().map(|s| s.end()).max().unwrap_or(0);
        if end > self.info.mem_top {
            return Err(format!(
                "the program does not fit the board's memory: it needs guest memory up to {end:#x}, the {} has {:#x} ({} KiB)",
                self.info.board_name(),
                self.info.mem_top,
                self.info.mem_top / 1024
            ));
        }
        let code: Vec<_> = program.segments.iter().filter(|s| s.executable).collect();
        if code.len() != 1 {
            return Err(format!(
                "the board's core runs programs with exactly one executable segment; this one has {}",
                code.len()
            ));
        }
        if input.len() as u64 > u64::from(self.info.input_capacity) {
            return Err(format!(
                "the input ({} bytes) is larger than the board's input buffer ({} bytes)",
                input.len(),
                self.info.input_capacity
            ));
        }
        Ok((code[0].vaddr, code[0].end()))
    }

    /// Loads `program` and `input`, runs it with at most `max_cycles` instructions,
    /// fetches the trace (when `stream`) and the journal. Refuses, before sending anything
    /// after INFO, a program or input that does not fit.
    ///
    /// A board reset during the run (it forgets the run: docs/board-protocol.md,
    /// "Reliability") is noticed, and the run starts again from the beginning, up to
    /// [`MAX_RESTARTS`] times; nothing the reset board sent is kept.
    pub fn run_guest(
        &mut self,
        program: &Program,
        input: &[u8],
        max_cycles: u64,
        stream: bool,
    ) -> Result<BoardRun, anyhow::Error> {
        let code = self
            .check_fits(program, input)
            .map_err(anyhow::Error::msg)?;
        let max_cycles = u32::try_from(max_cycles).map_err(|_| {
            anyhow::anyhow!(
                "the board counts cycles in 32 bits: --max-cycles {max_cycles} is too large"
            )
        })?;
        let mut restarts = 0;
        loop {
            match self.run_once(program, input, max_cycles, stream, code) {
                Err(BoardError::Reset { sign }) if restarts < MAX_RESTARTS => {
                    restarts += 1;
                    self.stats.restarts += 1;
                    self.after_reset(&sign)?;
                }
                Err(BoardError::Reset { sign }) => {
                    return Err(BoardError::Reset {
                        sign: format!("{sign}; {restarts} restarts already"),
                    }
                    .into())
                }
                other => return other.map_err(anyhow::Error::from),
            }
        }
    }

    /// After a reset: INFO again, and it must be the same board.
    fn after_reset(&mut self, sign: &str) -> Result<(), BoardError> {
        let info = self.query_info()?;
        if info != self.info {
            return Err(BoardError::Reset {
                sign: format!(
                    "{sign}, and then a different board answered: {} instead of {}",
                    info.board_name(),
                    self.info.board_name()
                ),
            });
        }
        Ok(())
    }

    fn run_once(
        &mut self,
        program: &Program,
        input: &[u8],
        max_cycles: u32,
        stream: bool,
        (code_lo, code_hi): (u32, u32),
    ) -> Result<BoardRun, BoardError> {
        let t0 = Instant::now();
        let state = self.finish_abandoned_run()?;
        self.transact(cmd::CLEAR, 0, &[])?;
        if state == 0 {
            // A board that has never run looks the same as one that was reset while we
            // loaded it; give it a run (of cleared memory: it faults at once) so that a
            // reset during loading shows as "never run" before RUN.
            self.mark_run()?;
        }
        // Memory image: the words the segments' file bytes touch (the rest is zero).
        let mut words = std::collections::BTreeMap::<u32, u32>::new();
        for s in &program.segments {
            for (i, &b) in s.data.iter().enumerate() {
                let a = s.vaddr + i as u32;
                *words.entry(a & !3).or_default() |= u32::from(b) << (8 * (a & 3));
            }
        }
        // Runs of consecutive non-zero words, each sent in frames of MAX_DATA bytes.
        let mut run_start = None;
        let mut run: Vec<u8> = Vec::new();
        let mut prev = 0u32;
        for (&a, &w) in words.iter().filter(|(_, &w)| w != 0) {
            if run_start.is_some() && a != prev + 4 {
                self.write_words(cmd::LOAD, run_start.unwrap(), &run)?;
                run.clear();
                run_start = None;
            }
            if run_start.is_none() {
                run_start = Some(a);
            }
            run.extend_from_slice(&w.to_le_bytes());
            prev = a;
        }
        if let Some(a) = run_start {
            self.write_words(cmd::LOAD, a, &run)?;
        }
        let mut padded = input.to_vec();
        padded.resize(input.len().div_ceil(4) * 4, 0);
        self.write_words(cmd::INPUT, 0, &padded)?;
        if self.status()?.state == 0 {
            return Err(BoardError::Reset {
                sign: "STATUS says never run after loading".into(),
            });
        }
        let load_time = t0.elapsed();

        let t1 = Instant::now();
        let mut cfg = Vec::with_capacity(20);
        for v in [
            program.entry,
            code_lo,
            code_hi,
            max_cycles,
            input.len() as u32,
        ] {
            cfg.extend_from_slice(&v.to_le_bytes());
        }
        self.transact(cmd::RUN, u32::from(stream), &cfg)?;
        match self.finish_run(stream) {
            Ok((st, trace, journal)) => {
                let run_time = t1.elapsed();
                let end = match st.state {
                    2 => BoardEnd::Halted(st.exit_code),
                    3 => BoardEnd::Faulted {
                        code: st.fault_code,
                        pc: st.fault_pc,
                    },
                    s => {
                        return Err(BoardError::Malformed {
                            cmd: cmd::STATUS,
                            what: format!("run state {s} after the run"),
                        })
                    }
                };
                let run = BoardRun {
                    end,
                    retired: st.retired,
                    journal,
                    trace,
                    clocks: st.clocks,
                    load_time,
                    run_time,
                };
                match foreign_code(&words, &run) {
                    // The memory the core ran is not what was loaded: a reset just before
                    // RUN (cleared memory), or a damaged LOAD that passed its CRC.
                    Some(why) => Err(BoardError::Reset { sign: why }),
                    None => Ok(run),
                }
            }
            // A refusal after RUN, when the board now says it never ran, is a reset.
            Err(BoardError::Status { cmd: c, code }) => match self.status() {
                Ok(st) if st.state == 0 => Err(BoardError::Reset {
                    sign: format!(
                        "{} answered \"{}\" and STATUS says never run",
                        cmd::name(c),
                        status_text(c, code)
                    ),
                }),
                _ => Err(BoardError::Status { cmd: c, code }),
            },
            Err(e) => Err(e),
        }
    }

    /// After RUN: the trace, the final STATUS and the journal.
    fn finish_run(
        &mut self,
        stream: bool,
    ) -> Result<(BoardStatus, Option<Trace>, Vec<u8>), BoardError> {
        let trace = if stream {
            Some(self.fetch_trace()?)
        } else {
            None
        };
        let st = loop {
            let st = self.status()?;
            match st.state {
                0 => {
                    return Err(BoardError::Reset {
                        sign: "STATUS says never run after RUN".into(),
                    })
                }
                1 => std::thread::sleep(Duration::from_millis(5)),
                _ => break st,
            }
        };
        let kept = st.journal_len.min(self.info.journal_capacity);
        let mut journal = Vec::with_capacity(kept as usize);
        while (journal.len() as u32) < kept {
            let r = self.transact(cmd::JOURNAL, journal.len() as u32, &[])?;
            let want = ((kept as usize) - journal.len()).min(JOURNAL_REPLY_MAX);
            Self::expect_len(cmd::JOURNAL, &r, 2 + want)?;
            journal.extend_from_slice(&r[2..]);
        }
        if st.journal_len > kept {
            match &trace {
                Some(t) => journal = journal_from_trace(t),
                None => {
                    return Err(BoardError::JournalTooLong {
                        committed: st.journal_len,
                        kept: self.info.journal_capacity,
                    })
                }
            }
        }
        Ok((st, trace, journal))
    }

    /// A run of one instruction of cleared memory (it faults at once), so that STATUS no
    /// longer says "never run" until the board is reset.
    fn mark_run(&mut self) -> Result<(), BoardError> {
        let mut cfg = Vec::with_capacity(20);
        for v in [0x1000u32, 0x1000, 0x1004, 1, 0] {
            cfg.extend_from_slice(&v.to_le_bytes());
        }
        self.transact(cmd::RUN, 0, &cfg)?;
        while self.status()?.state == 1 {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    /// An NTT of `values` (canonical Baby Bear, natural order) on the board's engine,
    /// forward or inverse (contract 3); `values` must have exactly the engine's size.
    pub fn ntt(&mut self, values: &[u32], inverse: bool) -> Result<Vec<u32>, anyhow::Error> {
        let k = self.info.ntt_log_n;
        if self.info.features & 2 == 0 || k == 0 {
            anyhow::bail!("the {} has no NTT engine", self.info.board_name());
        }
        let n = 1usize << k;
        if values.len() != n {
            anyhow::bail!(
                "the board's NTT engine transforms exactly {n} values, not {}",
                values.len()
            );
        }
        let mut restarts = 0;
        loop {
            let mut reading = None;
            match self.ntt_once(values, inverse, k, &mut reading) {
                // Refusals that only a board which forgot the job (or a piece of it) gives:
                // NTT_LOAD with nothing armed (7) or at another index (3), NTT_READ of a
                // piece it has not got (5). The job starts again from NTT_RUN.
                Err(BoardError::Status {
                    cmd: c @ (cmd::NTT_LOAD | cmd::NTT_READ),
                    code: code @ (3 | 5 | 7),
                }) => {
                    let sign = format!("{} answered \"{}\"", cmd::name(c), status_text(c, code));
                    if restarts == MAX_RESTARTS {
                        return Err(BoardError::Reset {
                            sign: format!("{sign}; {restarts} restarts already"),
                        }
                        .into());
                    }
                    restarts += 1;
                    self.stats.restarts += 1;
                    self.after_reset(&sign)?;
                    if let Some(piece) = reading {
                        self.drain_ntt(piece + 1, n)?;
                    }
                }
                other => return other.map_err(anyhow::Error::from),
            }
        }
    }

    /// One attempt at an NTT job; `reading` is set to the output piece being asked for.
    fn ntt_once(
        &mut self,
        values: &[u32],
        inverse: bool,
        k: u8,
        reading: &mut Option<u32>,
    ) -> Result<Vec<u32>, BoardError> {
        let n = values.len();
        self.transact(cmd::NTT_RUN, u32::from(k) | (u32::from(inverse) << 8), &[])?;
        for (i, piece) in values.chunks(MAX_DATA / 4).enumerate() {
            let bytes: Vec<u8> = piece.iter().flat_map(|v| v.to_le_bytes()).collect();
            let r = self.transact(cmd::NTT_LOAD, (i * MAX_DATA / 4) as u32, &bytes)?;
            Self::expect_len(cmd::NTT_LOAD, &r, 2)?;
        }
        let mut out = Vec::with_capacity(n);
        for piece in 0u32.. {
            if out.len() == n {
                break;
            }
            *reading = Some(piece);
            let r = self.transact(cmd::NTT_READ, piece, &[])?;
            let count = r.get(2).copied().unwrap_or(0) as usize;
            Self::expect_len(cmd::NTT_READ, &r, 4 + 4 * count)?;
            if count == 0 || out.len() + count > n {
                return Err(BoardError::Malformed {
                    cmd: cmd::NTT_READ,
                    what: format!("piece {piece} of {count} values after {}", out.len()),
                });
            }
            out.extend(r[4..].chunks_exact(4).map(|c| le32(c, 0)));
        }
        Ok(out)
    }

    /// Reads and drops the output pieces from `first` on of a transform whose piece
    /// `first − 1` was lost (the board forgot it after sending it: docs/board-protocol.md,
    /// "What the checks cannot catch"). The engine stays busy until its whole output is
    /// read, and would refuse the restarted job's NTT_RUN. A refusal here means the board
    /// holds no such transform (it was reset): nothing is left to drain.
    fn drain_ntt(&mut self, first: u32, n: usize) -> Result<(), BoardError> {
        let pieces = n.div_ceil(64) as u32;
        for piece in first..pieces {
            match self.transact(cmd::NTT_READ, piece, &[]) {
                Ok(_) => self.stats.ntt_pieces_drained += 1,
                Err(BoardError::Status { code: 5, .. }) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// `blocks.len()` raw SHA-256 compressions (FIPS 180-4, no padding) from `state`, on
    /// the board's SHA-256 core, in jobs of up to 7 blocks.
    pub fn sha256_compress(
        &mut self,
        mut state: [u32; 8],
        blocks: &[[u8; 64]],
    ) -> Result<[u32; 8], anyhow::Error> {
        if self.info.features & 4 == 0 {
            anyhow::bail!("the {} has no SHA-256 core", self.info.board_name());
        }
        for job in blocks.chunks(7) {
            let mut data: Vec<u8> = state.iter().flat_map(|w| w.to_le_bytes()).collect();
            for b in job {
                data.extend_from_slice(b);
            }
            let r = self.transact(cmd::SHA256, job.len() as u32, &data)?;
            Self::expect_len(cmd::SHA256, &r, 36)?;
            for (i, w) in state.iter_mut().enumerate() {
                *w = le32(&r, 4 + 4 * i);
            }
        }
        Ok(state)
    }

    /// A run an earlier session left streaming (the core waiting for its trace to be
    /// taken) would refuse CLEAR: drop its trace and wait for it to stop. The wait is
    /// bounded by the run's own cycle limit at the board's clock (with the trace dropped
    /// the core retires about one instruction per 1.5 clocks); a hung board ends it with
    /// the error of the STATUS that goes unanswered.
    ///
    /// Returns the state it leaves the board in (0: it has never run since its reset).
    fn finish_abandoned_run(&mut self) -> Result<u8, BoardError> {
        let mut state = self.status()?.state;
        if state != 1 {
            return Ok(state);
        }
        self.transact(cmd::DISCARD, 0, &[])?;
        while state == 1 {
            std::thread::sleep(Duration::from_millis(10));
            state = self.status()?.state;
        }
        Ok(state)
    }

    /// CHUNK 0, 1, … until the last.
    /// Calls `observer` after each trace chunk a run streams (a run that starts again
    /// after a reset counts from zero again): long runs take minutes on a 3 Mbaud link.
    pub fn on_trace_progress(&mut self, observer: impl FnMut(&TraceProgress) + Send + 'static) {
        self.observer = Some(Box::new(observer));
    }

    fn fetch_trace(&mut self) -> Result<Trace, BoardError> {
        let mut trace = Trace::default();
        let (start, mut bytes) = (Instant::now(), 0u64);
        for n in 0u32.. {
            let r = match self.transact(cmd::CHUNK, n, &[]) {
                // The run we started streams; a board without one has forgotten it.
                Err(BoardError::Status { code: 6, .. }) => {
                    return Err(BoardError::Reset {
                        sign: format!("CHUNK {n} answered \"no run is streaming its trace\""),
                    })
                }
                r => r?,
            };
            let bad = |what: String| BoardError::Malformed {
                cmd: cmd::CHUNK,
                what,
            };
            if r.len() < CHUNK_HEADER {
                return Err(bad(format!("{} bytes", r.len())));
            }
            let (last, count, number) = (r[2] & 1 != 0, r[3] as usize, le32(&r, 4));
            let kinds = u16::from_le_bytes([r[8], r[9]]);
            if number != n || r.len() != CHUNK_HEADER + count * TRACE_RECORD_BYTES {
                return Err(bad(format!(
                    "chunk {number} of {} bytes with {count} items, asked for chunk {n}",
                    r.len()
                )));
            }
            for (i, item) in r[CHUNK_HEADER..]
                .chunks_exact(TRACE_RECORD_BYTES)
                .enumerate()
            {
                if kinds >> i & 1 == 0 {
                    let rec = TraceRecord::from_bytes(item.try_into().expect("40 bytes"))
                        .map_err(|e| bad(format!("chunk {n} item {i}: {e}")))?;
                    trace.records.push(rec);
                } else {
                    trace.syscall_mem.push(SyscallMemAccess {
                        record: trace.records.len() as u32,
                        addr: le32(item, 20),
                        rmask: item[39] & 15,
                        wmask: item[39] >> 4,
                        rdata: le32(item, 24),
                        wdata: le32(item, 28),
                    });
                }
            }
            self.stats.trace_bytes += (count * TRACE_RECORD_BYTES) as u64;
            self.stats.chunks += 1;
            bytes += (count * TRACE_RECORD_BYTES) as u64;
            if let Some(observe) = &mut self.observer {
                observe(&TraceProgress {
                    records: trace.records.len() as u64,
                    bytes,
                    elapsed: start.elapsed(),
                });
            }
            if last {
                break;
            }
        }
        Ok(trace)
    }
}

/// Whether `run` shows code other than the program's (`words`: its memory image by word
/// address): a record whose instruction word is not the image's at its pc, or an
/// illegal-instruction fault at a word the image has as a legal instruction. Returns what
/// gave it away.
fn foreign_code(words: &std::collections::BTreeMap<u32, u32>, run: &BoardRun) -> Option<String> {
    let at = |pc: u32| words.get(&pc).copied().unwrap_or(0);
    if let Some(t) = &run.trace {
        if let Some((i, r)) = t
            .records
            .iter()
            .enumerate()
            .find(|(_, r)| r.insn != at(r.pc))
        {
            return Some(format!(
                "record {i} at pc {:#010x} ran {:#010x}, the program has {:#010x} there",
                r.pc,
                r.insn,
                at(r.pc)
            ));
        }
    }
    if let BoardEnd::Faulted { code: 1, pc } = run.end {
        if rvzk_zkvm::rv32im::decode(at(pc)).op != rvzk_zkvm::rv32im::Op::Illegal {
            return Some(format!(
                "an illegal instruction at pc {pc:#010x}, where the program has {:#010x}",
                at(pc)
            ));
        }
    }
    None
}

/// The journal as COMMIT read it: the read lanes of the syscall accesses of COMMIT
/// `ecall`s (t0 = 2), in order.
pub fn journal_from_trace(trace: &Trace) -> Vec<u8> {
    let mut out = Vec::new();
    for a in &trace.syscall_mem {
        let is_commit = trace
            .records
            .get(a.record as usize)
            .is_some_and(|r| r.rs1_rdata == 2);
        if is_commit {
            for lane in 0..4 {
                if a.rmask >> lane & 1 != 0 {
                    out.push((a.rdata >> (8 * lane)) as u8);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_progress_reads_well() {
        let line = |records, bytes, ms| {
            TraceProgress {
                records,
                bytes,
                elapsed: Duration::from_millis(ms),
            }
            .to_string()
        };
        assert_eq!(line(0, 0, 0), "0 trace records (0.0 KB/s)");
        assert_eq!(line(999, 39_960, 2000), "999 trace records (20.0 KB/s)");
        assert_eq!(line(1000, 40_000, 1000), "1,000 trace records (40.0 KB/s)");
        assert_eq!(
            line(1_234_567, 27_200, 1000),
            "1,234,567 trace records (27.2 KB/s)"
        );
    }
}
