//! The code editors: CodeMirror 6 (bundled from npm by esbuild into editor/dist/editor.js)
//! wrapped as a Leptos component. The component owns nothing but the view: the text lives in a
//! signal, and diagnostics come in as marks.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

// The path is from this crate's folder, where `editor` is a symbolic link to the repository's
// editor/ (wasm-bindgen takes no `..` here: the path also names the bundle's copy in the build).
#[wasm_bindgen(module = "/editor/dist/editor.js")]
extern "C" {
    /// A CodeMirror `EditorView`.
    #[derive(Clone)]
    pub type EditorView;

    #[wasm_bindgen(js_name = createEditor)]
    fn create_editor(
        parent: &web_sys::HtmlElement,
        text: &str,
        label: &str,
        on_change: &js_sys::Function,
        on_run: &js_sys::Function,
    ) -> EditorView;

    #[wasm_bindgen(js_name = getText)]
    fn get_text(view: &EditorView) -> String;

    #[wasm_bindgen(js_name = setText)]
    fn set_text(view: &EditorView, text: &str);

    #[wasm_bindgen(js_name = showDiagnostics)]
    fn show_diagnostics(view: &EditorView, items: JsValue);

    #[wasm_bindgen(js_name = focusAt)]
    fn focus_at(view: &EditorView, line: u32, column: u32);
}

pub use crate::protocol::{json_syntax_mark, Mark};

/// Something that asks an editor to move its cursor: (line, column), bumped on each request.
pub type FocusRequest = RwSignal<Option<(u32, u32, u64)>>;

/// A JSON editor bound to `text`. `marks` are shown as lint marks; `on_run` is Ctrl/Cmd+Enter.
#[component]
pub fn CodeEditor(
    /// The accessible name of the editing area.
    label: &'static str,
    text: RwSignal<String>,
    #[prop(into)] marks: Signal<Vec<Mark>>,
    on_run: Callback<()>,
    #[prop(optional)] focus: Option<FocusRequest>,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let view = StoredValue::new_local(None::<EditorView>);
    // Set once the editor exists, so the effects below run again then.
    let ready = RwSignal::new(false);

    // Create the editor once the host element exists.
    Effect::new(move |_| {
        let Some(el) = host.get() else { return };
        if view.with_value(Option::is_some) {
            return;
        }
        let on_change = Closure::<dyn Fn(String)>::new(move |t: String| {
            if text.get_untracked() != t {
                text.set(t);
            }
        });
        let on_run_js = Closure::<dyn Fn()>::new(move || on_run.run(()));
        let initial = text.get_untracked();
        let created = create_editor(
            &el,
            &initial,
            label,
            on_change.as_ref().unchecked_ref(),
            on_run_js.as_ref().unchecked_ref(),
        );
        // The editor calls these for as long as the page lives.
        on_change.forget();
        on_run_js.forget();
        view.set_value(Some(created));
        ready.set(true);
    });

    // Text set from outside (an example, Format, a shared link) replaces the document.
    Effect::new(move |_| {
        let t = text.get();
        ready.track();
        view.with_value(|v| {
            if let Some(v) = v {
                if get_text(v) != t {
                    set_text(v, &t);
                }
            }
        });
    });

    Effect::new(move |_| {
        let items = marks.get();
        ready.track();
        view.with_value(|v| {
            if let Some(v) = v {
                if let Ok(js) = serde_wasm_bindgen::to_value(&items) {
                    show_diagnostics(v, js);
                }
            }
        });
    });

    if let Some(focus) = focus {
        Effect::new(move |_| {
            if let Some((line, column, _)) = focus.get() {
                view.with_value(|v| {
                    if let Some(v) = v {
                        focus_at(v, line, column);
                    }
                });
            }
        });
    }

    view! { <div class="code-editor" node_ref=host data-testid=test_id></div> }
}
