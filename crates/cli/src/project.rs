//! Project files on the command line: a definition in YAML, `${...}` DefinitionSubstitutions
//! (`--sub NAME=VALUE`, `--subs FILE`, `--fake-arns`) and a state machine read straight from a
//! CloudFormation or SAM template (`--template FILE`, `--logical-id ID`). The reading itself is
//! the engine's (`sfn_engine::source`); this reads the files it names.

use std::path::{Path, PathBuf};

use sfn_engine::source::template::{find_state_machine, TemplateDefinition};
use sfn_engine::source::{
    definition_from_value, read_definition as read_source, read_document, DefinitionText,
    SourceError, SourceFormat, Substitutions,
};

use crate::args::UsageError;
use crate::commands::{exit, CliError};
use crate::read::{read_definition, read_text_within};

/// The most bytes a template or a substitutions file may hold (a CloudFormation template body
/// in S3 may be 1 MB; CDK's are within it).
const MAX_PROJECT_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The project-file options of `run` and `validate`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectArgs {
    /// `--template FILE`: the definition is a template's state machine.
    pub template: Option<PathBuf>,
    pub logical_id: Option<String>,
    /// `--sub NAME=VALUE`, in order (a later one wins).
    pub subs: Vec<(String, String)>,
    pub subs_files: Vec<PathBuf>,
    pub fake_arns: bool,
}

/// The options of this module, and whether each takes a value.
pub const FLAGS: [(&str, bool); 5] = [
    ("--template", true),
    ("--logical-id", true),
    ("--sub", true),
    ("--subs", true),
    ("--fake-arns", false),
];

impl ProjectArgs {
    /// Takes one of [`FLAGS`] (`value` is its value when it takes one).
    pub fn set(&mut self, name: &str, value: Option<String>) -> Result<(), UsageError> {
        let value = value.unwrap_or_default();
        match name {
            "--template" => self.template = Some(PathBuf::from(value)),
            "--logical-id" => self.logical_id = Some(value),
            "--sub" => {
                let (key, text) = value
                    .split_once('=')
                    .ok_or_else(|| UsageError(format!("--sub needs NAME=VALUE, got '{value}'")))?;
                self.subs.push((key.to_string(), text.to_string()));
            }
            "--subs" => self.subs_files.push(PathBuf::from(value)),
            _ => self.fake_arns = true,
        }
        Ok(())
    }

    /// Whether any option was given (a JSON definition without them is read as it always was).
    fn any(&self) -> bool {
        self.template.is_some()
            || !self.subs.is_empty()
            || !self.subs_files.is_empty()
            || self.fake_arns
    }

    /// Checks the options together: `--logical-id` needs `--template`.
    pub fn check(&self) -> Result<(), UsageError> {
        if self.logical_id.is_some() && self.template.is_none() {
            return Err(UsageError("--logical-id needs --template".into()));
        }
        Ok(())
    }
}

fn source_error(path: &Path, error: SourceError) -> CliError {
    CliError {
        code: exit::DEFINITION_INVALID,
        message: match error.position {
            Some((line, column)) => {
                format!("{}:{line}:{column}: {}", path.display(), error.message)
            }
            None => format!("{}: {}", path.display(), error.message),
        },
    }
}

/// Reads the definition `path` names (or the template's state machine): the file diagnostics
/// are reported against, and the definition.
pub fn read(path: &Path, project: &ProjectArgs) -> Result<(PathBuf, DefinitionText), CliError> {
    if !project.any() {
        let text = read_definition(path)?;
        let format = SourceFormat::from_name(&path.to_string_lossy());
        if format == SourceFormat::Json {
            return Ok((path.to_path_buf(), DefinitionText::from_json(text)));
        }
        let definition =
            read_source(&text, format, &Substitutions::new()).map_err(|e| source_error(path, e))?;
        return Ok((path.to_path_buf(), definition));
    }
    let mut substitutions = Substitutions::new();
    substitutions.fake_arns = project.fake_arns;
    let Some(template_path) = &project.template else {
        add_cli_substitutions(&mut substitutions, project)?;
        let text = read_definition(path)?;
        let format = SourceFormat::from_name(&path.to_string_lossy());
        let definition =
            read_source(&text, format, &substitutions).map_err(|e| source_error(path, e))?;
        return Ok((path.to_path_buf(), definition));
    };
    let text = read_text_within(
        template_path,
        "template file",
        MAX_PROJECT_FILE_BYTES,
        "the bound on a template",
    )?;
    // By content: a template named `.json` may hold YAML, as SAM's `template.yaml` may JSON.
    let format = SourceFormat::detect("", &text);
    let (template, positions) =
        read_document(&text, format).map_err(|e| source_error(template_path, e))?;
    let machine = find_state_machine(&template, project.logical_id.as_deref())
        .map_err(|e| CliError::usage(format!("{}: {}", template_path.display(), e.message)))?;
    // The template's DefinitionSubstitutions first; the command line's replace them.
    for (name, value) in &machine.substitutions {
        substitutions.insert(name.clone(), value.clone());
    }
    add_cli_substitutions(&mut substitutions, project)?;
    match machine.definition {
        TemplateDefinition::Object { value, pointer } => {
            let positions = positions.map(|p| p.under(&pointer));
            let definition = definition_from_value(value, positions, &substitutions)
                .map_err(|e| source_error(template_path, e))?;
            Ok((template_path.clone(), definition))
        }
        TemplateDefinition::Text { text, pointer } => {
            let definition = read_source(&text, SourceFormat::Json, &substitutions)
                .map_err(|e| source_error(template_path, e))?
                .with_positions(positions.map(|p| p.under(&pointer)));
            Ok((template_path.clone(), definition))
        }
        TemplateDefinition::Uri(uri) => {
            let definition_path = template_path
                .parent()
                .unwrap_or_else(|| Path::new(""))
                .join(uri);
            let text = read_definition(&definition_path)?;
            let format = SourceFormat::from_name(&definition_path.to_string_lossy());
            let definition = read_source(&text, format, &substitutions)
                .map_err(|e| source_error(&definition_path, e))?;
            Ok((definition_path, definition))
        }
    }
}

/// `--subs` files in order, then each `--sub`.
fn add_cli_substitutions(
    substitutions: &mut Substitutions,
    project: &ProjectArgs,
) -> Result<(), CliError> {
    for file in &project.subs_files {
        let text = read_text_within(
            file,
            "substitutions file",
            MAX_PROJECT_FILE_BYTES,
            "the bound on a substitutions file",
        )?;
        let format = SourceFormat::detect(&file.to_string_lossy(), &text);
        let (object, _) = read_document(&text, format).map_err(|e| source_error(file, e))?;
        substitutions
            .insert_object(&object)
            .map_err(|e| CliError::usage(format!("{}: {}", file.display(), e.message)))?;
    }
    for (name, value) in &project.subs {
        substitutions.insert(name.clone(), value.clone());
    }
    Ok(())
}
