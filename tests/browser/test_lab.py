"""The forgetting lab in Chromium: runs by keyboard, charts against their tables, the worker
against the Node-made fixture, the CSP, axe, a 360 px screen and the collected static files."""

import json
import threading

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = json.loads((settings.BASE_DIR / "static/js/lab/reference.json").read_text())
RUNS = {
    (scenario, run["mitigation"]): run
    for scenario, block in REFERENCE["scenarios"].items()
    for run in block["runs"]
}
WATCH = """
window.__violations = [];
window.__said = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("lab-status");
  if (status) new MutationObserver(() => window.__said.push(status.textContent)).observe(status, {childList: true, characterData: true, subtree: true});
});
"""
# Posts jobs to the lab's worker, the way the page does, and returns its results.
ASK_WORKER = """async (jobs) => {
  const root = document.getElementById("lab");
  const worker = new Worker(root.dataset.worker, {type: "module"});
  const model = new URL(root.dataset.model, document.baseURI).href;
  return await new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      if (event.data.type === "done") resolve(event.data.results);
      if (event.data.type === "error") reject(new Error(event.data.message));
    };
    worker.onerror = (event) => reject(new Error("worker failed: " + event.message));
    worker.postMessage({id: 1, model, jobs});
  });
}"""
# The lines of a chart read back through its scales, and its table, for each figure in `selector`.
READ_CHART = """(selector) => [...document.querySelectorAll(selector + " figure.lab-chart")].map((figure) => {
  const svg = figure.querySelector("svg");
  return {
    plot: svg.dataset.plot.split(" ").map(Number),
    xMax: Number(svg.dataset.xMax || 100),
    lines: [...svg.querySelectorAll("polyline.line")].map((l) => l.getAttribute("points")),
    dots: [...svg.querySelectorAll("g[data-series]")].map((g) => [...g.querySelectorAll("circle")].map((c) => [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))])),
    rows: [...figure.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((cell) => cell.textContent)),
  };
})"""


def pct(value: float) -> str:
    return f"{value:g} %"


@pytest.fixture
def lab(live_server, page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH)

    def open_lab(query: str = "", *, base: str = live_server.url):
        page.goto(f"{base}/lab/{query}")
        expect(page.locator("#lab")).to_have_attribute("data-state", "ready")
        return page

    open_lab.errors = errors
    yield open_lab
    assert errors == []
    assert page.evaluate("window.__violations") == []


def run_and_wait(page, button: str = "#lab-run", runs: int = 1):
    page.click(button)
    if button == "#lab-run":
        expect(page.locator("#lab")).to_have_attribute("data-runs", str(runs), timeout=60_000)
    expect(page.locator("#lab")).to_have_attribute("data-state", "done", timeout=60_000)


