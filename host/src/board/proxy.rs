//! A fault-injecting proxy between the host and a board (`rvzk board proxy`, and tests).
//!
//! The proxy opens a new pseudo-terminal for the host and moves bytes both ways between it
//! and the board's port, damaging them on the way at set rates: bit flips and dropped
//! bytes (per byte), dropped, duplicated, truncated and delayed frames (per frame: the
//! bytes up to and including an END). Decisions come from a seeded generator per
//! direction, so the same seed and the same traffic give the same faults. On command it
//! "unplugs" the host (closes its terminal: the host's port fails as when a USB adapter is
//! pulled), or resets the board (a board the proxy started itself: it is stopped and
//! started again, forgetting everything, while the host's terminal stays open). A
//! [`Trigger`] does either when a given frame from the host arrives, so tests can hit an
//! exact point of a run.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::frame::{Decoded, Decoder, END};
use super::pty::Pty;

/// The fault rates, the same both ways.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability that a byte has one of its bits flipped.
    pub byte_error_rate: f64,
    /// Probability that a byte is dropped.
    pub byte_drop_rate: f64,
    /// Probability that a whole frame is dropped.
    pub frame_drop_rate: f64,
    /// Probability that a frame is sent twice.
    pub duplicate_rate: f64,
    /// Probability that a frame is cut short (its END kept, so the receiver sees a short
    /// frame).
    pub truncate_rate: f64,
    /// Probability that a frame (and everything behind it: the line keeps its order) is
    /// held back by [`Faults::delay`].
    pub delay_rate: f64,
    /// How long a delayed frame is held.
    pub delay: Duration,
}

impl Faults {
    /// Bit flips at `rate` per byte, nothing else.
    pub fn bit_errors(rate: f64) -> Faults {
        Faults {
            byte_error_rate: rate,
            ..Faults::default()
        }
    }

    /// Checks that every rate is a probability.
    pub fn validate(&self) -> Result<(), String> {
        for (name, r) in [
            ("byte error rate", self.byte_error_rate),
            ("byte drop rate", self.byte_drop_rate),
            ("frame drop rate", self.frame_drop_rate),
            ("duplicate rate", self.duplicate_rate),
            ("truncate rate", self.truncate_rate),
            ("delay rate", self.delay_rate),
        ] {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("the {name} must be between 0 and 1, not {r}"));
            }
        }
        Ok(())
    }
}

/// What was done to one direction's traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectionCounts {
    /// Bytes that came in.
    pub bytes: u64,
    /// Frames that came in (not counting bare ENDs).
    pub frames: u64,
    /// Bytes with a bit flipped.
    pub bit_flips: u64,
    /// Bytes dropped one by one.
    pub bytes_dropped: u64,
    /// Whole frames dropped.
    pub frames_dropped: u64,
    /// Frames sent twice.
    pub duplicated: u64,
    /// Frames cut short.
    pub truncated: u64,
    /// Frames held back.
    pub delayed: u64,
}

impl DirectionCounts {
    /// Faults of every kind.
    pub fn faults(&self) -> u64 {
        self.bit_flips
            + self.bytes_dropped
            + self.frames_dropped
            + self.duplicated
            + self.truncated
            + self.delayed
    }
}

impl std::fmt::Display for DirectionCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes in {} frames: {} bit flips, {} bytes dropped, {} frames dropped, {} duplicated, {} truncated, {} delayed",
            self.bytes,
            self.frames,
            self.bit_flips,
            self.bytes_dropped,
            self.frames_dropped,
            self.duplicated,
            self.truncated,
            self.delayed
        )
    }
}

/// Everything the proxy did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyCounts {
    /// Host to board.
    pub to_board: DirectionCounts,
    /// Board to host.
    pub to_host: DirectionCounts,
    /// Board resets.
    pub resets: u64,
    /// Whether the host was unplugged.
    pub unplugged: bool,
}

/// A disruption the proxy can make.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Stop the board and start it again (it forgets everything).
    ResetBoard,
    /// Close the host's terminal.
    Unplug,
    /// Change the fault rates (from a trigger: the frame that fires it already has the new
    /// ones, and is not lost).
    SetFaults(Faults),
}

/// Do `action` when the `nth` (from 1) frame from the host with command `command` (any
/// command: `None`) arrives — and, with `every`, again at every `nth` after it; that frame
/// is lost in a reset or an unplug.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trigger {
    /// The command code to count, or every frame.
    pub command: Option<u8>,
    /// Which one.
    pub nth: u64,
    /// Fire at every `nth` frame, not only the first time.
    pub every: bool,
    /// What to do.
    pub action: Action,
}

