from __future__ import annotations

import string

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from glossary.linking import term_linker
from glossary.models import Alias, Category, Term

LETTERS = list(string.ascii_uppercase) + ["#"]
MAX_QUERY_LENGTH = 200


def clean_query(raw: str | None) -> str:
    """A search box's text, made safe for every database: no NULs, bounded, trimmed."""
    return " ".join((raw or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


@require_safe
def term_list(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    categories = list(Category.objects.all())
    category = next((c for c in categories if c.slug == request.GET.get("category")), None)
    terms = Term.objects.published().alphabetical()
    if category:
        terms = terms.filter(categories=category)
    if query:
        terms = terms.search(query)
    terms = list(terms.only("name", "slug", "short_definition"))
    groups: dict[str, list[Term]] = {}
    if not query:
        for term in terms:
            groups.setdefault(term.letter, []).append(term)
    context = {
        "query": query,
        "categories": categories,
        "category": category,
        "terms": terms,
        "groups": groups,
        "letters": [(letter, letter in groups) for letter in LETTERS],
    }
    template = "glossary/term_list.html#results" if request.htmx else "glossary/term_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    published = Term.objects.published()
    term = (
        published.prefetch_related(
            "categories",
            "aliases",
            "sources",
            Prefetch("related", queryset=published.alphabetical().only("name", "slug", "short_definition")),
        )
        .filter(slug=slug)
        .first()
    )
    if term is None:
        alias = get_object_or_404(
            Alias.objects.filter(term__is_published=True).select_related("term"), slug=slug
        )
        return redirect(alias.term, permanent=True)
    neighbours = published.only("name", "slug").annotate(lname=Lower("name"))
    previous = neighbours.filter(lname__lt=term.name.lower()).order_by("-lname").first()
    following = neighbours.filter(lname__gt=term.name.lower()).order_by("lname").first()
    context = {
        "term": term,
        "sections": term.sections(link=term_linker(exclude=term.slug)),
        "previous": previous,
        "next": following,
    }
    return render(request, "glossary/term_detail.html", context)


@require_safe
def term_preview(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Term.objects.published().only("name", "slug", "short_definition"), slug=slug)
    template = "glossary/term_preview.html#card" if request.htmx else "glossary/term_preview.html"
    response = render(request, template, {"term": term})
    patch_vary_headers(response, ["HX-Request"])
    return response
