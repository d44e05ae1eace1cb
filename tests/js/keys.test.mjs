// node --test tests/js/: the keyboard rules of static/js/keys.mjs, without a browser.
import test from "node:test";
import assert from "node:assert/strict";

import { choiceAt, isTyping, keyAction, questionFor } from "../../static/js/keys.mjs";

const el = (tagName, attrs = {}) => ({ tagName, getAttribute: (name) => attrs[name] ?? null, ...attrs });
const press = (key, target = el("BODY"), extra = {}) => keyAction({ key, target, ...extra });

test("digits 1 to 9 pick the n-th choice", () => {
  assert.deepEqual(press("1"), { type: "pick", index: 0 });
  assert.deepEqual(press("9"), { type: "pick", index: 8 });
  assert.equal(press("0"), null);
  assert.equal(press("a"), null);
});

test("Enter checks the question, except where Enter already acts", () => {
  assert.deepEqual(press("Enter"), { type: "check" });
  assert.deepEqual(press("Enter", el("INPUT", { type: "radio" })), { type: "check" });
  assert.deepEqual(press("Enter", el("SECTION")), { type: "check" });
  for (const target of [el("A"), el("BUTTON"), el("SUMMARY"), el("INPUT", { type: "submit" }), el("DIV", { role: "button" })]) {
    assert.equal(press("Enter", target), null, target.tagName);
  }
});

test("nothing fires while the learner types in a field", () => {
  for (const type of ["text", "number", "search", "email", "password"]) {
    assert.equal(press("3", el("INPUT", { type })), null, type);
    assert.equal(press("Enter", el("INPUT", { type })), null, type);
  }
  assert.equal(press("3", el("INPUT", {})), null); // no type: a text field
  assert.equal(press("3", el("TEXTAREA")), null);
  assert.equal(press("3", el("SELECT")), null);
  assert.equal(press("3", el("DIV", { isContentEditable: true })), null);
  assert.deepEqual(press("3", el("INPUT", { type: "checkbox" })), { type: "pick", index: 2 });
});

test("modifier keys, repeats and composition are left to the browser", () => {
  assert.equal(press("1", el("BODY"), { ctrlKey: true }), null);
  assert.equal(press("1", el("BODY"), { metaKey: true }), null);
  assert.equal(press("1", el("BODY"), { altKey: true }), null);
  assert.equal(press("Enter", el("BODY"), { repeat: true }), null);
  assert.equal(press("1", el("BODY"), { isComposing: true }), null);
  assert.equal(press("1", el("BODY"), { defaultPrevented: true }), null);
});

test("isTyping knows fields from choices", () => {
  assert.equal(isTyping(el("INPUT", { type: "number" })), true);
  assert.equal(isTyping(el("INPUT", { type: "radio" })), false);
  assert.equal(isTyping(el("BUTTON")), false);
  assert.equal(isTyping(null), false);
});

test("a pick lands on the n-th enabled radio or checkbox, hidden fields aside", () => {
  const inputs = [
    { type: "hidden" },
    { type: "radio", value: "a" },
    { type: "radio", value: "b", disabled: true },
    { type: "checkbox", value: "c" },
  ];
  assert.equal(choiceAt(inputs, 0).value, "a");
  assert.equal(choiceAt(inputs, 1).value, "c");
  assert.equal(choiceAt(inputs, 2), null);
});

test("the question: the focused one, else the next after focus, else the first on screen", () => {
  const make = (name, bottom, inside = [], after = []) => ({
    name,
    bottom,
    contains: (node) => inside.includes(node),
    follows: (node) => after.includes(node),
  });
  const answered1 = {};
  const radio2 = {};
  const q2 = make("q2", -50, [radio2], [answered1]);
  const q3 = make("q3", 400, [], [answered1]);
  const forms = [q2, q3];

  assert.equal(questionFor(forms, radio2).name, "q2"); // focus inside a question
  assert.equal(questionFor(forms, answered1).name, "q2"); // focus on an answered one: the next
  assert.equal(questionFor(forms, null).name, "q3"); // nothing focused: q2 is scrolled past
  assert.equal(questionFor([make("q9", -10)], null).name, "q9"); // all above: the last one
  assert.equal(questionFor([], null), null);
});
