//! Drawing helpers shared by the component and the SVG export, and the export itself: a
//! standalone SVG document of the laid-out graph with its statuses and the graph's stylesheet.

use std::collections::HashMap;
use std::fmt::Write as _;

use sfn_playground_data::display_graph::{EdgeKind, NodeKind};

use super::layout::{EdgePath, GroupBox, Layout, NodeBox, JOIN_RADIUS};
use super::status::StateStatus;

/// The graph's stylesheet (colours as CSS variables, light and dark).
pub const GRAPH_CSS: &str = include_str!("graph.css");

/// The id of the arrowhead marker.
pub const ARROW_ID: &str = "sfn-graph-arrow";

/// An SVG path through the edge's points.
pub fn edge_d(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x, y);
    }
    d
}

/// The CSS classes of an edge.
pub fn edge_class(edge: &EdgePath) -> String {
    let kind = match edge.kind {
        EdgeKind::Start => "start",
        EdgeKind::Next => "next",
        EdgeKind::Choice => "choice",
        EdgeKind::Default => "default",
        EdgeKind::Catch => "catch",
        EdgeKind::End => "end",
    };
    format!("sfn-edge sfn-edge-{kind}")
}

/// The CSS classes of a group box.
pub fn group_class(group: &GroupBox) -> &'static str {
    match group.kind {
        NodeKind::Branch => "sfn-group sfn-group-branch",
        NodeKind::ItemProcessor => "sfn-group sfn-group-processor",
        _ => "sfn-group sfn-group-state",
    }
}

/// The CSS classes of a node box (its status is a `data-status` attribute).
pub fn node_class(node: &NodeBox) -> &'static str {
    match node.kind {
        NodeKind::Start | NodeKind::End => "sfn-node sfn-terminal",
        _ => "sfn-node sfn-state",
    }
}

/// Corner radius of a node box: Start and End are pills.
pub fn node_radius(node: &NodeBox) -> f64 {
    match node.kind {
        NodeKind::Start | NodeKind::End => node.rect.height / 2.0,
        _ => 6.0,
    }
}

/// Baselines of a node's text: the name, and the type below it for states.
pub fn text_baselines(node: &NodeBox) -> (f64, f64) {
    let cy = node.rect.y + node.rect.height / 2.0;
    if node.type_name.is_some() {
        (cy - 3.0, cy + 13.0)
    } else {
        (cy + 4.5, cy + 4.5)
    }
}

/// The status of a node box: states by name, Start and End never have one.
pub fn node_status(node: &NodeBox, statuses: &HashMap<String, StateStatus>) -> StateStatus {
    match node.kind {
        NodeKind::State => statuses.get(&node.name).copied().unwrap_or_default(),
        _ => StateStatus::NotRun,
    }
}

/// Escapes text for SVG/XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines, and U+FFFE and U+FFFF, are not
            // allowed in XML 1.0: a name holding one would make the exported file unreadable.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The arrowhead marker definition, as SVG text.
pub fn arrow_marker_svg() -> String {
    format!(
        r#"<marker id="{ARROW_ID}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="sfn-arrow"/></marker>"#
    )
}

