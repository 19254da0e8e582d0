//! The commands of the CLI, each over the pipeline: build and check, serve, tally, new,
//! init.

pub mod build;
pub mod init;
pub mod new;
pub mod serve;
pub mod tally;
