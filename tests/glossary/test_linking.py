import pytest

from glossary.linking import Matcher, current_matcher
from tests.factories import make_term

ENTRIES = [
    ("Catastrophic forgetting", "catastrophic-forgetting", "Catastrophic forgetting"),
    ("Catastrophic interference", "catastrophic-forgetting", "Catastrophic forgetting"),
    ("Forgetting", "forgetting", "Forgetting"),
    ("Adapter", "adapter", "Adapter"),
    ("LoRA", "lora", "LoRA"),
]


@pytest.fixture
def matcher():
    return Matcher.build("v1", ENTRIES)


def test_longest_match_wins(matcher):
    html = matcher.link("<p>Catastrophic forgetting hurts.</p>")

    assert 'href="/glossary/catastrophic-forgetting/"' in html
    assert 'href="/glossary/forgetting/"' not in html


def test_only_the_first_mention_is_linked(matcher):
    html = matcher.link("<p>LoRA is small. LoRA is cheap.</p>")

    assert html.count("<a ") == 1
    assert html.endswith("LoRA is cheap.</p>")


def test_aliases_link_to_their_term_and_count_as_its_mention(matcher):
    html = matcher.link("<p>Catastrophic interference, or catastrophic forgetting.</p>")

    assert html.count('href="/glossary/catastrophic-forgetting/"') == 1
    assert '">Catastrophic interference</a>' in html


def test_matching_is_case_insensitive_and_keeps_the_authors_case(matcher):
    assert '">lora</a>' in matcher.link("<p>we used lora here</p>")


def test_simple_plurals_are_linked(matcher):
    assert '">adapters</a>' in matcher.link("<p>Two adapters were trained.</p>")


def test_only_whole_words_are_linked(matcher):
    html = matcher.link("<p>Unforgetting and loraxes and xLoRA.</p>")

    assert "<a " not in html


@pytest.mark.parametrize(
    "fragment",
    [
        "<pre><code>LoRA adapter</code></pre>",
        "<p><code>LoRA</code></p>",
        '<p><a href="/x/">LoRA</a></p>',
        "<h2>LoRA</h2>",
        "<h3 id='x'>Adapter <em>LoRA</em></h3>",
    ],
)
def test_never_links_inside_code_links_or_headings(matcher, fragment):
    assert 'class="term"' not in matcher.link(fragment)


def test_text_after_a_skipped_element_is_still_linked(matcher):
    html = matcher.link("<h2>LoRA</h2><p>LoRA again</p>")

    assert (
        html
        == '<h2>LoRA</h2><p><a class="term" href="/glossary/lora/" data-preview="/glossary/lora/preview/">LoRA</a> again</p>'
    )


def test_a_term_page_does_not_link_to_itself(matcher):
    assert "<a " not in matcher.link("<p>LoRA</p>", exclude="lora")


def test_entities_and_markup_survive_linking(matcher):
    source = "<p>A &amp; B use LoRA&nbsp;now &lt;ok&gt;<br>next</p>"

    assert matcher.link(source) == (
        '<p>A &amp; B use <a class="term" href="/glossary/lora/" data-preview="/glossary/lora/preview/">LoRA</a>'
        "&nbsp;now &lt;ok&gt;<br>next</p>"
    )


def test_empty_glossary_links_nothing():
    assert Matcher.build("v0", []).link("<p>LoRA</p>") == "<p>LoRA</p>"


@pytest.mark.django_db
def test_matcher_is_rebuilt_only_when_the_glossary_changes(django_assert_num_queries):
    make_term(name="LoRA")
    first = current_matcher()
    with django_assert_num_queries(1):
        assert current_matcher() is first
    make_term(name="Replay")
    second = current_matcher()
    assert second is not first
    assert "replay" in second.phrases


@pytest.mark.django_db
def test_unpublished_terms_are_not_linked():
    make_term(name="LoRA", is_published=False)

    assert "lora" not in current_matcher().phrases


def test_phrases_match_across_line_breaks_and_hyphens(matcher):
    html = matcher.link("<p>Catastrophic\nforgetting and catastrophic-interference.</p>")

    assert '">Catastrophic\nforgetting</a>' in html
    assert html.count("<a ") == 1  # the alias is the same term, already linked


def test_a_match_never_starts_inside_a_hyphenated_word():
    matcher = Matcher.build("v", [("Tuning", "tuning", "Tuning"), ("LoRA", "lora", "LoRA")])

    assert "<a " not in matcher.link("<p>Fine-tuning is common.</p>")
    assert '">LoRA</a>-based' in matcher.link("<p>LoRA-based tuning.</p>")
