"""Review days as an iCalendar file (RFC 5545): plain data in, text out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def reviews(days: Iterable[tuple[dt.date, int]], *, url: str, host: str, stamp: dt.datetime) -> str:
    """One all-day event per review day: "Recall: 4 questions to review", linking the review page."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Recall//Reviews//EN", "CALSCALE:GREGORIAN"]
    for day, count in days:
        summary = f"Recall: {count} question{'s' if count != 1 else ''} to review"
        lines += [
            "BEGIN:VEVENT",
            f"UID:review-{day:%Y%m%d}@{host}",
            f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape('Your questions are due: ' + url)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
