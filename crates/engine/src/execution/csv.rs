//! CSV text as a Distributed Map's ItemReader reads it: RFC 4180 fields (quoted fields may
//! hold the delimiter, line breaks and `""` for a quote), rows ended by `\n` or `\r\n`, one
//! delimiter character. Every value is a string, as AWS documents it.

/// The first `max_rows` rows of `text`, each with its 1-based line number (where it starts);
/// empty lines are skipped. A quote left open fails, with the line where the field starts.
pub(super) fn rows(
    text: &str,
    delimiter: char,
    max_rows: usize,
) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut field_started = false;
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut quote_line = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if rows.len() >= max_rows {
            return Ok(rows);
        }
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                if c == '\n' {
                    line = line.saturating_add(1);
                }
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                quoted = true;
                field_started = true;
                quote_line = line;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if field_started || !row.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push((row_line, std::mem::take(&mut row)));
                }
                field_started = false;
                line = line.saturating_add(1);
                row_line = line;
            }
            c if c == delimiter => {
                row.push(std::mem::take(&mut field));
                field_started = false;
            }
            c => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if quoted {
        return Err(format!(
            "the quoted field starting on line {quote_line} is not closed"
        ));
    }
    if (field_started || !row.is_empty()) && rows.len() < max_rows {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_line_ends() {
        let parsed = rows(
            "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n3,\"multi\nline\"\n",
            ',',
            9,
        )
        .expect("valid CSV");
        assert_eq!(
            parsed,
            vec![
                (1, vec!["a".to_string(), "b".to_string()]),
                (2, vec!["x,1".to_string(), "say \"hi\"".to_string()]),
                (4, vec!["3".to_string(), "multi\nline".to_string()]),
            ]
        );
    }

    #[test]
    fn other_delimiters_and_empty_fields() {
        let parsed = rows("a|b|\n|2|3", '|', 9).expect("valid CSV");
        assert_eq!(parsed[0].1, vec!["a", "b", ""]);
        assert_eq!(parsed[1].1, vec!["", "2", "3"]);
    }

    #[test]
    fn reading_stops_at_max_rows() {
        let parsed = rows("a\nb\nc\n\"open", ',', 2).expect("the first two rows");
        assert_eq!(parsed.len(), 2);
    }

    #[test]
    fn an_open_quote_fails() {
        assert!(rows("a\n\"b,c\n", ',', 9).is_err());
    }
}
