"""The benchmark: python -m tests.bench (or `make bench`).

Serves the site with gunicorn (gthread, debug off, collected static files) on 127.0.0.1 against a
separate database filled by `seed_scale`, next to a constant HttpResponse("ok") view (the floor).
wrk, pinned to one core with taskset, loads each page: one warm-up, then five interleaved rounds.
Each page's ratio is its requests per second over the floor's in the same round (median of the
rounds). Runs on SQLite, or on PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".bench"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = 8
SECRET = "bench-only-not-a-secret"
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "30"))  # signed-in users, and as many visitors
FRESH_QUIZZES = 12  # quizzes each learner has not started: the answer POSTs' questions
# Quizzes each learner finished all wrong (the practice answers' questions) and finished all right
# and now due (the review answers'): each POST row needs more questions than a run answers, or it
# answers the same ones again and stores nothing (two and four ran out once the POSTs got faster).
PRACTICE_QUIZZES, DUE_QUIZZES = 6, 6


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

    from glossary.models import Term
    from learn.core.sessions import SessionStore  # the site's engine (Django's own writes another table)
    from learn.models import Article
    from quizzes import scoring
    from quizzes.models import Attempt, Quiz

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

    from django.utils import timezone

    from learn.core.learners import SEEN_KEY, Learner
    from learn.core.sessions import VISITOR_KEY
    from quizzes.models import Card, Question, Response, first_attempt_seed, record_answer

    users = list(get_user_model().objects.filter(username__startswith="learner").order_by("pk"))[:LEARNERS]
    quizzes = list(Quiz.objects.order_by("pk"))
    attempted = set(Attempt.objects.values_list("user_id", "quiz_id"))
    questions: dict[int, list[Question]] = {}
    for question in Question.objects.prefetch_related("choices").order_by("quiz_id", "position"):
        questions.setdefault(question.quiz_id, []).append(question)

    def token(choice) -> str:
        return scoring.opaque_token(SECRET.encode(), choice.pk)

    def pick(question, right: bool):
        return next(c for c in question.choices.all() if c.is_correct == right)

    def answer_all(learner, quiz, right: bool, upto: int | None = None) -> None:
        for question in questions[quiz.pk][:upto]:
            record_answer(
                learner=learner,
                question=question,
                response=Response(choices=(pick(question, right),)),
                first_seed=first_attempt_seed(learner, quiz.pk),
                out_of=len(questions[quiz.pk]),
            )

    # Each learner (signed-in users and visitors with a session, LEARNERS of each) is mid-attempt
    # in one quiz (3 of 10 answered), has missed every question of six finished quizzes (their
    # practice) and has 60 questions due for review; the rest of their quizzes are to answer.
    learners = []  # (kind, Learner, cookie, csrf, quiz mid-attempt, practice quizzes, fresh quizzes)
    today = timezone.localdate().isoformat()
    for n in range(2 * LEARNERS):
        kind = "signed in" if n < LEARNERS else "visitor"
        session = SessionStore()
        if kind == "signed in":
            user = users[n]
            learner = Learner(user_id=user.pk)
            session.update(
                {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
            )
        else:
            learner = Learner(visitor=uuid.uuid4())
            session.update({VISITOR_KEY: str(learner.visitor), SEEN_KEY: today})
        session.create()
        csrf = f"{n:04d}" + "b" * 28
        cookie = f"sessionid={session.session_key}; csrftoken={csrf}"
        start = (n * 37) % len(quizzes)
        mine = [
            q
            for q in quizzes[start:] + quizzes[:start]
            if (getattr(learner, "user_id", None), q.pk) not in attempted
        ]
        ends = itertools.accumulate((1, PRACTICE_QUIZZES, DUE_QUIZZES, FRESH_QUIZZES))
        one, two, three, four = ends  # where each group of the learner's quizzes ends
        mid, practice, due, fresh = mine[0], mine[one:two], mine[two:three], mine[three:four]
        answer_all(learner, mid, True, upto=3)
        for quiz in practice:
            answer_all(learner, quiz, False)
        for quiz in due:
            answer_all(learner, quiz, True)
        Card.objects.for_learner(learner).filter(question__quiz__in=due).update(
            due_at=timezone.now() - dt.timedelta(hours=1)
        )
        learners.append((kind, learner, cookie, csrf, mid, practice, due, fresh))

    term = Term.objects.published().order_by("pk")[1234 % Term.objects.count()]
    article = Article.objects.published().order_by("pk")[42 % Article.objects.count()]
    quiz = Quiz.objects.order_by("pk")[7]

    def write(name: str, lines: list[str]) -> str:
        path = WORK / f"{name}.txt"
        path.write_text("\n".join(lines) + "\n")
        return str(path)

    def interleaved(groups: list[list[str]]) -> list[str]:
        return [line for group in zip(*groups, strict=False) for line in group]

    rows = [
        ("floor", "/bench/floor/", {}),
        ("home", "/", {}),
        ("glossary index", "/glossary/", {}),
        ("term page", term.get_absolute_url(), {}),
        ("preview fragment", f"{term.get_absolute_url()}preview/", {"HX-Request": "true"}),
        ("article", article.get_absolute_url(), {}),
        ("search", "/search/?q=model+tuning", {}),
        ("search, new query", "SEARCH", {}),
        ("quiz page", quiz.get_absolute_url(), {}),
    ]
    for kind in ("visitor", "signed in"):
        mine = [entry for entry in learners if entry[0] == kind]

        def get(path_of, mine=mine) -> list[str]:
            return [f"GET\t{path_of(e)}\t{e[2]}\t{e[3]}\t-" for e in mine]

        pages = {
            "quiz mid-attempt": lambda e: e[4].get_absolute_url(),
            "term page": lambda e: term.get_absolute_url(),
            "article": lambda e: article.get_absolute_url(),
            "home": lambda e: "/",
            "progress": lambda e: "/progress/",
            "review page": lambda e: "/progress/review/",
        }
        for page, path_of in pages.items():
            name = f"{page}, {kind}"
            rows.append((name, "LEARNERS", {"file": write(slug(name), get(path_of))}))

        def posts(quizzes_of, path, body, mine=mine) -> list[str]:
            """One POST line for every question of each learner's quizzes, learners interleaved."""
            return interleaved(
                [
                    [
                        f"POST\t{path.format(q=q, x=x)}\t{e[2]}\t{e[3]}\t{body(x)}"
                        for q in quizzes_of(e)
                        for x in questions[q.pk]
                    ]
                    for e in mine
                ]
            )

        def mixed(x) -> str:  # two in three right
            return f"choice={token(pick(x, x.position % 3 != 0))}"

        answers = posts(lambda e: e[7], "/quizzes/{q.slug}/questions/{x.position}/answer/", mixed)
        reviews = posts(
            lambda e: e[6], "/progress/review/{q.slug}/{x.position}/", lambda x: f"{mixed(x)}&n=1&of=20"
        )
        practice = posts(
            lambda e: e[5],
            "/quizzes/{q.slug}/practice/{x.position}/",
            lambda x: f"choice={token(pick(x, True))}&n=1&of=10",
        )
        for name, lines, source in (
            (f"answer POST, {kind}", answers, "quiz"),
            (f"review answer, {kind}", reviews, "review"),
            (f"practice answer, {kind}", practice, "practice"),
        ):
            rows.append(
                (name, "POSTS", {"file": write(slug(name), lines), "lines": len(lines), "source": source})
            )
    return rows


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def wrk(port: int, path: str, headers: dict, seconds: int, offset: int = 0) -> dict:
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items() if path not in {"LEARNERS", "POSTS"} else ():
        command += ["-H", f"{name}: {value}"]
    url = f"http://127.0.0.1:{port}"
    if path in {"LEARNERS", "POSTS"}:
        command += [
            "-s",
            str(Path(__file__).with_name("learners.lua")),
            url,
            "--",
            headers["file"],
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

    from quizzes.models import Answer, Review

    def stored() -> dict[str, int]:
        counts = {"quiz": Answer.objects.count()}
        for source in ("review", "practice"):
            counts[source] = Review.objects.filter(source=source).count()
        return counts

    before = stored()
    connection.close()
    from tests.loadgen import gunicorn

    log = WORK / "gunicorn.log"
    results: dict[str, list[dict]] = {name: [] for name, _, _ in pages}
    offsets: dict[str, int] = {}  # POST rows: the next entry, so that no request repeats one
    warm: dict[str, int] = {}

    def load(name: str, path: str, headers: dict, seconds: int) -> dict:
        result = wrk(port, path, headers, seconds, offsets.get(name, 0))
        if path == "POSTS":
            offsets[name] = offsets.get(name, 0) + result["requests"] + CONNECTIONS
        return result

    with gunicorn(env, workers=3, threads=4, cpu="0", log=log) as server:
        port = server.port
        load_before = os.getloadavg()
        uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        for name, path, headers in pages:  # warm-up: caches, the glossary matcher, connections
            warm[name] = load(name, path, headers, 2)["successes"] or 0
        for round_number in range(1, ROUNDS + 1):
            for name, path, headers in pages:
                results[name].append(load(name, path, headers, SECONDS))
            print(f"round {round_number}/{ROUNDS} done", flush=True)
        uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
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
    after = stored()
    print(f"\nuptime before: {uptime_before}\nuptime after: {uptime_after}")
    # wrk stops with up to CONNECTIONS requests in flight: the server may finish and store them
    # after wrk stopped counting, so stored rows may exceed the 2xx responses by that much.
    for source, label in (
        ("quiz", "answer POST"),
        ("review", "review answer"),
        ("practice", "practice answer"),
    ):
        names = [name for name, path, h in pages if path == "POSTS" and h["source"] == source]
        told = sum(sum(r["successes"] or 0 for r in results[name]) + warm[name] for name in names)
        sent = {name: offsets[name] for name in names}
        lines = {name: h["lines"] for name, path, h in pages if name in names}
        wrapped = [name for name in names if sent[name] > lines[name]]
        in_flight = CONNECTIONS * (ROUNDS + 1) * len(names)
        got = after[source] - before[source]
        verdict = "consistent" if told <= got <= told + in_flight else "INCONSISTENT"
        print(
            f"{label}s: {told} successful responses (warm-up included), {got} stored: {verdict} "
            f"(at most {in_flight} more from requests in flight when wrk stopped)"
            + (
                f"; entries reused (more requests than prepared answers): {', '.join(wrapped)}"
                if wrapped
                else ""
            )
            + "."
        )
    print(f"'database is locked' in the server log: {errors.count('database is locked')}.")


if __name__ == "__main__":
    main()
