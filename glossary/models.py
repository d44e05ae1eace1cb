from __future__ import annotations

from django.db import models
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

    @property
    def letter(self) -> str:
        first = self.name[:1].upper()
        return first if first.isalpha() and first.isascii() else "#"

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
