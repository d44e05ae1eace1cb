"""Lighthouse on the home, term, article and quiz pages: python -m tests.lighthouse (`make lighthouse`).

Serves the shipped content the way production does (gunicorn, debug off, collected and
compressed static files through WhiteNoise) from a throwaway SQLite database, runs Lighthouse
(npm's `lighthouse`, offline, with Debian's Chromium) on each page, prints the four category
scores, the bytes transferred and the origins asked (the reports are kept in .lighthouse/), and
exits non-zero below the targets: performance 0.95, the other three 1.0, at most 100 KB, one origin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.loadgen import ROOT, gunicorn, manage

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "lighthouse@12.8.2")
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
PAGES = {
    "home": "/",
    "term": "/glossary/catastrophic-forgetting/",
    "article": "/learn/what-is-catastrophic-forgetting/",
    "quiz": "/quizzes/vocabulary-of-forgetting/",
}


def run(port: int, path: str, out: Path) -> dict[str, float]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("chromium is missing: apt-get install chromium")
    for attempt in range(3):  # Lighthouse itself sometimes fails to record a trace: "run again"
        done = subprocess.run(
            [
                "npx",
                "--yes",
                LIGHTHOUSE,
                f"http://127.0.0.1:{port}{path}",
                "--quiet",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                "--output=json",
                f"--output-path={out}",
            ],
            env={**os.environ, "CHROME_PATH": chromium},
            check=False,
        )
        if done.returncode == 0:
            break
        print(f"  {path}: Lighthouse failed (attempt {attempt + 1} of 3)")
    else:
        sys.exit(f"Lighthouse failed three times on {path}")
    report = json.loads(out.read_text())
    failing = [
        f"{audit['id']} ({audit['score']})"
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"
    ]
    if failing:
        print(f"  {path}: audits not passed: {', '.join(failing)}")
        for audit in report["audits"].values():
            if audit.get("score") == 0:
                for item in (audit.get("details") or {}).get("items", [])[:5]:
                    node = item.get("node") or {}
                    print(
                        f"    {audit['id']}: {node.get('selector', '')} {node.get('explanation', '')[:200]}"
                    )
    scores = {name: report["categories"][name]["score"] for name in TARGETS}
    requests = report["audits"]["network-requests"]["details"]["items"]
    scores["kb"] = report["audits"]["total-byte-weight"]["numericValue"] / 1024
    scores["origins"] = len({item["url"].split("/")[2] for item in requests})
    return scores


def main() -> int:
    if not shutil.which("npx"):
        sys.exit("npx is missing: apt-get install npm")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="learn.settings",
            DJANGO_SECRET_KEY="lighthouse-only-not-a-secret",
            DJANGO_DEBUG="false",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SQLITE_PATH=str(work / "recall.sqlite3"),
            DJANGO_STATIC_ROOT=str(work / "static"),
        )
        for command in (("migrate", "--noinput"), ("load_content",), ("collectstatic", "--noinput")):
            manage(env, *command)
        with gunicorn(env) as server:
            reports = ROOT / ".lighthouse"
            reports.mkdir(exist_ok=True)
            scores = {name: run(server.port, path, reports / f"{name}.json") for name, path in PAGES.items()}
    print("\n| page | performance | accessibility | best practices | SEO | transferred | origins |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for name, found in scores.items():
        print(
            f"| {name} | "
            + " | ".join(f"{found[c]:.2f}" for c in TARGETS)
            + f" | {found['kb']:.1f} KB | {found['origins']} |"
        )
        ok &= all(found[c] >= TARGETS[c] for c in TARGETS) and found["kb"] <= 100 and found["origins"] == 1
    print("\nAll pages meet the targets." if ok else "\nSome scores are below the targets.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
