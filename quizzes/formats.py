"""Questions read from or written to an exchange format (GIFT, Aiken): plain data, no Django.

A parser turns text into ``Draft`` questions and ``Problem`` lines: errors block an import,
notes say what the format holds that Recall cannot (or the reverse) and are shown before
anything is created. ``decode`` turns an uploaded file's bytes into text, or says why not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizzes import checks

MAX_BYTES = 1024 * 1024  # about 2,000 questions; the preview carries the text to the confirm
MAX_QUESTIONS = 500

ERROR, NOTE, WARNING = "error", "note", "warning"
SINGLE, MULTIPLE, NUMERIC = checks.SINGLE, checks.MULTIPLE, checks.NUMERIC
ABSOLUTE, RELATIVE = "absolute", "relative"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class DraftChoice:
    text: str
    is_correct: bool
    rationale: str = ""


@dataclass
class Draft:
    """A question as a file describes it, before it is a row: what the import would create."""

    line: int
    kind: str
    prompt: str
    explanation: str = ""
    choices: list[DraftChoice] = field(default_factory=list)
    accepted_value: float | None = None
    tolerance: float = 0.0
    tolerance_kind: str = ABSOLUTE
    unit: str = ""


@dataclass(frozen=True)
class Problem:
    level: str
    line: int | None  # None: about the whole file
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Parsed:
    drafts: list[Draft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(ERROR, line, message))

    def note(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(NOTE, line, message))

    def of(self, level: str) -> list[Problem]:
        return [p for p in self.problems if p.level == level]

    @property
    def errors(self) -> list[Problem]:
        return self.of(ERROR)

    @property
    def notes(self) -> list[Problem]:
        return self.of(NOTE)

    @property
    def warnings(self) -> list[Problem]:
        return self.of(WARNING)


def too_large(size: int) -> Problem | None:
    if size <= MAX_BYTES:
        return None
    return Problem(
        ERROR,
        None,
        f"The file is {size / (1024 * 1024):.1f} MB; an import takes at most "
        f"{MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files.",
    )


def decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """The text of an uploaded file (UTF-8, with or without a byte order mark, any line ending),
    or None and why it cannot be read."""
    problem = too_large(len(data))
    if problem:
        return None, [problem]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(ERROR, None, "The file is UTF-16. Save it as UTF-8 and upload it again.")]
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                ERROR,
                line,
                f"this is not UTF-8 (byte 0x{data[error.start]:02X}): save the file as UTF-8 "
                "and upload it again.",
            )
        ]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [Problem(ERROR, None, "The file is empty.")]
    problems = [
        Problem(ERROR, number, "control characters: this looks like binary data, not a text file.")
        for number, line in enumerate(text.split("\n"), start=1)
        if CONTROL.search(line)
    ]
    return (None, problems) if problems else (text, [])


def check(parsed: Parsed) -> Parsed:
    """Add what Recall's own rules say of each draft (quizzes/checks.py): errors block the
    import, warnings are shown as the question admin shows them."""
    if not parsed.drafts and not parsed.errors:
        parsed.error(None, "Nothing to import: no question in this file is one Recall can hold.")
    if len(parsed.drafts) > MAX_QUESTIONS:
        parsed.error(
            None,
            f"The file has {len(parsed.drafts)} questions; an import takes at most {MAX_QUESTIONS}. "
            "Split it into smaller files.",
        )
    for draft in parsed.drafts:
        for issue in checks.check_question(
            prompt=draft.prompt,
            explanation=draft.explanation,
            choices=[checks.ChoiceData(c.text, c.is_correct, c.rationale) for c in draft.choices],
            kind=draft.kind,
            accepted_value=draft.accepted_value,
            tolerance=draft.tolerance,
        ):
            level = ERROR if issue.level == checks.ERROR else WARNING
            parsed.problems.append(Problem(level, draft.line, issue.message))
    parsed.problems.sort(key=lambda p: (p.line or 0, p.level != ERROR))
    return parsed
