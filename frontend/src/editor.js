// quizapp YAML editor: progressively enhances <textarea data-yaml-editor>
// with a CodeMirror 6 editor. Bundled by esbuild into
// quizapp/static/vendor/codemirror/yaml-editor.js (see ../README.md).
//
// Markup contract (all attributes are on the <textarea>):
//   data-yaml-editor             required; opts the textarea in
//   data-problems='[{"line": 3, "message": "..."}]'
//                                optional; 1-based lines, shown as error
//                                diagnostics (optional "severity":
//                                "error" | "warning" | "info")
//   data-focus-line="N"          optional; 1-based line to put the cursor
//                                on (and focus/scroll to) on load
//   <label for=...> / aria-label / aria-labelledby
//                                accessible name, copied to the editor's
//                                aria-label ("YAML editor" if none)
//   aria-describedby             copied to the editor
//   aria-invalid="true" or class "has-error"
//                                red border + aria-invalid on the editor
//   readonly / disabled / placeholder / autofocus / required are honoured.
//
// The textarea stays in the DOM (hidden) and is kept in sync on every
// change, so the form submits exactly what is in the editor. Without
// JavaScript the plain textarea is shown and works as before.
//
// CSP: no eval, no inline <style>. CodeMirror's styles go into a
// constructable stylesheet (document.adoptedStyleSheets), which
// `default-src 'self'` allows; the stock style-mod would use an inline
// <style> element for documents, so scripts/build.mjs patches that at
// build time. Browsers without constructable stylesheets (Chrome < 73,
// Firefox < 101, Safari < 16.4) keep the plain textarea.

import { basicSetup } from "codemirror";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { yaml } from "@codemirror/lang-yaml";
import {
  forEachDiagnostic,
  lintGutter,
  setDiagnostics,
  setDiagnosticsEffect,
} from "@codemirror/lint";

const views = new WeakMap();
const SEVERITIES = ["error", "warning", "info", "hint"];

// Colours come from the page's CSS custom properties (quizapp.css), so the
// editor follows its light or dark scheme; the second value of each var() is
// the light colour, for a page without them.
const theme = EditorView.theme({
  "&": {
    maxHeight: "70vh",
    color: "var(--fg, #1b1f24)",
    backgroundColor: "var(--card, #fff)",
    border: "1px solid var(--field-line, #8c959f)",
    borderRadius: "6px",
    fontSize: "0.95rem",
  },
  "&.has-error": { borderColor: "var(--bad, #b42318)" },
  // Same focus ring as the app's :focus-visible rule, drawn on the whole
  // editor (gutters included) rather than the inner content element.
  "&.cm-focused": { outline: "3px solid var(--focus, #c85a00)", outlineOffset: "2px" },
  ".cm-gutters": {
    backgroundColor: "var(--bg, #f6f8fa)",
    color: "var(--muted, #57606a)",
    borderRight: "1px solid var(--line, #d0d7de)",
  },
  ".cm-activeLine": { backgroundColor: "var(--code-active-line, #cceeff44)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--chosen-bg, #ddf4ff)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg, #1b1f24)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
    { backgroundColor: "var(--code-selection, #d7d4f0)" },
  ".cm-tooltip, .cm-panels": {
    color: "var(--fg, #1b1f24)",
    backgroundColor: "var(--card, #fff)",
    borderColor: "var(--line, #d0d7de)",
  },
  ".cm-textfield, .cm-button": {
    color: "var(--fg, #1b1f24)",
    backgroundColor: "var(--card, #fff)",
    backgroundImage: "none",
    border: "1px solid var(--field-line, #8c959f)",
  },
  ".cm-scroller": {
    overflow: "auto",
    fontFamily:
      'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  },
  ".cm-content, .cm-gutter": { minHeight: "24rem" },
  ".cm-gutters": { borderTopLeftRadius: "6px", borderBottomLeftRadius: "6px" },

  // @codemirror/lint draws its gutter markers and squiggly underlines with
  // data: SVG images, which `default-src 'self'` (img-src) blocks. Replace
  // them with plain CSS; overridden images are never fetched.
  ".cm-lint-marker": { content: "normal", boxSizing: "border-box" },
  ".cm-lint-marker-error": {
    backgroundColor: "#f87",
    border: "0.15em solid #d92d20",
    borderRadius: "50%",
  },
  ".cm-lint-marker-warning": {
    backgroundColor: "#f5a623",
    clipPath: "polygon(50% 5%, 100% 95%, 0 95%)",
  },
  ".cm-lint-marker-info, .cm-lint-marker-hint": {
    backgroundColor: "#aaf",
    border: "0.15em solid #77e",
  },
  ".cm-lintRange": {
    backgroundImage: "none",
    textDecorationLine: "underline",
    textDecorationStyle: "wavy",
    textDecorationSkipInk: "none",
    textUnderlineOffset: "0.2em",
  },
  ".cm-lintRange-error": { textDecorationColor: "#e11" },
  ".cm-lintRange-warning": { textDecorationColor: "orange" },
  ".cm-lintRange-info": { textDecorationColor: "#999" },
  ".cm-lintRange-hint": { textDecorationColor: "#66d" },
});

// CodeMirror's default highlighting, with each colour a custom property of
// the page (the defaults are its light colours).
const highlighting = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.meta, color: "var(--code-meta, #404740)" },
    { tag: tags.link, textDecoration: "underline" },
    { tag: tags.heading, textDecoration: "underline", fontWeight: "bold" },
    { tag: tags.emphasis, fontStyle: "italic" },
    { tag: tags.strong, fontWeight: "bold" },
    { tag: tags.strikethrough, textDecoration: "line-through" },
    { tag: tags.keyword, color: "var(--code-keyword, #708)" },
    {
      tag: [tags.atom, tags.bool, tags.url, tags.contentSeparator, tags.labelName],
      color: "var(--code-atom, #219)",
    },
    { tag: [tags.literal, tags.inserted], color: "var(--code-literal, #164)" },
    { tag: [tags.string, tags.deleted], color: "var(--code-string, #a11)" },
    {
      tag: [tags.regexp, tags.escape, tags.special(tags.string)],
      color: "var(--code-special, #c33000)",
    },
    { tag: tags.definition(tags.variableName), color: "var(--code-definition, #00f)" },
    { tag: tags.local(tags.variableName), color: "var(--code-definition, #30a)" },
    { tag: [tags.typeName, tags.namespace], color: "var(--code-type, #085)" },
    { tag: tags.className, color: "var(--code-type, #167)" },
    {
      tag: [tags.special(tags.variableName), tags.macroName],
      color: "var(--code-type, #256)",
    },
    { tag: tags.definition(tags.propertyName), color: "var(--code-property, #00c)" },
    { tag: tags.comment, color: "var(--code-comment, #940)" },
    { tag: tags.invalid, color: "var(--code-invalid, #d00000)" },
  ]),
);

