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
    let board = Board::open(&port, 3_000_000, quick()).expect("second try answered");
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
