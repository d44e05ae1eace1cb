import pytest

from learn.core import charts
from learn.core.markdown import render

SOURCE = """title: Before and after
x: Benchmark
y: Accuracy (%)
series: Before, After
Domain | 71 | 88
MMLU | 66 | 51
"""


def test_chart_block_parses_into_rows_and_series():
    chart = charts.parse(SOURCE)

    assert chart.title == "Before and after"
    assert chart.series == ("Before", "After")
    assert chart.rows == (("Domain", (71.0, 88.0)), ("MMLU", (66.0, 51.0)))


def test_chart_renders_as_svg_with_a_text_alternative_and_a_table():
    html = render(f"Intro.\n\n```chart\n{SOURCE}```\n").html

    assert '<svg class="chart-svg" width="100%"' in html and "viewBox" not in html  # text keeps its size
    assert (
        'role="img" aria-label="Before and after. Domain: Before 71, After 88; MMLU: Before 66, After 51"'
        in html
    )
    assert '<th scope="row">MMLU</th><td>66</td><td>51</td>' in html
    assert 'class="bar s1"' in html  # colours come from classes, not inline styles
    assert "style=" not in html


def test_chart_scales_to_its_width_with_a_legend_that_wraps_and_labels_that_wrap():
    chart = charts.parse(
        "series: Base model, Full fine-tune, LoRA\n"
        "A benchmark with a long name that needs two lines | 71 | 88 | 85\nMMLU | 66 | 51 | 100\n"
    )

    html = charts.render(chart)

    # The legend is HTML, so it wraps (stacks) on a narrow screen instead of running off the chart.
    assert '<ul class="chart-legend"><li>' in html and html.count("<li>") == 3
    # A long row label wraps onto lines of its own above its bars.
    assert ">A benchmark with a long name<" in html and ">that needs two lines<" in html
    # Bars and grid in percentages of the width; the longest bar leaves room for its value.
    share = charts.plot_share(chart)
    assert 80 <= share < 90
    assert f'width="{share:.2f}%"' in html  # the 100 bar
    assert f'x="{share:.2f}%" dx="5"' in html  # and its value right after it
    assert 'text-anchor="end">100</text>' in html  # the last tick ends at the last grid line


def test_chart_labels_wrap_at_spaces():
    assert charts.wrap("Domain benchmark") == ["Domain benchmark"]
    assert charts.wrap("one two three", width=8) == ["one two", "three"]
    assert charts.wrap("averyveryverylongword x", width=8) == ["averyveryverylongword", "x"]


def test_chart_text_is_escaped():
    html = render(
        '```chart\ntitle: <script>alert(1)</script>\nA"><img src=x onerror=alert(1)> | 3\n```\n'
    ).html

    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "source",
    ["title: x", "A | many", "series: a, b\nA | 1", "A | -3", "just words", "A | nan"],
)
def test_broken_chart_says_why_instead_of_failing(source):
    html = render(f"```chart\n{source}\n```\n").html

    assert 'class="chart-error"' in html
    assert "<svg" not in html


def test_authors_cannot_forge_a_chart_placeholder():
    html = render("<p>chart-0000000000000000-0</p>\n\n```chart\nA | 1\n```\n").html

    assert html.count("<svg") == 1
