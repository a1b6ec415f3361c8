//! Simulated time: timestamps in milliseconds since the Unix epoch, formatted and parsed the
//! way AWS does.

use chrono::{DateTime, SecondsFormat, Utc};

/// Milliseconds since 1970-01-01T00:00:00Z on the simulated clock.
pub type Millis = i64;

/// The default start of a simulated execution: 2024-01-01T00:00:00Z, fixed so runs replay.
pub const DEFAULT_START: Millis = 1_704_067_200_000;

/// Formats as AWS formats `$$` times: `2024-01-01T00:00:00.000Z`.
pub fn format_iso(ms: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
        None => String::from("1970-01-01T00:00:00.000Z"),
    }
}

/// Parses a timestamp as Wait's Timestamp accepts it: ISO-8601 extended offset date-time with an
/// uppercase `T` and a `Z` or numeric offset (`2016-03-14T01:59:00Z`). `None` otherwise.
pub fn parse_aws_timestamp(text: &str) -> Option<Millis> {
    // chrono also accepts a lowercase `t`/`z` and a space separator; AWS does not.
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes.get(10) != Some(&b'T') || text.contains('z') || text.contains(' ')
    {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        assert_eq!(format_iso(DEFAULT_START), "2024-01-01T00:00:00.000Z");
        assert_eq!(
            format_iso(DEFAULT_START + 1_234),
            "2024-01-01T00:00:01.234Z"
        );
    }

    #[test]
    fn parses_only_aws_forms() {
        assert_eq!(
            parse_aws_timestamp("2024-01-01T00:00:00Z"),
            Some(DEFAULT_START)
        );
        assert_eq!(
            parse_aws_timestamp("2024-01-01T01:00:00+01:00"),
            Some(DEFAULT_START)
        );
        assert_eq!(parse_aws_timestamp("2024-01-01t00:00:00Z"), None);
        assert_eq!(parse_aws_timestamp("2024-01-01T00:00:00z"), None);
        assert_eq!(parse_aws_timestamp("2024-01-01 00:00:00Z"), None);
        assert_eq!(parse_aws_timestamp("2024-01-01"), None);
    }
}
