"""What /progress/ shows of a learner's quizzes, questions, terms and reviews: one aggregation,
in a fixed number of queries whatever the learner did (the view adds what other apps know)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from learn.core import charts
from learn.core.fragments import render_fragments
from learn.core.inprocess import Kept
from learn.core.learners import Learner
from learn.core.models import content_version
from quizzes import schedule, scoring
from quizzes.models import Answer, Attempt, Card, Question, Quiz, Review, end_of_today

RECENT_DAYS = 7
RECENT_ITEMS = 6


SITE_COUNTS = Kept(max_entries=8)  # content version -> (published quizzes, ideas with questions)


def site_counts(version: int | None) -> tuple[int, int]:
    """How many published quizzes, and published terms with questions in them, there are: two
    counts over the whole site, made once per content version."""
    found = SITE_COUNTS.get(version) if version is not None else None
    if found is None:
        found = (Quiz.objects.published().count(), published_links().values("term_id").distinct().count())
        if version is not None:
            SITE_COUNTS.set(version, found)
    return found


def published_links():
    return Question.related_terms.through.objects.filter(
        question__quiz__is_published=True, term__is_published=True
    )


def quiz_rows(learner: Learner | None) -> list[dict]:
    """The published quizzes the learner started, with their attempts, best and last scores and
    a chart. The page says how many others there are (``site_counts``) instead of listing them:
    it grows with what the learner did, not with the site."""
    attempts = list(
        Attempt.objects.for_learner(learner)
        .filter(quiz__is_published=True)
        .with_correct_count()
        .order_by("quiz_id", "number")
    )
    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    quizzes = (
        list(Quiz.objects.published().with_question_count().filter(pk__in=list(by_quiz))) if by_quiz else []
    )
    rows = []
    for quiz in quizzes:
        mine = by_quiz.get(quiz.pk, [])
        finished = [a for a in mine if a.finished_at]
        scores = [scoring.Score(a.correct_count, quiz.question_count) for a in finished]
        rows.append(
            {
                "quiz": quiz,
                "attempts": mine,
                "finished": list(zip(finished, scores, strict=True)),
                "best": scoring.best(scores),
                "last": scores[-1] if scores else None,
                "in_progress": bool(mine) and not mine[-1].finished_at,
                "answered": mine[-1].answer_count if mine else 0,  # in the latest attempt
                "chart": functools.cache(functools.partial(score_chart, quiz, finished, scores)),
            }
        )
    return rows


def score_chart(quiz: Quiz, finished: list[Attempt], scores: list[scoring.Score]) -> str | None:
    """The chart of a quiz's scores by attempt, from the second finished attempt; drawn only when
    a row is rendered (a row from the fragment cache needs none)."""
    if len(finished) < 2:
        return None
    return mark_safe(
        charts.render(
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
    )


def quiz_row_key(row: dict) -> tuple:
    """All a quiz row shows of the learner (its content comes with the content version)."""
    return (
        row["quiz"].pk,
        tuple((a.public_id, a.number, s.correct, s.total) for a, s in row["finished"]),
        bool(row["attempts"]),
        row["in_progress"],
        row["answered"],
    )


def term_row_key(row: dict) -> tuple:
    return (
        row["slug"],
        row["name"],
        row["level"],
        row["today"],
        row["later"],
        row["mastery"].answered,
        row["questions"],
    )


def render_rows(request, context: dict) -> None:
    """Each quiz and term row's HTML (``row["html"]``), from the fragment cache: learners with
    the same scores on a quiz, or the same recall of a term, share one rendering."""
    for name, rows, key in (
        ("quiz-row", context["rows"], quiz_row_key),
        ("term-row", context["terms"], term_row_key),
    ):
        rendered = render_fragments(
            request,
            f"quizzes/progress.html#{name}",
            rows,
            version=context["version"],
            key=key,
            context=lambda row: {"row": row, "t": row},
        )
        for row, html in zip(rows, rendered, strict=True):
            row["html"] = html


def memories(learner: Learner | None) -> dict[int, schedule.Memory]:
    """The learner's card for every question they answered, by question id (one query)."""
    fields = ("question_id", "state", "stability", "difficulty", "due_at", "last_review_at", "reps", "lapses")
    return {
        question_id: schedule.Memory(state, stability, difficulty, due, last, reps, lapses)
        for question_id, state, stability, difficulty, due, last, reps, lapses in Card.objects.for_learner(
            learner
        )
        .published()
        .values_list(*fields)
    }


