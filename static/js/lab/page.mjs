// The forgetting lab's page (templates/learn/lab.html): the controls, the decision map, the charts
// and their tables. Training runs in a module worker (worker.mjs) on the maths in model.mjs. Both
// URLs come from the page's data attributes, so they carry the hashed names of collected static
// files and no module here imports another by a relative path.
//
// Every chart is drawn from one data object that also fills its table, so the two cannot disagree.
// The live region (#lab-status) speaks only when a phase ends. With prefers-reduced-motion the
// curves appear at once instead of being drawn over a second and a half.

const root = document.getElementById("lab");
const modelUrl = new URL(root.dataset.model, document.baseURI).href;
const model = await import(modelUrl);

const $ = (selector) => root.querySelector(selector);
const form = $("#lab-form");
const compareForm = $("#lab-compare-form");
const status = $("#lab-status");
const motion = window.matchMedia("(prefers-reduced-motion: reduce)");
const darkMode = window.matchMedia("(prefers-color-scheme: dark)");
const ORDER = Object.keys(model.MITIGATIONS);
const SHORT = {
  none: "None",
  lowlr: "Lower learning rate",
  replay: "Replay",
  ewc: "EWC",
  freeze: "Freeze",
  adapter: "Adapter",
  joint: "Joint",
};

// ---- Small DOM helpers ---------------------------------------------------------------------------

function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  return fill(node, attributes, children);
}

function s(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  return fill(node, attributes, children);
}

function fill(node, attributes, children) {
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false)
      node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function number(value, digits = 1) {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function pct(value) {
  return `${number(value)} %`;
}

function lambdaText(lambda) {
  return lambda.toLocaleString("en", { maximumSignificantDigits: 3 });
}

function knobText(knob, value) {
  if (knob === "lambda") return `λ ${lambdaText(value)}`;
  if (knob === "lowLr") return `learning rate ${value}`;
  if (knob === "buffer") return `${value} points`;
  if (knob === "freeze") return value === 2 ? "both layers" : "first layer";
  if (knob === "rank") return `rank ${value}`;
  return "–";
}

// ---- Settings: the form, the state and the address -------------------------------------------

const params = new URLSearchParams(window.location.search);
let settings = model.normalizeSettings(params);
let compare = (params.get("compare") ?? ORDER.join(",")).split(",").filter((m) => m in model.MITIGATIONS);
let show = params.get("show") === "b" ? "b" : "a";

function seedList(current) {
  return Array.from({ length: current.seeds }, (_, i) => current.seed + i);
}

function lambdaFromSlider(value) {
  const exponent = Number(value);
  return exponent < 0 ? 0 : Number((10 ** exponent).toPrecision(3));
}

function writeForm() {
  for (const name of ["scenario", "mitigation"]) {
    for (const input of form.elements[name]) input.checked = input.value === settings[name];
  }
  for (const name of ["lowLr", "freeze", "rank", "seeds"]) {
    const select = form.elements[name];
    const value = String(settings[name]);
    if (![...select.options].some((option) => option.value === value)) select.add(new Option(value, value));
    select.value = value;
  }
  form.elements.buffer.value = settings.buffer;
  form.elements.seed.value = settings.seed;
  form.elements.share.value = settings.share;
  form.elements.lambdaLog.value = settings.lambda > 0 ? Math.log10(settings.lambda) : -0.5;
  form.elements.adapter.checked = settings.adapter;
  for (const box of compareForm.elements.compare) box.checked = compare.includes(box.value);
  for (const radio of compareForm.elements.show) radio.checked = radio.value === show;
  writeOutputs();
}

function writeOutputs() {
  const { replayed, fresh } = model.replayComposition({ ...settings, buffer: Math.max(settings.buffer, 1) });
  const share = `${replayed} of ${replayed + fresh} (${number(settings.share * 100)} %)`;
  $("#lab-share-out").textContent = share;
  form.elements.share.setAttribute("aria-valuetext", share);
  const lambda = settings.lambda > 0 ? `λ = ${lambdaText(settings.lambda)}` : "λ = 0 (no penalty)";
  $("#lab-lambda-out").textContent = lambda;
  form.elements.lambdaLog.setAttribute("aria-valuetext", lambda);
}

function readControl(target) {
  const { name } = target;
  const raw = { ...settings };
  if (name === "lambdaLog") raw.lambda = lambdaFromSlider(target.value);
  else if (name === "adapter") raw.adapter = target.checked;
  else if (name in settings) raw[name] = target.value;
  else return false;
  settings = model.normalizeSettings(raw);
  return true;
}

function writeAddress() {
  const query = `${model.settingsToQuery(settings)}&compare=${compare.join(",")}&show=${show}`;
  window.history.replaceState(null, "", `${window.location.pathname}?${query}`);
}

form.addEventListener("change", (event) => {
  if (event.target.name === "seed" || event.target.name === "buffer") {
    readControl(event.target);
    writeForm(); // the clamped value goes back into the box
  }
});

form.addEventListener("input", (event) => {
  if (!readControl(event.target)) return;
  writeOutputs();
  writeAddress();
  if (event.target.name === "adapter" && last && last.settings.mitigation === "adapter") showRun(last);
  else showRule(last && sameRun(last.settings, settings) ? last : null);
});

compareForm.addEventListener("input", (event) => {
  if (event.target.name === "compare") {
    compare = [...compareForm.elements.compare].filter((box) => box.checked).map((box) => box.value);
  } else if (event.target.name === "show") {
    show = event.target.value;
    if (compared) showComparison(compared);
  }
  writeAddress();
});

function sameRun(a, b) {
  return model.settingsToQuery({ ...a, adapter: true }) === model.settingsToQuery({ ...b, adapter: true });
}

// ---- The workers ---------------------------------------------------------------------------------
// A few module workers, one per core up to four: a job list is cut into as many consecutive
// pieces, each worker trains task A once for its piece, and the results come back in order.

const POOL = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
let workers = [];
let nextId = 1;
const waiting = new Map();

function startWorker() {
  const started = new Worker(new URL(root.dataset.worker, document.baseURI), { type: "module" });
  started.addEventListener("message", (event) => {
    const { id, type } = event.data;
    const job = waiting.get(id);
    if (!job) return;
    if (type === "progress") {
      job.onProgress(event.data.done);
      return;
    }
    waiting.delete(id);
    if (type === "done") job.resolve(event.data.results);
    else job.reject(new Error(event.data.message));
  });
  started.addEventListener("error", (event) => {
    for (const job of waiting.values())
      job.reject(new Error(event.message || "the lab’s worker did not start"));
    waiting.clear();
    for (const worker of workers) worker.terminate();
    workers = [];
  });
  return started;
}

function ask(worker, jobs, onProgress) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, model: modelUrl, jobs });
  });
}

