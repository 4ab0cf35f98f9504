//! Soundness tests that need the circuit's insides: the under-constraint detector (every
//! cell of valid traces changed, one at a time, must break a constraint or a bus) and the
//! lying executor (witnesses with one deliberate error, proven by a cheating prover, must not
//! verify). Guests come from `$RVZK_GUESTS` (default `build/guests`).

use super::cpu::CpuCols;
use super::program::InstCols;
use super::tables::{DynCols, FinalCols, SysCols};
use super::witness::Lie;
use super::*;
use crate::air::RowInteraction;
use crate::field::BabyBearExt4 as E;
use crate::stark::{LookupChallenges, ProverOptions};

/// Guest `name`, loaded by this crate's own `Program` (the testkit's would be another crate's
/// type inside unit tests).
fn load(name: &str) -> Program {
    Program::load(&rvzk_testkit::guest_elf(name)).unwrap()
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn built(name: &str, input: &[u8], lie: Option<Lie>) -> Built {
    build(
        &load(name),
        input,
        1 << 20,
        lie,
        &mut ProveReport::default(),
        &mut |_| {},
    )
    .unwrap()
}

const CHALLENGES: LookupChallenges = LookupChallenges {
    z: E::new([F::new(12345), F::new(678), F::new(9), F::new(1011)]),
    b: E::new([F::new(31337), F::new(2718), F::new(31), F::new(41)]),
};

fn contribution(rows: &[Vec<RowInteraction>]) -> E {
    let mut acc = E::default();
    for r in rows {
        for i in r {
            let fp = CHALLENGES.fingerprint(i.bus, &i.values);
            let t = E::from(i.multiplicity) * fp.inverse();
            acc += match i.direction {
                Direction::Send => t,
                Direction::Receive => -t,
            };
        }
    }
    acc
}

/// The verifier's journal interactions, counted like a table's.
fn journal_contribution(b: &Built) -> E {
    let rows: Vec<RowInteraction> = journal_interactions(&b.outcome.journal)
        .into_iter()
        .map(|p| RowInteraction {
            bus: p.bus,
            direction: p.direction,
            values: p.values,
            multiplicity: p.multiplicity,
        })
        .collect();
    contribution(&[rows])
}

fn column_names(table: usize) -> Vec<String> {
    match table {
        0 => CpuCols::<u8>::names(),
        1 | 5 | 6 => (0..4).map(|i| format!("multiplicity[{i}]")).collect(),
        2 => FinalCols::<u8>::names(),
        3 => DynCols::<u8>::names(),
        4 => SysCols::<u8>::names(),
        _ => unreachable!(),
    }
}

/// Change every cell of the interesting rows of every table of `b`; return the survivors.
fn survivors(b: &Built) -> Vec<String> {
    let list = b.list();
    let public_sum = journal_contribution(b);
    let sums: Vec<E> = list
        .iter()
        .zip(&b.traces)
        .map(|(t, tr)| contribution(&t.interactions(tr, &b.public)))
        .collect();
    let total: E = sums.iter().copied().sum::<E>() + public_sum;
    assert_eq!(total, E::default(), "the honest witness must balance");
    for (t, tr) in list.iter().zip(&b.traces) {
        t.check(tr, &b.public).unwrap();
    }
    let mut out = Vec::new();
    for (ti, (t, tr)) in list.iter().zip(&b.traces).enumerate() {
        let names: Vec<String> = column_names(ti).into_iter().take(tr.width).collect();
        assert_eq!(names.len(), tr.width);
        let h = tr.height();
        // First, middle and last rows, the last real CPU row and the first padding row.
        let mut rows = vec![0, h / 2, h - 1];
        if ti == 0 {
            let n = b.outcome.cycles as usize;
            rows.extend([n - 1, n.min(h - 1)]);
            // And the first row of every instruction kind that ran.
            for k in 0..super::program::NK {
                if let Some(r) = (0..n).find(|&r| CpuCols::view(tr.row(r)).inst.k[k] == F::ONE) {
                    rows.push(r);
                }
            }
        }
        rows.sort_unstable();
        rows.dedup();
        for &row in &rows {
            // The rows whose constraints or interactions can see this row.
            let near = [(row + h - 1) % h, row];
            let before = contribution(&t.row_interactions(tr, &b.public, &near));
            for (col, name) in names.iter().enumerate() {
                let v = tr.get(row, col);
                let mut survived = false;
                for new in [v + F::ONE, F::ONE - v] {
                    if new == v {
                        continue;
                    }
                    let mut m = tr.clone();
                    m.row_mut(row)[col] = new;
                    if t.check_rows(&m, &b.public, &near).is_err() {
                        continue;
                    }
                    let after = contribution(&t.row_interactions(&m, &b.public, &near));
                    if after != before {
                        continue;
                    }
                    survived = true;
                }
                if survived {
                    out.push(format!("{} row {row} column {name}", t.name()));
                }
            }
        }
    }
    out
}

#[test]
fn every_cell_is_constrained() {
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("multiply".into(), u32s(&[17, 23])),
        ("fibonacci".into(), u32s(&[20])),
        ("sha256".into(), b"abc".to_vec()),
    ];
    for isa in [
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
        cases.push((format!("isa/{isa}"), vec![]));
    }
    let mut all = Vec::new();
    for (name, input) in &cases {
        let b = built(name, input, None);
        all.extend(survivors(&b).into_iter().map(|s| format!("{name}: {s}")));
    }
    assert!(
        all.is_empty(),
        "cells whose change survives:\n{}",
        all.join("\n")
    );
}

