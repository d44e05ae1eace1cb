from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from glossary.linking import term_linker
from glossary.models import Term
from learn.markdown import Rendered
from learn.markdown import render as render_markdown
from quizzes import scoring
from quizzes.learners import Learner, first_attempt_seed
from quizzes.models import Answer, Attempt, Choice, Question, Quiz, record_answer, start_new_attempt


@dataclass
class QuestionState:
    """One question as this learner sees it: unanswered (choices shuffled) or answered."""

    question: Question
    number: int
    total: int
    choices: list[Choice]
    prompt: Rendered
    answer: Answer | None = None
    explanation: Rendered | None = None
    error: str = ""

    @property
    def anchor(self) -> str:
        return f"q{self.question.position}"

    @property
    def correct(self) -> Choice | None:
        return self.question.correct_choice() if self.answer else None


def questions_for(quiz_filter: dict) -> list[Question]:
    """Every question of a quiz with what the page needs, in a fixed number of queries."""
    return list(
        Question.objects.filter(**quiz_filter)
        .order_by("position")
        .prefetch_related(
            "choices",
            Prefetch("related_terms", queryset=Term.objects.published().alphabetical().only("name", "slug")),
        )
    )


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
    link = term_linker() if answers else None
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
                prompt=render_markdown(question.prompt),
                answer=answer,
                explanation=render_markdown(question.explanation, link=link) if answer else None,
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


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, a 303 so that reloading the page does not post again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_GET
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = list(Quiz.objects.published().with_question_count())
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
    return render(request, "quizzes/quiz_list.html", {"rows": rows})


@require_GET
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.published().prefetch_related("articles"), slug=slug)
    learner = Learner.from_request(request)
    attempt = latest_attempt(learner, quiz)
    context = quiz_context(quiz, questions_for({"quiz": quiz}), attempt, first_attempt_seed(learner, quiz.pk))
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
    quiz = Quiz.objects.published().prefetch_related("articles").filter(slug=slug).first()
    if quiz is None:
        raise Http404("No such quiz")
    questions = questions_for({"quiz": quiz})
    question = next((q for q in questions if q.position == position), None)
    if question is None:
        raise Http404("No such question")
    learner = Learner.from_request(request)
    seed = first_attempt_seed(learner, quiz.pk)
    token = request.POST.get("choice", "")
    choice = question.choice_for_token(token) if isinstance(token, str) and len(token) <= 64 else None
    if not token or choice is None:
        message = (
            "Choose one of the answers, then press Check."
            if not token
            else "That answer is not one of this question’s choices. Reload the page and try again."
        )
        return _answer_error(request, quiz, questions, latest_attempt(learner, quiz), seed, position, message)

    learner = Learner.from_request(request, create=True)
    record_answer(learner=learner, question=question, choice=choice, first_seed=seed)
    if not request.htmx:
        return see_other(f"{quiz.get_absolute_url()}#q{position}")
    context = quiz_context(quiz, questions, latest_attempt(learner, quiz), seed)
    context["state"] = next(s for s in context["states"] if s.question.pk == question.pk)
    context["oob"] = True
    return render(request, "quizzes/quiz_detail.html#answer-response", context)


@require_POST
def retake_quiz(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    start_new_attempt(learner=Learner.from_request(request, create=True), quiz=quiz)
    return see_other(quiz.get_absolute_url())
