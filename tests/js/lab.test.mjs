// The forgetting lab's maths (static/js/lab/model.mjs), under `node --test`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import * as model from "../../static/js/lab/model.mjs";

const SEEDS = [1, 2, 3, 4, 5];

function randomArray(n, seed, scale = 1) {
  const random = model.makeRandom(seed, "test");
  return Float64Array.from({ length: n }, () => scale * random.normal());
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("gradients", () => {
  // Every parameter, with an adapter and the EWC penalty in the loss at once.
  test("match central finite differences for every base and adapter parameter", () => {
    const tasks = model.makeTasks("moons", 7);
    const base = model.initialParameters(7);
    const rank = 2;
    const adapter = randomArray(model.adapterLayout(rank).size, 8, 0.5); // U non-zero: V gets gradients
    const ewc = {
      lambda: 3,
      fisher: randomArray(model.LAYOUT.size, 9).map((v) => v * v),
      anchor: randomArray(model.LAYOUT.size, 10, 0.5),
    };
    const batch = [0, 3, 17, 42, 99, 150, 151, 199];
    const data = tasks.A.train;
    const { gBase, gAdapter } = model.lossAndGradient(base, adapter, data, batch, ewc);
    const h = 1e-6;
    const check = (params, gradient, label) => {
      for (let i = 0; i < params.length; i++) {
        const kept = params[i];
        params[i] = kept + h;
        const up = model.lossAndGradient(base, adapter, data, batch, ewc).loss;
        params[i] = kept - h;
        const down = model.lossAndGradient(base, adapter, data, batch, ewc).loss;
        params[i] = kept;
        const numeric = (up - down) / (2 * h);
        const error = Math.abs(numeric - gradient[i]) / Math.max(1, Math.abs(numeric));
        assert.ok(error < 1e-6, `${label} ${i}: analytic ${gradient[i]}, numeric ${numeric}`);
      }
    };
    check(base, gBase, "base");
    check(adapter, gAdapter, "adapter");
    assert.equal(gBase.length + gAdapter.length, 337 + 100);
  });

  test("of the EWC penalty alone are lambda F (theta - anchor)", () => {
    const base = randomArray(model.LAYOUT.size, 11);
    const ewc = {
      lambda: 50,
      fisher: randomArray(model.LAYOUT.size, 12).map(Math.abs),
      anchor: randomArray(337, 13),
    };
    const withPenalty = model.lossAndGradient(base, null, model.makeTasks("moons", 1).A.train, [5], ewc);
    const without = model.lossAndGradient(base, null, model.makeTasks("moons", 1).A.train, [5]);
    for (let i = 0; i < base.length; i++) {
      const expected = ewc.lambda * ewc.fisher[i] * (base[i] - ewc.anchor[i]);
      assert.ok(
        Math.abs(withPenalty.gBase[i] - without.gBase[i] - expected) < 1e-9 * Math.max(1, Math.abs(expected)),
      );
    }
    assert.ok(Math.abs(withPenalty.loss - without.loss - model.ewcPenalty(base, ewc)) < 1e-9);
  });
});

describe("the Fisher information", () => {
  test("in closed form agrees with sampling labels from the model", () => {
    const phase = model.trainTaskA({ seed: 1, epochs: 10 });
    const data = phase.tasks.A.train;
    const exact = model.fisherDiagonal(phase.base, data);
    const samples = 400;
    const sampled = new Float64Array(exact.length);
    const random = model.makeRandom(1, "fisher-test");
    const one = { x: new Float64Array(2), y: new Uint8Array(1), n: 1 };
    for (let i = 0; i < data.n; i++) {
      one.x[0] = data.x[2 * i];
      one.x[1] = data.x[2 * i + 1];
      const p = model.predict(phase.base, null, one.x[0], one.x[1]);
      for (let s = 0; s < samples; s++) {
        one.y[0] = random.next() < p ? 1 : 0;
        // The gradient of the loss is minus the score, d log p(y|x) / d theta.
        const { gBase } = model.lossAndGradient(phase.base, null, one, [0]);
        for (let k = 0; k < gBase.length; k++) sampled[k] += (gBase[k] * gBase[k]) / (samples * data.n);
      }
    }
    const total = exact.reduce((a, b) => a + b, 0);
    const totalSampled = sampled.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(totalSampled - total) / total < 0.02, `total ${total} vs sampled ${totalSampled}`);
    const largest = Math.max(...exact);
    for (let k = 0; k < exact.length; k++) {
      assert.ok(Math.abs(sampled[k] - exact[k]) < 0.05 * largest, `${model.parameterName(k)}`);
    }
  });
});

