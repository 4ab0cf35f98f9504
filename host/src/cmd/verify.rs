//! `rvzk verify`: check a receipt against an image ID and print what it proves.

use anyhow::{Context, Result};
use clap::{ArgGroup, Args};
use rvzk_zkvm::circuit::{image_id, ImageId};
use rvzk_zkvm::receipt::{Receipt, VerifyOptions, MIN_SECURITY_BITS};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

use crate::cmd::prove::security_text;
use crate::exit;
use crate::input::load_program;
use crate::report::{exit_status, hex, print_journal, printable, words};

/// Arguments of `rvzk verify`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("expected").required(true).args(["image_id", "elf"])))]
pub struct VerifyArgs {
    /// The receipt file (`rvzk prove` writes it).
    pub receipt: PathBuf,
    /// The image ID the receipt must be for: 64 hex digits (`rvzk image-id` prints it).
    #[arg(long, value_name = "HEX", value_parser = parse_image_id)]
    pub image_id: Option<ImageId>,
    /// Compute the expected image ID from this ELF.
    #[arg(long, value_name = "FILE")]
    pub elf: Option<PathBuf>,
    /// The exit code the guest must have halted with (default 0: success).
    #[arg(long, value_name = "N")]
    pub exit_code: Option<u32>,
    /// The least conjectured security, in bits, the receipt's parameters must give.
    #[arg(long, value_name = "BITS", default_value_t = MIN_SECURITY_BITS)]
    pub min_security_bits: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_image_id(s: &str) -> Result<ImageId, String> {
    ImageId::from_hex(s).map_err(|e| e.to_string())
}

/// Run the subcommand; returns the process exit status: [`exit::SUCCESS`] when the receipt
/// verifies, [`exit::REJECTED`] when it does not (malformed, wrong image, exit code or
/// security, bad seal).
pub fn main(args: &VerifyArgs) -> Result<u8> {
    let path = args.receipt.display().to_string();
    let bytes = std::fs::read(&args.receipt).with_context(|| format!("{path}: cannot read"))?;
    let expected = match (&args.image_id, &args.elf) {
        (Some(id), _) => *id,
        (None, Some(elf)) => {
            let program = load_program(elf)?;
            image_id(&program).with_context(|| format!("{}", elf.display()))?
        }
        (None, None) => unreachable!("clap requires --image-id or --elf"),
    };
    let options = VerifyOptions {
        expected_exit_code: args.exit_code,
        min_security_bits: args.min_security_bits,
    };
    let start = Instant::now();
    let result =
        Receipt::from_bytes(&bytes).and_then(|r| r.verify_with(&expected, &options).map(|()| r));
    let seconds = start.elapsed().as_secs_f64();
    match result {
        Ok(r) => {
            if args.json {
                let v = json!({
                    "receipt": path,
                    "status": "verified",
                    "image_id": r.claim.image_id.to_hex(),
                    "exit_code": r.claim.exit_code,
                    "journal_hex": hex(&r.claim.journal),
                    "journal_text": printable(&r.claim.journal),
                    "journal_u32": words(&r.claim.journal),
                    "protocol_version": r.version,
                    "security_bits": r.security_bits(),
                    "zk": r.config.zk,
                    "seal_bytes": r.seal.len(),
                    "seconds": seconds,
                });
                println!("{v}");
            } else {
                println!("receipt    {path}: verified");
                println!("image ID   {}", r.claim.image_id);
                println!("exit code  {}", exit_status(r.claim.exit_code));
                print_journal(&r.claim.journal);
                println!("protocol   version {}", r.version);
                println!("security   {}", security_text(&r));
                println!("seal       {} bytes", r.seal.len());
                println!("time       {:.3} ms", seconds * 1e3);
            }
            Ok(exit::SUCCESS)
        }
        Err(e) => {
            if args.json {
                let v = json!({
                    "receipt": path,
                    "status": "rejected",
                    "error": e.to_string(),
                    "seconds": seconds,
                });
                println!("{v}");
            }
            eprintln!("error: {path}: rejected: {e}");
            Ok(exit::REJECTED)
        }
    }
}
