//! `rvzk prove --board` against a fake board: a software model of the board protocol
//! (docs/board-protocol.md) on a real pseudo-terminal, whose "core" is the executor and
//! whose "accelerator" is the software NTT and SHA-256 — and which can be told to get one
//! NTT or SHA-256 result, or one trace record, wrong (a bit flipped inside the FPGA, which
//! the link's CRC cannot see). The real simulated board's proofs are in
//! sim/tests/board_prove.rs; this file covers the host's paths quickly: receipts equal to
//! the software backend's with and without forced accelerator jobs, wrong results caught
//! with no receipt written, and the command line's errors.
//!
//! Proofs use the hidden `--insecure-test-params` so the tests stay fast.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use rvzk_host::board::frame::{encode, Decoded, Decoder};
use rvzk_host::board::pty::Pty;
use rvzk_zkvm::elf::{Program, Segment};
use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};
use rvzk_zkvm::rv32im::{run_traced_partial, RunOptions, TRACE_RECORD_BYTES};

const MEM_TOP: u32 = 0x2_0000;
const INPUT_BYTES: usize = 8192;
const JOURNAL_KEPT: usize = 4096;
const CHUNK_ITEMS: usize = 12;
const K: u32 = 6;

/// What the fake board has and what it gets wrong.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// Advertise (and serve) the NTT engine and the SHA-256 core.
    accel: bool,
    /// Flip a bit of one value of this NTT job's output (counted from 0).
    bad_ntt_job: Option<u32>,
    /// Flip a bit of this SHA-256 job's state (counted from 0).
    bad_sha_job: Option<u32>,
    /// Flip a bit of this trace record's rd value.
    bad_record: Option<usize>,
}

/// The board's state.
struct FakeBoard {
    faults: Faults,
    mem: Vec<u8>,
    input: Vec<u8>,
    /// 0 never run, 2 halted, 3 faulted (runs finish at RUN).
    state: u8,
    fault_code: u8,
    exit_code: u32,
    fault_pc: u32,
    retired: u32,
    journal: Vec<u8>,
    items: Vec<([u8; TRACE_RECORD_BYTES], bool)>,
    last_run_seq: Option<u8>,
    ntt_inverse: bool,
    ntt_in: Vec<u32>,
    ntt_out: Vec<u32>,
    ntt_jobs: u32,
    sha_jobs: u32,
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

impl FakeBoard {
    fn new(faults: Faults) -> FakeBoard {
        FakeBoard {
            faults,
            mem: vec![0; MEM_TOP as usize],
            input: vec![0; INPUT_BYTES],
            state: 0,
            fault_code: 0,
            exit_code: 0,
            fault_pc: 0,
            retired: 0,
            journal: vec![],
            items: vec![],
            last_run_seq: None,
            ntt_inverse: false,
            ntt_in: vec![],
            ntt_out: vec![],
            ntt_jobs: 0,
            sha_jobs: 0,
        }
    }

