"""Several gunicorn instances on one database: sessions, caches and progress are shared correctly.

Two instances on two ports serve the test database (SQLite file or PostgreSQL, whichever the
suite runs on); one learner answers a quiz through both, alternately.
"""

import pytest
from django.conf import settings
from django.db import connection

from glossary.models import Term
from quizzes.models import Question
from tests.factories import make_quiz, make_term
from tests.loadgen import Learner, gunicorn, request, site_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def instance_env() -> dict:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return site_env(db["NAME"])
    env = site_env(db["NAME"])
    env.pop("DJANGO_SQLITE_PATH")
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return env


def test_a_learner_moving_between_two_instances_keeps_one_consistent_progress():
    term = make_term(name="Replay", definition="Replay keeps old skills.")
    make_quiz(title="Basics", questions=6, terms=(term,))
    env = instance_env()
    env["DJANGO_SECRET_KEY"] = settings.SECRET_KEY  # both instances sign sessions and tokens alike
    with gunicorn(env, workers=1, threads=2) as first, gunicorn(env, workers=1, threads=2) as second:
        learner = Learner(first.port)
        plan = learner.open_quiz("basics")
        assert len(plan) == 6
        for step, (position, action, token) in enumerate(plan):
            learner.port = (first, second)[step % 2].port  # alternate instances, same cookies
            assert learner.answer("basics", position, action, token), position
        learner.port = first.port
        shown_first = learner.stored("basics")
        learner.port = second.port
        shown_second = learner.stored("basics")
        assert shown_first == shown_second == {("basics", p) for p in range(1, 7)}

        # Warm both instances' caches, then edit: both show the edit on the next request, with the
        # new term linked. No instance serves its own stale copy.
        for server in (first, second):
            assert "Replay keeps old skills." in page(server, "/glossary/replay/")
        make_term(name="Learning rate")
        replay = Term.objects.get(slug="replay")
        replay.definition = "Replay pairs well with a low learning rate."
        replay.save()
        for server in (first, second):
            body = page(server, "/glossary/replay/")
            assert "Replay pairs well with a low" in body and "Replay keeps old skills." not in body
            assert 'href="/glossary/learning-rate/"' in body

        # The same for a quiz, which is cached apart for learners with a session as well.
        for server in (first, second):
            assert "Rewritten prompt" not in page(server, "/quizzes/basics/")
        question = Question.objects.get(quiz__slug="basics", position=3)
        question.prompt = "Rewritten prompt: which one?"
        question.save()
        for server in (first, second):
            assert "Rewritten prompt: which one?" in page(server, "/quizzes/basics/")
            learner.port = server.port  # a learner with a session: the page is their own
            status, body, _ = request(server.port, "GET", "/quizzes/basics/", headers=learner._headers())
            assert status == 200 and "Rewritten prompt: which one?" in body
            assert body.count("Right.") + body.count("Not quite.") == 6  # their answers, all shown


def page(server, path: str) -> str:
    status, body, _ = request(server.port, "GET", path, headers={"Host": f"127.0.0.1:{server.port}"})
    assert status == 200, path
    return body
