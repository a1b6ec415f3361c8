//! Share links: the definition, input and mocks carried in the page's URL fragment, so that
//! opening the link restores them. Nothing leaves the machine: a fragment is never sent to a
//! server.
//!
//! Format (version 1): `v1:` followed by the base64url text (no padding) of the zlib stream
//! (deflate, level 9) of the UTF-8 JSON object `{"definition": "...", "input": "...",
//! "mocks": "..."}`, with the workspace's other state machines (`name`, `machines`,
//! `position`) and the Tests editor's test file (`tests`) when there are any: links without
//! them, older ones too, read as none.
//! - zlib rather than raw deflate: its 6 more bytes (8 characters) hold an Adler-32 checksum,
//!   so a link altered by hand or by a mangling app is refused instead of loading changed
//!   work silently (with raw deflate, about one single-character change in six decoded to
//!   different but valid work). Browsers decode it as `DecompressionStream("deflate")`.
//! - The version prefix lets a later playground read old links and reject newer ones clearly.
//! - JSON keeps the payload self-describing: a later v1 writer may add fields, which this
//!   reader ignores; the three texts are required.
//! - base64url uses only `A-Z a-z 0-9 - _`, which browsers and chat apps leave untouched.
//!
//! Decoding is defensive, since a link is untrusted input: the fragment's length and the
//! decompressed size are capped (a small "zip bomb" link cannot make the page allocate
//! gigabytes), and every failure is a [`ShareError`] saying what is wrong with the link.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::{DecodeError, Engine as _};
use miniz_oxide::inflate::TINFLStatus;
use serde_json::{Map, Value};

use crate::storage::{machines_from_json, machines_json};
use crate::workspace::NamedMachine;

/// The version this playground writes, and the only one it reads.
pub const VERSION: u32 = 1;

/// The largest payload (the JSON text of the three texts, uncompressed) a link may carry.
pub const MAX_DECOMPRESSED_BYTES: usize = 2 * 1024 * 1024;

/// The longest fragment decoding looks at. Deflate never expands data by more than a few
/// bytes per 64 KiB block, and base64 adds a third, so every link this playground can write
/// fits; anything longer is refused before any work is done.
pub const MAX_FRAGMENT_CHARS: usize = MAX_DECOMPRESSED_BYTES / 3 * 4 + 64 * 1024;

/// Links longer than this may be cut by some browsers, mail clients and chat apps; the app
/// may warn when a link it makes is longer.
pub const PRACTICAL_LINK_CHARS: usize = 32 * 1024;

/// Deflate level: 9 is the smallest output, and fast enough for a few hundred KiB.
const COMPRESSION_LEVEL: u8 = 9;

/// The three texts a link carries, exactly as they are in the editors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SharedWork {
    pub definition: String,
    pub input: String,
    pub mocks: String,
    /// The workspace (see [`crate::workspace`]): the editor's machine's name, the other
    /// machines and the editor's place among them. Optional in a link.
    pub name: String,
    pub machines: Vec<NamedMachine>,
    pub position: usize,
    /// The Tests editor's test file. Optional in a link (empty: none).
    pub tests: String,
}

