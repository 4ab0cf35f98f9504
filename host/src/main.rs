//! `rvzk`: run, prove and verify RV32IM guests.

use clap::{Parser, Subcommand};
use rvzk_host::{cmd, exit};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "rvzk",
    version,
    about = "A zero-knowledge virtual machine for RISC-V (RV32IM)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Execute a guest ELF and print its exit code, journal and cycle count.
    Run(cmd::run::RunArgs),
    /// The board: start the simulated one, or ask one what it is.
    Board(cmd::board::BoardArgs),
    /// Print a guest's image ID: what a verifier checks a receipt against.
    ImageId(cmd::image_id::ImageIdArgs),
    /// Run a guest, prove the execution and write the receipt.
    Prove(cmd::prove::ProveArgs),
    /// Verify a receipt against an image ID and print what it proves.
    Verify(cmd::verify::VerifyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => cmd::run::main(args),
        Command::Board(args) => cmd::board::main(args),
        Command::ImageId(args) => cmd::image_id::main(args),
        Command::Prove(args) => cmd::prove::main(args),
        Command::Verify(args) => cmd::verify::main(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