fn lie_verifies(name: &str, input: &[u8], lie: Lie) -> bool {
    let config = StarkConfig::zk_for_tests();
    let b = built(name, input, Some(lie));
    let mut report = ProveReport::default();
    let Ok((claim, seal)) = prove_built(
        b,
        &config,
        stark::Seed::from_u64(3),
        &ProverOptions::CHEATING,
        None,
        &mut report,
        &mut |_| {},
    ) else {
        return false;
    };
    verify_seal(&claim, &config, &seal).is_ok()
}

#[test]
fn lying_executors_never_verify() {
    let mul = u32s(&[17, 23]);
    for (name, input, lie) in [
        ("multiply", &mul[..], Lie::AddOffByOne(3)),
        ("isa/alu", &[][..], Lie::AddOffByOne(5)),
        ("isa/loadstore", &[][..], Lie::StaleLoad(0)),
        ("isa/branch", &[][..], Lie::BranchNotTaken(2)),
        ("isa/div", &[][..], Lie::WrongRemainder(1)),
        ("multiply", &mul[..], Lie::JournalByte(0)),
    ] {
        assert!(!lie_verifies(name, input, lie), "{name} {lie:?} verified");
    }
}

#[test]
fn honest_witness_verifies_through_the_test_path() {
    // The lying tests go through `prove_built`; without a lie it must verify, or they prove
    // nothing.
    let config = StarkConfig::zk_for_tests();
    let b = built("multiply", &u32s(&[17, 23]), None);
    let (claim, seal) = prove_built(
        b,
        &config,
        stark::Seed::from_u64(3),
        &ProverOptions::CHEATING,
        None,
        &mut ProveReport::default(),
        &mut |_| {},
    )
    .unwrap();
    verify_seal(&claim, &config, &seal).unwrap();
    let _ = InstCols::<u8>::WIDTH;
}

/// Recount the byte- and mask-table multiplicities of (possibly forged) traces, then check
/// every constraint and the total balance: whether a prover could prove them.
fn accepts(b: &Built, traces: &[RowMajorMatrix<F>]) -> bool {
    let mut traces = traces.to_vec();
    let mut bytes = vec![[0u32; 4]; 1 << tables::BYTE_LOG_HEIGHT];
    let mut masks = vec![0u32; MIN_HEIGHT];
    for (air, t) in [
        (&b.tables.cpu as &dyn LookupSource, 0),
        (&b.tables.dynamic, 3),
        (&b.tables.syscall, 4),
    ] {
        if air
            .count(&traces[t], &b.public, &mut bytes, &mut masks)
            .is_err()
        {
            return false;
        }
    }
    traces[5] = RowMajorMatrix::new(bytes.into_iter().flatten().map(F::new).collect(), 4);
    traces[6] = RowMajorMatrix::new_col(masks.into_iter().map(F::new).collect());
    let list = b.list();
    if list
        .iter()
        .zip(&traces)
        .any(|(t, tr)| t.check(tr, &b.public).is_err())
    {
        return false;
    }
    let mut total = journal_contribution(b);
    for (t, tr) in list.iter().zip(&traces) {
        total += contribution(&t.interactions(tr, &b.public));
    }
    total == E::default()
}

#[test]
fn recounting_accepts_the_honest_witness() {
    let b = built("isa/shifts", &[], None);
    assert!(accepts(&b, &b.traces));
}

/// A shift by a non-zero amount claimed as a shift by 0, its amount hidden in `sh_t` as a
/// fraction (`32·sh_t = b[0]` is a byte): every CPU constraint holds, so only the byte
/// check of `sh_t` itself stops it. (A full forgery would also rewrite the later reads of
/// rd; this test isolates the row: its lookups must not all be in the byte table.)
#[test]
fn a_shift_amount_cannot_hide_in_a_fraction() {
    let b = built("isa/shifts", &[], None);
    let cpu = &b.traces[0];
    let row = (0..b.outcome.cycles as usize)
        .find(|&r| {
            let l = CpuCols::view(cpu.row(r));
            l.inst.k[program::Kind::Sll as usize] == F::ONE
                && l.b[0].as_canonical() & 31 != 0
                && l.a.iter().any(|x| !x.is_zero())
        })
        .expect("an SLL by a non-zero amount");
    let mut traces = b.traces.clone();
    {
        let l = CpuCols::view_mut(traces[0].row_mut(row));
        l.sh_r = [F::ZERO; 3];
        l.sh_q = [F::ONE, F::ZERO, F::ZERO, F::ZERO];
        l.sh_t = l.b[0] * F::new(32).inverse();
        l.p2 = F::ONE;
        l.p2r = F::new(256);
        l.sh_mult = F::ONE;
        l.lo = l.a;
        l.hi = [F::ZERO; 4];
        l.c = l.a;
    }
    let near = [row - 1, row];
    b.tables
        .cpu
        .check_rows(&traces[0], &b.public, &near)
        .expect("the forged row satisfies the CPU constraints");
    let mut bytes = vec![[0u32; 4]; 1 << tables::BYTE_LOG_HEIGHT];
    let mut masks = vec![0u32; MIN_HEIGHT];
    assert!(b
        .tables
        .cpu
        .count(&traces[0], &b.public, &mut bytes, &mut masks)
        .is_err());
    assert!(!accepts(&b, &traces));
}