/// A standalone SVG document of the laid-out graph, states coloured by status. The graph's
/// stylesheet is embedded, so the file looks the same as the page (light or dark following the
/// viewer's system).
pub fn export_svg(layout: &Layout, statuses: &HashMap<String, StateStatus>) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sfn-graph sfn-graph-export" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.1} {h:.1}">"#,
        w = layout.width,
        h = layout.height
    );
    let _ = write!(
        s,
        "<style>{}</style><defs>{}</defs>",
        xml_escape_style(GRAPH_CSS),
        arrow_marker_svg()
    );
    let _ = write!(
        s,
        r#"<rect class="sfn-background" x="0" y="0" width="{:.1}" height="{:.1}"/>"#,
        layout.width, layout.height
    );
    for g in &layout.groups {
        let _ = write!(
            s,
            r#"<g class="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8"/>"#,
            group_class(g),
            g.rect.x,
            g.rect.y,
            g.rect.width,
            g.rect.height
        );
        if !g.caption.is_empty() {
            let _ = write!(
                s,
                r#"<text class="sfn-group-caption" x="{:.1}" y="{:.1}">{}</text>"#,
                g.rect.x + 8.0,
                g.rect.y + 14.0,
                xml_escape(&g.caption)
            );
        }
        s.push_str("</g>");
    }
    for e in &layout.edges {
        let _ = write!(
            s,
            r#"<g class="{}"><path d="{}"{}/>"#,
            edge_class(e),
            edge_d(&e.points),
            if e.arrow {
                format!(r#" marker-end="url(#{ARROW_ID})""#)
            } else {
                String::new()
            }
        );
        if let (Some(label), Some(r)) = (&e.label, &e.label_rect) {
            if let Some(title) = &e.title {
                let _ = write!(s, "<title>{}</title>", xml_escape(title));
            }
            let _ = write!(
                s,
                r#"<rect class="sfn-edge-label-bg" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3"/><text class="sfn-edge-label" x="{:.1}" y="{:.1}">{}</text>"#,
                r.x,
                r.y,
                r.width,
                r.height,
                r.x + r.width / 2.0,
                r.y + r.height / 2.0 + 4.0,
                xml_escape(label)
            );
        }
        s.push_str("</g>");
    }
    for (x, y) in &layout.joins {
        let _ = write!(
            s,
            r#"<circle class="sfn-join" cx="{x:.1}" cy="{y:.1}" r="{JOIN_RADIUS:.1}"/>"#
        );
    }
    for n in &layout.nodes {
        let status = node_status(n, statuses);
        let (name_y, type_y) = text_baselines(n);
        let cx = n.rect.x + n.rect.width / 2.0;
        let _ = write!(
            s,
            r#"<g class="{}" data-status="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="{:.1}"/><text class="sfn-node-name" x="{cx:.1}" y="{name_y:.1}">{}</text>"#,
            node_class(n),
            status.key(),
            n.rect.x,
            n.rect.y,
            n.rect.width,
            n.rect.height,
            node_radius(n),
            xml_escape(&n.name)
        );
        if let Some(t) = &n.type_name {
            let _ = write!(
                s,
                r#"<text class="sfn-node-type" x="{cx:.1}" y="{type_y:.1}">{}</text>"#,
                xml_escape(t)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

/// A stylesheet inside an SVG `<style>` element is XML text: only `<` and `&` need escaping.
fn xml_escape_style(css: &str) -> String {
    css.replace('&', "&amp;").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_characters_xml_refuses_are_replaced() {
        assert_eq!(
            xml_escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            xml_escape("a\u{0}b\tc\u{FFFE}d\u{FFFF}"),
            "a\u{FFFD}b\tc\u{FFFD}d\u{FFFD}"
        );
    }

    /// The export of a definition whose names, Choice conditions and error names hold markup:
    /// none of it becomes an element or an attribute.
    #[test]
    fn markup_in_a_definition_stays_text_in_the_export() {
        let definition = serde_json::json!({
            "StartAt": "<img src=x onerror=alert(1)>",
            "States": {
                "<img src=x onerror=alert(1)>": {
                    "Type": "Choice",
                    "Choices": [{
                        "Variable": "$['<svg onload=alert(2)>']",
                        "StringEquals": "\"><script>alert(3)</script>",
                        "Next": "</text><script>alert(4)</script>"
                    }],
                    "Default": "x\" onmouseover=\"alert(5)"
                },
                "</text><script>alert(4)</script>": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F",
                    "Catch": [{"ErrorEquals": ["<b>E</b>"], "Next": "x\" onmouseover=\"alert(5)"}],
                    "End": true
                },
                "x\" onmouseover=\"alert(5)": {"Type": "Fail", "Error": "<i>", "Cause": "<u>"}
            }
        })
        .to_string();
        // Laid out by the engine's worker (crates/worker/tests/service.rs records it).
        let recorded: Vec<crate::protocol::Exchange> =
            serde_json::from_str(include_str!("../../tests/data/worker/graphs.json"))
                .expect("recorded answers");
        let layout = recorded
            .into_iter()
            .find_map(|e| match (e.request, e.reply) {
                (
                    crate::protocol::ToWorker::CheckDefinition { text, .. },
                    crate::protocol::FromWorker::DefinitionChecked { layout, .. },
                ) if text == definition => layout,
                _ => None,
            })
            .expect("the definition's recorded layout");
        let svg = export_svg(&layout, &HashMap::new());
        for markup in ["<img", "<script", "<svg onload", "<b>", "onmouseover=\""] {
            assert!(!svg.contains(markup), "{markup} in {svg}");
        }
        assert!(svg.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(svg.contains("&lt;/text&gt;&lt;script&gt;alert(4)&lt;/script&gt;"));
        assert!(svg.contains("x&quot; onmouseover=&quot;alert(5)"));
    }
}