/// Why a link could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment is not a share link at all (no `v<number>:` prefix). The app should leave
    /// such fragments alone rather than report them.
    NotAShareLink,
    /// A share link of a version this playground does not read (made by a newer one).
    UnknownVersion(String),
    /// A character that base64url does not use, at this position of the encoded text.
    InvalidCharacter { position: usize, character: char },
    /// The encoded data ends early: the link was cut short when copied.
    Truncated,
    /// The fragment is longer than [`MAX_FRAGMENT_CHARS`].
    LinkTooLong { length: usize },
    /// The work is larger than [`MAX_DECOMPRESSED_BYTES`] (when encoding), or the link
    /// expands beyond it (when decoding).
    TooLarge,
    /// The data decodes but is not what a share link holds (altered by hand, or corrupted).
    Damaged(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotAShareLink => f.write_str(
                "This link does not hold shared work (it should start with #v1: after the page address)",
            ),
            ShareError::UnknownVersion(version) => write!(
                f,
                "This link was made by a newer playground (format {version}); this one reads format v{VERSION}"
            ),
            ShareError::InvalidCharacter {
                position,
                character,
            } => write!(
                f,
                "This link is damaged: character {character:?} at position {position} of its data \
                 is not one a share link uses"
            ),
            ShareError::Truncated => f.write_str(
                "This link is incomplete: its data ends early (was it cut short when copied?)",
            ),
            ShareError::LinkTooLong { length } => write!(
                f,
                "This link is too long to open: {length} characters of data, at most \
                 {MAX_FRAGMENT_CHARS} are read"
            ),
            ShareError::TooLarge => write!(
                f,
                "The shared work is too large: at most {} MiB of text fits in a link",
                MAX_DECOMPRESSED_BYTES / (1024 * 1024)
            ),
            ShareError::Damaged(why) => write!(f, "This link is damaged: {why}"),
        }
    }
}

impl std::error::Error for ShareError {}

/// Makes the fragment for `work`, without the leading `#` (`v1:...`); the app sets it with
/// `location.set_hash` or appends `#` and it to the page's address.
pub fn encode(work: &SharedWork) -> Result<String, ShareError> {
    let mut payload = Map::new();
    payload.insert("definition".into(), Value::String(work.definition.clone()));
    payload.insert("input".into(), Value::String(work.input.clone()));
    payload.insert("mocks".into(), Value::String(work.mocks.clone()));
    if !work.machines.is_empty() || !work.name.is_empty() {
        payload.insert("name".into(), Value::String(work.name.clone()));
        payload.insert("machines".into(), machines_json(&work.machines));
        payload.insert("position".into(), Value::from(work.position));
    }
    if !work.tests.is_empty() {
        payload.insert("tests".into(), Value::String(work.tests.clone()));
    }
    let json = Value::Object(payload).to_string();
    if json.len() > MAX_DECOMPRESSED_BYTES {
        return Err(ShareError::TooLarge);
    }
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), COMPRESSION_LEVEL);
    Ok(format!("v{VERSION}:{}", URL_SAFE_NO_PAD.encode(compressed)))
}

/// The whole link to copy: `page_url` (`location.href`; any fragment it has is replaced),
/// `#`, and the fragment of `work`.
pub fn link(page_url: &str, work: &SharedWork) -> Result<String, ShareError> {
    let base = page_url.split_once('#').map_or(page_url, |(base, _)| base);
    Ok(format!("{base}#{}", encode(work)?))
}

/// Whether a fragment looks like a share link of any version (`v<digits>:`), with or without
/// the leading `#`: the app decodes those and reports their errors, and ignores the others.
pub fn is_share_fragment(fragment: &str) -> bool {
    split_version(fragment).is_some()
}

/// Reads the work back from a fragment made by [`encode`] (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<SharedWork, ShareError> {
    let (version, data) = split_version(fragment).ok_or(ShareError::NotAShareLink)?;
    if version != format!("v{VERSION}") {
        return Err(ShareError::UnknownVersion(version.to_string()));
    }
    if data.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::LinkTooLong { length: data.len() });
    }
    if data.is_empty() {
        return Err(ShareError::Truncated);
    }
    let compressed = URL_SAFE_NO_PAD.decode(data).map_err(|e| match e {
        DecodeError::InvalidByte(position, byte) => ShareError::InvalidCharacter {
            position,
            character: char_at(data, position).unwrap_or(char::from(byte)),
        },
        // A length no base64 text has, or stray bits in the last character: the tell-tale
        // signs of a text cut at an arbitrary point.
        DecodeError::InvalidLength(_) | DecodeError::InvalidLastSymbol(_, _) => {
            ShareError::Truncated
        }
        DecodeError::InvalidPadding => {
            ShareError::Damaged("it ends with '=' padding, which share links do not use".into())
        }
    })?;
    let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(
        &compressed,
        MAX_DECOMPRESSED_BYTES,
    )
    .map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => ShareError::TooLarge,
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            ShareError::Truncated
        }
        TINFLStatus::Adler32Mismatch => {
            ShareError::Damaged("its data was changed after the link was made".into())
        }
        _ => ShareError::Damaged("its data is not compressed as a share link's is".into()),
    })?;
    let text = String::from_utf8(json)
        .map_err(|_| ShareError::Damaged("its data is not UTF-8 text".into()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| ShareError::Damaged(format!("its data is not valid JSON ({e})")))?;
    let Value::Object(payload) = value else {
        return Err(ShareError::Damaged(
            "its data is not a JSON object of the definition, input and mocks".into(),
        ));
    };
    let field = |name: &str| match payload.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(ShareError::Damaged(format!("its {name} is not a text"))),
        None => Err(ShareError::Damaged(format!("it has no {name}"))),
    };
    let (name, machines, position) = machines_from_json(&payload).map_err(ShareError::Damaged)?;
    let tests = match payload.get("tests") {
        None | Some(Value::Null) => String::new(),
        Some(_) => field("tests")?,
    };
    Ok(SharedWork {
        definition: field("definition")?,
        input: field("input")?,
        mocks: field("mocks")?,
        name,
        machines,
        position,
        tests,
    })
}

