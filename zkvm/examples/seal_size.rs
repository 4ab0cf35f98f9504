//! Print where the bytes of a receipt's seal go: `seal_size RECEIPT...` decodes each receipt,
//! re-encodes its STARK proof with `codec::encode_with_breakdown` and prints the parts
//! (header and commitments, out-of-domain openings, FRI commit phase, FRI queries, trace
//! queries, salts). A measuring aid for seal-size work (`docs/benchmarks.md`).

use rvzk_zkvm::receipt::Receipt;
use rvzk_zkvm::stark::codec;

/// Bytes of the seal header before the STARK proof (`docs/circuit.md`, "Seal").
const SEAL_HEADER: usize = 55;

fn main() {
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    // `-v`: also each table's out-of-domain widths.
    let verbose = paths.iter().any(|p| p == "-v");
    paths.retain(|p| p != "-v");
    if paths.is_empty() {
        eprintln!("usage: seal_size RECEIPT...");
        std::process::exit(2);
    }
    let mut failed = false;
    for path in &paths {
        let run = || -> Result<(), String> {
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            let receipt = Receipt::from_bytes(&bytes).map_err(|e| e.to_string())?;
            let stark = receipt
                .seal
                .get(SEAL_HEADER..)
                .ok_or("seal shorter than its header")?;
            let proof = codec::decode(stark).map_err(|e| e.to_string())?;
            let (encoded, b) = codec::encode_with_breakdown(&proof);
            println!(
                "{path}: seal {} B = header {SEAL_HEADER} + proof {} B: {b}; \
                 {} FRI layers, {} queries, {} pow bits",
                receipt.seal.len(),
                encoded.len(),
                proof.fri.commits.len(),
                receipt.config.fri.num_queries,
                receipt.config.fri.pow_bits,
            );
            if verbose {
                for (t, o) in proof.opened.iter().enumerate() {
                    println!(
                        "  table {t} (2^{}): OOD prep {}+{}, main {}+{}, aux {}+{}",
                        proof.log_heights[t],
                        o.prep_local.len(),
                        o.prep_next.len(),
                        o.main_local.len(),
                        o.main_next.len(),
                        o.aux_local.len(),
                        o.aux_next.len(),
                    );
                }
                println!(
                    "  quotient chunks (all heights): {}, masks: {}",
                    proof.quotient_opened.len() / 4,
                    proof.mask_opened.len() / 4
                );
                // Each batch opening: leaves, values per leaf, siblings, and bytes (values at
                // 31 bits, siblings at 32 bytes; counts left out).
                let q = &proof.queries;
                let batches = proof
                    .fri
                    .layers
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (format!("FRI layer {i}"), b))
                    .chain(q.prep.iter().map(|b| ("preprocessed".to_string(), b)))
                    .chain([("main".to_string(), &q.main)])
                    .chain(q.aux.iter().map(|b| ("aux".to_string(), b)))
                    .chain([("quotient".to_string(), &q.quotient)]);
                for (name, b) in batches {
                    let per_leaf: usize = b
                        .leaves
                        .first()
                        .map_or(0, |l| l.rows.iter().chain(&l.salts).map(|r| r.len()).sum());
                    let values = (b.leaves.len() * per_leaf * 31).div_ceil(8);
                    println!(
                        "  {name}: {} leaves of {per_leaf} values ({values} B), {} siblings \
                         ({} B)",
                        b.leaves.len(),
                        b.siblings.len(),
                        32 * b.siblings.len()
                    );
                }
            }
            Ok(())
        };
        if let Err(e) = run() {
            eprintln!("{path}: {e}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
