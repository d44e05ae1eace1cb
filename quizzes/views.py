from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST, require_safe

from glossary.linking import TermLinker, term_linker
from glossary.models import Term
from learn.core import ratelimit, rows
from learn.core.errors import error_page
from learn.core.fragments import render_fragments
from learn.core.http import see_other, staff_preview
from learn.core.inprocess import Kept
from learn.core.learners import Learner
from learn.core.markdown import Rendered
from learn.core.markdown import render as render_markdown
from learn.core.models import content_version
from learn.core.pagecache import cached_page, is_shell
from quizzes import icalendar, scoring
from quizzes.forms import AnswerForm
from quizzes.models import (
    EARLY_REVIEW_DAYS,
    Answer,
    Attempt,
    Card,
    Choice,
    Question,
    Quiz,
    Response,
    Review,
    end_of_today,
    first_attempt_seed,
    owner_column,
    practice_state,
    record_answer,
    record_practice,
    record_review,
    start_new_attempt,
)


@dataclass(frozen=True)
class Given:
    """An answer as the question partial shows it when it is not a stored quiz answer (review,
    practice): what was picked, ticked or typed, and how right it was."""

    choice_id: int | None
    is_correct: bool
    choices: tuple[int, ...] = ()
    value: float | None = None
    typed: str = ""
    credit: float = 0.0

    @classmethod
    def of(cls, question: Question, response: Response) -> Given:
        credit = question.grade(response)
        return cls(
            choice_id=response.choice.pk if response.choice else None,
            is_correct=credit == 1,
            choices=tuple(c.pk for c in response.choices),
            value=response.value,
            typed=response.typed,
            credit=credit,
        )


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
    origin: Quiz | None = None  # on review and practice pages: the quiz the question comes from
    hidden: tuple = ()  # extra (name, value) fields the form sends back (display only)
    retry: str = ""  # practice: where to try a missed question again
    html: str = ""  # the partial, rendered (from the fragment cache) before the page is

    def fragment_key(self) -> tuple:
        """Everything the question partial shows of this state; with the content version (the
        question's text, choices and terms), the key of its cached fragment. Not a learner's id:
        two learners in the same state share one fragment."""
        answer = self.answer
        given = None
        if answer:
            given = (
                bool(answer.is_correct),
                float(answer.credit),
                answer.typed,
                answer.value,
                tuple(sorted(self.ticked)),
            )
        return (
            self.question.pk,
            self.number,
            self.total,
            self.anchor,
            tuple(c.pk for c in self.choices),
            given,
            self.error,
            self.action,
            self.note,
            self.retry,
            self.hidden,
            self.origin.pk if self.origin else None,
        )

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
    def ticked(self) -> set[int]:
        """The choices this answer picked or ticked."""
        if not self.answer:
            return set()
        if self.question.is_multiple:
            return set(self.answer.choices)
        return {self.answer.choice_id} if self.answer.choice_id else set()

    @property
    def percent(self) -> int:
        return round(100 * self.answer.credit) if self.answer else 0

    @property
    def says_select_all(self) -> bool:
        return "select all that apply" in self.question.prompt.lower()

    @property
    def correct(self) -> Choice | None:
        return self.question.correct_choice() if self.answer else None


QUESTION = "quizzes/quiz_detail.html#question"


def render_questions(request: HttpRequest, states: list[QuestionState], version: int | None) -> None:
    """Each state's question partial, from the fragment cache (``state.html``), so that a page
    renders only what is this learner's own around them."""
    rendered = render_fragments(
        request,
        QUESTION,
        states,
        version=version,
        key=QuestionState.fragment_key,
        context=lambda s: {"state": s},
    )
    for state, html in zip(states, rendered, strict=True):
        state.html = html


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


QUIZZES = Kept(max_entries=settings.QUIZ_CACHE_ENTRIES)


def published_quiz(slug: str) -> tuple[Quiz, list[Question]] | None:
    """A published quiz with its questions, choices, terms and reading: five queries to build,
    then kept in this process until the content changes (one query to check the content
    version). Kept unpickled and shared by every request: callers must not change it (a page
    wraps the questions in states; an old version's question is a copy, ``as_answered``)."""
    version = content_version()
    key = (version, slug)  # a slug from the URL: letters, digits, - and _
    found = QUIZZES.get(key) if version is not None else None
    if found is None:
        quiz = Quiz.objects.published().with_reading().filter(slug=slug).first()
        if quiz is None:
            return None
        found = prepared(quiz, version)
        if version is not None:
            QUIZZES.set(key, found)
    return found


