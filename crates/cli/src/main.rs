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

use clap::Parser;

use args::{Cli, Command};
use commands::{err, exit};

fn dispatch(command: Command) -> i32 {
    let result = match command {
        Command::Completions(completions) => {
            args::print_completions(completions.shell);
            Ok(exit::OK)
        }
        Command::Validate(validate) => validate_formats::validate(&validate),
        Command::Run(run) => commands::run(&run),
        Command::Conformance(conformance) => conformance::run(&conformance),
        Command::TestState(test_state) => test_state_cli::run(&test_state),
        Command::Test(test) => test_cli::run(&test.into()),
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
    // A usage error is printed as clap prints it, exit 2 (exit::USAGE); --help and --version
    // print on stdout, exit 0.
    let cli = Cli::parse();
    std::process::exit(dispatch(cli.command));
}
