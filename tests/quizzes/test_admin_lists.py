"""Issue 21, lists and analysis: the question list with statistics and flags, the item analysis
page's charts and CSV (the admin index's open reports: tests/learn/test_admin_index.py)."""

import csv
import io
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
    assert '<td class="field-quiz_title">Forgetting · 2</td>' in half
    assert '<td class="field-kind">One best answer</td>' in half
    assert '<td class="field-attempts">10</td>' in half
    assert '<td class="field-facility">50%</td>' in half
    assert '<td class="field-discrimination">+0.65</td>' in half
    assert '<td class="field-flags">-</td>' in half
    easy = row_of(html, ">Forgetting · ", "Prompt of question 1?")
    assert '<td class="field-facility">100%</td>' in easy
    assert '<td class="field-discrimination">-</td>' in easy  # no spread: undefined
    assert '<td class="field-flags">too easy</td>' in easy
    assert '<td class="field-flags">too hard</td>' in row_of(html, ">Forgetting · ", "Prompt of question 4?")
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

    # the session with its user, the quiz filter's quizzes, two counts (listed, all), the page,
    # four for the statistics of every question on it
    with django_assert_num_queries(9):
        html = admin_client.get(CHANGELIST).content.decode()

    assert len(rows(html)) == quizzes * (quizzes + 1)
    assert html.count(f'<td class="field-attempts">{learners}</td>') == quizzes * (quizzes + 1)


def listed(html: str) -> list[tuple[str, str]]:
    """(quiz, prompt) of every question row of a changelist."""
    found = []
    for row in rows(html):
        quiz = row.split('<td class="field-quiz_title">', 1)[1].split("<", 1)[0].rsplit(" · ", 1)[0]
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

    with django_assert_num_queries(10):  # the list's nine and the quizzes left to analyse
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


# ---- The item analysis page: a chart per question, a CSV per quiz -----------------------------


def analysis_url(quiz) -> str:
    return f"/admin/quizzes/quiz/{quiz.pk}/analysis/"


def chart_of(html: str, position: int) -> str:
    start = html.index(f"Question {position}: the share of learners who picked each choice")
    return html[start : html.index("</table>", start)]


def test_analysis_page_draws_each_questions_pick_rates_with_the_correct_choice_marked(admin_client):
    quiz = flagged_quiz()
    number = make_quiz(title="Numbers", questions=1, choices=0)
    Question.objects.filter(quiz=number).update(kind=Question.Kind.NUMERIC, accepted_value=3)

    html = admin_client.get(analysis_url(quiz)).content.decode()

    chart = chart_of(html, 2)  # odd learners right (A), even ones picked B
    assert (
        '<tr class="correct">\n      <th scope="row"><span class="letter">A</span> Choice 0 of question 2 '
        '<strong class="mark">✓ correct</strong></th>'
    ) in chart
    assert (
        '<rect class="fill" width="50%" height="14" rx="2"/></svg></td>\n      <td class="rate">50%</td>'
        in chart
    )
    assert chart.count('<td class="rate">50%</td>') == 2 and chart.count('<td class="rate">0%</td>') == 2
    assert chart.count("✓ correct") == 1
    assert 'aria-hidden="true"' in chart  # the bars repeat the numbers written beside them
    assert "style=" not in html.split('<div id="content-main">', 1)[1]  # the CSP allows no inline style
    assert "css/admin-analysis.css" in html
    assert '<span class="flag">too easy</span>' in html
    assert 'href="?format=csv&amp;sort=position"' in html
    numbers_html = admin_client.get(analysis_url(number)).content.decode()
    assert "A number question: no choices." in numbers_html


def test_analysis_page_before_any_attempt_says_so(admin_client):
    quiz = make_quiz(questions=2)

    html = admin_client.get(analysis_url(quiz)).content.decode()

    assert html.count("No finished attempts yet.") == 2
    assert "pick-chart" not in html.split('<table id="analysis">', 1)[1]


