//! The board client's error paths against fake boards on real pseudo-terminals: no board,
//! a board that never answers, one whose every answer is damaged (a CRC storm), one that
//! speaks another protocol version, and one that loses an answer (the client resends the
//! same frame and goes on). The simulated board's own tests are in sim/tests/board_sim.rs.

use std::io::{Read, Write};
use std::process::Command;
use std::time::Duration;

use rvzk_host::board::frame::{encode, Decoded, Decoder};
use rvzk_host::board::pty::Pty;
use rvzk_host::board::{Board, BoardError, LinkOptions};
use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};

/// What the fake board does with the n-th good frame it receives (its payload given).
type Behaviour = Box<dyn FnMut(usize, &[u8]) -> Option<Vec<u8>> + Send>;

/// A fake board: a thread on the master side of a new pseudo-terminal. Returns the port.
fn fake_board(behave: Behaviour) -> String {
    fake_board_until(behave, usize::MAX)
}

/// A fake board that is unplugged (closes its terminal) when its `close_at`-th good frame
/// (from 0) arrives.
fn fake_board_until(mut behave: Behaviour, close_at: usize) -> String {
    // The slave end stays open in the thread so that the master never reads EIO between
    // the client's opens.
    let pty = Pty::open(false).expect("a pseudo-terminal");
    let (mut m, s, port) = (pty.master, pty.slave, pty.name);
    std::thread::spawn(move || {
        let _keep = s;
        let mut d = Decoder::default();
        let mut n = 0;
        let mut buf = [0u8; 1024];
        while let Ok(k) = m.read(&mut buf) {
            if k == 0 {
                break;
            }
            for &b in &buf[..k] {
                if let Some(Decoded::Good(frame)) = d.push(b) {
                    if n == close_at {
                        return;
                    }
                    if let Some(reply) = behave(n, &frame) {
                        let _ = m.write_all(&reply);
                    }
                    n += 1;
                }
            }
        }
    });
    port
}

/// A good INFO answer to `frame` with protocol version `version`.
fn info_reply(frame: &[u8], version: u8) -> Vec<u8> {
    let mut r = vec![frame[0], 0, version, 1, 0, 1, 12, 0];
    for v in [0x2_0000u32, 8192, 4096, 12_000_000, 4] {
        r.extend_from_slice(&v.to_le_bytes());
    }
    encode(&r)
}

fn quick() -> LinkOptions {
    LinkOptions {
        timeout: Duration::from_millis(200),
        tries: 3,
    }
}

fn open_err(port: &str) -> BoardError {
    match Board::open(port, 3_000_000, quick()) {
        Ok(_) => panic!("{port}: opened"),
        Err(e) => e,
    }
}

#[test]
fn no_board() {
    let e = open_err("/dev/rvzk-no-such-port");
    assert!(matches!(e, BoardError::Open { .. }), "{e:?}");
    assert!(e.to_string().contains("no board"), "{e}");
}

#[test]
fn silent_board() {
    let port = fake_board(Box::new(|_, _| None));
    let e = open_err(&port);
    assert!(matches!(e, BoardError::NoReply { tries: 3, .. }), "{e:?}");
    assert!(e.to_string().contains("no answer"), "{e}");
}

#[test]
fn crc_storm() {
    let port = fake_board(Box::new(|_, f| {
        let mut wire = info_reply(f, 1);
        let i = wire.len() - 3;
        wire[i] ^= 0x01; // one bit of the CRC
        Some(wire)
    }));
    let e = open_err(&port);
    assert!(matches!(e, BoardError::CrcStorm { bad: 3, .. }), "{e:?}");
    assert!(e.to_string().contains("CRC storm"), "{e}");
}

#[test]
fn wrong_firmware_version() {
    let port = fake_board(Box::new(|_, f| Some(info_reply(f, 9))));
    let e = open_err(&port);
    assert!(matches!(e, BoardError::Version { found: 9 }), "{e:?}");
    assert!(e.to_string().contains("wrong firmware version"), "{e}");
}

#[test]
fn lost_answer_is_asked_again() {
    let mut seqs = vec![];
    let port = fake_board(Box::new(move |n, f| {
        seqs.push(f[0]);
        // the resend carries the same sequence number
        if n == 1 {
            assert_eq!(seqs[0], seqs[1]);
        }
        (n > 0).then(|| info_reply(f, 1))
    }));
    // A patient client, so that a loaded machine's scheduling delay is not taken for a
    // second lost answer: the one resend counted is the one the lost answer caused.
    let patient = LinkOptions {
        timeout: Duration::from_secs(2),
        tries: 3,
    };
    let board = Board::open(&port, 3_000_000, patient).expect("second try answered");
    assert_eq!(board.stats.retries, 1);
    assert_eq!(board.info.mem_top, 0x2_0000);
}

