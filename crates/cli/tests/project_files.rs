//! `sfn-play` on project files: a SAM template whose state machine is a YAML file named by
//! `DefinitionUri`, with DefinitionSubstitutions from the template and the command line.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sfn-play");

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrderMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/order.asl.yaml
      DefinitionSubstitutions:
        CheckFunctionArn: !GetAtt CheckFunction.Arn
        Stage: dev
  CheckFunction:
    Type: AWS::Serverless::Function
"#;

const DEFINITION: &str = r#"StartAt: Describe
States:
  Describe:
    Type: Pass
    Parameters:
      function: ${CheckFunctionArn}
      stage: ${Stage}
      order.$: $.order
    Next: Done
  Done:
    Type: Succeed
"#;

fn sfn_play(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(BIN).args(args).output().expect("run sfn-play");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn write_project(dir: &Path, definition: &str) -> String {
    std::fs::create_dir_all(dir.join("statemachine")).unwrap();
    std::fs::write(dir.join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.join("statemachine/order.asl.yaml"), definition).unwrap();
    dir.join("template.yaml").to_string_lossy().into_owned()
}

#[test]
fn runs_a_sam_template_with_its_substitutions() {
    let dir = std::env::temp_dir().join(format!("sfn-play-sam-{}", std::process::id()));
    let template = write_project(&dir, DEFINITION);
    let (code, stdout, stderr) = sfn_play(&[
        "run",
        "--template",
        &template,
        "--sub",
        "Stage=prod",
        "--input",
        r#"{"order": 7}"#,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let output: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        output,
        serde_json::json!({
            "function": "arn:aws:lambda:us-east-1:123456789012:function:CheckFunction",
            "stage": "prod",
            "order": 7
        })
    );

    // A mistake in the YAML file is reported at its line and column in that file.
    write_project(&dir, &DEFINITION.replace("Next: Done", "Next: Nowhere"));
    let (code, stdout, _) = sfn_play(&["validate", "--template", &template]);
    assert_eq!(code, 1);
    let definition = dir.join("statemachine/order.asl.yaml");
    assert!(
        stdout.starts_with(&format!(
            "{}:9:5: error: MISSING_TRANSITION_TARGET",
            definition.display()
        )),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A JSON template (CDK's shape): a mistake in an inline Definition is at the template's line;
/// one in a DefinitionString (a Fn::Join) at the property's.
#[test]
fn validates_a_json_template_with_positions_in_it() {
    let dir = std::env::temp_dir().join(format!("sfn-play-cfn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = dir.join("Stack.template.json");
    std::fs::write(
        &template,
        r#"{
  "Resources": {
    "Fn": {"Type": "AWS::Lambda::Function"},
    "Joined": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "DefinitionString": {"Fn::Join": ["", ["{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"", {"Fn::GetAtt": ["Fn", "Arn"]}, "\",\"Next\":\"B\"}}}"]]}
      }
    },
    "Inline": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pas", "End": true}}}
      }
    }
  }
}
"#,
    )
    .unwrap();
    let path = template.to_string_lossy().into_owned();
    let (code, stdout, _) = sfn_play(&["validate", "--template", &path, "--logical-id", "Inline"]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(&format!("{path}:13:57: error: SCHEMA_VALIDATION_FAILED")),
        "{stdout}"
    );
    let (code, stdout, _) = sfn_play(&["validate", "--template", &path, "--logical-id", "Joined"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!("{path}:7:9: error: MISSING_TRANSITION_TARGET")),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
