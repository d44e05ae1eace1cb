"""The search rules of the base layer (learn/core/search.py): plain functions, no database."""

import re

import pytest

from learn.core.search import (
    MAX_QUERY_LENGTH,
    MAX_WORD_LENGTH,
    MAX_WORDS,
    clean_query,
    distance,
    fold,
    fts5_names,
    fts5_text,
    highlight,
    key,
    parse,
    plain_text,
    singular,
    snippet,
    suffix_keys,
    trigrams,
    tsquery_names,
    tsquery_text,
    typo_budget,
    words,
)


def test_clean_query_drops_nuls_and_extra_space_and_bounds_the_length():
    assert clean_query("  lo\x00ra \n rank ") == "lo ra rank"
    assert clean_query(None) == ""
    assert len(clean_query("x" * 1000)) == MAX_QUERY_LENGTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Naïve Café", "naive cafe"), ("ＬｏＲＡ", "lora"), ("ﬁne", "fine"), ("Straße", "strasse"), ("É", "e")],
)
def test_fold_removes_case_accents_and_compatibility_forms(text, expected):
    assert fold(text) == expected


def test_words_split_on_everything_but_letters_and_digits():
    assert words("Fine-tuning (LoRA), GPT-4's k_NN") == ["fine", "tuning", "lora", "gpt", "4", "s", "k", "nn"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("adapters", "adapter"),
        ("batches", "batch"),
        ("entropies", "entropy"),
        ("classes", "class"),
        ("loss", "loss"),
        ("ideas", "idea"),
        ("corpus", "corpus"),
        ("analysis", "analysis"),
        ("its", "its"),
        ("llms4", "llms4"),
    ],
)
def test_singular(word, expected):
    assert singular(word) == expected


def test_keys_ignore_spaces_hyphens_case_and_plurals():
    assert key("Fine-tuning") == key("fine tuning") == key("FINETUNING") == "finetuning"
    assert key("LoRA adapters") == key("LoRA adapter") == "loraadapter"
    assert suffix_keys("Full fine-tuning") == ["fullfinetuning", "finetuning", "tuning"]


def test_typo_budget_is_one_from_4_letters_and_two_from_8():
    assert [typo_budget("x" * n) for n in (1, 3, 4, 7, 8, 12)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("forgeting", "forgetting", 1),
        ("lroa", "lora", 1),  # neighbours swapped
        ("replya", "replay", 1),
        ("catastrofic", "catastrophic", 2),
        ("lora", "lora", 0),
        ("", "abc", 3),
    ],
)
def test_distance_counts_edits(a, b, edits):
    assert distance(a, b) == edits


def test_distance_stops_at_the_limit():
    assert distance("abcdefgh", "zyxwvuts", 2) == 3
    assert distance("a", "abcdef", 2) == 3


def test_every_single_typo_in_a_4_letter_word_keeps_a_trigram():
    word = "lora"
    typos = {word[:i] + word[i + 1 :] for i in range(4)}  # deletions
    typos |= {word[:i] + "x" + word[i + 1 :] for i in range(4)}  # replacements
    typos |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(3)}  # swaps
    typos |= {word[:i] + "x" + word[i:] for i in range(5)}  # insertions
    for typo in typos:
        assert set(trigrams(typo)) & set(trigrams(word)), typo


HOSTILE = [
    '"',
    '" OR 1 --',
    "*",
    "NEAR(a b)",
    "a AND b",
    "-a",
    "col:a",
    "{a b}: c",
    "'",
    "a'b",
    "a & !b | c:*",
]
FTS5_TOKEN = re.compile(r'"(?:[^"]|"")*"\*?|\{names keys\}|keys|:|\(|\)|AND|OR')


@pytest.mark.parametrize("text", HOSTILE)
def test_fts5_queries_hold_user_text_only_inside_quotes(text):
    query = parse(text + " lora")
    for built in (fts5_names(query), fts5_text(query)):
        rest = FTS5_TOKEN.sub(" ", built)
        assert rest.strip() == "", built


@pytest.mark.parametrize("text", HOSTILE)
def test_tsqueries_hold_letters_and_digits_only_inside_quotes(text):
    query = parse(text + " lora")
    for built in (tsquery_names(query), tsquery_text(query)):
        quoted = re.findall(r"'([^']*)'", built)
        assert all(re.fullmatch(r"[^\W_]+", q) for q in quoted), built
        assert set(re.sub(r"'[^']*'", "", built)) <= set(" ()&|:*<->"), built


def test_a_query_keeps_at_most_a_few_words_of_bounded_length():
    query = parse(" ".join(["word"] * 50) + " " + "x" * 300)

    assert len(query.words) == MAX_WORDS
    assert parse("y" * 300).words == ("y" * MAX_WORD_LENGTH,)
    assert not parse("🤖 — ¿?")


def test_stop_words_are_not_required_unless_nothing_else_is_left():
    assert parse("what is LoRA").terms == ("lora",)
    assert parse("the").terms == ("the",)
    assert parse("mixture of experts").key == "mixtureofexpert"


def test_the_corrected_query_names_typo_fixes_but_not_compound_splits():
    query = parse("catastrophic forgeting").with_spellings({"forgeting": (("forgetting",),)})
    split = parse("finetuning").with_spellings({"finetuning": (("fine", "tuning"),)})

    assert query.corrected == "catastrophic forgetting"
    assert split.corrected == ""
    assert '"fine tuning"*' in fts5_text(split)  # the split, searched as a phrase
    assert "'fine' <-> 'tuning':*" in tsquery_text(split)


def test_highlight_marks_matches_and_escapes_everything_else():
    matcher = parse("forgetting").matcher

    html = highlight("<b>Forgetting</b> & forgets & forgot", matcher)

    assert html == "&lt;b&gt;<mark>Forgetting</mark>&lt;/b&gt; &amp; <mark>forgets</mark> &amp; forgot"


def test_highlight_marks_a_hyphenated_name_for_a_query_without_the_hyphen():
    assert highlight("Full fine-tuning", parse("finetuning").matcher) == "Full <mark>fine-tuning</mark>"
    assert highlight("Fine tuning", parse("finetun").matcher) == "<mark>Fine tuning</mark>"
    assert (
        highlight("Catastrophic forgetting", parse("catas").matcher) == "<mark>Catastrophic</mark> forgetting"
    )


def test_highlight_cannot_be_fooled_by_marks_in_the_text():
    html = highlight("a <mark>fake</mark> and lora", parse("lora").matcher)

    assert html == "a &lt;mark&gt;fake&lt;/mark&gt; and <mark>lora</mark>"


def test_snippet_is_the_words_around_the_first_match():
    text = (
        " ".join(f"w{i}" for i in range(100))
        + " the zebracorn phase "
        + " ".join(f"v{i}" for i in range(100))
    )

    shown = snippet(text, parse("zebracorn").matcher, size=20)

    assert shown.startswith("… ") and shown.endswith(" …")
    assert "<mark>zebracorn</mark> phase" in shown
    assert len(shown.split()) <= 24
    assert snippet("nothing here", parse("zebracorn").matcher) is None


def test_plain_text_keeps_the_words_a_reader_sees():
    markdown = "## Why\n\nSee [LoRA](/glossary/lora/) and **adapters**, `W + BA`.\n\n- one\n- two\n\n```chart\nx: y\n```"

    assert plain_text(markdown) == "Why See LoRA and adapters , W + BA . one two x: y"
