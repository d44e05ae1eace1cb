from __future__ import annotations

import string

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.db.models.functions import Lower, Substr, Upper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from glossary.linking import term_linker
from glossary.models import Alias, Category, Term
from learn.core import searchindex
from learn.core.http import staff_preview
from learn.core.models import content_version
from learn.core.pagecache import cached_page
from learn.core.search import clean_query

LETTERS = list(string.ascii_uppercase) + ["#"]
ALL_ON_ONE_PAGE = 200  # above this, the index shows one letter at a time,
PAGE_SIZE = 100  # and a hundred terms a page
SEARCH_LIMIT = 50


def letter_counts(terms, category: Category | None) -> dict[str, int]:
    """Published terms per initial (A-Z, everything else under #): one grouped query, cached
    until the glossary changes."""
    version = content_version()
    if version is None:
        return count_letters(terms)
    key = f"glossary:letters:{version}:{category.pk if category else ''}"
    counts = cache.get(key)
    if counts is None:
        counts = count_letters(terms)
        cache.set(key, counts, timeout=None)
    return counts


def count_letters(terms) -> dict[str, int]:
    counts: dict[str, int] = {}
    for initial, n in (
        terms.annotate(initial=Upper(Substr("name", 1, 1)))
        .values_list("initial")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = initial if initial and "A" <= initial <= "Z" else "#"
        counts[key] = counts.get(key, 0) + n
    return counts


def starting_with(terms, letter: str):
    if letter == "#":
        return terms.exclude(name__iregex=r"^[a-z]")
    return terms.filter(name__istartswith=letter)


@require_safe
@cached_page(params=("q", "category", "letter", "page"), sessions=True)
def term_list(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    categories = list(Category.objects.all())
    category = next((c for c in categories if c.slug == request.GET.get("category")), None)
    terms = Term.objects.published()
    if category:
        terms = terms.filter(categories=category)
    context = {"query": query, "categories": categories, "category": category, "paged": False}
    if query:
        # The index holds the published terms only: a category narrows them further.
        within = terms.order_by().values("pk") if category else None
        found = searchindex.find(query, {"term": SEARCH_LIMIT + 1}, within=within).shown("term")
        context |= {
            "terms": found[:SEARCH_LIMIT],
            "more": len(found) > SEARCH_LIMIT,
            "groups": {},
            "letters": [],
        }
    else:
        counts = letter_counts(terms, category)
        total = sum(counts.values())
        shown = terms.alphabetical().only("name", "slug", "short_definition")
        letter = request.GET.get("letter", "")
        if total > ALL_ON_ONE_PAGE:
            letter = letter if letter in counts else next((x for x in LETTERS if x in counts), "")
            in_letter = counts.get(letter, 0)
            pages = max(1, -(-in_letter // PAGE_SIZE))
            page = min(
                max(1, int(number))
                if (number := request.GET.get("page", "")).isascii() and number.isdigit()
                else 1,
                pages,
            )
            start = (page - 1) * PAGE_SIZE
            shown = starting_with(shown, letter)[start : start + PAGE_SIZE] if letter else shown.none()
            context |= {
                "paged": True,
                "letter": letter,
                "in_letter": in_letter,
                "page": page,
                "pages": range(1, pages + 1) if pages > 1 else [],
                "first": start + 1,
                "last": min(start + PAGE_SIZE, in_letter),
            }
        groups: dict[str, list[Term]] = {}
        for term in shown:
            groups.setdefault(term.letter, []).append(term)
        context |= {
            "terms": [t for group in groups.values() for t in group],
            "total": total,
            "groups": groups,
            "letters": [(x, counts.get(x, 0)) for x in LETTERS],
        }
    template = "glossary/term_list.html#results" if request.htmx else "glossary/term_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@cached_page(sessions=True)
def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = with_page_parts(Term.objects.published()).filter(slug=slug).first()
    if term is None:
        alias = get_object_or_404(
            Alias.objects.filter(term__is_published=True).select_related("term"), slug=slug
        )
        return redirect(alias.term, permanent=True)
    return term_page(request, term)


@require_safe
@staff_preview
def term_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """A term as learners will see it, published or not: for staff only."""
    term = get_object_or_404(with_page_parts(Term.objects.all()), slug=slug)
    if term.is_published:
        return redirect(term)
    return term_page(request, term, draft=reverse("admin:glossary_term_change", args=[term.pk]))


def with_page_parts(terms):
    """What a term's page shows besides the term: categories, aliases, sources, related terms."""
    return terms.with_uses().prefetch_related(
        "categories",
        "aliases",
        "sources",
        Prefetch(
            "related",
            queryset=Term.objects.published().alphabetical().only("name", "slug", "short_definition"),
        ),
    )


def term_page(request: HttpRequest, term: Term, draft: str = "") -> HttpResponse:
    published = Term.objects.published()
    neighbours = published.only("name", "slug").annotate(lname=Lower("name"))
    previous = neighbours.filter(lname__lt=term.name.lower()).order_by("-lname").first()
    following = neighbours.filter(lname__gt=term.name.lower()).order_by("lname").first()
    context = {
        "term": term,
        "sections": term.sections(link=term_linker(exclude=term.slug)),
        "previous": previous,
        "next": following,
        "draft": draft,
    }
    return render(request, "glossary/term_detail.html", context)


@require_safe
@cached_page(sessions=True)
def term_preview(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Term.objects.published().only("name", "slug", "short_definition"), slug=slug)
    template = "glossary/term_preview.html#card" if request.htmx else "glossary/term_preview.html"
    response = render(request, template, {"term": term})
    patch_vary_headers(response, ["HX-Request"])
    return response
