// The forgetting lab's module worker: trains off the main thread, so the page stays responsive.
//
// The page sends {id, model, jobs: [{settings, maps, curve}]}; `model` is the URL of model.mjs as
// the page knows it (with its hashed name after collectstatic), so this file imports nothing by a
// relative path. The worker answers {id, type: "progress", done, total} after every run and then
// {id, type: "done", results}, or {id, type: "error", message}. Task A is the same for every
// mitigation of a (scenario, seed): it is trained once and kept for the paired runs that follow.

let model = null;
const phases = new Map();
const KEEP = 40; // task A phases kept (about 60 KB each)

async function load(url) {
  const target = new URL(url, self.location.href);
  if (target.origin !== self.location.origin) throw new Error("the lab's model must come from this site");
  model ??= await import(target.href);
  return model;
}

function phaseFor(settings) {
  const key = model.phaseKey(settings);
  let phase = phases.get(key);
  if (!phase) {
    phase = model.trainTaskA(settings);
    phases.set(key, phase);
    if (phases.size > KEEP) phases.delete(phases.keys().next().value);
  }
  return phase;
}

self.addEventListener("message", async (event) => {
  const { id, jobs } = event.data;
  try {
    await load(event.data.model);
    const results = [];
    for (const job of jobs) {
      const phaseA = phaseFor(job.settings);
      results.push(model.run(job.settings, { phaseA, maps: Boolean(job.maps), curve: job.curve !== false }));
      self.postMessage({ id, type: "progress", done: results.length, total: jobs.length });
    }
    self.postMessage({ id, type: "done", results });
  } catch (error) {
    self.postMessage({ id, type: "error", message: String(error && error.message ? error.message : error) });
  }
});
