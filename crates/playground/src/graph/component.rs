//! The `Graph` Leptos component: the laid-out state machine as SVG, coloured by status, with
//! zoom (wheel, buttons, `+`/`-` keys), pan (drag, arrow keys), fit (button, `0` key),
//! keyboard-focusable states (Enter or Space selects) and an optional Export SVG button.

use std::collections::{HashMap, HashSet};

use leptos::ev;
use leptos::prelude::*;
use sfn_playground_data::display_graph::NodeKind;

use super::layout::{GroupBox, Layout, NodeBox, JOIN_RADIUS};
use super::overview::Overview;
use super::status::StateStatus;
use super::svg::{
    edge_class, edge_d, export_svg, group_class, node_class, node_radius, node_status,
    text_baselines, ARROW_ID, GRAPH_CSS,
};
use super::view::{wheel_factor, ViewTransform, ZOOM_STEP};

/// Pointer travel (px) after which a press becomes a drag rather than a click.
const DRAG_THRESHOLD: f64 = 4.0;
/// Pan distance of one arrow key press (px).
const KEY_PAN: f64 = 40.0;

#[derive(Clone, Copy, PartialEq)]
struct Drag {
    pointer_id: i32,
    start_x: f64,
    start_y: f64,
    origin: ViewTransform,
    moved: bool,
}

/// What no test case reached, greyed out on the graph (the Tests panel's coverage): states by
/// name, transitions as `(from, to)` state names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Uncovered {
    pub states: HashSet<String>,
    pub edges: HashSet<(String, String)>,
}