// Accessible name, in the same order as the browser would compute it for
// the textarea: aria-labelledby, then aria-label, then <label> elements.
function labelText(ta) {
  const ids = (ta.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
  const fromIds = ids
    .map((id) => document.getElementById(id))
    .filter(Boolean)
    .map((el) => el.textContent.trim())
    .join(" ")
    .trim();
  if (fromIds) return fromIds;
  const byAria = (ta.getAttribute("aria-label") || "").trim();
  if (byAria) return byAria;
  const labels = ta.labels ? Array.from(ta.labels) : [];
  const fromLabels = labels.map((l) => l.textContent.trim()).join(" ").trim();
  return fromLabels || "YAML editor";
}

function clampLine(doc, n) {
  const num = Number.parseInt(String(n), 10);
  if (!Number.isFinite(num)) return null;
  return doc.line(Math.min(Math.max(num, 1), doc.lines));
}

function parseProblems(ta, doc) {
  const raw = ta.getAttribute("data-problems");
  if (!raw) return [];
  let list;
  try {
    list = JSON.parse(raw);
  } catch (e) {
    console.warn("quizapp editor: data-problems is not valid JSON", e);
    return [];
  }
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const p of list) {
    if (!p || typeof p !== "object") continue;
    const line = clampLine(doc, p.line);
    if (!line) continue;
    out.push({
      from: line.from,
      to: line.to,
      severity: SEVERITIES.includes(p.severity) ? p.severity : "error",
      message: String(p.message == null ? "Problem on this line" : p.message),
    });
  }
  return out;
}

// Server-side problems describe the text as it was submitted; once the
// user edits a line that carries one, drop it (others keep being mapped).
const dropEditedDiagnostics = EditorState.transactionExtender.of((tr) => {
  if (!tr.docChanged || tr.effects.some((e) => e.is(setDiagnosticsEffect))) return null;
  const kept = [];
  let dropped = false;
  forEachDiagnostic(tr.startState, (d, from, to) => {
    let touched = false;
    tr.changes.iterChangedRanges((fromA, toA) => {
      if (fromA <= to && toA >= from) touched = true;
    });
    if (touched) dropped = true;
    else kept.push({ ...d, from: tr.changes.mapPos(from, 1), to: tr.changes.mapPos(to, -1) });
  });
  return dropped ? { effects: setDiagnosticsEffect.of(kept) } : null;
});

