//! Seal size against the free FRI parameters: `seal_params ELF U32_INPUT Q,POW,ARITY,FINAL...`
//! proves the guest once per parameter set (log2 blowup 2, zero-knowledge, seed 1) and
//! prints the seal's bytes by part, the prove time and the conjectured security; then it
//! times proof-of-work grinding at 16 … 24 bits. A measuring aid for choosing
//! `StarkConfig::default_100_bits` (`docs/stark.md`, "Security").

use rvzk_zkvm::circuit::{self, ProveOptions};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::receipt::{self, VerifyOptions};
use rvzk_zkvm::stark::{codec, StarkConfig};
use rvzk_zkvm::transcript::Transcript;

/// Bytes of the seal header before the STARK proof (`docs/circuit.md`, "Seal").
const SEAL_HEADER: usize = 55;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [elf, input, sets @ ..] = &args[..] else {
        return Err("usage: seal_params ELF U32_INPUT Q,POW,LOG_ARITY,LOG_FINAL...".into());
    };
    let program = Program::load(&std::fs::read(elf).map_err(|e| format!("{elf}: {e}"))?)
        .map_err(|e| format!("{elf}: {e}"))?;
    let input: u32 = input.parse().map_err(|e| format!("input: {e}"))?;
    let image_id = circuit::image_id(&program).map_err(|e| e.to_string())?;
    for set in sets {
        let v: Vec<usize> = set
            .split(',')
            .map(|x| x.parse().map_err(|e| format!("{set}: {e}")))
            .collect::<Result<_, _>>()?;
        let [q, pow, arity, fin] = v[..] else {
            return Err(format!("{set}: expected Q,POW,LOG_ARITY,LOG_FINAL"));
        };
        let mut config = StarkConfig::default_100_bits();
        config.fri.num_queries = q;
        config.fri.pow_bits = pow as u32;
        config.fri.max_log_arity = arity;
        config.fri.log_final_poly_len = fin;
        let options = ProveOptions {
            config,
            seed: Some(1),
            ..ProveOptions::default()
        };
        let t = std::time::Instant::now();
        let r =
            receipt::prove(&program, &input.to_le_bytes(), &options).map_err(|e| e.to_string())?;
        let secs = t.elapsed().as_secs_f64();
        let floor = VerifyOptions {
            min_security_bits: 0.0,
            ..VerifyOptions::default()
        };
        r.verify_with(&image_id, &floor)
            .map_err(|e| e.to_string())?;
        let proof = codec::decode(&r.seal[SEAL_HEADER..]).map_err(|e| e.to_string())?;
        let (_, b) = codec::encode_with_breakdown(&proof);
        println!(
            "q {q} pow {pow} arity 2^{arity} final 2^{fin}: {:.1} bits, seal {} B ({b}), \
             {} layers, {secs:.1} s",
            config.fri.conjectured_security_bits(),
            r.seal.len(),
            proof.fri.commits.len(),
        );
    }
    for bits in [16, 18, 20, 22, 24] {
        let mut total = 0.0;
        let runs = 8;
        for k in 0..runs {
            let mut t = Transcript::new(b"seal-params-grind");
            t.absorb_u64(b"run", k);
            let start = std::time::Instant::now();
            t.grind(bits);
            total += start.elapsed().as_secs_f64();
        }
        println!(
            "grind {bits} bits: {:.3} s mean of {runs}",
            total / runs as f64
        );
    }
    Ok(())
}
