//! The mocked Amazon S3: the buckets and objects an execution reads (a Distributed Map's
//! ItemReader, `aws-sdk:s3:getObject` tasks) and writes (a ResultWriter, `aws-sdk:s3:putObject`).
//!
//! Declared in the mock file's `S3` section, bucket by bucket, each object by key:
//!
//! ```json
//! {"S3": {"my-bucket": {
//!   "data/items.csv": "id,name\n1,a\n",
//!   "items.json": {"json": [{"id": 1}, {"id": 2}]},
//!   "big.csv": {"file": "data/big.csv"},
//!   "notes.txt": {"text": "hello", "lastModified": "2026-01-01T00:00:00Z"}
//! }}}
//! ```
//!
//! - a string is the object's text;
//! - `{"text": T}` likewise, `{"json": V}` is V's JSON text (compact);
//! - `{"file": P}` names a file whose text is the object's: `sfn-play run` reads it (relative to
//!   the mock file) before the engine sees the file; the engine has no file system, so an
//!   object still given by `file` fails the run when read, naming the bucket and the key;
//! - each object form may add `"lastModified"`, an ISO 8601 time (default: 2024-01-01T00:00:00Z).
//!
//! An object's ETag is the MD5 of its text in quotes, as S3 gives it for a simple upload; its
//! Size the bytes of its UTF-8 text; its StorageClass `STANDARD`. A bucket declared empty
//! (`{}`) exists and has no objects. The execution works on its own copy of the store: what the
//! run writes is kept in it, and listed in order by [`S3Store::writes`].

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::{json, Value};

use crate::time::{format_iso, parse_aws_timestamp, Millis, DEFAULT_START};

use super::{key, type_name, Problems};

/// The buckets and their objects, by name and key (in key order, as S3 lists them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct S3Store {
    buckets: BTreeMap<String, BTreeMap<String, S3Object>>,
    writes: Vec<S3Write>,
}

/// One object of the mocked S3.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Object {
    pub body: S3Body,
    /// When it was last written, on the simulated clock (epoch milliseconds).
    pub last_modified: Millis,
}

/// An object's content.
#[derive(Debug, Clone, PartialEq)]
pub enum S3Body {
    Text(String),
    /// A mock file's `{"file": P}` not read yet (only the CLI reads files).
    File(String),
}

/// An object the run wrote (a ResultWriter's file, a `putObject` task's body).
#[derive(Debug, Clone, PartialEq)]
pub struct S3Write {
    pub bucket: String,
    pub key: String,
    /// The bytes of `text` in UTF-8.
    pub size: usize,
    pub text: String,
}

/// Why an object could not be read: S3's error code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Error {
    /// `NoSuchBucket`, `NoSuchKey`, or `UnresolvedFile` (a `file` entry the engine cannot read).
    pub code: &'static str,
    pub message: String,
}

/// An object's metadata as ListObjectsV2 gives it (`Contents[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct S3ObjectMeta {
    pub key: String,
    pub etag: String,
    pub size: usize,
    pub last_modified: Millis,
}

impl S3ObjectMeta {
    /// The item a Distributed Map's `listObjectsV2` ItemReader gives for the object, as AWS
    /// documents it: `Etag`, `Key`, `LastModified` (epoch seconds), `Size`, `StorageClass`.
    pub fn item(&self) -> Value {
        json!({
            "Etag": self.etag,
            "Key": self.key,
            "LastModified": self.last_modified.div_euclid(1000),
            "Size": self.size,
            "StorageClass": "STANDARD",
        })
    }

    /// The object as the `aws-sdk:s3:listObjectsV2` task gives it in `Contents`.
    pub fn contents_entry(&self) -> Value {
        json!({
            "ETag": self.etag,
            "Key": self.key,
            "LastModified": format_iso(self.last_modified),
            "Size": self.size,
            "StorageClass": "STANDARD",
        })
    }
}

