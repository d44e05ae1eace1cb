"""Link the first mention of every glossary term in rendered HTML.

The matcher (a dict of every published name and alias, matched longest phrase first) is built once
per content version (``learn.models.content_version``) and kept in the process; a page pays one
small query to learn the current version. Linking walks the HTML's text nodes and never touches
code, links or headings.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import reverse

from glossary.models import Alias, Term
from learn.core.models import content_version

SKIP_TAGS = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "svg", "figure"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col"}


WORD_RE = re.compile(r"\w+")
JOINER_RE = re.compile(r"\s+|-")  # what may separate the words of one phrase


def phrase_key(text: str) -> str:
    """ "Catastrophic  Forgetting" and "catastrophic-forgetting" become "catastrophic forgetting"."""
    return " ".join(word.lower() for word in WORD_RE.findall(text))


@dataclass(frozen=True)
class Matcher:
    """Phrase -> slug. Pure: built from plain data, no database.

    Matching walks the words of a text once; at each word it extends the phrase word by word while
    it is still the start of some name (a set of prefixes), and keeps the longest name found. The
    cost grows with the text, not with the size of the glossary.
    """

    version: int | None
    phrases: dict[str, str]
    names: dict[str, str]
    prefixes: frozenset[str] = frozenset()

    @classmethod
    def build(cls, version: int | None, entries: list[tuple[str, str, str]]) -> Matcher:
        """``entries``: (phrase, slug, display name) for every name and alias."""
        phrases = {key: slug for phrase, slug, _ in entries if (key := phrase_key(phrase))}
        names = {slug: name for _, slug, name in entries}
        prefixes = set()
        for key in phrases:
            words = key.split(" ")
            prefixes.update(" ".join(words[:n]) for n in range(1, len(words)))
        return cls(version, phrases, names, frozenset(prefixes))

    def lookup(self, key: str) -> str | None:
        """Exact phrase, or its simple plural ("adapters", "approaches")."""
        found = self.phrases.get(key)
        if found is None and key.endswith("s"):
            found = self.phrases.get(key[:-1])
            if found is None and key.endswith("es"):
                found = self.phrases.get(key[:-2])
        return found

    def link(self, html: str, *, exclude: str | None = None) -> str:
        return self.link_listing(html, exclude=exclude)[0]

    def link_listing(self, html: str, *, exclude: str | None = None) -> tuple[str, tuple[str, ...]]:
        """``html`` with first mentions linked, and the slugs linked, first mention first."""
        if not self.phrases:
            return html, ()
        walker = _Walker(self, exclude)
        walker.feed(html)
        walker.close()
        return "".join(walker.out), tuple(slug for slug in walker.linked if slug != exclude)

    def link_text(self, text: str, linked: dict[str, None]) -> str:
        """Link the first mention of each term not yet in ``linked`` in one run of HTML text."""
        matches = list(WORD_RE.finditer(text))
        words = [m.group().lower() for m in matches]
        out: list[str] = []
        cursor = index = 0
        while index < len(words):
            start = matches[index].start()
            if start > 0 and text[start - 1] == "-":
                index += 1  # never start inside a hyphenated word: "fine-tuning" is not "tuning"
                continue
            best_size, best_slug, key, size = 0, None, words[index], 1
            while True:
                slug = self.lookup(key)
                if slug is not None:
                    best_size, best_slug = size, slug
                last = index + size
                if (
                    key not in self.prefixes
                    or last >= len(words)
                    or not JOINER_RE.fullmatch(text[matches[last - 1].end() : matches[last].start()])
                ):
                    break
                key, size = f"{key} {words[last]}", size + 1
            if best_slug is None:
                index += 1
                continue
            if best_slug not in linked:
                linked[best_slug] = None
                end = matches[index + best_size - 1].end()
                url = reverse("glossary:detail", args=[best_slug])
                preview = reverse("glossary:preview", args=[best_slug])
                out.append(text[cursor:start])
                out.append(f'<a class="term" href="{url}" data-preview="{preview}">{text[start:end]}</a>')
                cursor = end
            index += best_size
        out.append(text[cursor:])
        return "".join(out)


class _Walker(HTMLParser):
    def __init__(self, matcher: Matcher, exclude: str | None):
        super().__init__(convert_charrefs=False)
        self.matcher = matcher
        self.linked: dict[str, None] = {exclude: None} if exclude else {}  # ordered
        self.skip_depth = 0
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in SKIP_TAGS:
            self.skip_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if tag in SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        pass

    def handle_data(self, data):
        self.out.append(data if self.skip_depth else self.matcher.link_text(data, self.linked))


_lock = threading.Lock()
_current: Matcher | None = None


def current_matcher() -> Matcher:
    """The matcher for the glossary as it is now: one query, two more when it changed."""
    global _current
    terms = Term.objects.published()
    version = content_version()
    matcher = _current
    if matcher is None or version is None or matcher.version != version:
        entries = [(name, slug, name) for name, slug in terms.values_list("name", "slug")]
        names = {slug: name for _, slug, name in entries}
        entries += [
            (alias, slug, names[slug])
            for alias, slug in Alias.objects.filter(term__is_published=True).values_list("name", "term__slug")
        ]
        matcher = Matcher.build(version, entries)
        with _lock:
            _current = matcher
    return matcher


def forget_matcher() -> None:
    """Drop this process's matcher; the next page builds it again (tests start from nothing)."""
    global _current
    with _lock:
        _current = None


@dataclass(frozen=True)
class TermLinker:
    """What ``learn.core.markdown.render(link=...)`` expects: a cache key and a callable."""

    matcher: Matcher
    exclude: str | None = None

    @property
    def cache_key(self) -> str | None:
        """None when the content has no version yet: nothing linked is cached then."""
        if self.matcher.version is None:
            return None
        return f"{self.matcher.version}:{self.exclude or ''}"

    def __call__(self, html: str) -> tuple[str, tuple[str, ...]]:
        return self.matcher.link_listing(html, exclude=self.exclude)


def term_linker(*, exclude: str | None = None) -> TermLinker:
    return TermLinker(current_matcher(), exclude)
