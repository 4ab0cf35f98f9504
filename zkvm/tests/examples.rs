//! The example guests (firmware/examples) under the executor: their documented input,
//! journal and exit-code formats (docs/guest-runtime.md), cross-checked against Rust.
//!
//! Guests are found in `$RVZK_GUESTS` (default `build/guests`); run `make guests` first. A
//! missing guest fails the test rather than skipping it.

use proptest::prelude::*;
use rvzk_testkit::{guest_path, load_guest as load, pseudo_random_bytes};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::rv32im::{run, run_traced, Outcome, RunOptions};
use sha2::{Digest, Sha256};

/// The 128 KiB board's MEM_TOP: the examples promise to fit in it.
const BOARD_MEM_TOP: u32 = 0x2_0000;

/// The sort guest's documented capacity (`SORT_MAX_WORDS` in firmware/examples/sort.c).
const SORT_MAX_WORDS: usize = 28672;

fn exec(name: &str, program: &Program, input: &[u8]) -> Outcome {
    run(program, input, &RunOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs with and without tracing; both must agree and the trace must have one record per
/// cycle. Only for runs short enough to keep the trace in memory.
fn exec_both(name: &str, program: &Program, input: &[u8]) -> Outcome {
    let fast = exec(name, program, input);
    let (traced, trace) = run_traced(program, input, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{name} (traced): {e}"));
    assert_eq!(fast, traced, "{name}: run and run_traced disagree");
    assert_eq!(
        trace.records.len() as u64,
        fast.cycles,
        "{name}: trace length"
    );
    fast
}

fn words_le(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

// ---- multiply ----------------------------------------------------------------------------

fn multiply(a: u32, b: u32) -> Outcome {
    let input = words_le(&[a, b]);
    exec_both("multiply", &load("multiply"), &input)
}

#[test]
fn multiply_small() {
    let out = multiply(3, 5);
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.journal, 15u64.to_le_bytes());
}

#[test]
fn multiply_big_factors() {
    let out = multiply(0xffff_ffff, 0xffff_fffe);
    assert_eq!(out.exit_code, 0);
    assert_eq!(
        out.journal,
        (0xffff_ffffu64 * 0xffff_fffe).to_le_bytes(),
        "full 64-bit product"
    );
}

#[test]
fn multiply_rejects_trivial_factors() {
    for (a, b) in [(1, 7), (7, 1), (0, 9), (1, 1), (0, 0)] {
        let out = multiply(a, b);
        assert_eq!(out.exit_code, 1, "{a} x {b}");
        assert!(out.journal.is_empty(), "{a} x {b}: nothing committed");
    }
}

#[test]
fn multiply_rejects_short_input() {
    let program = load("multiply");
    for len in 0..8 {
        let out = exec("multiply", &program, &[3u8; 8][..len]);
        assert_eq!(out.exit_code, 1, "{len}-byte input");
        assert!(out.journal.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn multiply_matches_rust(a in 2u32.., b in 2u32..) {
        let out = exec("multiply", &load("multiply"), &words_le(&[a, b]));
        prop_assert_eq!(out.exit_code, 0);
        prop_assert_eq!(out.journal, (u64::from(a) * u64::from(b)).to_le_bytes().to_vec());
    }
}

// ---- fibonacci ---------------------------------------------------------------------------

fn fib_mod_2_32(n: u32) -> u32 {
    let (mut a, mut b) = (0u32, 1u32);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

#[test]
fn fibonacci_known_values() {
    // fib(47) = 2971215073 is the last one below 2^32; fib(100) mod 2^32 = 3314859971.
    assert_eq!(fib_mod_2_32(47), 2_971_215_073);
    assert_eq!(fib_mod_2_32(100), 3_314_859_971);
    let program = load("fibonacci");
    for (n, expected) in [
        (0u32, 0u32),
        (1, 1),
        (2, 1),
        (10, 55),
        (47, 2_971_215_073),
        (100, 3_314_859_971),
    ] {
        let out = exec_both("fibonacci", &program, &n.to_le_bytes());
        assert_eq!(out.exit_code, 0, "n = {n}");
        assert_eq!(out.journal, words_le(&[n, expected]), "n = {n}");
    }
}

#[test]
fn fibonacci_cycles_grow_linearly() {
    let program = load("fibonacci");
    let cycles = |n: u32| exec("fibonacci", &program, &n.to_le_bytes()).cycles;
    let (c1, c2, c3) = (cycles(1000), cycles(2000), cycles(3000));
    assert_eq!(c2 - c1, c3 - c2);
    let out = exec("fibonacci", &program, &100_000u32.to_le_bytes());
    assert_eq!(out.journal, words_le(&[100_000, fib_mod_2_32(100_000)]));
}

#[test]
fn fibonacci_rejects_short_input() {
    let out = exec("fibonacci", &load("fibonacci"), &[1, 2, 3]);
    assert_eq!(out.exit_code, 1);
    assert!(out.journal.is_empty());
}

// ---- sha256 ------------------------------------------------------------------------------

fn check_sha256(program: &Program, message: &[u8], traced: bool) {
    let out = if traced {
        exec_both("sha256", program, message)
    } else {
        exec("sha256", program, message)
    };
    assert_eq!(out.exit_code, 0, "{}-byte message", message.len());
    assert_eq!(
        out.journal,
        Sha256::digest(message).to_vec(),
        "{}-byte message",
        message.len()
    );
}

#[test]
fn sha256_nist_vectors() {
    let program = load("sha256");
    let out = exec("sha256", &program, b"abc");
    // FIPS 180-4 example, written out so the test does not only trust the sha2 crate.
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let hex: String = out.journal.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, abc);
    check_sha256(&program, b"", true);
    check_sha256(&program, b"abc", true);
    check_sha256(
        &program,
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmjklmnlmnomnopnopq",
        true,
    );
}

#[test]
fn sha256_padding_boundaries() {
    // Lengths around the block size and the 55/56-byte point where padding needs a 2nd block.
    let program = load("sha256");
    let data = pseudo_random_bytes(7, 200);
    for len in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
        check_sha256(&program, &data[..len], false);
    }
}

#[test]
fn sha256_1000_bytes() {
    check_sha256(&load("sha256"), &pseudo_random_bytes(1, 1000), true);
}

#[test]
fn sha256_100_kb() {
    // Longer than any buffer in the guest: the input must be streamed.
    check_sha256(&load("sha256"), &pseudo_random_bytes(2, 100_000), false);
}

// ---- sort --------------------------------------------------------------------------------

fn check_sort(program: &Program, words: &[u32]) {
    let out = exec("sort", program, &words_le(words));
    assert_eq!(out.exit_code, 0, "{} words", words.len());
    let mut sorted = words.to_vec();
    sorted.sort_unstable();
    assert_eq!(out.journal, words_le(&sorted), "{} words", words.len());
}

#[test]
fn sort_fixed_cases() {
    let program = load("sort");
    check_sort(&program, &[]);
    check_sort(&program, &[42]);
    check_sort(&program, &[2, 1]);
    check_sort(
        &program,
        &[u32::MAX, 0, 0x8000_0000, 0x7fff_ffff, 1, u32::MAX, 0],
    );
    check_sort(&program, &(0..500).collect::<Vec<_>>());
    check_sort(&program, &(0..500).rev().collect::<Vec<_>>());
    check_sort(&program, &[7; 100]);
    let out = exec_both("sort", &program, &words_le(&[3, 1, 2]));
    assert_eq!(out.journal, words_le(&[1, 2, 3]));
}

#[test]
fn sort_full_capacity() {
    let program = load("sort");
    let words: Vec<u32> = pseudo_random_bytes(3, 4 * SORT_MAX_WORDS)
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    check_sort(&program, &words);
}

#[test]
fn sort_documented_errors() {
    let program = load("sort");
    let too_many = vec![0u8; 4 * (SORT_MAX_WORDS + 1)];
    let out = exec("sort", &program, &too_many);
    assert_eq!(out.exit_code, 2, "more than SORT_MAX_WORDS words");
    assert!(out.journal.is_empty());
    for len in [1, 2, 3, 5, 4001] {
        let out = exec("sort", &program, &vec![1u8; len]);
        assert_eq!(out.exit_code, 3, "{len}-byte input is not whole words");
        assert!(out.journal.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn sort_matches_rust(words in prop::collection::vec(any::<u32>(), 0..300)) {
        let out = exec("sort", &load("sort"), &words_le(&words));
        let mut sorted = words.clone();
        sorted.sort_unstable();
        prop_assert_eq!(out.exit_code, 0);
        prop_assert_eq!(out.journal, words_le(&sorted));
    }
}

// ---- bench -------------------------------------------------------------------------------

#[test]
fn bench_cycles_are_linear_in_the_count() {
    let program = load("bench");
    let cycles = |n: u32| exec("bench", &program, &n.to_le_bytes()).cycles;
    for n in [1, 10, 100] {
        let (c1, c2, c3) = (cycles(n), cycles(2 * n), cycles(3 * n));
        assert_eq!(c2 - c1, c3 - c2, "count {n}");
        assert_eq!((c2 - c1) % u64::from(n), 0, "count {n}");
    }
    // docs/guest-runtime.md quotes this figure; keep them in step.
    let per_iteration = (cycles(200) - cycles(100)) / 100;
    assert!(
        (100..=150).contains(&per_iteration),
        "bench: {per_iteration} instructions per iteration (documented: about 121)"
    );
}

#[test]
fn bench_run_and_run_traced_agree() {
    let program = load("bench");
    let mut checksums = Vec::new();
    for n in [0u32, 1, 5, 64] {
        let out = exec_both("bench", &program, &n.to_le_bytes());
        assert_eq!(out.exit_code, 0);
        assert_eq!(out.journal.len(), 4, "4-byte checksum");
        checksums.push(out.journal);
    }
    checksums.dedup();
    assert_eq!(checksums.len(), 4, "the checksum depends on the count");
}

#[test]
fn bench_rejects_short_input() {
    let out = exec("bench", &load("bench"), &[1]);
    assert_eq!(out.exit_code, 1);
    assert!(out.journal.is_empty());
}

// ---- all examples --------------------------------------------------------------------------

#[test]
fn examples_fit_a_128_kib_board() {
    let board = RunOptions {
        mem_top: BOARD_MEM_TOP,
        ..RunOptions::default()
    };
    let cases: [(&str, Vec<u8>); 5] = [
        ("multiply", words_le(&[3, 5])),
        ("fibonacci", words_le(&[50])),
        ("sha256", pseudo_random_bytes(4, 3000)),
        ("sort", words_le(&vec![5; SORT_MAX_WORDS])),
        ("bench", words_le(&[50])),
    ];
    for (name, input) in cases {
        let path = guest_path(name);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `make guests`", path.display()));
        let program = Program::load_with_mem_top(&bytes, BOARD_MEM_TOP)
            .unwrap_or_else(|e| panic!("{name} does not fit in 128 KiB: {e}"));
        let on_board = run(&program, &input, &board).unwrap_or_else(|e| panic!("{name}: {e}"));
        let in_software = exec(name, &load(name), &input);
        assert_eq!(
            on_board, in_software,
            "{name}: same outcome at both memory sizes"
        );
        assert_eq!(on_board.exit_code, 0, "{name}");
    }
}
