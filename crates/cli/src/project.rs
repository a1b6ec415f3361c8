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

use crate::commands::{exit, CliError};
use crate::read::{read_definition, read_text_within};

/// The most bytes a template or a substitutions file may hold (a CloudFormation template body
/// in S3 may be 1 MB; CDK's are within it).
const MAX_PROJECT_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The project-file options of `run` and `validate`.
#[derive(Debug, Clone, PartialEq, Default, clap::Args)]
#[command(next_help_heading = "Project files")]
pub struct ProjectArgs {
    /// Read the state machine from a CloudFormation or SAM template instead of a definition file
    ///
    /// The template is JSON or YAML; its Definition, DefinitionString, DefinitionUri (a local
    /// path) and DefinitionSubstitutions are read.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Which state machine of the template [default: its only one]
    // `requires` alone lets `DEF --logical-id ID` through: clap waives a requirement that
    // conflicts with an argument given (the definition file conflicts with --template).
    #[arg(
        long,
        value_name = "ID",
        requires = "template",
        conflicts_with = "definition"
    )]
    pub logical_id: Option<String>,
    /// Replace ${NAME} in the definition, as DefinitionSubstitutions do (repeatable)
    ///
    /// A later one wins; a YAML definition's placeholders always need a value.
    #[arg(long = "sub", value_name = "NAME=VALUE", value_parser = parse_sub)]
    pub subs: Vec<(String, String)>,
    /// A JSON or YAML object of NAME: VALUE substitutions (repeatable)
    #[arg(long = "subs", value_name = "FILE")]
    pub subs_files: Vec<PathBuf>,
    /// Give every ${NAME} left a plausible fake ARN instead of an error
    #[arg(long)]
    pub fake_arns: bool,
}

/// `--sub NAME=VALUE` (the value may hold `=`, as an ARN may).
fn parse_sub(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .ok_or_else(|| "expected NAME=VALUE".to_string())
}

impl ProjectArgs {
    /// Whether any option was given (a JSON definition without them is read as it always was).
    fn any(&self) -> bool {
        self.template.is_some()
            || !self.subs.is_empty()
            || !self.subs_files.is_empty()
            || self.fake_arns
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

/// Reads the definition file (or with `--template` the template's state machine): the file
/// diagnostics are reported against, and the definition.
pub fn read(
    definition: Option<&Path>,
    project: &ProjectArgs,
) -> Result<(PathBuf, DefinitionText), CliError> {
    // The command line gives one of them (clap requires it).
    let path = match (definition, &project.template) {
        (Some(path), _) => path,
        (None, Some(template)) => template,
        (None, None) => return Err(CliError::usage("give a definition file or --template")),
    };
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
