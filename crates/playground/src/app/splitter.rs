//! A drag handle between two panes of the page.

use leptos::prelude::*;

/// A drag handle between two panes; arrow keys move it too.
#[component]
pub fn Splitter(
    label: &'static str,
    vertical: bool,
    value: RwSignal<f64>,
    min: f64,
) -> impl IntoView {
    let drag = StoredValue::new(None::<(f64, f64)>);
    let limit = move || {
        let window = web_sys::window();
        let size = if vertical {
            window.as_ref().and_then(|w| w.inner_width().ok())
        } else {
            window.as_ref().and_then(|w| w.inner_height().ok())
        };
        size.and_then(|v| v.as_f64()).unwrap_or(1200.0) - 2.0 * min
    };
    let set = move |v: f64| value.set(v.clamp(min, limit().max(min)));
    let pos = move |ev: &web_sys::PointerEvent| {
        if vertical {
            f64::from(ev.client_x())
        } else {
            f64::from(ev.client_y())
        }
    };
    view! {
        <div
            class=if vertical { "splitter vertical" } else { "splitter horizontal" }
            role="separator"
            tabindex="0"
            aria-label=label
            aria-orientation=if vertical { "vertical" } else { "horizontal" }
            aria-valuenow=move || (value.get() as i64).to_string()
            on:pointerdown=move |ev: web_sys::PointerEvent| {
                if let Some(el) = event_target::<web_sys::Element>(&ev).into() {
                    let _ = web_sys::Element::set_pointer_capture(&el, ev.pointer_id());
                }
                drag.set_value(Some((pos(&ev), value.get_untracked())));
            }
            on:pointermove=move |ev: web_sys::PointerEvent| {
                if let Some((start, initial)) = drag.get_value() {
                    set(initial + pos(&ev) - start);
                }
            }
            on:pointerup=move |_| drag.set_value(None)
            on:pointercancel=move |_| drag.set_value(None)
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                let delta = match ev.key().as_str() {
                    "ArrowLeft" | "ArrowUp" => -24.0,
                    "ArrowRight" | "ArrowDown" => 24.0,
                    _ => return,
                };
                ev.prevent_default();
                set(value.get_untracked() + delta);
            }
        ></div>
    }
}
