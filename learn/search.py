"""Site search: glossary terms, articles and quizzes in one index (learn.core.searchindex), what
the index holds of each, how it keeps up with edits, and the results page's groups with their
highlighted snippets.

The glossary searches the same index for its own box (``TermQuerySet.search``); this module
says what goes in, because only the site knows every app.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse

from learn.core import searchindex
from learn.core.search import parse, plain_text
from learn.core.searchindex import Document, Name, Shown

RESULTS_PER_KIND = 5  # a page of terms is a link away (the glossary); 15 results read at a glance
SUGGESTIONS = 5


@dataclass(frozen=True)
class Kind:
    name: str
    heading: str
    anchor: str
    url_name: str


KINDS = (
    Kind("term", "Glossary terms", "r-terms", "glossary:detail"),
    Kind("article", "Articles", "r-articles", "learn:article"),
    Kind("quiz", "Quizzes", "r-quizzes", "quizzes:detail"),
)


def documents(apps, wanted: dict[str, list[int]] | None = None) -> Iterator[Document]:
    """The published terms, articles and quizzes as documents (all, or the ``wanted`` ones).
    Written against ``apps`` and plain managers, so the migration that builds the index can use
    it with its historical models."""

    def published(model, kind: str):
        rows = model._base_manager.filter(is_published=True)
        return rows if wanted is None else rows.filter(pk__in=wanted.get(kind, ()))

    if wanted is None or "term" in wanted:
        terms = published(apps.get_model("glossary", "Term"), "term")
        aliases: dict[int, list[str]] = {}
        alias_rows = apps.get_model("glossary", "Alias")._base_manager.filter(term__in=terms.values("pk"))
        for term_id, name in alias_rows.order_by("name").values_list("term_id", "name"):
            aliases.setdefault(term_id, []).append(name)
        fields = ("why_it_matters", "how_it_works", "example", "common_mistakes")
        for pk, slug, name, short, definition, *sections in terms.order_by().values_list(
            "pk", "slug", "name", "short_definition", "definition", *fields
        ):
            yield Document(
                kind="term",
                ref=pk,
                slug=slug,
                title=name,
                other_names=tuple(aliases.get(pk, ())),
                summary=short,  # the one-sentence definition; the sections are the body
                body=" ".join(plain_text(s) for s in (definition, *sections)),
            )
    if wanted is None or "article" in wanted:
        articles = published(apps.get_model("learn", "Article"), "article")
        for pk, slug, title, summary, body, takeaways in articles.order_by().values_list(
            "pk", "slug", "title", "summary", "body", "key_takeaways"
        ):
            yield Document(
                kind="article",
                ref=pk,
                slug=slug,
                title=title,
                summary=summary,
                body=f"{plain_text(body)} {plain_text(takeaways)}",
            )
    if wanted is None or "quiz" in wanted:
        quizzes = published(apps.get_model("quizzes", "Quiz"), "quiz")
        for pk, slug, title, goal, description in quizzes.order_by().values_list(
            "pk", "slug", "title", "goal", "description"
        ):
            yield Document(
                kind="quiz",
                ref=pk,
                slug=slug,
                title=title,
                summary=goal,
                body=plain_text(description),
            )


def register() -> None:
    searchindex.register([kind.name for kind in KINDS], documents)


# Which document a saved or deleted row belongs to (other content, such as a choice, is in none).
DOCUMENT_OF = {
    "glossary.term": lambda row: ("term", row.pk),
    "glossary.alias": lambda row: ("term", row.term_id),
    "learn.article": lambda row: ("article", row.pk),
    "quizzes.quiz": lambda row: ("quiz", row.pk),
}


def content_changed(row, previous: int | None, current: int | None) -> None:
    """Called by learn.signals after a row of content (or None: links between rows) changed and
    the content version went from ``previous`` to ``current``."""
    document_of = DOCUMENT_OF.get(row._meta.label_lower) if row is not None else None
    wanted = {}
    if document_of is not None:
        kind, ref = document_of(row)
        wanted = {kind: [ref]}
    searchindex.update(wanted, previous, current)


def rebuild() -> None:
    searchindex.rebuild()


# ---- The results page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    url: str
    shown: Shown


@dataclass(frozen=True)
class Group:
    kind: Kind
    results: list[Result]
    more: bool


@dataclass(frozen=True)
class Results:
    query: str  # as typed (cleaned)
    corrected: str  # as searched, when the index fixed a spelling ("" otherwise)
    groups: list[Group]
    nearest: list[Name]  # when nothing was found: terms spelled like the query

    @property
    def total(self) -> int:
        return sum(len(group.results) for group in self.groups)

    @property
    def suggestion(self) -> Name | None:
        return self.nearest[0] if self.nearest and self.nearest[0].close else None


def site_search(text: str | None, per_kind: int = RESULTS_PER_KIND) -> Results:
    """Terms, articles and quizzes for a query: each kind's best, the kind with the best hit first
    (terms before articles before quizzes on a tie, so a term outranks an article that only
    mentions it); nothing found: the terms nearest by spelling."""
    query = parse(text or "")
    if not query:
        return Results(query.text, "", [], [])
    found = searchindex.find(query, {kind.name: per_kind + 1 for kind in KINDS})
    groups = []
    for kind in KINDS:
        hits = found.of(kind.name)
        if hits:
            url = reverse(kind.url_name, args=["slug"])  # once per kind: slugs need no quoting
            results = [
                Result(url.replace("/slug/", f"/{hit.slug}/"), searchindex.show(hit, found.query.matcher))
                for hit in hits[:per_kind]
            ]
            groups.append((hits[0].tier, len(groups), Group(kind, results, len(hits) > per_kind)))
    groups.sort(key=lambda g: g[:2])
    nearest = [] if groups else searchindex.nearest(found.query, "term", SUGGESTIONS)
    return Results(query.text, found.query.corrected, [g[2] for g in groups], nearest)
