// The forgetting lab's speed: a benchmark, not a test. Under Node: `node tests/bench/lab.mjs`;
// in Chromium: `.venv/bin/python -m tests.bench.lab`, which loads this file into a page and also
// times the module worker the way the page uses it.
//
// One epoch is what the lab does per epoch of a run: 200 / 16 = 12.5 steps of SGD on batches of
// 16 points, and every second epoch the accuracy on both test sets (200 points each) for the
// curves. The paired comparison is six mitigations on one seed: task A trained once, then task B
// six times.

export const SIX = ["none", "lowlr", "replay", "ewc", "freeze", "adapter"];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function bench(model, { rounds = 5, epochs = 20, seed = 1 } = {}) {
  const epoch = [];
  const comparison = [];
  const comparisonFull = [];
  for (let round = 0; round < rounds; round++) {
    let started = performance.now();
    model.trainTaskA({ seed: seed + round, epochs });
    epoch.push((performance.now() - started) / epochs);

    started = performance.now();
    const phaseA = model.trainTaskA({ seed: seed + round });
    for (const mitigation of SIX) model.run({ seed: seed + round, mitigation }, { phaseA });
    comparison.push(performance.now() - started);

    started = performance.now();
    for (const mitigation of SIX) model.run({ seed: seed + round, mitigation }); // task A each time
    comparisonFull.push(performance.now() - started);
  }
  return {
    rounds,
    epochMs: median(epoch),
    comparisonMs: median(comparison),
    comparisonWithoutSharingMs: median(comparisonFull),
  };
}

if (typeof process !== "undefined" && process.argv?.[1]) {
  const { pathToFileURL } = await import("node:url");
  if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    const model = await import("../../static/js/lab/model.mjs");
    const figures = bench(model);
    console.log(`Node ${process.version}, median of ${figures.rounds} rounds:`);
    console.log(
      `  one epoch (12.5 steps of 16 points, both test sets every second epoch): ${figures.epochMs.toFixed(2)} ms`,
    );
    console.log(
      `  six mitigations paired on one seed (task A once): ${(figures.comparisonMs / 1000).toFixed(2)} s`,
    );
    console.log(
      `  the same, task A trained for each: ${(figures.comparisonWithoutSharingMs / 1000).toFixed(2)} s`,
    );
  }
}