describe("runs", () => {
  test("with the same seed give identical curves and metrics", () => {
    for (const mitigation of Object.keys(model.MITIGATIONS)) {
      const settings = { mitigation, seed: 3, epochs: 8 };
      assert.deepEqual(model.run(settings, { maps: true }), model.run(settings, { maps: true }), mitigation);
    }
  });

  test("with another seed differ", () => {
    assert.notDeepEqual(model.run({ seed: 1, epochs: 8 }).curve, model.run({ seed: 2, epochs: 8 }).curve);
  });

  test("share task A's phase: a precomputed phase and curve: false change nothing", () => {
    const phaseA = model.trainTaskA({ seed: 4, epochs: 8 });
    for (const mitigation of ["none", "replay", "ewc", "adapter"]) {
      const alone = model.run({ mitigation, seed: 4, epochs: 8 });
      assert.deepEqual(model.run({ mitigation, seed: 4, epochs: 8 }, { phaseA }), alone, mitigation);
      assert.deepEqual(
        model.run({ mitigation, seed: 4, epochs: 8 }, { phaseA, curve: false }).final,
        alone.final,
      );
    }
  });

  const naive = (scenario) => model.run({ scenario, seed: 2, epochs: 20 });

  test("with EWC at lambda 0 equal plain fine-tuning", () => {
    for (const scenario of ["moons", "flip"]) {
      const ewc = model.run({ scenario, mitigation: "ewc", lambda: 0, seed: 2, epochs: 20 });
      assert.deepEqual(ewc.curve, naive(scenario).curve);
      assert.deepEqual(ewc.final, naive(scenario).final);
    }
  });

  test("with replay at share 0, or an empty buffer, equal plain fine-tuning", () => {
    for (const scenario of ["moons", "flip"]) {
      for (const knobs of [{ share: 0 }, { buffer: 0 }]) {
        const replay = model.run({ scenario, mitigation: "replay", seed: 2, epochs: 20, ...knobs });
        assert.deepEqual(replay.curve, naive(scenario).curve);
        assert.deepEqual(replay.final, naive(scenario).final);
      }
    }
  });

  test("with the adapter switched off give task A back exactly", () => {
    for (const rank of [1, 2, 8]) {
      const run = model.run({ mitigation: "adapter", rank, seed: 2, epochs: 20 }, { maps: true });
      assert.equal(run.final.aOff, run.final.aBefore);
      assert.equal(run.final.bOff, run.final.bBefore);
      assert.deepEqual(run.maps.adapterOff, run.maps.afterA);
      assert.notDeepEqual(run.maps.afterB, run.maps.afterA); // the adapter did learn something
    }
  });

  test("replay batches hold the share of replayed points", () => {
    assert.deepEqual(model.replayComposition({ share: 0.25, buffer: 20 }), {
      batch: 16,
      replayed: 4,
      fresh: 12,
      buffer: 20,
    });
    assert.equal(model.replayComposition({ share: 0.5, buffer: 0 }).replayed, 0);
  });
});

describe("settings", () => {
  test("survive a round trip through the URL", () => {
    const settings = model.normalizeSettings({
      scenario: "flip",
      mitigation: "ewc",
      seed: 42,
      lambda: 316,
      seeds: 5,
      adapter: false,
    });
    const back = model.normalizeSettings(new URLSearchParams(model.settingsToQuery(settings)));
    assert.deepEqual(back, settings);
  });

  test("out of range or unknown values fall back or are clamped", () => {
    const s = model.normalizeSettings(
      new URLSearchParams("scenario=nope&mitigation=<b>&seed=-5&lambda=1e99&buffer=abc&share=2"),
    );
    assert.equal(s.scenario, "moons");
    assert.equal(s.mitigation, "none");
    assert.equal(s.seed, 1);
    assert.equal(s.lambda, 1e6);
    assert.equal(s.buffer, model.DEFAULTS.buffer);
    assert.equal(s.share, 0.75);
  });
});

