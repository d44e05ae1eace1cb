"""Small bar charts rendered on the server as inline SVG, with the numbers as a table.

A chart is written in Markdown as a fenced block named ``chart``::

    title: Accuracy before and after fine-tuning
    x: Benchmark
    y: Accuracy (%)
    series: Before, After
    Domain benchmark | 71 | 88
    MMLU | 66 | 51

The same code draws the learners' score history on the progress page. Colours come from the
stylesheet (classes, no inline style), so the chart follows light and dark mode and a strict CSP.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from html import escape

MAX_SERIES = 4
MAX_ROWS = 20
_ids = itertools.count()


class ChartError(ValueError):
    pass


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    y_label: str
    series: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float, ...]], ...]
    scale: float | None = None  # a fixed end of the value axis (100 for percentages)

    @property
    def maximum(self) -> float:
        return max((value for _, values in self.rows for value in values), default=0.0)


def parse(source: str) -> Chart:
    headers: dict[str, str] = {}
    rows: list[tuple[str, tuple[float, ...]]] = []
    for number, raw in enumerate(source.strip().splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if "|" in line:
            label, *cells = (cell.strip() for cell in line.split("|"))
            try:
                values = tuple(float(cell) for cell in cells)
            except ValueError as error:
                raise ChartError(f"line {number}: values must be numbers") from error
            if not label or not values or any(not math.isfinite(v) or v < 0 for v in values):
                raise ChartError(f"line {number}: expected 'label | value | value'")
            rows.append((label, values))
        elif ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        else:
            raise ChartError(f"line {number}: expected 'key: value' or 'label | value'")
    series = tuple(s.strip() for s in headers.get("series", "Value").split(",") if s.strip())
    if not rows:
        raise ChartError("a chart needs at least one row")
    if len(series) > MAX_SERIES or len(rows) > MAX_ROWS:
        raise ChartError(f"at most {MAX_SERIES} series and {MAX_ROWS} rows")
    if any(len(values) != len(series) for _, values in rows):
        raise ChartError(f"every row needs {len(series)} value(s), one per series")
    return Chart(
        title=headers.get("title", "Chart"),
        x_label=headers.get("x", ""),
        y_label=headers.get("y", ""),
        series=series,
        rows=tuple(rows),
    )


def render_block(source: str) -> tuple[str, str | None]:
    """A chart's HTML, and None; or a visible note and the reason it could not be drawn."""
    try:
        return render(parse(source)), None
    except ChartError as error:
        return f'<p class="chart-error">This chart could not be drawn: {escape(str(error))}.</p>', str(error)


def _number(value: float) -> str:
    return f"{value:g}"


def _scale_max(maximum: float) -> float:
    if maximum <= 0:
        return 1.0
    if maximum <= 100 and maximum > 50:
        return 100.0
    magnitude = 10 ** math.floor(math.log10(maximum))
    return math.ceil(maximum / magnitude) * magnitude


# Layout, in CSS pixels down the chart and percentages across it: the SVG has no viewBox, so it
# takes the width it is given and its text keeps the stylesheet's size (a phone never shrinks it).
LINE_H = 18  # a line of a row label
BAR_H, BAR_GAP, GROUP_GAP = 18, 4, 16
LABEL_CHARS = 30  # a row label wraps after about this many characters (about 230 px at 15 px)
CHAR_W = 9  # the width of a digit at 15 px, rounded up


def wrap(text: str, width: int = LABEL_CHARS) -> list[str]:
    """A label as lines of at most ``width`` characters, broken at spaces (a longer word keeps
    its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def plot_share(chart: Chart) -> float:
    """How much of the width the longest bar may take, in percent: what is left holds the value
    written after it, even on the narrowest screen (a 280 px chart)."""
    longest = max(len(_number(v)) for _, values in chart.rows for v in values)
    room = CHAR_W * longest + 8
    return max(60.0, 100 - math.ceil(100 * room / 280))


def render(chart: Chart) -> str:
    """Horizontal grouped bars, each group under its label, scaled to the width they get: on a
    phone the labels wrap, the legend (HTML) wraps, and nothing is cut off or scrolls."""
    uid = f"chart-{next(_ids)}"
    scale = chart.scale or _scale_max(chart.maximum)
    share = plot_share(chart)

    def across(value: float) -> str:  # a value's position across the chart, in percent
        return f"{share * value / scale:.2f}%"

    ticks = [scale * tick / 4 for tick in range(5)]
    parts: list[str] = []
    y = 0
    if chart.x_label:
        parts.append(f'<text class="axis" x="0" y="14">{escape(chart.x_label)}</text>')
        y = 24
    for label, values in chart.rows:
        for line in wrap(label):
            y += LINE_H
            parts.append(f'<text class="label" x="0" y="{y - 4}">{escape(line)}</text>')
        y += 4
        group_h = len(values) * (BAR_H + BAR_GAP) - BAR_GAP
        # Grid lines behind each group's bars only, so they never cross a label.
        parts.extend(
            f'<line class="grid" x1="{across(t)}" y1="{y - 2}" x2="{across(t)}" y2="{y + group_h + 2}"/>'
            for t in ticks
        )
        for index, value in enumerate(values):
            parts.append(
                f'<rect class="bar s{index}" x="0" y="{y}" width="{across(value)}" height="{BAR_H}"/>'
                f'<text class="value" x="{across(value)}" dx="5" y="{y + BAR_H - 4}">{_number(value)}</text>'
            )
            y += BAR_H + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    bottom = y - GROUP_GAP + 6
    for index, value in enumerate(ticks):
        anchor = "start" if index == 0 else "end" if index == len(ticks) - 1 else "middle"
        parts.append(
            f'<text class="tick" x="{across(value)}" y="{bottom + 14}" text-anchor="{anchor}">'
            f"{_number(value)}</text>"
        )
    height = bottom + 20
    if chart.y_label:
        parts.append(
            f'<text class="axis" x="{share / 2:.2f}%" y="{height + 12}" '
            f'text-anchor="middle">{escape(chart.y_label)}</text>'
        )
        height += 20
    summary = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_number(v)}" for name, v in zip(chart.series, values, strict=True))
        for label, values in chart.rows
    )
    legend = ""
    if len(chart.series) > 1:
        legend = (
            '<ul class="chart-legend">'
            + "".join(
                f'<li><svg class="swatch" width="14" height="14" aria-hidden="true">'
                f'<rect class="s{index}" width="14" height="14" rx="2"/></svg>{escape(name)}</li>'
                for index, name in enumerate(chart.series)
            )
            + "</ul>"
        )
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in chart.series)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{_number(v)}</td>" for v in values)
        + "</tr>"
        for label, values in chart.rows
    )
    return (
        f'<figure class="chart" aria-labelledby="{uid}-title">'
        f'<figcaption id="{uid}-title">{escape(chart.title)}</figcaption>'
        f"{legend}"
        f'<svg class="chart-svg" width="100%" height="{height}" role="img" '
        f'aria-label="{escape(chart.title)}. {escape(summary)}">'
        f"{''.join(parts)}</svg>"
        f"<details><summary>The numbers as a table</summary>"
        f"<table><caption>{escape(chart.title)}"
        f"{' (' + escape(chart.y_label) + ')' if chart.y_label else ''}</caption>"
        f'<thead><tr><th scope="col">{escape(chart.x_label) or "Item"}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></details></figure>"
    )
