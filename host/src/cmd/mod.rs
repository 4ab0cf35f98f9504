//! One module per `rvzk` subcommand.

pub mod board;
pub mod run;