/// S3's ETag of a simple upload: the MD5 of the bytes, in hex, in quotes.
pub fn etag(text: &str) -> String {
    let digest = Md5::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

impl S3Store {
    /// Whether no bucket is declared and nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The bucket names, in order.
    pub fn bucket_names(&self) -> impl Iterator<Item = &str> {
        self.buckets.keys().map(String::as_str)
    }

    /// The objects of `bucket`, by key; none if there is no such bucket.
    pub fn objects(&self, bucket: &str) -> Option<&BTreeMap<String, S3Object>> {
        self.buckets.get(bucket)
    }

    /// Every `{"file": P}` entry not read yet: (bucket, key, P).
    pub fn unresolved_files(&self) -> Vec<(String, String, String)> {
        let mut files = Vec::new();
        for (bucket, objects) in &self.buckets {
            for (key, object) in objects {
                if let S3Body::File(path) = &object.body {
                    files.push((bucket.clone(), key.clone(), path.clone()));
                }
            }
        }
        files
    }

    /// Gives the `file` entry of `bucket`/`key` its text (what the CLI read).
    pub fn resolve_file(&mut self, bucket: &str, key: &str, text: String) {
        if let Some(object) = self.buckets.get_mut(bucket).and_then(|o| o.get_mut(key)) {
            object.body = S3Body::Text(text);
        }
    }

    /// The text of an object, or S3's error.
    pub fn get(&self, bucket: &str, key: &str) -> Result<&str, S3Error> {
        let Some(objects) = self.buckets.get(bucket) else {
            return Err(S3Error {
                code: "NoSuchBucket",
                message: "The specified bucket does not exist".into(),
            });
        };
        match objects.get(key).map(|object| &object.body) {
            Some(S3Body::Text(text)) => Ok(text),
            Some(S3Body::File(path)) => Err(S3Error {
                code: "UnresolvedFile",
                message: format!(
                    "The object s3://{bucket}/{key} is given by the file '{path}' of the mock file, which only sfn-play run reads: give its text instead (\"text\" or \"json\")"
                ),
            }),
            None => Err(S3Error {
                code: "NoSuchKey",
                message: "The specified key does not exist.".into(),
            }),
        }
    }

    /// The metadata of the objects of `bucket` whose key starts with `prefix`, in key order.
    pub fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<S3ObjectMeta>, S3Error> {
        let Some(objects) = self.buckets.get(bucket) else {
            return Err(S3Error {
                code: "NoSuchBucket",
                message: "The specified bucket does not exist".into(),
            });
        };
        Ok(objects
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(key, object)| {
                let (etag, size) = match &object.body {
                    S3Body::Text(text) => (etag(text), text.len()),
                    S3Body::File(path) => (etag(path), 0),
                };
                S3ObjectMeta {
                    key: key.clone(),
                    etag,
                    size,
                    last_modified: object.last_modified,
                }
            })
            .collect())
    }

    /// Writes an object at `now` (S3 creates nothing else: the bucket must exist). Returns
    /// its ETag.
    pub fn put(
        &mut self,
        bucket: &str,
        key: &str,
        text: String,
        now: Millis,
    ) -> Result<String, S3Error> {
        let Some(objects) = self.buckets.get_mut(bucket) else {
            return Err(S3Error {
                code: "NoSuchBucket",
                message: "The specified bucket does not exist".into(),
            });
        };
        let tag = etag(&text);
        self.writes.push(S3Write {
            bucket: bucket.to_string(),
            key: key.to_string(),
            size: text.len(),
            text: text.clone(),
        });
        objects.insert(
            key.to_string(),
            S3Object {
                body: S3Body::Text(text),
                last_modified: now,
            },
        );
        Ok(tag)
    }

    /// What the run wrote, in order (an object written twice is listed twice).
    pub fn writes(&self) -> &[S3Write] {
        &self.writes
    }
}

/// Reads the mock file's `S3` section.
pub(super) fn parse_s3(value: &Value, problems: &mut Problems) -> S3Store {
    let mut store = S3Store::default();
    let Some(buckets) = value.as_object() else {
        problems.push(
            "S3",
            format!(
                "expected an object of bucket names to objects by key, not {}",
                type_name(value)
            ),
        );
        return store;
    };
    for (bucket, objects) in buckets {
        let at = format!("S3.{}", key(bucket));
        let Some(objects) = objects.as_object() else {
            problems.push(
                &at,
                format!(
                    "expected an object of keys to objects, not {}",
                    type_name(objects)
                ),
            );
            continue;
        };
        let mut parsed = BTreeMap::new();
        for (object_key, object) in objects {
            let at = format!("{at}.{}", key(object_key));
            if let Some(object) = parse_object(object, &at, problems) {
                parsed.insert(object_key.clone(), object);
            }
        }
        store.buckets.insert(bucket.clone(), parsed);
    }
    store
}

