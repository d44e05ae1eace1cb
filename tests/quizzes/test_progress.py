import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Card, Review
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db


def answer(client, quiz, position, *, correct=True):
    question = quiz.questions.get(position=position)
    choice = (
        question.choices.get(is_correct=True)
        if correct
        else question.choices.filter(is_correct=False).first()
    )
    return client.post(reverse("quizzes:answer", args=[quiz.slug, position]), {"choice": choice.token}, **HX)


def finish(client, quiz, pattern):
    for position, right in enumerate(pattern, start=1):
        answer(client, quiz, position, correct=right)


def learner(name):
    client = Client()
    client.force_login(get_user_model().objects.create_user(name, password="a-long-passphrase-42"))
    return client


def test_progress_page_shows_scores_per_quiz_with_a_chart_from_two_attempts(client):
    quiz = make_quiz(title="Basics", questions=4)
    finish(client, quiz, [True, False, False, False])
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    finish(client, quiz, [True, True, True, False])
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    answer(client, quiz, 1)

    html = client.get("/progress/").content.decode()

    # Where the learner is, then their best: not a count of attempts.
    assert '<strong>In progress:</strong> 1 of 4 answered · best <span class="score">3 / 4</span></p>' in html
    assert "attempt 1: 1 / 4" in html and "attempt 2: 3 / 4" in html
    assert 'aria-label="Basics: score by attempt. Attempt 1: Score 25; Attempt 2: Score 75"' in html
    assert "Continue" in html


def test_progress_page_says_completed_with_the_best_and_a_different_last_score(client):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [True, True])
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    finish(client, quiz, [True, False])
    make_quiz(title="Untouched", questions=1)

    html = client.get("/progress/").content.decode()

    assert (
        '<span class="pill done">Completed</span> · best <span class="score">2 / 2</span> · last <span class="score">1 / 2</span></p>'
        in html
    )
    assert "Not started: 1 quiz more." in html and "Untouched" not in html  # counted, not listed


def test_progress_overall_numbers_and_term_mastery(client):
    solid, shaky, untouched = make_term(name="Replay"), make_term(name="EWC"), make_term(name="MMLU")
    quiz = make_quiz(title="Basics", questions=2, terms=(solid,))
    quiz.questions.get(position=2).related_terms.set([shaky])
    make_quiz(title="Other", questions=1, terms=(untouched,))
    finish(client, quiz, [True, False])
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    finish(client, quiz, [True, True])
    client.post(reverse("learn:mark_read", args=[make_article(title="Intro").slug]))

    html = client.get("/progress/").content.decode()

    assert "Questions answered</dt><dd>4</dd>" in html
    assert "Answered right</dt><dd>75%" in html
    assert "Quizzes completed</dt><dd>1 of 2</dd>" in html
    assert "Articles read</dt><dd>1</dd>" in html
    statuses = dict(
        re.findall(
            r'<a href="/glossary/([^/]+)/">[^<]+</a></th>\s*<td><span class="status [^"]+">([^<]+)</span>',
            html,
        )
    )
    # Answered today: fresh in memory, whatever the score; MMLU's question was never answered,
    # so MMLU is counted as new, not listed (the page grows with the learner, not the site).
    assert statuses == {"replay": "Learning", "ewc": "Learning"}
    assert "Not started: 1 idea more with questions you have not answered yet" in html
    assert re.search(r"status-new\">New</span> [^<]*<small>\(1 idea\)</small>", html)
    # A memory that has held for weeks is lasting; the level comes from the model, not a count.
    Card.objects.filter(question__related_terms=solid).update(stability=45.0)
    html = client.get("/progress/").content.decode()
    assert re.search(
        r'/glossary/replay/">Replay</a></th>\s*<td><span class="status status-lasting">Lasting', html
    )


def test_progress_query_count_is_the_same_for_1_and_20_attempts(client, django_assert_num_queries):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=2, terms=(term,))
    finish(client, quiz, [True, False])
    client.get("/progress/")  # the site's counts, once per content version
    # session, attempts, their quizzes, answers, cards, terms, content version, recent, articles
    # read, the path's steps, reads and attempts
    with django_assert_num_queries(12):
        client.get("/progress/")
    for _ in range(19):
        client.post(reverse("quizzes:retake", args=[quiz.slug]))
        finish(client, quiz, [False, True])
    assert Attempt.objects.count() == 20
    with django_assert_num_queries(12):
        client.get("/progress/")


