//! Values as Java prints them, as AWS's messages and some intrinsics show them: numbers the
//! way `Double.toString` does, any value the way Java's `toString` does, and compact JSON the
//! way Jackson writes it.

use serde_json::Value;

/// A value as Java's `toString` shows it: how Jayway's messages and `States.Format` render
/// objects (`{a=1, b=[x, y]}`), arrays (`[1, 2]`), strings (raw), numbers and null.
pub fn java_display(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => java_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(java_display).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", java_display(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Compact JSON text as AWS (Jackson) writes it: in its messages' quoted inputs and in
/// `States.JsonToString`. Fractional numbers are written the Java way (`1.0E20`, `1.0E-5`).
pub fn compact(value: &Value) -> String {
    let mut out = String::new();
    write_compact(value, &mut out);
    out
}

fn write_compact(value: &Value, out: &mut String) {
    match value {
        Value::Number(n) => out.push_str(&java_number(n)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_compact(item, out);
            }
            out.push('}');
        }
        // Null, booleans and strings are written the same way by serde_json and Jackson.
        other => out.push_str(&other.to_string()),
    }
}

/// A number as Java prints it: integers as they are, fractional numbers as
/// `Double.toString` does (`1.5`, `100.0`, `1.0E7`, `1.0E-4`).
pub fn java_number(number: &serde_json::Number) -> String {
    if number.is_i64() || number.is_u64() {
        return number.to_string();
    }
    match number.as_f64() {
        Some(f) => java_double(f),
        None => number.to_string(),
    }
}

fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let magnitude = f.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        // Rust's shortest round-trip digits; Java always shows a fractional part.
        let text = format!("{f}");
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        // `{:e}` gives the shortest digits as `1.5e-5`; Java writes `1.5E-5`, `1.0E20`.
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (number as JSON text, as Java prints it): checked against a JDK's Double.toString.
    #[test]
    fn numbers_print_like_java() {
        let cases = [
            ("1", "1"),
            ("-7", "-7"),
            ("1.5", "1.5"),
            ("100.0", "100.0"),
            ("0.001", "0.001"),
            ("0.0001", "1.0E-4"),
            ("1e7", "1.0E7"),
            ("12345678.9", "1.23456789E7"),
            ("9999999.0", "9999999.0"),
            ("1.5e-5", "1.5E-5"),
            ("1e20", "1.0E20"),
            ("-2.5e300", "-2.5E300"),
            ("0.0", "0.0"),
            ("-0.0", "-0.0"),
        ];
        for (json_text, java) in cases {
            let number: serde_json::Number = serde_json::from_str(json_text).expect("number");
            assert_eq!(java_number(&number), java, "{json_text}");
        }
        assert_eq!(
            compact(&json!({"a": [1e20, "x\"y", null, true], "b": {}})),
            r#"{"a":[1.0E20,"x\"y",null,true],"b":{}}"#
        );
    }

    #[test]
    fn java_display_matches_java_to_string() {
        assert_eq!(
            java_display(&json!({"Id": "x", "L": [1, "a", null], "O": {"b": true}})),
            "{Id=x, L=[1, a, null], O={b=true}}"
        );
    }
}
