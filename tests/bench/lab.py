"""The forgetting lab's speed in Chromium: python -m tests.bench.lab (a benchmark, not a test).

Serves the repository's files on 127.0.0.1 with Python's http.server, opens a blank page in
Debian's Chromium and runs tests/bench/lab.mjs there (one epoch, six mitigations paired on a seed,
on the main thread), then times the lab's module workers as the page uses them (one per core, up
to four): six mitigations on one seed, from fresh workers (module loading included) and again
warm, with one worker and with the page's pool.
"""

from __future__ import annotations

import functools
import os
import statistics
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ROUNDS = 5

MAIN_THREAD = """async () => {
  const model = await import("/static/js/lab/model.mjs");
  const { bench } = await import("/tests/bench/lab.mjs");
  return bench(model);
}"""
WORKERS = """async (size) => {
  const { SIX } = await import("/tests/bench/lab.mjs");
  const workers = Array.from({ length: size }, () => new Worker("/static/js/lab/worker.mjs", { type: "module" }));
  const one = (worker, seed, mitigations) => new Promise((resolve) => {
    worker.onmessage = (event) => { if (event.data.type === "done") resolve(); };
    worker.postMessage({ id: seed, model: "/static/js/lab/model.mjs",
                         jobs: mitigations.map((mitigation) => ({ settings: { seed, mitigation } })) });
  });
  // As page.mjs does it: the six cut into `size` consecutive pieces, one per worker.
  const ask = async (seed) => {
    const started = performance.now();
    await Promise.all(workers.map((worker, i) =>
      one(worker, seed, SIX.slice(Math.round(i * 6 / size), Math.round((i + 1) * 6 / size)))));
    return performance.now() - started;
  };
  const cold = await ask(1);       // module load and task A included
  const warm = await ask(1);       // task A kept from the first job list
  const other = await ask(2);      // a new seed: task A trained again
  workers.forEach((worker) => worker.terminate());
  return { cold, warm, other };
}"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/static/img/favicon.svg")
            figures = page.evaluate(MAIN_THREAD)
            cores = page.evaluate("navigator.hardwareConcurrency")
            pools = {
                size: [page.evaluate(WORKERS, size) for _ in range(ROUNDS)] for size in (1, min(4, cores))
            }
            print(f"Chromium {browser.version}, median of {figures['rounds']} rounds, main thread:")
            print(
                f"  one epoch (12.5 steps of 16 points, both test sets every second epoch): {figures['epochMs']:.2f} ms"
            )
            print(
                f"  six mitigations paired on one seed (task A once): {figures['comparisonMs'] / 1000:.2f} s"
            )
            print(
                f"  the same, task A trained for each: {figures['comparisonWithoutSharingMs'] / 1000:.2f} s"
            )
            for size, runs in pools.items():
                print(
                    f"In {size} of the lab's workers ({cores} cores), six mitigations on one seed, "
                    f"median of {ROUNDS} fresh starts:"
                )
                for key, label in (
                    ("cold", "fresh workers (module load, task A trained)"),
                    ("warm", "again (task A kept)"),
                    ("other", "another seed (task A trained)"),
                ):
                    print(f"  {label}: {statistics.median(run[key] for run in runs) / 1000:.2f} s")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