function compute(jobs, onProgress) {
  const size = Math.min(POOL, jobs.length);
  while (workers.length < size) workers.push(startWorker());
  const done = new Array(size).fill(0);
  const pieces = [];
  for (let i = 0; i < size; i++) {
    pieces.push(jobs.slice(Math.round((i * jobs.length) / size), Math.round(((i + 1) * jobs.length) / size)));
  }
  return Promise.all(
    pieces.map((piece, i) =>
      ask(workers[i], piece, (count) => {
        done[i] = count;
        onProgress?.(
          done.reduce((a, b) => a + b, 0),
          jobs.length,
        );
      }),
    ),
  ).then((parts) => parts.flat());
}

let busy = false;

function setBusy(on) {
  busy = on;
  root.dataset.state = on ? "running" : "done";
  for (const button of root.querySelectorAll("button")) {
    if (on) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  }
}

/** Says `text` in the live region (for screen readers) and shows it in the section's note. */
function announce(text, note) {
  status.textContent = text;
  if (note) $(note).textContent = text;
}

function working(note, text) {
  $(note).textContent = text; // shown, not spoken: the live region speaks when a phase ends
}

function failed(error, note) {
  announce(`The lab could not run: ${error.message}. Reload the page to try again.`, note);
}

// ---- Charts --------------------------------------------------------------------------------------

let chartIds = 0;

/** The plot's box for a chart drawn into `container`: as wide as it is, in CSS pixels, so the
 * text keeps its size on a phone. */
function boxFor(container, height) {
  const width = Math.round(Math.min(760, Math.max(300, container.clientWidth || 640)));
  const tall = width < 480 ? Math.round(height * 0.9) : height;
  return { width, height: tall, left: 44, right: width - 26, top: 28, bottom: tall - 42 };
}

function scale(box, xMax) {
  return {
    x: (value) => Number((box.left + ((box.right - box.left) * value) / xMax).toFixed(2)),
    y: (value) => Number((box.top + (box.bottom - box.top) * (1 - value / 100)).toFixed(2)),
  };
}

/** A chart's table twin, in a box that scrolls sideways on its own when it is wider than the page
 * (focusable, so the keyboard can scroll it too). */
function tableFor(data) {
  const id = `lab-table-${++chartIds}`;
  return h(
    "details",
    {},
    h("summary", {}, "The numbers as a table"),
    h(
      "div",
      { class: "lab-table-scroll", tabindex: 0, role: "region", "aria-labelledby": id },
      h(
        "table",
        { class: "data-table lab-table" },
        h("caption", { id }, `${data.title} (${data.unit})`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            data.columns.map((name) => h("th", { scope: "col" }, name)),
          ),
        ),
        h(
          "tbody",
          {},
          data.rows.map((row) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, row[0]),
              row.slice(1).map((cell) => h("td", {}, cell)),
            ),
          ),
        ),
      ),
    ),
  );
}

function legendFor(series) {
  return h(
    "ul",
    { class: "lab-legend" },
    series.map((line) => h("li", {}, h("span", { class: `swatch ${line.cls}` }), ` ${line.name}`)),
  );
}

