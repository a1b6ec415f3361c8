//! A Distributed Map's ItemReader: the items it reads from the mocked S3 (`mocks/s3.rs`).
//!
//! - `arn:aws:states:::s3:getObject` with `Parameters` (JSONPath) or `Arguments` (JSONata)
//!   `{"Bucket", "Key"}` reads one object, as its ReaderConfig's `InputType` says: `JSON` (an
//!   array), `JSONL` (a value per line), `CSV` (each row an object of strings keyed by the
//!   headers: the first row's with `CSVHeaderLocation` `FIRST_ROW`, the default, or
//!   `CSVHeaders` with `GIVEN`; `CSVDelimiter` `COMMA` (default), `PIPE`, `SEMICOLON`, `SPACE`
//!   or `TAB`), or `MANIFEST` (an S3 Inventory `manifest.json`: the rows of the CSV files it
//!   lists, keyed by its `fileSchema`; the mocked files hold their text uncompressed);
//! - `arn:aws:states:::s3:listObjectsV2` with `{"Bucket", "Prefix"}` gives each object's
//!   metadata (see [`crate::mocks::S3ObjectMeta::item`]).
//!
//! `MaxItems` (or `MaxItemsPath`, read from the state's input; a JSONata expression in a
//! JSONata state) keeps the first items. An object that cannot be read or parsed fails the
//! state with States.ItemReaderFailed, which Retry and Catch see. What is not supported
//! (`PARQUET`, Athena manifests, other resources) fails naming the field.
//!
//! Each item's `$$.Map.Item.Source` (in ItemSelector) is `s3://BUCKET/KEY` for an object's
//! items, `s3://BUCKET` for ListObjectsV2's, `STATE_DATA` for items of the state's input.

use super::csv;
use super::*;
use crate::definition::QueryLanguage;
use crate::jsonata::JsonataValue;

/// A Map's items, and for a distributed Map where they come from (`$$.Map.Item.Source`).
pub(super) struct ReadItems {
    pub(super) items: Vec<Value>,
    pub(super) source: Option<String>,
}

/// AWS's bound on MaxItems.
const MAX_ITEMS_LIMIT: u64 = 100_000_000;

/// How many items an ItemReader may read: not an AWS quota but the simulator's bound, so that
/// a big object fails with a message rather than filling the memory (a Map Run of more child
/// executions than [`super::MAX_SILENT_ACTIONS_IN_A_ROW`] allows fails anyway; batches let a
/// million items run in fewer).
pub const MAX_ITEM_READER_ITEMS: usize = 1_000_000;

/// The ReaderConfig fields read here.
const READER_CONFIG_FIELDS: &[&str] = &[
    "InputType",
    "CSVHeaderLocation",
    "CSVHeaders",
    "CSVDelimiter",
    "MaxItems",
    "MaxItemsPath",
];

fn reader_failed(cause: impl Into<String>) -> StatesError {
    StatesError::new(names::ITEM_READER_FAILED, cause)
}

/// A field of the reader that the playground does not run: fails loudly, naming it.
fn unsupported(field: &str, value: &str) -> StatesError {
    StatesError::runtime(format!(
        "ItemReader: {field} {value} is not supported by the playground (it reads JSON, JSONL, CSV and MANIFEST objects with s3:getObject, and objects with s3:listObjectsV2)."
    ))
}

impl Execution {
    /// Evaluates a field of a Map's ItemReader, ItemBatcher or ResultWriter as the state's
    /// language does: a JSONPath template (`.$` keys) against the effective input, or JSONata
    /// (`{% %}` strings) with `$states`.
    pub(super) fn map_field(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        raw: &Value,
        location: &str,
        input: &Value,
    ) -> Result<Value, StatesError> {
        if state.query_language == QueryLanguage::Jsonata {
            let value = JsonataValue::new(raw.clone());
            let states = self.states_binding(frame, run, None, None, None);
            return self.jsonata_template(frame, run, &value, location, &states);
        }
        let context = if template::reads_context(raw) {
            self.context(frame, run, None)
        } else {
            Value::Null
        };
        let mut env = EvalEnv {
            input,
            context: &context,
            rng: &mut self.rng,
            variables: Some(&frame.variables),
        };
        template::evaluate(raw, &mut env)
    }

