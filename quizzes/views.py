from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST, require_safe

from glossary.linking import TermLinker, term_linker
from glossary.models import Term
from learn.core import ratelimit
from learn.core.errors import error_page
from learn.core.http import see_other
from learn.core.learners import Learner
from learn.core.markdown import Rendered
from learn.core.markdown import render as render_markdown
from learn.core.models import content_version
from learn.core.pagecache import cached_page
from quizzes import scoring
from quizzes.forms import AnswerForm
from quizzes.models import (
    Answer,
    Attempt,
    Choice,
    Question,
    Quiz,
    ReviewItem,
    first_attempt_seed,
    record_answer,
    record_review,
    start_new_attempt,
)


@dataclass(frozen=True)
class Given:
    """An answer as the question partial shows it: the choice and whether it was right."""

    choice_id: int
    is_correct: bool


@dataclass
class QuestionState:
    """One question as this learner sees it: unanswered (choices shuffled) or answered."""

    question: Question
    number: int
    total: int
    choices: list[Choice]
    answer: Answer | Given | None = None
    linker: Callable[[], TermLinker] | None = None  # shared by a page's questions, built once
    error: str = ""
    action: str = ""
    note: str = ""

    key: str = ""  # unique on pages that show questions of several quizzes

    @cached_property
    def prompt(self) -> Rendered:
        """Rendered when a template shows it: an answer's response shows one question, not all."""
        return render_markdown(self.question.prompt)

    @cached_property
    def explanation(self) -> Rendered | None:
        """Once answered, the explanation with its terms linked; rendered only if it is shown."""
        if not self.answer:
            return None
        return render_markdown(self.question.explanation, link=self.linker() if self.linker else None)

    @property
    def anchor(self) -> str:
        return self.key or f"q{self.question.position}"

    @property
    def correct(self) -> Choice | None:
        return self.question.correct_choice() if self.answer else None


def questions_for(quiz_filter: dict) -> list[Question]:
    """Every question of a quiz with what the page needs, in a fixed number of queries."""
    return list(
        Question.objects.filter(**quiz_filter)
        .select_related("quiz")
        .order_by("position")
        .prefetch_related(
            "choices",
            Prefetch("related_terms", queryset=Term.objects.published().alphabetical().only("name", "slug")),
        )
    )


def published_quiz(slug: str) -> tuple[Quiz, list[Question]] | None:
    """A published quiz with its questions, choices, terms and reading: five queries to build,
    then kept in the cache until the content changes (one query to check the content version).
    Every caller gets its own copy (the cache stores it pickled)."""
    version = content_version()
    key = f"quiz:{version}:{slug}"  # a slug from the URL: letters, digits, - and _
    found = cache.get(key) if version is not None else None
    if found is None:
        quiz = Quiz.objects.published().with_reading().filter(slug=slug).first()
        if quiz is None:
            return None
        found = (quiz, questions_for({"quiz": quiz}))
        if version is not None:
            cache.set(key, found, timeout=None)
    return found


def latest_attempt(learner: Learner | None, quiz: Quiz) -> Attempt | None:
    return (
        Attempt.objects.for_learner(learner)
        .filter(quiz=quiz)
        .order_by("-number")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice")))
        .first()
    )


def quiz_context(quiz: Quiz, questions: list[Question], attempt: Attempt | None, seed: int) -> dict:
    answers = {a.question_id: a for a in attempt.answers.all()} if attempt else {}
    linker = functools.cache(term_linker)  # built at the first explanation shown, then shared
    total = len(questions)
    states = []
    for number, question in enumerate(questions, start=1):
        answer = answers.get(question.pk)
        states.append(
            QuestionState(
                question=question,
                number=number,
                total=total,
                choices=question.ordered_choices(attempt.seed if attempt else seed),
                answer=answer,
                linker=linker,
                action=reverse("quizzes:answer", args=[quiz.slug, question.position]),
            )
        )
    answered = [s for s in states if s.answer]
    result = scoring.score((s.answer.is_correct for s in answered), total)
    missed = [s for s in answered if not s.answer.is_correct]
    review_terms = list({t.pk: t for s in missed for t in s.question.related_terms.all()}.values())
    return {
        "quiz": quiz,
        "states": states,
        "attempt": attempt,
        "answered_count": len(answered),
        "total": total,
        "score": result,
        "finished": total > 0 and len(answered) == total,
        "missed": missed,
        "review_terms": review_terms,
    }


@require_safe
@cached_page(params=("page",))
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = Quiz.objects.published().with_question_count().order_by("position", "title", "pk")
    page = Paginator(quizzes, 24).get_page(request.GET.get("page"))
    quizzes = list(page)
    learner = Learner.from_request(request)
    mine: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.for_learner(learner).filter(quiz__in=quizzes).with_correct_count():
        mine.setdefault(attempt.quiz_id, []).append(attempt)
    rows = []
    for quiz in quizzes:
        attempts = mine.get(quiz.pk, [])
        finished = [scoring.Score(a.correct_count, quiz.question_count) for a in attempts if a.finished_at]
        in_progress = next((a for a in attempts if not a.finished_at and a.answer_count), None)
        rows.append({"quiz": quiz, "best": scoring.best(finished), "in_progress": in_progress})
    return render(request, "quizzes/quiz_list.html", {"rows": rows, "page": page})


@require_safe
@cached_page()
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    found = published_quiz(slug)
    if found is None:
        raise Http404("No such quiz")
    quiz, questions = found
    learner = Learner.from_request(request)
    attempt = latest_attempt(learner, quiz)
    context = quiz_context(quiz, questions, attempt, first_attempt_seed(learner, quiz.pk))
    return render(request, "quizzes/quiz_detail.html", context)


