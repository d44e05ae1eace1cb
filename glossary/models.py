from __future__ import annotations

import re

from django.db import models
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from learn.core.markdown import Rendered, render

SECTIONS = (
    ("definition", "Definition"),
    ("why_it_matters", "Why it matters"),
    ("how_it_works", "How it works"),
    ("example", "An example"),
    ("common_mistakes", "Common mistakes"),
)


MARKUP_RE = re.compile(r"[*_`#>]+")


def what_it_asks(prompt: str) -> str:
    """A question prompt's last paragraph (where the question itself is), without Markdown marks."""
    paragraphs = [part for part in re.split(r"\n\s*\n", prompt.strip()) if part.strip()]
    last = paragraphs[-1] if paragraphs else ""
    return " ".join(MARKUP_RE.sub("", last).split())


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class TermQuerySet(models.QuerySet):
    def published(self) -> TermQuerySet:
        return self.filter(is_published=True)

    def alphabetical(self) -> TermQuerySet:
        return self.order_by(Lower("name"), "pk")

    def with_uses(self) -> TermQuerySet:
        """Where each term is used: the published articles and quizzes that name it and the
        published questions about it. Through the reverse relations the other apps define
        (``term.articles``, ``term.quizzes``, ``term.questions``): the glossary imports neither."""

        def published(relation: str):
            return getattr(self.model, relation).rel.related_model.objects.published()

        return self.prefetch_related(
            Prefetch("articles", queryset=published("articles").only("title", "slug")),
            Prefetch("quizzes", queryset=published("quizzes").only("title", "slug", "position")),
            Prefetch(
                "questions",
                queryset=published("questions")
                .select_related("quiz")
                .only("position", "prompt", "quiz__title", "quiz__slug", "quiz__position")
                .order_by("quiz__position", "quiz__title", "position"),
            ),
        )


class Term(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    short_definition = models.CharField(
        max_length=300, help_text="One sentence, used in lists, previews and the meta description."
    )
    definition = models.TextField(blank=True, help_text="Markdown.")
    why_it_matters = models.TextField(blank=True, help_text="Markdown.")
    how_it_works = models.TextField(blank=True, help_text="Markdown.")
    example = models.TextField(blank=True, help_text="Markdown.")
    common_mistakes = models.TextField(blank=True, help_text="Markdown.")
    categories = models.ManyToManyField(Category, related_name="terms")
    related = models.ManyToManyField("self", symmetrical=True, blank=True)
    is_published = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint(Lower("name"), name="term_unique_lower_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("glossary:detail", args=[self.slug])

    def as_learner_url(self) -> str:
        """Where staff see this term as learners do: its page, or its draft preview until published."""
        return self.get_absolute_url() if self.is_published else reverse("glossary:draft", args=[self.slug])

    @property
    def letter(self) -> str:
        first = self.name[:1].upper()
        return first if first.isalpha() and first.isascii() else "#"

    @property
    def uses(self) -> list[tuple[str, models.Model]]:
        """("article", article) then ("quiz", quiz) pairs for every published article and quiz
        that uses the term, each once; a quiz uses it when it names it or asks about it
        (needs ``with_uses()``)."""
        quizzes = {quiz.pk: quiz for quiz in self.quizzes.all()}
        for question in self.questions.all():
            quizzes.setdefault(question.quiz_id, question.quiz)
        ordered = sorted(quizzes.values(), key=lambda quiz: (quiz.position, quiz.title))
        return [("article", article) for article in self.articles.all()] + [("quiz", q) for q in ordered]

    @property
    def questions_to_try(self) -> list[tuple[models.Model, str]]:
        """The published questions about the term, each with what it asks: the last paragraph
        of its prompt as plain text (needs ``with_uses()``)."""
        return [(question, what_it_asks(question.prompt)) for question in self.questions.all()]

    def sections(self, link=None) -> list[tuple[str, str, Rendered]]:
        """The non-empty Markdown sections, rendered: (field, heading, html)."""
        return [
            (field, heading, render(getattr(self, field), link=link))
            for field, heading in SECTIONS
            if getattr(self, field).strip()
        ]


class Alias(models.Model):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = [Lower("name")]
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(Lower("name"), name="alias_unique_lower_name")]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
