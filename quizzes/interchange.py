"""Questions in and out of the admin in standard formats: import a GIFT or Aiken file into a
quiz (upload, a preview of what will be created and of every problem, then confirm), and export
a quiz to GIFT. ``QuizAdmin.get_urls`` routes here through ``urls()``; the formats themselves are
plain modules (quizzes/gift.py, quizzes/aiken.py, quizzes/formats.py).

The preview carries the file's text to the confirm signed (``django.core.signing``), and the
confirm reads it again from scratch: nothing the browser sends is trusted beyond the text the
author uploaded, and any error creates nothing (one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from learn.core.middleware import accepts_uploads
from quizzes import aiken, formats, gift
from quizzes.models import Choice, Question, Quiz

PARSERS = {"gift": gift.parse, "aiken": aiken.parse}
SALT = "quizzes.interchange.import"
MAX_AGE = 60 * 60  # a preview can be confirmed for an hour


class UploadForm(forms.Form):
    file = forms.FileField(help_text=f"UTF-8 text, at most {formats.MAX_BYTES // (1024 * 1024)} MB.")
    format = forms.ChoiceField(
        choices=[("gift", "GIFT (Moodle)"), ("aiken", "Aiken (one best answer only)")],
        initial="gift",
        widget=forms.RadioSelect,
    )


class ConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    acknowledged = forms.BooleanField(
        required=False, label="I have read what will not be imported as the file has it."
    )


class Refused(Exception):
    def __init__(self, problems: list[formats.Problem]):
        super().__init__("the import was refused")
        self.problems = problems


def urls(model_admin) -> list:
    site = model_admin.admin_site
    importing = accepts_uploads()(partial(import_questions, model_admin=model_admin))
    return [
        path("<int:quiz_id>/import/", site.admin_view(importing), name="quizzes_quiz_import"),
        path(
            "<int:quiz_id>/export.gift",
            site.admin_view(partial(export_gift, model_admin=model_admin)),
            name="quizzes_quiz_export",
        ),
    ]


# ---- Between drafts and rows -------------------------------------------------------------


def draft_of(question: Question) -> formats.Draft:
    return formats.Draft(
        line=question.position,
        kind=question.kind,
        prompt=question.prompt,
        explanation=question.explanation,
        choices=[
            formats.DraftChoice(c.text, c.is_correct, c.rationale)
            for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
        ],
        accepted_value=question.accepted_value,
        tolerance=question.tolerance,
        tolerance_kind=question.tolerance_kind,
        unit=question.unit,
    )


def _messages(error: ValidationError, labels: dict[str, str]) -> list[str]:
    return [
        f"{labels.get(name, name)}: {message}" if name != "__all__" else message
        for name, found in error.message_dict.items()
        for message in found
    ]


def build(quiz: Quiz, drafts: list[formats.Draft]) -> tuple[list[tuple[Question, list[Choice]]], list]:
    """Unsaved rows for ``drafts``, after the quiz's last question, each checked by the model's
    own rules (lengths, constraints), and the problems found. Aiken has no feedback, so an
    empty explanation or rationale is left for the author to write, as the preview says."""
    start = (quiz.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    built, problems = [], []
    for offset, draft in enumerate(drafts):
        question = Question(
            quiz=quiz,
            position=start + offset,
            kind=draft.kind,
            prompt=draft.prompt,
            explanation=draft.explanation,
            accepted_value=draft.accepted_value,
            tolerance=draft.tolerance,
            tolerance_kind=draft.tolerance_kind,
            unit=draft.unit,
        )
        choices = [
            Choice(position=n, text=c.text, is_correct=c.is_correct, rationale=c.rationale)
            for n, c in enumerate(draft.choices)
        ]
        found = []
        try:
            # Field rules only: the quiz is locked and the positions follow its last one, and the
            # database's own constraints guard the insert (a query each per question, three
            # times per import, would cost thousands of queries for a large file).
            question.full_clean(
                exclude=["explanation", "quiz"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            found += _messages(error, {"unit": "the unit", "prompt": "the prompt", "position": "position"})
        for choice in choices:
            try:
                choice.full_clean(
                    exclude=["question", "rationale"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                found += _messages(error, {"text": f"the choice “{choice.text[:40]}…”"})
        problems += [formats.Problem(formats.ERROR, draft.line, message) for message in found]
        built.append((question, choices))
    return built, problems


def _save(question: Question, choices: list[Choice]) -> None:
    question.save()
    for choice in choices:
        choice.question = question
    Choice.objects.bulk_create(choices)  # no signal: question.save() above bumped the content version


def add_questions(quiz: Quiz, drafts: list[formats.Draft]) -> list[Question]:
    """Create every draft as a question of ``quiz``, after its last one, or nothing at all:
    raises Refused with the problems when any draft breaks the model's rules."""
    with transaction.atomic():
        Quiz.objects.select_for_update().get(pk=quiz.pk)  # one import at a time per quiz
        built, problems = build(quiz, drafts)
        if problems:
            raise Refused(problems)
        for question, choices in built:
            _save(question, choices)
    return [question for question, _ in built]