def test_a_new_visitor_sees_an_empty_progress_page(client):
    make_quiz(title="Basics", questions=2)

    html = client.get("/progress/").content.decode()

    assert "Not started" in html and "Questions answered</dt><dd>0</dd>" in html
    assert "Create an account" in html


def test_attempt_review_shows_each_question_with_choice_correct_rationale_and_explanation(client):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [True, False])
    attempt = Attempt.objects.get()

    html = client.get(reverse("quizzes:attempt", args=[quiz.slug, attempt.public_id])).content.decode()

    assert "Basics: attempt 1" in html and "Score <strong>1 / 2</strong> (50%)" in html
    assert html.count("question answered") == 2
    assert "Your answer: wrong" in html and "Correct answer" in html
    assert "Rationale 0 of question 2." in html and "Explanation of question 2." in html


def test_an_unfinished_attempt_sends_the_learner_back_to_the_quiz(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1)
    attempt = Attempt.objects.get()

    response = client.get(reverse("quizzes:attempt", args=[quiz.slug, attempt.public_id]))

    assert response.status_code == 302 and response["Location"] == "/quizzes/basics/"


def test_learners_never_see_each_others_attempts_or_progress():
    ada, bob = learner("ada"), learner("bob")
    quiz = make_quiz(title="Basics", questions=2)
    finish(ada, quiz, [True, False])
    attempt = Attempt.objects.get()

    assert bob.get(reverse("quizzes:attempt", args=[quiz.slug, attempt.public_id])).status_code == 404
    assert Client().get(reverse("quizzes:attempt", args=[quiz.slug, attempt.public_id])).status_code == 404
    assert "Questions answered</dt><dd>0</dd>" in bob.get("/progress/").content.decode()
    assert "0 / 2 completed" in bob.get(quiz.get_absolute_url()).content.decode()
    # Bob cannot answer Ada's review question or change her attempt.
    question = quiz.questions.get(position=2)
    token = question.choices.get(is_correct=True).token
    assert (
        bob.post(reverse("progress:answer", args=[quiz.slug, 2]), {"choice": token}, **HX).status_code == 404
    )
    assert not Review.objects.filter(source=Review.Source.REVIEW).exists()
    bob.post(reverse("quizzes:retake", args=[quiz.slug]))
    assert Attempt.objects.filter(user__username="ada").count() == 1


def test_attempt_urls_are_unguessable(client):
    quiz = make_quiz(title="Basics", questions=1)
    finish(client, quiz, [True])

    assert re.fullmatch(r"[0-9a-f-]{36}", str(Attempt.objects.get().public_id))
    assert client.get(f"/quizzes/basics/attempts/{Attempt.objects.get().pk}/").status_code == 404


def make_due(*positions):
    """As if three days had passed since the quiz: the cards of these questions (all by default)
    are due now."""
    now = timezone.now()
    cards = Card.objects.filter(question__position__in=positions) if positions else Card.objects.all()
    cards.update(last_review_at=now - dt.timedelta(days=3), due_at=now - dt.timedelta(minutes=1))


def test_review_page_lists_missed_questions_once_due(client):
    quiz = make_quiz(title="Basics", questions=3)
    finish(client, quiz, [True, False, False])

    assert "Nothing to review today" in client.get("/progress/review/").content.decode()
    make_due()
    Card.objects.filter(question__position=1).update(due_at=timezone.now() + dt.timedelta(days=2))
    html = client.get("/progress/review/").content.decode()

    forms = re.findall(r'<form id="r\d+".*?</form>', html, re.S)
    assert len(forms) == 2  # ids from the card: questions of two quizzes never clash
    assert "Prompt of question 2?" in html and "Prompt of question 1?" not in html
    assert 'From the quiz <a href="/quizzes/basics/">Basics</a>' in html
    assert 'action="/progress/review/basics/2/"' in html
    assert all("correct" not in form.lower() for form in forms)
    assert "2 to review" in client.get("/").content.decode()  # the header shows it everywhere