function enhance(ta) {
  if (views.has(ta) || ta.hasAttribute("data-yaml-editor-ready")) return;

  const invalid =
    ta.getAttribute("aria-invalid") === "true" || ta.classList.contains("has-error");
  // tabindex: the content is focusable anyway (contenteditable), but axe and
  // some assistive technology only count an element with a tabindex or a
  // native role as the keyboard's way into the scrolling region around it.
  const contentAttrs = { "aria-label": labelText(ta), tabindex: "0" };
  const describedBy = ta.getAttribute("aria-describedby");
  if (describedBy) contentAttrs["aria-describedby"] = describedBy;
  if (invalid) contentAttrs["aria-invalid"] = "true";
  if (ta.required) contentAttrs["aria-required"] = "true";

  const extensions = [
    basicSetup,
    keymap.of([indentWithTab]),
    indentUnit.of("  "),
    EditorState.tabSize.of(2),
    yaml(),
    lintGutter(),
    dropEditedDiagnostics,
    theme,
    highlighting,
    EditorView.contentAttributes.of(contentAttrs),
    EditorView.editorAttributes.of({ class: "quizapp-yaml-editor" + (invalid ? " has-error" : "") }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) ta.value = u.state.doc.toString();
    }),
  ];
  if (ta.placeholder) extensions.push(placeholder(ta.placeholder));
  if (ta.readOnly || ta.disabled) extensions.push(EditorState.readOnly.of(true));
  if (ta.disabled) extensions.push(EditorView.editable.of(false));

  const view = new EditorView({
    state: EditorState.create({ doc: ta.value, extensions }),
  });
  views.set(ta, view);
  ta.setAttribute("data-yaml-editor-ready", "");

  // Hide the textarea but keep it in the DOM: it is what the form submits.
  // (CSSOM style writes are allowed under CSP, unlike style="" markup.)
  ta.hidden = true;
  ta.style.display = "none";
  ta.after(view.dom);

  const problems = parseProblems(ta, view.state.doc);
  if (problems.length) view.dispatch(setDiagnostics(view.state, problems));

  const focusLine = ta.hasAttribute("data-focus-line")
    ? clampLine(view.state.doc, ta.getAttribute("data-focus-line"))
    : null;
  if (focusLine) {
    view.dispatch({
      selection: { anchor: focusLine.from },
      effects: EditorView.scrollIntoView(focusLine.from, { y: "center" }),
    });
  }
  if (focusLine || ta.autofocus || document.activeElement === ta) view.focus();

  // The hidden textarea can't take focus: send label clicks and
  // constraint-validation focus (e.g. `required`) to the editor instead.
  for (const label of ta.labels || []) {
    label.addEventListener("click", (e) => {
      e.preventDefault();
      view.focus();
    });
  }
  ta.addEventListener("invalid", (e) => {
    // The browser can't point at a hidden control (it would log "not
    // focusable" and show nothing), so show its message as a diagnostic.
    e.preventDefault();
    const diags = [];
    forEachDiagnostic(view.state, (d, from, to) => diags.push({ ...d, from, to }));
    if (!diags.some((d) => d.message === ta.validationMessage)) {
      const first = view.state.doc.line(1);
      diags.unshift({ from: first.from, to: first.to, severity: "error", message: ta.validationMessage });
      view.dispatch(setDiagnostics(view.state, diags));
    }
    view.focus();
  });

  const form = ta.form;
  if (form) {
    // Belt and braces: the textarea is already synced on every change.
    form.addEventListener("submit", () => {
      ta.value = view.state.doc.toString();
    });
    // A reset restores the textarea's default value after this event.
    form.addEventListener("reset", () => {
      setTimeout(() => {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: ta.value } });
      }, 0);
    });
  }
}

// CodeMirror's styles are mounted as a constructable stylesheet (see the
// style-mod patch in scripts/build.mjs); without that API the editor would
// be unstyled under our CSP, so such (old) browsers keep the textarea.
function supported() {
  return (
    Array.isArray(document.adoptedStyleSheets) &&
    typeof CSSStyleSheet === "function" &&
    "replaceSync" in CSSStyleSheet.prototype
  );
}

function init() {
  if (!supported()) return;
  document.querySelectorAll("textarea[data-yaml-editor]").forEach((ta) => {
    try {
      enhance(ta);
    } catch (e) {
      // Leave the plain textarea usable if anything goes wrong.
      const view = views.get(ta);
      if (view) view.dom.remove();
      ta.hidden = false;
      ta.style.display = "";
      console.error("quizapp editor: could not enhance textarea", e);
    }
  });
}

// Debugging handle only: quizappEditor.viewFor(textarea) -> EditorView.
window.quizappEditor = Object.freeze({ viewFor: (ta) => views.get(ta) || null });

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