# ---- The views ---------------------------------------------------------------------------


@dataclass
class Preview:
    format: str
    parsed: formats.Parsed
    payload: str
    start: int

    @property
    def blocked(self) -> bool:
        return bool(self.parsed.errors)

    def questions(self) -> list[dict]:
        warnings: dict[int, list[str]] = {}
        for problem in self.parsed.warnings:
            warnings.setdefault(problem.line, []).append(problem.message)
        kinds = dict(Question.Kind.choices)
        return [
            {
                "draft": draft,
                "position": self.start + n,
                "kind": kinds.get(draft.kind, draft.kind),
                "warnings": warnings.get(draft.line, []),
                "accepted": Question(  # as learners will read it: "131,072 (± 2 %)"
                    accepted_value=draft.accepted_value,
                    tolerance=draft.tolerance,
                    tolerance_kind=draft.tolerance_kind,
                    unit=draft.unit,
                ).accepted_text,
            }
            for n, draft in enumerate(self.parsed.drafts)
        ]


def read(request: HttpRequest, quiz: Quiz, kind: str, text: str | None, problems: list) -> Preview:
    if text is None:
        parsed = formats.Parsed(problems=list(problems))
    else:
        parsed = PARSERS[kind](text)
        parsed.problems += build(quiz, parsed.drafts)[1]
    payload = signing.dumps(
        {"format": kind, "text": text or ""}, salt=f"{SALT}:{quiz.pk}:{request.user.pk}", compress=True
    )
    if not parsed.errors and len(payload) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 4096:
        parsed.error(None, "This file is too large to confirm in one go: split it into smaller files.")
    start = (quiz.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    return Preview(kind, parsed, payload, start)


@require_http_methods(["GET", "POST"])
def import_questions(request: HttpRequest, quiz_id: int, *, model_admin) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview. POST with the preview's payload: the
    import, or the preview again with why nothing was imported."""
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    if not (
        model_admin.has_change_permission(request, quiz) and request.user.has_perm("quizzes.add_question")
    ):
        raise PermissionDenied
    upload, preview, refusal = UploadForm(), None, ""
    if request.method == "POST" and "payload" in request.POST:
        preview, refusal = _confirm(request, quiz)
        if preview is not None and not refusal:
            return redirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    elif request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            too_large = formats.too_large(file.size)
            text, problems = (None, [too_large]) if too_large else formats.decode(file.read())
            preview = read(request, quiz, upload.cleaned_data["format"], text, problems)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Quiz._meta,
        "title": f"Import questions into “{quiz}”",
        "quiz": quiz,
        "upload": upload,
        "preview": preview,
        "refusal": refusal,
        "confirm": ConfirmForm(initial={"payload": preview.payload}) if preview else None,
    }
    return TemplateResponse(request, "admin/quizzes/quiz/import.html", context)


def _confirm(request: HttpRequest, quiz: Quiz) -> tuple[Preview | None, str]:
    """Read the signed text again and create its questions; the preview and an empty refusal
    when they were created (a success message is queued), else why not."""
    confirm = ConfirmForm(request.POST)
    confirm.is_valid()
    try:
        carried = signing.loads(
            confirm.cleaned_data.get("payload", ""),
            salt=f"{SALT}:{quiz.pk}:{request.user.pk}",
            max_age=MAX_AGE,
        )
        if not isinstance(carried, dict) or carried.get("format") not in PARSERS:
            raise signing.BadSignature("not a preview")
    except signing.SignatureExpired:
        return None, "This preview is more than an hour old: upload the file again."
    except signing.BadSignature:
        return None, "This preview was altered or belongs to another quiz: upload the file again."
    preview = read(request, quiz, carried["format"], str(carried.get("text", "")), [])
    if preview.blocked:
        return preview, "Nothing was imported: fix the problems below and upload the file again."
    if preview.parsed.notes and not confirm.cleaned_data.get("acknowledged"):
        return (
            preview,
            "Nothing was imported yet: tick the box to say you have read what will not be imported as it is.",
        )
    try:
        created = add_questions(quiz, preview.parsed.drafts)
    except Refused as refused:
        preview.parsed.problems += refused.problems
        return preview, "Nothing was imported: fix the problems below and upload the file again."
    except IntegrityError:
        return preview, (
            "Nothing was imported: the quiz changed during the import (another import or an edit). Try again."
        )
    messages.success(
        request,
        f"Imported {len(created)} question(s) into “{quiz}”, "
        f"at positions {created[0].position} to {created[-1].position}.",
    )
    return preview, ""


@require_GET
def export_gift(request: HttpRequest, quiz_id: int, *, model_admin) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    if not model_admin.has_view_permission(request, quiz):
        raise PermissionDenied
    questions = quiz.questions.prefetch_related("choices").order_by("position")
    text = gift.write([draft_of(q) for q in questions], title=quiz.title)
    response = HttpResponse(text.encode(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{quiz.slug}.gift")
    return response