    /// The items of the Map's ItemReader, if it has one.
    pub(super) fn read_items(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        map: &MapState,
        input: &Value,
    ) -> Result<Option<ReadItems>, StatesError> {
        let Some(reader) = map.item_reader.as_ref().and_then(Value::as_object) else {
            return Ok(None);
        };
        let resource = reader
            .get("Resource")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let parameters_name = if state.query_language == QueryLanguage::Jsonata {
            "Arguments"
        } else {
            "Parameters"
        };
        let parameters = match reader.get(parameters_name) {
            Some(raw) => self.map_field(
                frame,
                run,
                state,
                raw,
                &format!("ItemReader.{parameters_name}"),
                input,
            )?,
            None => json!({}),
        };
        let config = match reader.get("ReaderConfig") {
            Some(raw) if state.query_language == QueryLanguage::Jsonata => {
                self.map_field(frame, run, state, raw, "ItemReader.ReaderConfig", input)?
            }
            Some(raw) => raw.clone(),
            None => json!({}),
        };
        let Some(config) = config.as_object() else {
            return Err(StatesError::runtime(
                "ItemReader: ReaderConfig must be an object.",
            ));
        };
        if let Some(field) = config
            .keys()
            .find(|k| !READER_CONFIG_FIELDS.contains(&k.as_str()))
        {
            return Err(unsupported("ReaderConfig field", field));
        }
        let max_items = self.max_items(frame, config, input)?;
        // Reading stops at MaxItems, or one past the simulator's bound.
        let limit = max_items
            .map_or(usize::MAX, |max| usize::try_from(max).unwrap_or(usize::MAX))
            .min(MAX_ITEM_READER_ITEMS.saturating_add(1));
        let bucket = text_field(&parameters, "Bucket", parameters_name)?;
        let action = resource.rsplit(':').next().unwrap_or_default();
        if !resource.starts_with("arn:") || !resource.contains(":states:::s3:") {
            return Err(unsupported("Resource", resource));
        }
        let mut read = match action {
            "getObject" => {
                let key = text_field(&parameters, "Key", parameters_name)?;
                let input_type = config
                    .get("InputType")
                    .and_then(Value::as_str)
                    .unwrap_or("JSON");
                let items = self.read_object(&bucket, &key, input_type, config, limit)?;
                ReadItems {
                    items,
                    source: Some(format!("s3://{bucket}/{key}")),
                }
            }
            "listObjectsV2" => {
                let prefix = match parameters.get("Prefix") {
                    Some(Value::String(prefix)) => prefix.clone(),
                    _ => String::new(),
                };
                let listed = self
                    .s3
                    .list(&bucket, &prefix)
                    .map_err(|e| s3_read_error(&bucket, None, &e))?;
                ReadItems {
                    items: listed.iter().map(|meta| meta.item()).collect(),
                    source: Some(format!("s3://{bucket}")),
                }
            }
            _ => return Err(unsupported("Resource", resource)),
        };
        read.items.truncate(limit);
        if read.items.len() > MAX_ITEM_READER_ITEMS {
            return Err(StatesError::runtime(format!(
                "The ItemReader read more than {MAX_ITEM_READER_ITEMS} items, more than the simulator runs in one Map Run: set ReaderConfig.MaxItems, or run fewer items."
            )));
        }
        Ok(Some(read))
    }

