//! The native runner of `make bench` (bench/run.mjs starts it, one process per measurement).
//!
//! ```text
//! sfn-bench execution --definition DEF.json [--input IN.json] [--mocks MOCKS.json]
//!                     [--warmup N] [--runs N]
//! sfn-bench validate  --definition DEF.json [--warmup N] [--runs N]
//! ```
//!
//! Prints one JSON line: `times_ms` (one per measured run, after the warm-up runs), the summary
//! of the last execution (`status`, `output`, `events`; for `validate`, `states`), `cpu_ms`
//! (the CPU time of each measured run) and `max_rss_kb`, the process's peak resident memory
//! (getrusage). The JavaScript runners in
//! bench/runners/ take the same arguments and print the same fields.

use std::process::ExitCode;

use std::time::Instant;

use serde_json::{json, Value};
use sfn_bench::{summary, validate, Prepared};

const USAGE: &str = "usage: sfn-bench execution --definition DEF.json [--input IN.json] [--mocks MOCKS.json] [--warmup N] [--runs N]
       sfn-bench validate --definition DEF.json [--warmup N] [--runs N]";

#[derive(Debug, PartialEq)]
enum Kind {
    Execution,
    Validate,
}

#[derive(Debug)]
struct Args {
    kind: Kind,
    definition: String,
    input: Option<String>,
    mocks: Option<String>,
    warmup: usize,
    runs: usize,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let kind = match args.first().map(String::as_str) {
        Some("execution") => Kind::Execution,
        Some("validate") => Kind::Validate,
        Some(other) => return Err(format!("unknown command '{other}'")),
        None => return Err("missing command".into()),
    };
    let mut parsed = Args {
        kind,
        definition: String::new(),
        input: None,
        mocks: None,
        warmup: 1,
        runs: 1,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--definition" => parsed.definition = value()?,
            "--input" => parsed.input = Some(value()?),
            "--mocks" => parsed.mocks = Some(value()?),
            "--warmup" | "--runs" => {
                let text = value()?;
                let n: usize = text
                    .parse()
                    .map_err(|_| format!("{flag} '{text}' is not a whole number"))?;
                if flag == "--warmup" {
                    parsed.warmup = n;
                } else if n == 0 {
                    return Err("--runs must be at least 1".into());
                } else {
                    parsed.runs = n;
                }
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if parsed.definition.is_empty() {
        return Err("--definition is required".into());
    }
    if parsed.kind == Kind::Validate && (parsed.input.is_some() || parsed.mocks.is_some()) {
        return Err("validate takes no --input or --mocks".into());
    }
    Ok(parsed)
}

fn read(path: &str, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {what} '{path}': {e}"))
}

/// This process's CPU time (user and system) in milliseconds and its peak resident memory in
/// KiB, from getrusage.
#[cfg(unix)]
fn usage() -> (f64, Option<u64>) {
    // SAFETY: getrusage only writes the struct it is given, which is zeroed and ours.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return (f64::NAN, None);
    }
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    // ru_maxrss is in KiB on Linux.
    let max_rss = u64::try_from(usage.ru_maxrss).ok();
    (ms(usage.ru_utime) + ms(usage.ru_stime), max_rss)
}

#[cfg(not(unix))]
fn usage() -> (f64, Option<u64>) {
    (f64::NAN, None)
}

/// Times one call: (wall milliseconds, CPU milliseconds, its result).
fn timed<T>(f: impl FnOnce() -> T) -> (f64, f64, T) {
    let cpu = usage().0;
    let start = Instant::now();
    let result = f();
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    (wall, usage().0 - cpu, result)
}

fn run(args: &Args) -> Result<Value, String> {
    let definition = read(&args.definition, "definition")?;
    let mut times = Vec::with_capacity(args.runs);
    let mut cpu_times = Vec::with_capacity(args.runs);
    let mut result = match args.kind {
        Kind::Validate => {
            let mut states = 0;
            for i in 0..args.warmup + args.runs {
                let (wall, cpu, valid) = timed(|| validate(&definition));
                states = valid?;
                if i >= args.warmup {
                    times.push(wall);
                    cpu_times.push(cpu);
                }
            }
            json!({ "states": states })
        }
        Kind::Execution => {
            let input = match &args.input {
                Some(path) => read(path, "input")?,
                None => String::new(),
            };
            let mocks = match &args.mocks {
                Some(path) => read(path, "mocks")?,
                None => String::new(),
            };
            let prepared = Prepared::new(&definition, &input, &mocks)?;
            let mut last = Value::Null;
            for i in 0..args.warmup + args.runs {
                let fresh = prepared.clone();
                let (wall, cpu, execution) = timed(|| fresh.run());
                if i >= args.warmup {
                    times.push(wall);
                    cpu_times.push(cpu);
                }
                if i + 1 == args.warmup + args.runs {
                    last = summary(&execution);
                }
            }
            last
        }
    };
    result["implementation"] = json!("native");
    result["times_ms"] = json!(times);
    result["cpu_ms"] = json!(cpu_times);
    result["max_rss_kb"] = json!(usage().1);
    Ok(result)
}

fn main() -> ExitCode {
    sfn_allocator::configure();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let parsed = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("sfn-bench: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&parsed) {
        Ok(result) => {
            println!("{result}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("sfn-bench: {message}");
            ExitCode::from(1)
        }
    }
}
