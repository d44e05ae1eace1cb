"""Site search (learn/search.py over learn/core/searchindex.py): what a learner means is found
first, on SQLite and on PostgreSQL alike; bad input never breaks it; the index follows every
kind of content change; the page is an htmx fragment or a full page; its queries are pinned."""

import logging
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from glossary.models import Alias, Term
from learn.core.models import bump_content_version
from learn.core.search import MAX_QUERY_LENGTH
from learn.models import Article
from learn.search import RESULTS_PER_KIND, site_search
from quizzes.models import Quiz
from tests.conftest import HX
from tests.factories import make_article, make_category, make_quiz, make_term

pytestmark = pytest.mark.django_db

FIRST_RESULT = re.compile(r'<a class="result-link" href="([^"]+)"')
ANSWERED = re.compile(r"results? for “|No results for “|terms? match|Type a word|Jump to letter")


@pytest.fixture
def library():
    """A small site whose words overlap the way real content does."""
    make_term(
        name="Fine-tuning",
        short_definition="Training a pre-trained model further on a narrower task.",
        definition="Fine-tuning changes every weight unless a method freezes some.",
    )
    make_term(
        name="Full fine-tuning",
        short_definition="Fine-tuning that updates every weight of the model.",
        definition="The costliest way to adapt a model.",
    )
    make_term(
        name="Catastrophic forgetting",
        short_definition="Losing old skills while learning new ones.",
        definition="A network trained further on new data can lose abilities it had.",
        aliases=("Catastrophic interference",),
    )
    make_term(
        name="LoRA",
        short_definition="A parameter-efficient method that learns low-rank updates to frozen weights.",
        definition="LoRA trains two thin matrices of a small rank r, like adapters beside the frozen weights.",
        aliases=("Low-rank adaptation",),
    )
    make_term(
        name="Adapter",
        short_definition="A small trainable module inserted into a frozen network.",
        definition="Adapters add a few parameters to each layer.",
        aliases=("Adapter layer",),
    )
    make_term(
        name="Replay",
        short_definition="Mixing examples of earlier tasks into training on a new one.",
        aliases=("Rehearsal", "Experience replay"),
    )
    make_term(name="Learning rate", short_definition="How far each update moves the weights.")
    make_term(
        name="Regularization",
        short_definition="A penalty that keeps a model simple.",
        aliases=("Regularisation",),
    )
    make_term(name="Mixture of experts", short_definition="Layers of experts and a router.", aliases=("MoE",))
    make_term(name="Naïve Bayes", short_definition="A classifier that assumes features are independent.")
    make_term(
        name="Elastic weight consolidation",
        short_definition="A penalty on moving the weights that mattered for old tasks.",
        aliases=("EWC",),
    )
    make_term(
        name="Stability-plasticity dilemma",
        short_definition="Keeping old knowledge while staying able to learn.",
    )
    make_term(name="Rank", short_definition="The number of independent rows of a matrix.")
    make_article(
        title="Why fine-tuned models forget",
        body="Catastrophic forgetting, shown with a tiny network. LoRA and replay help; EWC too.",
    )
    make_article(
        title="Catastrophic forgetting in practice",
        body="What catastrophic forgetting costs a team, measured before and after a fine-tune.",
    )
    make_quiz(title="Forgetting quiz")
    make_quiz(title="Parameter-efficient methods")