    /// ReaderConfig's MaxItems or MaxItemsPath: a positive integer up to 100,000,000.
    fn max_items(
        &mut self,
        frame: &Frame,
        config: &Map<String, Value>,
        input: &Value,
    ) -> Result<Option<u64>, StatesError> {
        let (value, field) = match (config.get("MaxItems"), config.get("MaxItemsPath")) {
            (Some(value), _) => (value.clone(), "MaxItems"),
            (None, Some(Value::String(path))) => {
                let compiled = crate::paths::Path::parse(path)
                    .map_err(|e| StatesError::runtime(format!("Invalid path '{path}' : {e}")))?;
                let value = compiled
                    .query(input, &Value::Null, Some(&frame.variables))
                    .map_err(|e| {
                        StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
                    })?;
                (value, "MaxItemsPath")
            }
            (None, Some(_)) => {
                return Err(StatesError::runtime(
                    "ItemReader: ReaderConfig.MaxItemsPath must be a path.",
                ))
            }
            (None, None) => return Ok(None),
        };
        match value.as_u64() {
            Some(n) if n <= MAX_ITEMS_LIMIT => Ok(Some(n)),
            _ => Err(StatesError::runtime(format!(
                "ItemReader: ReaderConfig.{field} must be an integer from 0 to {MAX_ITEMS_LIMIT}, not {}",
                paths::compact(&value)
            ))),
        }
    }

    /// The items of one object, parsed as `input_type` says.
    fn read_object(
        &self,
        bucket: &str,
        key: &str,
        input_type: &str,
        config: &Map<String, Value>,
        limit: usize,
    ) -> Result<Vec<Value>, StatesError> {
        let text = self
            .s3
            .get(bucket, key)
            .map_err(|e| s3_read_error(bucket, Some(key), &e))?;
        match input_type {
            "JSON" => match serde_json::from_str::<Value>(text) {
                Ok(Value::Array(items)) => Ok(items),
                Ok(_) => Err(reader_failed("Attempting to map over non-iterable node.")),
                Err(e) => Err(reader_failed(format!(
                    "The object s3://{bucket}/{key} is not valid JSON: {e}"
                ))),
            },
            "JSONL" => text
                .lines()
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .take(limit)
                .map(|(index, line)| {
                    serde_json::from_str(line).map_err(|e| {
                        reader_failed(format!(
                            "Line {} of the object s3://{bucket}/{key} is not valid JSON: {e}",
                            index.saturating_add(1)
                        ))
                    })
                })
                .collect(),
            "CSV" => {
                let headers = match config.get("CSVHeaderLocation").and_then(Value::as_str) {
                    None | Some("FIRST_ROW") => None,
                    Some("GIVEN") => Some(given_headers(config)?),
                    Some(other) => return Err(unsupported("CSVHeaderLocation", other)),
                };
                let delimiter = delimiter(config)?;
                let object = format!("s3://{bucket}/{key}");
                csv_items(text, delimiter, headers, &object, limit)
            }
            "MANIFEST" => self.read_manifest(text, limit),
            other => Err(unsupported("InputType", other)),
        }
    }

    /// The rows of the CSV files an S3 Inventory manifest lists, keyed by its fileSchema.
    fn read_manifest(&self, text: &str, limit: usize) -> Result<Vec<Value>, StatesError> {
        let manifest: Value = serde_json::from_str(text)
            .map_err(|e| reader_failed(format!("The manifest is not valid JSON: {e}")))?;
        let format = manifest.get("fileFormat").and_then(Value::as_str);
        if format != Some("CSV") {
            return Err(unsupported(
                "S3 Inventory fileFormat",
                &paths::compact(manifest.get("fileFormat").unwrap_or(&Value::Null)),
            ));
        }
        let schema: Vec<String> = manifest
            .get("fileSchema")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split(',')
            .map(|name| name.trim().to_string())
            .collect();
        let bucket = manifest
            .get("destinationBucket")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let bucket = bucket.strip_prefix("arn:aws:s3:::").unwrap_or(bucket);
        let mut items = Vec::new();
        let files = manifest
            .get("files")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for file in files {
            let Some(key) = file.get("key").and_then(Value::as_str) else {
                return Err(reader_failed("A file of the manifest has no key."));
            };
            let data = self
                .s3
                .get(bucket, key)
                .map_err(|e| s3_read_error(bucket, Some(key), &e))?;
            if items.len() >= limit {
                break;
            }
            let room = limit.saturating_sub(items.len());
            let object = format!("s3://{bucket}/{key}");
            items.extend(csv_items(data, ',', Some(schema.clone()), &object, room)?);
        }
        Ok(items)
    }
}

