"""The benchmark: python -m tests.bench (or `make bench`).

Serves the site with gunicorn (gthread, debug off, collected static files) on 127.0.0.1 against a
separate database filled by `seed_scale`, next to a constant HttpResponse("ok") view (the floor).
wrk, pinned to one core with taskset, loads each page: one warm-up, then five interleaved rounds.
Each page's ratio is its requests per second over the floor's in the same round (median of the
rounds). Runs on SQLite, or on PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".bench"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = 8
SECRET = "bench-only-not-a-secret"


def bench_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="learn.settings",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(WORK / "static"),
        DJANGO_ROOT_URLCONF="tests.bench.urls",
        DJANGO_ANSWERS_PER_MINUTE="1000000",
        DJANGO_NEW_VISITORS_PER_HOUR="1000000",
    )
    if not env.get("DATABASE_URL"):
        env["DJANGO_SQLITE_PATH"] = str(WORK / "recall.sqlite3")
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def prepare(env: dict) -> list[tuple[str, str, dict]]:
    """Migrate, seed (first run only), collect static; write the answer entries; return the pages."""
    WORK.mkdir(exist_ok=True)
    manage(env, "migrate", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from glossary.models import Term
    from learn.models import Article
    from quizzes import scoring
    from quizzes.models import Attempt, Choice, Quiz

    if not Term.objects.exists():
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.run", "seed_scale"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        print(done.stdout.strip(), flush=True)
    manage(env, "collectstatic", "--noinput")

    users = list(get_user_model().objects.filter(username__startswith="learner").order_by("pk"))
    quizzes = list(Quiz.objects.order_by("pk").values_list("pk", "slug"))
    attempted = set(Attempt.objects.values_list("user_id", "quiz_id"))
    choices: dict[int, list[tuple[int, int]]] = {}
    for _question_id, position, quiz_id, choice_id in Choice.objects.values_list(
        "question_id", "question__position", "question__quiz_id", "pk"
    ).order_by("question__quiz_id", "question__position", "pk"):
        choices.setdefault(quiz_id, []).append((position, choice_id))
    per_user = []
    cookies = []
    for n, user in enumerate(users):
        session = SessionStore()
        session.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
        )
        session.create()
        csrf = f"{n:04d}" + "b" * 28
        cookie = f"sessionid={session.session_key}; csrftoken={csrf}"
        cookies.append(cookie)
        lines = []
        for quiz_id, slug in quizzes[(n * 37) % len(quizzes) :] + quizzes[: (n * 37) % len(quizzes)]:
            if (user.pk, quiz_id) in attempted:
                continue
            seen = set()
            for position, choice_id in choices[quiz_id]:
                if position in seen:
                    continue
                seen.add(position)
                token = scoring.opaque_token(SECRET.encode(), choice_id)
                lines.append(
                    f"/quizzes/{slug}/questions/{position}/answer/\t{cookie}\t{csrf}\tchoice={token}"
                )
            if len(lines) >= 400:
                break
        per_user.append(lines)
    entries = [line for group in zip(*per_user, strict=False) for line in group]  # learners interleaved
    (WORK / "answers.txt").write_text("\n".join(entries) + "\n")

    term = Term.objects.published().order_by("pk")[1234 % Term.objects.count()]
    article = Article.objects.published().order_by("pk")[42 % Article.objects.count()]
    quiz = Quiz.objects.order_by("pk")[7]
    return [
        ("floor", "/bench/floor/", {}),
        ("home", "/", {}),
        ("glossary index", "/glossary/", {}),
        ("term page", term.get_absolute_url(), {}),
        ("preview fragment", f"{term.get_absolute_url()}preview/", {"HX-Request": "true"}),
        ("article", article.get_absolute_url(), {}),
        ("search", "/search/?q=model+tuning", {}),
        ("search, new query", "SEARCH", {}),
        ("quiz page", quiz.get_absolute_url(), {}),
        # A signed-in learner's pages are their own (no page cache): what a returning learner gets.
        ("term page, signed in", term.get_absolute_url(), {"Cookie": cookies[0]}),
        ("quiz page, signed in", quiz.get_absolute_url(), {"Cookie": cookies[0]}),
        ("answer POST", "ANSWER", {}),
    ]


def wrk(port: int, path: str, headers: dict, seconds: int, offset: int = 0) -> dict:
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    url = f"http://127.0.0.1:{port}"
    if path == "ANSWER":
        command += [
            "-s",
            str(Path(__file__).with_name("answer.lua")),
            url,
            "--",
            str(WORK / "answers.txt"),
            str(offset),
        ]
    elif path == "SEARCH":
        command += ["-s", str(Path(__file__).with_name("search.lua")), url]
    else:
        command.append(url + path)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p99": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
        "successes": int(m.group(1)) if (m := re.search(r"SUCCESSES (\d+)", out)) else None,
    }


def main() -> None:
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: sudo apt-get install wrk util-linux")
    env = bench_env()
    backend = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    pages = prepare(env)
    from django.db import connection

    from quizzes.models import Answer

    answers_before = Answer.objects.count()
    connection.close()
    from tests.loadgen import gunicorn

    log = WORK / "gunicorn.log"
    results: dict[str, list[dict]] = {name: [] for name, _, _ in pages}
    offset = 0
    warm_successes = 0
    with gunicorn(env, workers=3, threads=4, cpu="0", log=log) as server:
        port = server.port
        load_before = os.getloadavg()
        for _name, path, headers in pages:  # warm-up: caches, the glossary matcher, connections
            warm = wrk(port, path, headers, 2, offset)
            if path == "ANSWER":
                offset += warm["requests"] + CONNECTIONS
                warm_successes = warm["successes"] or 0
        for round_number in range(1, ROUNDS + 1):
            for name, path, headers in pages:
                result = wrk(port, path, headers, SECONDS, offset)
                if path == "ANSWER":
                    offset += result["requests"] + CONNECTIONS  # never reuse a question in flight
                results[name].append(result)
            print(f"round {round_number}/{ROUNDS} done", flush=True)
    errors = log.read_text()
    load_after = os.getloadavg()

    floors = [r["rps"] for r in results["floor"]]
    print(
        f"\nRecall benchmark on {backend}: {os.cpu_count()} cores, gunicorn gthread 3x4 on core 0, wrk -t1 -c{CONNECTIONS} "
        f"on core 1, {ROUNDS} rounds of {SECONDS} s after a warm-up."
    )
    print(
        f"Load average (1/5/15 min) before: {' '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {' '.join(f'{x:.2f}' for x in load_after)}.\n"
    )
    print("| page | median req/s | ratio to floor | p99 ms | non-2xx |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, _, _ in pages:
        runs = results[name]
        ratios = [r["rps"] / f for r, f in zip(runs, floors, strict=True)]
        print(
            f"| {name} | {statistics.median(r['rps'] for r in runs):.0f} | {statistics.median(ratios):.2f} | "
            f"{statistics.median(r['p99'] for r in runs):.1f} | {sum(r['non2xx'] for r in runs)} |"
        )
    os.environ.update(env)
    connection.close()
    stored = Answer.objects.count() - answers_before
    answer_runs = results["answer POST"]
    successes = sum(r["successes"] or 0 for r in answer_runs)
    told = successes + warm_successes
    # wrk stops with up to CONNECTIONS requests in flight: the server may finish and store them
    # after wrk stopped counting, so stored answers may exceed the 2xx responses by that much.
    in_flight = CONNECTIONS * (len(answer_runs) + 1)
    verdict = "consistent" if told <= stored <= told + in_flight else "INCONSISTENT"
    print(
        f"\nAnswer POSTs: {successes} successful responses in the measured rounds, {told} with the "
        f"warm-up; {stored} answers stored: {verdict} (each 2xx stored once; at most {in_flight} "
        f"more from requests still in flight when wrk stopped). "
        f"'database is locked' in the server log: {errors.count('database is locked')}."
    )


if __name__ == "__main__":
    main()
