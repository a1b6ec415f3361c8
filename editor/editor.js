// The playground's code editor: CodeMirror 6 with JSON, bundled by esbuild into one ES module
// (dist/editor.js) that the Rust app imports through wasm-bindgen. The Rust side owns the text
// and the diagnostics; this module only edits, highlights and shows marks.

import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
  highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
  HighlightStyle,
} from "@codemirror/language";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { lintGutter, setDiagnostics, lintKeymap } from "@codemirror/lint";
import { tags } from "@lezer/highlight";

// Colours come from CSS variables so the editor follows the page's light/dark theme.
const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--syn-key)" },
  { tag: tags.string, color: "var(--syn-string)" },
  { tag: tags.number, color: "var(--syn-number)" },
  { tag: [tags.bool, tags.null], color: "var(--syn-keyword)" },
  { tag: tags.invalid, color: "var(--syn-invalid)" },
]);

/**
 * Creates an editor in `parent`.
 * @param {HTMLElement} parent
 * @param {string} text initial document
 * @param {string} label accessible name of the editing area
 * @param {(text: string) => void} onChange called after every change of the document
 * @param {() => void} onRun called on Ctrl/Cmd+Enter
 */
export function createEditor(parent, text, label, onChange, onRun) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        // Ctrl/Cmd+Enter runs the state machine instead of inserting a blank line.
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: () => {
                onRun();
                return true;
              },
            },
          ]),
        ),
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        foldGutter(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(highlight),
        json(),
        lintGutter(),
        keymap.of([
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...foldKeymap,
          ...lintKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return view;
}

/** The editor's whole text. */
export function getText(view) {
  return view.state.doc.toString();
}

/** Replaces the whole text (one undoable change). */
export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/**
 * Shows diagnostics as lint marks. Each item: {line, column (1-based, in characters),
 * severity: "error" | "warning", message}. A mark covers the JSON token at its position.
 */
export function showDiagnostics(view, items) {
  const doc = view.state.doc;
  const marks = [];
  for (const item of items) {
    const lineNo = Math.min(Math.max(1, item.line | 0), doc.lines);
    const line = doc.line(lineNo);
    // Columns count characters (code points); CodeMirror offsets count UTF-16 units.
    let offset = 0;
    let chars = 1;
    for (const ch of line.text) {
      if (chars >= item.column) break;
      offset += ch.length;
      chars += 1;
    }
    const from = line.from + offset;
    const to = Math.max(from, line.from + tokenEnd(line.text, offset));
    marks.push({ from, to, severity: item.severity, message: item.message });
  }
  view.dispatch(setDiagnostics(view.state, marks));
}

/** The end (offset in `text`) of the JSON token starting at `start`. */
function tokenEnd(text, start) {
  if (text[start] === '"') {
    let i = start + 1;
    while (i < text.length) {
      if (text[i] === "\\") i += 2;
      else if (text[i] === '"') return i + 1;
      else i += 1;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length && /[A-Za-z0-9_.+\-]/.test(text[i])) i += 1;
  return i > start ? i : Math.min(start + 1, text.length);
}

/** Moves the cursor to a position and shows it. */
export function focusAt(view, line, column) {
  const doc = view.state.doc;
  const l = doc.line(Math.min(Math.max(1, line | 0), doc.lines));
  const pos = Math.min(l.from + Math.max(0, (column | 0) - 1), l.to);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}
