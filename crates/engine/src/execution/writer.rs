//! A Distributed Map's ResultWriter: the results of its child executions, written to the
//! mocked S3 (`mocks/s3.rs`) and summed up in the state's result, as AWS documents it.
//!
//! - `Resource` `arn:aws:states:::s3:putObject` with `Parameters` (JSONPath) or `Arguments`
//!   (JSONata) `{"Bucket", "Prefix"}` writes, under `PREFIX/RUN_ID/` (RUN_ID: the Map Run
//!   ARN's last part), `SUCCEEDED_0.json`, `FAILED_0.json` and `PENDING_0.json` (children never
//!   run), each only when it has results, then `manifest.json`:
//!   `{"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED": [{"Key", "Size"}],
//!   "PENDING": [...], "SUCCEEDED": [...]}}`, also when the Map Run fails (the children it
//!   aborted listed with the failed ones, Status `ABORTED`). The state's result is then
//!   `{"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ..., "Key": ".../manifest.json"}}`.
//! - `WriterConfig` `{"Transformation", "OutputType"}`: `NONE` (each child's execution
//!   description: ExecutionArn, Input, Output or Error and Cause, Status, dates...; the default
//!   when writing to S3), `COMPACT` (its output; the default without Resource) or `FLATTEN`
//!   (outputs that are arrays flattened into the results); a failed child is always given as
//!   with `NONE`. `OutputType` `JSON` (an array) or `JSONL` (a result per line, files named
//!   `.jsonl`). With only a WriterConfig nothing is written: the state's result is the
//!   transformed results.

use super::map_run::{ChildRecord, MapRun};
use super::*;
use crate::definition::QueryLanguage;
use crate::time::format_iso;

/// A ResultWriter, evaluated.
pub(super) struct Writer {
    /// Where to write (bucket, prefix); none with only a WriterConfig.
    destination: Option<(String, String)>,
    transformation: Transformation,
    jsonl: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Transformation {
    None,
    Compact,
    Flatten,
}

fn writer_failed(cause: impl Into<String>) -> StatesError {
    StatesError::new(names::RESULT_WRITER_FAILED, cause)
}

impl Execution {
    /// The Map's ResultWriter, evaluated, if it has one.
    pub(super) fn result_writer(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        map: &MapState,
        input: &Value,
    ) -> Result<Option<Writer>, StatesError> {
        let Some(writer) = map.result_writer.as_ref().and_then(Value::as_object) else {
            return Ok(None);
        };
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let parameters_name = if jsonata { "Arguments" } else { "Parameters" };
        let destination = match writer.get("Resource").and_then(Value::as_str) {
            None => None,
            Some(resource)
                if resource.starts_with("arn:") && resource.ends_with(":states:::s3:putObject") =>
            {
                let raw = writer.get(parameters_name).cloned().unwrap_or(json!({}));
                let location = format!("ResultWriter.{parameters_name}");
                let parameters = self.map_field(frame, run, state, &raw, &location, input)?;
                let bucket = match parameters.get("Bucket") {
                    Some(Value::String(bucket)) => bucket.clone(),
                    _ => {
                        return Err(StatesError::runtime(format!(
                            "ResultWriter: {parameters_name} must give Bucket as a string."
                        )))
                    }
                };
                let prefix = match parameters.get("Prefix") {
                    Some(Value::String(prefix)) => prefix.clone(),
                    _ => String::new(),
                };
                Some((bucket, prefix))
            }
            Some(other) => {
                return Err(StatesError::runtime(format!(
                    "ResultWriter: Resource {other} is not supported by the playground (it writes with arn:aws:states:::s3:putObject)."
                )))
            }
        };
        let config = match writer.get("WriterConfig") {
            Some(raw) if jsonata => {
                self.map_field(frame, run, state, raw, "ResultWriter.WriterConfig", input)?
            }
            Some(raw) => raw.clone(),
            None => json!({}),
        };
        let transformation = match config.get("Transformation").and_then(Value::as_str) {
            None if destination.is_some() => Transformation::None,
            None | Some("COMPACT") => Transformation::Compact,
            Some("NONE") => Transformation::None,
            Some("FLATTEN") => Transformation::Flatten,
            Some(other) => {
                return Err(StatesError::runtime(format!(
                    "ResultWriter: WriterConfig.Transformation {other} is not one of NONE, COMPACT, FLATTEN."
                )))
            }
        };
        let jsonl = match config.get("OutputType").and_then(Value::as_str) {
            None | Some("JSON") => false,
            Some("JSONL") => true,
            Some(other) => {
                return Err(StatesError::runtime(format!(
                    "ResultWriter: WriterConfig.OutputType {other} is not one of JSON, JSONL."
                )))
            }
        };
        if destination.is_none() && config.as_object().is_none_or(Map::is_empty) {
            return Err(StatesError::runtime(
                "ResultWriter needs Resource and Parameters (or Arguments), or a WriterConfig.",
            ));
        }
        Ok(Some(Writer {
            destination,
            transformation,
            jsonl,
        }))
    }

