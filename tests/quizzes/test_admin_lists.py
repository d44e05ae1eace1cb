"""Issue 21, lists and analysis: the question list with statistics and flags, the item analysis
page's charts and CSV, and the open reports on the admin index."""

import uuid

import pytest

from quizzes.models import Question, item_analyses, item_analysis
from tests.factories import make_attempt, make_quiz

pytestmark = pytest.mark.django_db


# ---- Statistics for many quizzes at once -------------------------------------------------------


def test_item_analyses_of_several_quizzes_match_each_quiz_alone(django_assert_num_queries):
    first, second = make_quiz(questions=2), make_quiz(questions=3)
    learner = uuid.uuid4()  # the same learner in both: each quiz counts its own first attempt
    make_attempt(quiz=first, visitor=learner, picks=[0, 1])
    make_attempt(quiz=first, visitor=learner, number=2, picks=[0, 0])
    make_attempt(quiz=second, visitor=learner, picks=[1, 0, 0])
    make_attempt(quiz=second, picks=[0, 0, 2])

    with django_assert_num_queries(4):
        together = item_analyses([first.pk, second.pk])

    alone = item_analysis(first) | item_analysis(second)
    assert together == alone
    q1 = first.questions.get(position=2)
    assert together[q1.pk].attempts == 1 and together[q1.pk].facility == 0  # the first attempt only
    q3 = second.questions.get(position=3)
    assert together[q3.pk].attempts == 2 and together[q3.pk].facility == 0.5
    assert item_analyses([]) == {}


def test_item_analyses_leave_out_answers_to_an_older_version():
    quiz = make_quiz(questions=2)
    make_attempt(quiz=quiz, picks=[0, 0])
    question = quiz.questions.get(position=1)
    Question.objects.filter(pk=question.pk).update(version=2)

    stats = item_analyses([quiz.pk])

    assert stats[question.pk].attempts == 0
    assert stats[quiz.questions.get(position=2).pk].attempts == 1


# ---- The question list -----------------------------------------------------------------------

CHANGELIST = "/admin/quizzes/question/"


def flagged_quiz(title="Forgetting"):
    """Ten learners: question 1 everyone right (too easy), 2 the odd ones, 3 learners 1, 3 and 5,
    4 nobody (too hard). Discrimination of 2, by hand: right rest 1.6, wrong 1.0, spread of the
    rest 0.458, p = 0.5: (1.6 - 1.0) / 0.458 * 0.5 = +0.65."""
    quiz = make_quiz(title=title, questions=4)
    for n in range(10):
        make_attempt(quiz=quiz, picks=[0, 0 if n % 2 else 1, 0 if n in (1, 3, 5) else 3, 2])
    return quiz


