import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from glossary import linking
from quizzes.models import Answer, Attempt, Question, Quiz
from tests.conftest import HX
from tests.factories import make_quiz, make_term

pytestmark = pytest.mark.django_db


def answer_url(quiz: Quiz, position: int) -> str:
    return reverse("quizzes:answer", args=[quiz.slug, position])


def token_of(quiz: Quiz, position: int, *, correct: bool) -> str:
    question = Question.objects.get(quiz=quiz, position=position)
    return (
        question.choices.get(is_correct=correct)
        if correct
        else question.choices.filter(is_correct=False).first()
    )


def answer(client, quiz, position, *, correct=True, htmx=True):
    choice = token_of(quiz, position, correct=correct)
    return client.post(answer_url(quiz, position), {"choice": choice.token}, **(HX if htmx else {}))


def test_quiz_list_shows_published_quizzes_with_goal_and_question_count(client):
    make_quiz(title="Forgetting basics", questions=5)
    make_quiz(title="Draft quiz", is_published=False)

    html = client.get(reverse("quizzes:list")).content.decode()

    assert "Forgetting basics" in html
    assert "Goal of Forgetting basics." in html
    assert "5 questions" in html
    assert "Draft quiz" not in html


def test_quiz_list_shows_this_learners_best_score(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1, correct=True)
    answer(client, quiz, 2, correct=False)
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    answer(client, quiz, 1, correct=True)
    answer(client, quiz, 2, correct=True)

    mine = client.get(reverse("quizzes:list")).content.decode()
    someone_else = Client().get(reverse("quizzes:list")).content.decode()

    assert '2 questions · best <span class="score">2 / 2</span></p>' in mine
    assert "best" not in someone_else and "2 questions</p>" in someone_else


def test_quiz_list_says_how_far_an_attempt_in_progress_is(client):
    quiz = make_quiz(title="Basics", questions=5)
    for position in range(1, 6):
        answer(client, quiz, position, correct=position != 5)
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    answer(client, quiz, 1)
    answer(client, quiz, 2, correct=False)

    html = client.get(reverse("quizzes:list")).content.decode()

    assert '<strong>In progress:</strong> 2 of 5 answered · best <span class="score">4 / 5</span></p>' in html
    assert "attempt" not in html.split('<ul class="cards">')[1]


@pytest.mark.parametrize("quizzes", [1, 3])
def test_quiz_list_query_count_is_the_same_for_1_and_3_quizzes(
    client, page_queries, django_assert_num_queries, quizzes
):
    made = [make_quiz(title=f"Quiz {i}", questions=2) for i in range(quizzes)]
    page_queries(client, reverse("quizzes:list"), 3)  # a visitor: version, count, quizzes (no attempts)
    for quiz in made:
        answer(client, quiz, 1)
    client.get(reverse("quizzes:list"))  # the session's once-a-day write is done
    # A learner: the count, the quizzes, the session, their attempts, the header's review count.
    with django_assert_num_queries(5):
        html = client.get(reverse("quizzes:list")).content.decode()
    assert html.count("1 of 2 answered") == quizzes


def test_quiz_page_numbers_questions_and_shows_progress(client):
    quiz = make_quiz(title="Basics", questions=5)

    html = client.get(quiz.get_absolute_url()).content.decode()

    assert "0 / 5 completed" in html
    assert '<progress max="5" value="0"' in html
    assert "Question 1 / 5" in html and "Question 5 / 5" in html
    assert html.count('<form id="q') == 5
    assert html.count('method="post" action="/quizzes/basics/questions/') == 5
    assert html.count('type="radio" name="choice"') == 20


def test_quiz_page_carries_no_trace_of_the_answer_key(client):
    quiz = make_quiz(title="Basics", questions=20)

    html = client.get(quiz.get_absolute_url()).content.decode()

    forms = re.findall(r'<form id="q\d+".*?</form>', html, flags=re.S)
    assert len(forms) == 20
    for form in forms:
        assert "correct" not in form.lower()
        assert "<!--" not in form
        assert "Rationale" not in form  # no rationale before answering
        labels = re.findall(
            r'<label class="choice"><input type="radio" name="choice" value="([0-9a-f]{16})" required>', form
        )
        assert len(labels) == 4  # identical markup for every choice but the opaque value
    assert "Explanation of question" not in html
    # Shown order is not key order: the correct choice (created first, lowest key) lands in
    # every position across the 20 questions, and the rendered values are not sorted like keys.
    shown = re.findall(r'value="([0-9a-f]{16})" required> <span>Choice (\d)', html)
    positions_of_correct = {i % 4 for i, (_, label) in enumerate(shown) if label == "0"}
    assert positions_of_correct == {0, 1, 2, 3}
    key_order = [c.token for q in Question.objects.filter(quiz=quiz) for c in q.choices.order_by("pk")]
    assert [token for token, _ in shown] != key_order


