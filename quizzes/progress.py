"""What /progress/ shows of a learner's quizzes, questions and terms: one aggregation, in a
fixed number of queries whatever the learner did (the view adds what other apps know)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.safestring import mark_safe

from learn.core import charts
from learn.core.learners import Learner
from quizzes import scoring
from quizzes.models import Answer, Attempt, Question, Quiz, ReviewAnswer, ReviewItem


def progress_overview(learner: Learner | None) -> dict:
    """Everything /progress/ shows, in a fixed number of queries whatever the learner did."""
    quizzes = list(Quiz.objects.published().with_question_count())
    attempts = list(
        Attempt.objects.for_learner(learner)
        .filter(quiz__is_published=True)
        .with_correct_count()
        .order_by("quiz_id", "number")
    )
    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    rows = []
    for quiz in quizzes:
        mine = by_quiz.get(quiz.pk, [])
        finished = [a for a in mine if a.finished_at]
        scores = [scoring.Score(a.correct_count, quiz.question_count) for a in finished]
        chart = None
        if len(finished) >= 2:
            chart = charts.render(
                charts.Chart(
                    title=f"{quiz.title}: score by attempt",
                    x_label="Attempt",
                    y_label="Score (%)",
                    series=("Score",),
                    scale=100,
                    rows=tuple(
                        (f"Attempt {a.number}", (float(s.percent),))
                        for a, s in zip(finished, scores, strict=True)
                    ),
                )
            )
        rows.append(
            {
                "quiz": quiz,
                "attempts": mine,
                "finished": list(zip(finished, scores, strict=True)),
                "best": scoring.best(scores),
                "last": scores[-1] if scores else None,
                "in_progress": bool(mine) and not mine[-1].finished_at,
                "chart": mark_safe(chart) if chart else None,
            }
        )
    answers = list(
        Answer.objects.filter(attempt__in=Attempt.objects.for_learner(learner)).values_list(
            "question_id", "is_correct", "answered_at"
        )
    )
    reviews = list(
        ReviewAnswer.objects.filter(item__in=ReviewItem.objects.for_learner(learner)).values_list(
            "item__question_id", "is_correct", "answered_at"
        )
    )
    events: dict[int, list[tuple]] = {}
    for question_id, correct, at in answers + reviews:
        events.setdefault(question_id, []).append((at, correct))
    links = Question.related_terms.through.objects.filter(
        question__quiz__is_published=True, term__is_published=True
    ).values_list("question_id", "term_id", "term__name", "term__slug")
    terms: dict[int, dict] = {}
    for question_id, term_id, name, slug in links:
        entry = terms.setdefault(term_id, {"name": name, "slug": slug, "events": []})
        entry["events"].extend(events.get(question_id, []))
    term_rows = sorted(
        (
            {
                "name": t["name"],
                "slug": t["slug"],
                "status": scoring.mastery([c for _, c in sorted(t["events"], key=lambda e: e[0])]),
                "answers": len(t["events"]),
            }
            for t in terms.values()
        ),
        key=lambda t: t["name"].lower(),
    )
    right = sum(1 for a in answers if a[1])
    return {
        "rows": rows,
        "answered": len(answers),
        "answered_right": right,
        "share_right": round(100 * right / len(answers)) if answers else 0,
        "quizzes_completed": sum(1 for r in rows if r["finished"]),
        "terms": term_rows,
        "mastered": sum(1 for t in term_rows if t["status"] == scoring.MASTERED),
        "due": ReviewItem.objects.for_learner(learner).due(timezone.localdate()).count(),
    }