def rows(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr")[1:]


def row_of(html: str, *texts: str) -> str:
    (row,) = [r for r in rows(html) if all(text in r for text in texts)]
    return row


def test_question_list_shows_the_prompt_start_kind_quiz_and_statistics(admin_client):
    quiz = flagged_quiz()
    Question.objects.filter(quiz=quiz, position=2).update(
        prompt="**Why** does [spacing](/glossary/spacing/) help? Think of `recall` in one two three four five six"
    )
    make_quiz(title="Unanswered", questions=1)

    html = admin_client.get(CHANGELIST).content.decode()

    assert len(rows(html)) == 5
    half = row_of(html, "Why does spacing help? Think of recall in one two three four…")
    assert '<th class="field-prompt_start"><a href="/admin/quizzes/question/' in half  # the link
    assert "**" not in half and "/glossary/" not in half
    assert '<td class="field-quiz nowrap">Forgetting</td>' in half
    assert '<td class="field-position">2</td>' in half
    assert '<td class="field-kind">One best answer</td>' in half
    assert '<td class="field-attempts">10</td>' in half
    assert '<td class="field-facility">50%</td>' in half
    assert '<td class="field-discrimination">+0.65</td>' in half
    assert '<td class="field-flags">-</td>' in half
    easy = row_of(html, ">Forgetting<", "Prompt of question 1?")
    assert '<td class="field-facility">100%</td>' in easy
    assert '<td class="field-discrimination">-</td>' in easy  # no spread: undefined
    assert '<td class="field-flags">too easy</td>' in easy
    assert '<td class="field-flags">too hard</td>' in row_of(html, ">Forgetting<", "Prompt of question 4?")
    unanswered = row_of(html, "Unanswered")
    assert '<td class="field-attempts">0</td>' in unanswered
    assert '<td class="field-facility">-</td>' in unanswered
    assert '<td class="field-discrimination">-</td>' in unanswered


@pytest.mark.parametrize(("quizzes", "learners"), [(1, 1), (3, 10)])
def test_question_list_queries_do_not_grow_with_questions_or_answers(
    admin_client, django_assert_num_queries, quizzes, learners
):
    for _ in range(quizzes):
        quiz = make_quiz(questions=quizzes + 1)
        for _ in range(learners):
            make_attempt(quiz=quiz, picks=[0] * (quizzes + 1))
    admin_client.get(CHANGELIST)  # the session and user, as on any later page

    # session, user, the quiz filter's quizzes, two counts (listed, all), the page, four for
    # the statistics of every question on it
    with django_assert_num_queries(10):
        html = admin_client.get(CHANGELIST).content.decode()

    assert len(rows(html)) == quizzes * (quizzes + 1)
    assert html.count(f'<td class="field-attempts">{learners}</td>') == quizzes * (quizzes + 1)


def listed(html: str) -> list[tuple[str, str]]:
    """(quiz, prompt) of every question row of a changelist."""
    found = []
    for row in rows(html):
        quiz = row.split('<td class="field-quiz nowrap">', 1)[1].split("<", 1)[0]
        prompt = row.split('<th class="field-prompt_start">', 1)[1].split(">", 2)[1].split("<", 1)[0]
        found.append((quiz, prompt))
    return found


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("too easy", [1]),
        ("too hard", [4]),
        ("any", [1, 4]),
        ("discriminates negatively", []),
    ],
)
def test_question_list_filters_by_flag(admin_client, flag, expected):
    flagged_quiz()
    make_quiz(title="Unanswered", questions=2)

    html = admin_client.get(CHANGELIST, {"flag": flag}).content.decode()

    assert listed(html) == [("Forgetting", f"Prompt of question {n}?") for n in expected]


def test_question_list_flag_filter_costs_one_query_more(admin_client, django_assert_num_queries):
    flagged_quiz()
    flagged_quiz(title="Spacing")
    admin_client.get(CHANGELIST)

    with django_assert_num_queries(11):  # the list's ten and the quizzes left to analyse
        html = admin_client.get(CHANGELIST, {"flag": "too hard"}).content.decode()

    assert listed(html) == [("Forgetting", "Prompt of question 4?"), ("Spacing", "Prompt of question 4?")]
    assert '<a href="?flag=too+easy">Too easy</a>' in html
    assert '<a href="?flag=discriminates+negatively">Discriminates negatively</a>' in html


def test_question_list_combines_the_flag_with_the_quiz_and_kind_filters(admin_client):
    quiz = flagged_quiz()
    flagged_quiz(title="Spacing")
    Question.objects.filter(quiz=quiz, position=1).update(kind=Question.Kind.MULTIPLE)

    by_quiz = admin_client.get(CHANGELIST, {"flag": "any", "quiz__id__exact": quiz.pk}).content.decode()
    by_kind = admin_client.get(CHANGELIST, {"flag": "any", "kind__exact": "single"}).content.decode()

    assert listed(by_quiz) == [
        ("Forgetting", "Prompt of question 1?"),
        ("Forgetting", "Prompt of question 4?"),
    ]
    assert listed(by_kind) == [
        ("Forgetting", "Prompt of question 4?"),
        ("Spacing", "Prompt of question 1?"),
        ("Spacing", "Prompt of question 4?"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"flag": "bogus"},
        {"flag": "%00'; drop"},
        {"o": "99.x.-"},
        {"o": "7"},
        {"quiz__id__exact": "abc"},
        {"kind__exact": "nonsense", "flag": "any"},
        {"p": "999"},
    ],
)
def test_question_list_survives_any_query_string(admin_client, query):
    flagged_quiz()

    response = admin_client.get(CHANGELIST, query)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")  # Django's "invalid filter" page


def test_question_list_ignores_an_unknown_flag(admin_client):
    flagged_quiz()

    html = admin_client.get(CHANGELIST, {"flag": "bogus"}).content.decode()

    assert len(listed(html)) == 4