def test_choice_order_is_stable_on_reload_and_shuffled_per_attempt(client):
    quiz = make_quiz(title="Basics", questions=3, choices=6)
    order = re.compile(r"<span>(Choice \d of question 1)</span>")

    first = order.findall(client.get(quiz.get_absolute_url()).content.decode())
    answer(client, quiz, 2)
    again = order.findall(client.get(quiz.get_absolute_url()).content.decode())
    assert first == again  # the attempt created at the first answer keeps the order shown

    orders = {tuple(first)}
    for _ in range(4):
        for position in (1, 2, 3):
            answer(client, quiz, position)
        client.post(reverse("quizzes:retake", args=[quiz.slug]))
        orders.add(tuple(order.findall(client.get(quiz.get_absolute_url()).content.decode())))
    assert len(orders) > 1


def test_answering_with_htmx_returns_the_answered_question_and_oob_progress(client):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=3, terms=(term,))
    Question.objects.filter(quiz=quiz, position=1).update(explanation="Replay keeps old skills.")

    response = answer(client, quiz, 1, correct=False)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<section id="q1" class="question answered"' in html
    assert "Not quite." in html
    assert "Your answer: wrong" in html and "Correct answer" in html
    assert "Rationale 0 of question 1." in html  # the correct choice's rationale
    assert 'class="term" href="/glossary/replay/"' in html  # explanation with glossary links
    assert "Review: Replay" in html
    assert '<div id="quiz-progress" class="quiz-progress" hx-swap-oob="true">' in html
    assert "1 / 3 completed" in html
    # The results live region stays in the page; only its inside is replaced, so it is announced.
    assert '<div id="quiz-results" hx-swap-oob="innerHTML">' in html
    assert Answer.objects.get().is_correct is False


def test_answering_without_javascript_redirects_to_the_answered_question(client):
    quiz = make_quiz(title="Basics", questions=3)

    response = answer(client, quiz, 2, htmx=False)

    assert response.status_code == 303
    assert response["Location"] == "/quizzes/basics/#q2"
    page = client.get(response["Location"]).content.decode()
    assert '<section id="q2" class="question answered"' in page
    assert "Right." in page
    assert "1 / 3 completed" in page


def test_reloading_shows_answered_questions_and_results_when_complete(client):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=5, terms=(term,))
    for position, right in zip(range(1, 6), [True, True, False, True, False], strict=True):
        answer(client, quiz, position, correct=right)

    html = client.get(quiz.get_absolute_url()).content.decode()

    assert html.count("question answered") == 5
    assert "5 / 5 completed" in html
    assert "<strong>3 / 5</strong> (60%)" in html
    assert '<a href="#q3">Question 3</a>: review <a href="/glossary/replay/">Replay</a>' in html
    assert '<a href="#q5">Question 5</a>' in html and '<a href="#q1">Question 1</a>' not in html
    assert "Take it again" in html


def test_the_last_answer_brings_the_results_panel_in_the_same_response(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1)

    html = answer(client, quiz, 2, correct=False).content.decode()

    assert "Your result" in html and "<strong>1 / 2</strong> (50%)" in html


def test_take_it_again_starts_a_new_attempt_and_keeps_the_old_one(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1)
    answer(client, quiz, 2)

    response = client.post(reverse("quizzes:retake", args=[quiz.slug]))

    assert response.status_code == 303
    assert Attempt.objects.count() == 2
    html = client.get(quiz.get_absolute_url()).content.decode()
    assert "0 / 2 completed" in html and "attempt 2" in html
    assert Answer.objects.count() == 2


def test_take_it_again_twice_without_answering_creates_one_attempt(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1)

    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    client.post(reverse("quizzes:retake", args=[quiz.slug]))

    assert Attempt.objects.count() == 2


def test_a_second_submission_returns_the_stored_result_and_changes_nothing(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1, correct=True)

    again = answer(client, quiz, 1, correct=False).content.decode()

    assert "Right." in again and "Not quite." not in again
    assert Answer.objects.get().is_correct is True


