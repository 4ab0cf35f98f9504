//! Whole programs on the trace-capture core under Verilator, compared record for record with
//! the executor: every example guest, every ISA self-test, every fault program, and a few
//! runs with pseudo-random stalls on the trace, journal and input streams.
//!
//! Guests come from `$RVZK_GUESTS` (default `build/guests`; `make guests`); Verilator is
//! installed through `scripts/tools.sh` if missing. A missing guest or tool fails a test.

use rvzk_sim::core::{check_against_executor, cycles_by_class, CoreOptions, CoreRun, CLASSES};
use rvzk_testkit::{load_guest as load, pseudo_random_bytes};

fn check(rel: &str, input: &[u8], opts: &CoreOptions) -> CoreRun {
    let run = check_against_executor(&load(rel), input, opts)
        .unwrap_or_else(|e| panic!("{rel}: core and executor disagree: {e}"));
    eprintln!(
        "{rel}: {} instructions in {} clocks (CPI {:.3}), {:.2} M clocks/s",
        run.retired,
        run.clocks,
        run.clocks as f64 / run.retired.max(1) as f64,
        run.clocks_per_second() / 1e6
    );
    run
}

#[test]
fn multiply() {
    let input = [123_456_789u32.to_le_bytes(), 987_654_321u32.to_le_bytes()].concat();
    check("multiply", &input, &CoreOptions::default());
    check("multiply", &[1, 2, 3], &CoreOptions::default());
}

#[test]
fn fibonacci() {
    check("fibonacci", &1000u32.to_le_bytes(), &CoreOptions::default());
}

#[test]
fn sha256() {
    check("sha256", b"", &CoreOptions::default());
    check(
        "sha256",
        &pseudo_random_bytes(3, 1500),
        &CoreOptions::default(),
    );
}

#[test]
fn sort() {
    let words = pseudo_random_bytes(9, 4 * 400);
    check("sort", &words, &CoreOptions::default());
    check("sort", &words[..7], &CoreOptions::default());
}

#[test]
fn bench() {
    check("bench", &0u32.to_le_bytes(), &CoreOptions::default());
    check("bench", &20u32.to_le_bytes(), &CoreOptions::default());
}

/// Prints the cycles per instruction class on `bench` (`cargo test -p rvzk-sim --test
/// core_programs bench_cpi -- --nocapture`), the figure docs/benchmarks.md records.
#[test]
fn bench_cpi() {
    let run = check("bench", &300u32.to_le_bytes(), &CoreOptions::default());
    let total: u64 = run.retire_clock.last().copied().unwrap_or(0);
    eprintln!(
        "bench, 300 iterations: CPI {:.3} over the run",
        total as f64 / run.retired as f64
    );
    for (name, (n, c)) in CLASSES.iter().zip(cycles_by_class(&run)) {
        if n > 0 {
            eprintln!(
                "  {name:18} {n:8} instructions  {:.3} cycles each",
                c as f64 / n as f64
            );
        }
    }
    // A regression guard, well above the measured figure.
    assert!(
        (total as f64) < 3.0 * run.retired as f64,
        "bench CPI regressed"
    );
}

macro_rules! isa_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let rel = concat!("isa/", stringify!($name));
                let input: &[u8] = if stringify!($name) == "syscalls" { b"rvzk" } else { b"" };
                let run = check(rel, input, &CoreOptions::default());
                assert_eq!(run.stop, rvzk_sim::core::CoreStop::Halted(0), "{rel}");
            }
        )*
    };
}

mod isa {
    use super::*;
    isa_tests!(
        alu, alu_imm, shifts, compare, branch, jump, lui_auipc, loadstore, mul, div, x0, syscalls
    );
}

macro_rules! fault_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let rel = concat!("faults/", stringify!($name));
                let program = load(rel);
                let opts = CoreOptions { max_cycles: 5000, ..CoreOptions::default() };
                let run = check(rel, b"", &opts);
                let here = program.symbol("fault_here").expect("fault_here symbol");
                match run.stop {
                    rvzk_sim::core::CoreStop::Faulted { pc, .. } => assert_eq!(pc, here, "{rel}"),
                    other => panic!("{rel}: stopped with {other:?}"),
                }
            }
        )*
    };
}

mod faults {
    use super::*;
    fault_tests!(
        illegal,
        ebreak,
        misaligned_load,
        misaligned_store,
        misaligned_jump,
        null_load,
        out_of_range_store,
        unknown_syscall,
        store_to_code,
        infinite_loop,
    );
}

/// The fault checks run in one order on both sides (guest-abi.md, "Faults"): with the
/// cycle limit exactly at a faulting instruction, the limit wins; one more cycle and the
/// instruction's own fault does. `check` requires core and executor to agree on both.
#[test]
fn cycle_limit_takes_precedence_over_the_instructions_fault() {
    use rvzk_rtl::core::FaultCode;
    use rvzk_zkvm::rv32im::{run, Fault, RunOptions};
    for rel in [
        "faults/illegal",
        "faults/ebreak",
        "faults/misaligned_load",
        "faults/out_of_range_store",
        "faults/unknown_syscall",
    ] {
        let program = load(rel);
        let exec = RunOptions {
            max_cycles: 5000,
            mem_top: rvzk_sim::core::CORE_MEM_TOP,
        };
        let at = run(&program, b"", &exec)
            .expect_err("a fault program faults")
            .cycle as u32;
        let limited = CoreOptions {
            max_cycles: at,
            ..CoreOptions::default()
        };
        let core = check(rel, b"", &limited);
        match core.stop {
            rvzk_sim::core::CoreStop::Faulted { code, .. } => {
                assert_eq!(
                    code,
                    FaultCode::CycleLimit,
                    "{rel}: limit {at} must stop with the cycle limit"
                )
            }
            other => panic!("{rel}: stopped with {other:?}"),
        }
        let e = run(
            &program,
            b"",
            &RunOptions {
                max_cycles: at as u64,
                ..exec
            },
        )
        .unwrap_err();
        assert_eq!(e.fault, Fault::CycleLimit { limit: at as u64 }, "{rel}");
        let core = check(
            rel,
            b"",
            &CoreOptions {
                max_cycles: at + 1,
                ..CoreOptions::default()
            },
        );
        assert!(
            matches!(core.stop, rvzk_sim::core::CoreStop::Faulted { code, .. } if code != FaultCode::CycleLimit),
            "{rel}: limit {} must let the instruction's own fault through",
            at + 1
        );
    }
}

/// Back-pressure: every stream stalls at random, which must change nothing but timing.
#[test]
fn stalled_streams() {
    for (seed, rel, input) in [
        (11, "sha256", pseudo_random_bytes(5, 300)),
        (12, "isa/syscalls", b"rvzk".to_vec()),
        (13, "bench", 3u32.to_le_bytes().to_vec()),
        (14, "sort", pseudo_random_bytes(6, 4 * 50)),
    ] {
        let opts = CoreOptions {
            stall_seed: seed,
            ..CoreOptions::default()
        };
        check(rel, &input, &opts);
    }
}
