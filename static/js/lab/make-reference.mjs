// The lab's reference runs, computed by model.mjs under Node: what /lab/ shows without JavaScript
// and what the numbers in the articles come from. Regenerate after changing model.mjs:
//
//   node static/js/lab/make-reference.mjs        (writes static/js/lab/reference.json)
//
// tests/js/reference.test.mjs fails when the file differs from what this produces.

import * as model from "./model.mjs";

export const SEEDS = [1, 2, 3, 4, 5];
export const SCENARIO_ORDER = ["moons", "flip"];
export const MITIGATION_ORDER = ["none", "lowlr", "replay", "ewc", "freeze", "adapter", "joint"];

/** The reference runs: every mitigation with its default knob on both scenarios over five seeds
 * (curves for the first seed), and the moons sweep of every knob on the first seed. */
export function reference() {
  const scenarios = {};
  for (const scenario of SCENARIO_ORDER) {
    const phases = SEEDS.map((seed) => model.trainTaskA({ scenario, seed }));
    const runs = MITIGATION_ORDER.map((mitigation) => {
      const settings = model.normalizeSettings({ scenario, mitigation, seed: SEEDS[0] });
      const results = SEEDS.map((seed, i) =>
        model.run({ ...settings, seed }, { phaseA: phases[i], curve: i === 0 }),
      );
      const summary = model.summarize(results).final;
      return {
        mitigation,
        name: model.MITIGATIONS[mitigation],
        query: model.settingsToQuery(settings),
        finals: results.map((r) => ({ seed: r.settings.seed, ...r.final })),
        summary,
        curve: results[0].curve,
      };
    });
    scenarios[scenario] = { title: model.SCENARIOS[scenario], bStart: phases[0].curve.step.at(-1), runs };
  }
  const phaseA = model.trainTaskA({ scenario: "moons", seed: SEEDS[0] });
  const points = model.sweepSettings({ scenario: "moons", seed: SEEDS[0] }).map((settings) => {
    const { knob } = model.SWEEPS[settings.mitigation];
    const { final } = model.run(settings, { phaseA, curve: false });
    return { mitigation: settings.mitigation, knob, value: knob ? settings[knob] : null, ...final };
  });
  return {
    about: "Reference runs of the forgetting lab, computed by static/js/lab/make-reference.mjs. Do not edit.",
    fixed: model.FIXED,
    defaults: model.DEFAULTS,
    seeds: SEEDS,
    scenarios,
    sweep: { scenario: "moons", seed: SEEDS[0], points },
  };
}

/** JSON with one line per object holding only numbers and strings, so diffs stay readable. */
export function format(value, indent = "") {
  const flat = (v) => v === null || typeof v !== "object" || (Array.isArray(v) && v.every(flat));
  if (
    flat(value) ||
    (!Array.isArray(value) && Object.values(value).every(flat) && JSON.stringify(value).length < 160)
  ) {
    return JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + format(v, inner)).join(",\n")}\n${indent}]`;
  const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`);
  return `{\n${entries.join(",\n")}\n${indent}}`;
}

export function referenceText() {
  return `${format(reference())}\n`;
}

// Run as a script (not imported by a test): write the file next to this one.
if (typeof process !== "undefined" && process.argv?.[1]) {
  const { pathToFileURL } = await import("node:url");
  if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    const { writeFileSync } = await import("node:fs");
    const target = new URL("./reference.json", import.meta.url);
    writeFileSync(target, referenceText());
    console.log(`wrote ${target.pathname}`);
  }
}
