//! One module per `rvzk` subcommand.

pub mod run;
