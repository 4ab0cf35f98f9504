//! `make bench-prove`: prove the `bench` guest end to end (execute + prove, in process through
//! `rvzk_zkvm::receipt`) at 2^16, 2^18 and 2^20 cycles with the default parameters (100
//! conjectured bits, zero-knowledge), and measure what issue 4 ("Performance") asks for:
//! cycles, end-to-end time and cycles/s, each phase's time and memory, the peak RSS of the
//! proof, the seal size, the verify time (median of several verifications of the decoded
//! receipt) and the security bits. Prints a table and writes `build/bench/prove.json`.
//!
//! Each size runs in a child process of this binary (`--child`), so sizes do not share a peak
//! RSS: the child reports its `VmHWM` (from `/proc/self/status`) after proving, and samples its
//! resident set every 2 ms to attribute memory to phases. Before a size, the parent compares
//! the peak RSS projected linearly from the largest size already measured (a 2^16 probe is run
//! first if none was) with `MemAvailable`, and skips the size with the reason if it would not
//! fit; a child that fails or is killed is reported, never a crash of the whole run.
//!
//! Usage: `prove [--sizes 16,18,20] [--guest ELF] [--out JSON] [--verify-reps N] [--force]`
//! (`--force` runs a size even if its projected RSS exceeds `MemAvailable`);
//! `prove --child LOG_SIZE ITERATIONS ELF VERIFY_REPS` is one measurement.

use rvzk_zkvm::circuit::{self, ProveOptions};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::receipt::{prove_with_report, Receipt};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Cycles of the `bench` guest for `n` iterations.
fn bench_cycles(n: u64) -> u64 {
    101 + 121 * n
}

/// The most iterations whose run fits in 2^log cycles.
fn iterations_for(log: u32) -> u64 {
    ((1u64 << log) - 101) / 121
}

// ---------------------------------------------------------------------------------------------
// /proc readers.

/// A `kB` field of `/proc/self/status` or `/proc/meminfo`, in bytes.
fn kb_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line[key.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// (current RSS, peak RSS) of this process, in bytes.
fn rss_now_and_peak() -> Option<(u64, u64)> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    Some((kb_field(&s, "VmRSS:")?, kb_field(&s, "VmHWM:")?))
}

fn mem_available() -> Option<u64> {
    kb_field(
        &std::fs::read_to_string("/proc/meminfo").ok()?,
        "MemAvailable:",
    )
}

fn mem_total() -> Option<u64> {
    kb_field(&std::fs::read_to_string("/proc/meminfo").ok()?, "MemTotal:")
}

/// CPU time (user + system, all threads) of this process so far, in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s, Linux's `USER_HZ` on x86-64).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The 1-, 5- and 15-minute load averages.
fn loadavg() -> Vec<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The child: one proof, its verification, its memory.

/// Resident-set readings `(time, current, peak)` taken every `period` on a background thread.
struct Sampler {
    stop: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<Vec<(Instant, u64, u64)>>,
}

