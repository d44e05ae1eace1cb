// The forgetting lab's maths: seeded random numbers, the tasks, a 2-16-16-1 tanh network held in
// one flat parameter array, its gradients, the mitigations and the runner. No DOM and no globals:
// the page, the module worker and Node (the tests and the reference fixture) all import this file.

// ---- Settings ------------------------------------------------------------------------------------

export const SCENARIOS = {
  moons: "Two moons, then the same moons turned and moved",
  flip: "The same points with their labels flipped",
};

export const MITIGATIONS = {
  none: "None (plain fine-tuning)",
  lowlr: "Lower learning rate",
  replay: "Replay",
  ewc: "EWC",
  freeze: "Freeze hidden layers",
  adapter: "Low-rank adapter",
  joint: "Joint training (reference)",
};

// What every run shares, as the issue describes the setup; tests may shorten `epochs`.
export const FIXED = { lr: 0.3, batch: 16, points: 200, testPoints: 200, epochs: 100, noise: 0.1 };

export const DEFAULTS = {
  scenario: "moons",
  mitigation: "none",
  seed: 1,
  seeds: 1,
  lowLr: 0.03,
  buffer: 20,
  share: 0.25,
  lambda: 10000,
  freeze: 2,
  rank: 2,
  adapter: true,
};

export const LIMITS = {
  seed: [1, 999999],
  seeds: [1, 10],
  lowLr: [0.001, 0.3],
  buffer: [0, 200],
  share: [0, 0.75],
  lambda: [0, 1e6],
  freeze: [1, 2],
  rank: [1, 8],
  epochs: [1, 400],
};

// The knob each mitigation is swept over for the stability-plasticity chart.
export const SWEEPS = {
  none: { knob: null, values: [null] },
  lowlr: { knob: "lowLr", values: [0.1, 0.03, 0.01, 0.003] },
  replay: { knob: "buffer", values: [5, 10, 20, 50, 200] },
  ewc: { knob: "lambda", values: [1, 10, 100, 1000, 10000, 100000] },
  freeze: { knob: "freeze", values: [1, 2] },
  adapter: { knob: "rank", values: [1, 2, 4, 8] },
  joint: { knob: null, values: [null] },
};

function clamp(value, [low, high], fallback) {
  const number = Number(value);
  if (value === null || value === undefined || value === "" || !Number.isFinite(number)) return fallback;
  return Math.min(high, Math.max(low, number));
}

function isOn(value, fallback) {
  if (value === true || value === false) return value;
  if (value === undefined || value === null || value === "") return fallback;
  return !["0", "false", "off", "no"].includes(String(value).toLowerCase());
}

/** A complete, valid settings object from anything (a URL's parameters, a form, a partial object). */
export function normalizeSettings(input = {}) {
  const s = { ...DEFAULTS };
  const get = (key) => (typeof input.get === "function" ? input.get(key) : input[key]);
  if (get("scenario") in SCENARIOS) s.scenario = get("scenario");
  if (get("mitigation") in MITIGATIONS) s.mitigation = get("mitigation");
  s.seed = Math.round(clamp(get("seed"), LIMITS.seed, DEFAULTS.seed));
  s.seeds = Math.round(clamp(get("seeds"), LIMITS.seeds, DEFAULTS.seeds));
  s.lowLr = clamp(get("lowLr"), LIMITS.lowLr, DEFAULTS.lowLr);
  s.buffer = Math.round(clamp(get("buffer"), LIMITS.buffer, DEFAULTS.buffer));
  s.share = clamp(get("share"), LIMITS.share, DEFAULTS.share);
  s.lambda = clamp(get("lambda"), LIMITS.lambda, DEFAULTS.lambda);
  s.freeze = Math.round(clamp(get("freeze"), LIMITS.freeze, DEFAULTS.freeze));
  s.rank = Math.round(clamp(get("rank"), LIMITS.rank, DEFAULTS.rank));
  s.adapter = isOn(get("adapter"), DEFAULTS.adapter);
  const epochs = get("epochs");
  if (epochs !== undefined && epochs !== null)
    s.epochs = Math.round(clamp(epochs, LIMITS.epochs, FIXED.epochs));
  return s;
}

