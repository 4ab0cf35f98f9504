//! The ELF loader: every rejection case gives its own clear error (never a panic), and
//! mutated ELFs — synthetic and real guests — never make the loader or executor panic.

use proptest::prelude::*;
use rvzk_testkit::guest_elf;
use rvzk_zkvm::abi::MEM_TOP;
use rvzk_zkvm::elf::{ElfError, Program, Segment};
use rvzk_zkvm::rv32im::{ins, run, Op, RunOptions};

const PHOFF: usize = 52;
const PHENT: usize = 32;

fn data_segment(vaddr: u32, data: &[u8], memsz: u32) -> Segment {
    Segment {
        index: 0,
        vaddr,
        memsz,
        data: data.to_vec(),
        executable: false,
        writable: true,
    }
}

/// A valid two-segment program that commits 4 bytes of data and halts.
fn valid_program() -> Program {
    let words = [
        ins(Op::Lui, 10, 0, 0, 0x8000), // a0 = 0x8000
        ins(Op::Addi, 11, 0, 0, 4),     // a1 = 4
        ins(Op::Addi, 5, 0, 0, 2),      // t0 = COMMIT
        ins(Op::Ecall, 0, 0, 0, 0),     //
        ins(Op::Addi, 10, 0, 0, 0),     // a0 = 0
        ins(Op::Addi, 5, 0, 0, 0),      // t0 = HALT
        ins(Op::Ecall, 0, 0, 0, 0),     //
    ];
    Program::from_words(0x1000, &words, vec![data_segment(0x8000, b"rvzk", 0x100)])
}

fn valid_elf() -> Vec<u8> {
    valid_program().to_elf_bytes()
}

fn put16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_le_bytes());
}
fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
/// Offset of field `field_off` in program header `i`.
fn ph(i: usize, field_off: usize) -> usize {
    PHOFF + PHENT * i + field_off
}

fn load_err(bytes: &[u8]) -> ElfError {
    Program::load(bytes).expect_err("must be rejected")
}

#[test]
fn valid_elf_round_trips_and_runs() {
    let p = Program::load(&valid_elf()).unwrap();
    assert_eq!(p, valid_program());
    let out = run(&p, &[], &RunOptions::default()).unwrap();
    assert_eq!((out.exit_code, out.journal.as_slice()), (0, &b"rvzk"[..]));
}

#[test]
fn identification_errors() {
    assert!(matches!(load_err(&[]), ElfError::Malformed(m) if m.contains("too short")));
    assert!(
        matches!(load_err(b"#!/bin/sh\necho hi\n"), ElfError::Malformed(m) if m.contains("magic"))
    );

    let mut b = valid_elf();
    b[4] = 2; // ELFCLASS64
    let e = load_err(&b);
    assert!(
        matches!(&e, ElfError::Unsupported { field, found, .. } if field.contains("EI_CLASS") && found == "64-bit"),
        "{e}"
    );

    let mut b = valid_elf();
    b[5] = 2; // big-endian
    let e = load_err(&b);
    assert!(e.to_string().contains("big-endian"), "{e}");
}

#[test]
fn a_real_64_bit_x86_elf_is_rejected() {
    // This test binary itself is a 64-bit x86-64 ELF.
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let e = load_err(&me);
    assert!(e.to_string().contains("64-bit"), "{e}");
}