def term_rows(learner: Learner | None, cards: dict[int, schedule.Memory], now: dt.datetime) -> list[dict]:
    """Every published term with a question the learner answered, with the learner's memory of
    it (from all its questions), weakest first. Terms not started are counted, not listed."""
    if not cards:
        return []
    answered = (
        published_links().filter(question__cards__in=Card.objects.for_learner(learner)).values("term_id")
    )
    links = (
        published_links()
        .filter(term_id__in=answered)
        .values_list("question_id", "term_id", "term__name", "term__slug")
    )
    terms: dict[int, dict] = {}
    for question_id, term_id, name, slug in links:
        entry = terms.setdefault(term_id, {"name": name, "slug": slug, "memories": [], "questions": 0})
        entry["questions"] += 1
        if question_id in cards:
            entry["memories"].append(cards[question_id])
    rows = []
    for entry in terms.values():
        mastery = schedule.mastery(entry["memories"], now)
        rows.append(
            {
                "name": entry["name"],
                "slug": entry["slug"],
                "mastery": mastery,
                "level": mastery.level,
                "today": round(100 * mastery.today),
                "later": round(100 * mastery.later),
                "questions": entry["questions"],
                "due": sum(1 for m in entry["memories"] if m.due < end_of_today()),
            }
        )
    return sorted(rows, key=lambda r: (r["today"], r["name"].lower()))


def upcoming(cards: dict[int, schedule.Memory]) -> dict:
    """How many questions come back today, tomorrow and within the next 7 days, and the next day
    with reviews after today."""
    today_end = end_of_today()
    due = [m.due for m in cards.values()]
    later = [d for d in due if d >= today_end]
    next_day = timezone.localtime(min(later)).date() if later else None
    return {
        "today": sum(1 for d in due if d < today_end),
        "tomorrow": sum(1 for d in due if today_end <= d < today_end + dt.timedelta(days=1)),
        "week": sum(1 for d in due if today_end <= d < today_end + dt.timedelta(days=7)),
        "next_day": next_day,
        "next_day_count": sum(1 for d in later if timezone.localtime(d).date() == next_day),
    }


def recently_learned(learner: Learner | None, now: dt.datetime) -> list[dict]:
    """Questions the learner got right in the last week, newest first, once each."""
    reviews = (
        Review.objects.filter(
            card__in=Card.objects.for_learner(learner).published(),
            correct=True,
            answered_at__gte=now - dt.timedelta(days=RECENT_DAYS),
        )
        .order_by("-answered_at")
        .values_list(
            "card__question_id",
            "card__question__position",
            "card__question__quiz__title",
            "card__question__quiz__slug",
            "answered_at",
        )[:200]
    )
    seen, items = set(), []
    for question_id, position, title, slug, at in reviews:
        if question_id in seen:
            continue
        seen.add(question_id)
        items.append({"quiz": title, "slug": slug, "position": position, "at": at})
        if len(items) == RECENT_ITEMS:
            break
    return items


def progress_overview(learner: Learner | None) -> dict:
    """Everything /progress/ shows of quizzes and memory, in a fixed number of queries."""
    now = timezone.now()
    rows = quiz_rows(learner)
    answers = Answer.objects.filter(attempt__in=Attempt.objects.for_learner(learner)).aggregate(
        n=Count("pk"), right=Count("pk", filter=Q(is_correct=True))
    )
    cards = memories(learner)
    terms = term_rows(learner, cards, now)
    coming = upcoming(cards)
    version = content_version()
    quiz_count, term_count = site_counts(version)
    levels = {level: sum(1 for t in terms if t["level"] == level) for level in schedule.LEVELS}
    levels["new"] = levels.get("new", 0) + term_count - len(terms)
    return {
        "version": version,
        "rows": rows,
        "quiz_count": quiz_count,
        "quizzes_not_started": quiz_count - len(rows),
        "terms_not_started": term_count - len(terms),
        "answered": answers["n"],
        "answered_right": answers["right"],
        "share_right": round(100 * answers["right"] / answers["n"]) if answers["n"] else 0,
        "quizzes_completed": sum(1 for r in rows if r["finished"]),
        "terms": terms,
        "levels": [(level, meaning, levels[level]) for level, meaning in schedule.LEVELS.items()],
        "remembered": len(cards),
        "due": coming["today"],
        "upcoming": coming,
        "recent": recently_learned(learner, now),
    }