/// Answers that are not this command's are counted and dropped: a late answer to an earlier
/// frame (another sequence number) and a damaged frame, before the right one.
#[test]
fn stale_and_damaged_answers_are_dropped() {
    let port = fake_board(Box::new(|_, f| {
        let mut stale = f.to_vec();
        stale[0] = stale[0].wrapping_sub(1);
        let mut wire = info_reply(&stale, 1);
        let mut damaged = info_reply(f, 1);
        damaged[5] ^= 0x40;
        wire.extend(damaged);
        wire.extend(info_reply(f, 1));
        Some(wire)
    }));
    let board = Board::open(&port, 3_000_000, quick()).expect("the third frame is good");
    assert_eq!(board.info.mem_top, 0x2_0000);
    assert!(board.stats.stale_answers >= 1, "{:?}", board.stats);
    assert!(board.stats.bad_frames >= 1, "{:?}", board.stats);
    // the damaged frame may make the client ask again at once, if the good answer behind
    // it had not arrived yet; never more than once, and never after a timeout
    assert!(board.stats.retries <= 1, "{:?}", board.stats);
    assert_eq!(board.stats.timeouts, 0, "{:?}", board.stats);
}

/// A board unplugged mid-session: the port fails, and the client says so at once instead
/// of waiting out its retries.
#[test]
fn unplugged_board_is_disconnected() {
    let port = fake_board_until(Box::new(|_, f| Some(info_reply(f, 1))), 1);
    let mut board = Board::open(&port, 3_000_000, quick()).expect("INFO answered");
    let t = std::time::Instant::now();
    let e = board.status().expect_err("unplugged");
    assert!(matches!(e, BoardError::Disconnected { .. }), "{e:?}");
    assert!(e.to_string().contains("board disconnected"), "{e}");
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
}

