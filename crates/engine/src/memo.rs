//! What one read has compiled so far, by text: a definition repeats its paths, intrinsic
//! calls and JSONata expressions (the same `$.value` in hundreds of states), and each is
//! compiled once per read (validation included) and shared. Scoped to the read (a definition, a template), dropped with it: no text is kept
//! across reads.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::intrinsics::IntrinsicCall;
use crate::jsonata::{Expression, JsonataError};
use crate::paths::Path;

/// The paths and calls compiled during one read. Failures are not kept: they are reported once
/// where they are, and the read fails.
#[derive(Default)]
pub struct CompileMemo {
    paths: FxHashMap<Rc<str>, Path>,
    calls: FxHashMap<Rc<str>, IntrinsicCall>,
    expressions: FxHashMap<Rc<str>, Expression>,
}

impl CompileMemo {
    /// The compiled JSONPath `text` ([`Path::parse`]), shared with its earlier occurrences.
    pub fn path(&mut self, text: &str) -> Result<Path, String> {
        if let Some(path) = self.paths.get(text) {
            return Ok(path.clone());
        }
        let path = Path::parse(text)?;
        self.paths.insert(path.shared_text(), path.clone());
        Ok(path)
    }

    /// The compiled reference path `text` ([`Path::parse_reference`]).
    pub fn reference_path(&mut self, text: &str) -> Result<Path, String> {
        let path = self.path(text)?;
        path.check_reference()?;
        Ok(path)
    }

    /// The parsed intrinsic call `text` ([`IntrinsicCall::parse`]), shared with its earlier
    /// occurrences; the paths in its arguments go through this memo too.
    pub fn call(&mut self, text: &str) -> Result<IntrinsicCall, String> {
        if let Some(call) = self.calls.get(text) {
            return Ok(call.clone());
        }
        let call = IntrinsicCall::parse_in(text, self)?;
        self.calls.insert(call.shared_text(), call.clone());
        Ok(call)
    }

    /// The parsed JSONata expression `text` (the whole `{% ... %}` string,
    /// [`Expression::parse`]), shared with its earlier occurrences.
    pub fn expression(&mut self, text: &str) -> Result<Expression, JsonataError> {
        if let Some(expression) = self.expressions.get(text) {
            return Ok(expression.clone());
        }
        let expression = Expression::parse(text)?;
        self.expressions
            .insert(expression.shared_text(), expression.clone());
        Ok(expression)
    }
}