/** Accuracy against training steps: data = {title, steps, bStart, series: [{name, cls, values,
 * low, high}]}. `shown` limits the points drawn (while a run is being drawn). */
function lineChart(data, box, shown = Infinity) {
  const id = `lab-chart-${++chartIds}`;
  const max = data.steps.at(-1);
  const { x, y } = scale(box, max);
  const count = Math.min(shown, data.steps.length);
  const axes = [];
  for (const tick of [0, 25, 50, 75, 100]) {
    axes.push(s("line", { class: "grid", x1: box.left, x2: box.right, y1: y(tick), y2: y(tick) }));
    axes.push(
      s("text", { class: "tick", x: box.left - 6, y: y(tick), dy: 5, "text-anchor": "end" }, String(tick)),
    );
  }
  for (let step = 0; step <= max; step += max / 5) {
    axes.push(
      s(
        "text",
        { class: "tick", x: x(step), y: box.bottom + 18, "text-anchor": "middle" },
        step.toLocaleString("en"),
      ),
    );
  }
  axes.push(
    s(
      "text",
      { class: "axis", x: (box.left + box.right) / 2, y: box.height - 4, "text-anchor": "middle" },
      "Training steps",
    ),
  );
  const marker = x(data.bStart);
  axes.push(s("line", { class: "marker", x1: marker, x2: marker, y1: box.top - 6, y2: box.bottom }));
  axes.push(
    s(
      "text",
      { class: "marker-label", x: marker, y: box.top - 12, "text-anchor": "middle" },
      "task B starts",
    ),
  );
  const bands = [];
  const lines = data.series.map((line, index) => {
    const points = [];
    for (let k = 0; k < count; k++) points.push(`${x(data.steps[k])},${y(line.values[k])}`);
    if (line.low && count > 1) {
      const outline = [];
      for (let k = 0; k < count; k++) outline.push(`${x(data.steps[k])},${y(line.high[k])}`);
      for (let k = count - 1; k >= 0; k--) outline.push(`${x(data.steps[k])},${y(line.low[k])}`);
      bands.push(s("polygon", { class: `band ${line.cls}`, points: outline.join(" ") }));
    }
    return s("polyline", { class: `line ${line.cls}`, points: points.join(" "), "data-series": index });
  });
  const at = data.steps.indexOf(data.bStart);
  const summary = data.series
    .map(
      (line) =>
        `${line.name}: ${number(line.values[0])} % at the start, ${number(line.values[at])} % when task B starts, ` +
        `${number(line.values.at(-1))} % at the end`,
    )
    .join("; ");
  const rows = [];
  for (let k = 0; k < data.steps.length; k += 10)
    rows.push([String(data.steps[k]), ...data.series.map((line) => number(line.values[k]))]);
  return h(
    "figure",
    { class: "lab-chart", "aria-labelledby": `${id}-title` },
    h("figcaption", { id: `${id}-title` }, data.title),
    s(
      "svg",
      {
        viewBox: `0 0 ${box.width} ${box.height}`,
        width: box.width,
        height: box.height,
        role: "img",
        "aria-label": `${data.title}. ${summary}.`,
        "data-plot": `${box.left} ${box.top} ${box.right} ${box.bottom}`,
        "data-x-max": max,
      },
      axes,
      bands,
      lines,
    ),
    legendFor(data.series),
    count === data.steps.length
      ? tableFor({
          title: data.title,
          unit: "accuracy in %",
          columns: ["Step", ...data.series.map((l) => l.name)],
          rows,
        })
      : null,
  );
}

/** Task A kept against task B learned: data = {title, groups: [{name, cls, points: [{label, a, b}]}]}. */
function scatterChart(data, box) {
  const id = `lab-chart-${++chartIds}`;
  const { x, y } = scale(box, 100);
  const axes = [];
  for (const tick of [0, 25, 50, 75, 100]) {
    axes.push(s("line", { class: "grid", x1: box.left, x2: box.right, y1: y(tick), y2: y(tick) }));
    axes.push(s("line", { class: "grid", x1: x(tick), x2: x(tick), y1: box.top, y2: box.bottom }));
    axes.push(
      s("text", { class: "tick", x: box.left - 6, y: y(tick), dy: 5, "text-anchor": "end" }, String(tick)),
    );
    axes.push(
      s("text", { class: "tick", x: x(tick), y: box.bottom + 18, "text-anchor": "middle" }, String(tick)),
    );
  }
  axes.push(
    s(
      "text",
      { class: "axis", x: box.right, y: box.height - 4, "text-anchor": "end" },
      "Task B learned (%) →",
    ),
  );
  axes.push(s("text", { class: "axis", x: box.left, y: box.top - 12 }, "↑ Task A kept (%)"));
  const marks = data.groups.map((group, index) =>
    s(
      "g",
      { class: group.cls, "data-series": index },
      group.points.length > 1
        ? s("polyline", { class: "line", points: group.points.map((p) => `${x(p.b)},${y(p.a)}`).join(" ") })
        : null,
      group.points.map((p) => s("circle", { class: "dot", cx: x(p.b), cy: y(p.a), r: 5 })),
    ),
  );
  const rows = data.groups.flatMap((group) =>
    group.points.map((p) => [group.name, p.label, number(p.a), number(p.b)]),
  );
  const summary = data.groups
    .map(
      (group) =>
        `${group.name}: ${group.points.map((p) => `${p.label}, A ${number(p.a)} %, B ${number(p.b)} %`).join("; ")}`,
    )
    .join(". ");
  return h(
    "figure",
    { class: "lab-chart lab-scatter", "aria-labelledby": `${id}-title` },
    h("figcaption", { id: `${id}-title` }, data.title),
    s(
      "svg",
      {
        viewBox: `0 0 ${box.width} ${box.height}`,
        width: box.width,
        height: box.height,
        role: "img",
        "aria-label": `${data.title}. ${summary}.`,
        "data-plot": `${box.left} ${box.top} ${box.right} ${box.bottom}`,
      },
      axes,
      marks,
    ),
    legendFor(data.groups),
    tableFor({
      title: data.title,
      unit: "accuracy in %",
      columns: ["Mitigation", "Setting", "A kept", "B learned"],
      rows,
    }),
  );
}

