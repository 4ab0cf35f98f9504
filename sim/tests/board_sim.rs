//! The simulated board end to end: the Verilator build of `rvzk_soc_sim` behind a real
//! pseudo-terminal, driven by the host's board client (`rvzk_host::board`) through
//! `serialport`, exactly as `rvzk run --board` drives a real board. Every example guest,
//! every ISA test and the fault programs run on it; journal, ending and every trace record
//! (and syscall memory access) must equal the executor's.
//!
//! The model is built once per test binary (and reused across binaries by its stamp); each
//! test starts its own board process on its own terminal, so tests run in parallel. Guests
//! come from `$RVZK_GUESTS` (default `build/guests`; `make guests`).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use rvzk_host::board::{Board, BoardEnd, BoardRun, LinkOptions};
use rvzk_host::cmd::board::{compare, Comparison};
use rvzk_sim::board::{build_board, SimBoard};
use rvzk_testkit::{load_guest as load, pseudo_random_bytes};
use rvzk_zkvm::elf::{Program, Segment};
use rvzk_zkvm::rv32im::{ins, run_traced_partial, Op, RunOptions};

const MAX_CYCLES: u64 = 50_000_000;

fn board_exe() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_board(false).unwrap_or_else(|e| panic!("{e}")))
}

/// A fresh simulated board and a client connected to it.
fn connect() -> (SimBoard, Board) {
    let sim = SimBoard::start(board_exe(), None).unwrap_or_else(|e| panic!("{e}"));
    let board = Board::open(&sim.port, 3_000_000, LinkOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", sim.port));
    (sim, board)
}

/// Runs `program` on a fresh board, checks it against the executor, returns the run.
fn check_program(name: &str, program: &Program, input: &[u8], stream: bool) -> BoardRun {
    let (_sim, mut board) = connect();
    let t = Instant::now();
    let run = board
        .run_guest(program, input, MAX_CYCLES, stream)
        .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    let options = RunOptions {
        max_cycles: MAX_CYCLES,
        mem_top: board.info.mem_top,
    };
    let exec = run_traced_partial(program, input, &options);
    assert_eq!(
        compare(&run, &exec),
        Comparison::Equal,
        "{name}: board and executor disagree"
    );
    assert_eq!(run.trace.is_some(), stream);
    let s = &board.stats;
    assert_eq!(s.retries, 0, "{name}: a clean link needed retries");
    assert_eq!(s.bad_frames, 0, "{name}: damaged frames on a clean link");
    eprintln!(
        "{name}: {} instructions, {} board clocks, {:.2} s wall; {} trace bytes, {} bytes in, {} out",
        run.retired,
        run.clocks,
        t.elapsed().as_secs_f64(),
        s.trace_bytes,
        s.bytes_in,
        s.bytes_out
    );
    run
}

fn check(rel: &str, input: &[u8]) -> BoardRun {
    check_program(rel, &load(rel), input, true)
}

// Inputs are kept small: with the trace streamed, every instruction is 40 bytes on a UART
// of 4 clocks per bit (about 1,700 clocks each); larger runs go without the trace below.

#[test]
fn multiply() {
    let input = [123_456_789u32.to_le_bytes(), 987_654_321u32.to_le_bytes()].concat();
    let run = check("multiply", &input);
    assert_eq!(run.end, BoardEnd::Halted(0));
    assert_eq!(run.journal.len(), 8);
}

#[test]
fn fibonacci() {
    check("fibonacci", &100u32.to_le_bytes());
}

#[test]
fn sha256() {
    check("sha256", b"");
    check("sha256", &pseudo_random_bytes(3, 100));
}

#[test]
fn sort() {
    check("sort", &pseudo_random_bytes(9, 4 * 8));
}

#[test]
fn bench() {
    check("bench", &2u32.to_le_bytes());
}

/// Larger runs without the trace (the core at full speed): ending, journal and retired
/// count against the executor; prints the SoC's simulation speed.
#[test]
fn larger_runs_without_trace() {
    for (rel, input) in [
        ("sha256", pseudo_random_bytes(3, 1500)),
        ("sort", pseudo_random_bytes(9, 4 * 400)),
        ("bench", 300u32.to_le_bytes().to_vec()),
    ] {
        let run = check_program(rel, &load(rel), &input, false);
        eprintln!(
            "{rel} without trace: {} instructions in {} clocks (CPI {:.2}); {:.2} M clocks/s over RUN..STATUS",
            run.retired,
            run.clocks,
            f64::from(run.clocks) / f64::from(run.retired),
            f64::from(run.clocks) / run.run_time.as_secs_f64() / 1e6
        );
    }
}

macro_rules! isa_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let rel = concat!("isa/", stringify!($name));
                let input: &[u8] = if stringify!($name) == "syscalls" { b"rvzk" } else { b"" };
                let run = check(rel, input);
                assert_eq!(run.end, BoardEnd::Halted(0), "{rel}");
            }
        )*
    };
}

