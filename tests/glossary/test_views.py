import pytest
from django.urls import reverse

from glossary.models import Term
from quizzes.models import Question
from tests.conftest import HX
from tests.factories import make_article, make_category, make_quiz, make_term

pytestmark = pytest.mark.django_db


def test_term_list_groups_published_terms_by_letter_with_definitions(client):
    make_term(name="Adapter", short_definition="A small trainable module.")
    make_term(name="LoRA", short_definition="Low-rank updates to frozen weights.")
    make_term(name="Hidden", is_published=False)

    response = client.get(reverse("glossary:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="letter-a">A</h2>' in html
    assert "A small trainable module." in html
    assert '<a href="#letter-l">L</a>' in html
    assert "Hidden" not in html
    # Letters without entries are shown but not linked.
    assert '<span aria-disabled="true" title="No terms under B">B</span>' in html
    assert 'href="#letter-b"' not in html


def test_term_list_filters_by_category_and_ignores_unknown_ones(client):
    training = make_category(name="Training")
    make_term(name="Replay", categories=(training,))
    make_term(name="MMLU")

    filtered = client.get(reverse("glossary:list"), {"category": "training"}).content.decode()
    unknown = client.get(reverse("glossary:list"), {"category": "no-such-thing"})

    assert "Replay" in filtered and "MMLU" not in filtered
    assert "1 term in Training" in filtered
    assert unknown.status_code == 200
    assert "Replay" in unknown.content.decode() and "MMLU" in unknown.content.decode()


def test_term_search_ranks_names_then_definitions_then_the_rest(client):
    make_term(name="Batch", why_it_matters="You mix examples.")  # only in the body
    make_term(name="Data blending", short_definition="Blend general data into the mix.")  # definition
    make_term(name="Token mixer")  # a name containing it
    make_term(name="Replay", aliases=("Mixing old data",))  # another name starting with it
    make_term(name="Mix")  # exact

    response = client.get(reverse("glossary:list"), {"q": "mix"})

    slugs = [t.slug for t in response.context["terms"]]
    assert slugs == ["mix", "replay", "token-mixer", "data-blending", "batch"]
    assert "5 terms match “mix”" in response.content.decode()


def test_term_list_search_with_htmx_returns_only_the_results_fragment(client):
    make_term(name="LoRA")
    make_term(name="Replay")

    fragment = client.get(reverse("glossary:list"), {"q": "lora"}, **HX)
    page = client.get(reverse("glossary:list"), {"q": "lora"})

    body = fragment.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<p class="result-count">')  # the inside of #glossary-results
    assert 'id="glossary-results"' not in body
    assert "LoRA" in body and "Replay" not in body
    assert "<html" in page.content.decode() and "LoRA" in page.content.decode()
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]


def test_term_search_says_so_when_nothing_matches(client):
    make_term(name="LoRA")

    html = client.get(reverse("glossary:list"), {"q": "zebra"}).content.decode()

    assert "0 terms match “zebra”" in html
    assert "Nothing matches yet" in html


@pytest.mark.parametrize(
    "query",
    ["x" * 1000, "\x00lora", "ℒøℝα 🤖 ﷽", "%' OR 1=1 --", "<script>alert(1)</script>", "\u202e\u0000\ufeff"],
)
def test_term_search_survives_odd_input(client, query):
    make_term(name="LoRA")

    response = client.get(reverse("glossary:list"), {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_term_list_ignores_repeated_and_malformed_parameters(client):
    make_term(name="LoRA")
    make_term(name="Replay")

    response = client.get(reverse("glossary:list") + "?q=lora&q=replay&category=%ZZ&category=")

    assert response.status_code == 200
    assert [t.slug for t in response.context["terms"]] == ["replay"]  # the last value wins


def test_term_detail_shows_every_part_of_the_entry(client):
    cat = make_category(name="Training")
    forgetting = make_term(
        name="Catastrophic forgetting",
        short_definition="Losing old skills while learning new ones.",
        aliases=("Catastrophic interference",),
        categories=(cat,),
        example="A recipe model forgets **technology**.",
    )
    replay = make_term(name="Replay", short_definition="Mixing old examples back in.")
    forgetting.related.add(replay)

    response = client.get(reverse("glossary:detail", args=["catastrophic-forgetting"]))

    html = response.content.decode()
    assert "<h1>Catastrophic forgetting</h1>" in html
    assert "Also called <strong>Catastrophic interference</strong>" in html
    assert '<meta name="description" content="Losing old skills while learning new ones.">' in html
    assert ">Training</a>" in html
    assert '<h2 id="section-example">An example</h2>' in html
    assert "<strong>technology</strong>" in html
    assert '<h2 id="section-common_mistakes">' not in html  # empty sections are left out
    assert "Mixing old examples back in." in html  # related term with its definition
    assert "Source 0 for Catastrophic forgetting" in html
    assert 'rel="next" href="/glossary/replay/"' in html


def test_related_terms_are_symmetric(client):
    a = make_term(name="Alpha")
    b = make_term(name="Beta")
    a.related.add(b)

    html = client.get(reverse("glossary:detail", args=["beta"])).content.decode()

    assert 'href="/glossary/alpha/"' in html


def test_term_detail_links_other_terms_but_not_itself(client):
    make_term(name="Replay", definition="Replay is often paired with a low learning rate.")
    make_term(name="Learning rate")

    html = client.get(reverse("glossary:detail", args=["replay"])).content.decode()

    assert 'href="/glossary/learning-rate/" data-preview' in html
    assert 'class="term" href="/glossary/replay/"' not in html


def test_alias_slug_redirects_permanently_to_the_term(client):
    make_term(name="Catastrophic forgetting", aliases=("Catastrophic interference",))

    response = client.get("/glossary/catastrophic-interference/")

    assert response.status_code == 301
    assert response["Location"] == "/glossary/catastrophic-forgetting/"


def test_unknown_and_unpublished_terms_get_the_sites_404(client):
    make_term(name="Draft", is_published=False, aliases=("Draft alias",))

    for url in ["/glossary/nope/", "/glossary/draft/", "/glossary/draft-alias/", "/glossary/draft/preview/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We couldn’t find that page" in response.content.decode()


def test_term_preview_is_a_fragment_with_htmx_and_a_page_without(client):
    make_term(name="LoRA", short_definition="Low-rank updates to frozen weights.")

    fragment = client.get(reverse("glossary:preview", args=["lora"]), **HX).content.decode()
    page = client.get(reverse("glossary:preview", args=["lora"])).content.decode()

    assert "<html" not in fragment
    assert "Low-rank updates to frozen weights." in fragment
    assert 'href="/glossary/lora/"' in fragment
    assert "<html" in page and "Low-rank updates to frozen weights." in page


def test_term_list_query_count_is_the_same_for_1_and_30_terms(client, page_queries):
    cat = make_category(name="Training")
    make_term(name="Only", categories=(cat,))
    # content version (page cache), categories, content version (letter counts), the terms
    page_queries(client, reverse("glossary:list"), 4)
    for i in range(29):
        make_term(name=f"Term {i:02d}", categories=(cat,), aliases=(f"Alias {i}",))
    response = page_queries(client, reverse("glossary:list"), 4)
    assert len(response.context["terms"]) == 30


def test_term_detail_query_count_is_the_same_for_1_and_30_terms(client, page_queries):
    make_term(name="Middle")
    # content version, the term and its categories, aliases, sources, related terms, articles,
    # quizzes and questions, the two neighbours, content version (the linker)
    page_queries(client, "/glossary/middle/", 12)
    terms = [make_term(name=f"Term {i:02d}", aliases=(f"Alias {i}",)) for i in range(29)]
    Term.objects.get(slug="middle").related.set(terms)
    response = page_queries(client, "/glossary/middle/", 12)
    assert len(response.context["term"].related.all()) == 29


def test_term_page_says_where_the_term_is_used_and_offers_its_questions(client):
    term = make_term(name="Replay")
    make_article(title="Forgetting explained", terms=(term,))
    make_article(title="Draft article", terms=(term,), is_published=False)
    named = make_quiz(title="Named quiz", questions=1)
    named.related_terms.add(term)
    asking = make_quiz(title="Asking quiz", questions=2, terms=(term,))  # its questions are about it
    Question.objects.filter(quiz=asking, position=2).update(
        prompt="**Design review.** A long scenario.\n\nWhat does *replay* mainly provide?"
    )
    make_quiz(title="Hidden quiz", questions=1, terms=(term,), is_published=False)

    html = client.get(term.get_absolute_url()).content.decode()

    used = html[html.index('<p class="used-in">') :]
    used = used[: used.index("</p>")]
    assert (
        '<a href="/learn/forgetting-explained/">Forgetting explained</a> <span class="meta">(article)</span>'
        in used
    )
    assert ">Named quiz</a>" in used and ">Asking quiz</a>" in used  # named, or asked about
    assert "Draft article" not in html and "Hidden quiz" not in html
    test = html[html.index('<section class="test-yourself') :]
    assert "2 questions about replay" in test
    assert '<a href="/quizzes/asking-quiz/#q2">What does replay mainly provide?</a>' in test
    assert '<a href="/quizzes/asking-quiz/#q1">Prompt of question 1?</a>' in test


def test_term_page_without_uses_has_neither(client):
    term = make_term(name="Lonely")

    html = client.get(term.get_absolute_url()).content.decode()

    assert 'class="used-in"' not in html and "Test yourself" not in html


@pytest.mark.parametrize("uses", [1, 3])
def test_term_detail_query_count_is_the_same_for_1_and_3_uses(client, page_queries, uses):
    term = make_term(name="Middle")
    for i in range(uses):
        make_article(title=f"Article {i}", terms=(term,))
        make_quiz(title=f"Quiz {i}", questions=2, terms=(term,)).related_terms.add(term)

    response = page_queries(client, term.get_absolute_url(), 12)

    assert len(response.context["term"].uses) == 2 * uses
    assert response.content.decode().count("#q2") == uses


def test_glossary_pages_only_answer_get(client):
    make_term(name="LoRA")

    assert client.post(reverse("glossary:list")).status_code == 405
    assert client.post(reverse("glossary:detail", args=["lora"])).status_code == 405


def test_a_server_error_shows_the_sites_friendly_500_page(client):
    from unittest import mock

    from glossary.models import TermQuerySet

    client.raise_request_exception = False
    with mock.patch.object(TermQuerySet, "alphabetical", side_effect=RuntimeError("boom")):
        response = client.get(reverse("glossary:list"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "boom" not in html and "Traceback" not in html
