//! `rvzk run` through the real binary: output, JSON, exit statuses and error messages.

use std::process::{Command, Output};

use rvzk_testkit::guest_path as guest;

fn rvzk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvzk"))
        .args(args)
        .output()
        .expect("rvzk runs")
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

#[test]
fn multiply_prints_the_product() {
    let elf = guest("multiply");
    let o = rvzk(&["run", elf.to_str().unwrap(), "--input-u32", "3,5"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("exit code  0 (success)"), "{out}");
    assert!(out.contains("hex      0f00000000000000"), "{out}");
    assert!(out.contains("u32 LE   [15, 0]"), "{out}");
}

#[test]
fn json_has_the_documented_fields() {
    let elf = guest("multiply");
    let o = rvzk(&[
        "run",
        elf.to_str().unwrap(),
        "--input-u32",
        "0xffffffff,0xfffffffe",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["exit_code"], 0);
    // 0xffffffff * 0xfffffffe = 0xfffffffd00000002
    assert_eq!(v["journal_hex"], "02000000fdffffff");
    assert!(v["cycles"].as_u64().unwrap() > 10);
    assert_eq!(v["status"], "halted");
    assert_eq!(v["input_bytes"], 8);
}

#[test]
fn input_file_and_stdin_and_text_journal() {
    let dir = std::env::temp_dir().join(format!("rvzk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.bin");
    std::fs::write(&input, b"abc").unwrap();
    let elf = guest("sha256");
    let o = rvzk(&[
        "run",
        elf.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        json(&o)["journal_hex"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // `--input -` reads standard input.
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rvzk"))
        .args([
            "run",
            guest("isa/syscalls").to_str().unwrap(),
            "--input",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"rvzk").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("text     \"rvzkok\""), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn guest_failure_has_its_own_status() {
    let o = rvzk(&[
        "run",
        guest("multiply").to_str().unwrap(),
        "--input-u32",
        "1,7",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).contains("exit code  1 (failure)"));
}

#[test]
fn faults_report_pc_and_function() {
    let o = rvzk(&["run", guest("faults/illegal").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("illegal instruction"), "{err}");
    assert!(err.contains("at pc 0x"), "{err}");
    assert!(err.contains("faults/illegal.elf"), "{err}");

    let o = rvzk(&[
        "run",
        guest("faults/infinite_loop").to_str().unwrap(),
        "--max-cycles",
        "5000",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["status"], "fault");
    assert_eq!(v["cycles"], 5000);
    assert!(v["error"].as_str().unwrap().contains("cycle limit of 5000"));
}

#[test]
fn bad_files_are_named() {
    let o = rvzk(&["run", "/nonexistent/guest.elf"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/guest.elf: cannot read"));

    // The rvzk binary itself: a 64-bit x86 ELF.
    let me = env!("CARGO_BIN_EXE_rvzk");
    let o = rvzk(&["run", me]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(me) && err.contains("64-bit"), "{err}");

    let o = rvzk(&[
        "run",
        guest("multiply").to_str().unwrap(),
        "--input-u32",
        "3,x",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("item 2"));
}

#[test]
fn usage_errors_exit_2() {
    let o = rvzk(&["run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = rvzk(&["run", "x.elf", "--input", "a", "--input-u32", "1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn profile_lists_the_hot_functions() {
    let elf = guest("bench");
    let o = rvzk(&[
        "run",
        elf.to_str().unwrap(),
        "--input-u32",
        "200",
        "--profile",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("profile"), "{out}");

    let o = rvzk(&[
        "run",
        elf.to_str().unwrap(),
        "--input-u32",
        "200",
        "--profile",
        "--json",
    ]);
    let v = json(&o);
    let prof = v["profile"].as_array().unwrap();
    let total: u64 = prof.iter().map(|f| f["cycles"].as_u64().unwrap()).sum();
    // Every cycle is attributed to some function, and the list is sorted.
    assert_eq!(total, v["cycles"].as_u64().unwrap());
    let counts: Vec<u64> = prof.iter().map(|f| f["cycles"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    assert!(prof.iter().any(|f| f["function"] == "main"));
}
