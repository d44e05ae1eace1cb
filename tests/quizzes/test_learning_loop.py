"""The learning loop: every answer scheduled by FSRS, practice right after a quiz, reviews with
an end, what is coming on /progress/, a calendar, and a next step everywhere."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learn.models import PathStep
from quizzes import schedule
from quizzes.models import Attempt, Card, Review
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db


def choice(quiz, position, correct=True):
    question = quiz.questions.get(position=position)
    found = question.choices.filter(is_correct=correct).order_by("position").first()
    return found.token


def answer(client, quiz, position, correct=True, htmx=True):
    url = reverse("quizzes:answer", args=[quiz.slug, position])
    return client.post(url, {"choice": choice(quiz, position, correct)}, **(HX if htmx else {}))


def finish(client, quiz, pattern):
    for position, right in enumerate(pattern, start=1):
        answer(client, quiz, position, right)


def practise(client, quiz, position, correct=True, htmx=True, n=1, of=2):
    url = reverse("quizzes:practice_answer", args=[quiz.slug, position])
    data = {"choice": choice(quiz, position, correct), "n": str(n), "of": str(of)}
    return client.post(url, data, **(HX if htmx else {}))


def signed_in(name):
    client = Client()
    client.force_login(get_user_model().objects.create_user(name, password="a-long-passphrase-42"))
    return client


def days_later(days: float):
    """As if ``days`` had passed: every stored time moves back."""
    shift = dt.timedelta(days=days)
    for card in Card.objects.all():
        card.due_at -= shift
        card.last_review_at -= shift
        card.save()
    for review in Review.objects.all():
        review.answered_at -= shift
        review.save()
    Attempt.objects.update(finished_at=timezone.now() - shift, started_at=timezone.now() - shift)


# ---- Every answer is scheduled ------------------------------------------------------------


def test_every_answered_question_gets_a_card_and_a_review_wrong_or_right(client):
    quiz = make_quiz(title="Basics", questions=3)

    finish(client, quiz, [True, False, True])

    cards = {c.question.position: c for c in Card.objects.select_related("question")}
    assert set(cards) == {1, 2, 3}
    assert cards[2].lapses == 1 and cards[2].due_at - cards[2].last_review_at == dt.timedelta(days=1)
    assert cards[1].due_at - cards[1].last_review_at == dt.timedelta(days=2)  # Good on a new card
    reviews = Review.objects.order_by("card__question__position")
    assert [(r.source, r.correct, r.rating) for r in reviews] == [
        ("quiz", True, schedule.GOOD),
        ("quiz", False, schedule.AGAIN),
        ("quiz", True, schedule.GOOD),
    ]
    assert all(r.answer_id for r in reviews)  # each one is its stored quiz answer


def test_a_card_is_what_replaying_its_reviews_gives(client):
    quiz = make_quiz(title="Basics", questions=1)
    answer(client, quiz, 1, correct=False)
    days_later(1)
    client.post(reverse("progress:answer", args=[quiz.slug, 1]), {"choice": choice(quiz, 1)}, **HX)

    card = Card.objects.get()
    replayed = schedule.replay((r.answered_at, r.correct) for r in card.reviews.all())
    assert replayed.due == card.due_at and replayed.stability == pytest.approx(card.stability)
    assert card.reps == 2 and [r.source for r in card.reviews.all()] == ["quiz", "review"]


# ---- Practice right after the quiz ----------------------------------------------------------


def test_the_result_card_offers_to_practise_the_misses(client):
    quiz = make_quiz(title="Basics", questions=3)
    finish(client, quiz, [True, False, False])

    html = client.get(quiz.get_absolute_url()).content.decode()

    assert "Practise the 2 you missed" in html
    assert 'href="/quizzes/basics/practice/" hx-get="/quizzes/basics/practice/"' in html


@pytest.mark.parametrize("htmx", [True, False])
def test_the_practice_set_is_the_misses_reshuffled(client, htmx):
    quiz = make_quiz(title="Basics", questions=3)
    finish(client, quiz, [True, False, False])

    response = client.get(reverse("quizzes:practice", args=[quiz.slug]), **(HX if htmx else {}))

    html = response.content.decode()
    assert ("<html" in html) is not htmx
    assert "0 of 2 fixed." in html
    assert "Prompt of question 2?" in html and "Prompt of question 3?" in html
    assert "Prompt of question 1?" not in html
    assert "Question 1 / 2" in html and "Question 2 / 2" in html
    assert 'action="/quizzes/basics/practice/2/"' in html
    assert "correct" not in " ".join(re.findall(r"<form.*?</form>", html, re.S)).lower()
    assert response["Vary"].count("HX-Request") == 1


def test_practice_goes_on_until_each_miss_is_answered_right_and_keeps_the_score(client):
    quiz = make_quiz(title="Basics", questions=3)
    finish(client, quiz, [True, False, False])

    wrong = practise(client, quiz, 2, correct=False).content.decode()
    assert "Not quite." in wrong and "Try it again" in wrong
    assert "0 of 2 fixed." in wrong  # the out-of-band status
    right = practise(client, quiz, 2).content.decode()
    assert "Right." in right and "Fixed." in right and "1 of 2 fixed." in right
    last = practise(client, quiz, 3, n=2).content.decode()
    assert "All 2 fixed." in last and "Question 2 / 2" in last

    assert "score 1 / 3" in client.get(quiz.get_absolute_url()).content.decode()  # unchanged
    practice = Review.objects.filter(source=Review.Source.PRACTICE)
    assert [(r.card.question.position, r.correct) for r in practice.order_by("pk")] == [
        (2, False),
        (2, True),
        (3, True),
    ]
    page = client.get(reverse("quizzes:practice", args=[quiz.slug])).content.decode()
    assert "All 2 fixed." in page and "<form" not in page.split('id="practice"')[1].split("</section>")[0]


def test_practice_counts_as_same_day_review_for_the_memory_model(client):
    quiz = make_quiz(title="Basics", questions=1)
    finish(client, quiz, [False])
    before = Card.objects.get()

    practise(client, quiz, 1, of=1)

    after = Card.objects.get()
    assert after.stability > before.stability and after.reps == 2
    assert after.due_at - after.last_review_at >= dt.timedelta(days=1)  # still a day away


def test_practice_without_javascript_posts_and_returns_to_the_practice_page(client):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [False, True])

    response = practise(client, quiz, 1, htmx=False)

    assert response.status_code == 303 and response["Location"] == "/quizzes/basics/practice/"
    assert "All 1 fixed." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_a_practice_answer_outside_the_practice_set_changes_nothing_and_says_so(client, htmx):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [False, True])
    before = Review.objects.count()

    response = practise(client, quiz, 2, htmx=htmx)  # answered right in the quiz: not in practice

    if htmx:
        assert "not in your practice set, so nothing changed" in response.content.decode()
    else:
        followed = client.get(response["Location"]).content.decode()
        assert "not in your practice set, so nothing changed" in followed
    assert Review.objects.count() == before


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_practice_answers_get_a_message_and_store_nothing(client, htmx):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [False, True])
    url = reverse("quizzes:practice_answer", args=[quiz.slug, 1])

    for data in ({}, {"choice": "zzz"}, {"choice": choice(quiz, 2)}, {"choice": "a\x00b"}):
        response = client.post(url, data, **(HX if htmx else {}))
        assert response.status_code == 400
        assert "Choose one of the answers" in response.content.decode() or "not one of this question" in (
            response.content.decode()
        )
    assert not Review.objects.filter(source=Review.Source.PRACTICE).exists()


def test_practice_before_any_answer_is_a_404_and_before_finishing_says_what_to_do(client):
    quiz = make_quiz(title="Basics", questions=2)
    assert practise(client, quiz, 1).status_code == 404
    answer(client, quiz, 1, correct=False)

    html = client.get(reverse("quizzes:practice", args=[quiz.slug])).content.decode()

    assert "Finish the quiz first" in html


# ---- The result card ------------------------------------------------------------------------


def test_a_retake_shows_the_change_since_the_last_attempt(client):
    quiz = make_quiz(title="Basics", questions=3)
    finish(client, quiz, [True, False, False])
    client.post(reverse("quizzes:retake", args=[quiz.slug]))

    finish(client, quiz, [True, True, False])

    html = client.get(quiz.get_absolute_url()).content.decode()
    assert '2 / 3</strong> (67%)<span class="change">, up from 1 / 3 last time' in html


def test_a_perfect_retake_within_a_day_says_the_real_test_is_the_review(client):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [False, False])
    client.post(reverse("quizzes:retake", args=[quiz.slug]))

    finish(client, quiz, [True, True])

    html = client.get(quiz.get_absolute_url()).content.decode()
    assert "You fixed every miss. The real test is the review in a few days" in html
    assert "are yours now" not in html
    assert "up from 0 / 2 last time" in html


def test_the_result_card_and_the_article_end_offer_the_next_step_of_the_path(client):
    article = make_article(title="Intro")
    first, second = make_quiz(title="First", questions=1), make_quiz(title="Second", questions=1)
    topic = article.topic
    PathStep.objects.create(topic=topic, position=1, article=article)
    PathStep.objects.create(topic=topic, position=2, quiz=first)
    PathStep.objects.create(topic=topic, position=3, quiz=second)

    finish(client, first, [True])

    html = client.get(first.get_absolute_url()).content.decode()
    assert 'Next: <a href="/quizzes/second/">Second</a>' in html
    article_html = client.get(article.get_absolute_url()).content.decode()
    assert 'Next: <a href="/quizzes/first/">First</a>' in article_html
    home = client.get("/").content.decode()
    assert "1 of 3 done." in home and "Finished" in home


def test_an_unpublished_step_is_skipped(client):
    article = make_article(title="Intro")
    hidden, shown = make_quiz(title="Hidden", questions=1, is_published=False), make_quiz(title="Shown")
    PathStep.objects.create(topic=article.topic, position=1, article=article)
    PathStep.objects.create(topic=article.topic, position=2, quiz=hidden)
    PathStep.objects.create(topic=article.topic, position=3, quiz=shown)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Hidden" not in html and 'Next: <a href="/quizzes/shown/">Shown</a>' in html


# ---- Reviews with an end --------------------------------------------------------------------


def test_the_review_page_numbers_cards_says_where_they_come_from_and_ends(client):
    quiz = make_quiz(title="Basics", questions=3)
    finish(client, quiz, [False, False, True])
    days_later(1)
    assert "2 to review" in client.get("/").content.decode()

    page = client.get(reverse("progress:review")).content.decode()
    assert "Question 1 / 2" in page and "Question 2 / 2" in page
    assert 'From the quiz <a href="/quizzes/basics/">Basics</a>' in page

    url = reverse("progress:answer", args=[quiz.slug, 2])
    second = client.post(url, {"choice": choice(quiz, 2), "n": "2", "of": "2"}, **HX).content.decode()
    assert "Question 2 / 2" in second  # keeps its own number after answering
    assert "So far today: 1 reviewed, 1 right" in second
    url = reverse("progress:answer", args=[quiz.slug, 1])
    client.post(url, {"choice": choice(quiz, 1, correct=False), "n": "1", "of": "2"}, **HX)

    done = client.get(reverse("progress:review")).content.decode()
    first_due = timezone.localtime(Card.objects.order_by("due_at").first().due_at)
    assert "Done for today: 2 reviewed, 1 right" in done
    assert f"next review {first_due:%A} {first_due.day} {first_due:%B}" in done


def test_a_review_answer_for_a_question_not_due_changes_nothing_and_says_so(client):
    quiz = make_quiz(title="Basics", questions=1)
    finish(client, quiz, [True])
    card = Card.objects.get()

    response = client.post(reverse("progress:answer", args=[quiz.slug, 1]), {"choice": choice(quiz, 1)}, **HX)

    assert "was not due for review, so nothing changed" in response.content.decode()
    assert Card.objects.get().due_at == card.due_at and Review.objects.count() == 1
    plain = client.post(reverse("progress:answer", args=[quiz.slug, 1]), {"choice": choice(quiz, 1)})
    assert "was not due for review" in client.get(plain["Location"]).content.decode()


def test_reviewing_one_term_offers_its_questions_due_soon(client):
    replay, other = make_term(name="Replay"), make_term(name="EWC")
    quiz = make_quiz(title="Basics", questions=2, terms=(replay,))
    quiz.questions.get(position=2).related_terms.set([other])
    finish(client, quiz, [True, True])  # both due in two days

    assert "Nothing to review today" in client.get(reverse("progress:review")).content.decode()
    page = client.get(reverse("progress:review"), {"term": "replay"}).content.decode()

    assert (
        "Review: Replay" in page and "Prompt of question 1?" in page and "Prompt of question 2?" not in page
    )
    url = reverse("progress:answer", args=[quiz.slug, 1])
    response = client.post(url, {"choice": choice(quiz, 1), "term": "replay"}, **HX)
    assert "Next review:" in response.content.decode() and "not due" not in response.content.decode()
    assert Review.objects.filter(source=Review.Source.REVIEW).count() == 1
    # The term's name does not open other questions early.
    url = reverse("progress:answer", args=[quiz.slug, 2])
    client.post(url, {"choice": choice(quiz, 2), "term": "replay"}, **HX)
    assert Review.objects.filter(source=Review.Source.REVIEW).count() == 1


def test_review_and_progress_query_counts_are_the_same_for_1_and_500_cards():
    client = signed_in("ada")
    user = get_user_model().objects.get()
    quiz = make_quiz(title="Basics", questions=1, terms=(make_term(name="Replay"),))
    finish(client, quiz, [False])
    days_later(1)

    def measure() -> list[int]:
        counts = []
        for url in (reverse("progress:review"), reverse("progress:overview")):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    one = measure()
    big = make_quiz(title="Big", questions=499, choices=2, terms=(make_term(name="EWC"),))
    now = timezone.now()
    Card.objects.bulk_create(
        Card(
            question=q,
            user=user,
            stability=3.0,
            difficulty=5.0,
            due_at=now - dt.timedelta(hours=1),
            last_review_at=now - dt.timedelta(days=3),
            reps=1,
        )
        for q in big.questions.all()
    )
    assert Card.objects.count() == 500
    # review page, progress page (the session brings its user; progress reads the content version
    # for the site's counts instead of listing every quiz and term)
    assert one == measure() == [7, 12]


# ---- What is coming ---------------------------------------------------------------------------


def test_progress_shows_what_is_due_today_tomorrow_and_this_week(client):
    quiz = make_quiz(title="Basics", questions=3, terms=(make_term(name="Replay"),))
    finish(client, quiz, [False, True, True])  # one due tomorrow, two in two days

    html = client.get(reverse("progress:overview")).content.decode()

    assert "Due today</dt><dd>0</dd>" in html
    assert "Tomorrow</dt><dd>1</dd>" in html
    assert "Next 7 days</dt><dd>3</dd>" in html
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert (
        f"Your next review is <strong>{tomorrow:%A} {tomorrow.day} {tomorrow:%B}</strong> (1 question)"
        in html
    )
    assert 'href="/progress/review/?term=replay">Review this term' in html
    assert "Learned recently" in html


def test_dates_read_in_the_learners_time_zone_and_a_bad_zone_is_ignored(client):
    quiz = make_quiz(title="Basics", questions=1)
    finish(client, quiz, [False])
    Card.objects.update(due_at=dt.datetime(2030, 3, 4, 23, 30, tzinfo=dt.UTC))

    client.cookies["tz"] = "Asia/Tokyo"  # already 5 March there
    tokyo = client.get(reverse("progress:overview")).content.decode()
    client.cookies["tz"] = "Not/AZone';--"
    utc = client.get(reverse("progress:overview")).content.decode()

    assert "Tuesday 5 March" in tokyo
    assert "Monday 4 March" in utc


def test_another_learners_schedule_is_never_visible():
    ada, bob = signed_in("ada"), signed_in("bob")
    quiz = make_quiz(title="Basics", questions=2)
    finish(ada, quiz, [False, False])
    days_later(1)

    assert "Nothing to review today" in bob.get(reverse("progress:review")).content.decode()
    assert "to review" not in bob.get("/glossary/").content.decode()
    assert "VEVENT" not in bob.get(reverse("progress:calendar")).content.decode()
    assert "Due today</dt><dd>2</dd>" in ada.get(reverse("progress:overview")).content.decode()
    response = bob.post(reverse("progress:answer", args=[quiz.slug, 1]), {"choice": choice(quiz, 1)}, **HX)
    assert response.status_code == 404
    assert practise(bob, quiz, 1).status_code == 404
    assert Review.objects.count() == 2


def test_a_signed_in_learner_downloads_their_review_days_as_a_calendar():
    ada = signed_in("ada")
    quiz = make_quiz(title="Basics", questions=3)
    finish(ada, quiz, [False, True, True])

    response = ada.get(reverse("progress:calendar"))

    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    after = tomorrow + dt.timedelta(days=1)
    assert f"DTSTART;VALUE=DATE:{tomorrow:%Y%m%d}" in body and "SUMMARY:Recall: 1 question to review" in body
    assert f"DTSTART;VALUE=DATE:{after:%Y%m%d}" in body and "SUMMARY:Recall: 2 questions to review" in body


def test_a_visitor_is_asked_to_log_in_for_the_calendar(client):
    response = client.get(reverse("progress:calendar"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_signing_up_merges_a_visitors_card_with_the_accounts_history(client):
    quiz = make_quiz(title="Basics", questions=1)
    ada = signed_in("ada")
    answer(ada, quiz, 1, correct=True)
    answer(client, quiz, 1, correct=False)  # the same question, as a visitor in another browser
    client.post(reverse("login"), {"username": "ada", "password": "a-long-passphrase-42"})

    card = Card.objects.get()
    assert card.user.username == "ada" and card.reps == 2 and card.lapses == 1
    assert card.reviews.count() == 2
    replayed = schedule.replay((r.answered_at, r.correct) for r in card.reviews.all())
    assert card.due_at == replayed.due


@pytest.mark.parametrize("due", [1, 20])
def test_the_review_page_costs_the_same_for_1_and_20_due_questions(client, django_assert_num_queries, due):
    quiz = make_quiz(title="Basics", questions=due)
    finish(client, quiz, [False] * due)
    days_later(1)
    client.get(reverse("progress:review"))  # the questions, kept per content version
    # the session, the due cards, the content version (their questions, then their fragments),
    # today's reviews, the next review day (none: all are due), the header's count
    with django_assert_num_queries(7):
        page = client.get(reverse("progress:review")).content.decode()
    assert f"Question {due} / {due}" in page and "Prompt of question 1?" in page


def test_the_review_page_shows_an_edit_and_never_another_learners_card(client):
    quiz = make_quiz(title="Basics", questions=2)
    other = signed_in("bo")
    finish(client, quiz, [False, False])
    finish(other, quiz, [True, False])
    days_later(1)
    mine, theirs = client.get(reverse("progress:review")), other.get(reverse("progress:review"))
    mine, theirs = mine.content.decode(), theirs.content.decode()

    cards = {c.question.position: c.pk for c in Card.objects.filter(user__username="bo")}
    assert "Question 2 / 2" in mine and "Question 1 / 1" in theirs and "Question 2 / 2" not in theirs
    assert f'id="r{cards[2]}"' in theirs and f'id="r{cards[2]}"' not in mine
    question = quiz.questions.get(position=2)
    question.prompt = "An edited prompt?"
    question.save()
    assert "An edited prompt?" in client.get(reverse("progress:review")).content.decode()
    assert "An edited prompt?" in other.get(reverse("progress:review")).content.decode()


@pytest.mark.parametrize("questions", [2, 10])
def test_practice_and_review_answers_cost_the_same_for_2_and_10_questions(
    client, django_assert_num_queries, questions
):
    quiz = make_quiz(title="Basics", questions=questions)
    finish(client, quiz, [False] * questions)
    client.get(quiz.get_absolute_url())  # the quiz, kept per content version
    # the session, the content version (the kept quiz), the card; in the transaction (a savepoint
    # in tests) the card locked, the attempt, its misses, those fixed, the card read and moved,
    # its review; the explanation's linker (content version); the header's review count
    url, data = reverse("quizzes:practice_answer", args=[quiz.slug, 1]), {"choice": choice(quiz, 1)}
    with django_assert_num_queries(14):
        response = client.post(url, {**data, "n": "1", "of": str(questions)}, **HX)
    assert "Fixed." in response.content.decode() and f"1 of {questions} fixed" in response.content.decode()
    days_later(1)
    url, data = reverse("progress:answer", args=[quiz.slug, 2]), {"choice": choice(quiz, 2)}
    # the session, the content version, the card; in the transaction (a savepoint) the card
    # locked, read and moved, its review; today's reviews, the next review day and its count;
    # the linker's version; the header's review count
    with django_assert_num_queries(14):
        response = client.post(url, {**data, "n": "1", "of": "2"}, **HX)
    assert "Next review:" in response.content.decode()
    assert Review.objects.filter(source=Review.Source.REVIEW).count() == 1