// The behaviours the issue describes, over five seeds (means; the numbers are in the README).
describe("behaviours over five seeds", () => {
  const finals = {};
  const phases = SEEDS.map((seed) => model.trainTaskA({ seed }));
  const at = (mitigation, key, knobs = {}) => {
    const name = `${mitigation}:${JSON.stringify(knobs)}`;
    finals[name] ??= SEEDS.map(
      (seed, i) => model.run({ mitigation, seed, ...knobs }, { phaseA: phases[i], curve: false }).final,
    );
    return mean(finals[name].map((f) => f[key]));
  };

  test("task A is learned first", () => assert.ok(at("none", "aBefore") >= 99, `${at("none", "aBefore")}`));
  test("plain fine-tuning drops A to at most 60 %", () =>
    assert.ok(at("none", "aAfter") <= 60, `${at("none", "aAfter")}`));
  test("replay of 20 points keeps A at 85 % or more", () => {
    assert.ok(at("replay", "aAfter", { buffer: 20 }) >= 85, `${at("replay", "aAfter", { buffer: 20 })}`);
  });
  test("joint training reaches 95 % on both", () => {
    assert.ok(
      at("joint", "aAfter") >= 95 && at("joint", "bAfter") >= 95,
      `${at("joint", "aAfter")} ${at("joint", "bAfter")}`,
    );
  });
  test("strong EWC keeps A at 95 % or more and B stays at 60 % or less", () => {
    const a = at("ewc", "aAfter", { lambda: 1e4 });
    const b = at("ewc", "bAfter", { lambda: 1e4 });
    assert.ok(a >= 95 && b <= 60, `A ${a}, B ${b}`);
  });
  test("freezing the hidden layers does not protect A", () => {
    assert.ok(at("freeze", "aAfter", { freeze: 2 }) <= 75, `${at("freeze", "aAfter", { freeze: 2 })}`);
  });
  test("removing the adapter gives A back", () =>
    assert.equal(at("adapter", "aOff"), at("adapter", "aBefore")));
});

describe("the engine-independent functions", () => {
  // Chromium and Node disagree in the last bit on about one Math.exp value in ten (and on cos,
  // sin, log, pow): results must not depend on them. Math.log1p only gives the loss's value.
  test("are the only transcendental functions the model uses", () => {
    const source = readFileSync(new URL("../../static/js/lab/model.mjs", import.meta.url), "utf8")
      .split("\n")
      .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
      .join("\n");
    const used =
      source.match(/Math\.(exp|expm1|tanh|cosh|sinh|cos|sin|tan|atan2?|log\w*|pow|cbrt|hypot)\b/g) ?? [];
    assert.deepEqual(used, ["Math.log1p"]);
    assert.doesNotMatch(source, /\*\*/);
  });

  test("agree with the engine's own to a few units in the last place", () => {
    const random = model.makeRandom(1, "maths-test");
    for (let i = 0; i < 20000; i++) {
      const x = (random.next() - 0.5) * 80;
      assert.ok(Math.abs(model.exp(x) - Math.exp(x)) <= 1e-15 * Math.exp(x), `exp ${x}`);
      assert.ok(Math.abs(model.expm1(x) - Math.expm1(x)) <= 1e-15 * Math.abs(Math.expm1(x)), `expm1 ${x}`);
      assert.ok(Math.abs(model.tanh(x) - Math.tanh(x)) <= 1e-15 * Math.abs(Math.tanh(x)), `tanh ${x}`);
      const small = x * 1e-6;
      assert.ok(
        Math.abs(model.tanh(small) - Math.tanh(small)) <= 1e-15 * Math.abs(Math.tanh(small)),
        `tanh ${small}`,
      );
    }
    assert.equal(model.tanh(0), 0);
    assert.equal(model.exp(0), 1);
  });

  test("draw close-to-normal numbers: mean 0, variance 1", () => {
    const random = model.makeRandom(2, "normal-test");
    const draws = Array.from({ length: 50000 }, () => random.normal());
    const { mean: m, sd } = model.spread(draws);
    assert.ok(Math.abs(m) < 0.02 && Math.abs(sd - 1) < 0.02, `${m} ${sd}`);
  });
});