# (query, the URL of the first result). Each line is one way learners write what they mean.
RELEVANCE = [
    ("fine tuning", "/glossary/fine-tuning/"),  # spaces,
    ("fine-tuning", "/glossary/fine-tuning/"),  # hyphens
    ("finetuning", "/glossary/fine-tuning/"),  # and neither do not matter
    ("FINE TUNING", "/glossary/fine-tuning/"),  # nor case
    ("ﬁne-tuning", "/glossary/fine-tuning/"),  # nor a ligature
    ("full finetuning", "/glossary/full-fine-tuning/"),
    ("forgeting", "/glossary/catastrophic-forgetting/"),  # one typo in 9 letters
    ("catastrofic forgeting", "/glossary/catastrophic-forgetting/"),  # two in 11, one in 9
    ("catastrophic forgetting", "/glossary/catastrophic-forgetting/"),  # the term, not the article titled so
    ("replya", "/glossary/replay/"),  # two letters swapped
    ("lroa", "/glossary/lora/"),  # a swap in a 4-letter word
    ("rehersal", "/glossary/replay/"),  # a typo in another name
    ("rehearsal", "/glossary/replay/"),  # other names count as names
    ("interference", "/glossary/catastrophic-forgetting/"),
    ("moe", "/glossary/mixture-of-experts/"),  # an alias of 3 letters, exactly
    ("ewc", "/glossary/elastic-weight-consolidation/"),  # above the article that mentions EWC
    ("LoRA rank", "/glossary/lora/"),  # words from the name and an other name
    ("LoRA adapters", "/glossary/lora/"),  # words from the name and the definition
    ("adapters", "/glossary/adapter/"),  # plural
    ("adapter layers", "/glossary/adapter/"),
    ("regularisation", "/glossary/regularization/"),  # British spelling, an alias
    ("regularizations", "/glossary/regularization/"),
    ("naive bayes", "/glossary/naive-bayes/"),  # accents do not matter
    ("NAÏVE", "/glossary/naive-bayes/"),
    ("ＬｏＲＡ", "/glossary/lora/"),  # full-width letters
    ("catas", "/glossary/catastrophic-forgetting/"),  # prefix, as typed
    ("lear", "/glossary/learning-rate/"),
    ("stability plast", "/glossary/stability-plasticity-dilemma/"),
    ("rank", "/glossary/rank/"),  # the exact name first, above LoRA's other name
    ("what is lora", "/glossary/lora/"),  # question words are not required
    ("why models forget", "/learn/why-fine-tuned-models-forget/"),  # an article's title beats mentions
    ("forgetting quiz", "/quizzes/forgetting-quiz/"),
]


@pytest.mark.parametrize(("query", "first"), RELEVANCE, ids=[q for q, _ in RELEVANCE])
def test_search_finds_what_learners_mean_first(client, library, query, first):
    html = client.get(reverse("learn:search"), {"q": query}).content.decode()

    found = FIRST_RESULT.search(html)
    assert found, f"nothing found for {query!r}"
    assert found.group(1) == first


def test_a_term_outranks_an_article_that_only_mentions_it(library):
    results = site_search("catastrophic forgetting")

    assert [group.kind.name for group in results.groups] == ["term", "article"]
    articles = [r.url for r in results.groups[1].results]
    assert articles[0] == "/learn/catastrophic-forgetting-in-practice/"  # its title, above a mention


def test_results_are_grouped_and_the_words_highlighted(client, library):
    html = client.get(reverse("learn:search"), {"q": "forgeting"}).content.decode()

    assert '<h2 id="r-terms">Glossary terms</h2>' in html
    assert '<h2 id="r-articles">Articles</h2>' in html
    assert '<h2 id="r-quizzes">Quizzes</h2>' in html
    assert "Showing results for “<strong>forgetting</strong>”." in html
    assert "Catastrophic <mark>forgetting</mark></a>" in html
    assert html.index('id="r-terms"') < html.index('id="r-articles"') < html.index('id="r-quizzes"')


def test_a_match_in_another_name_is_shown(client, library):
    html = client.get(reverse("learn:search"), {"q": "interference"}).content.decode()

    assert "Also called Catastrophic <mark>interference</mark>" in html


def test_a_match_in_the_body_shows_the_words_around_it(library):
    make_term(
        name="Warmup",
        short_definition="Starting with a small learning rate.",
        how_it_works="The rate climbs over the first steps, then a schedule takes over. " * 3
        + "Some teams call this the zebracorn phase, others do not name it at all. " * 2,
    )

    results = site_search("zebracorn")

    snippet = results.groups[0].results[0].shown.snippet
    assert "<mark>zebracorn</mark> phase" in snippet
    assert snippet.startswith("… ")


def test_hyphenated_names_are_highlighted_whole(library):
    results = site_search("finetuning")

    assert results.groups[0].results[0].shown.title == "<mark>Fine-tuning</mark>"


def test_zero_results_suggest_the_nearest_terms_by_spelling(client, library):
    html = client.get(reverse("learn:search"), {"q": "replqq"}).content.decode()

    assert "No results for “replqq”." in html
    assert 'Did you mean <a href="/search/?q=Replay">Replay</a>?' in html
    nothing = client.get(reverse("learn:search"), {"q": "qwzxv"}).content.decode()
    assert "No results for “qwzxv”." in nothing and "Did you mean" not in nothing


def test_the_nearest_terms_are_listed_when_several_are_close(client):
    make_term(name="Dropout")
    make_term(name="Droplet")
    make_term(name="Drop path")

    html = client.get(reverse("learn:search"), {"q": "dorpuot"}).content.decode()  # two typos: too many

    assert "No results for “dorpuot”." in html
    assert 'Did you mean <a href="/search/?q=Dropout">Dropout</a>?' in html
    assert "Terms spelled like “dorpuot”" in html
    assert '<a class="result-link" href="/glossary/dropout/">Dropout</a>' in html
    assert '<a class="result-link" href="/glossary/droplet/">Droplet</a>' in html
    assert "Drop path" not in html


