//! The wasm side's exports (`wasm-bindgen --target nodejs`), used by `bench/runners/wasm.mjs`.
//! JavaScript times one call of [`validate`] or [`WasmExecution::run`]; preparing and reading
//! the summary stay outside the timed part, as in the native runner. They compile natively too,
//! so clippy checks them.

use wasm_bindgen::prelude::*;

use sfn_engine::Execution;

use crate::Prepared;

/// Parses and validates a definition: the number of top-level states, or an error.
#[wasm_bindgen]
pub fn validate(definition: &str) -> Result<u32, JsError> {
    crate::validate(definition)
        .map(|n| n as u32)
        .map_err(|e| JsError::new(&e))
}

/// One execution: prepared by the constructor, run by [`WasmExecution::run`] (the timed part),
/// then summarised.
#[wasm_bindgen]
pub struct WasmExecution {
    prepared: Option<Prepared>,
    finished: Option<Execution>,
}

#[wasm_bindgen]
impl WasmExecution {
    /// `input` and `mocks` may be empty strings.
    #[wasm_bindgen(constructor)]
    pub fn new(definition: &str, input: &str, mocks: &str) -> Result<WasmExecution, JsError> {
        let prepared = Prepared::new(definition, input, mocks).map_err(|e| JsError::new(&e))?;
        Ok(WasmExecution {
            prepared: Some(prepared),
            finished: None,
        })
    }

    /// Runs the execution to its end (once).
    pub fn run(&mut self) -> Result<(), JsError> {
        let prepared = self
            .prepared
            .take()
            .ok_or_else(|| JsError::new("this execution has already run"))?;
        self.finished = Some(prepared.run());
        Ok(())
    }

    /// The summary as JSON text (see [`crate::summary`]).
    pub fn summary(&self) -> Result<String, JsError> {
        let execution = self
            .finished
            .as_ref()
            .ok_or_else(|| JsError::new("this execution has not run yet"))?;
        Ok(crate::summary(execution).to_string())
    }
}
