//! Receipts end to end: prove real guests, encode, decode, verify — and reject every tampered
//! receipt (`docs/receipt.md`). Tampering must give a decode error or a verification error:
//! never success, never a panic.
//!
//! Most proofs use `StarkConfig::zk_for_tests` to stay fast; one uses the default
//! parameters. Guests are found in `$RVZK_GUESTS` (default `build/guests`); run
//! `make guests` first.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use rvzk_testkit::{guest_elf as elf, load_guest as load};
use rvzk_zkvm::circuit::{image_id, CircuitError, ImageId, ProveOptions};
use rvzk_zkvm::receipt::{
    prove, prove_elf, Receipt, ReceiptError, VerifyOptions, CONFIG_OFFSET, EXIT_CODE_OFFSET,
    IMAGE_ID_OFFSET, JOURNAL_OFFSET,
};
use rvzk_zkvm::stark::StarkConfig;

fn id(name: &str) -> ImageId {
    image_id(&load(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn words(w: &[u32]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn cheap() -> ProveOptions {
    ProveOptions {
        config: StarkConfig::zk_for_tests(),
        seed: Some(1),
        ..ProveOptions::default()
    }
}

fn test_opts() -> VerifyOptions {
    VerifyOptions::insecure_for_tests()
}

fn prove_cheap(name: &str, input: &[u32]) -> Receipt {
    prove(&load(name), &words(input), &cheap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// multiply on 17 × 23, proven once with the cheap parameters.
fn multiply_391() -> &'static Receipt {
    static R: OnceLock<Receipt> = OnceLock::new();
    R.get_or_init(|| prove_cheap("multiply", &[17, 23]))
}

/// multiply on 3 × 5, proven once with the cheap parameters from the ELF's bytes.
fn multiply_15() -> &'static Receipt {
    static R: OnceLock<Receipt> = OnceLock::new();
    R.get_or_init(|| prove_elf(&elf("multiply"), &words(&[3, 5]), &cheap()).unwrap())
}

/// Decode `bytes` and verify against `id`; the receipt must be rejected, without a panic.
/// Returns the error.
fn must_reject(bytes: &[u8], id: &ImageId, opts: &VerifyOptions, what: &str) -> ReceiptError {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Receipt::from_bytes(bytes).and_then(|r| r.verify_with(id, opts))
    }));
    match outcome {
        Err(_) => panic!("{what}: decoding or verifying panicked"),
        Ok(Ok(())) => panic!("{what}: a tampered receipt verified"),
        Ok(Err(e)) => e,
    }
}

fn is_seal_rejection(e: &ReceiptError) -> bool {
    matches!(e, ReceiptError::Seal(_))
}

#[test]
fn cheap_receipt_round_trips_and_verifies() {
    let r = multiply_391();
    let mid = id("multiply");
    assert_eq!(r.claim.image_id, mid);
    assert_eq!(r.claim.exit_code, 0);
    assert_eq!(r.claim.journal, 391u64.to_le_bytes());
    assert_eq!(r.version, rvzk_zkvm::circuit::PROTOCOL_VERSION);
    assert_eq!(r.config, StarkConfig::zk_for_tests());
    r.verify_with(&mid, &test_opts()).unwrap();

    let bytes = r.to_bytes();
    let back = Receipt::from_bytes(&bytes).unwrap();
    assert_eq!(&back, r);
    back.verify_with(&mid, &test_opts()).unwrap();
    assert_eq!(back.to_bytes(), bytes);

    // The default floor of 100 bits refuses the cheap parameters.
    assert!(matches!(
        r.verify(&mid),
        Err(ReceiptError::Security { min, .. }) if min == 100.0
    ));
}

#[test]
fn default_parameters_prove_and_verify() {
    let program = load("multiply");
    let r = prove(
        &program,
        &words(&[17, 23]),
        &ProveOptions {
            seed: Some(5),
            ..ProveOptions::default()
        },
    )
    .unwrap();
    assert!(r.config.zk);
    assert!(r.security_bits() >= 100.0, "{}", r.security_bits());
    let mid = image_id(&program).unwrap();
    let back = Receipt::from_bytes(&r.to_bytes()).unwrap();
    back.verify(&mid).unwrap();
    // Tampering is caught with these parameters too.
    let mut t = back.clone();
    t.claim.journal[0] ^= 1;
    assert!(is_seal_rejection(&t.verify(&mid).unwrap_err()));
}

#[test]
fn prove_elf_takes_elf_bytes_and_rejects_junk() {
    let r = multiply_15();
    assert_eq!(r.claim.journal, 15u64.to_le_bytes());
    r.verify_with(&id("multiply"), &test_opts()).unwrap();
    assert!(matches!(
        prove_elf(b"\x7fELF junk", &[], &cheap()),
        Err(ReceiptError::Elf(_))
    ));
}

/// Bits flipped in every region of the encoding: header, configuration, image ID, exit code,
/// journal (length and bytes) and seal.
#[test]
fn bit_flips_in_every_region_are_rejected() {
    let r = multiply_391();
    let mid = id("multiply");
    let good = r.to_bytes();
    let j = r.claim.journal.len();
    let seal_len_at = JOURNAL_OFFSET + 4 + j;
    let seal_at = seal_len_at + 4;
    assert_eq!(good.len(), seal_at + r.seal.len());
    let opts = test_opts();

    let flip = |at: usize, bit: u32| {
        let mut b = good.clone();
        b[at] ^= 1 << bit;
        b
    };

    // Header and configuration: every bit.
    for at in 0..IMAGE_ID_OFFSET {
        for bit in 0..8 {
            let e = must_reject(&flip(at, bit), &mid, &opts, &format!("byte {at} bit {bit}"));
            if at < CONFIG_OFFSET {
                assert!(
                    matches!(e, ReceiptError::Malformed { .. }),
                    "byte {at}: {e}"
                );
            }
        }
    }

    // Image ID: the verifier who expects the original refuses the claim; one who expects
    // the edited ID (as if the receipt were for that program) must be refused by the seal.
    for at in IMAGE_ID_OFFSET..EXIT_CODE_OFFSET {
        let bit = (at % 8) as u32;
        let b = flip(at, bit);
        let e = must_reject(&b, &mid, &opts, &format!("image ID byte {at}"));
        assert!(matches!(e, ReceiptError::WrongImage { .. }), "{e}");
        let forged = Receipt::from_bytes(&b).unwrap().claim.image_id;
        let e = must_reject(&b, &forged, &opts, &format!("image ID byte {at}, expected"));
        assert!(is_seal_rejection(&e), "image ID byte {at}: {e}");
    }

    // Exit code: every bit, with the verifier expecting the edited code.
    for at in EXIT_CODE_OFFSET..JOURNAL_OFFSET {
        for bit in 0..8 {
            let b = flip(at, bit);
            let code = Receipt::from_bytes(&b).unwrap().claim.exit_code;
            let e = must_reject(&b, &mid, &opts, "exit code");
            assert!(matches!(e, ReceiptError::ExitCode { .. }), "{e}");
            let e = must_reject(&b, &mid, &opts.clone().with_exit_code(code), "exit code");
            assert!(is_seal_rejection(&e), "exit code byte {at} bit {bit}: {e}");
        }
    }

    // Journal length and bytes: every bit.
    for at in JOURNAL_OFFSET..seal_len_at {
        for bit in 0..8 {
            let e = must_reject(&flip(at, bit), &mid, &opts, &format!("journal byte {at}"));
            if at >= JOURNAL_OFFSET + 4 {
                assert!(is_seal_rejection(&e), "journal byte {at} bit {bit}: {e}");
            }
        }
    }

    // Seal length: every bit; seal bytes: the first and last 64 and 400 spread between.
    for at in seal_len_at..seal_at {
        for bit in 0..8 {
            must_reject(
                &flip(at, bit),
                &mid,
                &opts,
                &format!("seal length byte {at}"),
            );
        }
    }
    let n = r.seal.len();
    let mut positions: Vec<usize> = (0..64.min(n)).chain(n.saturating_sub(64)..n).collect();
    positions.extend((0..400).map(|k| k * n / 400));
    positions.sort_unstable();
    positions.dedup();
    for (k, p) in positions.into_iter().enumerate() {
        let at = seal_at + p;
        let bit = (k % 8) as u32;
        let e = must_reject(&flip(at, bit), &mid, &opts, &format!("seal byte {p}"));
        assert!(is_seal_rejection(&e), "seal byte {p}: {e}");
    }
}

/// Random multi-byte edits, insertions, deletions and truncations (a fixed xorshift
/// sequence, so a failure reproduces): never accepted, never a panic.
#[test]
fn random_corruptions_are_rejected() {
    let r = multiply_391();
    let mid = id("multiply");
    let good = r.to_bytes();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in 0..120 {
        let mut b = good.clone();
        match case % 4 {
            0 => {
                // Several random bytes overwritten.
                for _ in 0..1 + next() % 8 {
                    let at = (next() as usize) % b.len();
                    b[at] = b[at].wrapping_add(1 + (next() % 255) as u8);
                }
            }
            1 => {
                let at = (next() as usize) % b.len();
                b.insert(at, next() as u8);
            }
            2 => {
                let at = (next() as usize) % b.len();
                b.remove(at);
            }
            _ => b.truncate((next() as usize) % b.len()),
        }
        if b == good {
            continue; // two edits that cancel
        }
        must_reject(&b, &mid, &test_opts(), &format!("case {case}"));
    }
}

#[test]
fn edited_journals_are_rejected() {
    let r = multiply_391();
    let mid = id("multiply");
    for journal in [
        390u64.to_le_bytes().to_vec(),
        391u32.to_le_bytes().to_vec(),
        [391u64.to_le_bytes().as_slice(), &[0]].concat(),
        vec![],
        (17u64 * 24).to_le_bytes().to_vec(),
    ] {
        let mut t = r.clone();
        t.claim.journal = journal.clone();
        let e = must_reject(&t.to_bytes(), &mid, &test_opts(), &format!("{journal:?}"));
        assert!(is_seal_rejection(&e), "{journal:?}: {e}");
    }
}

#[test]
fn edited_exit_codes_are_rejected() {
    let r = multiply_391();
    let mid = id("multiply");
    for code in [1, 2, 0x8000_0000, u32::MAX] {
        let mut t = r.clone();
        t.claim.exit_code = code;
        let e = must_reject(
            &t.to_bytes(),
            &mid,
            &test_opts().with_exit_code(code),
            &format!("exit code {code}"),
        );
        assert!(is_seal_rejection(&e), "{code}: {e}");
    }
}

#[test]
fn edited_configurations_are_rejected() {
    let r = multiply_391();
    let mid = id("multiply");
    let c = r.config;
    // Claiming the default parameters (100 bits) for a proof made with 12 queries is the
    // forgery that matters most; the extremes of each accepted range must not panic.
    let mut variants = vec![c.with_zk(false), StarkConfig::default_100_bits()];
    for f in [
        |c: &mut StarkConfig| c.fri.num_queries = 1024,
        |c: &mut StarkConfig| c.fri.num_queries = 1,
        |c: &mut StarkConfig| c.fri.pow_bits = 63,
        |c: &mut StarkConfig| c.fri.log_blowup = 8,
        |c: &mut StarkConfig| c.fri.log_blowup = 1,
        |c: &mut StarkConfig| c.fri.max_log_arity = 8,
        |c: &mut StarkConfig| c.fri.max_log_arity = 1,
        |c: &mut StarkConfig| c.fri.log_final_poly_len = 16,
        |c: &mut StarkConfig| c.fri.log_final_poly_len = 0,
        |c: &mut StarkConfig| c.fri.num_queries += 1,
        |c: &mut StarkConfig| c.fri.num_queries -= 1,
        |c: &mut StarkConfig| c.fri.pow_bits -= 1,
        |c: &mut StarkConfig| c.fri.pow_bits = 0,
        |c: &mut StarkConfig| c.fri.log_blowup += 1,
        |c: &mut StarkConfig| c.fri.max_log_arity += 1,
        |c: &mut StarkConfig| c.fri.log_final_poly_len += 1,
    ] {
        let mut v = c;
        f(&mut v);
        variants.push(v);
    }
    for v in variants {
        let mut t = r.clone();
        t.config = v;
        must_reject(&t.to_bytes(), &mid, &test_opts(), &format!("{v:?}"));
    }
}

#[test]
fn receipts_of_other_programs_and_runs_are_rejected() {
    let mul = multiply_391();
    let mid = id("multiply");
    let fib = prove_cheap("fibonacci", &[10]);
    let fid = id("fibonacci");
    assert_ne!(mid, fid);
    fib.verify_with(&fid, &test_opts()).unwrap();

    // Fibonacci's receipt offered as multiply's.
    assert!(matches!(
        fib.verify_with(&mid, &test_opts()),
        Err(ReceiptError::WrongImage { .. })
    ));
    // ... with its claim rewritten to name multiply (and multiply's journal).
    let mut forged = fib.clone();
    forged.claim.image_id = mid;
    let e = must_reject(
        &forged.to_bytes(),
        &mid,
        &test_opts(),
        "fibonacci as multiply",
    );
    assert!(is_seal_rejection(&e), "{e}");
    forged.claim.journal = mul.claim.journal.clone();
    let e = must_reject(&forged.to_bytes(), &mid, &test_opts(), "fibonacci seal");
    assert!(is_seal_rejection(&e), "{e}");
    // Multiply's seal under fibonacci's claim.
    let mut forged = fib.clone();
    forged.seal = mul.seal.clone();
    let e = must_reject(&forged.to_bytes(), &fid, &test_opts(), "multiply seal");
    assert!(is_seal_rejection(&e), "{e}");

    // The seal of another run of the same program (3 × 5) under the 17 × 23 claim.
    let other = multiply_15();
    other.verify_with(&mid, &test_opts()).unwrap();
    let mut forged = mul.clone();
    forged.seal = other.seal.clone();
    let e = must_reject(&forged.to_bytes(), &mid, &test_opts(), "seal of 3 x 5");
    assert!(is_seal_rejection(&e), "{e}");
    // An empty seal.
    let mut forged = mul.clone();
    forged.seal.clear();
    must_reject(&forged.to_bytes(), &mid, &test_opts(), "empty seal");
}

#[test]
fn a_non_zero_exit_code_is_proven_but_not_success() {
    // multiply refuses a trivial factor with exit code 1.
    let r = prove_cheap("multiply", &[1, 391]);
    let mid = id("multiply");
    assert_eq!(r.claim.exit_code, 1);
    assert!(matches!(
        r.verify_with(&mid, &test_opts()),
        Err(ReceiptError::ExitCode {
            expected: 0,
            found: 1
        })
    ));
    r.verify_with(&mid, &test_opts().with_exit_code(1)).unwrap();
    // ... and it cannot be passed off as a success.
    let mut t = r.clone();
    t.claim.exit_code = 0;
    let e = must_reject(&t.to_bytes(), &mid, &test_opts(), "exit 1 as 0");
    assert!(is_seal_rejection(&e), "{e}");
}

#[test]
fn faulting_guests_get_no_receipt() {
    match prove(&load("faults/illegal"), &[], &cheap()) {
        Err(ReceiptError::Prove(CircuitError::Execution(e))) => {
            assert!(e.to_string().contains("illegal"), "{e}")
        }
        other => panic!("expected an execution error, got {other:?}"),
    }
    let limited = ProveOptions {
        max_cycles: 1000,
        ..cheap()
    };
    assert!(matches!(
        prove(&load("faults/infinite_loop"), &[], &limited),
        Err(ReceiptError::Prove(CircuitError::Execution(_)))
    ));
}
