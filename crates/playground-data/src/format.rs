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

/// A simulated timestamp as AWS formats `$$` times: `2024-01-01T00:00:00.000Z` (UTC, years
/// 0 to 9999; the engine's `time::format_iso`, without a date library on the page).
pub fn iso(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let of_day = ms.rem_euclid(86_400_000);
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return String::from("1970-01-01T00:00:00.000Z");
    }
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3_600_000,
        of_day / 60_000 % 60,
        of_day / 1000 % 60,
        of_day % 1000
    )
}

/// A simulated timestamp as the console shows it: `2024-01-01 00:00:01.500 UTC`.
pub fn timestamp(ms: i64) -> String {
    let iso = iso(ms);
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
    let iso = iso(ms);
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