impl Sampler {
    fn start(period: Duration) -> Sampler {
        let (stop, rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let mut out = Vec::new();
            loop {
                if let Some((now, peak)) = rss_now_and_peak() {
                    out.push((Instant::now(), now, peak));
                }
                if !matches!(rx.recv_timeout(period), Err(RecvTimeoutError::Timeout)) {
                    break;
                }
            }
            out
        });
        Sampler { stop, thread }
    }

    fn finish(self) -> Vec<(Instant, u64, u64)> {
        let _ = self.stop.send(());
        let mut v = self.thread.join().unwrap_or_default();
        if let Some((now, peak)) = rss_now_and_peak() {
            v.push((Instant::now(), now, peak));
        }
        v
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn child(args: &[String]) -> Result<(), String> {
    let [log, n, elf, reps] = args else {
        return Err("usage: prove --child LOG_SIZE ITERATIONS ELF VERIFY_REPS".into());
    };
    let log: u32 = log.parse().map_err(|e| format!("LOG_SIZE: {e}"))?;
    let n: u32 = n.parse().map_err(|e| format!("ITERATIONS: {e}"))?;
    let reps: usize = reps.parse().map_err(|e| format!("VERIFY_REPS: {e}"))?;
    let bytes = std::fs::read(elf).map_err(|e| format!("{elf}: {e}"))?;
    let program = Program::load(&bytes).map_err(|e| format!("{elf}: {e}"))?;
    let image_id = circuit::image_id(&program).map_err(|e| format!("image ID: {e}"))?;
    let options = ProveOptions::default();
    let input = n.to_le_bytes();

    let sampler = Sampler::start(Duration::from_millis(2));
    let mut started: Vec<(String, Instant)> = Vec::new();
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let result = prove_with_report(&program, &input, &options, &mut |phase| {
        started.push((phase.to_string(), Instant::now()));
        eprintln!(
            "  2^{log}: {phase} (at {:.1} s)",
            start.elapsed().as_secs_f64()
        );
    });
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);
    let samples = sampler.finish();
    let peak_prove = rss_now_and_peak().map(|(_, p)| p);
    let (receipt, report) = result.map_err(|e| format!("prove: {e}"))?;
    if receipt.claim.image_id != image_id {
        return Err("the receipt's image ID differs from circuit::image_id".into());
    }
    let encoded = receipt.to_bytes();

    // Each phase's window: a phase the progress callback announced starts when it did; any
    // other starts when the one before it ended.
    let mut cursor = start;
    let mut phases = Vec::new();
    for (name, secs) in &report.phases {
        if let Some((_, at)) = started.iter().find(|(p, _)| p == name) {
            cursor = *at;
        }
        let from = cursor;
        cursor += Duration::from_secs_f64(secs.max(0.0));
        let window: Vec<_> = samples
            .iter()
            .filter(|(t, _, _)| *t >= from && *t <= cursor)
            .collect();
        let after = samples.iter().find(|(t, _, _)| *t >= cursor);
        let rss_max = window.iter().chain(after.iter()).map(|s| s.1).max();
        let peak_at_end = after.or(samples.last()).map(|s| s.2);
        phases.push(json!({
            "phase": name,
            "seconds": secs,
            "rss_max_bytes": rss_max,
            "peak_rss_at_end_bytes": peak_at_end,
        }));
    }
    let phase_sum: f64 = report.phases.iter().map(|(_, s)| s).sum();

    eprintln!("  2^{log}: verify x{reps}");
    let mut verify = Vec::with_capacity(reps);
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let r = Receipt::from_bytes(&encoded).map_err(|e| format!("decode: {e}"))?;
        r.verify(&image_id).map_err(|e| format!("verify: {e}"))?;
        verify.push(t.elapsed().as_secs_f64());
    }

    let c = &receipt.config;
    let out = json!({
        "log_size": log,
        "iterations": n,
        "status": "ok",
        "cycles": report.cycles,
        "seconds": seconds,
        "cycles_per_second": report.cycles as f64 / seconds,
        "cpu_seconds": cpu,
        "cores_used": cpu.map(|c| c / seconds),
        "phases": phases,
        "unattributed_seconds": seconds - phase_sum,
        "tables": report.tables.iter().map(|(t, h)| json!({"table": t, "log_height": h}))
            .collect::<Vec<_>>(),
        "peak_rss_bytes": peak_prove,
        "peak_rss_after_verify_bytes": rss_now_and_peak().map(|(_, p)| p),
        "seal_bytes": receipt.seal.len(),
        "receipt_bytes": encoded.len(),
        "verify_seconds_median": median(&verify),
        "verify_seconds": verify,
        "security_bits": receipt.security_bits(),
        "zk": c.zk,
        "config": {
            "log_blowup": c.fri.log_blowup,
            "max_log_arity": c.fri.max_log_arity,
            "log_final_poly_len": c.fri.log_final_poly_len,
            "num_queries": c.fri.num_queries,
            "pow_bits": c.fri.pow_bits,
            "zk": c.zk,
        },
        "threads": rayon::current_num_threads(),
        "image_id": image_id.to_hex(),
        "exit_code": receipt.claim.exit_code,
        "journal_hex": receipt.claim.journal.iter().map(|b| format!("{b:02x}"))
            .collect::<String>(),
    });
    println!("RESULT {out}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The parent: machine information, memory checks, one child per size, the table.

fn command_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for now.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn machine(root: &Path) -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string());
    let flags = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    let root_s = root.display().to_string();
    let git = |args: &[&str]| {
        let mut a = vec!["-C", root_s.as_str()];
        a.extend_from_slice(args);
        command_line("git", &a)
    };
    // Tracked files that differ from the commit: the binary measures the working tree.
    let modified: Vec<String> = git(&["diff", "--name-only", "HEAD"])
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    json!({
        "cpu_model": model,
        "avx2": has("avx2"),
        "avx512f": has("avx512f"),
        "sha_ni": has("sha_ni"),
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "mem_total_bytes": mem_total(),
        "rustc": command_line("rustc", &["-V"]),
        "date_utc": utc_now(),
        "git_commit": git(&["rev-parse", "HEAD"]),
        "git_modified_tracked_files": modified,
        "loadavg_start": loadavg(),
    })
}