/** The settings as URL query pairs, in a fixed order, so that a link reproduces a run. */
export function settingsToQuery(settings) {
  const s = normalizeSettings(settings);
  const pairs = [
    ["scenario", s.scenario],
    ["mitigation", s.mitigation],
    ["seed", s.seed],
    ["seeds", s.seeds],
    ["lowLr", s.lowLr],
    ["buffer", s.buffer],
    ["share", s.share],
    ["lambda", s.lambda],
    ["freeze", s.freeze],
    ["rank", s.rank],
    ["adapter", s.adapter ? "on" : "off"],
  ];
  if (s.epochs !== undefined) pairs.push(["epochs", s.epochs]);
  return pairs.map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`).join("&");
}

// ---- Arithmetic that every engine does alike ---------------------------------------------------
// JavaScript pins +, -, *, / and Math.sqrt to IEEE 754, but lets each engine approximate Math.exp,
// Math.tanh, Math.cos and the like in its own way: Node 20 and Chromium differ in the last bit of
// some of them, and a long training run turns that into different curves. The network therefore
// uses the functions below, built from the pinned operations only, so the page, the worker and
// the reference fixture made under Node agree to the bit.

const POW2 = new Float64Array(2048); // POW2[k + 1024] = 2^k, exactly, for k in -1023..1023
POW2[1024] = 1;
for (let k = 1; k < 1024; k++) {
  POW2[1024 + k] = POW2[1023 + k] * 2;
  POW2[1024 - k] = POW2[1025 - k] / 2;
}
const LN2_HI = 6.9314718036912381649e-1; // ln 2 split so that k * LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
// 1 / n! for n = 2..14: e^r - 1 = r + r^2/2! + ... for |r| <= 0.35 (next term below 1e-18 of it)
const C = [];
for (let n = 2, f = 2; n <= 14; n++, f *= n) C.push(1 / f);

/** e^r - 1 for |r| <= 0.35. */
function expm1Reduced(r) {
  let p = C[12];
  for (let i = 11; i >= 0; i--) p = p * r + C[i];
  return r + r * r * p;
}

/** e^x - 1, to within a few units in the last place, also near zero. */
export function expm1(x) {
  if (x > 700) return POW2[2047] * 4; // beyond anything the network meets: effectively infinite
  if (x < -700) return -1;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  const m = expm1Reduced(r);
  return k === 0 ? m : POW2[1024 + k] * m + (POW2[1024 + k] - 1);
}

/** e^x, to within a few units in the last place. */
export function exp(x) {
  if (x > 700) return POW2[2047] * 4;
  if (x < -700) return 0;
  const k = Math.round(x * INV_LN2);
  return POW2[1024 + k] * (1 + expm1Reduced(x - k * LN2_HI - k * LN2_LO));
}

/** tanh x = m / (m + 2) with m = e^(2x) - 1 (tanh 0 = 0 exactly). */
export function tanh(x) {
  const a = x < 0 ? -x : x;
  if (a > 20) return x < 0 ? -1 : 1;
  const m = expm1(2 * a);
  const t = m / (m + 2);
  return x < 0 ? -t : t;
}

/** cos t and sin t for t in [0, pi], by Taylor series around pi / 2. */
function cosSin(t) {
  const r = t - Math.PI / 2; // |r| <= pi / 2
  const r2 = r * r;
  let sin = 1;
  let cos = 1;
  for (let n = 22; n >= 2; n -= 2) {
    cos = 1 - (r2 / (n * (n - 1))) * cos;
    sin = 1 - (r2 / ((n + 1) * n)) * sin;
  }
  return [-r * sin, cos]; // cos t = -sin r, sin t = cos r
}

// ---- Seeded random numbers -----------------------------------------------------------------------

function hashName(name) {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A random stream for one purpose ("init", "orderB", ...) of one seed: streams never share draws,
 * so turning a mitigation on cannot change the data, the starting weights or the batch order. */
export function makeRandom(seed, stream = "") {
  let state = (hashName(stream) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 4; i++) next(); // move away from seeds that differ in one bit
  return {
    next,
    int: (n) => Math.floor(next() * n),
    /** Close to a standard normal: the sum of 12 uniforms minus 6 (mean 0, variance 1), which
     * needs no logarithm or cosine and so is the same number in every engine. */
    normal() {
      let sum = -6;
      for (let i = 0; i < 12; i++) sum += next();
      return sum;
    },
  };
}

function shuffled(n, random) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

// ---- The tasks -----------------------------------------------------------------------------------

// Where the tasks live: task A's moons are centred at A_CENTRE; task B's are the same moons turned
// a quarter turn anticlockwise and centred at B_CENTRE. The decision map covers BOUNDS.
export const A_CENTRE = [-1.6, 0];
export const B_CENTRE = [1.6, 0];
export const BOUNDS = { x: [-3.8, 3.8], y: [-2.4, 2.4] };

/** n points of two interleaved half circles, labels 0 and 1 alternating, centred on the origin. */
export function moons(n, noise, random) {
  const x = new Float64Array(2 * n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    let [px, py] = cosSin(Math.PI * random.next());
    if (label === 1) {
      px = 1 - px;
      py = 0.5 - py;
    }
    x[2 * i] = px - 0.5 + noise * random.normal();
    x[2 * i + 1] = py - 0.25 + noise * random.normal();
    y[i] = label;
  }
  return { x, y, n };
}

function placed(data, quarterTurn, [cx, cy]) {
  const x = new Float64Array(data.x.length);
  for (let i = 0; i < data.n; i++) {
    const px = data.x[2 * i];
    const py = data.x[2 * i + 1];
    x[2 * i] = (quarterTurn ? -py : px) + cx;
    x[2 * i + 1] = (quarterTurn ? px : py) + cy;
  }
  return { x, y: data.y, n: data.n };
}

function flipped(data) {
  return { x: data.x, y: data.y.map((label) => 1 - label), n: data.n };
}

function concat(a, b) {
  const x = new Float64Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Uint8Array(a.n + b.n);
  y.set(a.y);
  y.set(b.y, a.n);
  return { x, y, n: a.n + b.n };
}

/** Training and test sets of both tasks for a scenario and a seed. */
export function makeTasks(scenario, seed, points = FIXED.points, testPoints = FIXED.testPoints) {
  const sample = (stream, n) => moons(n, FIXED.noise, makeRandom(seed, stream));
  const A = {
    train: placed(sample("dataA", points), false, A_CENTRE),
    test: placed(sample("testA", testPoints), false, A_CENTRE),
  };
  let B;
  if (scenario === "flip") {
    B = {
      train: flipped(placed(sample("dataB", points), false, A_CENTRE)),
      test: flipped(placed(sample("testB", testPoints), false, A_CENTRE)),
    };
  } else {
    B = {
      train: placed(sample("dataB", points), true, B_CENTRE),
      test: placed(sample("testB", testPoints), true, B_CENTRE),
    };
  }
  return { A, B };
}

// ---- The network ---------------------------------------------------------------------------------

export const HIDDEN = 16;
// Offsets in the flat parameter array: W1 is 16x2, W2 16x16 and W3 1x16, all row-major (out, in).
export const LAYOUT = { W1: 0, b1: 32, W2: 48, b2: 304, W3: 320, b3: 336, size: 337 };

/** The name of a base parameter, for people: "W2[3,7]". */
export function parameterName(i) {
  const L = LAYOUT;
  if (i < L.b1) return `W1[${Math.floor(i / 2)},${i % 2}]`;
  if (i < L.W2) return `b1[${i - L.b1}]`;
  if (i < L.b2) return `W2[${Math.floor((i - L.W2) / HIDDEN)},${(i - L.W2) % HIDDEN}]`;
  if (i < L.W3) return `b2[${i - L.b2}]`;
  if (i < L.b3) return `W3[${i - L.W3}]`;
  return "b3";
}

/** Starting weights: normal with standard deviation 2 / sqrt(fan-in), biases zero. (With 1 instead
 * of 2, some seeds sat on a plateau at 87 % on task A after 100 epochs.) */
export function initialParameters(seed) {
  const random = makeRandom(seed, "init");
  const p = new Float64Array(LAYOUT.size);
  for (let i = 0; i < 32; i++) p[LAYOUT.W1 + i] = random.normal() * Math.SQRT2;
  for (let i = 0; i < 256; i++) p[LAYOUT.W2 + i] = random.normal() / 2;
  for (let i = 0; i < 16; i++) p[LAYOUT.W3 + i] = random.normal() / 2;
  return p;
}

// A low-rank adapter of rank r on both hidden layers: W1 + U1 V1 and W2 + U2 V2, with U1 16xr,
// V1 rx2, U2 16xr, V2 rx16 in one flat array. U starts at zero, so the adapter starts as a no-op.
export function adapterLayout(rank) {
  return { rank, U1: 0, V1: 16 * rank, U2: 18 * rank, V2: 34 * rank, size: 50 * rank };
}

export function initialAdapter(seed, rank) {
  const random = makeRandom(seed, "adapter");
  const L = adapterLayout(rank);
  const a = new Float64Array(L.size);
  for (let i = 0; i < 2 * rank; i++) a[L.V1 + i] = random.normal() * Math.SQRT2;
  for (let i = 0; i < 16 * rank; i++) a[L.V2 + i] = random.normal() / 2;
  return a;
}

/** The weights the network computes with: the base, plus U V on the hidden layers if an adapter
 * is given. Without an adapter it is the base array itself. */
export function effectiveParameters(base, adapter = null) {
  if (!adapter) return base;
  const rank = adapter.length / 50;
  const L = adapterLayout(rank);
  const p = Float64Array.from(base);
  for (let j = 0; j < HIDDEN; j++) {
    for (let i = 0; i < 2; i++) {
      let sum = 0;
      for (let q = 0; q < rank; q++) sum += adapter[L.U1 + j * rank + q] * adapter[L.V1 + q * 2 + i];
      p[LAYOUT.W1 + j * 2 + i] += sum;
    }
    for (let i = 0; i < HIDDEN; i++) {
      let sum = 0;
      for (let q = 0; q < rank; q++) sum += adapter[L.U2 + j * rank + q] * adapter[L.V2 + q * HIDDEN + i];
      p[LAYOUT.W2 + j * HIDDEN + i] += sum;
    }
  }
  return p;
}

// The offsets again as plain constants, for the inner loops.
const W1 = 0;
const B1 = 32;
const W2 = 48;
const B2 = 304;
const W3 = 320;
const B3 = 336;
const H1 = new Float64Array(HIDDEN);
const H2 = new Float64Array(HIDDEN);
const D2 = new Float64Array(HIDDEN);

/** The logit for one point (x0, x1); leaves the hidden activations in H1 and H2 for `backward`. */
function logit(p, x0, x1) {
  const h1 = H1;
  const h2 = H2;
  for (let j = 0; j < 16; j++) h1[j] = tanh(p[B1 + j] + p[W1 + 2 * j] * x0 + p[W1 + 2 * j + 1] * x1);
  let z = p[B3];
  for (let k = 0; k < 16; k++) {
    const row = W2 + 16 * k;
    let a = p[B2 + k];
    for (let j = 0; j < 16; j++) a += p[row + j] * h1[j];
    const t = tanh(a);
    h2[k] = t;
    z += p[W3 + k] * t;
  }
  return z;
}

/** Adds dz times the gradient of the logit (at the point last passed to `logit`) into g. */
function backward(p, x0, x1, dz, g) {
  const h1 = H1;
  const h2 = H2;
  const d2 = D2;
  g[B3] += dz;
  for (let k = 0; k < 16; k++) {
    const t = h2[k];
    g[W3 + k] += dz * t;
    const d = dz * p[W3 + k] * (1 - t * t);
    d2[k] = d;
    g[B2 + k] += d;
    const row = W2 + 16 * k;
    for (let j = 0; j < 16; j++) g[row + j] += d * h1[j];
  }
  for (let j = 0; j < 16; j++) {
    let back = 0;
    for (let k = 0; k < 16; k++) back += d2[k] * p[W2 + 16 * k + j];
    const t = h1[j];
    const d1 = back * (1 - t * t);
    g[B1 + j] += d1;
    g[W1 + 2 * j] += d1 * x0;
    g[W1 + 2 * j + 1] += d1 * x1;
  }
}

function sigmoid(z) {
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}

// Only the loss's value uses the engine's logarithm; training follows the gradient, p - y.
function softplus(z) {
  return Math.max(z, 0) + Math.log1p(exp(-Math.abs(z)));
}

/** The probability of label 1 at one point. */
export function predict(base, adapter, x0, x1) {
  return sigmoid(logit(effectiveParameters(base, adapter), x0, x1));
}

/** The EWC penalty (lambda / 2) sum F_i (theta_i - anchor_i)^2. */
export function ewcPenalty(base, ewc) {
  let sum = 0;
  for (let i = 0; i < base.length; i++) {
    const d = base[i] - ewc.anchor[i];
    sum += ewc.fisher[i] * d * d;
  }
  return 0.5 * ewc.lambda * sum;
}

/**
 * The loss on the points `indices` of `data` (mean binary cross-entropy, plus the EWC penalty if
 * `ewc` = {lambda, fisher, anchor} is given) and its gradient with respect to every base
 * parameter and, with an adapter, every adapter parameter.
 */
export function lossAndGradient(base, adapter, data, indices, ewc = null) {
  const p = effectiveParameters(base, adapter);
  const g = new Float64Array(LAYOUT.size);
  let loss = 0;
  const n = indices.length;
  for (let m = 0; m < n; m++) {
    const i = indices[m];
    const x0 = data.x[2 * i];
    const x1 = data.x[2 * i + 1];
    const z = logit(p, x0, x1);
    loss += softplus(z) - data.y[i] * z;
    backward(p, x0, x1, (sigmoid(z) - data.y[i]) / n, g);
  }
  loss /= n;
  let gAdapter = null;
  if (adapter) gAdapter = adapterGradient(adapter, g);
  if (ewc) {
    loss += ewcPenalty(base, ewc);
    for (let i = 0; i < g.length; i++) g[i] += ewc.lambda * ewc.fisher[i] * (base[i] - ewc.anchor[i]);
  }
  return { loss, gBase: g, gAdapter };
}

/** The adapter's gradient from the gradient g with respect to the effective hidden weights. */
function adapterGradient(adapter, g) {
  const rank = adapter.length / 50;
  const L = adapterLayout(rank);
  const out = new Float64Array(L.size);
  for (let j = 0; j < HIDDEN; j++) {
    for (let q = 0; q < rank; q++) {
      let u1 = 0;
      for (let i = 0; i < 2; i++) {
        const gw = g[LAYOUT.W1 + j * 2 + i];
        u1 += gw * adapter[L.V1 + q * 2 + i];
        out[L.V1 + q * 2 + i] += adapter[L.U1 + j * rank + q] * gw;
      }
      out[L.U1 + j * rank + q] = u1;
      let u2 = 0;
      for (let i = 0; i < HIDDEN; i++) {
        const gw = g[LAYOUT.W2 + j * HIDDEN + i];
        u2 += gw * adapter[L.V2 + q * HIDDEN + i];
        out[L.V2 + q * HIDDEN + i] += adapter[L.U2 + j * rank + q] * gw;
      }
      out[L.U2 + j * rank + q] = u2;
    }
  }
  return out;
}

/**
 * The exact diagonal Fisher information of the model on `data`: with p = sigmoid(z) and the label
 * drawn from the model, E[(d log p(y|x) / d theta_i)^2] = p (1 - p) (dz / d theta_i)^2, averaged over
 * the points. No labels are sampled, so it is the same every time.
 */
export function fisherDiagonal(base, data) {
  const fisher = new Float64Array(LAYOUT.size);
  const g = new Float64Array(LAYOUT.size);
  for (let i = 0; i < data.n; i++) {
    const x0 = data.x[2 * i];
    const x1 = data.x[2 * i + 1];
    const q = sigmoid(logit(base, x0, x1));
    g.fill(0);
    backward(base, x0, x1, 1, g);
    const weight = (q * (1 - q)) / data.n;
    for (let k = 0; k < g.length; k++) fisher[k] += weight * g[k] * g[k];
  }
  return fisher;
}

/** Accuracy in percent (a multiple of 100 / n, exact in binary for n = 200). */
export function accuracy(base, adapter, data) {
  const p = effectiveParameters(base, adapter);
  let right = 0;
  for (let i = 0; i < data.n; i++) {
    const z = logit(p, data.x[2 * i], data.x[2 * i + 1]);
    if ((z > 0 ? 1 : 0) === data.y[i]) right++;
  }
  return (right * 100) / data.n;
}

// ---- Training ------------------------------------------------------------------------------------

/** Indices drawn without replacement from n, a fresh shuffle every pass. */
function stream(n, random) {
  let order = shuffled(n, random);
  let at = 0;
  return (count, into, offset = 0) => {
    for (let m = 0; m < count; m++) {
      if (at === n) {
        order = shuffled(n, random);
        at = 0;
      }
      into[offset + m] = order[at++];
    }
  };
}

function phaseSteps(epochs, points, batch) {
  return Math.round((epochs * points) / batch);
}

// The curves measure both test sets at the end of every second epoch (and of the last one): 51
// points a phase, and a third less work than measuring after every epoch.
export const RECORD_EVERY = 2;

/** Steps after which a phase records its accuracies. */
function recordSteps(epochs, points, batch) {
  const steps = [];
  for (let e = RECORD_EVERY; e < epochs + RECORD_EVERY; e += RECORD_EVERY) {
    steps.push(Math.round((Math.min(e, epochs) * points) / batch));
  }
  return steps;
}

const LAYER_RANGES = {
  1: [LAYOUT.W1, LAYOUT.W2], // W1 and b1
  2: [LAYOUT.W1, LAYOUT.W3], // W1, b1, W2 and b2
};

/**
 * Task A, the same for every mitigation: the data, the starting weights, the batch order, the
 * curve and the weights at its end. Computed once per (scenario, seed) and shared by paired runs.
 */
export function trainTaskA(input) {
  const s = normalizeSettings(input);
  const epochs = s.epochs ?? FIXED.epochs;
  const tasks = makeTasks(s.scenario, s.seed);
  const base = initialParameters(s.seed);
  const curve = {
    step: [0],
    a: [accuracy(base, null, tasks.A.test)],
    b: [accuracy(base, null, tasks.B.test)],
  };
  const next = stream(tasks.A.train.n, makeRandom(s.seed, "orderA"));
  const batch = new Int32Array(FIXED.batch);
  const records = recordSteps(epochs, FIXED.points, FIXED.batch);
  let r = 0;
  const total = phaseSteps(epochs, FIXED.points, FIXED.batch);
  for (let step = 1; step <= total; step++) {
    next(FIXED.batch, batch);
    const { gBase } = lossAndGradient(base, null, tasks.A.train, batch);
    for (let i = 0; i < base.length; i++) base[i] -= FIXED.lr * gBase[i];
    if (step === records[r]) {
      curve.step.push(step);
      curve.a.push(accuracy(base, null, tasks.A.test));
      curve.b.push(accuracy(base, null, tasks.B.test));
      r++;
    }
  }
  return { key: phaseKey(s), scenario: s.scenario, seed: s.seed, epochs, tasks, base, curve, fisher: null };
}

export function phaseKey(settings) {
  const s = normalizeSettings(settings);
  return `${s.scenario}:${s.seed}:${s.epochs ?? FIXED.epochs}`;
}

/** Indices of the points task A leaves in the replay buffer. */
export function replayBuffer(seed, size, n) {
  return Array.from(shuffled(n, makeRandom(seed, "buffer")).subarray(0, Math.min(size, n)));
}

/** How a batch of task B is made up under replay. */
export function replayComposition(settings) {
  const s = normalizeSettings(settings);
  const replayed = s.buffer > 0 ? Math.round(s.share * FIXED.batch) : 0;
  return { batch: FIXED.batch, replayed, fresh: FIXED.batch - replayed, buffer: s.buffer };
}

/**
 * One run: task A (from `phaseA` if given, else trained here), then task B with the mitigation.
 * Returns the curves (accuracy in percent on both test sets every RECORD_EVERY epochs), the step where
 * B starts, the final metrics and what the "show the rule" panel needs. Deterministic in the seed.
 * With `curve: false` task B is measured only at its end (sweeps need only the final metrics).
 */
export function run(input, { phaseA = null, maps = false, curve: everyEpoch = true } = {}) {
  const s = normalizeSettings(input);
  const first = phaseA && phaseA.key === phaseKey(s) ? phaseA : trainTaskA(s);
  const { tasks } = first;
  const epochs = first.epochs;
  const base = Float64Array.from(first.base);
  const anchor = first.base;
  const bStart = phaseSteps(epochs, FIXED.points, FIXED.batch);
  const curve = { step: first.curve.step.slice(), a: first.curve.a.slice(), b: first.curve.b.slice() };
  const aBefore = curve.a[curve.a.length - 1];
  const bBefore = curve.b[curve.b.length - 1];

  const m = s.mitigation;
  let lr = FIXED.lr;
  if (m === "lowlr") lr = s.lowLr;
  let ewc = null;
  if (m === "ewc") {
    if (!first.fisher) first.fisher = fisherDiagonal(first.base, tasks.A.train);
    ewc = { lambda: s.lambda, fisher: first.fisher, anchor };
  }
  const adapter = m === "adapter" ? initialAdapter(s.seed, s.rank) : null;
  const frozen = m === "freeze" ? LAYER_RANGES[s.freeze] : null;
  let data = tasks.B.train;
  if (m === "joint") data = concat(tasks.A.train, tasks.B.train);
  const composition = m === "replay" ? replayComposition(s) : { replayed: 0, fresh: FIXED.batch };
  const buffer = composition.replayed > 0 ? replayBuffer(s.seed, s.buffer, tasks.A.train.n) : [];
  const replayRandom = makeRandom(s.seed, "replay");
  // Replayed points are indices into A's training set; a batch mixes two sets, so it is one set.
  if (composition.replayed > 0) data = concat(tasks.B.train, tasks.A.train);
  const next = stream(m === "joint" ? data.n : tasks.B.train.n, makeRandom(s.seed, "orderB"));
  const batch = new Int32Array(FIXED.batch);
  const records = everyEpoch ? recordSteps(epochs, FIXED.points, FIXED.batch) : [bStart];
  const penalty = ewc ? [0] : null;
  let r = 0;
  for (let step = 1; step <= bStart; step++) {
    next(composition.fresh, batch);
    for (let k = composition.fresh; k < FIXED.batch; k++) {
      batch[k] = tasks.B.train.n + buffer[replayRandom.int(buffer.length)];
    }
    const { gBase, gAdapter } = lossAndGradient(base, adapter, data, batch);
    if (adapter) {
      for (let i = 0; i < adapter.length; i++) adapter[i] -= lr * gAdapter[i];
    } else if (ewc) {
      // The penalty's step taken exactly (implicitly): stable for any lambda, and for small
      // lr * lambda * F the same as a plain gradient step on loss + penalty.
      for (let i = 0; i < base.length; i++) {
        const stiff = lr * ewc.lambda * ewc.fisher[i];
        base[i] = (base[i] - lr * gBase[i] + stiff * anchor[i]) / (1 + stiff);
      }
    } else {
      for (let i = 0; i < base.length; i++) {
        if (frozen && i >= frozen[0] && i < frozen[1]) continue;
        base[i] -= lr * gBase[i];
      }
    }
    if (step === records[r]) {
      curve.step.push(bStart + step);
      curve.a.push(accuracy(base, adapter, tasks.A.test));
      curve.b.push(accuracy(base, adapter, tasks.B.test));
      if (penalty) penalty.push(ewcPenalty(base, ewc));
      r++;
    }
  }
  const final = {
    aBefore,
    bBefore,
    aAfter: curve.a[curve.a.length - 1],
    bAfter: curve.b[curve.b.length - 1],
  };
  if (adapter) {
    final.aOff = accuracy(base, null, tasks.A.test);
    final.bOff = accuracy(base, null, tasks.B.test);
  }
  const result = {
    settings: s,
    bStart,
    curve,
    final,
    rule: rule(s, { ewc, penalty, composition, base, adapter }),
  };
  if (maps) {
    result.maps = { afterA: decisionMap(anchor, null), afterB: decisionMap(base, adapter) };
    if (adapter) result.maps.adapterOff = decisionMap(base, null);
  }
  return result;
}

function round(value, digits) {
  return Number(value.toPrecision(digits));
}

/** What the "show the rule" panel shows for a run: the update and its current numbers. */
function rule(s, { ewc, penalty, composition, base }) {
  const out = { mitigation: s.mitigation, lr: s.mitigation === "lowlr" ? s.lowLr : FIXED.lr };
  if (ewc) {
    const ranked = Array.from(ewc.fisher.keys()).sort((i, j) => ewc.fisher[j] - ewc.fisher[i]);
    let moved = 0;
    for (let i = 0; i < base.length; i++) moved += (base[i] - ewc.anchor[i]) * (base[i] - ewc.anchor[i]);
    out.lambda = s.lambda;
    out.penalty = round(penalty[penalty.length - 1], 3);
    out.penaltyMax = round(Math.max(...penalty), 3);
    out.distance = round(Math.sqrt(moved), 3);
    out.fisherTotal = round(
      ewc.fisher.reduce((a, b) => a + b, 0),
      6,
    );
    out.stiffest = ranked
      .slice(0, 3)
      .map((i) => ({ name: parameterName(i), fisher: round(ewc.fisher[i], 3) }));
    out.loosest = ranked.slice(-3).map((i) => ({ name: parameterName(i), fisher: round(ewc.fisher[i], 3) }));
  }
  if (s.mitigation === "replay") Object.assign(out, composition);
  if (s.mitigation === "freeze") out.frozen = s.freeze === 2 ? ["W1", "b1", "W2", "b2"] : ["W1", "b1"];
  if (s.mitigation === "adapter") out.rank = s.rank;
  return out;
}

// ---- The decision map ----------------------------------------------------------------------------

export const MAP_SIZE = { columns: 76, rows: 48 };

/** The probability of label 1 on a grid over BOUNDS, row by row from the top, in 0..255. */
export function decisionMap(base, adapter) {
  const p = effectiveParameters(base, adapter);
  const { columns, rows } = MAP_SIZE;
  const out = new Array(columns * rows);
  for (let r = 0; r < rows; r++) {
    const y = BOUNDS.y[1] - ((r + 0.5) / rows) * (BOUNDS.y[1] - BOUNDS.y[0]);
    for (let c = 0; c < columns; c++) {
      const x = BOUNDS.x[0] + ((c + 0.5) / columns) * (BOUNDS.x[1] - BOUNDS.x[0]);
      out[r * columns + c] = Math.round(255 * sigmoid(logit(p, x, y)));
    }
  }
  return out;
}

// ---- Several runs --------------------------------------------------------------------------------

/** Mean, standard deviation, lowest and highest of a list of numbers. */
export function spread(values) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (n - 1) : 0;
  return { mean, sd: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values), n };
}

/** Runs of one settings object over `seeds` consecutive seeds, summarised. */
export function summarize(runs) {
  const first = runs[0];
  const curve = { step: first.curve.step.slice(), a: [], b: [], aLow: [], aHigh: [], bLow: [], bHigh: [] };
  for (let k = 0; k < curve.step.length; k++) {
    const a = spread(runs.map((r) => r.curve.a[k]));
    const b = spread(runs.map((r) => r.curve.b[k]));
    curve.a.push(a.mean);
    curve.b.push(b.mean);
    curve.aLow.push(a.min);
    curve.aHigh.push(a.max);
    curve.bLow.push(b.min);
    curve.bHigh.push(b.max);
  }
  const final = {};
  for (const key of Object.keys(first.final)) final[key] = spread(runs.map((r) => r.final[key]));
  return {
    settings: first.settings,
    seeds: runs.map((r) => r.settings.seed),
    bStart: first.bStart,
    curve,
    final,
  };
}

/** The settings of every run in a sweep: each mitigation over its knob, on the given seed(s). */
export function sweepSettings(settings, mitigations = Object.keys(SWEEPS)) {
  const s = normalizeSettings(settings);
  const jobs = [];
  for (const mitigation of mitigations) {
    const { knob, values } = SWEEPS[mitigation];
    for (const value of values) {
      const job = { ...s, mitigation };
      if (knob) job[knob] = value;
      if (mitigation === "adapter") job.adapter = true;
      jobs.push(job);
    }
  }
  return jobs;
}