/// A board that answered INFO and then falls silent: the error says it stopped answering,
/// not that no board is there.
#[test]
fn board_that_stops_answering() {
    let port = fake_board(Box::new(|n, f| (n == 0).then(|| info_reply(f, 1))));
    let mut board = Board::open(&port, 3_000_000, quick()).expect("INFO answered");
    let e = board.status().expect_err("silent");
    assert!(
        matches!(
            e,
            BoardError::NoReply {
                answered_before: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("stopped answering"), "{e}");
}

/// `rvzk board proxy PORT`: a new port that forwards to the board, faults at the given
/// rates (here every frame duplicated), and the counts printed when it is stopped.
#[test]
fn cli_proxy_forwards_and_counts() {
    use std::io::BufRead;
    let board_port = fake_board(Box::new(|_, f| Some(info_reply(f, 1))));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rvzk"))
        .args([
            "board",
            "proxy",
            &board_port,
            "--duplicate-rate",
            "1",
            "--seed",
            "5",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut port = String::new();
    out.read_line(&mut port).unwrap();
    let port = port.trim().to_string();
    assert!(port.starts_with("/dev/"), "{port:?}");
    let board = Board::open(&port, 3_000_000, quick()).expect("INFO through the proxy");
    assert_eq!(board.info.mem_top, 0x2_0000);
    drop(board);
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status:?}: {rest}");
    // INFO went once and came back (as two answers) twice; the duplicate answer is stale
    assert!(
        rest.contains("to board   ")
            && rest.contains("1 frames: 0 bit flips")
            && rest.contains("1 duplicated"),
        "{rest}"
    );
}

/// Bad rates are refused with the option's name.
#[test]
fn cli_proxy_refuses_bad_rates() {
    let out = Command::new(env!("CARGO_BIN_EXE_rvzk"))
        .args(["board", "proxy", "/dev/null", "--byte-error-rate", "2"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("byte error rate must be between 0 and 1"),
        "{err}"
    );
}

#[test]
fn cli_reports_no_board() {
    let dir = std::env::temp_dir().join(format!("rvzk-board-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let elf = dir.join("halt.elf");
    let code = [
        rvzk_zkvm::rv32im::ins(rvzk_zkvm::rv32im::Op::Addi, 5, 0, 0, 0),
        rvzk_zkvm::rv32im::ins(rvzk_zkvm::rv32im::Op::Ecall, 0, 0, 0, 0),
    ];
    let program = rvzk_zkvm::elf::Program::from_words(0x1000, &code, vec![]);
    std::fs::write(&elf, program.to_elf_bytes()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rvzk"))
        .args(["run", "--board", "/dev/rvzk-no-such-port"])
        .arg(&elf)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no board") && !err.contains("panicked"),
        "{err}"
    );
}

/// An NTT engine of 2^8 values (four output pieces) behind a fake board that models the
/// SoC's rules: NTT_RUN is refused (status 4) while a transform is loaded but not read to
/// its end; NTT_READ sends the next piece or the one just sent again, and refuses anything
/// else (5). The answer to piece `lose` is lost the first time, and the board forgets that
/// piece (as after a damaged long frame), so the client's resend is refused.
fn ntt_board(lose: u32) -> String {
    const K: u32 = 8;
    const N: usize = 1 << K;
    let mut input: Vec<u32> = vec![];
    let mut out_read = 0usize; // values handed out so far
    let mut next_piece = 0u32;
    let mut piece_kept = false;
    let mut lost = false;
    fake_board(Box::new(move |_, f| {
        let (seq, command) = (f[0], f[1]);
        let arg = u32::from_le_bytes(f[4..8].try_into().unwrap());
        let status = |code: u8| Some(encode(&[seq, code]));
        let transform = |input: &[u32]| -> Vec<u32> {
            let v: Vec<BabyBear> = input.iter().map(|&x| BabyBear::new(x)).collect();
            Radix2Dft::new()
                .dft(v)
                .iter()
                .map(|x| x.as_canonical())
                .collect()
        };
        match command {
            0x01 => {
                let mut r = vec![seq, 0, 1, 1, 0, 3, 12, K as u8];
                for v in [0x2_0000u32, 8192, 4096, 12_000_000, 4] {
                    r.extend_from_slice(&v.to_le_bytes());
                }
                Some(encode(&r))
            }
            0x11 => {
                if !input.is_empty() && out_read != N {
                    return status(4);
                }
                input.clear();
                out_read = 0;
                next_piece = 0;
                piece_kept = false;
                status(0)
            }
            0x10 => {
                if arg as usize == input.len() {
                    input.extend(
                        f[8..]
                            .chunks_exact(4)
                            .map(|c| u32::from_le_bytes(c.try_into().unwrap())),
                    );
                }
                status(0)
            }
            0x12 => {
                let resend = piece_kept && arg + 1 == next_piece;
                let next = arg == next_piece && input.len() == N && out_read < N;
                if !resend && !next {
                    return status(5);
                }
                if !resend {
                    next_piece += 1;
                    out_read += 64;
                    piece_kept = true;
                }
                let p = arg as usize * 64;
                let mut r = vec![seq, 0, 64, 0];
                for v in &transform(&input)[p..p + 64] {
                    r.extend_from_slice(&v.to_le_bytes());
                }
                if arg == lose && !lost {
                    lost = true;
                    piece_kept = false;
                    return None;
                }
                Some(encode(&r))
            }
            _ => status(1),
        }
    }))
}

/// A lost NTT piece the board has forgotten: the client reads and drops the rest of the
/// abandoned transform (otherwise the engine refuses the new NTT_RUN) and does the job
/// again, with the right result.
#[test]
fn a_forgotten_ntt_piece_is_drained_and_the_job_done_again() {
    let values: Vec<u32> = (0..256u32)
        .map(|i| i.wrapping_mul(2_654_435_761) % 0x7800_0001)
        .collect();
    let want: Vec<u32> = Radix2Dft::new()
        .dft(values.iter().map(|&x| BabyBear::new(x)).collect())
        .iter()
        .map(|x| x.as_canonical())
        .collect();
    for lose in [0, 1, 3] {
        let port = ntt_board(lose);
        let mut board = Board::open(&port, 3_000_000, quick()).unwrap();
        let got = board
            .ntt(&values, false)
            .unwrap_or_else(|e| panic!("lose {lose}: {e:#}"));
        assert_eq!(got, want, "lose {lose}");
        assert_eq!(board.stats.restarts, 1, "lose {lose}");
        assert_eq!(
            board.stats.ntt_pieces_drained,
            3 - u64::from(lose),
            "lose {lose}"
        );
    }
}