/// Splits `[#]v<digits>:<data>` into `("v<digits>", data)`.
fn split_version(fragment: &str) -> Option<(&str, &str)> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let (version, data) = fragment.split_once(':')?;
    let digits = version.strip_prefix('v')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((version, data))
}

/// The character starting at byte `position`, for error messages (base64 reports bytes).
fn char_at(text: &str, position: usize) -> Option<char> {
    text.get(position..).and_then(|rest| rest.chars().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(definition: &str, input: &str, mocks: &str) -> SharedWork {
        SharedWork {
            definition: definition.into(),
            input: input.into(),
            mocks: mocks.into(),
            ..SharedWork::default()
        }
    }

    fn tutorial() -> SharedWork {
        work(
            include_str!("examples/tutorial/definition.asl.json"),
            "{\"statuscode\": \"429\"}",
            include_str!("examples/tutorial/mocks.json"),
        )
    }

    /// A deterministic text that deflate cannot shrink much (a simple xorshift generator).
    fn noise(len: usize) -> String {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect()
    }

    /// The fragment of a payload written by hand, to build links this module would not make.
    fn fragment_of(version: &str, payload: &[u8]) -> String {
        format!(
            "{version}:{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(payload, 9))
        )
    }

    #[test]
    fn round_trips() {
        let cases = [
            ("empty texts", work("", "", "")),
            ("the tutorial", tutorial()),
            (
                "unicode everywhere",
                work(
                    "{\"Comment\": \"héllo wörld — ✓ 日本語 🎉\", \"StartAt\": \"É\"}",
                    "{\"emoji\": \"👩‍👩‍👧\", \"rtl\": \"שלום\"}",
                    "{\"Functions\": {\"ƒ\": [{\"return\": \"\\u0000 nul and \\\\ backslash\"}]}}",
                ),
            ),
            (
                "whitespace and invalid JSON are kept as typed",
                work("  {\n\t\"StartAt\": \r\n", "not json at all", "\n\n"),
            ),
            (
                "a workspace of two state machines",
                SharedWork {
                    name: "Parent".into(),
                    machines: vec![NamedMachine {
                        name: "Child".into(),
                        definition: "{\"StartAt\": \"A\"}".into(),
                    }],
                    position: 1,
                    ..tutorial()
                },
            ),
            (
                "a test file",
                SharedWork {
                    tests: include_str!("examples/tutorial/tests.json").into(),
                    ..tutorial()
                },
            ),
            (
                "large, compressible",
                work(&"{\"a\": [1, 2, 3]}\n".repeat(50_000), "{}", ""),
            ),
            (
                "large, barely compressible",
                work(&noise(600_000), &noise(100_000), &noise(100_000)),
            ),
        ];
        for (name, original) in cases {
            let fragment = encode(&original).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(fragment.starts_with("v1:"), "{name}: {fragment:.20}");
            assert!(
                fragment[3..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{name}: only base64url characters"
            );
            assert!(is_share_fragment(&fragment), "{name}");
            assert_eq!(decode(&fragment), Ok(original.clone()), "{name}");
            assert_eq!(
                decode(&format!("#{fragment}")),
                Ok(original),
                "{name} with '#'"
            );
        }
    }

    #[test]
    fn links_without_a_test_file_have_none() {
        // As links made before the Tests editor: the three texts only.
        let old = fragment_of("v1", br#"{"definition": "d", "input": "i", "mocks": "m"}"#);
        assert_eq!(decode(&old), Ok(work("d", "i", "m")));
        assert!(!encode(&work("d", "i", "m"))
            .map(|f| String::from_utf8(
                miniz_oxide::inflate::decompress_to_vec_zlib(
                    &URL_SAFE_NO_PAD.decode(&f[3..]).unwrap()
                )
                .unwrap()
            )
            .unwrap())
            .unwrap()
            .contains("tests"));
        let wrong = fragment_of(
            "v1",
            br#"{"definition": "d", "input": "i", "mocks": "m", "tests": []}"#,
        );
        assert_eq!(
            decode(&wrong),
            Err(ShareError::Damaged("its tests is not a text".into()))
        );
    }

    #[test]
    fn links_replace_the_page_fragment() {
        let fragment = encode(&tutorial()).unwrap();
        for page in [
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8080/#v1:old",
            "https://example.org/play/index.html?x=1#",
        ] {
            let link = link(page, &tutorial()).unwrap();
            let (base, hash) = link.split_once('#').unwrap();
            assert_eq!(base, page.split('#').next().unwrap());
            assert_eq!(hash, fragment);
            assert_eq!(decode(hash), Ok(tutorial()));
        }
    }

    #[test]
    fn the_tutorial_makes_a_short_link() {
        let fragment = encode(&tutorial()).unwrap();
        assert!(fragment.len() < 2_000, "{} characters", fragment.len());
    }

    #[test]
    fn encoding_refuses_work_too_large_for_a_link() {
        let big = work(&"x".repeat(MAX_DECOMPRESSED_BYTES), "", "");
        assert_eq!(encode(&big), Err(ShareError::TooLarge));
        // Just under the limit still works, and decodes (the limit is on the payload JSON).
        let overhead = encode_len_overhead();
        let fits = work(&"x".repeat(MAX_DECOMPRESSED_BYTES - overhead), "", "");
        assert_eq!(decode(&encode(&fits).unwrap()), Ok(fits));
    }

    /// The bytes the payload JSON adds around the three texts.
    fn encode_len_overhead() -> usize {
        r#"{"definition":"","input":"","mocks":""}"#.len()
    }

    /// Text made from a small description of the catalogue (`{"nested_arrays": n}` or
    /// `{"repeat": "text", "times": n, "prefix": "...", "suffix": "..."}`).
    fn generate(spec: &Value) -> Vec<u8> {
        let number = |key: &str| {
            spec.get(key)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_else(|| panic!("generate: {key} is not a number in {spec}"))
        };
        if spec.get("nested_arrays").is_some() {
            let n = number("nested_arrays");
            return format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes();
        }
        let text = |key: &str| spec.get(key).and_then(Value::as_str).unwrap_or("");
        format!(
            "{}{}{}",
            text("prefix"),
            text("repeat").repeat(number("times")),
            text("suffix")
        )
        .into_bytes()
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// The malformed share links of the catalogue of bad inputs
    /// (`tests/bad-inputs/share-links/*.case.json`): each gives its exact message. A case
    /// gives the fragment (`fragment`, or `fragment_generate`), or the payload a `v1` link
    /// would compress (`payload_text`, `payload_hex` or `payload_generate`).
    #[test]
    fn every_malformed_link_in_the_catalogue_gives_its_error() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/bad-inputs/share-links");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("the share-links folder of the catalogue")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.to_string_lossy().ends_with(".case.json"))
            .collect();
        files.sort();
        let mut failures = Vec::new();
        let mut count = 0;
        for file in &files {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("JSON");
            let cases = match doc.get("cases") {
                Some(Value::Array(cases)) => cases.clone(),
                _ => vec![doc],
            };
            for case in cases {
                count += 1;
                let why = case["why"].as_str().expect("every case says why");
                let fragment = if let Some(text) = case.get("fragment") {
                    text.as_str().expect("fragment").to_string()
                } else if let Some(spec) = case.get("fragment_generate") {
                    String::from_utf8(generate(spec)).expect("UTF-8")
                } else {
                    let payload = if let Some(text) = case.get("payload_text") {
                        text.as_str().expect("payload_text").as_bytes().to_vec()
                    } else if let Some(text) = case.get("payload_hex") {
                        hex(text.as_str().expect("payload_hex"))
                    } else {
                        generate(&case["payload_generate"])
                    };
                    fragment_of("v1", &payload)
                };
                let expected = case["error"].as_str().expect("error");
                let got = match decode(&fragment) {
                    Ok(work) => format!("decoded: {work:?}"),
                    Err(e) => e.to_string(),
                };
                if got != expected {
                    failures.push(format!(
                        "{} ({why}):\n  got      {got}\n  expected {expected}",
                        file.display()
                    ));
                }
            }
        }
        assert!(count > 0, "no share-link cases in {}", dir.display());
        assert!(
            failures.is_empty(),
            "{} of {count} malformed links differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn unknown_fields_of_a_v1_payload_are_ignored() {
        let fragment = fragment_of(
            "v1",
            br#"{"definition": "d", "input": "i", "mocks": "m", "example": "tutorial"}"#,
        );
        assert_eq!(decode(&fragment), Ok(work("d", "i", "m")));
    }

    /// Every way of cutting a link, and every single-character change to it, is an error:
    /// never a panic, never different work.
    #[test]
    fn every_cut_and_every_changed_character_is_detected() {
        let original = work(
            include_str!("examples/map/definition.asl.json"),
            include_str!("examples/map/inputs/in-stock.json"),
            include_str!("examples/map/mocks.json"),
        );
        let fragment = encode(&original).unwrap();
        for end in 3..fragment.len() {
            assert_eq!(
                decode(&fragment[..end]),
                Err(ShareError::Truncated),
                "cut at {end}"
            );
        }
        for at in 3..fragment.len() {
            let mut bytes = fragment.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            let result = decode(&changed);
            assert!(
                matches!(result, Err(ShareError::Damaged(_) | ShareError::Truncated)),
                "character {at} changed: {result:?}"
            );
        }
    }

    #[test]
    fn errors_read_as_sentences() {
        let cases = [
            (ShareError::UnknownVersion("v2".into()), "This link was made by a newer playground (format v2); this one reads format v1"),
            (ShareError::Truncated, "This link is incomplete: its data ends early (was it cut short when copied?)"),
            (ShareError::TooLarge, "The shared work is too large: at most 2 MiB of text fits in a link"),
            (
                ShareError::InvalidCharacter { position: 3, character: '+' },
                "This link is damaged: character '+' at position 3 of its data is not one a share link uses",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }

    /// Replays what the `share` fuzz target found (`fuzz/fuzz_targets/share.rs` does the same
    /// with each input): every file under `crates/engine/tests/data/fuzz-regressions/share/`
    /// decodes, as typed and as the data of a v1 link, to work that round-trips or to an error
    /// with a message, without a panic.
    #[test]
    fn fuzz_regressions_decode_without_panic() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../engine/tests/data/fuzz-regressions/share");
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let data = std::fs::read(entry.path()).expect("read a regression input");
            let text = String::from_utf8_lossy(&data);
            for fragment in [text.to_string(), format!("#v1:{text}")] {
                match decode(&fragment) {
                    Err(e) => assert!(!e.to_string().is_empty(), "{:?}", entry.path()),
                    Ok(work) => {
                        let again = encode(&work).expect("decoded work encodes");
                        assert_eq!(decode(&again).as_ref(), Ok(&work), "{:?}", entry.path());
                    }
                }
            }
        }
    }
}