def test_answering_a_review_with_htmx_reschedules_and_updates_the_header(client):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [True, False])
    make_due(2)
    token = quiz.questions.get(position=2).choices.get(is_correct=True).token

    response = client.post(reverse("progress:answer", args=[quiz.slug, 2]), {"choice": token}, **HX)

    html = response.content.decode()
    assert "<html" not in html and "Right." in html
    card = Card.objects.get(question__position=2)
    assert card.due_at > timezone.now() + dt.timedelta(days=1)
    assert f"Next review: {card.due_at:%A} {card.due_at.day} {card.due_at:%B}." in html
    assert '<span id="review-badge" hx-swap-oob="true" hidden></span>' in html
    # A second submission changes nothing, says so, and shows the stored result.
    again = client.post(reverse("progress:answer", args=[quiz.slug, 2]), {"choice": token}, **HX)
    assert "Right." in again.content.decode() and "was not due for review" in again.content.decode()
    assert Review.objects.filter(source=Review.Source.REVIEW).count() == 1


def test_answering_a_review_without_javascript_returns_to_the_review_page(client):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [True, False])
    make_due()
    wrong = quiz.questions.get(position=2).choices.filter(is_correct=False).first().token

    response = client.post(reverse("progress:answer", args=[quiz.slug, 2]), {"choice": wrong})

    assert response.status_code == 303 and response["Location"] == "/progress/review/"
    card = Card.objects.get(question__position=2)
    assert card.lapses == 2 and card.due_at - card.last_review_at == dt.timedelta(days=1)


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_review_answers_get_a_message_and_store_nothing(client, htmx):
    quiz = make_quiz(title="Basics", questions=2)
    finish(client, quiz, [True, False])
    make_due()

    response = client.post(
        reverse("progress:answer", args=[quiz.slug, 2]), {"choice": "zzz"}, **(HX if htmx else {})
    )

    assert response.status_code == 400
    assert "not one of this question’s choices" in response.content.decode()
    assert not Review.objects.filter(source=Review.Source.REVIEW).exists()


def test_mark_read_with_and_without_htmx(client):
    article = make_article(title="Intro")
    url = reverse("learn:mark_read", args=[article.slug])

    fragment = client.post(url, {"read": "1"}, **HX).content.decode()
    page = client.post(url, {"read": "1"})

    assert "<html" not in fragment and "Marked as read" in fragment
    assert page.status_code == 303 and page["Location"] == "/learn/intro/#read"
    assert "Articles read</dt><dd>1</dd>" in client.get("/progress/").content.decode()
    client.post(url, {"read": "0"}, **HX)
    assert "Articles read</dt><dd>0</dd>" in client.get("/progress/").content.decode()


def test_admin_shows_attempts_completion_and_average_per_quiz(admin_client):
    quiz = make_quiz(title="Basics", questions=2)
    visitor = Client()
    finish(visitor, quiz, [True, False])
    answer(Client(), quiz, 1)

    html = admin_client.get("/admin/quizzes/quiz/").content.decode()

    assert '<td class="field-attempts">2</td>' in html
    assert '<td class="field-completion">50%</td>' in html
    assert '<td class="field-average_score">50%</td>' in html


def test_learner_progress_in_admin_needs_staff(client):
    assert client.get("/admin/quizzes/attempt/").status_code == 302
    assert client.get("/admin/quizzes/reviewitem/").status_code == 302


def test_progress_rows_are_each_learners_own_though_renderings_are_shared():
    replay = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=2, terms=(replay,))
    ada, bo, cy = learner("ada"), learner("bo"), learner("cy")
    finish(ada, quiz, [True, False])
    finish(bo, quiz, [True, True])
    finish(cy, quiz, [True, False])

    pages = {name: c.get("/progress/").content.decode() for name, c in (("ada", ada), ("bo", bo), ("cy", cy))}
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    links = {
        name: set(re.findall(rf'href="(/quizzes/basics/[^"#]*{uuid}/)"', html))
        for name, html in pages.items()
    }

    assert (
        'best <span class="score">1 / 2' in pages["ada"] and 'best <span class="score">2 / 2' in pages["bo"]
    )
    assert "2 / 2" not in pages["ada"] and "1 / 2" not in pages["bo"]
    # each sees their own attempt's link, never another's, though ada's and cy's scores match
    assert all(len(found) == 1 for found in links.values())
    assert links["ada"] != links["cy"] and links["ada"] != links["bo"]
    mine = Attempt.objects.get(user__username="ada").public_id
    assert links["ada"] == {reverse("quizzes:attempt", args=[quiz.slug, mine])}
    # an edit shows on the next request
    quiz.title = "Basics, renamed"
    quiz.save()
    assert "Basics, renamed" in ada.get("/progress/").content.decode()
