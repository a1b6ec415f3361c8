//! `sfn-play`: validate and run state machines, and check the engine against AWS recordings.
//! (Stub: the CLI helper fills this in.)

fn main() {
    eprintln!("sfn-play: not built yet");
    std::process::exit(2);
}