    /// The answer payload to a request payload.
    fn answer(&mut self, f: &[u8]) -> Vec<u8> {
        let (seq, cmd, arg, data) = (f[0], f[1], le32(f, 4), &f[8..]);
        let ok = |extra: &[u8]| {
            let mut r = vec![seq, 0];
            r.extend_from_slice(extra);
            r
        };
        let status = |code: u8| vec![seq, code];
        let accel = self.faults.accel;
        match cmd {
            0x01 => {
                let features = if accel { 7 } else { 1 };
                let mut r = vec![
                    1,
                    1,
                    0,
                    features,
                    CHUNK_ITEMS as u8,
                    if accel { K as u8 } else { 0 },
                ];
                for v in [
                    MEM_TOP,
                    INPUT_BYTES as u32,
                    JOURNAL_KEPT as u32,
                    12_000_000,
                    4,
                ] {
                    r.extend_from_slice(&v.to_le_bytes());
                }
                ok(&r)
            }
            0x02 => {
                self.mem.fill(0);
                ok(&[])
            }
            0x03 | 0x04 => {
                let buf = if cmd == 0x03 {
                    &mut self.mem
                } else {
                    &mut self.input
                };
                let a = arg as usize;
                if a + data.len() > buf.len() {
                    return status(3);
                }
                buf[a..a + data.len()].copy_from_slice(data);
                ok(&[])
            }
            0x05 => {
                if self.last_run_seq == Some(seq) {
                    return ok(&[]);
                }
                self.last_run_seq = Some(seq);
                self.run(
                    le32(data, 0),
                    le32(data, 4),
                    le32(data, 8),
                    le32(data, 12),
                    le32(data, 16),
                );
                ok(&[])
            }
            0x06 => {
                let mut r = vec![self.state, self.fault_code];
                r.extend_from_slice(&self.exit_code.to_le_bytes());
                r.extend_from_slice(&self.fault_pc.to_le_bytes());
                r.extend_from_slice(&self.retired.to_le_bytes());
                r.extend_from_slice(&(self.journal.len() as u32).to_le_bytes());
                r.extend_from_slice(&(self.retired * 2).to_le_bytes());
                ok(&r)
            }
            0x07 => {
                let n = arg as usize;
                let chunks = self.items.len().div_ceil(CHUNK_ITEMS).max(1);
                if n >= chunks {
                    return status(5);
                }
                let part = &self.items[(n * CHUNK_ITEMS).min(self.items.len())
                    ..((n + 1) * CHUNK_ITEMS).min(self.items.len())];
                let mut kinds = 0u16;
                for (i, (_, sys)) in part.iter().enumerate() {
                    if *sys {
                        kinds |= 1 << i;
                    }
                }
                let mut r = vec![u8::from(n + 1 == chunks), part.len() as u8];
                r.extend_from_slice(&(n as u32).to_le_bytes());
                r.extend_from_slice(&kinds.to_le_bytes());
                r.extend_from_slice(&[0, 0]);
                for (item, _) in part {
                    r.extend_from_slice(item);
                }
                ok(&r)
            }
            0x08 => {
                let kept = self.journal.len().min(JOURNAL_KEPT);
                let a = arg as usize;
                if a > kept {
                    return status(3);
                }
                ok(&self.journal[a..kept.min(a + 256)])
            }
            0x09 => ok(&[]),
            0x11 if accel => {
                if arg & 0x1f != K {
                    return status(7);
                }
                self.ntt_inverse = arg >> 8 & 1 == 1;
                self.ntt_in.clear();
                self.ntt_out.clear();
                ok(&[])
            }
            0x10 if accel => {
                if arg as usize == self.ntt_in.len() {
                    self.ntt_in.extend(data.chunks_exact(4).map(|c| le32(c, 0)));
                }
                ok(&[])
            }
            0x12 if accel => {
                let n = 1usize << K;
                if self.ntt_out.is_empty() {
                    let v: Vec<BabyBear> = self.ntt_in.iter().map(|&x| BabyBear::new(x)).collect();
                    let d = Radix2Dft::new();
                    let out = if self.ntt_inverse {
                        d.idft(v)
                    } else {
                        d.dft(v)
                    };
                    self.ntt_out = out.iter().map(|x| x.as_canonical()).collect();
                    if self.faults.bad_ntt_job == Some(self.ntt_jobs) {
                        self.ntt_out[9] ^= 1 << 4;
                    }
                    self.ntt_jobs += 1;
                }
                let p = arg as usize * 64;
                let piece = &self.ntt_out[p.min(n)..(p + 64).min(n)];
                let mut r = vec![piece.len() as u8, 0];
                for v in piece {
                    r.extend_from_slice(&v.to_le_bytes());
                }
                ok(&r)
            }
            0x13 if accel => {
                let mut state: [u32; 8] = std::array::from_fn(|i| le32(data, 4 * i));
                for b in data[32..].chunks_exact(64) {
                    let block: [u8; 64] = b.try_into().unwrap();
                    sha2::compress256(&mut state, &[block.into()]);
                }
                if self.faults.bad_sha_job == Some(self.sha_jobs) {
                    state[3] ^= 1 << 20;
                }
                self.sha_jobs += 1;
                let mut r = vec![8, 0];
                for w in state {
                    r.extend_from_slice(&w.to_le_bytes());
                }
                ok(&r)
            }
            _ => status(1),
        }
    }