def test_result_counts_are_bounded_and_the_rest_is_a_link_away(client):
    for i in range(RESULTS_PER_KIND + 5):
        make_term(name=f"Replay variant {i:02d}")

    html = client.get(reverse("learn:search"), {"q": "replay"}).content.decode()

    assert html.count('<a class="result-link"') == RESULTS_PER_KIND
    assert f"{RESULTS_PER_KIND} results for “replay”." in html
    assert '<a href="/glossary/?q=replay">More terms for “replay” in the glossary</a>' in html


def test_unpublished_content_is_never_found(client):
    make_term(name="Hidden replay", is_published=False)
    make_article(title="Hidden replay article", is_published=False)
    make_quiz(title="Hidden replay quiz", is_published=False)
    make_term(name="Replay")

    html = client.get(reverse("learn:search"), {"q": "hidden replay"}).content.decode()

    assert "No results" in html and "Hidden" not in html.split("<main", 1)[1].split("No results", 1)[1]


# ---- Bad input ------------------------------------------------------------------------------

BAD_INPUTS = [
    "x" * 1000,
    "fine " * 300,
    " ".join(f"word{i}" for i in range(200)),
    '"',
    '"lora',
    "lora*",
    "*",
    "NEAR(lora rank)",
    '"lora" NEAR/2 "rank"',
    "lora AND rank",
    "AND OR NOT",
    "-lora",
    "lora -rank",
    "title:lora",
    "{names} : lora",
    "^lora",
    "lora:* & rank | !x",
    "'; DROP TABLE glossary_term; --",
    "%' OR 1=1 --",
    "%_%",
    "lo\x00ra",
    "\x00",
    "\x00" * 50,
    "ℒøℝα 🤖 ﷽",
    "🤖🤖",
    "\u202e\u0000\ufeff",
    "e\u0301\u0301\u0301" * 20,
    "Ǆ ǅ ǆ ẞ ß İ ı",
    "٣٤٥ 漢字 かな",
    "a" * 41 + " " + "b" * 200,
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_gives_results_or_nothing_found_never_an_error(client, library, caplog, query):
    caplog.set_level(logging.DEBUG, logger="django.db.backends")  # records every query: errors too
    with caplog.at_level(logging.WARNING):
        pages = [
            client.get(reverse("learn:search"), {"q": query}),
            client.get(reverse("learn:search"), {"q": query}, **HX),
            client.get(reverse("glossary:list"), {"q": query}),
            client.get(reverse("glossary:list"), {"q": query}, **HX),
        ]

    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert ANSWERED.search(html), html  # results, a clear "nothing", or the page without a query
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []


def test_the_query_is_bounded(client, library):
    response = client.get(reverse("learn:search"), {"q": "lora " + "x" * 1000})

    assert response.context["query"] == ("lora " + "x" * 1000)[:MAX_QUERY_LENGTH]
    assert response.status_code == 200


def test_fts_syntax_is_read_as_words(client, library):
    for query in ('"lora"', "lora*", "-lora", "(lora)", "lora:"):
        html = client.get(reverse("learn:search"), {"q": query}).content.decode()
        assert FIRST_RESULT.search(html).group(1) == "/glossary/lora/", query


# ---- The index follows every change ----------------------------------------------------------


def first(query: str) -> str | None:
    results = site_search(query)
    return results.groups[0].results[0].url if results.groups else None


def test_an_edit_in_admin_is_found_on_the_next_search(admin_client, client, library):
    term = make_term(name="Replay buffer", short_definition="Old examples kept.")
    category = make_category(name="Training")
    assert "Replay" in client.get(reverse("learn:search"), {"q": "replay"}).content.decode()  # cached now

    saved = admin_client.post(
        f"/admin/glossary/term/{term.pk}/change/",
        {
            "name": "Rehearsal buffer",
            "slug": "replay-buffer",
            "short_definition": "Now edited.",
            "definition": "",
            "why_it_matters": "",
            "how_it_works": "",
            "example": "",
            "common_mistakes": "",
            "is_published": "on",
            "categories": [category.pk],
            "related": [],
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Zygomorphic memory",
            "aliases-0-slug": "zygomorphic-memory",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
        },
    )

    assert saved.status_code == 302
    assert first("rehearsal buffer") == "/glossary/replay-buffer/"
    assert first("zygomorphic") == "/glossary/replay-buffer/"  # a new other name
    html = client.get(reverse("learn:search"), {"q": "replay buffer"}).content.decode()
    assert "Old examples kept." not in html


def test_saving_unpublishing_and_deleting_one_row_at_a_time(library):
    article = make_article(title="Quokka training notes")
    assert first("quokka") == article.get_absolute_url()

    article.is_published = False
    article.save()
    assert first("quokka") is None

    term = make_term(name="Quokka")
    alias = Alias.objects.create(term=term, name="Short-tailed scrub wallaby", slug="scrub-wallaby")
    assert first("scrub wallaby") == "/glossary/quokka/"
    alias.delete()
    assert first("scrub wallaby") is None
    term.delete()
    assert first("quokka") is None


def test_bulk_changes_are_found_after_the_version_is_bumped(library):
    now = timezone.now()
    Term.objects.bulk_create(
        [Term(name="Okapi", slug="okapi", short_definition="A giraffid.", created_at=now, updated_at=now)]
    )
    Quiz.objects.filter(title="Forgetting quiz").update(title="Platypus quiz")
    bump_content_version()  # what every bulk write must do (learn/signals.py)

    assert first("okapi") == "/glossary/okapi/"
    assert first("platypus") == "/quizzes/forgetting-quiz/"
    Article.objects.update(is_published=False)
    bump_content_version()
    assert [g.kind.name for g in site_search("catastrophic forgetting").groups] == ["term"]


def test_load_content_and_a_plain_loaddata_build_the_index():
    call_command("load_content")
    assert first("fine tuning") == "/glossary/fine-tuning/"
    # The shipped glossary has three "… forgetting" terms: a typo still finds the one meant.
    assert first("catastrofic forgeting") == "/glossary/catastrophic-forgetting/"

    Term.objects.filter(slug="lora").delete()  # deleting one row updates the index at once
    assert first("lora") != "/glossary/lora/"
    call_command("loaddata", "glossary/fixtures/glossary.yaml", verbosity=0)  # rows only bump the version
    assert first("lora") == "/glossary/lora/"


@pytest.mark.django_db(transaction=True)  # SQLite alters tables outside a transaction only
def test_the_migration_builds_the_index_from_the_content_already_there(library):
    call_command("migrate", "learn", "0007", verbosity=0)  # just before the search index
    call_command("migrate", "learn", verbosity=0)

    assert first("forgeting") == "/glossary/catastrophic-forgetting/"


# ---- The page ---------------------------------------------------------------------------------


def test_search_with_htmx_returns_the_results_and_the_count_for_screen_readers(client, library):
    fragment = client.get(reverse("learn:search"), {"q": "replay"}, **HX)
    page = client.get(reverse("learn:search"), {"q": "replay"})

    body = fragment.content.decode()
    assert "<html" not in body and 'id="search-results"' not in body
    assert body.strip().startswith('<p class="result-count">')
    assert '<p id="search-status" hx-swap-oob="innerHTML">' in body and "result" in body
    full = page.content.decode()
    assert "<html" in full and 'id="search-results"' in full
    assert 'hx-replace-url="true"' in full and "hx-push-url" not in full
    assert '<p id="search-status" class="visually-hidden" role="status"></p>' in full
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]