def _answer_error(request, quiz, questions, attempt, seed, position, message, status=400) -> HttpResponse:
    context = quiz_context(quiz, questions, attempt, seed)
    state = next(s for s in context["states"] if s.question.position == position)
    state.error = message
    state.answer = None
    context["state"] = state
    template = "quizzes/quiz_detail.html#question" if request.htmx else "quizzes/quiz_detail.html"
    return render(request, template, context, status=status)


@require_POST
def answer_question(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    """Check one answer: validate it, record it (limits, attempt, answer, schedule), show it."""
    found = published_quiz(slug)
    question = next((q for q in found[1] if q.position == position), None) if found else None
    if question is None:
        raise Http404("No such question")
    quiz, questions = found
    learner = Learner.from_request(request)
    seed = first_attempt_seed(learner, quiz.pk)
    form = AnswerForm(question, request.POST)
    if not form.is_valid():
        attempt = latest_attempt(learner, quiz)
        return _answer_error(request, quiz, questions, attempt, seed, position, form.message)
    try:
        learner = learner or Learner.start_visitor(request)
        answer, _ = record_answer(
            learner=learner,
            question=question,
            choice=form.cleaned_data["choice"],
            first_seed=seed,
            out_of=len(questions),
        )
    except ratelimit.Limited as limited:
        attempt = latest_attempt(learner, quiz)
        return _answer_error(request, quiz, questions, attempt, seed, position, limited.message, 429)
    if not request.htmx:
        return see_other(f"{quiz.get_absolute_url()}#q{position}")
    attempt = answer.attempt  # the attempt the answer went to, with its answers in one query:
    prefetch_related_objects([attempt], Prefetch("answers", queryset=Answer.objects.select_related("choice")))
    context = quiz_context(quiz, questions, attempt, seed)
    context["state"] = next(s for s in context["states"] if s.question.pk == question.pk)
    context["oob"] = True
    return render(request, "quizzes/quiz_detail.html#answer-response", context)


@require_POST
def retake_quiz(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    try:
        learner = Learner.from_request(request) or Learner.start_visitor(request)
    except ratelimit.Limited:
        return error_page(request, 429)
    start_new_attempt(learner=learner, quiz=quiz)
    return see_other(quiz.get_absolute_url())


# ---- Progress, attempt review and the review queue ---------------------------------------


@require_safe
def attempt_detail(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """A finished attempt, question by question. Only its owner can see it."""
    learner = Learner.from_request(request)
    attempt = (
        Attempt.objects.for_learner(learner)
        .filter(quiz__slug=slug, quiz__is_published=True, public_id=public_id)
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice")))
        .first()
    )
    found = published_quiz(slug) if attempt else None
    if found is None:
        raise Http404("No such attempt")
    quiz, questions = found
    if not attempt.is_finished:
        return HttpResponseRedirect(quiz.get_absolute_url())
    context = quiz_context(quiz, questions, attempt, attempt.seed)
    return render(request, "quizzes/attempt_detail.html", context)


def review_states(
    learner: Learner | None, items: list[ReviewItem], given: dict[int, Given]
) -> list[QuestionState]:
    linker = functools.cache(term_linker)  # built at the first explanation shown, then shared
    states = []
    for number, item in enumerate(items, start=1):
        question = item.question
        answer = given.get(question.pk)
        states.append(
            QuestionState(
                question=question,
                number=number,
                total=len(items),
                choices=question.ordered_choices(item.pk * 7919 + item.step),
                answer=answer,
                linker=linker,
                action=reverse("progress:answer", args=[question.quiz.slug, question.position]),
                key=f"r{item.pk}",
            )
        )
    return states


REVIEW_BATCH = 20


def review_items(learner: Learner | None):
    """The learner's review queue with what the question partial needs, in fixed queries."""
    return (
        ReviewItem.objects.for_learner(learner)
        .select_related("question__quiz")
        .prefetch_related(
            "question__choices",
            Prefetch(
                "question__related_terms",
                queryset=Term.objects.published().alphabetical().only("name", "slug"),
            ),
        )
    )


def due_items(learner: Learner | None):
    return review_items(learner).due(timezone.localdate())


@require_safe
def review(request: HttpRequest) -> HttpResponse:
    learner = Learner.from_request(request)
    items = list(due_items(learner)[:REVIEW_BATCH])
    upcoming = (
        ReviewItem.objects.for_learner(learner)
        .filter(due_on__gt=timezone.localdate(), question__quiz__is_published=True)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    context = {"states": review_states(learner, items, {}), "next_due": upcoming}
    return render(request, "quizzes/review.html", context)


@require_POST
def review_answer(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    learner = Learner.from_request(request)
    item = (
        review_items(learner)
        .filter(question__quiz__slug=slug, question__position=position, question__quiz__is_published=True)
        .first()
    )
    if item is None:
        raise Http404("This question is not in your review queue")
    question = item.question
    form = AnswerForm(question, request.POST)
    valid = form.is_valid()
    if not valid and (item.due_on is not None and item.due_on <= timezone.localdate()):
        state = review_states(learner, [item], {})[0]
        state.error = form.message
        template = "quizzes/review.html#question" if request.htmx else "quizzes/review.html"
        return render(request, template, {"state": state, "states": [state]}, status=400)
    if valid:
        item, _ = record_review(learner=learner, question=question, choice=form.cleaned_data["choice"])
    if not request.htmx:
        return see_other(reverse("progress:review"))
    given = {question.pk: Given(choice_id=item.last_choice_id, is_correct=item.last_correct)}
    state = review_states(learner, [item], given)[0]
    state.note = (
        f"Next review: {item.due_on:%A %d %B}."
        if item.due_on
        else "Learned: this question leaves your queue."
    )
    return render(request, "quizzes/review.html#answer-response", {"state": state, "oob": True})
