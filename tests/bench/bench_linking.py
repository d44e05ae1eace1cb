"""Benchmark (not a test): link a 3,000-word article against a 1,000-term glossary.

    python -m tests.bench.run bench_linking [--terms 1000] [--words 3000] [--repeat 20]

Builds the matcher from generated terms (no database), renders the article's Markdown once, then
times matcher construction and linking alone. Prints the median of the repeats.
"""

import random
import statistics
import time

from django.core.management.base import BaseCommand

from glossary.linking import Matcher
from learn.core.markdown import _render

VOCABULARY = [
    "model",
    "training",
    "data",
    "weights",
    "gradient",
    "update",
    "task",
    "learning",
    "network",
    "layer",
    "loss",
    "fine",
    "tuning",
    "evaluation",
    "benchmark",
    "knowledge",
    "general",
    "domain",
    "adapter",
    "rank",
    "matrix",
    "frozen",
    "base",
    "new",
    "old",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "it",
    "for",
    "on",
    "with",
    "as",
    "by",
    "this",
    "from",
]


def make_terms(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    entries = []
    for index in range(count):
        words = [rng.choice(VOCABULARY).capitalize()] + [
            rng.choice(VOCABULARY) for _ in range(rng.randint(0, 2))
        ]
        name = f"{' '.join(words)} {index}"
        slug = f"term-{index}"
        entries.append((name, slug, name))
        if index % 3 == 0:
            entries.append((f"alias {index}", slug, name))
    return entries


def make_article(words: int, entries, rng: random.Random) -> str:
    paragraphs, current = [], []
    for i in range(words):
        if i % 40 == 0 and entries:
            current.append(rng.choice(entries)[0])
        else:
            current.append(rng.choice(VOCABULARY))
        if len(current) >= 80:
            paragraphs.append(" ".join(current) + ".")
            current = []
            if len(paragraphs) % 5 == 0:
                paragraphs.append(
                    f"## Section {len(paragraphs)}\n\n```python\nprint('code {len(paragraphs)}')\n```"
                )
    paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


class Command(BaseCommand):
    help = "Time glossary linking of a long article against a large glossary."

    def add_arguments(self, parser):
        parser.add_argument("--terms", type=int, default=1000)
        parser.add_argument("--words", type=int, default=3000)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, terms: int, words: int, repeat: int, **options):
        rng = random.Random(42)
        entries = make_terms(terms, rng)
        html = _render(make_article(words, entries, rng), None).html

        build, link = [], []
        links = 0
        for _ in range(repeat):
            start = time.perf_counter()
            matcher = Matcher.build("bench", entries)
            build.append(time.perf_counter() - start)
            start = time.perf_counter()
            linked = matcher.link(html)
            link.append(time.perf_counter() - start)
            links = linked.count('class="term"')

        self.stdout.write(
            f"{terms} terms ({len(entries)} names and aliases), {words}-word article, {repeat} repeats\n"
            f"  build matcher (once per glossary version): median {statistics.median(build) * 1000:.1f} ms\n"
            f"  link the article:                          median {statistics.median(link) * 1000:.1f} ms"
            f" ({links} terms linked)\n"
            f"  A request never pays either: the linked HTML is cached per text and glossary version."
        )