/// A function that (re)starts a board and returns its port; it stops the one it started
/// before, if any.
pub type Restart = Box<dyn FnMut() -> Result<String, String> + Send>;

/// Where the board is.
pub enum Upstream {
    /// A serial port (a real board, or a simulated one started elsewhere). It cannot be
    /// reset by the proxy.
    Port {
        /// The port.
        path: String,
        /// Its line rate.
        baud: u32,
    },
    /// A board the proxy starts (and restarts on [`Action::ResetBoard`]) itself.
    Restartable(Restart),
}

enum Control {
    Do(Action, Sender<Result<(), String>>),
    SetFaults(Faults),
    Arm(Trigger),
    Stop,
}

/// A running proxy. Dropping it stops it (and a board it started).
pub struct Proxy {
    port: String,
    control: Sender<Control>,
    counts: Arc<Mutex<ProxyCounts>>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` with `faults`, its generators seeded from `seed`.
    pub fn start(upstream: Upstream, faults: Faults, seed: u64) -> Result<Proxy, String> {
        faults.validate()?;
        let (restart, first) = match upstream {
            Upstream::Port { path, baud } => (None, (path, baud)),
            Upstream::Restartable(mut f) => {
                let p = f()?;
                (Some(f), (p, 3_000_000))
            }
        };
        let board = open_board(&first.0, first.1)?;
        let Pty {
            master,
            slave,
            name: port,
        } = Pty::open(true).map_err(|e| format!("cannot open a pseudo-terminal: {e}"))?;
        let counts = Arc::new(Mutex::new(ProxyCounts::default()));
        let (tx, rx) = mpsc::channel();
        let mut pump = Pump {
            master: Some(master),
            slave: Some(slave),
            board: Some(board),
            board_path: first.0,
            baud: first.1,
            restart,
            to_board: Direction::new(faults, seed ^ 0x746f_2062_6f61_7264),
            to_host: Direction::new(faults, seed ^ 0x746f_2068_6f73_7400),
            triggers: Vec::new(),
            counts: counts.clone(),
            control: rx,
        };
        let thread = std::thread::Builder::new()
            .name("rvzk-proxy".into())
            .spawn(move || pump.run())
            .map_err(|e| format!("starting the proxy: {e}"))?;
        Ok(Proxy {
            port,
            control: tx,
            counts,
            thread: Some(thread),
        })
    }

    /// The pseudo-terminal the host opens.
    pub fn port(&self) -> &str {
        &self.port
    }

    /// What the proxy has done so far.
    pub fn counts(&self) -> ProxyCounts {
        *self.counts.lock().expect("counts")
    }

    /// Changes the fault rates from now on.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        self.send(Control::SetFaults(faults))
    }

    /// Does `action` at once, and returns when it is done.
    pub fn act(&self, action: Action) -> Result<(), String> {
        let (tx, rx) = mpsc::channel();
        self.send(Control::Do(action, tx))?;
        rx.recv().map_err(|_| "the proxy has stopped".to_string())?
    }

    /// Arms `trigger`.
    pub fn arm(&self, trigger: Trigger) -> Result<(), String> {
        self.send(Control::Arm(trigger))
    }

    fn send(&self, c: Control) -> Result<(), String> {
        self.control
            .send(c)
            .map_err(|_| "the proxy has stopped".to_string())
    }

    /// Stops the proxy and returns its counts.
    pub fn stop(mut self) -> ProxyCounts {
        self.halt();
        self.counts()
    }

    fn halt(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.halt();
    }
}

fn open_board(path: &str, baud: u32) -> Result<serialport::TTYPort, String> {
    serialport::new(path, baud)
        .timeout(Duration::from_millis(50))
        .open_native()
        .map_err(|e| format!("cannot open the board's port {path}: {e}"))
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        // 53 random bits as a number in [0, 1)
        p > 0.0 && ((self.next() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    /// Uniform in [0, n) (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One direction: frames cut from the byte stream, damaged, queued with release times.
struct Direction {
    faults: Faults,
    rng: Rng,
    partial: Vec<u8>,
    partial_since: Instant,
    queue: VecDeque<(Instant, Vec<u8>)>,
    last_release: Instant,
    counts: DirectionCounts,
}

impl Direction {
    fn new(faults: Faults, seed: u64) -> Direction {
        Direction {
            faults,
            rng: Rng(seed),
            partial: Vec::new(),
            partial_since: Instant::now(),
            queue: VecDeque::new(),
            last_release: Instant::now(),
            counts: DirectionCounts::default(),
        }
    }

    /// Takes bytes; returns the complete frames among them (each ending in END) for the
    /// caller to look at before [`Direction::pass`].
    fn take(&mut self, bytes: &[u8], now: Instant) -> Vec<Vec<u8>> {
        self.counts.bytes += bytes.len() as u64;
        let mut frames = Vec::new();
        for &b in bytes {
            if self.partial.is_empty() {
                self.partial_since = now;
            }
            self.partial.push(b);
            if b == END {
                frames.push(std::mem::take(&mut self.partial));
            }
        }
        frames
    }

    /// Bytes without an END for a while (noise, or a sender that stopped mid-frame) go on
    /// as they are, byte faults only. Holding a frame until its END costs the receiver
    /// nothing (it needs the END too); the wait is long enough for the longest frame of a
    /// slow simulated board to arrive whole.
    fn stale_partial(&mut self, now: Instant) -> Option<Vec<u8>> {
        (!self.partial.is_empty() && now - self.partial_since > Duration::from_secs(1))
            .then(|| std::mem::take(&mut self.partial))
    }

    /// Damages `frame` (or a piece without END: `whole = false`) and queues it.
    fn pass(&mut self, frame: Vec<u8>, whole: bool, now: Instant) {
        let f = self.faults;
        let mut out = frame;
        let mut extra = Duration::ZERO;
        if whole && out.len() > 1 {
            self.counts.frames += 1;
            if self.rng.chance(f.frame_drop_rate) {
                self.counts.frames_dropped += 1;
                return;
            }
            if self.rng.chance(f.truncate_rate) {
                self.counts.truncated += 1;
                let keep = 1 + self.rng.below(out.len() as u64 - 1) as usize;
                out.truncate(keep);
                if out.last() != Some(&END) {
                    out.push(END);
                }
            }
            if self.rng.chance(f.duplicate_rate) {
                self.counts.duplicated += 1;
                out.extend_from_within(..);
            }
            if self.rng.chance(f.delay_rate) {
                self.counts.delayed += 1;
                extra = f.delay;
            }
        }
        let mut damaged = Vec::with_capacity(out.len());
        for b in out {
            if self.rng.chance(f.byte_drop_rate) {
                self.counts.bytes_dropped += 1;
            } else if self.rng.chance(f.byte_error_rate) {
                self.counts.bit_flips += 1;
                damaged.push(b ^ (1 << self.rng.below(8)));
            } else {
                damaged.push(b);
            }
        }
        // the line keeps its order: nothing overtakes a delayed frame
        let release = (now + extra).max(self.last_release);
        self.last_release = release;
        if !damaged.is_empty() {
            self.queue.push_back((release, damaged));
        }
    }

    /// The bytes due by `now`.
    fn due(&mut self, now: Instant) -> Vec<u8> {
        let mut out = Vec::new();
        while self.queue.front().is_some_and(|(t, _)| *t <= now) {
            out.extend(self.queue.pop_front().expect("front").1);
        }
        out
    }

    fn next_due(&self) -> Option<Instant> {
        self.queue.front().map(|(t, _)| *t)
    }

    /// Forgets everything in flight (the board was reset).
    fn clear(&mut self) {
        self.partial.clear();
        self.queue.clear();
    }
}

struct Pump {
    master: Option<File>,
    slave: Option<File>,
    board: Option<serialport::TTYPort>,
    board_path: String,
    baud: u32,
    restart: Option<Restart>,
    to_board: Direction,
    to_host: Direction,
    triggers: Vec<(Trigger, u64)>,
    counts: Arc<Mutex<ProxyCounts>>,
    control: Receiver<Control>,
}

impl Pump {
    fn run(&mut self) {
        let mut to_host_out: Vec<u8> = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            while let Ok(c) = self.control.try_recv() {
                match c {
                    Control::Stop => {
                        self.publish();
                        return;
                    }
                    Control::SetFaults(f) => self.set_faults(f),
                    Control::Arm(t) => self.triggers.push((t, 0)),
                    Control::Do(a, done) => {
                        let r = self.act(a);
                        if !matches!(a, Action::SetFaults(_)) {
                            to_host_out.clear();
                        }
                        let _ = done.send(r);
                    }
                }
            }
            let now = Instant::now();
            let wait = [self.to_board.next_due(), self.to_host.next_due()]
                .into_iter()
                .flatten()
                .min()
                .map_or(Duration::from_millis(5), |t| {
                    t.saturating_duration_since(now)
                        .min(Duration::from_millis(5))
                });
            let mut fds = Vec::with_capacity(2);
            if let Some(m) = &self.master {
                let mut ev = libc::POLLIN;
                if !to_host_out.is_empty() {
                    ev |= libc::POLLOUT;
                }
                fds.push(libc::pollfd {
                    fd: m.as_raw_fd(),
                    events: ev,
                    revents: 0,
                });
            }
            if let Some(b) = &self.board {
                fds.push(libc::pollfd {
                    fd: b.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
            // SAFETY: `fds` is a valid array of pollfd for its length.
            unsafe {
                libc::poll(
                    fds.as_mut_ptr(),
                    fds.len() as libc::nfds_t,
                    wait.as_millis().max(1) as libc::c_int,
                )
            };
            let now = Instant::now();
            // host -> board
            if let Some(m) = self.master.as_mut() {
                match m.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        let frames = self.to_board.take(&buf[..n], now);
                        for f in frames {
                            if let Some(a) = self.triggered(&f) {
                                let _ = self.act(a);
                                if self.master.is_none() {
                                    break;
                                }
                                if !matches!(a, Action::SetFaults(_)) {
                                    to_host_out.clear();
                                    continue;
                                }
                            }
                            self.to_board.pass(f, true, now);
                        }
                    }
                    _ => {}
                }
            }
            if let Some(p) = self.to_board.stale_partial(now) {
                self.to_board.pass(p, false, now);
            }
            let out = self.to_board.due(now);
            if !out.is_empty() {
                if let Some(b) = self.board.as_mut() {
                    if b.write_all(&out).is_err() {
                        // the board went away: so does the host's port
                        self.board = None;
                        self.unplug();
                    }
                }
            }
            // board -> host
            if let Some(b) = self.board.as_mut() {
                let readable = fds
                    .iter()
                    .any(|p| p.fd == b.as_raw_fd() && p.revents & libc::POLLIN != 0);
                let hung_up = fds.iter().any(|p| {
                    p.fd == b.as_raw_fd() && p.revents & (libc::POLLHUP | libc::POLLERR) != 0
                });
                if readable {
                    match b.read(&mut buf) {
                        Ok(n) if n > 0 => {
                            for f in self.to_host.take(&buf[..n], now) {
                                self.to_host.pass(f, true, now);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        _ => {
                            self.board = None;
                            self.unplug();
                        }
                    }
                } else if hung_up {
                    self.board = None;
                    self.unplug();
                }
            }
            if let Some(p) = self.to_host.stale_partial(now) {
                self.to_host.pass(p, false, now);
            }
            to_host_out.extend(self.to_host.due(now));
            if let Some(m) = self.master.as_mut() {
                if !to_host_out.is_empty() {
                    match m.write(&to_host_out) {
                        Ok(n) => {
                            to_host_out.drain(..n);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(_) => to_host_out.clear(),
                    }
                }
            } else {
                to_host_out.clear();
            }
            self.publish();
        }
    }

    fn publish(&self) {
        let mut c = self.counts.lock().expect("counts");
        c.to_board = self.to_board.counts;
        c.to_host = self.to_host.counts;
    }

    /// Whether `frame` from the host fires an armed trigger (which is then disarmed).
    fn triggered(&mut self, frame: &[u8]) -> Option<Action> {
        if self.triggers.is_empty() {
            return None;
        }
        let mut d = Decoder::default();
        let cmd = frame.iter().find_map(|&b| match d.push(b) {
            Some(Decoded::Good(p)) if p.len() >= 2 => Some(p[1]),
            _ => None,
        })?;
        let mut fired = None;
        self.triggers.retain_mut(|(t, seen)| {
            if fired.is_some() || t.command.is_some_and(|c| c != cmd) {
                return true;
            }
            *seen += 1;
            if *seen == t.nth {
                fired = Some(t.action);
                *seen = 0;
                return t.every;
            }
            true
        });
        fired
    }

    fn set_faults(&mut self, f: Faults) {
        self.to_board.faults = f;
        self.to_host.faults = f;
    }

    fn act(&mut self, a: Action) -> Result<(), String> {
        match a {
            Action::SetFaults(f) => {
                f.validate()?;
                self.set_faults(f);
                Ok(())
            }
            Action::Unplug => {
                self.unplug();
                Ok(())
            }
            Action::ResetBoard => {
                let Some(restart) = self.restart.as_mut() else {
                    return Err(format!(
                        "the proxy cannot reset the board on {}: only a board it started itself (--sim)",
                        self.board_path
                    ));
                };
                self.board = None;
                self.to_board.clear();
                self.to_host.clear();
                let path = restart()?;
                self.board = Some(open_board(&path, self.baud)?);
                self.board_path = path;
                self.counts.lock().expect("counts").resets += 1;
                Ok(())
            }
        }
    }

    /// Closes the host's terminal: its reads and writes fail from now on.
    fn unplug(&mut self) {
        // counted first: the host may notice (and its owner look) before this returns
        self.counts.lock().expect("counts").unplugged = true;
        self.master = None;
        self.slave = None;
        self.to_host.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::frame::encode;

    fn pass_all(d: &mut Direction, frames: &[Vec<u8>]) -> Vec<u8> {
        let now = Instant::now();
        for f in frames {
            for piece in d.take(f, now) {
                d.pass(piece, true, now);
            }
        }
        d.due(now + Duration::from_secs(3600))
    }

    fn frames(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| encode(&[i as u8, 7, 0, 0, 1, 2, 3, 4]))
            .collect()
    }

    #[test]
    fn a_clean_proxy_passes_everything() {
        let mut d = Direction::new(Faults::default(), 1);
        let f = frames(100);
        assert_eq!(pass_all(&mut d, &f), f.concat());
        assert_eq!(d.counts.frames, 100);
        assert_eq!(d.counts.faults(), 0);
    }

    #[test]
    fn faults_follow_their_rates_and_the_seed() {
        let faults = Faults {
            byte_error_rate: 0.01,
            byte_drop_rate: 0.01,
            frame_drop_rate: 0.05,
            duplicate_rate: 0.05,
            truncate_rate: 0.05,
            delay_rate: 0.05,
            delay: Duration::from_millis(10),
        };
        let f = frames(4000);
        let mut a = Direction::new(faults, 42);
        let out_a = pass_all(&mut a, &f);
        let mut b = Direction::new(faults, 42);
        assert_eq!(pass_all(&mut b, &f), out_a, "same seed, same faults");
        let mut c = Direction::new(faults, 43);
        assert_ne!(pass_all(&mut c, &f), out_a, "another seed, other faults");
        let k = a.counts;
        let bytes = k.bytes as f64;
        // counts within a few standard deviations of their expectations
        let near = |got: u64, want: f64| (got as f64 - want).abs() < 5.0 * want.sqrt() + 5.0;
        assert!(near(k.frames_dropped, 4000.0 * 0.05), "{k:?}");
        assert!(near(k.duplicated, 3800.0 * 0.05), "{k:?}");
        assert!(near(k.bytes_dropped, bytes * 0.01), "{k:?}");
        assert!(near(k.bit_flips, bytes * 0.0099), "{k:?}");
        assert!(k.truncated > 100 && k.delayed > 100, "{k:?}");
        // What arrives decodes into the frames that were sent, and damaged ones. CRC-16
        // lets about one damaged frame in 65,536 through (here a frame cut one byte short
        // whose last two bytes happen to be its CRC), which is why the client also checks
        // sequence numbers, lengths and the run as a whole.
        let mut d = Decoder::default();
        let sent: Vec<Vec<u8>> = (0..4000)
            .map(|i| vec![i as u8, 7, 0, 0, 1, 2, 3, 4])
            .collect();
        let (mut good, mut bad, mut forged) = (0, 0, 0);
        for &byte in &out_a {
            match d.push(byte) {
                Some(Decoded::Good(p)) if sent.contains(&p) => good += 1,
                Some(Decoded::Good(_)) => forged += 1,
                Some(Decoded::Bad) => bad += 1,
                None => {}
            }
        }
        assert!(bad > 500 && forged <= 1, "{bad} bad, {forged} forged");
        assert!(good > 3000, "{good} good frames");
    }

    #[test]
    fn delays_keep_the_order() {
        let faults = Faults {
            delay_rate: 0.5,
            delay: Duration::from_millis(50),
            ..Faults::default()
        };
        let mut d = Direction::new(faults, 7);
        let f = frames(50);
        let now = Instant::now();
        for x in &f {
            for piece in d.take(x, now) {
                d.pass(piece, true, now);
            }
        }
        assert!(d.counts.delayed > 10);
        // the first delayed frame holds back all behind it
        let early = d.due(now);
        assert!(early.len() < f.concat().len());
        let mut all = early;
        all.extend(d.due(now + Duration::from_millis(50)));
        assert_eq!(all, f.concat());
    }

    #[test]
    fn bad_rates_are_refused() {
        let e = Faults::bit_errors(1.5).validate().unwrap_err();
        assert!(e.contains("byte error rate"), "{e}");
    }
}
