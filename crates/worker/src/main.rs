//! The engine's Web Worker: receives [`ToWorker`] requests from the page and answers each with
//! one [`FromWorker`] message (see [`Service`]). The page terminates this worker to stop a run,
//! so nothing here has to be interruptible.

use std::cell::RefCell;

use serde::Serialize;
use sfn_playground_data::protocol::{FromWorker, ToWorker};
use sfn_worker::service::Service;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    static SERVICE: RefCell<Service> = RefCell::new(Service::new());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    match msg.serialize(&serializer) {
        Ok(value) => {
            // Posting only fails for values that cannot be cloned, which these are not.
            let _ = scope().post_message(&value);
        }
        Err(e) => {
            let problem = FromWorker::Rejected {
                problems: vec![format!("The engine's answer could not be sent: {e}")],
            };
            if let Ok(value) = problem.serialize(&serializer) {
                let _ = scope().post_message(&value);
            }
        }
    }
}

fn main() {
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|ev: MessageEvent| {
        let reply = match serde_wasm_bindgen::from_value::<ToWorker>(ev.data()) {
            Ok(request) => SERVICE.with(|s| s.borrow_mut().handle(request)),
            Err(e) => FromWorker::Rejected {
                problems: vec![format!("The engine got a request it cannot read: {e}")],
            },
        };
        post(&reply);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromWorker::Ready);
}
