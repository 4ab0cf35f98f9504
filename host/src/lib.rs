//! The `rvzk` command-line program's library: subcommands, input handling and reports.

pub mod board;
pub mod cmd;
pub mod exit;
pub mod input;
pub mod report;
