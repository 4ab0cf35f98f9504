//! The RV32IM circuit end to end: every example guest and ISA test program proves and
//! verifies; claims that differ from the execution do not verify.
//!
//! Guests come from `$RVZK_GUESTS` (default `build/guests`; `make guests` builds them).

use std::path::PathBuf;

use rvzk_zkvm::circuit::{self, Claim, ProveOptions};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::stark::StarkConfig;

fn guests_dir() -> PathBuf {
    std::env::var_os("RVZK_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../build/guests").into())
}

fn load(name: &str) -> Program {
    let path = guests_dir().join(format!("{name}.elf"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the guests with `make guests` (or set RVZK_GUESTS)",
            path.display()
        )
    });
    Program::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

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