def test_signed_in_learners_keep_their_own_attempts(client):
    user = get_user_model().objects.create_user("ada", password="a-long-password-1")
    quiz = make_quiz(title="Basics", questions=2)
    client.force_login(user)

    answer(client, quiz, 1)

    attempt = Attempt.objects.get()
    assert attempt.user == user and attempt.visitor is None
    assert "0 / 2 completed" in Client().get(quiz.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose one of the answers, then press Check."),
        ({"choice": ""}, "Choose one of the answers, then press Check."),
        ({"choice": "0123456789abcdef"}, "That answer is not one of this question’s choices."),
        ({"choice": "x" * 5000}, "That answer is not one of this question’s choices."),
        ({"choice": "1"}, "That answer is not one of this question’s choices."),
        ({"choice": "\x00☃"}, "That answer is not one of this question’s choices."),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_answers_get_a_clear_message_and_store_nothing(client, data, message, htmx):
    quiz = make_quiz(title="Basics", questions=2)

    response = client.post(answer_url(quiz, 1), data, **(HX if htmx else {}))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert ("<html" in html) is not htmx
    assert '<form id="q1"' in html  # the question comes back, ready to answer
    assert not Answer.objects.exists() and not Attempt.objects.exists()


def test_a_choice_of_another_question_or_quiz_is_refused(client):
    quiz = make_quiz(title="Basics", questions=2)
    other = make_quiz(title="Other", questions=1)
    foreign = [token_of(quiz, 2, correct=True).token, token_of(other, 1, correct=True).token]

    for token in foreign:
        response = client.post(answer_url(quiz, 1), {"choice": token}, **HX)
        assert response.status_code == 400
        assert "not one of this question’s choices" in response.content.decode()
    assert not Answer.objects.exists()


def test_unpublished_or_unknown_questions_are_404s(client):
    draft = make_quiz(title="Draft", questions=1, is_published=False)
    live = make_quiz(title="Live", questions=1)
    token = token_of(draft, 1, correct=True).token

    assert client.post(answer_url(draft, 1), {"choice": token}, **HX).status_code == 404
    assert client.post(answer_url(live, 9), {"choice": token}, **HX).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("quizzes:retake", args=["draft"])).status_code == 404
    assert not Answer.objects.exists()


def test_htmx_errors_are_fragments_not_pages(client):
    draft = make_quiz(title="Draft", questions=1, is_published=False)

    response = client.post(answer_url(draft, 1), {"choice": "x"}, **HX)

    assert response.status_code == 404
    assert "<html" not in response.content.decode()
    assert "We couldn’t find that page" in response.content.decode()


def test_answers_need_a_csrf_token():
    quiz = make_quiz(title="Basics", questions=1)
    client = Client(enforce_csrf_checks=True)

    response = client.post(answer_url(quiz, 1), {"choice": token_of(quiz, 1, correct=True).token}, **HX)

    assert response.status_code == 403
    assert "Reload the page and try again" in response.content.decode()
    assert not Answer.objects.exists()


def test_answer_and_retake_only_accept_post(client):
    quiz = make_quiz(title="Basics", questions=1)

    assert client.get(answer_url(quiz, 1)).status_code == 405
    assert client.get(reverse("quizzes:retake", args=["basics"])).status_code == 405


@pytest.mark.parametrize("questions", [1, 5, 20])
def test_quiz_page_query_count_does_not_grow_with_questions(
    client, django_assert_num_queries, page_queries, questions
):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=questions, terms=(term,))
    page_queries(client, quiz.get_absolute_url(), 2, cold=8)  # the quiz itself is cached apart
    answer(client, quiz, 1)
    client.get(quiz.get_absolute_url())
    matcher = linking._current
    # content version, session, attempt, answers, review count (the questions come from the
    # fragment cache, so the glossary's linker is not even asked for its version)
    with django_assert_num_queries(5):
        client.get(quiz.get_absolute_url())
    assert linking._current is matcher  # the glossary did not change: no rebuild


@pytest.mark.parametrize("questions", [1, 5, 20])
def test_answer_query_count_does_not_grow_with_questions(client, django_assert_num_queries, questions):
    quiz = make_quiz(title="Basics", questions=questions)
    for position in range(1, questions + 1):
        # the last one wrong: the second attempt's right answer is then a state no fragment holds,
        # whatever order the two attempts' seeds give the choices
        answer(client, quiz, position, correct=position < questions)
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    for position in range(1, questions):
        answer(client, quiz, position)
    token = token_of(quiz, questions, correct=True).token
    # session, content version, the rate count; the attempt row locked, the answer inserted, the
    # attempt finished, the card locked and moved, its review; the response's answers, the
    # previous attempt's score (the version id is known to the process)
    with django_assert_num_queries(14):
        response = client.post(answer_url(quiz, questions), {"choice": token}, **HX)  # finishes the attempt
    assert "Your result" in response.content.decode()
