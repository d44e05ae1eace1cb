"""Import (upload, preview, confirm) and GIFT export in the quiz admin, through the test client."""

import html
import random
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client

from quizzes import interchange
from quizzes.models import Choice, Question, Quiz
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db

GOOD = """// two questions
What is 2+2? {
=four #Two and two.
~five #One too many.
####Counting.
}

Select all that apply: which are even? {
~%50%2 #Even.
~%50%4 #Even.
~%-100%5 #Odd.
####Even numbers divide by two.
}

// unit: apples
How many apples? {#12:0.5 ####A dozen.}
"""


def url(quiz: Quiz, what: str = "import/") -> str:
    return f"/admin/quizzes/quiz/{quiz.pk}/{what}"


def upload(client, quiz, data, fmt="gift", name="questions.gift"):
    data = data.encode() if isinstance(data, str) else data
    file = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post(url(quiz), {"file": file, "format": fmt})


def payload_of(response) -> str:
    found = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert found, "no confirm form on the page"
    return html.unescape(found[1])


def confirm(client, quiz, payload, *, acknowledged=False, follow=True):
    data = {"payload": payload} | ({"acknowledged": "on"} if acknowledged else {})
    return client.post(url(quiz), data, follow=follow)


def page(response) -> str:
    return html.unescape(response.content.decode())