def tab_until(page, css: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(css) => document.activeElement.matches(css)", css):
            return
    raise AssertionError(f"Tab never reached {css}")


def test_a_run_completes_with_the_keyboard_alone(lab):
    page = lab()

    tab_until(page, "input[name=mitigation]")
    page.keyboard.press("ArrowDown")  # lower learning rate
    page.keyboard.press("ArrowDown")  # replay
    tab_until(page, "input[name=predict]")
    page.keyboard.press("Space")  # "stays"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "falls to chance"
    tab_until(page, "#lab-run")
    page.keyboard.press("Enter")

    expect(page.locator("#lab")).to_have_attribute("data-runs", "1", timeout=60_000)
    final = RUNS["moons", "replay"]["finals"][0]
    assert "mitigation=replay" in page.url and "seed=1" in page.url
    expect(page.locator("#lab-summary")).to_contain_text(f"Task A after training on B{pct(final['aAfter'])}")
    expect(page.locator("#lab-verdict")).to_contain_text(
        "You predicted that task A would fall to chance or below."
    )
    expect(page.locator("#lab-verdict")).to_contain_text(
        f"Task A went from {pct(final['aBefore'])} to {pct(final['aAfter'])}"
    )
    assert page.evaluate("document.activeElement.id") == "lab-run"  # focus stayed on the button


def test_the_live_region_speaks_at_phase_ends_only(lab):
    page = lab()
    run_and_wait(page)
    final = RUNS["moons", "none"]["finals"][0]
    assert page.evaluate("window.__said") == [
        f"Task A trained: task A at {pct(final['aBefore'])}, task B at {pct(final['bBefore'])}.",
        f"Task B trained without a mitigation: task A at {pct(final['aAfter'])}, task B at {pct(final['bAfter'])}.",
    ]

    page.emulate_media(reduced_motion="reduce")  # no drawing over time: both phases in one message
    run_and_wait(page, runs=2)
    said = page.evaluate("window.__said")
    assert len(said) == 3 and said[2] == f"{said[0]} {said[1]}"


def test_the_charts_numbers_equal_their_tables(lab):
    page = lab("?seeds=3")  # means, with bands
    page.emulate_media(reduced_motion="reduce")
    run_and_wait(page)
    run_and_wait(page, "#lab-compare-run")
    page.get_by_label("Runs", exact=True).select_option("1")
    run_and_wait(page, "#lab-sweep-run")

    charts = page.evaluate(READ_CHART, "#lab-chart") + page.evaluate(READ_CHART, "#lab-compare-chart")
    assert len(charts) == 2
    for chart in charts:
        left, top, right, bottom = chart["plot"]
        drawn = [
            [
                (chart["xMax"] * (x - left) / (right - left), 100 * (bottom - y) / (bottom - top))
                for x, y in (map(float, point.split(",")) for point in line.split())
            ]
            for line in chart["lines"]
        ]
        assert len(chart["rows"]) == 11
        for row in chart["rows"]:
            step = int(row[0])
            for cell, line in zip(row[1:], drawn, strict=True):
                x, value = next(point for point in line if abs(point[0] - step) < 0.05)
                assert f"{value:.1f}".removesuffix(".0") == cell.removesuffix(".0")

    (scatter,) = page.evaluate(READ_CHART, "#lab-sweep-chart")
    left, top, right, bottom = scatter["plot"]
    dots = [dot for group in scatter["dots"] for dot in group]
    assert len(dots) == len(scatter["rows"]) == 23 + 4  # every run, and the adapter's runs switched off
    for (cx, cy), row in zip(dots, scatter["rows"], strict=True):
        b = 100 * (cx - left) / (right - left)
        a = 100 * (bottom - cy) / (bottom - top)
        assert (f"{a:.1f}".removesuffix(".0"), f"{b:.1f}".removesuffix(".0")) == (
            row[2].removesuffix(".0"),
            row[3].removesuffix(".0"),
        )


def test_the_workers_result_for_a_seed_equals_the_fixture(lab):
    page = lab()
    jobs = [
        {"settings": {"scenario": scenario, "mitigation": mitigation, "seed": 1}}
        for scenario, mitigation in RUNS
    ]

    results = page.evaluate(ASK_WORKER, jobs)

    for (key, run), result in zip(RUNS.items(), results, strict=True):
        assert result["curve"] == run["curve"], key
        assert {"seed": 1, **result["final"]} == run["finals"][0], key


def test_the_adapter_switched_off_gives_task_a_back_in_the_page(lab):
    page = lab("?mitigation=adapter&rank=2")
    page.emulate_media(reduced_motion="reduce")
    run_and_wait(page)
    final = RUNS["moons", "adapter"]["finals"][0]
    expect(page.locator("#lab-summary")).to_contain_text(f"Task A after training on B{pct(final['aAfter'])}")

    page.get_by_label("Adapter switched on").uncheck()

    expect(page.locator("#lab-summary")).to_contain_text(
        f"Task A, adapter switched off{pct(final['aBefore'])}"
    )
    expect(page.locator("#lab-map-text")).to_contain_text("with the adapter switched off")
    assert "adapter=off" in page.url


def test_a_link_sets_every_control_and_the_controls_write_the_link(lab):
    page = lab(
        "?scenario=flip&mitigation=ewc&seed=42&seeds=3&lambda=100&buffer=50&share=0.5&rank=4&compare=none,ewc"
    )

    expect(page.get_by_label("Labels flipped")).to_be_checked()
    expect(page.locator("input[name=mitigation][value=ewc]")).to_be_checked()
    expect(page.get_by_label("Seed", exact=True)).to_have_value("42")
    expect(page.get_by_label("Runs", exact=True)).to_have_value("3")
    expect(page.locator("#lab-lambda-out")).to_have_text("λ = 100")
    expect(page.locator("#lab-share-out")).to_have_text("8 of 16 (50 %)")
    expect(page.get_by_label("Rank", exact=True)).to_have_value("4")
    expect(page.locator("input[name=compare]:checked")).to_have_count(2)

    page.get_by_label("Task A points kept").fill("10")
    page.get_by_label("Task A points kept").press("Tab")
    page.locator("input[name=mitigation][value=replay]").check()

    assert "mitigation=replay" in page.url and "buffer=10" in page.url and "seed=42" in page.url
    page.locator("summary", has_text="Show the rule").click()
    expect(page.locator("#lab-rule-body")).to_contain_text(
        "8 of 16 points replayed, drawn at random from a buffer of 10"
    )


def test_the_lab_has_no_axe_violations_in_light_and_dark(lab, axe_check):
    page = lab("?mitigation=ewc")
    page.emulate_media(reduced_motion="reduce")
    axe_check(page)
    run_and_wait(page)
    page.locator("summary", has_text="Show the rule").click()
    expect(page.locator("#lab-rule-body")).to_contain_text("At the end of task B")
    run_and_wait(page, "#lab-compare-run")
    run_and_wait(page, "#lab-sweep-run")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        axe_check(page)


def test_no_horizontal_scroll_at_360_px(lab):
    page = lab()
    page.set_viewport_size({"width": 360, "height": 740})
    page.emulate_media(reduced_motion="reduce")
    run_and_wait(page)
    run_and_wait(page, "#lab-compare-run")
    run_and_wait(page, "#lab-sweep-run")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")

    width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= viewport == 360


def test_without_javascript_the_reference_runs_are_shown(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/lab/")

    expect(page.get_by_text("needs JavaScript to run")).to_be_visible()
    expect(page.locator("#lab-app")).to_be_hidden()
    expect(page.get_by_role("heading", name="Reference runs")).to_be_visible()
    expect(page.locator(".lab-reference svg")).to_have_count(2)
    context.close()


@pytest.fixture
def collected_site(tmp_path, settings):
    """The site as production serves it: collectstatic with hashed, compressed names and only the
    hashed files kept, served by WhiteNoise from STATIC_ROOT in a server thread."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_KEEP_ONLY_HASHED_FILES = True
    call_command("collectstatic", "--noinput", verbosity=0)
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())  # WhiteNoise reads STATIC_ROOT now
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def test_the_lab_works_from_collected_static_files_with_hashed_names(lab, page, collected_site):
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.emulate_media(reduced_motion="reduce")
    lab(base=collected_site)

    run_and_wait(page)

    final = RUNS["moons", "none"]["finals"][0]
    expect(page.locator("#lab-summary")).to_contain_text(f"Task A after training on B{pct(final['aAfter'])}")
    lab_files = [url for url in requested if "/static/js/lab/" in url]
    assert any("/worker." in url for url in lab_files)
    assert all(url.rsplit("/", 1)[1].count(".") == 2 for url in lab_files), lab_files  # name.hash.mjs
