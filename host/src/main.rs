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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => cmd::run::main(args),
        Command::Board(args) => cmd::board::main(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