// ---- The decision map ----------------------------------------------------------------------------

let mapWhen = "afterB";
let shownMap = null; // {map, label}

function cssColor(name) {
  const value = getComputedStyle(root).getPropertyValue(name).trim();
  const hex = value.startsWith("#") && value.length === 7 ? value : "#808080";
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function mix(a, b, t) {
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * t)).join(",")})`;
}

function rgb(colour) {
  return mix(colour, colour, 0);
}

function tasksOf(current) {
  return model.makeTasks(current.scenario, current.seed);
}

/** The decision map, smoothly scaled up from its grid, the 50 % line traced between the grid's
 * cell centres (marching squares), and the test points of both tasks on top. */
function drawMap(map, current) {
  const canvas = $("#lab-map");
  const context = canvas.getContext("2d");
  const { columns, rows } = model.MAP_SIZE;
  const surface = cssColor("--surface");
  const c0 = cssColor("--lab-c0");
  const c1 = cssColor("--lab-c1");
  const ink = cssColor("--text");
  context.fillStyle = rgb(surface);
  context.fillRect(0, 0, canvas.width, canvas.height);
  const cw = canvas.width / columns;
  const ch = canvas.height / rows;
  if (map) {
    const grid = document.createElement("canvas");
    grid.width = columns;
    grid.height = rows;
    const cells = grid.getContext("2d");
    const image = cells.createImageData(columns, rows);
    for (let i = 0; i < map.length; i++) {
      const p = map[i] / 255;
      const towards = p > 0.5 ? c1 : c0;
      const t = 0.1 + 0.32 * Math.abs(p - 0.5) * 2;
      for (let k = 0; k < 3; k++)
        image.data[4 * i + k] = Math.round(surface[k] + (towards[k] - surface[k]) * t);
      image.data[4 * i + 3] = 255;
    }
    cells.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(grid, 0, 0, canvas.width, canvas.height);
    const value = (r, c) => map[r * columns + c] - 127.5;
    const at = (r, c) => [(c + 0.5) * cw, (r + 0.5) * ch];
    const cross = (r1, c1_, r2, c2) => {
      const a = value(r1, c1_);
      const b = value(r2, c2);
      const t = a / (a - b);
      const [x1, y1] = at(r1, c1_);
      const [x2, y2] = at(r2, c2);
      return [x1 + (x2 - x1) * t, y1 + (y2 - y1) * t];
    };
    context.strokeStyle = rgb(ink);
    context.lineWidth = 2;
    context.beginPath();
    for (let r = 0; r + 1 < rows; r++) {
      for (let c = 0; c + 1 < columns; c++) {
        const points = [];
        if (value(r, c) > 0 !== value(r, c + 1) > 0) points.push(cross(r, c, r, c + 1));
        if (value(r, c + 1) > 0 !== value(r + 1, c + 1) > 0) points.push(cross(r, c + 1, r + 1, c + 1));
        if (value(r + 1, c + 1) > 0 !== value(r + 1, c) > 0) points.push(cross(r + 1, c + 1, r + 1, c));
        if (value(r + 1, c) > 0 !== value(r, c) > 0) points.push(cross(r + 1, c, r, c));
        for (let k = 0; k + 1 < points.length; k += 2) {
          context.moveTo(...points[k]);
          context.lineTo(...points[k + 1]);
        }
      }
    }
    context.stroke();
  }
  const { x: bx, y: by } = model.BOUNDS;
  const px = (v) => ((v - bx[0]) / (bx[1] - bx[0])) * canvas.width;
  const py = (v) => ((by[1] - v) / (by[1] - by[0])) * canvas.height;
  const tasks = tasksOf(current);
  context.lineWidth = 1.5;
  for (const [data, hollow] of [
    [tasks.A.test, false],
    [tasks.B.test, true],
  ]) {
    for (let i = 0; i < data.n; i++) {
      const x = px(data.x[2 * i]);
      const y = py(data.x[2 * i + 1]);
      const colour = rgb(data.y[i] ? c1 : c0);
      context.beginPath();
      if (data.y[i]) context.rect(x - 4, y - 4, 8, 8);
      else context.arc(x, y, 4.5, 0, 2 * Math.PI);
      context.fillStyle = hollow ? rgb(surface) : colour;
      context.strokeStyle = hollow ? colour : rgb(ink);
      context.fill();
      context.stroke();
    }
  }
  context.fillStyle = rgb(ink);
  context.font = "600 22px system-ui, sans-serif";
  context.textAlign = "center";
  const flip = current.scenario === "flip";
  context.fillText(flip ? "Task A and task B" : "Task A", px(model.A_CENTRE[0]), 30);
  if (!flip) context.fillText("Task B", px(model.B_CENTRE[0]), 30);
}

function regionText(map, centre, half) {
  const { columns, rows } = model.MAP_SIZE;
  const { x: bx, y: by } = model.BOUNDS;
  let ones = 0;
  let cells = 0;
  for (let r = 0; r < rows; r++) {
    const y = by[1] - ((r + 0.5) / rows) * (by[1] - by[0]);
    if (Math.abs(y - centre[1]) > half[1]) continue;
    for (let c = 0; c < columns; c++) {
      const x = bx[0] + ((c + 0.5) / columns) * (bx[1] - bx[0]);
      if (Math.abs(x - centre[0]) > half[0]) continue;
      cells++;
      if (map[r * columns + c] > 127) ones++;
    }
  }
  const share = Math.round((100 * ones) / cells);
  if (share >= 90) return `almost all class 1 (${share} % of it)`;
  if (share <= 10) return `almost all class 0 (${100 - share} % of it)`;
  return `split between the classes (${share} % class 1)`;
}

function showMap() {
  const canvas = $("#lab-map");
  const text = $("#lab-map-text");
  if (!last) {
    drawMap(null, settings);
    canvas.setAttribute("aria-label", "The test points of both tasks");
    text.textContent =
      settings.scenario === "flip"
        ? "Task A’s test points and task B’s lie in the same region, with opposite labels. Run the lab to draw what the network answers."
        : "Task A’s test points are on the left, task B’s (the same moons, turned) on the right. Run the lab to draw what the network answers.";
    return;
  }
  const run = last.results[0];
  const off = run.settings.mitigation === "adapter" && !settings.adapter;
  const key = mapWhen === "afterA" ? "afterA" : off ? "adapterOff" : "afterB";
  const map = run.maps[key];
  drawMap(map, run.settings);
  const when =
    key === "afterA" ? "after task A" : off ? "after task B with the adapter switched off" : "after task B";
  const f = run.final;
  const [a, b] = key === "afterA" ? [f.aBefore, f.bBefore] : off ? [f.aOff, f.bOff] : [f.aAfter, f.bAfter];
  const bCentre = run.settings.scenario === "flip" ? model.A_CENTRE : model.B_CENTRE;
  const bHalf = run.settings.scenario === "flip" ? [1.5, 0.8] : [0.8, 1.5];
  canvas.setAttribute("aria-label", `Decision map ${when}, seed ${run.settings.seed}`);
  text.textContent =
    `Decision map ${when} (seed ${run.settings.seed}): right on ${pct(a)} of task A’s test points and ${pct(b)} of task B’s. ` +
    `Task A’s region is ${regionText(map, model.A_CENTRE, [1.5, 0.8])}` +
    (run.settings.scenario === "flip"
      ? "; task B uses the same region."
      : `; task B’s region is ${regionText(map, bCentre, bHalf)}.`);
}

$("#lab-map-when").addEventListener("change", (event) => {
  mapWhen = event.target.value;
  showMap();
});

// ---- One run (over one or several seeds) -----------------------------------------------------

let last = null; // {settings, results, summary, prediction}
let runs = 0;

function afterB(current) {
  const f = current.summary.final;
  const off = current.settings.mitigation === "adapter" && !settings.adapter;
  return { a: off ? f.aOff : f.aAfter, b: off ? f.bOff : f.bAfter, off };
}

function accuracyData(current) {
  const { summary } = current;
  const several = current.results.length > 1;
  const seeds = several
    ? `mean of seeds ${summary.seeds[0]} to ${summary.seeds.at(-1)} (bands: lowest to highest)`
    : `seed ${summary.seeds[0]}`;
  const c = summary.curve;
  return {
    title: `Accuracy on both tasks: ${model.MITIGATIONS[current.settings.mitigation]}, ${seeds}`,
    steps: c.step,
    bStart: summary.bStart,
    series: [
      { name: "Task A", cls: "line-a", values: c.a, low: several ? c.aLow : null, high: c.aHigh },
      { name: "Task B", cls: "line-b", values: c.b, low: several ? c.bLow : null, high: c.bHigh },
    ],
  };
}

function statText(spread) {
  return spread.n > 1
    ? `${pct(spread.mean)} (${number(spread.min)}–${number(spread.max)})`
    : pct(spread.mean);
}

function outcome(before, after) {
  if (after <= 60) return "chance";
  if (before - after <= 5) return "stays";
  return "some";
}

const WITH = {
  none: "without a mitigation",
  lowlr: "with a lower learning rate",
  replay: "with replay",
  ewc: "with EWC",
  freeze: "with frozen hidden layers",
  adapter: "with a low-rank adapter",
  joint: "together with task A",
};

const OUTCOMES = {
  stays: ["stay about where it was", "it stayed about where it was"],
  some: ["drop part of the way", "it dropped part of the way"],
  chance: ["fall to chance or below", "it fell to chance or below"],
};

function showSummary(current) {
  const f = current.summary.final;
  const after = afterB(current);
  const list = $("#lab-summary");
  const item = (term, value) => h("div", {}, h("dt", {}, term), h("dd", {}, value));
  list.replaceChildren(
    item("Task A after training on A", statText(f.aBefore)),
    after.off
      ? item("Task A, adapter switched off", statText(f.aOff))
      : item("Task A after training on B", statText(f.aAfter)),
    after.off
      ? item("Task B, adapter switched off", statText(f.bOff))
      : item("Task B after training on B", statText(f.bAfter)),
  );
  list.hidden = false;
  const verdict = $("#lab-verdict");
  const happened = outcome(f.aBefore.mean, after.a.mean);
  const change = `Task A went from ${pct(f.aBefore.mean)} to ${pct(after.a.mean)}${after.off ? " with the adapter switched off" : ""}`;
  if (current.prediction) {
    const right = current.prediction === happened;
    verdict.textContent =
      `You predicted that task A would ${OUTCOMES[current.prediction][0]}. ${change}: ` +
      (right ? "as you predicted." : `not what you predicted, ${OUTCOMES[happened][1]}.`);
  } else {
    verdict.textContent = `${change}.`;
  }
  verdict.hidden = false;
}

function phaseMessages(current) {
  const f = current.summary.final;
  const after = afterB(current);
  const how = WITH[current.settings.mitigation] + (after.off ? " (now switched off)" : "");
  return {
    a: `Task A trained: task A at ${pct(f.aBefore.mean)}, task B at ${pct(f.bBefore.mean)}.`,
    b: `Task B trained ${how}: task A at ${pct(after.a.mean)}, task B at ${pct(after.b.mean)}.`,
  };
}

function showRun(current, shown = Infinity) {
  const chart = $("#lab-chart");
  chart.replaceChildren(lineChart(accuracyData(current), boxFor(chart, 300), shown));
  if (shown === Infinity) {
    showSummary(current);
    showMap();
    showRule(current);
  }
}

function reveal(current) {
  const messages = phaseMessages(current);
  const steps = current.summary.curve.step;
  const bIndex = steps.indexOf(current.summary.bStart);
  if (motion.matches) {
    showRun(current);
    announce(`${messages.a} ${messages.b}`, "#lab-run-note");
    return Promise.resolve();
  }
  const duration = 1500;
  return new Promise((resolve) => {
    let started = null;
    let phaseAShown = false;
    mapWhen = "afterA";
    const frame = (time) => {
      started ??= time;
      const progress = Math.min(1, (time - started) / duration);
      const count = Math.max(2, Math.ceil(progress * steps.length));
      if (!phaseAShown && count > bIndex) {
        phaseAShown = true;
        showMap();
        announce(messages.a, "#lab-run-note");
      }
      if (progress < 1) {
        showRun(current, count);
        window.requestAnimationFrame(frame);
        return;
      }
      mapWhen = $("#lab-map-when").querySelector("input:checked")?.value ?? "afterB";
      showRun(current);
      announce(messages.b, "#lab-run-note");
      resolve();
    };
    window.requestAnimationFrame(frame);
  });
}

async function runLab() {
  if (busy) return;
  setBusy(true);
  $("#lab-verdict").hidden = true;
  working("#lab-run-note", "Training…");
  const current = { settings: { ...settings } };
  const prediction = form.elements.predict.value;
  try {
    const jobs = seedList(current.settings).map((seed, i) => ({
      settings: { ...current.settings, seed },
      maps: i === 0,
    }));
    current.results = await compute(jobs);
    current.summary = model.summarize(current.results);
    current.prediction = prediction || null;
    last = current;
    await reveal(current);
    root.dataset.runs = String(++runs);
  } catch (error) {
    failed(error, "#lab-run-note");
  } finally {
    setBusy(false);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  runLab();
});

// ---- "Show the rule" -----------------------------------------------------------------------------

function showRule(current) {
  const body = $("#lab-rule-body");
  const m = settings.mitigation;
  const lr = m === "lowlr" ? settings.lowLr : model.FIXED.lr;
  const p = (...children) => h("p", {}, ...children);
  const code = (text) => h("code", {}, text);
  const parts = [
    p(
      "Every step takes a batch of ",
      String(model.FIXED.batch),
      " points and moves every trainable weight against the gradient of the batch’s mean cross-entropy ",
      code("L"),
      ": ",
      code(`θ ← θ − η ∇L(θ)`),
      `, with η = ${lr}.`,
    ),
  ];
  if (m === "none")
    parts.push(
      p("Task B’s batches hold only task B’s points, and nothing holds the weights where task A left them."),
    );
  if (m === "lowlr")
    parts.push(
      p(
        `Task A trained with η = ${model.FIXED.lr}; task B trains with η = ${lr}: the same direction, smaller steps.`,
      ),
    );
  if (m === "replay") {
    const c = model.replayComposition(settings);
    parts.push(
      p(
        `Batch composition: ${c.replayed} of ${c.batch} points replayed, drawn at random from a buffer of ${settings.buffer} task A points, `,
        `and ${c.fresh} new task B points. `,
        c.replayed === 0
          ? "With no replayed points this is plain fine-tuning."
          : "The loss is the mean over all of them.",
      ),
    );
  }
  if (m === "ewc") {
    parts.push(
      p(
        "The loss adds a spring to each weight: ",
        code("L(θ) = L_B(θ) + (λ/2) Σᵢ Fᵢ (θᵢ − θ*ᵢ)²"),
        `, with λ = ${lambdaText(settings.lambda)}, θ* the weights after task A and Fᵢ the exact Fisher information of weight i on task A’s points: `,
        code("Fᵢ = mean of p(1 − p)(∂z/∂θᵢ)²"),
        ", where z is the network’s output before the sigmoid and p = σ(z).",
      ),
      p(
        "Each step: ",
        code("θᵢ ← (θᵢ − η gᵢ + ηλFᵢ θ*ᵢ) / (1 + ηλFᵢ)"),
        ", where g is the gradient of L_B: the penalty’s step taken exactly, which stays stable however large λ is (a plain gradient step diverges once ηλFᵢ > 2).",
      ),
    );
    const rule = current && current.results[0].rule;
    if (rule && rule.mitigation === "ewc") {
      parts.push(
        p(
          `At the end of task B (seed ${current.results[0].settings.seed}) the penalty is ${rule.penalty} (largest on the way: ${rule.penaltyMax}); `,
          `the weights moved ${rule.distance} (Euclidean distance) from θ*. Stiffest weights: `,
          rule.stiffest.map((w) => `${w.name} (F = ${w.fisher})`).join(", "),
          "; loosest: ",
          rule.loosest.map((w) => `${w.name} (F = ${w.fisher})`).join(", "),
          ".",
        ),
      );
    }
  }
  if (m === "freeze") {
    const frozen = settings.freeze === 2 ? "W1, b1, W2 and b2" : "W1 and b1";
    parts.push(p(`On task B, ${frozen} do not move; only the layers after them follow the rule above.`));
  }
  if (m === "adapter") {
    const size = model.adapterLayout(settings.rank).size;
    parts.push(
      p(
        "The hidden layers compute with ",
        code("W1 + U1 V1"),
        " and ",
        code("W2 + U2 V2"),
        `, where the U and V matrices have rank ${settings.rank} (${size} numbers) and U starts at zero. On task B only U and V train; `,
        `all ${model.LAYOUT.size} weights of the network stay exactly as task A left them, so switching the adapter off gives task A’s network back.`,
      ),
    );
  }
  if (m === "joint")
    parts.push(
      p(
        "Task B’s batches are drawn from the training points of both tasks: the reference for what one network can hold.",
      ),
    );
  body.replaceChildren(...parts);
}

// ---- Compare and sweep ---------------------------------------------------------------------------

let compared = null; // {settings, groups: [{mitigation, summary}]}

function showComparison(result) {
  const key = show;
  const first = result.groups[0].summary;
  const several = first.seeds.length > 1;
  const seeds = several
    ? `mean of seeds ${first.seeds[0]} to ${first.seeds.at(-1)}`
    : `seed ${first.seeds[0]}`;
  const data = {
    title: `Task ${key.toUpperCase()}’s accuracy under each mitigation, ${seeds}`,
    steps: first.curve.step,
    bStart: first.bStart,
    series: result.groups.map((g) => ({
      name: SHORT[g.mitigation],
      cls: `m-${g.mitigation}`,
      values: g.summary.curve[key],
    })),
  };
  const chart = $("#lab-compare-chart");
  chart.replaceChildren(lineChart(data, boxFor(chart, 320)));
  const rows = [];
  for (const g of result.groups) {
    const f = g.summary.final;
    rows.push([SHORT[g.mitigation], statText(f.aBefore), statText(f.aAfter), statText(f.bAfter)]);
    if (f.aOff)
      rows.push([
        `${SHORT[g.mitigation]}, switched off`,
        statText(f.aBefore),
        statText(f.aOff),
        statText(f.bOff),
      ]);
  }
  const table = h(
    "table",
    { class: "data-table lab-table" },
    h("caption", {}, `Final accuracy (%), ${seeds}${several ? " (lowest–highest)" : ""}`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Mitigation", "A after training on A", "A after training on B", "B after training on B"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, row[0]),
          row.slice(1).map((c) => h("td", {}, c)),
        ),
      ),
    ),
  );
  $("#lab-compare-table").replaceChildren(h("div", { class: "lab-table-wrap" }, table));
}

async function runCompare() {
  if (busy) return;
  const picks = ORDER.filter((m) => compare.includes(m));
  if (!picks.length) {
    announce("Pick at least one mitigation to compare.", "#lab-compare-note");
    return;
  }
  setBusy(true);
  working("#lab-compare-note", "Training…");
  const base = { ...settings, adapter: true };
  const seeds = seedList(base);
  try {
    const jobs = picks.flatMap((mitigation) =>
      seeds.map((seed) => ({ settings: { ...base, mitigation, seed } })),
    );
    const results = await compute(jobs);
    const groups = picks.map((mitigation, i) => ({
      mitigation,
      summary: model.summarize(results.slice(i * seeds.length, (i + 1) * seeds.length)),
    }));
    compared = { settings: base, groups };
    showComparison(compared);
    announce(
      `Comparison done: ${picks.length} mitigation${picks.length > 1 ? "s" : ""}, ${seeds.length > 1 ? `${seeds.length} seeds` : `seed ${seeds[0]}`}.`,
      "#lab-compare-note",
    );
  } catch (error) {
    failed(error, "#lab-compare-note");
  } finally {
    setBusy(false);
  }
}

compareForm.addEventListener("submit", (event) => {
  event.preventDefault();
  runCompare();
});

async function runSweep() {
  if (busy) return;
  setBusy(true);
  const progress = $("#lab-sweep-progress");
  const seeds = seedList(settings);
  const settingsList = model.sweepSettings(settings);
  const jobs = settingsList.flatMap((job) =>
    seeds.map((seed) => ({ settings: { ...job, seed }, curve: false })),
  );
  progress.hidden = false;
  progress.value = 0;
  working("#lab-sweep-note", `Training ${jobs.length} runs…`);
  try {
    const results = await compute(jobs, (done, total) => {
      progress.value = done / total;
    });
    const groups = [];
    settingsList.forEach((job, i) => {
      const { knob } = model.SWEEPS[job.mitigation];
      const final = model.summarize(results.slice(i * seeds.length, (i + 1) * seeds.length)).final;
      const point = {
        label: knob ? knobText(knob, job[knob]) : "–",
        a: final.aAfter.mean,
        b: final.bAfter.mean,
      };
      let group = groups.find((g) => g.mitigation === job.mitigation);
      if (!group) {
        group = {
          mitigation: job.mitigation,
          name: SHORT[job.mitigation],
          cls: `m-${job.mitigation}`,
          points: [],
        };
        groups.push(group);
        if (job.mitigation === "adapter") {
          groups.push({
            mitigation: "adapter-off",
            name: "Adapter, switched off",
            cls: "m-adapter-off",
            points: [],
          });
        }
      }
      group.points.push(point);
      if (final.aOff)
        groups
          .find((g) => g.mitigation === "adapter-off")
          .points.push({ ...point, a: final.aOff.mean, b: final.bOff.mean });
    });
    const seedsText = seeds.length > 1 ? `mean of seeds ${seeds[0]} to ${seeds.at(-1)}` : `seed ${seeds[0]}`;
    const scenario = settings.scenario === "flip" ? "labels flipped" : "two moons";
    swept = {
      title: `Task A kept against task B learned, each mitigation over its knob (${scenario}, ${seedsText})`,
      groups,
    };
    showSweep(swept);
    announce(`Sweep done: ${jobs.length} runs.`, "#lab-sweep-note");
  } catch (error) {
    failed(error, "#lab-sweep-note");
  } finally {
    progress.hidden = true;
    setBusy(false);
  }
}

$("#lab-sweep-run").addEventListener("click", runSweep);

let swept = null;

function showSweep(data) {
  const chart = $("#lab-sweep-chart");
  chart.replaceChildren(scatterChart(data, boxFor(chart, 380)));
}

// Charts are drawn in CSS pixels: draw them again when their width changes.
let resizing = null;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (last && !busy) showRun(last);
    if (compared) showComparison(compared);
    if (swept) showSweep(swept);
  }, 200);
});

// ---- Start ---------------------------------------------------------------------------------------

writeForm();
showMap();
showRule(null);
form.addEventListener("input", (event) => {
  if (event.target.name === "scenario" || event.target.name === "seed") {
    if (!last) showMap();
  }
});
darkMode.addEventListener("change", showMap);
$("#lab-nojs").hidden = true;
$("#lab-app").hidden = false;
root.dataset.state = "ready";
