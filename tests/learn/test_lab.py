"""The forgetting lab's page (/lab/): what it shows without JavaScript, its cost, its static files.

The maths has its own tests under `node --test` (tests/js/); the browser tests (tests/browser/
test_lab.py) run the lab itself.
"""

import json
import re
from html import unescape

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.conftest import without_tokens
from tests.factories import make_term

pytestmark = pytest.mark.django_db

LAB_STATIC = settings.BASE_DIR / "static" / "js" / "lab"
REFERENCE = json.loads((LAB_STATIC / "reference.json").read_text())


def lab_html(client) -> str:
    response = client.get(reverse("learn:lab"))
    assert response.status_code == 200
    return response.content.decode()


def test_lab_page_without_javascript_shows_the_reference_runs_and_says_the_lab_needs_it(client):
    html = lab_html(client)

    assert "<h1>The forgetting lab</h1>" in html
    assert "needs JavaScript to run" in html
    assert '<div id="lab-app" class="lab-app" hidden>' in html  # the live lab waits for the script
    for scenario in REFERENCE["scenarios"].values():
        assert f"<caption>{scenario['title']}: accuracy in %" in unescape(html)
        for run in scenario["runs"]:
            summary = run["summary"]
            assert f">{run['name']}</a></th><td>{summary['aBefore']['mean']:.1f}</td>" in html
            assert f"<td>{summary['aAfter']['mean']:.1f} <small>" in html
            assert f"<td>{summary['bAfter']['mean']:.1f} <small>" in html
    assert ">Low-rank adapter, switched off</th>" in html
    main = html.split("<main", 1)[1]  # the header has an icon of its own
    assert main.count("<svg ") == 2 and main.count('class="line ') == 2 + 7
    assert "task B starts" in html
    assert "Stability and plasticity, two moons" in html and "λ = 10,000" in html


def test_lab_reference_numbers_are_the_fixtures(client):
    """Spot checks against the fixture, so the table cannot drift from what Node computed."""
    html = unescape(lab_html(client))
    moons = {run["mitigation"]: run for run in REFERENCE["scenarios"]["moons"]["runs"]}

    naive = moons["none"]["summary"]["aAfter"]
    assert f"{naive['mean']:.1f} <small>{naive['min']:g}–{naive['max']:g}</small>" in html
    replay = [p for p in REFERENCE["sweep"]["points"] if p["mitigation"] == "replay" and p["value"] == 20][0]
    assert f"<td>20 points kept</td><td>{replay['aAfter']:g}</td><td>{replay['bAfter']:g}</td>" in html


def test_lab_reference_runs_link_to_the_same_run_in_the_lab(client):
    html = lab_html(client)

    for run in REFERENCE["scenarios"]["moons"]["runs"]:
        assert f'href="/lab/?{run["query"].replace("&", "&amp;")}"' in html
    assert "scenario=moons&amp;mitigation=ewc&amp;seed=1" in html


def test_lab_charts_draw_the_numbers_of_their_tables(client):
    """Each server-drawn line, read back through the chart's scales, passes through its table's rows."""
    html = lab_html(client)
    figures = re.findall(r'<figure class="lab-chart".*?</figure>', html, re.S)
    assert len(figures) == 2
    for figure in figures:
        left, top, right, bottom = map(float, re.search(r'data-plot="([^"]+)"', figure).group(1).split())
        x_max = float(re.search(r'data-x-max="([^"]+)"', figure).group(1))
        lines = [
            [tuple(map(float, point.split(","))) for point in points.split()]
            for points in re.findall(r'<polyline class="line [^"]+" points="([^"]+)"', figure)
        ]
        drawn = [
            {round(x_max * (x - left) / (right - left)): 100 * (bottom - y) / (bottom - top) for x, y in line}
            for line in lines
        ]
        rows = re.findall(r'<tr><th scope="row">(\d+)</th>(.*?)</tr>', figure)
        assert len(rows) == 11
        for step, cells in rows:
            values = [float(v) for v in re.findall(r"<td>([\d.]+)</td>", cells)]
            assert len(values) == len(drawn)
            for value, line in zip(values, drawn, strict=True):
                assert line[int(step)] == pytest.approx(value, abs=0.01)


def test_lab_page_loads_its_own_css_and_modules_only(client):
    html = lab_html(client)

    assert '<link rel="stylesheet" href="/static/css/lab.css">' in html
    assert '<script type="module" src="/static/js/lab/page.mjs"></script>' in html
    assert (
        'data-model="/static/js/lab/model.mjs"' in html and 'data-worker="/static/js/lab/worker.mjs"' in html
    )
    assert "style=" not in html and "<script>" not in html


def test_lab_page_is_the_same_whatever_the_query_string(client):
    """The settings in the address are for the script; the server shows the reference runs."""

    def main(response) -> str:
        return re.search(r"<main.*</main>", without_tokens(response.content), re.S).group(0)

    linked = client.get(reverse("learn:lab"), {"mitigation": "ewc", "seed": "7"})
    assert main(linked) == main(client.get(reverse("learn:lab")))


def test_lab_page_costs_one_query_cached_and_when_built(client, page_queries):
    make_term(name="Replay")  # content exists, so there is a content version to cache by

    response = page_queries(client, reverse("learn:lab"), 1, cold=1)

    assert b"Reference runs" in response.content


def test_lab_allows_workers_from_this_origin_only(client):
    policy = client.get(reverse("learn:lab"))["Content-Security-Policy"]

    assert "worker-src 'self'" in policy and "script-src 'self'" in policy and "unsafe" not in policy


def test_lab_modules_import_each_other_only_through_urls_the_page_gives_them():
    """No static relative import between the lab's modules: with hashed file names after
    collectstatic such an import would miss (or load a stale, unhashed copy)."""
    for name in ("page.mjs", "worker.mjs", "model.mjs"):
        source = (LAB_STATIC / name).read_text()
        assert not re.search(r"""^\s*import\s[^(]*?["']\.""", source, re.M), name
        assert not re.search(r"""import\(\s*["']""", source), name


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage (hashed, compressed, only hashed files kept)."""
    root = tmp_path_factory.mktemp("static")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages, WHITENOISE_KEEP_ONLY_HASHED_FILES=True):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root, storages


def test_lab_page_names_hashed_static_files_that_collectstatic_wrote(client, collected):
    root, storages = collected
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        html = lab_html(client)

    urls = re.findall(r'(?:src|href|data-model|data-worker)="/static/([^"]+)"', html)
    lab_urls = [url for url in urls if "lab" in url]
    assert len(lab_urls) == 4  # lab.css, model.mjs, worker.mjs, page.mjs
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
        assert (root / url).is_file(), url
    assert not (root / "js/lab/model.mjs").exists()  # only hashed names are served
