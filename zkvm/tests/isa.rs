//! rvzk's own ISA self-tests (firmware/isa/*.S) and fault programs (firmware/faults/*.S)
//! under the executor.
//!
//! Each ISA test halts with exit code 0, or with the number of its first failing case (look
//! it up as `TEST_CASE(n)` in the .S file). Each fault program must stop with its documented
//! error at its `fault_here` symbol.
//!
//! Guests are found in `$RVZK_GUESTS` (default `build/guests`); run `make guests` first. A
//! missing guest fails the test rather than skipping it.

use rvzk_testkit::load_guest as load;
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::rv32im::{run, run_traced, ExecError, Fault, RunOptions};

/// Runs `isa/<name>.elf` with and without tracing; both must halt with exit code 0, commit
/// `journal`, and agree (trace length = cycles).
fn isa_test(name: &str, input: &[u8], journal: &[u8]) {
    let program = load(&format!("isa/{name}"));
    let opts = RunOptions::default();
    let out = run(&program, input, &opts).unwrap_or_else(|e| panic!("isa/{name}: {e}"));
    assert_eq!(
        out.exit_code, 0,
        "isa/{name}: case TEST_CASE({}) failed (see firmware/isa/{name}.S)",
        out.exit_code
    );
    assert_eq!(out.journal, journal, "isa/{name}: journal");
    let (traced, trace) =
        run_traced(&program, input, &opts).unwrap_or_else(|e| panic!("isa/{name} traced: {e}"));
    assert_eq!(traced, out, "isa/{name}: run and run_traced disagree");
    assert_eq!(
        trace.records.len() as u64,
        out.cycles,
        "isa/{name}: trace length"
    );
}

macro_rules! isa_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                isa_test(stringify!($name), b"", b"");
            }
        )*
    };
}

isa_tests!(alu, alu_imm, shifts, compare, branch, jump, lui_auipc, loadstore, mul, div, x0);

#[test]
fn syscalls() {
    // firmware/isa/syscalls.S documents this input and the journal it must produce.
    isa_test("syscalls", b"rvzk", b"rvzkok");
}

/// Runs `faults/<name>.elf`, which must fail, at its `fault_here` symbol.
fn fault(name: &str, opts: &RunOptions) -> (Program, ExecError) {
    let program = load(&format!("faults/{name}"));
    let err = match run(&program, b"", opts) {
        Ok(out) => panic!("faults/{name}: halted ({out:?}) instead of faulting"),
        Err(e) => e,
    };
    let here = program
        .symbol("fault_here")
        .unwrap_or_else(|| panic!("faults/{name}: no fault_here symbol"));
    assert_eq!(err.pc(), Some(here), "faults/{name}: {err}");
    let traced = run_traced(&program, b"", opts).expect_err("traced run must fault too");
    assert_eq!(traced, err, "faults/{name}: run and run_traced disagree");
    (program, err)
}

#[test]
fn fault_illegal() {
    let (_, e) = fault("illegal", &RunOptions::default());
    assert_eq!(e.fault, Fault::IllegalInstruction { insn: 0 }, "{e}");
}

#[test]
fn fault_ebreak() {
    let (_, e) = fault("ebreak", &RunOptions::default());
    assert_eq!(e.fault, Fault::Ebreak, "{e}");
}

#[test]
fn fault_misaligned_load() {
    let (p, e) = fault("misaligned_load", &RunOptions::default());
    let addr = p.symbol("word").expect("word symbol") + 2;
    assert_eq!(e.fault, Fault::MisalignedLoad { addr, width: 4 }, "{e}");
}

#[test]
fn fault_misaligned_store() {
    let (p, e) = fault("misaligned_store", &RunOptions::default());
    let addr = p.symbol("word").expect("word symbol") + 2;
    assert_eq!(e.fault, Fault::MisalignedStore { addr, width: 4 }, "{e}");
}

#[test]
fn fault_misaligned_jump() {
    let (p, e) = fault("misaligned_jump", &RunOptions::default());
    let target = p.symbol("target").expect("target symbol") + 2;
    assert_eq!(e.fault, Fault::MisalignedJump { target }, "{e}");
}

#[test]
fn fault_null_load() {
    let (_, e) = fault("null_load", &RunOptions::default());
    assert_eq!(e.fault, Fault::LoadOutOfRange { addr: 0, width: 4 }, "{e}");
}

#[test]
fn fault_out_of_range_store() {
    let (_, e) = fault("out_of_range_store", &RunOptions::default());
    let fault = Fault::StoreOutOfRange {
        addr: 0x1000_0000,
        width: 4,
    };
    assert_eq!(e.fault, fault, "{e}");
}

#[test]
fn fault_unknown_syscall() {
    let (_, e) = fault("unknown_syscall", &RunOptions::default());
    assert_eq!(e.fault, Fault::UnknownSyscall { number: 99 }, "{e}");
}

#[test]
fn fault_store_to_code() {
    let (p, e) = fault("store_to_code", &RunOptions::default());
    assert_eq!(e.fault, Fault::StoreToCode { addr: p.entry }, "{e}");
}

#[test]
fn fault_infinite_loop_hits_the_cycle_limit() {
    let opts = RunOptions {
        max_cycles: 10_000,
        ..RunOptions::default()
    };
    let (_, e) = fault("infinite_loop", &opts);
    assert_eq!(e.fault, Fault::CycleLimit { limit: 10_000 }, "{e}");
    assert_eq!(e.cycle, 10_000, "{e}");
}
