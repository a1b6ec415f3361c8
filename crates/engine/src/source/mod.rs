//! Project files: state machine definitions as projects keep them, read into the JSON definition
//! the engine parses. A definition in YAML ([`yaml`], with the `project-files` feature), its
//! `${...}` DefinitionSubstitutions ([`substitutions`]), and state machines inside
//! CloudFormation and SAM templates ([`template`]).
//!
//! Pure: no file system. The caller reads the files and hands their texts; a SAM
//! `DefinitionUri` is given back as a path for the caller to read.

pub mod substitutions;
pub mod template;
#[cfg(feature = "project-files")]
pub mod yaml;

use std::collections::HashMap;

use serde_json::Value;

use crate::definition::{parse_definition, ParsedDefinition, MAX_DEFINITION_BYTES};
pub use substitutions::{Faked, Substitutions};

/// Why a project file could not be read: the message, and where in the file when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub message: String,
    /// 1-based line and column in the file, when the error is at a place.
    pub position: Option<(u32, u32)>,
}

impl SourceError {
    pub fn new(message: impl Into<String>) -> Self {
        SourceError {
            message: message.into(),
            position: None,
        }
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{line}:{column}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The notation of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Json,
    Yaml,
}

impl SourceFormat {
    /// YAML for a `.yaml`/`.yml` name, JSON for any other (how a definition file is read:
    /// a definition's notation is never guessed from its content).
    pub fn from_name(file_name: &str) -> SourceFormat {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            SourceFormat::Yaml
        } else {
            SourceFormat::Json
        }
    }

    /// YAML for a `.yaml`/`.yml` name, or a text not starting with `{` (JSON is the rest).
    pub fn detect(file_name: &str, text: &str) -> SourceFormat {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return SourceFormat::Yaml;
        }
        if lower.ends_with(".json")
            || text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{')
        {
            SourceFormat::Json
        } else {
            SourceFormat::Yaml
        }
    }
}

/// Where each node of a value read from YAML was: JSON pointer to 1-based (line, column).
#[derive(Debug, Clone, Default)]
pub struct Positions {
    by_pointer: HashMap<String, (u32, u32)>,
}

impl Positions {
    #[cfg(feature = "project-files")]
    pub(crate) fn insert(&mut self, pointer: String, position: (u32, u32)) {
        self.by_pointer.entry(pointer).or_insert(position);
    }

    /// The position of `pointer`, or of its nearest ancestor that has one.
    pub fn find(&self, pointer: &str) -> Option<(u32, u32)> {
        let mut current = pointer;
        loop {
            if let Some(position) = self.by_pointer.get(current) {
                return Some(*position);
            }
            let (parent, _) = current.rsplit_once('/')?;
            current = parent;
        }
    }

    /// The positions under `prefix`, re-rooted there (a definition inside a template).
    pub fn under(&self, prefix: &str) -> Positions {
        let mut by_pointer = HashMap::new();
        for (pointer, position) in &self.by_pointer {
            if let Some(rest) = pointer.strip_prefix(prefix) {
                if rest.is_empty() || rest.starts_with('/') {
                    by_pointer.insert(rest.to_string(), *position);
                }
            }
        }
        Positions { by_pointer }
    }
}

/// A definition read from a project file: its JSON text, and for YAML where its nodes were.
#[derive(Debug, Clone)]
pub struct DefinitionText {
    json: String,
    positions: Option<Positions>,
    /// The placeholders given a fake value (fake ARNs asked for), with their values.
    faked: Faked,
}

impl DefinitionText {
    /// A JSON definition's text, as it is (no substitution).
    pub fn from_json(json: String) -> Self {
        DefinitionText {
            json,
            positions: None,
            faked: Faked::new(),
        }
    }

    /// Reports diagnostics at `positions` (a template's, for a `DefinitionString`: every
    /// diagnostic at the property when the text has no positions of its own).
    pub fn with_positions(mut self, positions: Option<Positions>) -> Self {
        if self.positions.is_none() {
            self.positions = positions;
        }
        self
    }

    /// The JSON text the engine parses.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The `${...}` placeholders that got a fake value, each with the value it got.
    pub fn faked(&self) -> &Faked {
        &self.faked
    }

    /// Parses the definition; for YAML, diagnostics point at the YAML file's lines and columns
    /// (those of the node named by each diagnostic's JSON pointer, or of its nearest ancestor).
    pub fn parse(&self) -> ParsedDefinition {
        let parsed = parse_definition(&self.json);
        let Some(positions) = &self.positions else {
            return parsed;
        };
        let mut diagnostics = parsed.diagnostics().to_vec();
        for diagnostic in &mut diagnostics {
            if let Some((line, column)) = positions.find(&diagnostic.pointer) {
                diagnostic.line = line;
                diagnostic.column = column;
            }
        }
        ParsedDefinition::new(parsed.into_machine(), diagnostics)
    }
}

/// Reads a definition file's text (JSON or YAML) and applies `substitutions` to it.
pub fn read_definition(
    text: &str,
    format: SourceFormat,
    substitutions: &Substitutions,
) -> Result<DefinitionText, SourceError> {
    match format {
        SourceFormat::Json => {
            let (json, faked) = substitutions.apply_to_text_noting_fakes(text)?;
            Ok(DefinitionText {
                json,
                positions: None,
                faked,
            })
        }
        // Past the quota, the engine's own diagnostic (the text is only its first bytes).
        SourceFormat::Yaml if text.len() > MAX_DEFINITION_BYTES => {
            Ok(DefinitionText::from_json(text.to_string()))
        }
        SourceFormat::Yaml => {
            let (value, positions) = read_yaml(text)?;
            definition_from_value(value, Some(positions), substitutions)
        }
    }
}

/// A definition given as a value (a template's `Definition`), with where its nodes were.
pub fn definition_from_value(
    mut value: Value,
    positions: Option<Positions>,
    substitutions: &Substitutions,
) -> Result<DefinitionText, SourceError> {
    let faked = substitutions.apply_to_value_noting_fakes(&mut value)?;
    // Compact, as CloudFormation sends a YAML definition (it counts toward the 1 MB quota).
    let json = serde_json::to_string(&value)
        .map_err(|e| SourceError::new(format!("cannot write the definition as JSON: {e}")))?;
    Ok(DefinitionText {
        json,
        positions,
        faked,
    })
}

/// Reads a JSON or YAML document (a template, a substitutions file) into a value.
pub fn read_document(
    text: &str,
    format: SourceFormat,
) -> Result<(Value, Option<Positions>), SourceError> {
    match format {
        SourceFormat::Json => serde_json::from_str(text.trim_start_matches('\u{feff}'))
            // JSON is YAML: read again for where the nodes are (when YAML is read).
            .map(|value| (value, read_yaml(text).ok().map(|(_, positions)| positions)))
            .map_err(|e| SourceError {
                message: format!("not valid JSON: {e}"),
                position: Some((
                    u32::try_from(e.line()).unwrap_or(u32::MAX),
                    u32::try_from(e.column()).unwrap_or(u32::MAX),
                )),
            }),
        SourceFormat::Yaml => read_yaml(text).map(|(value, positions)| (value, Some(positions))),
    }
}

#[cfg(feature = "project-files")]
fn read_yaml(text: &str) -> Result<(Value, Positions), SourceError> {
    yaml::read_yaml(text)
}

#[cfg(not(feature = "project-files"))]
fn read_yaml(_text: &str) -> Result<(Value, Positions), SourceError> {
    Err(SourceError::new(
        "YAML is not read in this build (the engine's `project-files` feature is off)",
    ))
}