mod isa {
    use super::*;
    isa_tests!(
        alu, alu_imm, branch, compare, div, jump, loadstore, lui_auipc, mul, shifts, syscalls, x0
    );
}

/// Fault programs: the board stops with the executor's fault at the `fault_here` pc, after
/// the same records.
fn check_fault(rel: &str, code: u8) {
    let program = load(rel);
    let run = check(rel, b"");
    let here = program
        .symbols
        .iter()
        .find(|s| s.name == "fault_here")
        .map(|s| s.addr)
        .unwrap_or_else(|| panic!("{rel}: no fault_here symbol"));
    assert_eq!(run.end, BoardEnd::Faulted { code, pc: here }, "{rel}");
}

#[test]
fn fault_illegal_instruction() {
    check_fault("faults/illegal", 1);
}

#[test]
fn fault_out_of_range_access() {
    check_fault("faults/null_load", 7);
    check_fault("faults/out_of_range_store", 8);
}

#[test]
fn fault_others() {
    check_fault("faults/ebreak", 2);
    check_fault("faults/misaligned_load", 4);
    check_fault("faults/misaligned_store", 5);
    check_fault("faults/misaligned_jump", 6);
    check_fault("faults/store_to_code", 9);
    check_fault("faults/unknown_syscall", 10);
}

/// The cycle limit stops an endless loop on the board as in software.
#[test]
fn cycle_limit() {
    let program = load("faults/infinite_loop");
    let (_sim, mut board) = connect();
    let run = board.run_guest(&program, b"", 500, true).unwrap();
    let exec = run_traced_partial(
        &program,
        b"",
        &RunOptions {
            max_cycles: 500,
            mem_top: board.info.mem_top,
        },
    );
    assert_eq!(compare(&run, &exec), Comparison::Equal);
    assert!(matches!(run.end, BoardEnd::Faulted { code: 12, .. }));
    assert_eq!(run.retired, 500);
}

/// A program that needs more memory than the board has is refused before anything but
/// INFO is sent: the board's memory is untouched and no frame after INFO went out.
#[test]
fn elf_too_large_is_refused_before_sending() {
    let code = [ins(Op::Addi, 5, 0, 0, 0), ins(Op::Ecall, 0, 0, 0, 0)];
    let big = Segment {
        index: 0,
        vaddr: 0x2000,
        memsz: 0x4_0000,
        data: vec![1, 2, 3, 4],
        executable: false,
        writable: true,
    };
    let program = Program::from_words(0x1000, &code, vec![big]);
    // It is a valid program for the executor (256 MiB of memory) …
    let bytes = program.to_elf_bytes();
    let program = Program::load(&bytes).unwrap();
    let (_sim, mut board) = connect();
    let sent = board.stats.frames_sent;
    let err = board
        .run_guest(&program, b"", 1000, true)
        .expect_err("the board has 128 KiB");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("does not fit the board's memory") && msg.contains("0x42000"),
        "{msg}"
    );
    assert_eq!(
        board.stats.frames_sent, sent,
        "frames went out before refusing"
    );
    // … and input larger than the board's buffer is refused the same way.
    let input = vec![0u8; board.info.input_capacity as usize + 1];
    let err = board
        .run_guest(&load("multiply"), &input, 1000, true)
        .expect_err("input too large");
    assert!(format!("{err}").contains("input buffer"), "{err}");
    assert_eq!(board.stats.frames_sent, sent);
}