def test_analysis_page_queries_do_not_grow_with_questions(admin_client, django_assert_num_queries):
    small, large = make_quiz(questions=1, choices=2), make_quiz(questions=6)
    make_attempt(quiz=small, picks=[0])
    for _ in range(5):
        make_attempt(quiz=large, picks=[0, 1, 2, 3, 0, 1])
    admin_client.get(analysis_url(small))

    for quiz in (small, large):
        with django_assert_num_queries(8):  # session with user, quiz, four statistics, questions, choices
            admin_client.get(analysis_url(quiz))


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_analysis_csv_has_a_row_per_question_with_every_choices_pick_rate(admin_client):
    quiz = flagged_quiz()

    response = admin_client.get(analysis_url(quiz), {"format": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="forgetting-item-analysis.csv"'
    assert response.content.startswith("\ufeff".encode())
    header, *lines = read_csv(response)
    assert header == [
        "Position", "Question", "Kind", "Version", "Attempts", "Facility (%)", "Discrimination", "Flags",
        "Choice A", "A picked (%)", "Choice B", "B picked (%)", "Choice C", "C picked (%)", "Choice D", "D picked (%)",
    ]  # fmt: skip
    assert [line[0] for line in lines] == ["1", "2", "3", "4"]
    assert lines[1] == [
        "2", "Prompt of question 2?", "One best answer", "1", "10", "50.0", "0.655", "",
        "Choice 0 of question 2 (correct)", "50.0", "Choice 1 of question 2", "50.0",
        "Choice 2 of question 2", "0.0", "Choice 3 of question 2", "0.0",
    ]  # fmt: skip
    assert lines[0][5:8] == ["100.0", "", "too easy"]
    assert lines[3][7] == "too hard"


def test_analysis_csv_follows_the_pages_sort_and_survives_a_bad_one(admin_client):
    quiz = flagged_quiz()

    by_facility = read_csv(admin_client.get(analysis_url(quiz), {"format": "csv", "sort": "-facility"}))
    bogus = read_csv(admin_client.get(analysis_url(quiz), {"format": "csv", "sort": "=cmd|' /C calc'!A0"}))

    assert [line[0] for line in by_facility[1:]] == ["1", "2", "3", "4"]  # 100, 50, 30, 0
    assert [line[0] for line in bogus[1:]] == ["1", "2", "3", "4"]


def test_analysis_csv_cells_never_start_a_formula(admin_client):
    quiz = make_quiz(title="Injection", questions=1, choices=4)
    question = quiz.questions.get()
    Question.objects.filter(pk=question.pk).update(prompt='=HYPERLINK("http://evil.example","Click")')
    texts = ["+1+1", "-2+3", "@SUM(A1:A2)", "Plain = fine"]
    for choice, text in zip(question.choices.order_by("position"), texts, strict=True):
        choice.text = text
        choice.save()
    for pick in (0, 1, 1, 2):
        make_attempt(quiz=quiz, picks=[pick])

    header, line = read_csv(admin_client.get(analysis_url(quiz), {"format": "csv"}))

    assert line[1] == '\'=HYPERLINK("http://evil.example","Click")'
    assert line[8] == "'+1+1 (correct)"
    assert line[10] == "'-2+3"
    assert line[12] == "'@SUM(A1:A2)"
    assert line[14] == "Plain = fine"
    assert line[9] == "25.0"


def test_analysis_csv_keeps_a_negative_discrimination_a_number(admin_client):
    quiz = make_quiz(questions=2)
    # Question 1 right exactly for those who get question 2 wrong: discrimination -1.
    for picks in ([0, 1], [1, 0], [0, 1], [1, 0]):
        make_attempt(quiz=quiz, picks=picks)

    _, first, _ = read_csv(admin_client.get(analysis_url(quiz), {"format": "csv"}))

    assert first[6] == "-1.0"


def test_analysis_csv_needs_staff(client):
    quiz = make_quiz(questions=1)

    response = client.get(analysis_url(quiz), {"format": "csv"})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
