//! The process's peak memory over time: a background thread reads the peak resident set
//! size (`VmHWM` in `/proc/self/status`) every few milliseconds, so phases the prover reports
//! only by duration can still be given the peak memory at their end.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::report::peak_rss_bytes;

/// A running sampler; [`RssSampler::finish`] stops it.
pub struct RssSampler {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<Vec<(Instant, u64)>>,
}

/// Timestamped readings of the peak RSS, in order (the peak never decreases).
#[derive(Clone, Debug, Default)]
pub struct RssSamples(pub Vec<(Instant, u64)>);

impl RssSampler {
    /// Start sampling every `period`; `None` where the peak RSS cannot be read.
    pub fn start(period: Duration) -> Option<RssSampler> {
        let first = peak_rss_bytes()?;
        let (stop, rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            // VmHWM is the larger of the recorded high-water mark and the current RSS, which
            // the kernel counts approximately (per-CPU batches), so a reading can dip below an
            // earlier one: keep the running maximum, which is the peak so far.
            let mut out = vec![(Instant::now(), first)];
            while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(period) {
                if let Some(v) = peak_rss_bytes() {
                    let peak = out.last().map_or(v, |&(_, p)| p.max(v));
                    out.push((Instant::now(), peak));
                }
            }
            out
        });
        Some(RssSampler { stop, thread })
    }

    /// Stop, take a last reading, and return every reading.
    pub fn finish(self) -> RssSamples {
        let _ = self.stop.send(());
        let mut samples = self.thread.join().unwrap_or_default();
        if let Some(v) = peak_rss_bytes() {
            let peak = samples.last().map_or(v, |&(_, p)| p.max(v));
            samples.push((Instant::now(), peak));
        }
        RssSamples(samples)
    }
}

impl RssSamples {
    /// The peak RSS at time `t`: the first reading at or after `t` (so it may include up to
    /// one sampling period of what came next), or the last reading if none is that late.
    pub fn peak_at(&self, t: Instant) -> Option<u64> {
        self.0
            .iter()
            .find(|(at, _)| *at >= t)
            .or(self.0.last())
            .map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_at_takes_the_first_reading_not_before() {
        let t0 = Instant::now();
        let s = RssSamples(vec![
            (t0, 10),
            (t0 + Duration::from_millis(5), 20),
            (t0 + Duration::from_millis(10), 30),
        ]);
        assert_eq!(s.peak_at(t0), Some(10));
        assert_eq!(s.peak_at(t0 + Duration::from_millis(1)), Some(20));
        assert_eq!(s.peak_at(t0 + Duration::from_millis(10)), Some(30));
        assert_eq!(s.peak_at(t0 + Duration::from_secs(1)), Some(30));
        assert_eq!(RssSamples::default().peak_at(t0), None);
    }

    #[test]
    fn sampler_sees_memory_grow() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let sampler = RssSampler::start(Duration::from_millis(2)).expect("VmHWM");
        // Touch 64 MiB so the peak must rise.
        let big: Vec<u8> = vec![1; 64 << 20];
        std::hint::black_box(&big);
        drop(big);
        let s = sampler.finish();
        assert!(s.0.len() >= 2);
        assert!(s.0.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].0 <= w[1].0));
        let (first, last) = (s.0[0].1, s.0.last().unwrap().1);
        assert!(last >= first + (60 << 20), "{first} -> {last}");
    }
}
