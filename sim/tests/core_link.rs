//! The link's byte level (rvzk_link: framer → UART → line → UART → unframer) under
//! Verilator: random frames, dense in the SLIP specials, cross intact with good CRCs, at
//! the UART's full rate. Fails, not skips, when Verilator cannot be had.

use std::io::Write;
use std::process::{Command, Stdio};

use rand::{Rng, SeedableRng};
use rvzk_sim::verilator::{build, HarnessSpec};

#[test]
fn frames_cross_the_generated_link() {
    let exe = build(&HarnessSpec {
        name: "link",
        top: "rvzk_link",
        testbench: "sim/core/link_tb.cpp",
        defines: &[],
    })
    .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let frames: Vec<Vec<u8>> = (0..60)
        .map(|_| {
            let n = rng.gen_range(1..80);
            (0..n)
                .map(|_| match rng.gen_range(0..5) {
                    0 => 0xc0,
                    1 => 0xdb,
                    _ => rng.gen(),
                })
                .collect()
        })
        .collect();
    let mut job = (frames.len() as u32).to_le_bytes().to_vec();
    for f in &frames {
        job.extend_from_slice(&(f.len() as u32).to_le_bytes());
        job.extend_from_slice(f);
    }
    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&job).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "link_tb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = &out.stdout[..];
    let mut take = |n: usize| {
        let (a, b) = r.split_at(n);
        r = b;
        a.to_vec()
    };
    let mut got = vec![];
    loop {
        let len = u32::from_le_bytes(take(4).try_into().unwrap());
        if len == u32::MAX {
            break;
        }
        let bytes = take(len as usize);
        let good = take(1)[0] == 1;
        assert!(good, "frame {} failed its CRC", got.len());
        got.push(bytes);
    }
    let clocks = u64::from_le_bytes(take(8).try_into().unwrap());
    assert_eq!(got, frames);
    // 10 bits of 4 clocks per wire byte; escapes, CRC and END add wire bytes.
    let payload: usize = frames.iter().map(|f| f.len()).sum();
    eprintln!(
        "{} frames, {payload} bytes in {clocks} clocks ({:.1} clocks per payload byte)",
        frames.len(),
        clocks as f64 / payload as f64
    );
}
