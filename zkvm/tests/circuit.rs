//! The RV32IM circuit end to end: every example guest and ISA test program proves and
//! verifies; claims that differ from the execution do not verify.
//!
//! Guests come from `$RVZK_GUESTS` (default `build/guests`; `make guests` builds them).

use rvzk_testkit::load_guest as load;
use rvzk_zkvm::circuit::{self, Claim, ProveOptions};
use rvzk_zkvm::stark::StarkConfig;

fn options() -> ProveOptions {
    ProveOptions {
        config: StarkConfig::zk_for_tests(),
        max_cycles: 1 << 20,
        seed: Some(7),
    }
}

fn prove_verify(name: &str, input: &[u8]) -> circuit::Proof {
    let program = load(name);
    let proof = circuit::prove(&program, input, &options(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(proof.claim.image_id, circuit::image_id(&program).unwrap());
    circuit::verify_seal(&proof.claim, &options().config, &proof.seal)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    proof
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn multiply_proves_and_verifies() {
    let p = prove_verify("multiply", &u32s(&[17, 23]));
    assert_eq!(p.claim.exit_code, 0);
    assert_eq!(p.claim.journal, 391u64.to_le_bytes());
}

#[test]
fn false_claims_do_not_verify() {
    let p = prove_verify("multiply", &u32s(&[17, 23]));
    let cfg = options().config;
    let mut journal = p.claim.clone();
    journal.journal[0] ^= 1;
    assert!(circuit::verify_seal(&journal, &cfg, &p.seal).is_err());
    let mut longer = p.claim.clone();
    longer.journal.push(0);
    assert!(circuit::verify_seal(&longer, &cfg, &p.seal).is_err());
    let mut shorter = p.claim.clone();
    shorter.journal.pop();
    assert!(circuit::verify_seal(&shorter, &cfg, &p.seal).is_err());
    let mut exit = p.claim.clone();
    exit.exit_code = 1;
    assert!(circuit::verify_seal(&exit, &cfg, &p.seal).is_err());
    let other = Claim {
        image_id: circuit::image_id(&load("fibonacci")).unwrap(),
        ..p.claim.clone()
    };
    assert!(matches!(
        circuit::verify_seal(&other, &cfg, &p.seal),
        Err(circuit::CircuitError::WrongImage { .. })
    ));
}

#[test]
fn isa_programs_prove_and_verify() {
    for name in [
        "alu",
        "alu_imm",
        "branch",
        "compare",
        "div",
        "jump",
        "loadstore",
        "lui_auipc",
        "mul",
        "shifts",
    ] {
        let p = prove_verify(&format!("isa/{name}"), &[]);
        assert_eq!(p.claim.exit_code, 0, "{name}");
    }
}

#[test]
fn every_example_proves_and_verifies() {
    let fib = prove_verify("fibonacci", &u32s(&[30]));
    assert_eq!(fib.claim.exit_code, 0);
    assert!(!fib.claim.journal.is_empty());
    // sha256 of a message that spans several blocks and odd buffer alignments.
    let msg: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
    let sha = prove_verify("sha256", &msg);
    assert_eq!(sha.claim.journal.len(), 32);
    let sort = prove_verify("sort", &u32s(&[9, 3, 0xffff_ffff, 0, 7, 3, 0x8000_0000]));
    assert_eq!(
        sort.claim.journal,
        u32s(&[0, 3, 3, 7, 9, 0x8000_0000, 0xffff_ffff])
    );
    let bench = prove_verify("bench", &u32s(&[20]));
    assert_eq!(bench.report.cycles, 101 + 121 * 20);
    // A refused input: the guest halts with exit code 1, which is proven as such.
    let refused = prove_verify("multiply", &u32s(&[1, 391]));
    assert_eq!(refused.claim.exit_code, 1);
    assert!(refused.claim.journal.is_empty());
}

#[test]
fn faulting_programs_have_no_proof() {
    for name in [
        "ebreak",
        "illegal",
        "misaligned_jump",
        "misaligned_load",
        "misaligned_store",
        "null_load",
        "out_of_range_store",
        "store_to_code",
        "unknown_syscall",
    ] {
        let program = load(&format!("faults/{name}"));
        match circuit::prove(&program, &[], &options(), &mut |_| {}) {
            Err(circuit::CircuitError::Execution(e)) => assert_ne!(e.pc, 0, "{name}"),
            other => panic!(
                "{name}: expected an execution error, got {:?}",
                other.map(|p| p.claim)
            ),
        }
    }
    // A guest that never halts: the cycle limit is an error too.
    let program = load("faults/infinite_loop");
    let opts = ProveOptions {
        max_cycles: 10_000,
        ..options()
    };
    assert!(matches!(
        circuit::prove(&program, &[], &opts, &mut |_| {}),
        Err(circuit::CircuitError::Execution(_))
    ));
}

#[test]
fn receipts_are_reproducible_with_a_seed_and_differ_without() {
    let program = load("multiply");
    let input = u32s(&[17, 23]);
    let a = circuit::prove(&program, &input, &options(), &mut |_| {}).unwrap();
    let b = circuit::prove(&program, &input, &options(), &mut |_| {}).unwrap();
    assert_eq!(a.seal, b.seal);
    let fresh = ProveOptions {
        seed: None,
        ..options()
    };
    let c = circuit::prove(&program, &input, &fresh, &mut |_| {}).unwrap();
    assert_ne!(a.seal, c.seal);
    circuit::verify_seal(&c.claim, &fresh.config, &c.seal).unwrap();
}

#[test]
fn image_id_changes_with_any_loaded_byte_and_the_entry() {
    let program = load("multiply");
    let id = circuit::image_id(&program).unwrap();
    assert_eq!(id, circuit::image_id(&program).unwrap());
    let mut entry = program.clone();
    entry.entry += 4;
    assert_ne!(circuit::image_id(&entry).unwrap(), id);
    for (s, seg) in program.segments.iter().enumerate() {
        for at in [0, seg.data.len() / 2, seg.data.len().saturating_sub(1)] {
            if seg.data.is_empty() {
                continue;
            }
            let mut p = program.clone();
            p.segments[s].data[at] ^= 0x40;
            assert_ne!(circuit::image_id(&p).unwrap(), id, "segment {s} byte {at}");
        }
    }
}