/// The state machine graph.
///
/// - `graph`: the engine's display graph, laid out ([`super::layout`], which the page leaves to
///   the engine's worker); `None` shows a placeholder. Keep the last valid graph while the
///   definition is being edited.
/// - `statuses`: each state's status by state name (see [`super::statuses_from_events`]);
///   states missing from the map are "not run".
/// - `on_select`: called with a state's name when it is clicked or chosen with Enter/Space.
/// - `selected`: the selected state's name, outlined.
/// - `on_export`: when given, an "Export SVG" button calls it with the SVG document's text.
/// - `uncovered`: when given (the coverage overlay), those states and transitions get the
///   class `uncovered`.
#[component]
pub fn Graph(
    #[prop(into)] graph: Signal<Option<Layout>>,
    #[prop(into)] statuses: Signal<HashMap<String, StateStatus>>,
    #[prop(into)] on_select: Callback<String>,
    #[prop(into, optional)] selected: MaybeProp<String>,
    #[prop(into, optional)] on_export: Option<Callback<String>>,
    #[prop(into, optional)] uncovered: Signal<Option<Uncovered>>,
) -> impl IntoView {
    // Memos only notify when their value changes: editing a definition in ways that leave its
    // graph alone (a Comment, Parameters) does not draw it again.
    let laid_out: Memo<Option<Layout>> = Memo::new(move |_| graph.get());
    let transform = RwSignal::new(ViewTransform::default());
    let drag: RwSignal<Option<Drag>> = RwSignal::new(None);
    // Set after a drag so that the click which ends it selects nothing.
    let suppress_click = RwSignal::new(false);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();

    let viewport_size = move || {
        svg_ref
            .get_untracked()
            .map(|svg| {
                (
                    f64::from(svg.client_width()),
                    f64::from(svg.client_height()),
                )
            })
            .unwrap_or((0.0, 0.0))
    };
    let fit = move || {
        let Some(l) = laid_out.get_untracked() else {
            return;
        };
        let (w, h) = viewport_size();
        transform.set(ViewTransform::fit(l.width, l.height, w, h));
    };
    let zoom_centre = move |factor: f64| {
        let (w, h) = viewport_size();
        transform.update(|t| *t = t.zoom_at(factor, w / 2.0, h / 2.0));
    };
    // A new layout (another definition) is fitted to the viewport.
    Effect::new(move |_| {
        laid_out.track();
        fit();
    });

    let on_wheel = move |e: ev::WheelEvent| {
        e.prevent_default();
        let Some(svg) = svg_ref.get_untracked() else {
            return;
        };
        let r = svg.get_bounding_client_rect();
        let px = f64::from(e.client_x()) - r.left();
        let py = f64::from(e.client_y()) - r.top();
        let factor = wheel_factor(e.delta_y());
        transform.update(|t| *t = t.zoom_at(factor, px, py));
    };
    let on_pointer_down = move |e: ev::PointerEvent| {
        if e.button() != 0 {
            return;
        }
        suppress_click.set(false);
        drag.set(Some(Drag {
            pointer_id: e.pointer_id(),
            start_x: f64::from(e.client_x()),
            start_y: f64::from(e.client_y()),
            origin: transform.get_untracked(),
            moved: false,
        }));
    };
    let on_pointer_move = move |e: ev::PointerEvent| {
        let Some(mut d) = drag.get_untracked() else {
            return;
        };
        if d.pointer_id != e.pointer_id() {
            return;
        }
        let dx = f64::from(e.client_x()) - d.start_x;
        let dy = f64::from(e.client_y()) - d.start_y;
        if !d.moved && dx.hypot(dy) < DRAG_THRESHOLD {
            return;
        }
        if !d.moved {
            d.moved = true;
            // Captured only once it is a drag: a captured press would turn a click on a state
            // into a click on the background.
            if let Some(svg) = svg_ref.get_untracked() {
                let _ = svg.set_pointer_capture(d.pointer_id);
            }
            drag.set(Some(d));
        }
        transform.set(d.origin.pan(dx, dy));
    };
    let end_drag = move |e: ev::PointerEvent| {
        if let Some(d) = drag.get_untracked() {
            if d.pointer_id == e.pointer_id() {
                suppress_click.set(d.moved);
                drag.set(None);
            }
        }
    };
    let on_key = move |e: ev::KeyboardEvent| {
        let handled = match e.key().as_str() {
            "+" | "=" => {
                zoom_centre(ZOOM_STEP);
                true
            }
            "-" | "_" => {
                zoom_centre(1.0 / ZOOM_STEP);
                true
            }
            "0" => {
                fit();
                true
            }
            "ArrowLeft" => {
                transform.update(|t| *t = t.pan(KEY_PAN, 0.0));
                true
            }
            "ArrowRight" => {
                transform.update(|t| *t = t.pan(-KEY_PAN, 0.0));
                true
            }
            "ArrowUp" => {
                transform.update(|t| *t = t.pan(0.0, KEY_PAN));
                true
            }
            "ArrowDown" => {
                transform.update(|t| *t = t.pan(0.0, -KEY_PAN));
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
        }
    };
    let export = move |_| {
        if let (Some(cb), Some(l)) = (on_export, laid_out.get_untracked()) {
            let svg = statuses.with_untracked(|s| export_svg(&l, s));
            cb.run(svg);
        }
    };

    let select = move |name: String| {
        if !suppress_click.get_untracked() {
            on_select.run(name);
        }
    };

    let drawing = move || {
        laid_out.get().map(|l| {
            let groups = l.groups.iter().map(render_group).collect_view();
            // Edges join node ids; coverage names states.
            let names: HashMap<&str, &str> = l
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::State)
                .map(|n| (n.id.as_str(), n.name.as_str()))
                .collect();
            let edges = l
                .edges
                .iter()
                .map(|e| {
                    let label = match (&e.label, &e.label_rect) {
                        (Some(text), Some(r)) => Some(view! {
                            <rect
                                class="sfn-edge-label-bg"
                                x=num(r.x)
                                y=num(r.y)
                                width=num(r.width)
                                height=num(r.height)
                                rx="3"
                            />
                            <text
                                class="sfn-edge-label"
                                x=num(r.x + r.width / 2.0)
                                y=num(r.y + r.height / 2.0 + 4.0)
                            >
                                {text.clone()}
                            </text>
                        }),
                        _ => None,
                    };
                    let base = edge_class(e);
                    let transition = names
                        .get(e.from.as_str())
                        .zip(names.get(e.to.as_str()))
                        .map(|(from, to)| ((*from).to_owned(), (*to).to_owned()));
                    let class = move || {
                        let grey = transition.as_ref().is_some_and(|t| {
                            uncovered.with(|u| u.as_ref().is_some_and(|u| u.edges.contains(t)))
                        });
                        if grey {
                            format!("{base} uncovered")
                        } else {
                            base.clone()
                        }
                    };
                    view! {
                        <g class=class data-from=e.from.clone() data-to=e.to.clone()>
                            <path
                                d=edge_d(&e.points)
                                marker-end=e.arrow.then(|| format!("url(#{ARROW_ID})"))
                            />
                            {label}
                            // The rule or error list in full on hover (the label may be cut).
                            {e.title.clone().or_else(|| e.label.clone()).map(|full| leptos::svg::title().child(full))}
                        </g>
                    }
                })
                .collect_view();
            let nodes = l
                .nodes
                .iter()
                .map(|n| render_node(n, statuses, selected, uncovered, select))
                .collect_view();
            let joins = l
                .joins
                .iter()
                .map(|&(x, y)| {
                    view! { <circle class="sfn-join" cx=num(x) cy=num(y) r=num(JOIN_RADIUS) /> }
                })
                .collect_view();
            view! {
                {groups}
                {edges}
                {joins}
                {nodes}
            }
        })
    };

    // The wheel zooms, so its default (scrolling the page) must be cancelled: that needs a
    // listener on the element itself that is not passive (Leptos delegates `wheel` to the
    // document, where browsers make it passive).
    let mut wheel = ev::Custom::<ev::WheelEvent>::new("wheel");
    wheel.options_mut().set_passive(false);
    let svg = view! {
        <svg
            class="sfn-graph-svg"
            class:panning=move || drag.with(|d| d.is_some_and(|d| d.moved))
            node_ref=svg_ref
            tabindex="0"
            role="group"
            aria-label="State machine graph: drag to pan, wheel or + and - to zoom, 0 to fit"
            on:pointerdown=on_pointer_down
            on:pointermove=on_pointer_move
            on:pointerup=end_drag
            on:pointercancel=end_drag
        >
            <defs>
                <marker
                    id=ARROW_ID
                    viewBox="0 0 10 10"
                    refX="9"
                    refY="5"
                    markerWidth="7"
                    markerHeight="7"
                    orient="auto-start-reverse"
                >
                    <path d="M0,0 L10,5 L0,10 z" class="sfn-arrow" />
                </marker>
            </defs>
            <g class="sfn-graph-canvas" transform=move || transform.get().to_svg()>
                {drawing}
            </g>
        </svg>
    }
    .into_inner()
    .on(wheel, on_wheel);

    view! {
        <div class="sfn-graph" on:keydown=on_key>
            <style>{GRAPH_CSS}</style>
            <div class="sfn-graph-toolbar" role="toolbar" aria-label="Graph view">
                <button type="button" title="Zoom in (+)" aria-label="Zoom in" on:click=move |_| zoom_centre(ZOOM_STEP)>
                    "+"
                </button>
                <button type="button" title="Zoom out (-)" aria-label="Zoom out" on:click=move |_| zoom_centre(1.0 / ZOOM_STEP)>
                    "−"
                </button>
                <button type="button" title="Fit to view (0)" on:click=move |_| fit()>
                    "Fit"
                </button>
                {on_export
                    .map(|_| {
                        view! {
                            <button type="button" class="sfn-graph-export" on:click=export>
                                "Export SVG"
                            </button>
                        }
                    })}
            </div>
            <Show when=move || laid_out.with(Option::is_none)>
                <p class="sfn-graph-empty">"No valid state machine to draw yet."</p>
            </Show>
            {svg}
            <Overview layout=laid_out statuses=statuses transform=transform view_size=Callback::new(move |()| viewport_size()) />
            <div class="sfn-graph-legend" aria-hidden="true">
                {StateStatus::ALL
                    .iter()
                    .map(|s| view! { <span data-status=s.key()>{s.label()}</span> })
                    .collect_view()}
            </div>
        </div>
    }
}