def prepared(quiz: Quiz, version: int | None) -> tuple[Quiz, list[Question]]:
    """A quiz with what its page needs worked out once: the next step, its questions with their
    answer addresses and choice tokens, and the content version it was built from."""
    quiz.next_step = quiz.next_in_path()  # kept with the quiz
    quiz.content_version = version  # what it was built from (the fragments' key)
    questions = questions_for({"quiz": quiz})
    for question in questions:
        question.answer_url = reverse("quizzes:answer", args=[quiz.slug, question.position])
        for choice in question.choices.all():
            choice.token  # noqa: B018 (computed once, not per request)
    return quiz, questions


def latest_attempt(learner: Learner | None, quiz: Quiz) -> Attempt | None:
    """The learner's latest attempt at ``quiz`` with its answers (``attempt.answers.all()``), in
    one hand-written query: the quiz page and every answer's response read it."""
    if learner is None:
        return None
    q = connection.ops.quote_name
    owner, value = owner_column(learner)
    attempts, answers = q(Attempt._meta.db_table), q(Answer._meta.db_table)
    sql = (
        f"SELECT {rows.columns(Attempt, 't')}, {rows.columns(Answer, 'a')} FROM {attempts} t "
        f"LEFT JOIN {answers} a ON a.attempt_id = t.id "
        f"WHERE t.id = (SELECT id FROM {attempts} WHERE quiz_id = %s AND {owner} = %s ORDER BY number DESC LIMIT 1)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [quiz.pk, value])
        found = cursor.fetchall()
    if not found:
        return None
    split = rows.width(Attempt)
    attempt = rows.instance(Attempt, found[0][:split])
    loaded = [rows.instance(Answer, row[split:]) for row in found if row[split] is not None]
    with_answers(attempt, loaded)
    return attempt


def with_answers(attempt: Attempt, answers: list[Answer]) -> None:
    """``attempt.answers.all()`` without a query, as ``prefetch_related`` leaves it."""
    for answer in answers:
        answer.attempt = attempt
    cached = attempt.answers.all()
    cached._result_cache, cached._prefetch_done = answers, True
    attempt._prefetched_objects_cache = {"answers": cached}


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
                action=question.answer_url,
            )
        )
    answered = [s for s in states if s.answer]
    result = scoring.score((s.answer.credit for s in answered), total)
    missed = [s for s in answered if not s.answer.is_correct]  # partly right counts as missed
    review_terms = list({t.pk: t for s in missed for t in s.question.related_terms.all()}.values())
    finished = total > 0 and len(answered) == total
    previous = previous_score(attempt, total) if finished else None
    return {
        "quiz": quiz,
        "states": states,
        "attempt": attempt,
        "answered_count": len(answered),
        "total": total,
        "score": result,
        "finished": finished,
        "missed": missed,
        "review_terms": review_terms,
        "previous": previous,
        "fixed_every_miss": bool(
            finished
            and previous
            and not missed
            and previous[0].correct < previous[0].total
            and attempt.finished_at - previous[1] < dt.timedelta(days=1)
        ),
        "next_step": getattr(quiz, "next_step", None),
    }


def previous_score(attempt: Attempt | None, total: int) -> tuple[scoring.Score, dt.datetime] | None:
    """The learner's attempt before this one, if they finished it: its score and when."""
    if attempt is None or attempt.number < 2:
        return None
    earlier = (
        Attempt.objects.filter(
            quiz_id=attempt.quiz_id,
            user_id=attempt.user_id,
            visitor=attempt.visitor,
            number__lt=attempt.number,
            finished_at__isnull=False,
        )
        .with_correct_count()
        .order_by("-number")
        .first()
    )
    return (scoring.Score(earlier.correct_count, total), earlier.finished_at) if earlier else None


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