def staff(*codenames: str) -> Client:
    user = get_user_model().objects.create_user(f"editor-{'-'.join(codenames)}", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_the_quiz_page_links_to_import_and_export(admin_client):
    quiz = make_quiz(title="Basics", questions=1)

    text = admin_client.get(url(quiz, "change/")).content.decode()

    assert f'href="{url(quiz)}">Import questions</a>' in text
    assert f'href="{url(quiz, "export.gift")}" download>Export to GIFT</a>' in text


def test_the_upload_form(admin_client):
    quiz = make_quiz(title="Basics", questions=1)

    text = page(admin_client.get(url(quiz)))

    assert 'enctype="multipart/form-data"' in text and 'type="file"' in text
    assert "GIFT (Moodle)" in text and "Aiken (one best answer only)" in text


def test_upload_shows_what_will_be_created_and_creates_nothing_yet(admin_client):
    quiz = make_quiz(title="Basics", questions=2)

    text = page(upload(admin_client, quiz, GOOD))

    assert "3 questions to add, after question 2" in text
    assert "this quiz is published: learners see them at once" in text
    assert "✓ <strong>four</strong> (right) · rationale" in text and "✗ five (right)" not in text
    assert "✗ 5 · rationale" in text
    assert "Select all that apply" in text and "A number" in text and "12 apples (± 0.5)" in text
    assert 'value="Import 3 questions"' in text
    assert 'name="acknowledged"' not in text  # nothing to acknowledge
    assert Question.objects.filter(quiz=quiz).count() == 2


def test_confirm_creates_every_question_after_the_last_one(admin_client):
    quiz = make_quiz(title="Basics", questions=2)
    payload = payload_of(upload(admin_client, quiz, GOOD))

    response = confirm(admin_client, quiz, payload)

    assert "Imported 3 question(s) into “Basics”, at positions 3 to 5." in page(response)
    single, multiple, numeric = Question.objects.filter(quiz=quiz, position__gte=3).order_by("position")
    assert (single.kind, single.prompt, single.explanation) == ("single", "What is 2+2?", "Counting.")
    assert list(single.choices.values_list("position", "text", "is_correct", "rationale")) == [
        (0, "four", True, "Two and two."),
        (1, "five", False, "One too many."),
    ]
    assert multiple.kind == "multiple"
    assert list(multiple.choices.values_list("text", "is_correct")) == [
        ("2", True),
        ("4", True),
        ("5", False),
    ]
    assert (numeric.kind, numeric.accepted_value, numeric.tolerance, numeric.unit) == (
        "numeric",
        12,
        0.5,
        "apples",
    )
    assert not numeric.choices.exists() and not numeric.versions.exists()


def test_what_cannot_be_kept_must_be_acknowledged_before_import(admin_client):
    quiz = make_quiz(title="Basics", questions=0)
    preview = upload(admin_client, quiz, "Sky green? {F}\n\nGrant is {=entombed ~buried} here.")
    text = page(preview)
    assert "What will not be imported as the file has it" in text
    assert "line 1: a true/false question becomes one best answer" in text
    assert "line 3: the answers stand inside the text (a missing-word or cloze question)" in text

    refused = confirm(admin_client, quiz, payload_of(preview))
    assert "tick the box" in page(refused) and not Question.objects.exists()

    done = confirm(admin_client, quiz, payload_of(preview), acknowledged=True)
    assert "Imported 1 question(s)" in page(done)
    assert list(Choice.objects.values_list("text", "is_correct")) == [("True", False), ("False", True)]


def test_aiken_through_the_admin(admin_client):
    quiz = make_quiz(title="Basics", questions=0)
    preview = upload(admin_client, quiz, "Which?\nA. x\nB. y\nANSWER: B\n", fmt="aiken", name="q.txt")
    assert "Aiken has no feedback" in page(preview)

    confirm(admin_client, quiz, payload_of(preview), acknowledged=True)

    question = Question.objects.get()
    assert (question.prompt, question.explanation) == ("Which?", "")
    assert list(question.choices.values_list("text", "is_correct", "rationale")) == [
        ("x", False, ""),
        ("y", True, ""),
    ]


NOISE = random.Random(21).randbytes(64 * 1024)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "Café? {=oui ~non}".encode("latin-1"),
            "line 1: this is not UTF-8 (byte 0xE9): save the file as UTF-8",
        ),
        (b"", "The submitted file is empty."),
        (b"\n \n", "The file is empty."),
        (NOISE, "this is not UTF-8"),
        (b"Which? {=a ~b}\n\x00\x01\x02", "line 2: control characters: this looks like binary data"),
        ("Which? {=a ~b", "line 1: a { without a closing }"),
        ("name,answer\nfoo,bar\n", "Nothing to import: no question in this file is one Recall can hold."),
        ("Fine? {=a ~b}\n\nWhich? {~a ~b}", "line 3: no answer is right"),
        ("Fine? {=a ~b}\n\nWhich? {=a =b ~c}", "line 3: 2 answers are marked = as right"),
        ("Which? {#ten}", "line 1: “ten” is not a number answer"),
        ("Q? {=" + "x" * 501 + " ~b}", "line 1: the choice “xxxx"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_creates_nothing(admin_client, data, message):
    quiz = make_quiz(title="Basics", questions=1)

    response = upload(admin_client, quiz, data)

    text = page(response)
    assert response.status_code == 200
    assert message in text, text[text.find('id="content-main"') :][:2000]
    assert 'value="Import' not in text  # no confirm button
    assert Question.objects.count() == 1


def test_a_choice_too_long_for_its_column_is_named_with_the_model_message(admin_client):
    quiz = make_quiz(title="Basics", questions=0)

    text = page(upload(admin_client, quiz, "Q? {=" + "x" * 501 + " ~b}"))

    assert "Ensure this value has at most 500 characters (it has 501)." in text


def test_ten_megabytes_of_noise_get_a_message_in_the_admin(admin_client, settings):
    quiz = make_quiz(title="Basics", questions=0)
    noise = random.Random(10).randbytes(settings.UPLOAD_MAX_BYTES - 4096)

    response = upload(admin_client, quiz, noise)

    assert response.status_code == 200
    assert "The file is 10.0 MB; an import takes at most 1 MB. Split it into smaller files." in page(response)
    assert not Question.objects.exists()


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(admin_client, settings):
    quiz = make_quiz(title="Basics", questions=0)

    response = upload(admin_client, quiz, b"x" * (settings.UPLOAD_MAX_BYTES + 1))

    assert response.status_code == 413
    assert "The request was larger than this site takes (10 MB)" in page(response)
    assert not Question.objects.exists()


def test_confirm_reads_the_text_again_and_refuses_a_bad_one_even_if_signed(admin_client):
    quiz = make_quiz(title="Basics", questions=0)
    user = get_user_model().objects.get(username="admin")
    forged = signing.dumps(
        {"format": "gift", "text": "Fine? {=a ~b}\n\nWhich? {~a ~b}"},
        salt=f"{interchange.SALT}:{quiz.pk}:{user.pk}",
        compress=True,
    )

    text = page(confirm(admin_client, quiz, forged, acknowledged=True))

    assert "Nothing was imported: fix the problems below" in text and "line 3: no answer is right" in text
    assert not Question.objects.exists()


@pytest.mark.parametrize("change", ["altered", "other quiz", "garbage"])
def test_an_altered_preview_is_refused(admin_client, change):
    quiz, other = make_quiz(title="Basics", questions=0), make_quiz(title="Other", questions=0)
    payload = payload_of(upload(admin_client, quiz, GOOD))
    target = quiz
    if change == "altered":
        payload = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    elif change == "other quiz":
        target = other
    else:
        payload = "\x00' OR 1=1 --"

    text = page(confirm(admin_client, target, payload, acknowledged=True))

    assert "This preview was altered or belongs to another quiz: upload the file again." in text
    assert not Question.objects.exists()


def test_an_old_preview_is_refused(admin_client, monkeypatch):
    quiz = make_quiz(title="Basics", questions=0)
    payload = payload_of(upload(admin_client, quiz, GOOD))
    monkeypatch.setattr(interchange, "MAX_AGE", -1)

    text = page(confirm(admin_client, quiz, payload))

    assert "This preview is more than an hour old" in text and not Question.objects.exists()


def test_a_failure_half_way_leaves_nothing_behind(admin_client, monkeypatch):
    quiz = make_quiz(title="Basics", questions=0)
    payload = payload_of(upload(admin_client, quiz, GOOD))
    real, calls = interchange._save, []

    def fails_on_the_second(question, choices):
        calls.append(question.position)
        if len(calls) == 2:
            raise IntegrityError("a clash")
        real(question, choices)

    monkeypatch.setattr(interchange, "_save", fails_on_the_second)

    text = page(confirm(admin_client, quiz, payload))

    assert calls == [1, 2]  # the first question was written, then rolled back
    assert "Nothing was imported: the quiz changed during the import" in text
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_import_needs_staff_with_permission_to_add_questions():
    quiz = make_quiz(title="Basics", questions=0)
    file = lambda: SimpleUploadedFile("q.gift", GOOD.encode())  # noqa: E731

    anonymous = Client().post(url(quiz), {"file": file(), "format": "gift"})
    viewer = staff("view_quiz", "view_question").post(url(quiz), {"file": file(), "format": "gift"})

    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert viewer.status_code == 403
    assert not Question.objects.exists()


def test_import_needs_the_add_permission_even_with_change():
    quiz = make_quiz(title="Basics", questions=0)

    assert staff("change_quiz", "view_quiz").get(url(quiz)).status_code == 403


def test_an_editor_with_the_permissions_can_import():
    quiz = make_quiz(title="Basics", questions=0)
    client = staff("change_quiz", "view_quiz", "add_question", "add_choice")

    confirm(client, quiz, payload_of(upload(client, quiz, GOOD)))

    assert Question.objects.filter(quiz=quiz).count() == 3


def test_export_downloads_the_quiz_as_gift(admin_client, django_assert_num_queries):
    quiz = make_quiz(title="Basics", questions=2, choices=2)
    question = quiz.questions.get(position=2)
    question.prompt = "Braces {like} this: #1"
    question.save()

    with django_assert_num_queries(4):  # session with its user, quiz, questions, choices
        response = admin_client.get(url(quiz, "export.gift"))

    text = response.content.decode("utf-8")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="basics.gift"'
    assert "[markdown]Prompt of question 1? {\n=Choice 0 of question 1 #Rationale 0 of question 1." in text
    assert "[markdown]Braces \\{like\\} this\\: \\#1 {" in text
    assert "####Explanation of question 2.\n}" in text


def test_export_needs_the_view_permission():
    quiz = make_quiz(title="Basics", questions=1)

    assert staff("view_question").get(url(quiz, "export.gift")).status_code == 403
    assert staff("view_quiz").get(url(quiz, "export.gift")).status_code == 200
    assert Client().get(url(quiz, "export.gift")).status_code == 302


def test_a_shipped_quiz_survives_export_then_import(admin_client):
    call_command("load_content")
    shipped = next(
        quiz
        for quiz in Quiz.objects.all()
        if {"single", "multiple", "numeric"} <= set(quiz.questions.values_list("kind", flat=True))
        and quiz.questions.filter(tolerance_kind="relative").exists()
    )
    empty = Quiz.objects.create(title="Copy", slug="copy", goal="A copy.", is_published=False)

    exported = admin_client.get(url(shipped, "export.gift")).content
    preview = upload(admin_client, empty, exported)
    assert "What will not be imported" not in page(preview)
    confirm(admin_client, empty, payload_of(preview))

    def content(quiz):
        return [
            (
                q.kind,
                q.prompt.strip(),
                q.explanation.strip(),
                q.accepted_value,
                q.tolerance,
                q.tolerance_kind,
                q.unit,
                [(c.text, c.is_correct, c.rationale.strip()) for c in q.choices.order_by("position", "pk")],
            )
            for q in quiz.questions.order_by("position")
        ]

    assert len(content(empty)) == shipped.questions.count() >= 5
    assert content(empty) == content(shipped)
