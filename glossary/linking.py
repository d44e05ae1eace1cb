"""Link the first mention of every glossary term in rendered HTML.

The matcher (one regular expression over every published name and alias, longest first) is built
once per version of the glossary and kept in the process; a page pays one small query to learn the
current version. Linking walks the HTML's text nodes and never touches code, links or headings.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import reverse

from glossary.models import Alias, Term

SKIP_TAGS = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "svg", "figure"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col"}


@dataclass(frozen=True)
class Matcher:
    """Phrase -> slug, compiled. Pure: built from plain data, no database."""

    version: str
    phrases: dict[str, str]
    names: dict[str, str]
    pattern: re.Pattern | None = field(default=None, compare=False)

    @classmethod
    def build(cls, version: str, entries: list[tuple[str, str, str]]) -> Matcher:
        """``entries``: (phrase, slug, display name) for every name and alias."""
        phrases = {phrase.lower(): slug for phrase, slug, _ in entries if phrase.strip()}
        names = {slug: name for _, slug, name in entries}
        if not phrases:
            return cls(version, phrases, names, None)
        alternation = "|".join(re.escape(p) for p in sorted(phrases, key=lambda p: (-len(p), p)))
        pattern = re.compile(rf"(?<![\w-])({alternation})(?:e?s)?(?!\w)", re.IGNORECASE)
        return cls(version, phrases, names, pattern)

    def link(self, html: str, *, exclude: str | None = None) -> str:
        if self.pattern is None:
            return html
        walker = _Walker(self, exclude)
        walker.feed(html)
        walker.close()
        return "".join(walker.out)


class _Walker(HTMLParser):
    def __init__(self, matcher: Matcher, exclude: str | None):
        super().__init__(convert_charrefs=False)
        self.matcher = matcher
        self.linked: set[str] = {exclude} if exclude else set()
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
        if self.skip_depth:
            self.out.append(data)
        else:
            self.out.append(self.matcher.pattern.sub(self._replace, data))

    def _replace(self, match: re.Match) -> str:
        slug = self.matcher.phrases.get(match.group(1).lower())
        if slug is None or slug in self.linked:
            return match.group(0)
        self.linked.add(slug)
        url = reverse("glossary:detail", args=[slug])
        preview = reverse("glossary:preview", args=[slug])
        return f'<a class="term" href="{url}" data-preview="{preview}">{match.group(0)}</a>'


_lock = threading.Lock()
_current: Matcher | None = None


def current_matcher() -> Matcher:
    """The matcher for the glossary as it is now: one query, two more when it changed."""
    global _current
    terms = Term.objects.published()
    version = terms.version()
    matcher = _current
    if matcher is None or matcher.version != version:
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


@dataclass(frozen=True)
class TermLinker:
    """What ``learn.markdown.render(link=...)`` expects: a cache key and a callable."""

    matcher: Matcher
    exclude: str | None = None

    @property
    def cache_key(self) -> str:
        return f"{self.matcher.version}:{self.exclude or ''}"

    def __call__(self, html: str) -> str:
        return self.matcher.link(html, exclude=self.exclude)


def term_linker(*, exclude: str | None = None) -> TermLinker:
    return TermLinker(current_matcher(), exclude)