def quiz_parts(request: HttpRequest, slug: str) -> dict[str, str]:
    """The quiz page's parts of the learner's own (their progress line, their questions from
    the fragment cache, their result), around the copy of the page that learners share."""
    found = published_quiz(slug)
    if found is None:  # unpublished since the content version was read
        raise Http404("No such quiz")
    quiz, questions = found
    learner = Learner.from_request(request)
    attempt = latest_attempt(learner, quiz)
    context = quiz_context(quiz, questions, attempt, first_attempt_seed(learner, quiz.pk))
    render_questions(request, context["states"], quiz.content_version)
    return {
        "progress": render_to_string("quizzes/quiz_detail.html#progress", context, request),
        "questions": "".join(f"<li>{state.html}</li>" for state in context["states"]),
        "results": render_to_string("quizzes/quiz_detail.html#results", context, request),
    }


@require_safe
@cached_page(own=("progress", "questions", "results"), fill=quiz_parts)
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    found = published_quiz(slug)
    if found is None:
        raise Http404("No such quiz")
    quiz, questions = found
    if is_shell(request):  # the copy learners share: their own parts are holes
        return render(request, "quizzes/quiz_detail.html", {"quiz": quiz, "states": []})
    learner = Learner.from_request(request)
    attempt = latest_attempt(learner, quiz)
    context = quiz_context(quiz, questions, attempt, first_attempt_seed(learner, quiz.pk))
    render_questions(request, context["states"], quiz.content_version)
    return render(request, "quizzes/quiz_detail.html", context)


@require_safe
@staff_preview
def quiz_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """A quiz as learners will see it before it is published, for staff only; answering is off
    (nothing is recorded for a draft)."""
    quiz = get_object_or_404(Quiz.objects.with_reading(), slug=slug)
    if quiz.is_published:
        return redirect(quiz)
    quiz, questions = prepared(quiz, None)  # never a fragment: a draft's are not shared
    context = quiz_context(quiz, questions, None, first_attempt_seed(None, quiz.pk))
    context["draft"] = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    context["draft_answers_off"] = True
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
            response=form.cleaned_data["response"],
            first_seed=seed,
            out_of=len(questions),
        )
    except ratelimit.Limited as limited:
        attempt = latest_attempt(learner, quiz)
        return _answer_error(request, quiz, questions, attempt, seed, position, limited.message, 429)
    if not request.htmx:
        return see_other(f"{quiz.get_absolute_url()}#q{position}")
    attempt = answer.attempt  # the attempt the answer went to, with its answers in one query:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Answer, 'a')} FROM {connection.ops.quote_name(Answer._meta.db_table)} a "
            "WHERE a.attempt_id = %s",
            [attempt.pk],
        )
        with_answers(attempt, [rows.instance(Answer, row) for row in cursor.fetchall()])
    context = quiz_context(quiz, questions, attempt, seed)
    context["state"] = next(s for s in context["states"] if s.question.pk == question.pk)
    render_questions(request, [context["state"]], quiz.content_version)
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
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice", "version")))
        .first()
    )
    found = published_quiz(slug) if attempt else None
    if found is None:
        raise Http404("No such attempt")
    quiz, questions = found
    if not attempt.is_finished:
        return HttpResponseRedirect(quiz.get_absolute_url())
    context = quiz_context(quiz, questions, attempt, attempt.seed)
    for state in context["states"]:  # what the learner saw, if the question changed since
        version = state.answer.version if state.answer else None
        if version is not None and version.snapshot != state.question.snapshot():
            state.question = as_answered(state.question, version.snapshot)
            state.choices = state.question.ordered_choices(attempt.seed)
    return render(request, "quizzes/attempt_detail.html", context)


def as_answered(question: Question, snapshot: dict) -> Question:
    """The question as a version recorded it: an unsaved copy with the version's text, key and
    choices (the terms and quiz stay the question's own)."""
    frozen = Question(
        pk=question.pk,
        quiz=question.quiz,
        position=question.position,
        kind=snapshot["kind"],
        prompt=snapshot["prompt"],
        explanation=snapshot["explanation"],
        accepted_value=snapshot.get("accepted_value"),
        tolerance=snapshot.get("tolerance") or 0,
        tolerance_kind=snapshot.get("tolerance_kind") or Question.Tolerance.ABSOLUTE,
        unit=snapshot.get("unit", ""),
    )
    choices = [
        Choice(pk=c["id"], question=frozen, text=c["text"], is_correct=c["correct"], rationale=c["rationale"])
        for c in snapshot["choices"]
    ]
    frozen._prefetched_objects_cache = {
        "choices": choices,
        "related_terms": question.related_terms.all(),
    }
    return frozen