/// A dynamic-memory row at a register's address (its top byte a fraction that passes the
/// scaled check), initialised and finalised as zero: a second initial value for the
/// register. It must not be accepted.
#[test]
fn dynamic_memory_cannot_reach_the_registers() {
    let b = built("multiply", &u32s(&[17, 23]), None);
    let mut traces = b.traces.clone();
    let dynm = &mut traces[3];
    let last = (0..dynm.height())
        .rev()
        .find(|&r| DynCols::view(dynm.row(r)).valid == F::ONE)
        .expect("a dynamic word");
    assert!(last + 1 < dynm.height(), "room for one more row");
    let target = REG_BASE + 5;
    let prev = {
        let l = DynCols::view(dynm.row(last));
        l.addr
            .iter()
            .enumerate()
            .map(|(i, x)| x.as_canonical() << (8 * i))
            .sum::<u32>()
    };
    let gap = target - prev - 1;
    DynCols::view_mut(dynm.row_mut(last)).gap = gap.to_le_bytes().map(|x| F::new(x as u32));
    assert!(gap >> 24 < 4, "the gap is an honest 26-bit number");
    let row = DynCols::view_mut(dynm.row_mut(last + 1));
    row.valid = F::ONE;
    row.addr = [
        F::new(5),
        F::ZERO,
        F::new(4),
        F::new(255) * F::new(64).inverse(),
    ];
    row.fin = FinalCols::default();
    assert_eq!(
        (0..4).fold(F::ZERO, |acc, i| acc + row.addr[i] * F::new(1 << (8 * i))),
        F::new(target)
    );
    let near = [last, last + 1];
    b.tables
        .dynamic
        .check_rows(&traces[3], &b.public, &near)
        .expect("the forged row satisfies the dynamic-memory constraints");
    assert!(!accepts(&b, &traces));
}

/// The board path's entry: an execution recorded elsewhere proves to the same seal as
/// `prove` (same seed), with or without work sent to a device; a trace that is not an
/// execution of the program is refused.
#[test]
fn executions_from_elsewhere_prove_byte_identically() {
    use crate::offload::{soft::Soft, Offload};
    use std::sync::atomic::Ordering;
    let program = load("multiply");
    let input = u32s(&[17, 23]);
    let options = ProveOptions {
        config: StarkConfig::zk_for_tests(),
        max_cycles: 1 << 20,
        seed: Some(9),
    };
    let reference = prove(&program, &input, &options, &mut |_| {}).unwrap();
    let (outcome, trace) =
        crate::rv32im::run_traced(&program, &input, &Default::default()).unwrap();
    let execution = Execution { outcome, trace };
    let got = prove_execution(&program, execution.clone(), &options, None, &mut |_| {}).unwrap();
    assert_eq!(got.seal, reference.seal);
    assert_eq!(got.claim, reference.claim);

    // Bounded work on a software device with a 2^6 engine (three 2^12 transforms).
    let dev = Arc::new(Soft::new(6, 192, 64));
    let off = Arc::new(Offload::new(dev.clone()));
    let got = prove_execution(
        &program,
        execution.clone(),
        &options,
        Some(&off),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(got.seal, reference.seal);
    assert!(dev.jobs.load(Ordering::Relaxed) > 0);
    assert_eq!(dev.sha_jobs.load(Ordering::Relaxed), 64);
    assert_eq!(off.stats().sha_jobs, 64);

    // A wrong result from the device: no proof.
    let mut bad = Soft::new(6, 192, 0);
    bad.corrupt_ntt_job = Some(7);
    let off = Arc::new(Offload::new(Arc::new(bad)));
    let e = prove_execution(
        &program,
        execution.clone(),
        &options,
        Some(&off),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(e, CircuitError::Offload(_)), "{e}");

    // One value of one record changed: refused by trace generation.
    let mut tampered = execution;
    let r = tampered
        .trace
        .records
        .iter_mut()
        .find(|r| r.rd_addr != 0)
        .unwrap();
    r.rd_wdata ^= 4;
    assert!(prove_execution(&program, tampered, &options, None, &mut |_| {}).is_err());
}
