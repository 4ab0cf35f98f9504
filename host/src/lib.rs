//! The `rvzk` command-line program's library: subcommands, input handling, progress and
//! reports.

pub mod backend;
pub mod board;
pub mod cmd;
pub mod exit;
pub mod input;
pub mod progress;
pub mod report;
pub mod rss;
