//! Soundness tests that need the circuit's insides: the under-constraint detector (every
//! cell of valid traces changed, one at a time, must break a constraint or a bus) and the
//! lying executor (witnesses with one deliberate error, proven by a cheating prover, must not
//! verify). Guests come from `$RVZK_GUESTS` (default `build/guests`).

use std::path::PathBuf;

use super::cpu::CpuCols;
use super::program::InstCols;
use super::tables::{DynCols, FinalCols, SysCols};
use super::witness::Lie;
use super::*;
use crate::air::RowInteraction;
use crate::field::BabyBearExt4 as E;
use crate::stark::{LookupChallenges, ProverOptions};

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
    Program::load(&bytes).unwrap()
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
    let journal = journal_interactions(&b.outcome.journal);
    let public_sum = contribution(&[journal
        .iter()
        .map(|p| RowInteraction {
            bus: p.bus,
            direction: p.direction,
            values: p.values.clone(),
            multiplicity: p.multiplicity,
        })
        .collect()]);
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
        &mut ProveReport::default(),
        &mut |_| {},
    )
    .unwrap();
    verify_seal(&claim, &config, &seal).unwrap();
    let _ = InstCols::<u8>::WIDTH;
}