    /// Writes a Map Run's results as its ResultWriter says, at `now`, and gives the state's
    /// result.
    pub(super) fn write_results(
        &mut self,
        writer: &Writer,
        map_run: &MapRun,
        now: Millis,
    ) -> Result<Value, StatesError> {
        let records = map_run.records.as_deref().unwrap_or_default();
        let Some((bucket, prefix)) = &writer.destination else {
            let mut results = Vec::with_capacity(records.len());
            for record in records {
                push_result(&mut results, record, map_run, writer.transformation);
            }
            return Ok(Value::Array(results));
        };
        let mut succeeded = Vec::new();
        let mut failed = Vec::new();
        let mut pending = Vec::new();
        for record in records {
            let list = match &record.outcome {
                Some(Ok(_)) => &mut succeeded,
                // An aborted child is listed with the failed ones.
                Some(Err(_)) => &mut failed,
                None if record.started => &mut failed,
                None => &mut pending,
            };
            push_result(list, record, map_run, writer.transformation);
        }
        let base = if prefix.is_empty() {
            map_run.id.clone()
        } else {
            format!("{}/{}", prefix.trim_end_matches('/'), map_run.id)
        };
        let extension = if writer.jsonl { "jsonl" } else { "json" };
        let mut files = Map::new();
        for (status, results) in [
            ("FAILED", failed),
            ("PENDING", pending),
            ("SUCCEEDED", succeeded),
        ] {
            let mut entries = Vec::new();
            if !results.is_empty() {
                let key = format!("{base}/{status}_0.{extension}");
                let text = if writer.jsonl {
                    results.iter().map(|r| format!("{r}\n")).collect::<String>()
                } else {
                    Value::Array(results).to_string()
                };
                let size = text.len();
                self.put_result_object(bucket, &key, text, now)?;
                entries.push(json!({"Key": key, "Size": size}));
            }
            files.insert(status.into(), Value::Array(entries));
        }
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": map_run.arn,
            "ResultFiles": files,
        });
        let manifest_key = format!("{base}/manifest.json");
        self.put_result_object(bucket, &manifest_key, manifest.to_string(), now)?;
        Ok(json!({
            "MapRunArn": map_run.arn,
            "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key},
        }))
    }

    fn put_result_object(
        &mut self,
        bucket: &str,
        key: &str,
        text: String,
        now: Millis,
    ) -> Result<(), StatesError> {
        self.s3
            .put(bucket, key, text, now)
            .map(|_| ())
            .map_err(|e| {
                writer_failed(format!(
                "{} (Service: S3, Status Code: 404, Error Code: {}) writing s3://{bucket}/{key}",
                e.message, e.code
            ))
            })
    }
}

/// Adds a child's result, transformed: its output (COMPACT), its outputs (FLATTEN), or its
/// execution's description (NONE, and always for a failed child).
fn push_result(
    results: &mut Vec<Value>,
    record: &ChildRecord,
    map_run: &MapRun,
    transformation: Transformation,
) {
    match (&record.outcome, transformation) {
        (Some(Ok(output)), Transformation::Compact) => results.push(output.clone()),
        (Some(Ok(Value::Array(outputs))), Transformation::Flatten) => {
            results.extend(outputs.iter().cloned())
        }
        (Some(Ok(output)), Transformation::Flatten) => results.push(output.clone()),
        _ => results.push(description(record, map_run)),
    }
}

/// A child execution as a ResultWriter's NONE transformation gives it.
fn description(record: &ChildRecord, map_run: &MapRun) -> Value {
    let mut fields = Map::new();
    fields.insert("ExecutionArn".into(), json!(record.execution_arn));
    fields.insert("Input".into(), json!(record.input.to_string()));
    fields.insert("InputDetails".into(), json!({"Included": true}));
    fields.insert("Name".into(), json!(record.name));
    let (status, redrive, reason) = match &record.outcome {
        Some(Ok(output)) => {
            fields.insert("Output".into(), json!(output.to_string()));
            fields.insert("OutputDetails".into(), json!({"Included": true}));
            (
                "SUCCEEDED",
                "NOT_REDRIVABLE",
                Some("Execution is SUCCEEDED and cannot be redriven"),
            )
        }
        Some(Err(error)) => {
            if let Some(e) = &error.error {
                fields.insert("Error".into(), json!(e));
            }
            if let Some(c) = &error.cause {
                fields.insert("Cause".into(), json!(c));
            }
            ("FAILED", "REDRIVABLE_BY_MAP_RUN", None)
        }
        None if record.started => ("ABORTED", "REDRIVABLE_BY_MAP_RUN", None),
        None => ("PENDING", "NOT_REDRIVABLE", None),
    };
    fields.insert("RedriveCount".into(), json!(record.redrive_count));
    fields.insert("RedriveStatus".into(), json!(redrive));
    if let Some(reason) = reason {
        fields.insert("RedriveStatusReason".into(), json!(reason));
    }
    if record.started {
        fields.insert("StartDate".into(), json!(format_iso(record.start)));
    }
    fields.insert("StateMachineArn".into(), json!(map_run.state_machine_arn()));
    fields.insert("Status".into(), json!(status));
    if record.started {
        fields.insert("StopDate".into(), json!(format_iso(record.stop)));
    }
    Value::Object(fields)
}
