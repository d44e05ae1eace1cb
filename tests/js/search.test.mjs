// The rules of static/js/search.mjs, under Node (no DOM: the browser tests drive the page).
import assert from "node:assert/strict";
import { test } from "node:test";

import { isShortcut, isTyping, step } from "../../static/js/search.mjs";

const input = (type = "text") => ({ tagName: "INPUT", type });
const key = (name, extra = {}) => ({ key: name, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...extra });

test("typing happens in text fields, text areas, selects and editable content", () => {
  for (const type of ["text", "search", "email", "password", "url", "number", ""]) {
    assert.equal(isTyping(input(type)), true, type);
  }
  assert.equal(isTyping({ tagName: "TEXTAREA" }), true);
  assert.equal(isTyping({ tagName: "SELECT" }), true);
  assert.equal(isTyping({ tagName: "DIV", isContentEditable: true }), true);
});

test("buttons, boxes, links and the page itself are not typed in", () => {
  for (const type of ["checkbox", "radio", "submit", "button", "range", "color", "file", "reset"]) {
    assert.equal(isTyping(input(type)), false, type);
  }
  assert.equal(isTyping({ tagName: "A" }), false);
  assert.equal(isTyping({ tagName: "BODY" }), false);
  assert.equal(isTyping(null), false);
});

test("slash and Ctrl+K or Cmd+K focus the search box from the page", () => {
  const page = { tagName: "BODY" };
  assert.equal(isShortcut(key("/"), page), true);
  assert.equal(isShortcut(key("k", { ctrlKey: true }), page), true);
  assert.equal(isShortcut(key("K", { ctrlKey: true }), page), true);
  assert.equal(isShortcut(key("k", { metaKey: true }), { tagName: "A" }), true);
});

test("the shortcuts never take a key from a field being typed in", () => {
  for (const element of [input(), input("search"), { tagName: "TEXTAREA" }, { tagName: "P", isContentEditable: true }]) {
    assert.equal(isShortcut(key("/"), element), false);
    assert.equal(isShortcut(key("k", { ctrlKey: true }), element), false);
  }
});

test("other keys and other modifiers are left alone", () => {
  const page = { tagName: "BODY" };
  assert.equal(isShortcut(key("k"), page), false);
  assert.equal(isShortcut(key("/", { ctrlKey: true }), page), false);
  assert.equal(isShortcut(key("k", { ctrlKey: true, shiftKey: true }), page), false);
  assert.equal(isShortcut(key("k", { ctrlKey: true, altKey: true }), page), false);
  assert.equal(isShortcut(key("/", { defaultPrevented: true }), page), false);
  assert.equal(isShortcut(key("/", { isComposing: true }), page), false);
  assert.equal(isShortcut(key("/", { repeat: true }), page), false);
});

test("ArrowDown goes from the box to the first result and stops at the last", () => {
  assert.equal(step(-1, "ArrowDown", 3), 0);
  assert.equal(step(0, "ArrowDown", 3), 1);
  assert.equal(step(2, "ArrowDown", 3), 2);
});

test("ArrowUp goes back up to the box and stays there", () => {
  assert.equal(step(2, "ArrowUp", 3), 1);
  assert.equal(step(0, "ArrowUp", 3), -1);
  assert.equal(step(-1, "ArrowUp", 3), -1);
});

test("Home and End jump among results but move the caret in the box", () => {
  assert.equal(step(1, "Home", 3), 0);
  assert.equal(step(0, "End", 3), 2);
  assert.equal(step(-1, "Home", 3), null);
  assert.equal(step(-1, "End", 3), null);
});

test("without results, or for other keys, nothing moves", () => {
  assert.equal(step(-1, "ArrowDown", 0), null);
  assert.equal(step(0, "Enter", 3), null);
  assert.equal(step(0, "a", 3), null);
});