/// The message layer's own error answers: a command the board does not have, a LOAD
/// outside memory, a chunk out of the window, a chunk with no streaming run.
#[test]
fn protocol_errors_are_answered() {
    use rvzk_host::board::{cmd, BoardError};
    let (_sim, mut board) = connect();
    let status = |r: Result<Vec<u8>, BoardError>| match r {
        Err(BoardError::Status { code, .. }) => code,
        other => panic!("expected an error status, got {other:?}"),
    };
    assert_eq!(status(board.transact(cmd::NTT_RUN, 12, &[])), 7);
    assert_eq!(status(board.transact(cmd::SHA256, 0, &[])), 7);
    assert_eq!(status(board.transact(cmd::SHA256, 1, &[0; 32])), 2);
    assert_eq!(status(board.transact(0x7f, 0, &[])), 1);
    assert_eq!(status(board.transact(cmd::LOAD, 0x2_0000, &[0; 4])), 3);
    assert_eq!(status(board.transact(cmd::LOAD, 0x1_fffc, &[0; 8])), 3);
    assert_eq!(status(board.transact(cmd::LOAD, 0x1002, &[0; 4])), 3);
    assert_eq!(status(board.transact(cmd::INPUT, 0x2000, &[0; 4])), 3);
    assert_eq!(status(board.transact(cmd::LOAD, 0x1000, &[0; 3])), 2);
    assert_eq!(status(board.transact(cmd::RUN, 0, &[0; 8])), 2);
    assert_eq!(status(board.transact(cmd::CHUNK, 0, &[])), 6);
    // The bounds exactly (the board checks them on narrowed words): the last word of guest
    // memory and of the 8 KiB input buffer are writable, one word more is not, nor is an
    // address with bits above the ones the checks add up.
    assert!(board.transact(cmd::LOAD, 0x1_fffc, &[0; 4]).is_ok());
    assert!(board.transact(cmd::INPUT, 0x1ffc, &[0; 4]).is_ok());
    assert_eq!(status(board.transact(cmd::INPUT, 0x1ffc, &[0; 8])), 3);
    assert_eq!(status(board.transact(cmd::INPUT, 0x4000_0000, &[0; 4])), 3);
    assert_eq!(status(board.transact(cmd::LOAD, 0x40_0000, &[0; 4])), 3);
    assert_eq!(status(board.transact(cmd::LOAD, 0x3f_fffc, &[0; 8])), 3);
    assert_eq!(status(board.transact(cmd::LOAD, 0x8000_1000, &[0; 4])), 3);
    // RUN's input length over the buffer: by one byte, and by a high bit alone
    let run_words = |len: u32| -> Vec<u8> {
        [0x1000u32, 0x1000, 0x1004, 10, len]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect()
    };
    assert_eq!(status(board.transact(cmd::RUN, 0, &run_words(0x2001))), 7);
    assert_eq!(
        status(board.transact(cmd::RUN, 0, &run_words(0x8000_0000))),
        7
    );
    // over-long frame
    assert_eq!(status(board.transact(cmd::LOAD, 0x1000, &[0; 508])), 2);
    // a good run, then a chunk that is neither the last sent nor the next
    let run = board
        .run_guest(&load("multiply"), &[17, 0, 0, 0, 23, 0, 0, 0], 1000, true)
        .unwrap();
    assert_eq!(run.end, BoardEnd::Halted(0));
    assert!(board.stats.chunks > 1);
    assert_eq!(status(board.transact(cmd::CHUNK, 99, &[])), 5);
    // the last chunk sent can be asked for again (what a host does when its answer is lost)
    let n = board.stats.chunks as u32 - 1;
    let again = board.transact(cmd::CHUNK, n, &[]).unwrap();
    let again2 = board.transact(cmd::CHUNK, n, &[]).unwrap();
    // the same chunk (byte 0 is each request's own sequence number)
    assert_eq!(again[1..], again2[1..]);
    assert_eq!(again[2] & 1, 1, "the last chunk says so");
    // JOURNAL: up to the end of what was committed; an offset past it (also by a high bit
    // alone) is status 3
    let journal = board.transact(cmd::JOURNAL, 0, &[]).unwrap();
    let kept = journal.len() as u32 - 2;
    assert_eq!(journal[2..], run.journal[..]);
    assert_eq!(
        board.transact(cmd::JOURNAL, 4, &[]).unwrap()[2..],
        run.journal[4..]
    );
    assert_eq!(board.transact(cmd::JOURNAL, kept, &[]).unwrap().len(), 2);
    assert_eq!(status(board.transact(cmd::JOURNAL, kept + 1, &[])), 3);
    assert_eq!(status(board.transact(cmd::JOURNAL, 0x1_0000, &[])), 3);
    assert_eq!(status(board.transact(cmd::JOURNAL, 0x8000_0000, &[])), 3);
    // a RUN whose input is exactly the buffer's 8 KiB is taken
    assert!(board.transact(cmd::RUN, 0, &run_words(0x2000)).is_ok());
}

/// Link figures for docs/benchmarks.md: how much of the line the trace stream uses.
#[test]
fn link_utilisation() {
    let run = check("fibonacci", &300u32.to_le_bytes());
    let t = run.trace.as_ref().unwrap();
    let trace_bytes = (40 * (t.records.len() + t.syscall_mem.len())) as f64;
    // The line moves one byte per 10 bit times of 4 clocks each.
    let line_bytes = f64::from(run.clocks) / 40.0;
    eprintln!(
        "trace stream: {trace_bytes} payload bytes in {} clocks = {:.1} % of the line rate",
        run.clocks,
        100.0 * trace_bytes / line_bytes
    );
    assert!(
        trace_bytes / line_bytes > 0.5,
        "the trace stream idles the line"
    );
}