def test_glossary_search_with_htmx_replaces_the_url_and_announces_the_count(client, library):
    fragment = client.get(reverse("glossary:list"), {"q": "fine tuning"}, **HX).content.decode()
    page = client.get(reverse("glossary:list"), {"q": "fine tuning"}).content.decode()

    assert "<html" not in fragment and "<mark>Fine-tuning</mark>" in fragment
    assert '<p id="glossary-status" hx-swap-oob="innerHTML">' in fragment
    assert "<html" in page and 'hx-replace-url="true"' in page and "hx-push-url" not in page


def test_the_search_page_works_without_a_query(client):
    html = client.get(reverse("learn:search")).content.decode()

    assert "Type a word to search" in html
    assert "data-search-shortcut" in html and 'id="site-search"' not in html  # the page's box only


@pytest.mark.parametrize("items", [1, 3])
def test_search_page_query_count_is_fixed(client, page_queries, items):
    for i in range(items):
        make_term(name=f"Replay {i}", aliases=(f"Rehearsal {i}",))
        make_article(title=f"Replay article {i}")
        make_quiz(title=f"Replay quiz {i}")
    # versions with the vocabulary, then one search for every kind
    page_queries(client, "/search/?q=replay", 3, cold=3)
    page_queries(client, "/search/?q=replay", 3, HTTP_HX_REQUEST="true")
    # a typo: one more for words spelled like it
    page_queries(client, "/search/?q=replya", 4)
    # nothing found: and one for the names spelled like the query
    page_queries(client, "/search/?q=zzqxw", 5)
    page_queries(client, "/glossary/?q=replay", 4)  # and the categories
