//! `aws-sdk:s3` Task states answered by the mocked S3 (`mocks/s3.rs`) when no mock answers
//! them (a mock of the state or of the resource keeps priority) and the mock file has an `S3`
//! section: `getObject` (Bucket, Key),
//! `putObject` (Bucket, Key, Body: a string, or any JSON value written as its text) and
//! `listObjectsV2` (Bucket, Prefix, MaxKeys), in the SDK's response shapes. A missing bucket or
//! key fails with the SDK integration's error names, `S3.NoSuchBucketException` and
//! `S3.NoSuchKeyException`.

use super::*;
use crate::mocks::{S3Error, S3Write};

/// The most keys ListObjectsV2 gives by default, as S3 does.
const DEFAULT_MAX_KEYS: u64 = 1000;

impl Execution {
    /// The mocked S3 as the run left it: the mock file's objects and those the run wrote.
    pub fn s3(&self) -> &S3Store {
        &self.s3
    }

    /// The objects the run wrote to the mocked S3 (a ResultWriter's files, `putObject`
    /// tasks), in order.
    pub fn s3_writes(&self) -> &[S3Write] {
        self.s3.writes()
    }

    /// The mocked S3's answer to an `aws-sdk:s3` Task, if the resource is one it answers.
    pub(super) fn s3_task(
        &mut self,
        resource: &str,
        parameters: &Value,
        now: Millis,
    ) -> Option<MockResponse> {
        // Without an S3 section, a call no mock answers stays an error naming the state.
        if self.s3.is_empty() {
            return None;
        }
        let action = resource
            .strip_prefix("arn:")?
            .split_once(":states:::aws-sdk:s3:")?
            .1;
        let text = |field: &str| parameters.get(field).and_then(Value::as_str).unwrap_or("");
        let bucket = text("Bucket");
        let answer = match action {
            "getObject" => {
                let key = text("Key");
                self.s3.get(bucket, key).map(|body| {
                    let meta = self
                        .s3
                        .list(bucket, key)
                        .ok()
                        .and_then(|list| list.into_iter().find(|m| m.key == key));
                    let mut response = json!({
                        "AcceptRanges": "bytes",
                        "Body": body,
                        "ContentLength": body.len(),
                        "ContentType": "binary/octet-stream",
                        "Metadata": {},
                    });
                    if let (Some(meta), Some(fields)) = (meta, response.as_object_mut()) {
                        fields.insert("ETag".into(), json!(meta.etag));
                        fields.insert(
                            "LastModified".into(),
                            json!(crate::time::format_iso(meta.last_modified)),
                        );
                    }
                    response
                })
            }
            "putObject" => {
                let body = match parameters.get("Body") {
                    Some(Value::String(body)) => body.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let key = text("Key").to_string();
                let bucket = bucket.to_string();
                self.s3
                    .put(&bucket, &key, body, now)
                    .map(|etag| json!({"ETag": etag, "ServerSideEncryption": "AES256"}))
            }
            "listObjectsV2" => {
                let prefix = text("Prefix");
                let max_keys = parameters
                    .get("MaxKeys")
                    .and_then(Value::as_u64)
                    .unwrap_or(DEFAULT_MAX_KEYS);
                self.s3.list(bucket, prefix).map(|listed| {
                    let truncated = listed.len() as u64 > max_keys;
                    let contents: Vec<Value> = listed
                        .iter()
                        .take(usize::try_from(max_keys).unwrap_or(usize::MAX))
                        .map(|meta| meta.contents_entry())
                        .collect();
                    json!({
                        "Contents": contents,
                        "IsTruncated": truncated,
                        "KeyCount": contents.len(),
                        "MaxKeys": max_keys,
                        "Name": bucket,
                        "Prefix": prefix,
                    })
                })
            }
            _ => return None,
        };
        Some(match answer {
            Ok(value) => MockResponse::Return(value),
            Err(S3Error {
                code: "UnresolvedFile",
                message,
            }) => MockResponse::Throw {
                error: names::RUNTIME.into(),
                cause: message,
            },
            Err(S3Error { code, message }) => MockResponse::Throw {
                error: format!("S3.{code}Exception"),
                cause: format!(
                    "{message} (Service: S3, Status Code: 404, Request ID: 00000000000000000000)"
                ),
            },
        })
    }
}
