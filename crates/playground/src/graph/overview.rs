//! The overview of a drawing too large for the view: the whole machine small, each state in
//! its status colour, the part in view outlined; a click there brings that part into view.

use std::collections::HashMap;

use leptos::prelude::*;

use super::status::StateStatus;
use super::view::ViewTransform;
use crate::graph::Layout;
use sfn_playground_data::display_graph::NodeKind;

/// The overview's longer side, in pixels.
const OVERVIEW_SIZE: f64 = 150.0;

/// Whether a drawing of `width` x `height` under `t` overflows a view of `view` (width,
/// height): then the overview is worth showing.
pub fn overflows(width: f64, height: f64, t: ViewTransform, view: (f64, f64)) -> bool {
    view.0 > 0.0
        && view.1 > 0.0
        && (width * t.scale > view.0 + 1.0 || height * t.scale > view.1 + 1.0)
}

/// The part of the drawing in view: `(x, y, width, height)` in drawing coordinates.
pub fn visible_part(t: ViewTransform, view: (f64, f64)) -> (f64, f64, f64, f64) {
    (
        -t.tx / t.scale,
        -t.ty / t.scale,
        view.0 / t.scale,
        view.1 / t.scale,
    )
}

/// The transform that centres the drawing point (`x`, `y`) in the view, at the same scale.
pub fn centred_on(t: ViewTransform, x: f64, y: f64, view: (f64, f64)) -> ViewTransform {
    ViewTransform {
        scale: t.scale,
        tx: view.0 / 2.0 - x * t.scale,
        ty: view.1 / 2.0 - y * t.scale,
    }
}

#[component]
pub fn Overview(
    layout: Memo<Option<Layout>>,
    statuses: Signal<HashMap<String, StateStatus>>,
    transform: RwSignal<ViewTransform>,
    /// The view's size in pixels, read when needed.
    view_size: Callback<(), (f64, f64)>,
) -> impl IntoView {
    let shown = move || {
        let t = transform.get();
        layout.with(|l| {
            l.as_ref()
                .is_some_and(|l| overflows(l.width, l.height, t, view_size.run(())))
        })
    };
    let body = move || {
        let l = layout.get()?;
        let (w, h) = (l.width.max(1.0), l.height.max(1.0));
        // The box keeps the drawing's proportions, so a click maps straight back.
        let k = OVERVIEW_SIZE / w.max(h);
        let (box_w, box_h) = (w * k, h * k);
        let groups = l
            .groups
            .iter()
            .map(|g| {
                view! {
                    <rect class="sfn-overview-group" x=g.rect.x y=g.rect.y width=g.rect.width height=g.rect.height />
                }
            })
            .collect_view();
        let nodes = l
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::State)
            .map(|n| {
                let name = n.name.clone();
                let status = move || {
                    statuses.with(|s| s.get(&name).copied().unwrap_or_default().key())
                };
                view! {
                    <rect class="sfn-overview-node" data-status=status x=n.rect.x y=n.rect.y width=n.rect.width height=n.rect.height />
                }
            })
            .collect_view();
        let window = move || {
            let (x, y, vw, vh) = visible_part(transform.get(), view_size.run(()));
            view! { <rect class="sfn-overview-view" x=x y=y width=vw height=vh /> }
        };
        let jump = move |e: leptos::ev::MouseEvent| {
            let Some(target) = e
                .current_target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            else {
                return;
            };
            let r = target.get_bounding_client_rect();
            if r.width() <= 0.0 || r.height() <= 0.0 {
                return;
            }
            let x = (f64::from(e.client_x()) - r.left()) / r.width() * w;
            let y = (f64::from(e.client_y()) - r.top()) / r.height() * h;
            let view = view_size.run(());
            transform.update(|t| *t = centred_on(*t, x, y, view));
        };
        Some(view! {
            <svg
                class="sfn-graph-overview"
                data-testid="graph-overview"
                role="img"
                aria-label="Overview of the whole graph: click to bring a part into view"
                viewBox=format!("0 0 {w:.1} {h:.1}")
                style=format!("width: {box_w:.0}px; height: {box_h:.0}px")
                on:click=jump
            >
                {groups}
                {nodes}
                {window}
            </svg>
        })
    };
    view! { <Show when=shown>{body}</Show> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_in_view_and_back() {
        let t = ViewTransform {
            scale: 0.5,
            tx: -100.0,
            ty: -50.0,
        };
        assert_eq!(
            visible_part(t, (400.0, 300.0)),
            (200.0, 100.0, 800.0, 600.0)
        );
        let c = centred_on(t, 1000.0, 2000.0, (400.0, 300.0));
        assert_eq!((c.scale, c.tx, c.ty), (0.5, -300.0, -850.0));
        assert!(overflows(1000.0, 100.0, t, (400.0, 300.0)));
        assert!(!overflows(600.0, 400.0, t, (400.0, 300.0)));
        assert!(!overflows(600.0, 400.0, t, (0.0, 0.0)), "a hidden view");
    }
}
