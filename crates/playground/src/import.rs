//! Files imported into an editor: read defensively, since a file can be anything. A file that
//! is too large, not UTF-8 text or (for the mock file) not JSON is refused with a message
//! saying why, and the editor keeps its text (what the JSON means is the engine's to check, in
//! the editor's diagnostics, as for typed text). A project file opened into the definition
//! editor (JSON, YAML, a template) goes to the engine once it is text
//! ([`crate::project_import`]).

use crate::protocol::not_json_reason;

/// The largest file an editor imports.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

/// What the definition editor's Import offers to open: definitions in JSON or YAML,
/// CloudFormation and SAM templates (`.template`, `.yaml`), CDK's `cdk.out/*.template.json`.
pub const PROJECT_FILE_TYPES: &str =
    ".json,.yaml,.yml,.template,application/json,application/yaml,text/yaml";

/// The message refusing the file `file_name` for the reason `why`.
pub fn refusal(file_name: &str, why: &str) -> String {
    format!("Could not import {file_name}: {why}")
}

/// The text of an imported JSON file (`bytes`, named `file_name`), or why it is refused.
pub fn imported_text(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    let text = file_text(file_name, bytes)?;
    if let Some(reason) = not_json_reason(&text) {
        return Err(refusal(file_name, &reason));
    }
    Ok(text)
}

/// The text of a file (`bytes`, named `file_name`), or why it is refused: too large, not
/// UTF-8 text, empty. A byte order mark is dropped.
pub fn file_text(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    let refuse = |why: String| Err(refusal(file_name, &why));
    if bytes.len() > MAX_IMPORT_BYTES {
        return refuse(format!(
            "it is {} bytes long, and at most {} MiB is imported",
            crate::format::count(bytes.len()),
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return refuse("it is not UTF-8 text".into());
    };
    if text.trim().is_empty() {
        return refuse("it is empty".into());
    }
    Ok(text.to_owned())
}

/// The file picked in a file input, from the input's change event `ev`: a future of its name and
/// bytes (or why they could not be read), or none when nothing was picked. The input is cleared,
/// so that picking the same file again imports it again.
pub fn picked_file(
    ev: &leptos::ev::Event,
) -> Option<impl std::future::Future<Output = (String, Result<Vec<u8>, String>)>> {
    let input = leptos::prelude::event_target::<web_sys::HtmlInputElement>(ev);
    let file = input.files().and_then(|files| files.get(0))?;
    input.set_value("");
    Some(async move {
        let name = file.name();
        let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
            .map_err(|_| format!("Could not read {name}"));
        (name, bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_files_are_imported_as_they_are() {
        let text = "{\n  \"Functions\": {}\n}\n";
        assert_eq!(
            imported_text("m.json", text.as_bytes()),
            Ok(text.to_owned())
        );
        // A byte order mark is dropped.
        assert_eq!(
            imported_text("m.json", b"\xEF\xBB\xBF[1]"),
            Ok("[1]".to_owned())
        );
    }

    #[test]
    fn other_files_are_refused_with_the_reason() {
        let cases: [(&[u8], &str); 5] = [
            (
                b"<html><script>alert(1)</script></html>",
                "Could not import f: it is not JSON (expected value at line 1 column 1)",
            ),
            (
                b"{\"a\": 1,}",
                "Could not import f: it is not JSON (key must be a string at line 1 column 9)",
            ),
            (
                b"\x89PNG\r\n\x1a\n\xff\x00",
                "Could not import f: it is not UTF-8 text",
            ),
            (b"", "Could not import f: it is empty"),
            (b" \n ", "Could not import f: it is empty"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(imported_text("f", bytes), Err(expected.to_owned()));
        }
        let big = vec![b' '; MAX_IMPORT_BYTES + 1];
        assert_eq!(
            imported_text("big.json", &big),
            Err("Could not import big.json: it is 5,242,881 bytes long, and at most 5 MiB is imported".to_owned())
        );
    }

    #[test]
    fn a_project_file_is_any_text_the_engine_then_reads() {
        let yaml = "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n";
        assert_eq!(
            file_text("m.asl.yaml", yaml.as_bytes()),
            Ok(yaml.to_owned())
        );
        assert_eq!(
            file_text("t.yaml", b"\xEF\xBB\xBFResources: {}"),
            Ok("Resources: {}".to_owned())
        );
        assert_eq!(
            file_text("t.yaml", b"\xff\xfe"),
            Err("Could not import t.yaml: it is not UTF-8 text".to_owned())
        );
        assert_eq!(
            file_text("t.yaml", b"\n"),
            Err("Could not import t.yaml: it is empty".to_owned())
        );
    }
}