@functools.lru_cache(maxsize=4096)
def answer_address(action: str, slug: str, position: int) -> str:
    """Where a review or practice card's answer goes (``reverse`` is a noticeable share of a page
    of twenty cards; the URLconf does not change while the process runs)."""
    return reverse(action, args=[slug, position])


def card_states(
    cards: list[Card], given: dict[int, Given], *, action: str, first: int = 1, total: int | None = None
) -> list[QuestionState]:
    """Questions from the learner's cards (review or practice), each numbered ``k / total`` and
    saying which quiz it comes from; ``action`` names the URL that answers them."""
    linker = functools.cache(term_linker)  # built at the first explanation shown, then shared
    total = total if total is not None else first - 1 + len(cards)
    states = []
    for number, card in enumerate(cards, start=first):
        question = card.question
        states.append(
            QuestionState(
                question=question,
                number=number,
                total=total,
                # Reshuffled at every answer: the order never gives the key away.
                choices=question.ordered_choices(card.pk * 7919 + card.reps),
                answer=given.get(question.pk),
                linker=linker,
                action=answer_address(action, question.quiz.slug, question.position),
                key=f"r{card.pk}",
                origin=question.quiz if action == "progress:answer" else None,  # practice: its own quiz
                hidden=(("n", number), ("of", total)),
            )
        )
    return states


REVIEW_BATCH = 20


def learner_cards(learner: Learner | None):
    """The learner's cards on published quizzes; ``with_questions`` gives them their questions."""
    return Card.objects.for_learner(learner).published()


QUESTIONS = Kept(max_entries=10 * settings.QUIZ_CACHE_ENTRIES)  # (content version, id) -> Question


def with_questions(cards: Iterable[Card]) -> list[Card]:
    """The cards, each with its question as the question partial needs it (quiz, choices, terms),
    kept in this process per content version: the same question for every learner, so read-only.
    Three queries for the questions not kept yet, none once they are."""
    cards = list(cards)
    if not cards:
        return cards
    version = content_version()
    keys = {card.question_id: (version, card.question_id) for card in cards}
    found = QUESTIONS.get_many(keys.values()) if version is not None else {}
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        fresh = {keys[q.pk]: q for q in questions_for({"pk__in": missing})}
        if version is not None:
            QUESTIONS.set_many(fresh)
        found.update(fresh)
    kept = []
    for card in cards:
        question = found.get(keys[card.question_id])
        if question is not None:  # None: deleted since the cards were read
            card.question = question
            kept.append(card)
    return kept


def card_at(learner: Learner | None, found: tuple[Quiz, list[Question]], position: int) -> Card | None:
    """The learner's card for the question at ``position`` of a quiz from ``published_quiz``,
    with that kept question (choices, terms): one query once the quiz is kept."""
    question = next((q for q in found[1] if q.position == position), None)
    if question is None:
        return None
    card = learner_cards(learner).filter(question=question).first()
    if card is not None:
        card.question = question
    return card


def review_scope(request: HttpRequest, learner: Learner | None):
    """Due cards, or with ?term= that term's due and soon-due ones; and the term (or None)."""
    slug = request.GET.get("term", "") or request.POST.get("term", "")
    term = Term.objects.published().filter(slug=slug).only("name", "slug").first() if slug else None
    until = end_of_today()
    cards = learner_cards(learner)
    if term is not None:
        until += dt.timedelta(days=EARLY_REVIEW_DAYS)
        cards = cards.filter(question__related_terms=term)
    return cards.filter(due_at__lt=until).order_by("due_at", "pk"), term


def displayed_number(data, default: int) -> int:
    """The number a card was shown with ("2 / 7"), sent back with its answer: display only."""
    raw = data.get("n", "") if hasattr(data, "get") else ""
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 5 else default


