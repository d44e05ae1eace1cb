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


def render(chart: Chart) -> str:
    """Horizontal grouped bars: long labels stay readable on a phone."""
    uid = f"chart-{next(_ids)}"
    longest_label = max(len(label) for label, _ in chart.rows)
    width, label_w, right = 520, max(60, min(220, 9 * longest_label + 14)), 44
    bar_h, bar_gap, group_gap, top = 20, 4, 18, 36 + (24 if len(chart.series) > 1 else 0)
    plot_w = width - label_w - right
    group_h = len(chart.series) * (bar_h + bar_gap) - bar_gap
    height = top + len(chart.rows) * (group_h + group_gap) + 36
    scale = chart.scale or _scale_max(chart.maximum)
    parts: list[str] = []
    if len(chart.series) > 1:
        x = label_w
        for index, name in enumerate(chart.series):
            parts.append(
                f'<rect class="bar s{index}" x="{x}" y="31" width="13" height="13"/>'
                f'<text class="legend" x="{x + 18}" y="43">{escape(name)}</text>'
            )
            x += 32 + 8 * len(name)
    for tick in range(5):
        value = scale * tick / 4
        x = label_w + plot_w * tick / 4
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 30}"/>'
            f'<text class="tick" x="{x:.1f}" y="{height - 16}" text-anchor="middle">{_number(value)}</text>'
        )
    y = top
    for label, values in chart.rows:
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + group_h / 2 + 5:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for index, value in enumerate(values):
            bar_w = plot_w * value / scale
            parts.append(
                f'<rect class="bar s{index}" x="{label_w}" y="{y}" width="{bar_w:.1f}" height="{bar_h}"/>'
                f'<text class="value" x="{label_w + bar_w + 4:.1f}" y="{y + bar_h - 5}">{_number(value)}</text>'
            )
            y += bar_h + bar_gap
        y += group_gap - bar_gap
    if chart.y_label:
        parts.append(
            f'<text class="axis" x="{label_w + plot_w / 2:.1f}" y="{height - 2}" '
            f'text-anchor="middle">{escape(chart.y_label)}</text>'
        )
    summary = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_number(v)}" for name, v in zip(chart.series, values, strict=True))
        for label, values in chart.rows
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
        f'<div class="chart-scroll"><svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(chart.title)}. {escape(summary)}">'
        f'<text class="axis" x="{label_w - 8}" y="18" text-anchor="end">{escape(chart.x_label)}</text>'
        f"{''.join(parts)}</svg></div>"
        f"<details><summary>The numbers as a table</summary>"
        f"<table><caption>{escape(chart.title)}"
        f"{' (' + escape(chart.y_label) + ')' if chart.y_label else ''}</caption>"
        f'<thead><tr><th scope="col">{escape(chart.x_label) or "Item"}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></details></figure>"
    )
