// The reference fixture (static/js/lab/reference.json) is exactly what make-reference.mjs computes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { referenceText } from "../../static/js/lab/make-reference.mjs";

test("regenerating the reference runs changes nothing", () => {
  const stored = readFileSync(new URL("../../static/js/lab/reference.json", import.meta.url), "utf8");
  const fresh = referenceText();
  assert.ok(
    stored === fresh,
    "static/js/lab/reference.json is out of date: run `node static/js/lab/make-reference.mjs` and commit it",
  );
});
