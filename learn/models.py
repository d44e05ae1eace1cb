from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from learn.markdown import Rendered, reading_minutes, render


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(is_published=True)

    def search(self, query: str) -> ArticleQuerySet:
        return (
            self.filter(
                models.Q(title__icontains=query)
                | models.Q(summary__icontains=query)
                | models.Q(body__icontains=query)
            )
            .annotate(
                rank=models.Case(
                    models.When(title__icontains=query, then=models.Value(0)),
                    models.When(summary__icontains=query, then=models.Value(1)),
                    default=models.Value(2),
                    output_field=models.IntegerField(),
                )
            )
            .order_by("rank", "title")
        )


class Article(models.Model):
    class Level(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=400)
    body = models.TextField(help_text="Markdown. Use ## and ### headings; they build the table of contents.")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="articles")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BEGINNER)
    key_takeaways = models.TextField(blank=True, help_text="One takeaway per line.")
    related_terms = models.ManyToManyField("glossary.Term", blank=True, related_name="articles")
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The quiz offered in the “Check your understanding” card.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Reading order within the topic.")
    is_published = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learn:article", args=[self.slug])

    def rendered(self, link=None) -> Rendered:
        return render(self.body, link=link)

    @property
    def reading_minutes(self) -> int:
        # Unlinked rendering is cached by text, so lists pay for it once per edit.
        return reading_minutes(self.rendered().words)

    @property
    def takeaways(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.key_takeaways.splitlines() if line.strip(" -*\t")]


class Source(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