/// A number for an SVG attribute.
fn num(v: f64) -> String {
    format!("{v:.1}")
}

fn render_group(g: &GroupBox) -> impl IntoView {
    let caption = (!g.caption.is_empty()).then(|| {
        view! {
            <text class="sfn-group-caption" x=num(g.rect.x + 8.0) y=num(g.rect.y + 14.0)>
                {g.caption.clone()}
            </text>
        }
    });
    view! {
        <g class=group_class(g) data-group=g.id.clone()>
            <rect x=num(g.rect.x) y=num(g.rect.y) width=num(g.rect.width) height=num(g.rect.height) rx="8" />
            {caption}
        </g>
    }
}

fn render_node(
    n: &NodeBox,
    statuses: Signal<HashMap<String, StateStatus>>,
    selected: MaybeProp<String>,
    uncovered: Signal<Option<Uncovered>>,
    select: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let is_state = n.kind == NodeKind::State;
    let name = n.name.clone();
    let status = {
        let n = n.clone();
        move || statuses.with(|s| node_status(&n, s)).key()
    };
    let class = {
        let base = node_class(n);
        let name = name.clone();
        move || {
            let mut class = base.to_string();
            if is_state && selected.get().as_deref() == Some(name.as_str()) {
                class.push_str(" selected");
            }
            if is_state && uncovered.with(|u| u.as_ref().is_some_and(|u| u.states.contains(&name)))
            {
                class.push_str(" uncovered");
            }
            class
        }
    };
    let aria = {
        let n = n.clone();
        move || {
            let status = statuses.with(|s| node_status(&n, s));
            match &n.type_name {
                Some(t) => format!("{} ({t} state): {}", n.name, status.label()),
                None => n.name.clone(),
            }
        }
    };
    let on_click = {
        let name = name.clone();
        move |_: ev::MouseEvent| {
            if is_state {
                select(name.clone());
            }
        }
    };
    let on_key = {
        let name = name.clone();
        move |e: ev::KeyboardEvent| {
            if is_state && (e.key() == "Enter" || e.key() == " ") {
                e.prevent_default();
                e.stop_propagation();
                select(name.clone());
            }
        }
    };
    let (name_y, type_y) = text_baselines(n);
    let cx = n.rect.x + n.rect.width / 2.0;
    let type_text = n.type_name.clone().map(|t| {
        view! {
            <text class="sfn-node-type" x=num(cx) y=num(type_y)>
                {t}
            </text>
        }
    });
    view! {
        <g
            class=class
            data-state=is_state.then(|| name.clone())
            data-status=status
            tabindex=is_state.then_some("0")
            role=is_state.then_some("button")
            aria-label=aria
            on:click=on_click
            on:keydown=on_key
        >
            <rect
                x=num(n.rect.x)
                y=num(n.rect.y)
                width=num(n.rect.width)
                height=num(n.rect.height)
                rx=num(node_radius(n))
            />
            <text class="sfn-node-name" x=num(cx) y=num(name_y)>
                {name.clone()}
            </text>
            {type_text}
        </g>
    }
}