fn gib(b: f64) -> String {
    format!("{:.2} GiB", b / (1u64 << 30) as f64)
}

fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Runs one measurement in a child; the result object, or a failure with the reason.
fn run_child(log: u32, guest: &Path, verify_reps: usize) -> Value {
    let n = iterations_for(log);
    let failed = |reason: String| json!({"log_size": log, "iterations": n, "status": "failed", "reason": reason});
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return failed(format!("current_exe: {e}")),
    };
    let load_before = loadavg();
    let out = Command::new(exe)
        .args([
            "--child".to_string(),
            log.to_string(),
            n.to_string(),
            guest.display().to_string(),
            verify_reps.to_string(),
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return failed(format!("cannot start the child: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|j| serde_json::from_str::<Value>(j).ok());
    match (out.status.success(), result) {
        (true, Some(mut v)) => {
            v["loadavg_before"] = json!(load_before);
            v["loadavg_after"] = json!(loadavg());
            v
        }
        _ => {
            use std::os::unix::process::ExitStatusExt as _;
            let reason = match out.status.signal() {
                Some(9) => "the child was killed by SIGKILL (most likely out of memory)".into(),
                Some(s) => format!("the child died of signal {s}"),
                None => format!("the child failed ({}); see its stderr above", out.status),
            };
            failed(reason)
        }
    }
}

struct Args {
    sizes: Vec<u32>,
    guest: PathBuf,
    out: PathBuf,
    verify_reps: usize,
    force: bool,
}

fn parse_args(root: &Path, args: &[String]) -> Result<Args, String> {
    let guests = std::env::var_os("RVZK_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("build/guests"));
    let mut a = Args {
        sizes: vec![16, 18, 20],
        guest: guests.join("bench.elf"),
        out: root.join("build/bench/prove.json"),
        verify_reps: 9,
        force: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--sizes" => {
                a.sizes = value()?
                    .split(',')
                    .map(|s| {
                        let s = s.trim().trim_start_matches("2^");
                        match s.parse::<u32>() {
                            Ok(l) if (8..=22).contains(&l) => Ok(l),
                            _ => Err(format!("--sizes: {s:?} is not a log2 size in 8..=22")),
                        }
                    })
                    .collect::<Result<_, _>>()?;
                a.sizes.sort_unstable();
                a.sizes.dedup();
            }
            "--guest" => a.guest = PathBuf::from(value()?),
            "--out" | "-o" => a.out = PathBuf::from(value()?),
            "--verify-reps" => {
                a.verify_reps = value()?
                    .parse()
                    .map_err(|e| format!("--verify-reps: {e}"))?
            }
            "--force" => a.force = true,
            "-h" | "--help" => {
                return Err(
                    "usage: prove [--sizes 16,18,20] [--guest ELF] [--out JSON] \
                     [--verify-reps N] [--force]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(a)
}

fn print_table(results: &[Value]) {
    println!();
    println!(
        "{:<6} {:>11} {:>9} {:>9} {:>6} {:>11} {:>10} {:>11} {:>6}",
        "size", "cycles", "e2e (s)", "kHz", "cores", "peak RSS", "seal (KB)", "verify (ms)", "bits"
    );
    for r in results {
        let log = r["log_size"].as_u64().unwrap_or(0);
        if r["status"] != "ok" {
            println!(
                "2^{log:<4} {}: {}",
                r["status"].as_str().unwrap_or("?"),
                r["reason"].as_str().unwrap_or("")
            );
            continue;
        }
        println!(
            "2^{log:<4} {:>11} {:>9.2} {:>9.1} {:>6.2} {:>11} {:>10.1} {:>11.2} {:>6.1}",
            thousands(r["cycles"].as_u64().unwrap_or(0)),
            r["seconds"].as_f64().unwrap_or(f64::NAN),
            r["cycles_per_second"].as_f64().unwrap_or(f64::NAN) / 1e3,
            r["cores_used"].as_f64().unwrap_or(f64::NAN),
            gib(r["peak_rss_bytes"].as_f64().unwrap_or(f64::NAN)),
            r["seal_bytes"].as_f64().unwrap_or(f64::NAN) / 1e3,
            r["verify_seconds_median"].as_f64().unwrap_or(f64::NAN) * 1e3,
            r["security_bits"].as_f64().unwrap_or(f64::NAN),
        );
    }
    for r in results.iter().filter(|r| r["status"] == "ok") {
        let total = r["seconds"].as_f64().unwrap_or(f64::NAN);
        println!();
        println!(
            "2^{} phases        seconds  share   max RSS in phase",
            r["log_size"]
        );
        for p in r["phases"].as_array().into_iter().flatten() {
            let s = p["seconds"].as_f64().unwrap_or(f64::NAN);
            println!(
                "  {:<18} {:>8.3} {:>5.1} %  {:>11}",
                p["phase"].as_str().unwrap_or("?"),
                s,
                100.0 * s / total,
                p["rss_max_bytes"].as_f64().map_or_else(|| "-".into(), gib)
            );
        }
        let other = r["unattributed_seconds"].as_f64().unwrap_or(f64::NAN);
        println!(
            "  {:<18} {:>8.3} {:>5.1} %",
            "(other)",
            other,
            100.0 * other / total
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        if let Err(e) = child(&args[1..]) {
            eprintln!("prove --child: {e}");
            std::process::exit(1);
        }
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    let a = match parse_args(&root, &args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if !a.guest.is_file() {
        eprintln!(
            "{}: no such guest (run `make guests` first)",
            a.guest.display()
        );
        std::process::exit(2);
    }
    let machine = machine(&root);
    let modified = machine["git_modified_tracked_files"]
        .as_array()
        .map_or(0, |v| v.len());
    eprintln!(
        "bench-prove: {} ({} cores), commit {}{}, sizes {:?}",
        machine["cpu_model"].as_str().unwrap_or("?"),
        machine["cores"],
        machine["git_commit"].as_str().unwrap_or("?"),
        if modified > 0 {
            format!(" + {modified} modified tracked files")
        } else {
            String::new()
        },
        a.sizes.iter().map(|l| format!("2^{l}")).collect::<Vec<_>>()
    );

    let mut results: Vec<Value> = Vec::new();
    for &log in &a.sizes {
        let n = iterations_for(log);
        let cycles = bench_cycles(n);
        let avail = mem_available();
        // Linear projection from the largest size measured so far; a 2^16 probe if none.
        let base = |rs: &[Value]| {
            rs.iter()
                .filter(|r| r["status"] == "ok")
                .max_by_key(|r| r["cycles"].as_u64().unwrap_or(0))
                .cloned()
        };
        if log > 16 && base(&results).is_none() {
            eprintln!("bench-prove: 2^16 first, to project the memory of larger sizes");
            let mut probe = run_child(16, &a.guest, a.verify_reps);
            probe["memory_probe"] = json!(true);
            results.push(probe);
        }
        let projected = base(&results).and_then(|b| {
            let rss = b["peak_rss_bytes"].as_f64()?;
            let c = b["cycles"].as_f64()?;
            Some((rss * cycles as f64 / c, b["log_size"].as_u64()?))
        });
        if let (Some((p, from)), Some(avail)) = (projected, avail) {
            if p > avail as f64 {
                let reason = format!(
                    "projected peak RSS {} (linear from 2^{from}) exceeds MemAvailable {}{}",
                    gib(p),
                    gib(avail as f64),
                    if a.force {
                        "; run anyway (--force)"
                    } else {
                        ""
                    }
                );
                eprintln!("bench-prove: 2^{log}: {reason}");
                if !a.force {
                    results.push(json!({
                        "log_size": log, "iterations": n, "cycles": cycles,
                        "status": "skipped", "reason": reason,
                        "projected_peak_rss_bytes": p, "mem_available_bytes": avail,
                    }));
                    continue;
                }
            }
        }
        eprintln!(
            "bench-prove: 2^{log}: {n} iterations ({} cycles), MemAvailable {}",
            thousands(cycles),
            avail.map_or_else(|| "?".into(), |b| gib(b as f64))
        );
        let mut r = run_child(log, &a.guest, a.verify_reps);
        r["projected_peak_rss_bytes"] = json!(projected.map(|p| p.0));
        r["mem_available_bytes"] = json!(avail);
        if r["status"] == "ok" && r["cycles"].as_u64() != Some(cycles) {
            eprintln!(
                "bench-prove: 2^{log}: expected {cycles} cycles, the guest ran {}",
                r["cycles"]
            );
        }
        results.push(r);
    }

    print_table(&results);
    let mut machine = machine;
    machine["loadavg_end"] = json!(loadavg());
    let doc = json!({
        "command": "make bench-prove",
        "guest": a.guest.display().to_string(),
        "machine": machine,
        "results": results,
    });
    if let Some(dir) = a.out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::write(
        &a.out,
        serde_json::to_string_pretty(&doc).expect("serialise"),
    ) {
        Ok(()) => println!("\nwrote {}", a.out.display()),
        Err(e) => {
            eprintln!("{}: {e}", a.out.display());
            std::process::exit(1);
        }
    }
}
