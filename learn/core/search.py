"""What every search needs before a query reaches a database and after its answer comes back,
whichever database and whichever app searches. Plain Python: no database, no app.

- Text into words and keys: case, accents, hyphens and spaces do not matter ("Fine-tuning",
  "fine tuning" and "finetuning" share the key ``finetuning``), plurals are folded (``singular``).
- A query (``parse``): its words, bounded in number and length, with the other spellings the
  index knows for a word it does not (a typo fixed, a compound split), added by the index.
- The query languages of SQLite FTS5 and PostgreSQL tsquery, built from those words only, so no
  user text is ever read as query syntax (``"``, ``*``, ``NEAR``, ``AND``, ``-``, ``:``).
- Spelling distance, for typos and "did you mean".
- Highlighting: matched words wrapped in ``<mark>``, everything else escaped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape  # what django.utils.html.escape does, without its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8  # words of a query that are searched; the rest are ignored
MAX_WORD_LENGTH = 40
MAX_SPELLING_FIXES = 3  # unknown words of one query looked up by spelling
MAX_SPLIT_LENGTH = 24  # longest unknown word tried as two known words ("finetuning")

WORD_RE = re.compile(r"[^\W_]+")

# PostgreSQL's English stop words (Snowball's list, tsearch_data/english.stop): dropped from a
# query that has other words, on both databases, so that both find the same things.
_ENGLISH_STOP_LIST = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom this "
    "that these those am is are was were be been being have has had having do does did doing a an "
    "the and but if or because as until while of at by for with about against between into through "
    "during before after above below to from up down in out on off over under again further then "
    "once here there when where why how all any both each few more most other some such no nor not "
    "only own same so than too very s t can will just don should now"
)
STOPWORDS = frozenset(_ENGLISH_STOP_LIST.split())


def clean_query(raw: str | None) -> str:
    """A search box's text, made safe for every database: no NULs, bounded, trimmed."""
    return " ".join((raw or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def fold(text: str) -> str:
    """Lower case without accents: "Naïve Café" -> "naive cafe" (compatibility forms too: "ﬁ" -> "fi")."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of a text: letters and digits; everything else separates them."""
    return WORD_RE.findall(fold(text))


@lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """A folded word without its plural ending: adapters -> adapter, batches -> batch,
    entropies -> entropy; loss, bias and corpus stay. Used on both sides of every comparison, so
    its few mistakes ("series" -> "sery") cancel out."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def key(text: str) -> str:
    """A name with its spaces, hyphens and plurals gone: "LoRA adapters" -> "loraadapter"."""
    return "".join(singular(w) for w in words(text))


def suffix_keys(text: str) -> list[str]:
    """The keys of a name from each of its words on: "Full fine-tuning" -> fullfinetuning,
    finetuning, tuning. A query typed without spaces ("finetuning") finds the name by them."""
    parts = [singular(w) for w in words(text)]
    return ["".join(parts[i:]) for i in range(len(parts))]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A rough English stem for highlighting only (the databases stem for matching):
    forgetting -> forget, tuning -> tun, adapters -> adapter."""
    word = singular(word)
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in {"ing", "ings", "ed", "edly"} and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    return word


def typo_budget(word: str) -> int:
    """Typos forgiven in a word: none below 4 letters, one from 4, two from 8."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def distance(a: str, b: str, limit: int = 99) -> int:
    """Edits between two words (insert, delete, replace, swap two neighbours: optimal string
    alignment); anything over ``limit`` is reported as ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def trigrams(word: str) -> list[str]:
    """The trigrams of a word padded with two ``^`` before and two ``$`` after, so that every
    word of 4 or more letters keeps at least one trigram through any single typo."""
    padded = f"^^{word}$$"
    return list(dict.fromkeys(padded[i : i + 3] for i in range(len(padded) - 2)))


@dataclass(frozen=True)
class Query:
    """A searched text: its folded words (at most ``MAX_WORDS``), the last one typed perhaps only
    in part, and ``spellings``: for a word the index does not know, the forms it does know (typo
    fixes like forgeting -> forgetting, or a compound split like finetuning -> fine tuning)."""

    text: str
    words: tuple[str, ...]
    spellings: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, compare=False)

    def __bool__(self) -> bool:
        return bool(self.words)

    @cached_property
    def key(self) -> str:
        return "".join(singular(w) for w in self.words)

    @cached_property
    def terms(self) -> tuple[str, ...]:
        """The words that must match: stop words go unless nothing else is left."""
        kept = tuple(w for w in self.words if w not in STOPWORDS)
        return kept or self.words

    def forms(self, word: str) -> tuple[tuple[str, ...], ...]:
        """Each way the word may appear in a document: itself, then what the index suggested."""
        return ((word,), *self.spellings.get(word, ()))

    def with_spellings(self, spellings: dict[str, tuple[tuple[str, ...], ...]]) -> Query:
        return Query(self.text, self.words, {w: s for w, s in spellings.items() if s})

    @cached_property
    def corrected(self) -> str:
        """The query with its typos fixed ("catastrophic forgeting" -> "catastrophic forgetting"),
        or "" when none was; a compound split ("finetuning") is no typo."""
        fixed = {w: forms[0][0] for w, forms in self.spellings.items() if len(forms[0]) == 1}
        return " ".join(fixed.get(w, w) for w in self.words) if fixed else ""

    @cached_property
    def matcher(self) -> Matcher:
        forms = {" ".join(form) for w in self.terms for form in self.forms(w)}
        return Matcher(tuple(stem(w) for form in forms for w in form.split()), self.key)


def parse(text: str) -> Query:
    cleaned = clean_query(text)
    found = [w[:MAX_WORD_LENGTH] for w in words(cleaned)][:MAX_WORDS]
    return Query(cleaned, tuple(found))


# ---- Query languages, built from words only ------------------------------------------------------


def _fts5(tokens: tuple[str, ...], prefix: bool) -> str:
    phrase = '"' + " ".join(tokens).replace('"', '""') + '"'
    return phrase + "*" if prefix else phrase


def fts5_names(query: Query) -> str:
    """FTS5 query on the names table (unstemmed): every word as a prefix, or the whole key as
    one ("fine tuning" -> ... OR keys : "finetuning"*)."""
    groups = [
        "(" + " OR ".join(_fts5(tuple(map(singular, form)), True) for form in query.forms(w)) + ")"
        for w in query.terms
    ]
    expression = "{names keys} : (" + " AND ".join(groups) + ")"
    if len(query.words) > 1 and query.key:
        expression = f"({expression}) OR (keys : {_fts5((query.key,), True)})"
    return expression


def fts5_text(query: Query) -> str:
    """FTS5 query on the stemmed tables: every word, the last one as a prefix too, or the whole
    query written as one word ("fine tuning" also finds "finetuning")."""
    last = len(query.terms) - 1
    groups = [
        "(" + " OR ".join(_fts5(form, i == last) for form in query.forms(w)) + ")"
        for i, w in enumerate(query.terms)
    ]
    expression = " AND ".join(groups)
    if len(query.words) > 1 and query.key:
        expression = f"({expression}) OR {_fts5((query.key,), False)}"
    return expression


def _lexeme(word: str, prefix: bool) -> str:
    safe = "".join(WORD_RE.findall(word))  # only letters and digits reach tsquery
    return f"'{safe}':*" if prefix else f"'{safe}'"


def _tsquery_form(tokens: tuple[str, ...], prefix: bool) -> str:
    return " <-> ".join(_lexeme(t, prefix and i == len(tokens) - 1) for i, t in enumerate(tokens))


def tsquery_names(query: Query) -> str:
    """The same as ``fts5_names`` for PostgreSQL's ``to_tsquery('simple', ...)``."""
    groups = [
        "(" + " | ".join(_tsquery_form(tuple(map(singular, form)), True) for form in query.forms(w)) + ")"
        for w in query.terms
    ]
    expression = " & ".join(groups)
    if len(query.words) > 1 and query.key:
        expression = f"({expression}) | {_lexeme(query.key, True)}"
    return expression


def tsquery_text(query: Query) -> str:
    """The same as ``fts5_text`` for PostgreSQL's ``to_tsquery('english', ...)``."""
    last = len(query.terms) - 1
    groups = [
        "(" + " | ".join(_tsquery_form(form, i == last) for form in query.forms(w)) + ")"
        for i, w in enumerate(query.terms)
    ]
    expression = " & ".join(groups)
    if len(query.words) > 1 and query.key:
        expression = f"({expression}) | {_lexeme(query.key, False)}"
    return expression


# ---- Highlighting ---------------------------------------------------------------------------------

MARKDOWN_NOISE = [  # (a string the pattern needs, the pattern, its replacement)
    ("```", re.compile(r"^```.*$", re.M), " "),  # code fences (their content is kept)
    ("](", re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    ("<", re.compile(r"<[^>]*>"), " "),  # inline HTML
    ("", re.compile(r"^[ \t]{0,3}(?:#{1,6}|[-*+]|\d+\.|>)[ \t]+", re.M), ""),  # headings, items, quotes
]
MARKUP = str.maketrans("*_`~|", "     ")  # emphasis, code spans, table pipes


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees, for indexing and snippets (no rendering needed)."""
    text = markdown
    for needed, pattern, replacement in MARKDOWN_NOISE:
        if needed in text:
            text = pattern.sub(replacement, text)
    return " ".join(text.translate(MARKUP).split())


@dataclass(frozen=True)
class Matcher:
    """Which words of a text a query matched: a word whose stem starts with a query word's stem,
    or a run of words that spells the query's key ("Fine-tuning" for "finetuning")."""

    stems: tuple[str, ...]
    key: str

    def matches(self, word: str) -> bool:
        candidate = stem(word)
        return any(candidate.startswith(s) if len(s) >= 3 else candidate == s for s in self.stems if s)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character ranges of ``text`` to mark, in order, not overlapping."""
        if text.isascii():  # folding keeps every offset
            tokens = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text.lower())]
        else:
            tokens = [(m.start(), m.end(), fold(m.group())) for m in WORD_RE.finditer(text)]
        marked = [False] * len(tokens)
        key = self.key
        if len(key) >= 3:  # two or more words spelling the key, as "fine-tuning" does
            for i in range(len(tokens)):
                if not key.startswith(tokens[i][2][:2]):
                    continue
                joined = singular(tokens[i][2])
                for j in range(i + 1, len(tokens)):
                    if len(joined) >= len(self.key) or not self.key.startswith(joined):
                        break  # one word is the key (the word rule marks it), or the run went astray
                    joined += singular(tokens[j][2])
                    if joined.startswith(self.key):  # the whole key (its last word perhaps typed in part)
                        marked[i : j + 1] = [True] * (j + 1 - i)
                        break
        for i, (_, _, word) in enumerate(tokens):
            if not marked[i] and self.matches(word):
                marked[i] = True
        spans: list[tuple[int, int]] = []
        for (start, end, _), on in zip(tokens, marked, strict=True):
            if not on:
                continue
            if spans and not text[spans[-1][1] : start].strip(" -"):
                spans[-1] = (spans[-1][0], end)  # one <mark> for "fine-tuning"
            else:
                spans.append((start, end))
        return spans


def highlight(text: str, matcher: Matcher | None) -> SafeString:
    """The text, escaped, with what the query matched in ``<mark>``."""
    if matcher is None:
        return mark_safe(escape(text))
    out, at = [], 0
    for start, end in matcher.spans(text):
        out += [escape(text[at:start]), "<mark>", escape(text[start:end]), "</mark>"]
        at = end
    out.append(escape(text[at:]))
    return mark_safe("".join(out))  # every piece of text above went through escape()


SNIPPET_CHUNK = 2000  # characters looked at a time for the first match


def snippet(text: str, matcher: Matcher, size: int = 30) -> SafeString | None:
    """About ``size`` words of the text around its first match, highlighted; None without one.
    Only the text up to the first match is read, a chunk at a time (a body can be long)."""
    first = None
    for at in range(0, len(text), SNIPPET_CHUNK):
        chunk_start = max(0, text.rfind(" ", 0, at) + 1) if at else 0  # begin on a word
        spans = matcher.spans(text[chunk_start : at + SNIPPET_CHUNK])
        if spans:
            first = chunk_start + spans[0][0]
            break
    if first is None:
        return None
    start = first
    for _ in range(size // 4):  # a few words before the match
        space = text.rfind(" ", 0, max(0, start - 1))
        if space < 0:
            start = 0
            break
        start = space + 1
    words_after = text[start : start + size * 20].split(" ")
    piece = " ".join(words_after[:size]).rstrip()
    more = start + len(piece) < len(text.rstrip())
    html = highlight(piece, matcher)
    return mark_safe(("… " if start else "") + html + (" …" if more else ""))
