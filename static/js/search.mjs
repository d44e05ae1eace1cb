// Recall: the keyboard around search boxes. Every search box is a plain GET form that works
// without this file; htmx updates the results as you type.
//
// - "/" or Ctrl+K (Cmd+K) focuses the page's search box ([data-search-shortcut]) from anywhere,
//   except while the learner is typing in a field; the box says so (aria-keyshortcuts).
// - The search page's box ([data-search-autofocus]) has the focus when the page opens, the caret
//   after the query, so typing goes on.
// - In a box marked [data-search-box], ArrowDown and ArrowUp move through the links of the
//   results it controls (aria-controls), Home and End jump; Enter on a result opens it (a plain
//   link); Escape clears the box (and its results), from the box or from a result.
//
// The rules are plain functions, exported for `node --test tests/js/`; `connect` wires them to a
// document and runs only in a browser.

const NOT_TEXT = new Set(["button", "checkbox", "radio", "submit", "reset", "range", "color", "file", "image"]);

/** Is the learner typing in this element (so a printable key belongs to it)? */
export function isTyping(element) {
  if (!element) return false;
  if (element.isContentEditable) return true;
  const tag = String(element.tagName || "").toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag !== "input") return false;
  return !NOT_TEXT.has(String(element.type || "text").toLowerCase());
}

/** Should this key press move focus to the search box? */
export function isShortcut(event, active) {
  if (event.defaultPrevented || event.isComposing || event.repeat) return false;
  if (isTyping(active)) return false;
  const key = event.key;
  if (key === "/") return !event.ctrlKey && !event.metaKey && !event.altKey;
  if (key === "k" || key === "K") return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
  return false;
}

/**
 * Where a key moves the selection among `count` results: -1 is the box itself, 0 the first
 * result. Returns null for a key that does not move (it keeps its usual meaning).
 */
export function step(index, key, count) {
  if (count <= 0) return null;
  if (key === "ArrowDown") return Math.min(index + 1, count - 1);
  if (key === "ArrowUp") return index <= 0 ? -1 : index - 1;
  if (index < 0) return null; // Home and End keep moving the caret inside the box
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return null;
}

function resultsOf(box, doc) {
  const region = doc.getElementById(box.getAttribute("aria-controls") || "");
  return region ? Array.from(region.querySelectorAll("li > a[href]")) : [];
}

function boxOf(element, doc) {
  if (element && element.matches && element.matches("[data-search-box]")) return element;
  for (const box of doc.querySelectorAll("[data-search-box]")) {
    const region = doc.getElementById(box.getAttribute("aria-controls") || "");
    if (region && region.contains(element)) return box;
  }
  return null;
}

function clear(box) {
  if (box.value !== "") {
    box.value = "";
    box.dispatchEvent(new Event("input", { bubbles: true })); // htmx asks for the empty results
  }
  box.focus();
}

export function connect(doc) {
  const target = doc.querySelector("[data-search-shortcut]");
  if (target) {
    target.setAttribute("aria-keyshortcuts", "/ Control+K");
    doc.querySelectorAll("[data-search-hint]").forEach((hint) => { hint.hidden = false; });
  }
  const arriving = doc.querySelector("[data-search-box][data-search-autofocus]");
  if (arriving && (!doc.activeElement || doc.activeElement === doc.body)) {
    arriving.focus(); // the search page: go on typing where the query ends
    arriving.setSelectionRange(arriving.value.length, arriving.value.length);
  }
  doc.querySelectorAll("[data-search-box]").forEach((box) => {
    const form = box.form;
    const help = form && form.querySelector("[data-search-help]");
    if (help) {
      help.hidden = false;
      const described = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (!described.includes(help.id)) box.setAttribute("aria-describedby", [...described, help.id].join(" "));
    }
  });

  doc.addEventListener("keydown", (event) => {
    if (target && isShortcut(event, doc.activeElement)) {
      event.preventDefault();
      target.focus();
      target.select();
      return;
    }
    const box = boxOf(event.target, doc);
    if (!box) return;
    if (event.key === "Escape") {
      if (event.target === box && box.value === "") return;
      event.preventDefault();
      clear(box);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const links = resultsOf(box, doc);
    const index = event.target === box ? -1 : links.indexOf(event.target);
    if (event.target !== box && index < 0) return;
    const next = step(index, event.key, links.length);
    if (next === null) return;
    event.preventDefault();
    (next < 0 ? box : links[next]).focus();
  });
}

if (typeof document !== "undefined") connect(document);
