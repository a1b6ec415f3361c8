//! `sfn-play`: validate and run state machines, and check the engine against AWS recordings.

// Bad input gives a message and an exit code, never a panic (tests may still unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

mod args;
mod children;
mod commands;
mod compare;
mod conformance;
mod output;
mod project;
mod read;
mod s3;
mod test_cli;
mod test_state_cli;
mod validate_formats;

use std::io::Write;

use args::{Command, UsageError};
use commands::{err, exit, out};

fn dispatch(command: Command) -> i32 {
    let result = match command {
        Command::Help => {
            out!("{}", args::HELP);
            Ok(exit::OK)
        }
        Command::Version => {
            out!("sfn-play {}", env!("CARGO_PKG_VERSION"));
            Ok(exit::OK)
        }
        Command::Validate {
            definition,
            format,
            project,
        } => validate_formats::validate(&definition, format, &project),
        Command::Run(run) => commands::run(&run),
        Command::Conformance(conformance) => conformance::run(&conformance),
        Command::TestState(test_state) => test_state_cli::run(&test_state),
        Command::Test(test) => test_cli::run(&test),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            err!("sfn-play: {}", error.message);
            error.code
        }
    }
}

fn main() {
    sfn_allocator::configure();
    let code = match args::parse(std::env::args_os().skip(1).collect()) {
        Ok(command) => dispatch(command),
        Err(UsageError(message)) => {
            err!("sfn-play: {message}\nRun 'sfn-play --help' for usage.");
            exit::USAGE
        }
    };
    std::process::exit(code);
}