#[test]
fn header_field_errors() {
    let mut b = valid_elf();
    put16(&mut b, 18, 3); // EM_386
    let e = load_err(&b);
    assert!(
        matches!(
            &e,
            ElfError::Unsupported {
                field: "e_machine",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("RISC-V"), "{e}");

    let mut b = valid_elf();
    put16(&mut b, 16, 3); // ET_DYN
    assert!(matches!(
        load_err(&b),
        ElfError::Unsupported {
            field: "e_type",
            ..
        }
    ));

    for (flags, what) in [(1, "RVC"), (2, "floating-point"), (8, "RV32E")] {
        let mut b = valid_elf();
        put32(&mut b, 36, flags);
        let e = load_err(&b);
        assert!(e.to_string().contains(what), "{flags}: {e}");
    }
}

#[test]
fn truncated_files_are_rejected_at_every_length() {
    let b = valid_elf();
    for len in 0..b.len() {
        let e = Program::load(&b[..len]).expect_err("truncated file must be rejected");
        assert!(!e.to_string().is_empty());
    }
    // Cut inside the last segment's bytes: the error names the segment and the offsets.
    let e = load_err(&b[..b.len() - 1]);
    assert!(
        matches!(e, ElfError::SegmentPastFileEnd { index: 1, .. }),
        "{e}"
    );
}

#[test]
fn segment_errors_name_segment_and_addresses() {
    // filesz > memsz
    let mut b = valid_elf();
    put32(&mut b, ph(1, 16), 0x200);
    let e = load_err(&b);
    assert_eq!(
        e,
        ElfError::FileszAboveMemsz {
            index: 1,
            vaddr: 0x8000,
            filesz: 0x200,
            memsz: 0x100
        }
    );
    assert!(e.to_string().contains("0x00008000"), "{e}");

    // A segment in the null page.
    let mut b = valid_elf();
    put32(&mut b, ph(1, 8), 0x0800);
    let e = load_err(&b);
    assert_eq!(
        e,
        ElfError::SegmentOutsideMemory {
            index: 1,
            start: 0x800,
            end: 0x900,
            mem_top: MEM_TOP
        }
    );
    assert!(e.to_string().contains("segment 1"), "{e}");

    // Ending past the top of memory, and a huge memsz.
    let mut b = valid_elf();
    put32(&mut b, ph(1, 8), MEM_TOP - 0x80);
    assert!(matches!(
        load_err(&b),
        ElfError::SegmentOutsideMemory { index: 1, .. }
    ));
    let mut b = valid_elf();
    put32(&mut b, ph(1, 20), 0xffff_ffff);
    let e = load_err(&b);
    assert!(
        matches!(
            e,
            ElfError::SegmentOutsideMemory {
                index: 1,
                start: 0x8000,
                end: 0x1_0000_7fff,
                ..
            }
        ),
        "{e}"
    );

    // Overlap: the data segment moved into the code segment.
    let mut b = valid_elf();
    put32(&mut b, ph(1, 8), 0x1010);
    let e = load_err(&b);
    assert_eq!(
        e,
        ElfError::SegmentsOverlap {
            first: 0,
            first_start: 0x1000,
            first_end: 0x101c,
            second: 1,
            second_start: 0x1010,
            second_end: 0x1110
        }
    );

    // File bytes past the end of the file.
    let mut b = valid_elf();
    put32(&mut b, ph(1, 4), 0x10_0000);
    assert!(matches!(
        load_err(&b),
        ElfError::SegmentPastFileEnd {
            index: 1,
            offset: 0x10_0000,
            ..
        }
    ));

    // No PT_LOAD at all.
    let mut b = valid_elf();
    put32(&mut b, ph(0, 0), 4);
    put32(&mut b, ph(1, 0), 4);
    assert_eq!(load_err(&b), ElfError::NoSegments);

    // A code segment at an address that is not word aligned.
    let mut b = valid_elf();
    put32(&mut b, ph(0, 8), 0x1002);
    put32(&mut b, 24, 0x1004);
    assert_eq!(
        load_err(&b),
        ElfError::MisalignedCode {
            index: 0,
            vaddr: 0x1002
        }
    );
}

#[test]
fn entry_errors() {
    let mut b = valid_elf();
    put32(&mut b, 24, 0x8000); // in the data segment
    let e = load_err(&b);
    assert!(
        matches!(e, ElfError::BadEntry { entry: 0x8000, why } if why.contains("executable")),
        "{e}"
    );
    let mut b = valid_elf();
    put32(&mut b, 24, 0x0); // unmapped
    assert!(matches!(load_err(&b), ElfError::BadEntry { entry: 0, .. }));
    let mut b = valid_elf();
    put32(&mut b, 24, 0x1002); // misaligned
    let e = load_err(&b);
    assert!(e.to_string().contains("multiple of 4"), "{e}");
}

#[test]
fn board_memory_limit_is_checked_at_load() {
    let b = valid_elf();
    assert!(Program::load_with_mem_top(&b, 0x2_0000).is_ok());
    let e = Program::load_with_mem_top(&b, 0x8080).unwrap_err();
    assert_eq!(
        e,
        ElfError::SegmentOutsideMemory {
            index: 1,
            start: 0x8000,
            end: 0x8100,
            mem_top: 0x8080
        }
    );
}

/// Load, and if that succeeds, run briefly: neither may panic.
fn load_and_run(bytes: &[u8]) {
    if let Ok(p) = Program::load(bytes) {
        let opts = RunOptions {
            max_cycles: 10_000,
            ..RunOptions::default()
        };
        let _ = run(&p, b"some input", &opts);
    }
}

fn mutations() -> impl Strategy<Value = (Vec<(usize, u8)>, Option<usize>)> {
    (
        prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        prop::option::of(any::<usize>()),
    )
}

fn mutate(
    base: &[u8],
    (edits, cut): &(Vec<(usize, u8)>, Option<usize>),
    header_bias: bool,
) -> Vec<u8> {
    let mut b = base.to_vec();
    for &(off, v) in edits {
        // Half the edits land in the headers, where they matter most.
        let span = if header_bias && off % 2 == 0 {
            52 + 32 * 4
        } else {
            b.len()
        };
        let i = off % span.min(b.len());
        b[i] = v;
    }
    if let Some(c) = cut {
        b.truncate(c % (b.len() + 1));
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fuzz_synthetic_elf(m in mutations()) {
        load_and_run(&mutate(&valid_elf(), &m, true));
    }

    #[test]
    fn fuzz_guest_elf(m in mutations()) {
        load_and_run(&mutate(&guest_elf("multiply"), &m, true));
    }
}
