import re
from unittest import mock

import pytest

from learn.core import markdown
from learn.core.markdown import reading_minutes, render


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ('<div hx-get="/admin/" hx-trigger="load">x</div>', "hx-"),
        ('<span data-hx-post="/x" data-foo="1">x</span>', "data-"),
        ('<iframe src="https://example.org"></iframe>', "<iframe"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
        ("<details open ontoggle=alert(1)>", "ontoggle"),
        ('<a href="https://x.org" target="_blank" onclick="y">x</a>', "onclick"),
        ("<form action='/x'><input></form>", "<form"),
    ],
)
def test_hostile_markdown_is_neutralised(source, forbidden):
    assert forbidden.lower() not in render(source).html.lower()


def test_tables_code_and_heading_anchors_render():
    source = "## Setting up\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('hi')\n```\n"

    result = render(source)

    assert '<h2 id="h-setting-up">Setting up</h2>' in result.html
    assert "<table>" in result.html and "<td>1</td>" in result.html
    assert '<div class="highlight"><pre tabindex="0">' in result.html  # reachable by keyboard when it scrolls
    assert '<span class="nb">print</span>' in result.html
    assert result.headings[0].id == "h-setting-up" and result.headings[0].text == "Setting up"


def test_safe_links_keep_their_address_and_gain_noopener():
    html = render("[LoRA paper](https://arxiv.org/abs/2106.09685)").html

    assert 'href="https://arxiv.org/abs/2106.09685"' in html
    assert 'rel="noopener noreferrer"' in html


def test_unchanged_text_is_rendered_once_and_changed_text_again():
    with mock.patch.object(markdown, "_render", wraps=markdown._render) as spy:
        render("Some *text*.")
        render("Some *text*.")
        render("Some *other* text.")

    assert spy.call_count == 2


def test_reading_time_counts_words():
    assert reading_minutes(10) == 1
    assert reading_minutes(1320) == 6


def test_word_count_ignores_markup():
    assert render("One **two** `three`\n\n- four").words == 4


def test_one_converter_per_thread_carries_nothing_from_one_text_to_the_next():
    chart = "## Scores\n\n```chart\ntitle: Scores\nx: Run\ny: Accuracy (%)\nseries: A\nOne | 50\n```\n"
    broken = "## Scores\n\n```chart\ntitle: Broken\n```\n"
    first = markdown._render(chart, None)
    second = markdown._render(chart, None)
    plain = markdown._render("## Scores\n\nNo chart here.", None)
    bad = markdown._render(broken, None)
    after = markdown._render(chart, None)

    def same(a, b):  # charts are numbered across the process, so their ids differ by design
        return re.sub(r"chart-\d+", "chart-N", a.html) == re.sub(r"chart-\d+", "chart-N", b.html)

    assert first.html.count("<figure") == 1 and same(second, first)  # same heading ids: no "scores_1"
    assert [h.id for h in plain.headings] == [h.id for h in first.headings]
    assert "<figure" not in plain.html and not plain.chart_errors
    assert bad.chart_errors and not after.chart_errors and same(after, first)
