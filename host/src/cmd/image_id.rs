//! `rvzk image-id`: print a guest's image ID.

use anyhow::{Context, Result};
use clap::Args;
use rvzk_zkvm::circuit::{image_id, PROTOCOL_VERSION};
use serde_json::json;
use std::path::PathBuf;

use crate::exit;
use crate::input::load_program;

/// Arguments of `rvzk image-id`.
#[derive(Args, Debug)]
pub struct ImageIdArgs {
    /// The guest: an RV32IM ELF executable.
    pub elf: PathBuf,
    /// Print one JSON object instead of the bare hex.
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand; returns the process exit status.
pub fn main(args: &ImageIdArgs) -> Result<u8> {
    let program = load_program(&args.elf)?;
    let id = image_id(&program).with_context(|| format!("{}", args.elf.display()))?;
    if args.json {
        let v = json!({
            "elf": args.elf.display().to_string(),
            "image_id": id.to_hex(),
            "protocol_version": PROTOCOL_VERSION,
        });
        println!("{v}");
    } else {
        println!("{id}");
    }
    Ok(exit::SUCCESS)
}