    /// Runs the loaded memory with the executor, keeping the trace as the core streams it.
    fn run(&mut self, entry: u32, code_lo: u32, code_hi: u32, max_cycles: u32, input_len: u32) {
        let seg = |lo: u32, hi: u32, executable: bool| Segment {
            index: 0,
            vaddr: lo,
            memsz: hi - lo,
            data: self.mem[lo as usize..hi as usize].to_vec(),
            executable,
            writable: !executable,
        };
        let program = Program {
            entry,
            segments: vec![
                seg(0x1000, code_lo, false),
                seg(code_lo, code_hi, true),
                seg(code_hi, MEM_TOP, false),
            ]
            .into_iter()
            .filter(|s| s.memsz > 0)
            .collect(),
            symbols: vec![],
        };
        let opts = RunOptions {
            max_cycles: u64::from(max_cycles),
            mem_top: MEM_TOP,
        };
        let input = &self.input[..input_len as usize];
        let (result, mut trace) = run_traced_partial(&program, input, &opts);
        // (The client's first run of cleared memory faults at once and has no records.)
        if let Some(r) = self
            .faults
            .bad_record
            .and_then(|i| trace.records.get_mut(i))
        {
            r.rd_wdata ^= 1 << 7;
        }
        self.retired = trace.records.len() as u32;
        match result {
            Ok(out) => {
                self.state = 2;
                self.exit_code = out.exit_code;
                self.journal = out.journal;
            }
            Err(e) => {
                self.state = 3;
                self.fault_code = 1;
                self.fault_pc = e.pc;
            }
        }
        self.items.clear();
        let mut sys = trace.syscall_mem.iter().peekable();
        for (i, r) in trace.records.iter().enumerate() {
            while let Some(a) = sys.next_if(|a| a.record as usize == i) {
                let mut item = [0u8; TRACE_RECORD_BYTES];
                item[20..24].copy_from_slice(&a.addr.to_le_bytes());
                item[24..28].copy_from_slice(&a.rdata.to_le_bytes());
                item[28..32].copy_from_slice(&a.wdata.to_le_bytes());
                item[39] = a.rmask | a.wmask << 4;
                self.items.push((item, true));
            }
            self.items.push((r.to_bytes(), false));
        }
    }
}

/// Starts a fake board on a new pseudo-terminal; returns its port.
fn fake_board(faults: Faults) -> String {
    // The slave end stays open in the thread so that the master never reads EIO between
    // the client's opens.
    let pty = Pty::open(false).expect("a pseudo-terminal");
    let (mut m, s, port) = (pty.master, pty.slave, pty.name);
    std::thread::spawn(move || {
        let _keep = s;
        let mut board = FakeBoard::new(faults);
        let mut d = Decoder::default();
        let mut buf = [0u8; 4096];
        while let Ok(k) = m.read(&mut buf) {
            if k == 0 {
                break;
            }
            for &b in &buf[..k] {
                if let Some(Decoded::Good(frame)) = d.push(b) {
                    if frame.len() >= 8 {
                        let reply = board.answer(&frame);
                        if m.write_all(&encode(&reply)).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    port
}

fn guests() -> PathBuf {
    std::env::var("RVZK_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../build/guests")))
}

fn guest(name: &str) -> String {
    let p = guests().join(format!("{name}.elf"));
    assert!(
        p.exists(),
        "{} missing: run `make guests` first",
        p.display()
    );
    p.to_str().unwrap().to_string()
}

/// A fresh directory for receipts.
fn scratch() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "rvzk-board-prove-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rvzk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvzk"))
        .args(args)
        .output()
        .expect("rvzk runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Proves `multiply(17, 23)` with `extra` arguments; returns the output and the receipt path.
fn prove(dir: &Path, name: &str, extra: &[&str]) -> (Output, PathBuf) {
    let out = dir.join(format!("{name}.receipt"));
    let elf = guest("multiply");
    let mut args = vec![
        "prove",
        elf.as_str(),
        "--input-u32",
        "17,23",
        "--seed",
        "7",
        "--insecure-test-params",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (rvzk(&args), out)
}

fn software_receipt(dir: &Path) -> Vec<u8> {
    let (o, path) = prove(dir, "software", &[]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    std::fs::read(path).unwrap()
}

#[test]
fn board_receipts_equal_the_software_receipt() {
    let dir = scratch();
    let reference = software_receipt(&dir);
    // Trace from the board, nothing offloaded (auto never pays over a UART).
    let port = fake_board(Faults::default());
    let (o, path) = prove(&dir, "board", &["--board", &port, "--stats"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(std::fs::read(&path).unwrap(), reference);
    assert!(out.contains("backend    simulated board"), "{out}");
    assert!(out.contains("the board has no accelerator"), "{out}");
    assert!(out.contains("too few chunks to measure"), "{out}");

    // An accelerator the cost model turns down.
    let port = fake_board(Faults {
        accel: true,
        ..Faults::default()
    });
    let (o, path) = prove(&dir, "auto", &["--board", &port, "--stats"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(std::fs::read(&path).unwrap(), reference);
    assert!(out.contains("auto: NTT job (2^6) about"), "{out}");
    assert!(out.contains("nothing sent"), "{out}");

    // Forced, bounded jobs: one transform of a 2^12-row column (64 jobs of 2^6; no second
    // fits in 100) and 100 Merkle nodes.
    let port = fake_board(Faults {
        accel: true,
        ..Faults::default()
    });
    let (o, path) = prove(
        &dir,
        "force",
        &[
            "--board",
            &port,
            "--accel",
            "force",
            "--accel-jobs",
            "100",
            "--json",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(std::fs::read(&path).unwrap(), reference);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let ntt = v["board"]["ntt_jobs"].as_u64().unwrap();
    assert!((64..=100).contains(&ntt), "{ntt} NTT jobs");
    assert_eq!(v["board"]["sha_jobs"].as_u64(), Some(100));
    assert!(v["board"]["accel_link"]["bytes_out"].as_u64().unwrap() > 20 * 256);
}

fn assert_refused(o: &Output, path: &Path, wanted: &str) {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains(wanted), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!path.exists(), "a receipt was written");
}

#[test]
fn a_wrong_ntt_result_gives_no_receipt() {
    let dir = scratch();
    let port = fake_board(Faults {
        accel: true,
        bad_ntt_job: Some(3),
        ..Faults::default()
    });
    let (o, path) = prove(
        &dir,
        "bad",
        &["--board", &port, "--accel", "force", "--accel-jobs", "64"],
    );
    assert_refused(&o, &path, "returned a wrong NTT result (job 4)");
}

#[test]
fn a_wrong_sha256_result_gives_no_receipt() {
    let dir = scratch();
    let port = fake_board(Faults {
        accel: true,
        bad_sha_job: Some(5),
        ..Faults::default()
    });
    let (o, path) = prove(
        &dir,
        "bad",
        &["--board", &port, "--accel", "force", "--accel-jobs", "10"],
    );
    assert_refused(&o, &path, "returned a wrong SHA-256 result (job 6)");
}

#[test]
fn a_wrong_trace_record_gives_no_receipt() {
    let dir = scratch();
    let port = fake_board(Faults {
        bad_record: Some(4),
        ..Faults::default()
    });
    let (o, path) = prove(&dir, "bad", &["--board", &port]);
    assert_refused(&o, &path, "cannot prove the board's run");
}

#[test]
fn cli_errors() {
    let dir = scratch();
    // No board.
    let (o, path) = prove(&dir, "none", &["--board", "/dev/rvzk-no-such-port"]);
    assert_refused(&o, &path, "no board");
    // Forcing an accelerator the board does not have.
    let port = fake_board(Faults::default());
    let (o, path) = prove(&dir, "noaccel", &["--board", &port, "--accel", "force"]);
    assert_refused(&o, &path, "has no accelerator");
    // Accelerator options without a board.
    let (o, path) = prove(&dir, "noboard", &["--accel", "force"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--board"), "{err}");
    assert!(!path.exists());
    let (o, _) = prove(&dir, "badmode", &["--board", &port, "--accel", "sometimes"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("sometimes"), "{err}");
}

/// The trace observer sees every chunk of a run: counts that only grow, ending at the whole
/// trace, and a line a terminal can show.
#[test]
fn trace_progress_is_reported_chunk_by_chunk() {
    use rvzk_host::board::{Board, LinkOptions, TraceProgress};
    use std::sync::{Arc, Mutex};
    let port = fake_board(Faults::default());
    let mut board = Board::open(&port, 3_000_000, LinkOptions::default()).unwrap();
    let seen: Arc<Mutex<Vec<TraceProgress>>> = Arc::default();
    let sink = Arc::clone(&seen);
    board.on_trace_progress(move |p| sink.lock().unwrap().push(*p));
    let elf = std::fs::read(guest("multiply")).unwrap();
    let program = Program::load(&elf).unwrap();
    let input: Vec<u8> = [17u32, 23].iter().flat_map(|v| v.to_le_bytes()).collect();
    let run = board.run_guest(&program, &input, 1 << 20, true).unwrap();
    let records = run.trace.unwrap().records.len() as u64;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len() as u64, board.stats.chunks, "one call per chunk");
    assert!(seen
        .windows(2)
        .all(|w| w[0].records <= w[1].records && w[0].bytes < w[1].bytes));
    assert_eq!(seen.last().unwrap().records, records);
    assert_eq!(seen.last().unwrap().bytes, board.stats.trace_bytes);
    let line = seen.last().unwrap().to_string();
    assert!(
        line.replace(',', "")
            .starts_with(&format!("{records} trace records (")),
        "{line}"
    );
    assert!(seen.len() > 2, "{} chunks", seen.len());
    assert!(line.ends_with(" KB/s)"), "{line}");
}
