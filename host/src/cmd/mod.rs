//! One module per `rvzk` subcommand.

pub mod board;
pub mod image_id;
pub mod prove;
pub mod run;
pub mod verify;
