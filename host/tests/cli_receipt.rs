//! `rvzk image-id`, `rvzk prove` and `rvzk verify` through the real binary: outputs, JSON,
//! exit statuses, and rejection of malformed and tampered receipts.
//!
//! Proofs here use the hidden `--insecure-test-params` (cheap, about 26 bits) so the tests
//! stay fast; `zkvm/tests/receipt.rs` proves once with the default parameters.

use rvzk_zkvm::circuit::{Claim, ImageId, PROTOCOL_VERSION};
use rvzk_zkvm::receipt::{Receipt, JOURNAL_OFFSET};
use rvzk_zkvm::stark::StarkConfig;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Guest `name`'s ELF path, as an argument for the CLI.
fn guest(name: &str) -> String {
    rvzk_testkit::guest_path(name).to_str().unwrap().to_string()
}

fn rvzk_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvzk"));
    c.args(args);
    if let Some(d) = dir {
        c.current_dir(d);
    }
    c.output().expect("rvzk runs")
}

fn rvzk(args: &[&str]) -> Output {
    rvzk_in(None, args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// A fresh directory for one test.
fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rvzk-receipt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A well-formed receipt with a made-up seal: everything `rvzk verify` checks before the seal.
fn fake_receipt(exit_code: u32, config: StarkConfig) -> Receipt {
    Receipt {
        version: PROTOCOL_VERSION,
        config,
        claim: Claim {
            image_id: ImageId([0x11; 32]),
            exit_code,
            journal: vec![1, 2, 3, 4],
        },
        seal: vec![0; 16],
    }
}

fn image_id_of(name: &str) -> String {
    let o = rvzk(&["image-id", &guest(name)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

/// Prove multiply on `a,b` with cheap parameters into `out`.
fn prove_multiply(input: &str, out: &Path, extra: &[&str]) -> Output {
    let elf = guest("multiply");
    let mut args = vec![
        "prove",
        &elf,
        "--input-u32",
        input,
        "-o",
        path(out),
        "--insecure-test-params",
    ];
    args.extend_from_slice(extra);
    rvzk(&args)
}

// ---- command-line and decoding errors (no proof needed) ----

#[test]
fn verify_needs_exactly_one_expected_image() {
    let o = rvzk(&["verify", "x.receipt"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let id = "00".repeat(32);
    let o = rvzk(&["verify", "x.receipt", "--image-id", &id, "--elf", "x.elf"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn verify_rejects_a_malformed_image_id_argument() {
    let o = rvzk(&["verify", "x.receipt", "--image-id", "abc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("64 hex digits"), "{}", stderr(&o));
}

#[test]
fn unreadable_files_are_named() {
    let id = "00".repeat(32);
    let o = rvzk(&["verify", "/nonexistent/x.receipt", "--image-id", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/nonexistent/x.receipt: cannot read"),
        "{}",
        stderr(&o)
    );

    let o = rvzk(&["image-id", "/nonexistent/g.elf"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/g.elf: cannot read"));

    let o = rvzk(&["prove", "/nonexistent/g.elf"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/g.elf: cannot read"));

    // An ELF rvzk does not run (the rvzk binary itself).
    let me = env!("CARGO_BIN_EXE_rvzk");
    let o = rvzk(&["image-id", me]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(me), "{}", stderr(&o));
}

#[test]
fn prove_argument_errors() {
    let elf = guest("multiply");
    let o = rvzk(&["prove", &elf, "--input", "a", "--input-u32", "1"]);
    assert_eq!(o.status.code(), Some(2));
    let o = rvzk(&["prove", &elf, "--seed", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = rvzk(&["prove", &elf, "--input-u32", "3,x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("item 2"), "{}", stderr(&o));
    let o = rvzk(&["prove", &elf, "--input", "/nonexistent/in.bin"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/in.bin"), "{}", stderr(&o));
}

#[test]
fn malformed_receipts_are_rejected_with_field_and_offset() {
    let dir = tempdir("malformed");
    let good = fake_receipt(0, StarkConfig::default_100_bits()).to_bytes();
    let id = "11".repeat(32);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (good[..50].to_vec(), "receipt byte 36: image_id: truncated"),
        (vec![], "receipt byte 0: magic: truncated"),
        (b"not a receipt at all".to_vec(), "receipt byte 0: magic"),
        ([good.clone(), vec![0]].concat(), "end: 1 trailing bytes"),
        (
            {
                let mut b = good.clone();
                b[JOURNAL_OFFSET..JOURNAL_OFFSET + 4].copy_from_slice(&[0xff; 4]);
                b
            },
            "receipt byte 72: journal: length 4294967295",
        ),
    ];
    for (i, (bytes, want)) in cases.iter().enumerate() {
        let f = dir.join(format!("{i}.receipt"));
        std::fs::write(&f, bytes).unwrap();
        let o = rvzk(&["verify", path(&f), "--image-id", &id]);
        assert_eq!(o.status.code(), Some(4), "case {i}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(path(&f)) && err.contains("rejected"), "{err}");
        assert!(err.contains(want), "case {i}: want {want:?} in {err}");
        // JSON says so too, on standard output.
        let o = rvzk(&["verify", path(&f), "--image-id", &id, "--json"]);
        assert_eq!(o.status.code(), Some(4));
        let v = json(&o);
        assert_eq!(v["status"], "rejected");
        assert!(v["error"].as_str().unwrap().contains(want));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn claim_checks_reject_before_the_seal() {
    let dir = tempdir("claim");
    let f = dir.join("r.receipt");
    let id = "11".repeat(32);

    std::fs::write(
        &f,
        fake_receipt(0, StarkConfig::default_100_bits()).to_bytes(),
    )
    .unwrap();
    let other = "22".repeat(32);
    let o = rvzk(&["verify", path(&f), "--image-id", &other]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains(&format!("is for image {id}, not the expected {other}")),
        "{}",
        stderr(&o)
    );

    std::fs::write(
        &f,
        fake_receipt(7, StarkConfig::default_100_bits()).to_bytes(),
    )
    .unwrap();
    let o = rvzk(&["verify", path(&f), "--image-id", &id]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("exit code 7, expected 0"),
        "{}",
        stderr(&o)
    );
    let o = rvzk(&["verify", path(&f), "--image-id", &id, "--exit-code", "3"]);
    assert!(
        stderr(&o).contains("exit code 7, expected 3"),
        "{}",
        stderr(&o)
    );

    std::fs::write(
        &f,
        fake_receipt(0, StarkConfig::insecure_for_tests()).to_bytes(),
    )
    .unwrap();
    let o = rvzk(&["verify", path(&f), "--image-id", &id]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("26.0 bits of conjectured security, fewer than the required 100.0"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- end to end (needs the circuit) ----

#[test]
fn image_id_is_stable_and_names_the_program() {
    let a = image_id_of("multiply");
    assert_eq!(a.len(), 64);
    assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(image_id_of("multiply"), a);
    assert_ne!(image_id_of("fibonacci"), a);
    let o = rvzk(&["image-id", &guest("multiply"), "--json"]);
    let v = json(&o);
    assert_eq!(v["image_id"], a.as_str());
    assert_eq!(v["protocol_version"], PROTOCOL_VERSION);
}

#[test]
fn prove_then_verify_multiply() {
    let dir = tempdir("multiply");
    let r = dir.join("m.receipt");
    let o = prove_multiply("17,23", &r, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("u32 LE   [391, 0]"), "{out}");
    assert!(out.contains("exit code  0 (success)"), "{out}");
    let id = image_id_of("multiply");
    assert!(out.contains(&format!("image ID   {id}")), "{out}");

    // With the image ID, and with the ELF.
    let o = rvzk(&[
        "verify",
        path(&r),
        "--image-id",
        &id,
        "--min-security-bits",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("verified"), "{out}");
    assert!(out.contains("hex      8701000000000000"), "{out}");
    assert!(out.contains("u32 LE   [391, 0]"), "{out}");
    assert!(
        out.contains(&format!("protocol   version {PROTOCOL_VERSION}")),
        "{out}"
    );
    let o = rvzk(&[
        "verify",
        path(&r),
        "--elf",
        &guest("multiply"),
        "--min-security-bits",
        "0",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["status"], "verified");
    assert_eq!(v["image_id"], id.as_str());
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["journal_hex"], "8701000000000000");
    assert_eq!(v["journal_u32"], serde_json::json!([391, 0]));

    // The default floor is 100 bits: the cheap test parameters do not meet it.
    let o = rvzk(&["verify", path(&r), "--image-id", &id]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("bits of conjectured security"));

    // Another program's image ID.
    let o = rvzk(&[
        "verify",
        path(&r),
        "--elf",
        &guest("fibonacci"),
        "--min-security-bits",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("is for image"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tampered_receipt_files_are_rejected() {
    let dir = tempdir("tamper");
    let r = dir.join("m.receipt");
    let o = prove_multiply("17,23", &r, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = image_id_of("multiply");
    let good = std::fs::read(&r).unwrap();
    // The journal's first byte (391 = 0x187, so 0x87), a seal byte in the middle, the last.
    let seal_start = JOURNAL_OFFSET + 4 + 8 + 4;
    for at in [
        JOURNAL_OFFSET + 4,
        seal_start + (good.len() - seal_start) / 2,
        good.len() - 1,
    ] {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        let f = dir.join(format!("t{at}.receipt"));
        std::fs::write(&f, &bad).unwrap();
        let o = rvzk(&[
            "verify",
            path(&f),
            "--image-id",
            &id,
            "--min-security-bits",
            "0",
        ]);
        assert_eq!(o.status.code(), Some(4), "byte {at}: {}", stdout(&o));
        assert!(stderr(&o).contains("rejected"), "{}", stderr(&o));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn prove_json_stats_and_default_output() {
    let dir = tempdir("json");
    let elf = guest("multiply");
    // No -o: `<elf stem>.receipt` in the current directory.
    let o = rvzk_in(
        Some(&dir),
        &[
            "prove",
            &elf,
            "--input-u32",
            "3,5",
            "--insecure-test-params",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let file = dir.join("multiply.receipt");
    let bytes = std::fs::read(&file).expect("default output written");
    assert_eq!(v["receipt"], "multiply.receipt");
    assert_eq!(v["image_id"], image_id_of("multiply").as_str());
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["journal_hex"], "0f00000000000000");
    assert!(v["cycles"].as_u64().unwrap() > 10);
    assert_eq!(v["receipt_bytes"], bytes.len());
    // 80 bytes of header and lengths, the 8-byte journal, the seal (docs/receipt.md).
    assert_eq!(v["seal_bytes"], bytes.len() - 80 - 8);
    assert_eq!(v["security_bits"], 26.0);
    assert_eq!(v["zk"], true);
    assert!(!v["phases"].as_array().unwrap().is_empty());
    assert!(!v["tables"].as_array().unwrap().is_empty());
    assert!(v["peak_rss_bytes"].as_u64().unwrap() > 0);

    let o = prove_multiply("3,5", &dir.join("s.receipt"), &["--stats"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "phases", "tables", "peak RSS", "seal", "cycles/s", "security",
    ] {
        assert!(out.contains(want), "{want} missing: {out}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn seeded_proofs_reproduce() {
    let dir = tempdir("seed");
    let (a, b) = (dir.join("a.receipt"), dir.join("b.receipt"));
    for f in [&a, &b] {
        let o = prove_multiply("17,23", f, &["--seed", "7"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failing_guest_still_gets_a_receipt_for_its_exit_code() {
    let dir = tempdir("exit1");
    let r = dir.join("f.receipt");
    let o = prove_multiply("1,391", &r, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stdout(&o).contains("exit code  1 (failure)"));
    assert!(stderr(&o).contains("--exit-code 1"), "{}", stderr(&o));
    let id = image_id_of("multiply");
    let base = [
        "verify",
        path(&r),
        "--image-id",
        &id,
        "--min-security-bits",
        "0",
    ];
    let o = rvzk(&base);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("exit code 1, expected 0"));
    let o = rvzk(&[&base[..], &["--exit-code", "1"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("exit code  1 (failure)"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_faulting_guest_gets_no_receipt() {
    let dir = tempdir("fault");
    let r = dir.join("x.receipt");
    let o = rvzk(&[
        "prove",
        &guest("faults/illegal"),
        "-o",
        path(&r),
        "--insecure-test-params",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("illegal instruction") && err.contains("pc 0x"),
        "{err}"
    );
    assert!(!r.exists());

    let o = rvzk(&[
        "prove",
        &guest("faults/infinite_loop"),
        "-o",
        path(&r),
        "--max-cycles",
        "5000",
        "--insecure-test-params",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cycle limit of 5000"), "{}", stderr(&o));
    assert!(!r.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A run too big for this machine's memory is refused before proving, with the limit.
#[test]
fn a_run_too_large_for_memory_is_refused_with_the_limit() {
    // 34,000 iterations of bench: 4,114,101 cycles, a 2^22-row CPU table (~12.5 GiB by
    // prover_memory_estimate): refused only where less memory is available.
    let cycles = 101 + 121 * 34_000u64;
    let need = rvzk_zkvm::circuit::prover_memory_estimate(cycles);
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kib| kib * 1024);
    if available.is_none_or(|a| a >= need) {
        eprintln!("skipped: this machine could prove it");
        return;
    }
    let dir = tempdir("too-large");
    let out = dir.join("big.receipt");
    let o = rvzk(&[
        "prove",
        &guest("bench"),
        "--input-u32",
        "34000",
        "-o",
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("4114101 cycles would need about"), "{err}");
    assert!(
        err.contains("the largest run that fits here is 2^"),
        "{err}"
    );
    assert!(!out.exists());
}