/// The fields an object given as an object may have.
const OBJECT_FIELDS: &[&str] = &["text", "json", "file", "lastModified"];

fn parse_object(value: &Value, at: &str, problems: &mut Problems) -> Option<S3Object> {
    let fields = match value {
        Value::String(text) => {
            return Some(S3Object {
                body: S3Body::Text(text.clone()),
                last_modified: DEFAULT_START,
            })
        }
        Value::Object(fields) => fields,
        other => {
            problems.push(
                at,
                format!(
                    "expected the object's text, or an object with \"text\", \"json\" or \"file\", not {}",
                    type_name(other)
                ),
            );
            return None;
        }
    };
    for name in fields.keys() {
        if !OBJECT_FIELDS.contains(&name.as_str()) {
            problems.push(
                &format!("{at}.{}", key(name)),
                "not a field of an S3 object (expected text, json, file or lastModified)",
            );
        }
    }
    let last_modified = match fields.get("lastModified") {
        None => DEFAULT_START,
        Some(Value::String(text)) => match parse_aws_timestamp(text) {
            Some(ms) => ms,
            None => {
                problems.push(
                    &format!("{at}.lastModified"),
                    format!("not an ISO 8601 time such as 2026-01-01T00:00:00Z: {text}"),
                );
                DEFAULT_START
            }
        },
        Some(other) => {
            problems.push(
                &format!("{at}.lastModified"),
                format!("expected an ISO 8601 time, not {}", type_name(other)),
            );
            DEFAULT_START
        }
    };
    let bodies: Vec<&str> = ["text", "json", "file"]
        .into_iter()
        .filter(|name| fields.contains_key(*name))
        .collect();
    if bodies.len() != 1 {
        problems.push(
            at,
            "expected exactly one of \"text\", \"json\" or \"file\"".to_string(),
        );
        return None;
    }
    let body = match (fields.get("text"), fields.get("json"), fields.get("file")) {
        (Some(Value::String(text)), _, _) => S3Body::Text(text.clone()),
        (_, Some(json), _) => S3Body::Text(json.to_string()),
        (_, _, Some(Value::String(path))) => S3Body::File(path.clone()),
        _ => {
            problems.push(at, "\"text\" and \"file\" must be strings".to_string());
            return None;
        }
    };
    Some(S3Object {
        body,
        last_modified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(value: Value) -> S3Store {
        let mut problems = Problems::default();
        let store = parse_s3(&value, &mut problems);
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        store
    }

    #[test]
    fn objects_in_each_form() {
        let s3 = store(json!({"b": {
            "a.csv": "x\n1\n",
            "j.json": {"json": [1, 2]},
            "f.csv": {"file": "f.csv", "lastModified": "2026-01-01T00:00:00Z"}
        }}));
        assert_eq!(s3.get("b", "a.csv"), Ok("x\n1\n"));
        assert_eq!(s3.get("b", "j.json"), Ok("[1,2]"));
        assert_eq!(s3.get("b", "nope").map_err(|e| e.code), Err("NoSuchKey"));
        assert_eq!(
            s3.get("c", "a.csv").map_err(|e| e.code),
            Err("NoSuchBucket")
        );
        let unresolved = s3.get("b", "f.csv").expect_err("a file entry");
        assert!(
            unresolved.message.contains("s3://b/f.csv"),
            "{unresolved:?}"
        );
        let listed = s3.list("b", "").expect("a bucket");
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0].key, "a.csv");
        assert_eq!(listed[0].etag, etag("x\n1\n"));
    }

    #[test]
    fn bad_entries_are_named() {
        let mut problems = Problems::default();
        parse_s3(
            &json!({"b": {"k": 3, "l": {"text": "x", "json": 1}, "m": {"size": 1}}}),
            &mut problems,
        );
        let text = problems.0.join("\n");
        assert!(text.contains("S3.b.k:"), "{text}");
        assert!(text.contains("S3.b.l:"), "{text}");
        assert!(text.contains("S3.b.m.size:"), "{text}");
    }
}