@require_safe
def review(request: HttpRequest) -> HttpResponse:
    learner = Learner.from_request(request)
    due, term = review_scope(request, learner)
    cards = with_questions(due[:REVIEW_BATCH])
    today = review_today(learner)
    states = card_states(
        cards, {}, action="progress:answer", first=today["reviewed"] + 1, total=today["reviewed"] + len(cards)
    )
    for state in states:
        if term is not None:
            state.hidden = (*state.hidden, ("term", term.slug))
    render_questions(request, states, content_version())  # each card's question kept until answered
    context = {
        "states": states,
        "early_days": EARLY_REVIEW_DAYS,
        "today": today,
        "term": term,
        "next_review": next_review(learner),
    }
    return render(request, "quizzes/review.html", context)


@require_POST
def review_answer(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    learner = Learner.from_request(request)
    found = published_quiz(slug)
    card = card_at(learner, found, position) if found else None
    if card is None:
        raise Http404("This question is not in your review queue")
    question = card.question
    form = AnswerForm(question, request.POST)
    number = displayed_number(request.POST, 1)
    total = max(number, displayed_number({"n": request.POST.get("of", "")}, number))
    term = request.POST.get("term", "")
    early = bool(term) and any(t.slug == term for t in question.related_terms.all())  # published terms
    due_until = end_of_today() + dt.timedelta(days=EARLY_REVIEW_DAYS if early else 0)
    if not form.is_valid() and card.due_at < due_until:
        state = card_states([card], {}, action="progress:answer", first=number, total=total)[0]
        state.error = form.message
        template = "quizzes/review.html#question" if request.htmx else "quizzes/review.html"
        return render(request, template, {"state": state, "states": [state]}, status=400)
    recorded = False
    if form.is_valid():
        card, recorded = record_review(
            learner=learner, question=question, response=form.cleaned_data["response"], early=early
        )
        if card is None:  # deleted since it was read (a reset of the learner's progress)
            raise Http404("This question is not in your review queue")
        card.question = question  # the kept copy, with its choices and terms
    if not request.htmx:
        if not recorded and form.is_valid():
            messages.info(request, NOT_DUE)
        return see_other(reverse("progress:review") + (f"?term={term}" if early else ""))
    if recorded:
        given = {question.pk: Given.of(question, form.cleaned_data["response"])}
    else:
        last = card.reviews.order_by("-answered_at", "-pk").first()
        given = {question.pk: Given(last.choice_id, last.correct, credit=float(last.correct))} if last else {}
    state = card_states([card], given, action="progress:answer", first=number, total=total)[0]
    state.note = (
        f"Next review: {spoken_day(card.due_at)}."
        if recorded
        else NOT_DUE + f" Next review: {spoken_day(card.due_at)}."
    )
    context = {
        "state": state,
        "oob": True,
        "today": review_today(learner),
        "next_review": next_review(learner),
    }
    return render(request, "quizzes/review.html#answer-response", context)


def spoken_day(moment: dt.datetime) -> str:
    """ "Wednesday 2 December", in the learner's time zone: how every date on the site reads."""
    return dateformat.format(timezone.localtime(moment), "l j F")


NOT_DUE = "This question was not due for review, so nothing changed."


def review_today(learner: Learner | None) -> dict:
    """Reviews the learner answered today (their local day) and how many were right."""
    start = end_of_today() - dt.timedelta(days=1)
    reviews = Review.objects.filter(
        card__in=Card.objects.for_learner(learner), source=Review.Source.REVIEW, answered_at__gte=start
    )
    counts = reviews.aggregate(n=Count("pk"), right=Count("pk", filter=Q(correct=True)))
    return {"reviewed": counts["n"], "right": counts["right"]}


def next_review(learner: Learner | None) -> dict | None:
    """The next day with reviews after today, and how many questions come back that day."""
    later = Card.objects.for_learner(learner).published().filter(due_at__gte=end_of_today())
    first = later.order_by("due_at").values_list("due_at", flat=True).first()
    if first is None:
        return None
    day = timezone.localtime(first).date()
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return {"day": day, "count": later.filter(due_at__lt=end).count()}


# ---- Practice: the questions missed in the last attempt, right away ------------------------


def practice_context(learner: Learner | None, quiz: Quiz, given: dict | None = None, first: int = 1) -> dict:
    attempt, pending, missed = practice_state(learner, quiz)
    cards = with_questions(
        learner_cards(learner).filter(question_id__in=pending).order_by("question__position")
    )
    return {
        **practice_status(learner, quiz, attempt, missed, len(pending)),
        "states": card_states(
            cards, given or {}, action="quizzes:practice_answer", first=first, total=missed
        ),
    }


def practice_status(
    learner: Learner | None, quiz: Quiz, attempt: Attempt | None, missed: int, pending: int
) -> dict:
    """What the practice status line shows: the next review day is read only if it is shown."""
    return {
        "quiz": quiz,
        "attempt": attempt,
        "missed": missed,
        "fixed": missed - pending,
        "next_review": functools.cache(functools.partial(next_review, learner)),
    }


@require_safe
def practice(request: HttpRequest, slug: str) -> HttpResponse:
    """The misses of the learner's last attempt, reshuffled, until each is answered right once."""
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    context = practice_context(Learner.from_request(request), quiz)
    context["first"] = context["fixed"] + 1
    for number, state in enumerate(context["states"], start=context["fixed"] + 1):
        state.number, state.hidden = number, (("n", number), ("of", context["missed"]))
    template = "quizzes/practice.html#practice" if request.htmx else "quizzes/practice.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def practice_answer(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    found = published_quiz(slug)
    if found is None:
        raise Http404("No such quiz")
    quiz = found[0]
    learner = Learner.from_request(request)
    card = card_at(learner, found, position)
    if card is None:
        raise Http404("You have not answered this question yet")
    form = AnswerForm(card.question, request.POST)
    number = displayed_number(request.POST, 1)
    total = max(number, displayed_number({"n": request.POST.get("of", "")}, number))
    if not form.is_valid():
        state = card_states([card], {}, action="quizzes:practice_answer", first=number, total=total)[0]
        state.error = form.message
        template = "quizzes/practice.html#question" if request.htmx else "quizzes/practice.html"
        context = {**practice_context(learner, quiz), "state": state}
        if not request.htmx:
            context["states"] = [state]
        return render(request, template, context, status=400)
    question = card.question
    card, recorded, (attempt, pending, missed) = record_practice(
        learner=learner, question=question, response=form.cleaned_data["response"]
    )
    if card is None:  # deleted since it was read (a reset of the learner's progress)
        raise Http404("You have not answered this question yet")
    card.question = question  # the kept copy, with its choices and terms
    if not request.htmx:
        if not recorded:
            messages.info(request, NOT_IN_PRACTICE)
        return see_other(reverse("quizzes:practice", args=[quiz.slug]))
    given = Given.of(card.question, form.cleaned_data["response"])
    state = card_states(
        [card],
        {card.question_id: given},
        action="quizzes:practice_answer",
        first=number,
        total=total,
    )[0]
    if not recorded:
        state.note = NOT_IN_PRACTICE
    elif given.is_correct:
        state.note = "Fixed."
    else:
        state.note = "Read why, then try it again: it stays in your practice until you get it right."
        state.retry = reverse("quizzes:practice", args=[quiz.slug])
    context = {**practice_status(learner, quiz, attempt, missed, len(pending)), "state": state, "oob": True}
    return render(request, "quizzes/practice.html#answer-response", context)


NOT_IN_PRACTICE = "This question is not in your practice set, so nothing changed."


@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's next review days as a calendar file (one all-day event a day)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('login')}?next={reverse('progress:calendar')}")
    learner = Learner.from_request(request)
    days: dict[dt.date, int] = {}
    horizon = end_of_today() + dt.timedelta(days=60)
    for due_at in (
        Card.objects.for_learner(learner)
        .published()
        .filter(due_at__lt=horizon)
        .values_list("due_at", flat=True)
    ):
        day = max(timezone.localtime(due_at).date(), timezone.localdate())
        days[day] = days.get(day, 0) + 1
    body = icalendar.reviews(
        sorted(days.items()),
        url=request.build_absolute_uri(reverse("progress:review")),
        host=request.get_host().split(":")[0] or "recall",
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recall-reviews.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
