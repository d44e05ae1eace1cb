"""One Markdown renderer for the whole site: Markdown in, safe HTML out.

Python-Markdown with tables, fenced code highlighted by Pygments, heading anchors and ```chart
blocks; the output is sanitised by nh3. Glossary linking is passed in by the caller (this module
imports no app). Results are cached under a hash of the text, so unchanged content is never
rendered twice, whether its row was saved in admin or loaded by ``loaddata``.
"""

from __future__ import annotations

import hashlib
import html
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Protocol

import markdown
import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from learn.core import charts

# Bump when the output of render() changes for the same input.
RENDERER_VERSION = "9"

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "span", "div", "a", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
    "img", "sup", "sub", "del", "dl", "dt", "dd", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "span": {"class"},
    "div": {"class"},
    "pre": {"class"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"scope"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_RE = re.compile(r"<h([2-4]) id=\"([^\"]+)\">(.*?)</h\1>", re.S)
TAG_RE = re.compile(r"<[^>]*>")


class Linker(Protocol):
    """Adds links to trusted, already sanitised HTML and says what it linked (slugs, in order).
    ``cache_key`` names its version (None: do not cache what it linked)."""

    cache_key: str | None

    def __call__(self, html: str) -> tuple[str, tuple[str, ...]]: ...


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    headings: tuple[Heading, ...]
    words: int
    linked: tuple[str, ...] = ()  # what the linker linked (glossary slugs), first mention first
    chart_errors: tuple[str, ...] = ()  # why a ```chart block could not be drawn, one per block

    def __str__(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html


def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _cache_key(text: str, link: Linker | None) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"md:{RENDERER_VERSION}:{digest}:{link.cache_key if link else '-'}"


def render(text: str, *, link: Linker | None = None) -> Rendered:
    """Render Markdown to sanitised HTML, linking glossary terms if ``link`` is given."""
    if link is not None and link.cache_key is None:
        return _render(text or "", link)
    key = _cache_key(text or "", link)
    cached = cache.get(key)
    if cached is None:
        cached = _render(text or "", link)
        cache.set(key, cached, timeout=None)
    return cached


_local = threading.local()  # each thread's Markdown converter and the render in progress


@dataclass
class _Charts:
    token: str  # fresh per render: authors cannot forge a chart placeholder in their text
    figures: list[str]
    errors: list[str]


def _chart_fence(source, language, css_class, options, md, **kwargs):
    charts_seen = _local.charts
    figure, error = charts.render_block(source)
    charts_seen.figures.append(figure)
    if error:
        charts_seen.errors.append(error)
    return f"<p>chart-{charts_seen.token}-{len(charts_seen.figures) - 1}</p>"


def _converter() -> markdown.Markdown:
    """This thread's converter, made once and reset for each text: building one (its extensions
    and their processors) cost more than converting a question's prompt."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(
            extensions=["tables", "sane_lists", "toc", "pymdownx.highlight", "pymdownx.superfences"],
            extension_configs={
                "toc": {"permalink": False, "toc_depth": "2-4", "slugify": _slugify},
                "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
                "pymdownx.superfences": {
                    "custom_fences": [{"name": "chart", "class": "chart", "format": _chart_fence}]
                },
            },
            output_format="html",
        )
    return md.reset()


def _render(text: str, link: Linker | None) -> Rendered:
    _local.charts = found = _Charts(secrets.token_hex(8), [], [])
    token, figures, chart_errors = found.token, found.figures, found.errors
    md = _converter()
    body = sanitize(md.convert(text))
    headings = tuple(
        Heading(int(level), anchor, html.unescape(TAG_RE.sub("", inner)).strip())
        for level, anchor, inner in HEADING_RE.findall(body)
    )
    words = len(html.unescape(TAG_RE.sub(" ", body)).split())
    # A code block that scrolls sideways must be reachable by keyboard: added after sanitising,
    # so authors cannot put tabindex anywhere themselves.
    body = body.replace('<div class="highlight"><pre>', '<div class="highlight"><pre tabindex="0">')
    # A wide table scrolls in its own labelled box, reachable by keyboard, instead of the page.
    # (No region role: a page shows many prompts, and landmarks must be unique.)
    body = body.replace("<table>", '<div class="table-scroll" tabindex="0"><table>')
    body = body.replace("</table>", "</table></div>")
    # Charts go in before linking (the linker skips <figure>), so a term named "Chart" cannot
    # break a placeholder.
    for index, figure in enumerate(figures):
        body = body.replace(f"<p>chart-{token}-{index}</p>", figure)
    linked: tuple[str, ...] = ()
    if link is not None:
        body, linked = link(body)
    return Rendered(
        html=mark_safe(body), headings=headings, words=words, linked=linked, chart_errors=tuple(chart_errors)
    )


def _slugify(value: str, separator: str) -> str:
    """Heading ids get a prefix, so "## Read" cannot collide with the page's own id="read"."""
    value = re.sub(r"[^\w\s-]", "", value.lower(), flags=re.ASCII).strip()
    return "h-" + (re.sub(r"[\s_-]+", separator, value) or "section")


def reading_minutes(words: int, words_per_minute: int = 220) -> int:
    return max(1, round(words / words_per_minute))