/// A string field of the evaluated Parameters or Arguments.
fn text_field(
    parameters: &Value,
    field: &str,
    parameters_name: &str,
) -> Result<String, StatesError> {
    match parameters.get(field) {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(StatesError::runtime(format!(
            "ItemReader: {parameters_name} must give {field} as a string."
        ))),
    }
}

/// The error of an S3 read that failed: States.ItemReaderFailed with S3's words, or for an
/// object the engine cannot read (a mock file's `file` entry not read by the CLI) a
/// States.Runtime naming it.
fn s3_read_error(bucket: &str, key: Option<&str>, error: &crate::mocks::S3Error) -> StatesError {
    if error.code == "UnresolvedFile" {
        return StatesError::runtime(error.message.clone());
    }
    let status = 404;
    let object = match key {
        Some(key) => format!("s3://{bucket}/{key}"),
        None => format!("s3://{bucket}"),
    };
    reader_failed(format!(
        "{} (Service: S3, Status Code: {status}, Error Code: {}) reading {object}",
        error.message, error.code
    ))
}

fn given_headers(config: &Map<String, Value>) -> Result<Vec<String>, StatesError> {
    let headers = config.get("CSVHeaders").and_then(Value::as_array);
    let Some(headers) = headers else {
        return Err(StatesError::runtime(
            "ItemReader: CSVHeaderLocation GIVEN needs CSVHeaders, a list of strings.",
        ));
    };
    headers
        .iter()
        .map(|h| {
            h.as_str().map(str::to_string).ok_or_else(|| {
                StatesError::runtime("ItemReader: CSVHeaders must be a list of strings.")
            })
        })
        .collect()
}

fn delimiter(config: &Map<String, Value>) -> Result<char, StatesError> {
    Ok(match config.get("CSVDelimiter").and_then(Value::as_str) {
        None | Some("COMMA") => ',',
        Some("PIPE") => '|',
        Some("SEMICOLON") => ';',
        Some("SPACE") => ' ',
        Some("TAB") => '\t',
        Some(other) => return Err(unsupported("CSVDelimiter", other)),
    })
}

/// Each row of a CSV text as an object of strings keyed by the headers (the first row's when
/// none are given). A row with another number of fields fails.
fn csv_items(
    text: &str,
    delimiter: char,
    headers: Option<Vec<String>>,
    object: &str,
    limit: usize,
) -> Result<Vec<Value>, StatesError> {
    // The header row, when read from the text, comes first.
    let max_rows = limit.saturating_add(usize::from(headers.is_none()));
    let mut rows = csv::rows(text, delimiter, max_rows)
        .map_err(|e| reader_failed(format!("The CSV object {object} is malformed: {e}.")))?
        .into_iter();
    let headers = match headers {
        Some(headers) => headers,
        None => match rows.next() {
            Some((_, headers)) => headers,
            None => return Ok(Vec::new()),
        },
    };
    rows.map(|(line, fields)| {
        if fields.len() != headers.len() {
            return Err(reader_failed(format!(
                "The CSV object {object} has {} fields on line {line}, not {} as its headers.",
                fields.len(),
                headers.len()
            )));
        }
        Ok(Value::Object(
            headers
                .iter()
                .cloned()
                .zip(fields.into_iter().map(Value::String))
                .collect(),
        ))
    })
    .collect()
}
