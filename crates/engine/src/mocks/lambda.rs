//! Lambda resources: recognizing them and the function they name, and the shape Step
//! Functions gives a Lambda function's error.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// How a call reaches Lambda, which decides the shape of an error's cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lambda {
    No,
    /// `"Resource": "arn:aws:lambda:...:function:NAME"`.
    FunctionArn,
    /// `"Resource": "arn:aws:states:::lambda:invoke"` (and its `.waitForTaskToken` form).
    Invoke,
}

/// `arn:<partition>:states:::lambda:invoke` with an optional `.waitForTaskToken` suffix.
pub(crate) fn is_lambda_invoke(resource: &str) -> bool {
    let parts: Vec<&str> = resource.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", _, "states", "", "", "lambda", action]
            if *action == "invoke" || action.starts_with("invoke.")
    )
}

/// `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub(crate) fn is_lambda_function_arn(resource: &str) -> bool {
    let parts: Vec<&str> = resource.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", _, "lambda", _, _, "function", name] | ["arn", _, "lambda", _, _, "function", name, _]
            if !name.is_empty()
    )
}

/// The function name in the forms Lambda accepts: `NAME`, `NAME:QUALIFIER`,
/// `ACCOUNT:function:NAME[:QUALIFIER]` and `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
pub(crate) fn lambda_function_name(reference: &str) -> Option<&str> {
    let parts: Vec<&str> = reference.split(':').collect();
    let name = match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => *name,
        [_, "function", name, ..] => *name,
        [name, ..] => *name,
        [] => return None,
    };
    (!name.is_empty()).then_some(name)
}

/// A deterministic request id in UUID form, so that runs replay identically.
pub(super) fn request_id(state_name: &str, call: u64) -> String {
    let digest = Sha256::new()
        .chain_update(state_name.as_bytes())
        .chain_update([0u8])
        .chain_update(call.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    for (byte, digest_byte) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *digest_byte;
    }
    // Version 4 and RFC 4122 variant bits, like the ids Lambda shows.
    crate::rng::uuid_v4_text(bytes)
}

/// The cause of a Lambda function's error as Step Functions shows it: the function's error
/// object as JSON text. AWS's recorded causes show it with `", "`/`": "` separators for a
/// Lambda ARN resource and compact for `lambda:invoke`.
pub(super) fn lambda_error_cause(
    error: &str,
    message: &str,
    request_id: &str,
    spaced: bool,
) -> String {
    let text = |s: &str| Value::String(s.to_string()).to_string();
    let (comma, colon) = if spaced { (", ", ": ") } else { (",", ":") };
    format!(
        "{{{q_message}{colon}{message}{comma}{q_type}{colon}{error}{comma}{q_id}{colon}{id}{comma}{q_trace}{colon}[]}}",
        q_message = text("errorMessage"),
        message = text(message),
        q_type = text("errorType"),
        error = text(error),
        q_id = text("requestId"),
        id = text(request_id),
        q_trace = text("stackTrace"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_function_names() {
        let cases = [
            ("MockAPIFunction", Some("MockAPIFunction")),
            ("MockAPIFunction:prod", Some("MockAPIFunction")),
            ("123456789012:function:F", Some("F")),
            ("123456789012:function:F:1", Some("F")),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:F",
                Some("F"),
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:F:$LATEST",
                Some("F"),
            ),
            ("", None),
        ];
        for (reference, name) in cases {
            assert_eq!(lambda_function_name(reference), name, "{reference}");
        }
    }

    #[test]
    fn lambda_function_arns() {
        assert!(is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:F"
        ));
        assert!(is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:F:prod"
        ));
        assert!(!is_lambda_function_arn("arn:aws:states:::lambda:invoke"));
        assert!(!is_lambda_function_arn(
            "arn:aws:states:::aws-sdk:lambda:invoke"
        ));
        assert!(!is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:layer:L:1"
        ));
        assert!(!is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:"
        ));
    }

    #[test]
    fn lambda_invoke_resources() {
        assert!(is_lambda_invoke("arn:aws:states:::lambda:invoke"));
        assert!(is_lambda_invoke(
            "arn:aws:states:::lambda:invoke.waitForTaskToken"
        ));
        assert!(is_lambda_invoke("arn:aws-cn:states:::lambda:invoke"));
        assert!(!is_lambda_invoke("arn:aws:states:::lambda:invokeAsync"));
        assert!(!is_lambda_invoke("arn:aws:states:::sqs:sendMessage"));
    }

    #[test]
    fn request_ids_are_stable_uuids() {
        let id = request_id("Call API", 0);
        assert_eq!(id, request_id("Call API", 0));
        assert_ne!(id, request_id("Call API", 1));
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
    }
}
