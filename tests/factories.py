"""Small keyword-only builders, so view tests never depend on the shipped content."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence

from django.utils import timezone
from django.utils.text import slugify

from glossary.models import Alias, Category, Source, Term
from learn.models import Article, Topic
from quizzes.models import Answer, Attempt, Choice, Question, Quiz

_n = itertools.count(1)


def make_category(*, name: str | None = None) -> Category:
    name = name or f"Category {next(_n)}"
    return Category.objects.create(name=name, slug=slugify(name))


def make_term(
    *,
    name: str | None = None,
    short_definition: str = "A short definition.",
    definition: str = "What it is.",
    why_it_matters: str = "Why it matters.",
    how_it_works: str = "How it works.",
    example: str = "",
    common_mistakes: str = "",
    aliases: tuple[str, ...] = (),
    categories: tuple[Category, ...] = (),
    is_published: bool = True,
    sources: int = 1,
) -> Term:
    name = name or f"Term {next(_n)}"
    term = Term.objects.create(
        name=name,
        slug=slugify(name),
        short_definition=short_definition,
        definition=definition,
        why_it_matters=why_it_matters,
        how_it_works=how_it_works,
        example=example,
        common_mistakes=common_mistakes,
        is_published=is_published,
    )
    for alias in aliases:
        Alias.objects.create(term=term, name=alias, slug=slugify(alias))
    if categories:
        term.categories.set(categories)
    for i in range(sources):
        Source.objects.create(
            term=term, position=i, title=f"Source {i} for {name}", url=f"https://example.org/{i}"
        )
    return term


def make_quiz(
    *,
    title: str | None = None,
    questions: int = 3,
    choices: int = 4,
    is_published: bool = True,
    terms: tuple[Term, ...] = (),
) -> Quiz:
    title = title or f"Quiz {next(_n)}"
    quiz = Quiz.objects.create(
        title=title, slug=slugify(title), goal=f"Goal of {title}.", is_published=is_published
    )
    for position in range(1, questions + 1):
        question = Question.objects.create(
            quiz=quiz,
            position=position,
            prompt=f"Prompt of question {position}?",
            explanation=f"Explanation of question {position}.",
        )
        if terms:
            question.related_terms.set(terms)
        for c in range(choices):
            Choice.objects.create(
                question=question,
                position=c,
                text=f"Choice {c} of question {position}",
                is_correct=c == 0,
                rationale=f"Rationale {c} of question {position}.",
            )
    return quiz


def make_article(
    *,
    title: str | None = None,
    body: str = "Intro.\n\n## First part\n\nText.\n\n## Second part\n\nMore text.",
    topic: Topic | None = None,
    quiz: Quiz | None = None,
    is_published: bool = True,
    terms: tuple[Term, ...] = (),
) -> Article:
    title = title or f"Article {next(_n)}"
    topic = topic or Topic.objects.get_or_create(name="Topic", slug="topic")[0]
    article = Article.objects.create(
        title=title,
        slug=slugify(title),
        summary=f"Summary of {title}.",
        body=body,
        topic=topic,
        key_takeaways="First takeaway.\nSecond takeaway.",
        quiz=quiz,
        is_published=is_published,
    )
    if terms:
        article.related_terms.set(terms)
    return article


def make_attempt(
    *, quiz: Quiz, picks: Sequence[int | None], visitor: uuid.UUID | None = None, number: int = 1
) -> Attempt:
    """A finished attempt stored directly (no views): ``picks[n - 1]`` is the position of the
    choice picked for question n, None to leave it unanswered (0 is the correct one in
    ``make_quiz``). One-best-answer questions only."""
    attempt = Attempt.objects.create(
        quiz=quiz, visitor=visitor or uuid.uuid4(), number=number, seed=1, finished_at=timezone.now()
    )
    questions = {q.position: q for q in quiz.questions.prefetch_related("choices")}
    for position, pick in enumerate(picks, start=1):
        if pick is None:
            continue
        question = questions[position]
        choice = next(c for c in question.choices.all() if c.position == pick)
        Answer.objects.create(
            attempt=attempt,
            question=question,
            version=question.current_version(),
            choice=choice,
            credit=1.0 if choice.is_correct else 0.0,
            is_correct=choice.is_correct,
        )
    return attempt
