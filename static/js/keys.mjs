// Recall: keyboard shortcuts for questions. Keys 1-9 pick the n-th choice (a radio button, or a
// checkbox toggled) of the focused question, or else of the next unanswered one; Enter checks it.
// Nothing fires while the learner types in a field, or with Ctrl, Alt or Meta held.
// The rules are plain functions (tests/js/keys.test.mjs runs them with node --test); install()
// wires them to a page, and runs by itself when this module loads in a browser.

// Input types whose keys are the learner's own: everything but these takes typing.
const NOT_TYPING = new Set(["radio", "checkbox", "button", "submit", "reset", "image", "range", "color", "file", "hidden"]);
// Elements on which Enter already means something (follow, press, open): left alone.
const ENTER_ACTS = new Set(["a", "button", "summary", "select", "textarea"]);

/** Whether the element (anything with tagName, type, isContentEditable) takes typed text. */
export function isTyping(target) {
  if (!target || !target.tagName) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag !== "input") return false;
  return !NOT_TYPING.has(String(target.type || "text").toLowerCase());
}

function enterActs(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  if (ENTER_ACTS.has(tag)) return true;
  if (tag === "input") return ["submit", "button", "reset", "image"].includes(String(target.type).toLowerCase());
  const role = target.getAttribute ? target.getAttribute("role") : null;
  return role === "button" || role === "link" || role === "menuitem" || role === "tab";
}

/**
 * What a key press asks for: {type: "pick", index} (0-based), {type: "check"}, or null.
 * ``event``: {key, ctrlKey, altKey, metaKey, repeat, isComposing, defaultPrevented, target}.
 */
export function keyAction(event) {
  if (!event || event.defaultPrevented || event.isComposing || event.repeat) return null;
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  if (isTyping(event.target)) return null;
  if (/^[1-9]$/.test(event.key)) return { type: "pick", index: Number(event.key) - 1 };
  if (event.key === "Enter" && !enterActs(event.target)) return { type: "check" };
  return null;
}

/** The choice a pick lands on: the index-th enabled radio or checkbox, or null. */
export function choiceAt(inputs, index) {
  const choices = Array.from(inputs).filter(
    (input) => (input.type === "radio" || input.type === "checkbox") && !input.disabled,
  );
  return choices[index] || null;
}

/**
 * The question a key acts on: the one holding focus; else the first unanswered question after
 * the focused element; else the first one still on screen or below it.
 * ``forms``: the page's unanswered questions in document order, each with ``contains(el)``,
 * ``follows(el)`` (it comes after el) and ``bottom`` (its lower edge, relative to the viewport).
 */
export function questionFor(forms, focused) {
  const list = Array.from(forms);
  if (!list.length) return null;
  if (focused) {
    const own = list.find((form) => form.contains(focused));
    if (own) return own;
    const after = list.find((form) => form.follows(focused));
    if (after) return after;
  }
  return list.find((form) => form.bottom > 0) || list[list.length - 1];
}

/** Wire the rules to a document: one keydown listener; the page's hint is shown. */
export function install(doc) {
  const SELECTOR = "form.question";

  function questions() {
    return Array.from(doc.querySelectorAll(SELECTOR), (el) => ({
      el,
      contains: (node) => el.contains(node),
      follows: (node) => Boolean(node.compareDocumentPosition(el) & 4), // DOCUMENT_POSITION_FOLLOWING
      get bottom() { return el.getBoundingClientRect().bottom; },
    }));
  }

  doc.addEventListener("keydown", (event) => {
    const action = keyAction(event);
    if (!action) return;
    const active = doc.activeElement;
    const focused = active && active !== doc.body && active !== doc.documentElement ? active : null;
    const question = questionFor(questions(), focused);
    if (!question) return;
    const form = question.el;
    if (action.type === "pick") {
      const input = choiceAt(form.querySelectorAll("input"), action.index);
      if (!input) return;
      event.preventDefault();
      if (input.type === "checkbox" || !input.checked) input.click(); // fires input and change
      input.focus();
    } else if (form.isConnected) {
      event.preventDefault();
      form.requestSubmit(); // the browser says if nothing is picked; htmx sends it otherwise
    }
  });

  const show = () => doc.querySelectorAll("[data-key-hint]").forEach((hint) => { hint.hidden = false; });
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", show);
  else show();
}

if (typeof document !== "undefined") install(document);
