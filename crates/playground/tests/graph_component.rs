//! Component tests of the state machine graph in headless Chromium (wasm-bindgen-test): the
//! tutorial's graph is drawn in full, statuses recolour states, clicks and the keyboard select
//! states, zoom buttons zoom, the SVG export holds every state, and names are never HTML.
//!
//! Run: `cargo test -p sfn-playground --target wasm32-unknown-unknown --tests`.

#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;

use leptos::prelude::*;
use sfn_playground::graph::{Graph, Layout, StateStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

/// The seed tutorial (`shared/seed/tutorial.asl.json`), as the engine's graph tests keep it.
const TUTORIAL: &str = include_str!("../../worker/tests/data/graph/tutorial.definition.json");
const TUTORIAL_STATES: [&str; 6] = [
    "Call API",
    "Wait and Try Later",
    "Server Unavailable",
    "Catch All",
    "Change to 200",
    "OK",
];

/// The laid-out graph of a definition, as the engine's worker sent it to the page.
fn graph_of(text: &str) -> Layout {
    common::graph_of(text)
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// A fresh, sized host element in the page.
fn host() -> web_sys::HtmlElement {
    let el: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    el.set_attribute("style", "height:500px;width:800px;display:flex")
        .expect("style");
    document()
        .body()
        .expect("body")
        .append_child(&el)
        .expect("append");
    el
}

fn all(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(selector).expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .collect()
}

fn one(root: &web_sys::Element, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

/// The `g` of the state with this name (found by its text, not by building a selector from it).
fn state_node(root: &web_sys::Element, name: &str) -> web_sys::Element {
    all(root, "g.sfn-state")
        .into_iter()
        .find(|g| {
            g.query_selector(".sfn-node-name")
                .ok()
                .flatten()
                .and_then(|t| t.text_content())
                .as_deref()
                == Some(name)
        })
        .unwrap_or_else(|| panic!("no node for state {name}"))
}

async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
        sleep(20).await;
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn stroke_of(node: &web_sys::Element) -> String {
    let rect = one(node, "rect");
    web_sys::window()
        .expect("window")
        .get_computed_style(&rect)
        .expect("style")
        .expect("computed style")
        .get_property_value("stroke")
        .expect("stroke")
}

fn bubbling_click() -> web_sys::MouseEvent {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("click event")
}

fn key(key: &str) -> web_sys::KeyboardEvent {
    let init = web_sys::KeyboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_key(key);
    web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("key event")
}

struct Mounted {
    el: web_sys::HtmlElement,
    graph: RwSignal<Option<Layout>>,
    statuses: RwSignal<HashMap<String, StateStatus>>,
    selected: RwSignal<Option<String>>,
    exported: RwSignal<Option<String>>,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

fn mount(definition: &str) -> Mounted {
    let graph = RwSignal::new(Some(graph_of(definition)));
    let statuses = RwSignal::new(HashMap::new());
    let selected: RwSignal<Option<String>> = RwSignal::new(None);
    let exported: RwSignal<Option<String>> = RwSignal::new(None);
    let el = host();
    let handle = leptos::mount::mount_to(el.clone(), move || {
        view! {
            <Graph
                graph=graph
                statuses=statuses
                selected=selected
                on_select=move |name: String| selected.set(Some(name))
                on_export=move |svg: String| exported.set(Some(svg))
            />
        }
        .into_any()
    });
    Mounted {
        el,
        graph,
        statuses,
        selected,
        exported,
        _handle: handle,
    }
}

#[wasm_bindgen_test]
async fn every_state_of_the_tutorial_is_drawn() {
    let m = mount(TUTORIAL);
    settle().await;
    let names: Vec<String> = all(&m.el, "g.sfn-state .sfn-node-name")
        .iter()
        .filter_map(|t| t.text_content())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    let mut expected: Vec<String> = TUTORIAL_STATES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(sorted, expected);
    // Start and End, the edges (Start, Next x3, Catch x3, End x3), and the catchers' labels.
    assert_eq!(all(&m.el, "g.sfn-terminal").len(), 2);
    assert_eq!(all(&m.el, "g.sfn-edge").len(), 10);
    let labels: Vec<String> = all(&m.el, ".sfn-edge-label")
        .iter()
        .filter_map(|t| t.text_content())
        .collect();
    assert!(
        labels.contains(&"TooManyRequestsException".to_string()),
        "{labels:?}"
    );
    // Each labelled edge tells its whole label on hover: an SVG <title>, not an HTML one.
    let titles = all(&m.el, "g.sfn-edge > title");
    assert!(titles.len() >= 3, "{} titles", titles.len());
    assert!(titles
        .iter()
        .all(|t| t.namespace_uri().as_deref() == Some("http://www.w3.org/2000/svg")));
    for name in TUTORIAL_STATES {
        let node = state_node(&m.el, name);
        assert_eq!(
            node.get_attribute("data-status").as_deref(),
            Some("not-run")
        );
        assert_eq!(node.get_attribute("tabindex").as_deref(), Some("0"));
    }
    // The graph was fitted into the viewport: the canvas has a transform.
    let canvas = one(&m.el, "g.sfn-graph-canvas");
    assert!(canvas
        .get_attribute("transform")
        .is_some_and(|t| t.contains("scale(")));
}

#[wasm_bindgen_test]
async fn a_status_change_recolours_the_state() {
    let m = mount(TUTORIAL);
    settle().await;
    let node = state_node(&m.el, "Call API");
    let before = stroke_of(&node);
    m.statuses.set(HashMap::from([
        ("Call API".to_string(), StateStatus::Caught),
        ("Catch All".to_string(), StateStatus::Failed),
        ("OK".to_string(), StateStatus::Succeeded),
        ("Change to 200".to_string(), StateStatus::InProgress),
    ]));
    settle().await;
    assert_eq!(node.get_attribute("data-status").as_deref(), Some("caught"));
    let after = stroke_of(&node);
    assert_ne!(before, after);
    // The AWS console's colours (light theme): orange caught, red failed, green succeeded,
    // blue in progress.
    assert_eq!(after, "rgb(236, 114, 17)");
    assert_eq!(
        stroke_of(&state_node(&m.el, "Catch All")),
        "rgb(217, 21, 21)"
    );
    assert_eq!(stroke_of(&state_node(&m.el, "OK")), "rgb(3, 127, 12)");
    assert_eq!(
        stroke_of(&state_node(&m.el, "Change to 200")),
        "rgb(9, 114, 211)"
    );
    assert_eq!(
        state_node(&m.el, "Server Unavailable")
            .get_attribute("data-status")
            .as_deref(),
        Some("not-run")
    );
}

#[wasm_bindgen_test]
async fn clicking_a_state_fires_the_callback_and_enter_selects() {
    let m = mount(TUTORIAL);
    settle().await;
    let node = state_node(&m.el, "Wait and Try Later");
    node.dispatch_event(&bubbling_click()).expect("dispatch");
    settle().await;
    assert_eq!(
        m.selected.get_untracked().as_deref(),
        Some("Wait and Try Later")
    );
    // The selected state is outlined.
    assert!(node.class_list().contains("selected"));

    let ok = state_node(&m.el, "OK");
    ok.dispatch_event(&key("Enter")).expect("dispatch");
    settle().await;
    assert_eq!(m.selected.get_untracked().as_deref(), Some("OK"));
    assert!(!node.class_list().contains("selected"));

    // Start and End select nothing.
    one(&m.el, "g.sfn-terminal")
        .dispatch_event(&bubbling_click())
        .expect("dispatch");
    settle().await;
    assert_eq!(m.selected.get_untracked().as_deref(), Some("OK"));
}

#[wasm_bindgen_test]
async fn zoom_buttons_zoom_and_fit_restores() {
    let m = mount(TUTORIAL);
    settle().await;
    let canvas = one(&m.el, "g.sfn-graph-canvas");
    let fitted = canvas.get_attribute("transform").expect("transform");
    let zoom_in: web_sys::HtmlElement = one(&m.el, "button[aria-label='Zoom in']").unchecked_into();
    zoom_in.click();
    settle().await;
    let zoomed = canvas.get_attribute("transform").expect("transform");
    assert_ne!(zoomed, fitted);
    let fit: web_sys::HtmlElement = one(&m.el, "button[title^='Fit']").unchecked_into();
    fit.click();
    settle().await;
    assert_eq!(
        canvas.get_attribute("transform").expect("transform"),
        fitted
    );
    // The keyboard zooms too.
    one(&m.el, "svg.sfn-graph-svg")
        .dispatch_event(&key("+"))
        .expect("dispatch");
    settle().await;
    assert_ne!(
        canvas.get_attribute("transform").expect("transform"),
        fitted
    );
}

#[wasm_bindgen_test]
async fn export_svg_holds_every_state_with_its_status() {
    let m = mount(TUTORIAL);
    m.statuses
        .set(HashMap::from([("OK".to_string(), StateStatus::Succeeded)]));
    settle().await;
    let button: web_sys::HtmlElement = one(&m.el, "button.sfn-graph-export").unchecked_into();
    button.click();
    settle().await;
    let svg = m.exported.get_untracked().expect("exported");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    for name in TUTORIAL_STATES {
        assert!(svg.contains(&format!(">{name}</text>")), "{name} missing");
    }
    assert!(svg.contains(r#"data-status="succeeded""#));
    // It parses as an SVG document.
    let parser = web_sys::DomParser::new().expect("parser");
    let doc = parser
        .parse_from_string(&svg, web_sys::SupportedType::ImageSvgXml)
        .expect("parse");
    assert_eq!(doc.get_elements_by_tag_name("parsererror").length(), 0);
    assert_eq!(
        doc.query_selector_all("g.sfn-state")
            .expect("query")
            .length(),
        6
    );
}

#[wasm_bindgen_test]
async fn state_names_are_text_never_html() {
    let definition = r#"{
        "StartAt": "<b>bold</b> & <img src=x onerror=alert(1)>",
        "States": {
            "<b>bold</b> & <img src=x onerror=alert(1)>": {"Type": "Pass", "End": true}
        }
    }"#;
    let m = mount(definition);
    settle().await;
    let node = state_node(&m.el, "<b>bold</b> & <img src=x onerror=alert(1)>");
    assert_eq!(
        node.query_selector_all("b, img").expect("query").length(),
        0
    );
    assert_eq!(m.el.query_selector_all("img").expect("query").length(), 0);
    let button: web_sys::HtmlElement = one(&m.el, "button.sfn-graph-export").unchecked_into();
    button.click();
    settle().await;
    let svg = m.exported.get_untracked().expect("exported");
    assert!(svg.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img"));
}

fn pointer(kind: &str, x: i32, y: i32) -> web_sys::PointerEvent {
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_pointer_id(1);
    init.set_button(0);
    init.set_client_x(x);
    init.set_client_y(y);
    web_sys::PointerEvent::new_with_event_init_dict(kind, &init).expect("pointer event")
}

#[wasm_bindgen_test]
async fn drag_pans_and_the_wheel_zooms() {
    let m = mount(TUTORIAL);
    settle().await;
    let canvas = one(&m.el, "g.sfn-graph-canvas");
    let svg = one(&m.el, "svg.sfn-graph-svg");
    let fitted = canvas.get_attribute("transform").expect("transform");

    // A drag that starts on a state pans, and does not select the state.
    let node = state_node(&m.el, "OK");
    node.dispatch_event(&pointer("pointerdown", 100, 100))
        .expect("down");
    svg.dispatch_event(&pointer("pointermove", 160, 130))
        .expect("move");
    svg.dispatch_event(&pointer("pointerup", 160, 130))
        .expect("up");
    node.dispatch_event(&bubbling_click()).expect("click");
    settle().await;
    let panned = canvas.get_attribute("transform").expect("transform");
    assert_ne!(panned, fitted);
    assert_eq!(m.selected.get_untracked(), None);
    // A plain click afterwards selects again.
    node.dispatch_event(&pointer("pointerdown", 100, 100))
        .expect("down");
    node.dispatch_event(&pointer("pointerup", 100, 100))
        .expect("up");
    node.dispatch_event(&bubbling_click()).expect("click");
    settle().await;
    assert_eq!(m.selected.get_untracked().as_deref(), Some("OK"));

    let init = web_sys::WheelEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_delta_y(-200.0);
    init.set_client_x(200);
    init.set_client_y(200);
    let wheel = web_sys::WheelEvent::new_with_event_init_dict("wheel", &init).expect("wheel");
    svg.dispatch_event(&wheel).expect("wheel");
    settle().await;
    assert_ne!(
        canvas.get_attribute("transform").expect("transform"),
        panned
    );
    // The page does not scroll: the wheel's default action was cancelled.
    assert!(wheel.default_prevented());
}

#[wasm_bindgen_test]
async fn a_new_graph_is_drawn_and_an_equal_one_changes_nothing() {
    let m = mount(TUTORIAL);
    settle().await;
    let zoom_in: web_sys::HtmlElement = one(&m.el, "button[aria-label='Zoom in']").unchecked_into();
    zoom_in.click();
    settle().await;
    let canvas = one(&m.el, "g.sfn-graph-canvas");
    let zoomed = canvas.get_attribute("transform").expect("transform");
    // The same graph again (an edit that leaves the graph alone): no new layout, no re-fit.
    m.graph.set(Some(graph_of(TUTORIAL)));
    settle().await;
    assert_eq!(
        canvas.get_attribute("transform").expect("transform"),
        zoomed
    );
    // Another graph replaces the drawing and is fitted.
    m.graph.set(Some(graph_of(
        r#"{"StartAt": "Only", "States": {"Only": {"Type": "Succeed"}}}"#,
    )));
    settle().await;
    let names: Vec<String> = all(&m.el, "g.sfn-state .sfn-node-name")
        .iter()
        .filter_map(|t| t.text_content())
        .collect();
    assert_eq!(names, ["Only"]);
    assert_ne!(
        canvas.get_attribute("transform").expect("transform"),
        zoomed
    );
    // No graph: a placeholder says so.
    m.graph.set(None);
    settle().await;
    assert!(all(&m.el, "g.sfn-state").is_empty());
    assert_eq!(all(&m.el, ".sfn-graph-empty").len(), 1);
}

#[wasm_bindgen_test]
async fn a_graph_too_tall_fits_readable_with_an_overview_to_move_around() {
    // The chain of 80 states the worker's tests laid out last (crates/worker/tests/service.rs).
    let chain = common::checked_definitions("graphs")
        .pop()
        .expect("a recorded definition");
    assert!(chain.contains("\"S79\""), "the chain");
    let m = mount(&chain);
    settle().await;
    let canvas = one(&m.el, "g.sfn-graph-canvas");
    let before = canvas.get_attribute("transform").unwrap_or_default();
    assert!(
        before.contains("scale(1.0000)"),
        "readable, not a sliver: {before}"
    );
    // The overview shows the whole chain, and the part in view.
    let overview = one(&m.el, "[data-testid=graph-overview]");
    assert_eq!(all(&m.el, ".sfn-overview-node").len(), 80);
    assert_eq!(all(&m.el, ".sfn-overview-view").len(), 1);
    // A click near its bottom brings the end of the chain into view.
    let r = overview.get_bounding_client_rect();
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_client_x((r.left() + r.width() / 2.0) as i32);
    init.set_client_y((r.bottom() - 2.0) as i32);
    let click = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("click");
    overview.dispatch_event(&click).expect("dispatch");
    settle().await;
    let after = canvas.get_attribute("transform").unwrap_or_default();
    assert_ne!(before, after, "the view moved");
    let ty: f64 = after
        .trim_start_matches("translate(")
        .split([',', ')'])
        .nth(1)
        .and_then(|t| t.parse().ok())
        .expect("ty");
    assert!(ty < -3000.0, "the bottom of the chain: {after}");
}