/// NTT jobs through the link (the simulated board's engine is the 2^6 build): forward and
/// inverse, bit-exact against the software reference, and the resend rules of the
/// protocol (a resent NTT_LOAD is not fed twice, a resent NTT_READ gives the same piece).
#[test]
fn ntt_jobs_through_the_link() {
    use rvzk_host::board::{cmd, BoardError};
    use rvzk_rtl::babybear::{intt, ntt, P};
    let (_sim, mut board) = connect();
    assert_eq!(board.info.ntt_log_n, 6);
    let n = 64usize;
    let mut seed = 0x1234_5678u32;
    let mut random = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed % P
    };
    for round in 0..6 {
        let values: Vec<u32> = (0..n).map(|_| random()).collect();
        let inverse = round % 2 == 1;
        let got = board.ntt(&values, inverse).unwrap();
        let want = if inverse { intt(&values) } else { ntt(&values) };
        assert_eq!(got, want, "round {round} (inverse = {inverse})");
    }
    // by hand: NTT_RUN, the values in two frames with the first one resent, a second
    // NTT_RUN while loading (refused), the output read twice
    let values: Vec<u32> = (0..n as u32).collect();
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    board.transact(cmd::NTT_RUN, 6, &[]).unwrap();
    board.transact(cmd::NTT_LOAD, 0, &bytes[..128]).unwrap();
    board.transact(cmd::NTT_LOAD, 0, &bytes[..128]).unwrap();
    let busy = board.transact(cmd::NTT_RUN, 6, &[]);
    assert!(
        matches!(busy, Err(BoardError::Status { code: 4, .. })),
        "{busy:?}"
    );
    let gap = board.transact(cmd::NTT_LOAD, 40, &bytes[160..]);
    assert!(
        matches!(gap, Err(BoardError::Status { code: 3, .. })),
        "{gap:?}"
    );
    board.transact(cmd::NTT_LOAD, 32, &bytes[128..]).unwrap();
    let a = board.transact(cmd::NTT_READ, 0, &[]).unwrap();
    let b = board.transact(cmd::NTT_READ, 0, &[]).unwrap();
    assert_eq!(a[1..], b[1..]);
    let got: Vec<u32> = a[4..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(got, ntt(&values));
    let past = board.transact(cmd::NTT_READ, 1, &[]);
    assert!(
        matches!(past, Err(BoardError::Status { code: 5, .. })),
        "{past:?}"
    );
}

