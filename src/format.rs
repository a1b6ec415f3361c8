//! Small text formats for people: simulated durations and timestamps.

/// Time since the start of the execution: "0 ms", "250 ms", "1.5 s", "2 min 3.25 s".
pub fn elapsed(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{} s", trim(ms as f64 / 1000.0))
    } else {
        let minutes = ms / 60_000;
        let rest = ms % 60_000;
        if minutes < 60 {
            format!("{minutes} min {} s", trim(rest as f64 / 1000.0))
        } else {
            format!("{} h {} min {} s", minutes / 60, minutes % 60, rest / 1000)
        }
    }
}

fn trim(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A simulated timestamp as the console shows it: `2024-01-01 00:00:01.500 UTC`.
pub fn timestamp(ms: i64) -> String {
    let iso = sfn_engine::time::format_iso(ms);
    format!("{} UTC", iso.replacen('T', " ", 1).trim_end_matches('Z'))
}

/// A count with thousands separators: 25,000.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// JSON text re-indented for reading; the text itself when it is not JSON.
pub fn pretty_json(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_owned()),
        Err(_) => text.to_owned(),
    }
}

/// The time of day of a simulated timestamp, to the millisecond: `00:00:01.500`.
pub fn time_of_day(ms: i64) -> String {
    let iso = sfn_engine::time::format_iso(ms);
    match (iso.find('T'), iso.rfind('Z')) {
        (Some(t), Some(z)) if t < z => iso.get(t + 1..z).unwrap_or(&iso).to_owned(),
        _ => iso,
    }
}

/// A resource as the table shows it: the last part of an ARN (a function's name), whole
/// otherwise. The full text goes in the cell's tooltip.
pub fn short_resource(resource: &str) -> String {
    match resource.strip_prefix("arn:") {
        Some(rest) => rest
            .rsplit(':')
            .find(|part| !part.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| resource.to_owned()),
        None => resource.to_owned(),
    }
}
