//! A one-line progress display on standard error: the current phase and how long it (and the
//! whole job) has run, redrawn ten times a second by a background thread. Silent unless
//! standard error is a terminal, so pipes, logs and tests see nothing of it.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Sets the detail of a [`Progress`] display from anywhere (see [`Progress::detail_setter`]).
pub type DetailSetter = Box<dyn Fn(&str) + Send + Sync>;

/// The display; [`Progress::finish`] (or dropping it) erases the line.
pub struct Progress {
    ticker: Option<Ticker>,
}

/// The current phase, when it started, and a detail shown after it (cleared by each phase).
type Shown = (String, Instant, String);

struct Ticker {
    phase: Arc<Mutex<Shown>>,
    stop: mpsc::Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// A display labelled `label`, shown only when standard error is a terminal.
    pub fn on_stderr(label: &str) -> Progress {
        Progress::new(label, std::io::stderr().is_terminal())
    }

    /// A display labelled `label` on standard error; `enabled = false` makes every call a
    /// no-op.
    pub fn new(label: &str, enabled: bool) -> Progress {
        if !enabled {
            return Progress { ticker: None };
        }
        Progress::to_sink(label, Box::new(std::io::stderr()))
    }

    /// A display labelled `label`, drawn on `sink`.
    pub fn to_sink(label: &str, mut sink: Box<dyn Write + Send>) -> Progress {
        let start = Instant::now();
        let phase = Arc::new(Mutex::new(("starting".to_string(), start, String::new())));
        let (stop, rx) = mpsc::channel::<()>();
        let shared = Arc::clone(&phase);
        let label = label.to_string();
        let thread = std::thread::spawn(move || {
            const SPIN: [char; 4] = ['|', '/', '-', '\\'];
            let mut tick = 0usize;
            loop {
                {
                    let (name, since, detail) = &*shared.lock().unwrap_or_else(|p| p.into_inner());
                    let sep = if detail.is_empty() { "" } else { ": " };
                    let _ = write!(
                        sink,
                        "\r\x1b[2K{} {label}: {name}{sep}{detail} {:.1} s (total {:.1} s)",
                        SPIN[tick % SPIN.len()],
                        since.elapsed().as_secs_f64(),
                        start.elapsed().as_secs_f64()
                    );
                    let _ = sink.flush();
                }
                tick += 1;
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
            let _ = write!(sink, "\r\x1b[2K");
            let _ = sink.flush();
        });
        Progress {
            ticker: Some(Ticker {
                phase,
                stop,
                thread: Some(thread),
            }),
        }
    }

    /// A new phase starts.
    pub fn phase(&self, name: &str) {
        if let Some(t) = &self.ticker {
            *t.phase.lock().unwrap_or_else(|p| p.into_inner()) =
                (name.to_string(), Instant::now(), String::new());
        }
    }

    /// A function that sets the detail shown after the current phase's name (how far it
    /// has got), without restarting the phase's clock; it does nothing once the display is
    /// gone, or if it was never shown.
    pub fn detail_setter(&self) -> DetailSetter {
        let shown = self.ticker.as_ref().map(|t| Arc::downgrade(&t.phase));
        Box::new(move |detail: &str| {
            if let Some(shown) = shown.as_ref().and_then(|w| w.upgrade()) {
                shown.lock().unwrap_or_else(|p| p.into_inner()).2 = detail.to_string();
            }
        })
    }

    /// Stop and erase the line.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(t) = &mut self.ticker {
            let _ = t.stop.send(());
            if let Some(thread) = t.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_progress_is_silent_and_cheap() {
        let p = Progress::new("prove", false);
        p.phase("execute");
        assert!(p.ticker.is_none());
        p.finish();
    }

    /// A sink the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn enabled_progress_draws_the_phase_and_erases_the_line() {
        let sink = Shared::default();
        let p = Progress::to_sink("prove", Box::new(sink.clone()));
        p.phase("commit");
        std::thread::sleep(Duration::from_millis(250));
        p.finish(); // joins the thread: a hang here would fail the test by timeout
        let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(out.contains("prove: commit "), "{out:?}");
        assert!(out.ends_with("\r\x1b[2K"), "{out:?}");
    }

    #[test]
    fn a_detail_shows_after_the_phase_until_the_next_phase() {
        let sink = Shared::default();
        let p = Progress::to_sink("run", Box::new(sink.clone()));
        let detail = p.detail_setter();
        p.phase("stream the trace");
        detail("1,200 records");
        std::thread::sleep(Duration::from_millis(250));
        p.phase("compare");
        std::thread::sleep(Duration::from_millis(250));
        p.finish();
        detail("after the end"); // the display is gone: nothing happens
        let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(
            out.contains("run: stream the trace: 1,200 records "),
            "{out:?}"
        );
        assert!(out.contains("run: compare "), "{out:?}");
        assert!(!out.contains("compare: 1,200"), "{out:?}");
        assert!(!out.contains("after the end"), "{out:?}");
    }
}