/// A damaged frame longer than an NTT_READ request lands in the receive buffer where the
/// piece just sent waits to be sent again. The board must forget the piece (a resend is then
/// refused with status 5, and the host starts the job again), never send it again with some
/// of its words replaced under a good CRC. Raw frames, so nothing retries behind the test.
#[test]
fn a_damaged_long_frame_forgets_the_ntt_piece() {
    use rvzk_host::board::{cmd, frame};
    use rvzk_rtl::babybear::ntt;
    use std::io::{Read, Write};
    let sim = SimBoard::start(board_exe(), None).unwrap_or_else(|e| panic!("{e}"));
    let mut port = serialport::new(&sim.port, 3_000_000)
        .timeout(std::time::Duration::from_secs(10))
        .open()
        .expect("open the simulated board");
    let mut seq = 0u8;
    let mut ask =
        |port: &mut Box<dyn serialport::SerialPort>, command: u8, arg: u32, data: &[u8]| {
            seq = seq.wrapping_add(1);
            let mut payload = vec![seq, command, 0, 0];
            payload.extend_from_slice(&arg.to_le_bytes());
            payload.extend_from_slice(data);
            let mut wire = vec![frame::END];
            wire.extend(frame::encode(&payload));
            port.write_all(&wire).unwrap();
            let mut decoder = frame::Decoder::default();
            let mut byte = [0u8; 1];
            loop {
                port.read_exact(&mut byte).expect("an answer within 10 s");
                if let Some(frame::Decoded::Good(answer)) = decoder.push(byte[0]) {
                    assert_eq!(answer[0], seq, "answer to another request");
                    return answer;
                }
            }
        };
    let values: Vec<u32> = (0..64u32).map(|i| i * 7919 + 3).collect();
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(ask(&mut port, cmd::NTT_RUN, 6, &[])[1..], [0]);
    assert_eq!(ask(&mut port, cmd::NTT_LOAD, 0, &bytes)[1..], [0]);
    let piece = ask(&mut port, cmd::NTT_READ, 0, &[]);
    assert_eq!(piece[1], 0, "{piece:?}");
    let got: Vec<u32> = piece[4..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(got, ntt(&values));

    // 40 bytes of 0x55 whose CRC is wrong: the board drops the frame without a word
    let mut damaged = vec![frame::END];
    let mut body = frame::encode(&[0x55; 40]);
    body[0] ^= 0x01;
    damaged.extend(body);
    port.write_all(&damaged).unwrap();

    let again = ask(&mut port, cmd::NTT_READ, 0, &[]);
    assert_eq!(
        again[1..],
        [5],
        "a resent NTT_READ after a damaged long frame must be refused, not answered from \
         the overwritten buffer"
    );
    drop(port);
    sim.stop();
}

/// SHA-256 jobs through the link: raw compressions of 1 to 9 blocks (so also a job split in
/// two) from random states, bit-exact against the `sha2` crate's compression function.
#[test]
fn sha256_jobs_through_the_link() {
    use sha2::digest::generic_array::GenericArray;
    let (_sim, mut board) = connect();
    let bytes = pseudo_random_bytes(77, 64 * 9 + 32);
    for n in [1usize, 2, 7, 9] {
        let mut state = [0u32; 8];
        for (i, w) in state.iter_mut().enumerate() {
            *w = u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
        }
        let blocks: Vec<[u8; 64]> = (0..n)
            .map(|b| bytes[32 + 64 * b..32 + 64 * b + 64].try_into().unwrap())
            .collect();
        let got = board.sha256_compress(state, &blocks).unwrap();
        let mut want = state;
        let ga: Vec<_> = blocks
            .iter()
            .map(|b| *GenericArray::from_slice(b))
            .collect();
        sha2::compress256(&mut want, &ga);
        assert_eq!(got, want, "{n} blocks");
    }
}

/// A session that leaves a run streaming (it stops asking for chunks) does not block the
/// next one: the next `run_guest` drops the old run's trace (DISCARD), waits for it to stop
/// and runs normally.
#[test]
fn abandoned_run_is_discarded() {
    use rvzk_host::board::cmd;
    let (sim, mut board) = connect();
    let program = load("fibonacci");
    let run = board
        .run_guest(&program, &100u32.to_le_bytes(), MAX_CYCLES, true)
        .unwrap();
    assert_eq!(run.end, BoardEnd::Halted(0));
    // start a streaming run by hand and walk away after one chunk
    let bench = load("bench");
    board.transact(cmd::CLEAR, 0, &[]).unwrap();
    let code = bench.segments.iter().find(|s| s.executable).unwrap();
    let mut words = std::collections::BTreeMap::<u32, u32>::new();
    for s in &bench.segments {
        for (i, &b) in s.data.iter().enumerate() {
            let a = s.vaddr + i as u32;
            *words.entry(a & !3).or_default() |= u32::from(b) << (8 * (a & 3));
        }
    }
    // the image from its first to its last word, in frames of 120 words
    let (lo, hi) = (*words.keys().next().unwrap(), *words.keys().last().unwrap());
    let image: Vec<u8> = (lo..=hi)
        .step_by(4)
        .flat_map(|a| words.get(&a).copied().unwrap_or(0).to_le_bytes())
        .collect();
    for (i, piece) in image.chunks(480).enumerate() {
        board
            .transact(cmd::LOAD, lo + 480 * i as u32, piece)
            .unwrap();
    }
    board.transact(cmd::INPUT, 0, &50u32.to_le_bytes()).unwrap();
    let mut cfg = vec![];
    for v in [bench.entry, code.vaddr, code.end(), 1_000_000, 4] {
        cfg.extend_from_slice(&v.to_le_bytes());
    }
    board.transact(cmd::RUN, 1, &cfg).unwrap();
    board.transact(cmd::CHUNK, 0, &[]).unwrap();
    assert_eq!(
        board.status().unwrap().state,
        1,
        "the core waits for its trace"
    );
    drop(board);
    // a new session on the same board
    let mut board = Board::open(&sim.port, 3_000_000, LinkOptions::default()).unwrap();
    let run = board
        .run_guest(&program, &100u32.to_le_bytes(), MAX_CYCLES, true)
        .unwrap();
    assert_eq!(run.end, BoardEnd::Halted(0));
    assert_eq!(run.trace.unwrap().records.len(), run.retired as usize);
}
