"""Moodle's GIFT format (docs.moodle.org/en/GIFT_format): read questions from it, write a quiz's
questions to it. Plain Python: text in, ``formats.Draft`` questions and problems out.

Read: one best answer (``{=right ~wrong}``), select all that apply (``{~%50%a ~%50%b ~%-100%c}``),
true/false (as one best answer between True and False), numbers (``{#value:tolerance}``,
``{#min..max}``), per-answer feedback (``#``) as rationales and general feedback (``####``) as the
explanation. Other question types, and what Recall cannot keep (titles, categories, exact weights,
partial credit, several accepted numbers), come back as notes with their line.

Written: Recall's own questions in ``[markdown]`` format, newlines as ``\\n`` (a blank line
would end the question), a number question's unit and relative tolerance in ``//`` comments that
Moodle ignores and this module reads back.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable

from quizzes.formats import MULTIPLE, NUMERIC, RELATIVE, SINGLE, Draft, DraftChoice, Parsed, check

SPECIAL = "~=#{}:"
# While a question is parsed, escaped characters stand as Unicode noncharacters (never text).
HIDDEN = {char: chr(0xFDD0 + i) for i, char in enumerate(SPECIAL)}
BACKSLASH, NEWLINE = chr(0xFDD6), chr(0xFDD7)
SHOWN = str.maketrans({**{v: k for k, v in HIDDEN.items()}, BACKSLASH: "\\", NEWLINE: "\n"})
NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")

MAX_ANSWERS = 50  # choices in one question: more is a mistake, or noise
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
VALUE_RE = re.compile(rf"^({NUMBER})$")
TOLERANCE_RE = re.compile(rf"^({NUMBER}):({NUMBER})$")
RANGE_RE = re.compile(rf"^({NUMBER})\.\.({NUMBER})$")
WEIGHT_RE = re.compile(r"^%([^%]*)%")
FORMAT_RE = re.compile(r"^\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
UNIT_RE = re.compile(r"^//\s*unit:\s*(.*)$", re.IGNORECASE)
RELATIVE_RE = re.compile(rf"^//\s*tolerance:\s*relative\s+({NUMBER})", re.IGNORECASE)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _protect(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char, following = text[i], text[i + 1 : i + 2]
        if char == "\\" and following == "\\":
            out.append(BACKSLASH)
        elif char == "\\" and following and following in HIDDEN:
            out.append(HIDDEN[following])
        elif char == "\\" and following == "n":
            out.append(NEWLINE)
        else:
            out.append(char)
            i += 1
            continue
        i += 2
    return "".join(out)


def _text(raw: str) -> tuple[str, str | None]:
    """Readable text from a protected piece, and its format prefix if it has one."""
    raw = raw.strip()
    found = FORMAT_RE.match(raw)
    if found:
        raw = raw[found.end() :]
    return raw.translate(SHOWN).strip(), found[1].lower() if found else None


def _snippet(raw: str) -> str:
    text = " ".join(raw.translate(SHOWN).split())
    return f"“{text[:50]}…”" if len(text) > 50 else f"“{text}”"


def _blocks(text: str) -> Iterable[list[tuple[int, str]]]:
    """Questions are separated by blank lines: each block is its numbered lines."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            block.append((number, line.strip()))
        elif block:
            yield block
            block = []
    if block:
        yield block


def parse(text: str) -> Parsed:
    parsed = Parsed()
    titles = 0
    for block in _blocks(text):
        titles += _read(block, parsed)
    if titles:
        parsed.note(
            None, f"Titles (::…::) of {titles} question(s) are not kept: a Recall question has no title."
        )
    return check(parsed)


def _read(block: list[tuple[int, str]], parsed: Parsed) -> int:
    """Read one question into ``parsed``; returns 1 when it had a title."""
    comments = [line for _, line in block if line.startswith("//")]
    lines = [(number, line) for number, line in block if not line.startswith("//")]
    if not lines:
        return 0
    numbers = [number for number, _ in lines]
    first = numbers[0]
    raw = "\n".join(line for _, line in lines)
    if NONCHARACTERS.search(raw):
        parsed.error(first, "a Unicode noncharacter (U+FDD0 to U+FDEF) is not text: remove it.")
        return 0
    t = _protect(raw)
    newlines = [i for i, char in enumerate(t) if char == "\n"]

    def line_at(position: int) -> int:  # a binary search: a long block stays linear to read
        return numbers[min(bisect.bisect_left(newlines, position), len(numbers) - 1)]

    if t.startswith("$CATEGORY:"):
        parsed.note(first, f"the category {_snippet(t[10:])} is ignored: the questions go to this quiz.")
        return 0
    start, titled = 0, 0
    if t.startswith("::"):
        end = t.find("::", 2)
        if end < 0:
            parsed.error(first, "the title opened with :: is not closed (write \\: for a colon in text).")
            return 0
        start, titled = end + 2, 1
    opening, closing = t.find("{", start), t.find("}", start)
    if opening < 0 and closing < 0:
        parsed.note(
            first,
            f"{_snippet(t[start:])} has no answers in braces {{…}}: a description, which Recall "
            "does not import (skipped).",
        )
        return titled
    if closing < 0:
        parsed.error(line_at(opening), "a { without a closing } (write \\{ for a brace in text).")
        return titled
    if opening < 0 or closing < opening:
        parsed.error(line_at(closing), "a } without an opening { (write \\} for a brace in text).")
        return titled
    if "{" in t[opening + 1 : closing]:
        parsed.error(
            line_at(t.find("{", opening + 1)),
            "a second { before the first is closed (write \\{ for a brace).",
        )
        return titled
    if t[closing + 1 :].strip():
        parsed.note(
            first,
            "the answers stand inside the text (a missing-word or cloze question), which Recall "
            "does not import (skipped).",
        )
        return titled
    prompt, form = _text(t[start:opening])
    if form == "html":
        parsed.note(
            first, "[html] text is kept as written: the Markdown renderer shows simple HTML, check it."
        )
    body_start = opening + 1
    body = t[body_start:closing]
    explanation = ""
    general = body.rfind("####")
    if general >= 0:
        explanation, _ = _text(body[general + 4 :])
        body = body[:general]
    draft = Draft(line=first, kind=SINGLE, prompt=prompt, explanation=explanation)
    head = body.strip()
    kind_of = None
    if not head:
        kind_of = "an essay (no answers in the braces)"
    elif head.startswith("#"):
        _numeric(draft, body, body_start, line_at, comments, parsed)
    elif "~" in head:
        _choices(draft, body, body_start, line_at, parsed)
    elif "=" in head and "->" in head:
        kind_of = "a matching question"
    elif head.split("#", 1)[0].strip() in TRUE_FALSE:
        _true_false(draft, head, parsed)
    else:
        kind_of = "a short-answer question"
    if kind_of:
        parsed.note(
            first, f"{_snippet(t[start:opening])} is {kind_of}, which Recall does not import (skipped)."
        )
    elif draft.kind:
        parsed.drafts.append(draft)
    return titled


def _choices(draft: Draft, body: str, offset: int, line_at, parsed: Parsed) -> None:
    """``=right ~wrong`` (one best answer) or weighted ``~%50%a ~%-50%b`` (select all)."""
    lead = len(body) - len(body.lstrip())
    if body[lead] not in "~=":
        parsed.error(
            line_at(offset + lead),
            f"{_snippet(re.split('[~=]', body[lead:])[0])} comes before the first answer: "
            "each answer starts with = (right) or ~ (wrong).",
        )
        draft.kind = ""
        return
    answers = []  # (line, marker, weight, text, rationale)
    for count, found in enumerate(re.finditer(r"([~=])([^~=]*)", body)):
        if count == MAX_ANSWERS:
            parsed.error(line_at(offset + found.start()), f"more than {MAX_ANSWERS} answers in one question.")
            draft.kind = ""
            return
        marker, raw = found.groups()
        line = line_at(offset + found.start())
        raw = raw.strip()
        weight = 100.0 if marker == "=" else 0.0
        weighted = WEIGHT_RE.match(raw) if marker == "~" else None
        if weighted:
            try:
                weight = float(weighted[1])
            except ValueError:
                weight = float("nan")
            if not -100 <= weight <= 100:
                parsed.error(
                    line, f"the weight %{weighted[1].translate(SHOWN)}% is not a number from -100 to 100."
                )
                draft.kind = ""
                return
            raw = raw[weighted.end() :]
        text_raw, _, feedback = raw.partition("#")
        text, _ = _text(text_raw)
        if not text:
            parsed.error(line, "an answer without text.")
            draft.kind = ""
            return
        answers.append((line, marker, weight, text, _text(feedback)[0]))
    right = [a for a in answers if a[1] == "="]
    if right:
        draft.kind = SINGLE
        if len(right) > 1:
            parsed.error(
                right[1][0],
                f"{len(right)} answers are marked = as right: a one-best-answer question has one. "
                "For select all that apply, give each answer a weight: ~%50%right ~%-50%wrong.",
            )
            draft.kind = ""
            return
        for line, marker, weight, text, _ in answers:
            if marker == "~" and weight:
                what = "partial credit" if weight > 0 else "the penalty"
                parsed.note(line, f"{what} ({weight:g}%) for “{text}” is not kept: it counts as wrong.")
        draft.choices = [
            DraftChoice(text, marker == "=", rationale) for _, marker, _, text, rationale in answers
        ]
        return
    draft.kind = MULTIPLE
    correct = [a for a in answers if a[2] > 0]
    wrong = [a for a in answers if a[2] <= 0]
    if not correct:
        parsed.error(
            draft.line,
            "no answer is right: mark the right one with =, or give the right ones a positive weight (~%50%).",
        )
        draft.kind = ""
        return
    share = 100 / len(correct)
    penalty = -100 / len(wrong) if wrong else 0.0
    if any(abs(a[2] - (share if a[2] > 0 else penalty)) > 0.01 for a in answers):
        weights = ", ".join(f"{a[2]:g}%" for a in answers)
        parsed.note(
            draft.line,
            f"the exact weights ({weights}) are not kept: Recall gives each right choice an equal share "
            f"({share:.4g}%) and takes an equal share for each wrong one ({penalty:.4g}%).",
        )
    draft.choices = [DraftChoice(text, weight > 0, rationale) for _, _, weight, text, rationale in answers]


def _true_false(draft: Draft, head: str, parsed: Parsed) -> None:
    value, *feedback = (part.strip() for part in head.split("#", 2))
    wrong_feedback = _text(feedback[0])[0] if feedback else ""
    right_feedback = _text(feedback[1])[0] if len(feedback) > 1 else ""
    truth = TRUE_FALSE[value]
    parsed.note(draft.line, "a true/false question becomes one best answer with the choices True and False.")
    draft.kind = SINGLE
    draft.choices = [
        DraftChoice("True", truth, right_feedback if truth else wrong_feedback),
        DraftChoice("False", not truth, wrong_feedback if truth else right_feedback),
    ]


def _numeric(draft: Draft, body: str, offset: int, line_at, comments: list[str], parsed: Parsed) -> None:
    """``#value``, ``#value:tolerance``, ``#min..max``; several ``=`` answers keep the first
    with full credit."""
    draft.kind = NUMERIC
    start = body.index("#") + 1
    spec = body[start:]
    line = line_at(offset + start)
    if "=" in spec:
        if spec.split("=", 1)[0].strip():
            parsed.error(line, "several accepted numbers each start with =: =42:1 =%50%40..44")
            draft.kind = ""
            return
        pieces = []
        for found in re.finditer(r"=([^=]*)", spec):
            raw = found[1].strip()
            weighted = WEIGHT_RE.match(raw)
            weight = 100.0
            if weighted:
                try:
                    weight = float(weighted[1])
                except ValueError:
                    weight = float("nan")
                raw = raw[weighted.end() :]
            pieces.append((line_at(offset + start + found.start()), weight, raw))
        full = [p for p in pieces if p[1] == 100]
        if not full:
            parsed.error(line, "no accepted number has full credit (=42, or =%100%42).")
            draft.kind = ""
            return
        line, _, raw = full[0]
        if len(pieces) > 1:
            parsed.note(
                line,
                f"only the first fully right number is kept: the other {len(pieces) - 1} answer(s) "
                "and their partial credit are not.",
            )
    else:
        raw = spec
    number_raw, _, feedback = raw.partition("#")
    number = number_raw.strip().translate(SHOWN).replace(" ", "")
    if feedback.strip():
        parsed.note(
            line,
            f"the feedback on the number ({_snippet(feedback)}) is not kept: a number question has only its explanation.",
        )
    if any(not math.isfinite(float(n)) for n in re.findall(NUMBER, number)):
        parsed.error(line, f"“{number}” is too large a number for an answer.")
        draft.kind = ""
        return
    if found := TOLERANCE_RE.match(number):
        draft.accepted_value, draft.tolerance = float(found[1]), float(found[2])
    elif found := RANGE_RE.match(number):
        low, high = float(found[1]), float(found[2])
        if low > high:
            parsed.error(line, f"the range {number} runs backwards: write the lower number first.")
            draft.kind = ""
            return
        draft.accepted_value, draft.tolerance = (low + high) / 2, (high - low) / 2
    elif found := VALUE_RE.match(number):
        draft.accepted_value = float(found[1])
    else:
        parsed.error(line, f"“{number}” is not a number answer: write 42, 42:0.5 (± 0.5) or 40..44.")
        draft.kind = ""
        return
    for comment in comments:
        if found := UNIT_RE.match(comment):
            draft.unit = found[1].strip()
        elif found := RELATIVE_RE.match(comment):
            fraction = float(found[1])
            if abs(fraction * abs(draft.accepted_value) - draft.tolerance) <= 1e-9 * max(
                1.0, draft.tolerance
            ):
                draft.tolerance, draft.tolerance_kind = fraction, RELATIVE
            else:
                parsed.note(
                    line, "the relative tolerance in the comment does not match the braces: the braces count."
                )


# ---- Writing ------------------------------------------------------------------------------


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _number(value: float) -> str:
    text = repr(float(value))
    return text.removesuffix(".0")


def _share(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


KIND_NAMES = {SINGLE: "one best answer", MULTIPLE: "select all that apply", NUMERIC: "a number"}


def write(drafts: Iterable[Draft], *, title: str = "") -> str:
    """GIFT text of ``drafts`` in the order given; select all that apply with Recall's equal
    shares (right ones sum to 100%, wrong ones to -100%), a relative tolerance as its absolute
    spread (and a comment that says so)."""
    drafts = list(drafts)
    out = [
        f"// {' '.join(title.split())}: {len(drafts)} question(s) from Recall, in GIFT (Markdown text).",
        "// Not in this file: learning objectives, levels and related glossary terms.",
        "",
    ]
    for number, draft in enumerate(drafts, start=1):
        out.append(f"// question {number}: {KIND_NAMES.get(draft.kind, draft.kind)}")
        if draft.kind == NUMERIC:
            value = draft.accepted_value or 0.0
            spread = draft.tolerance
            if draft.unit:
                out.append(f"// unit: {' '.join(draft.unit.split())}")
            if draft.tolerance_kind == RELATIVE:
                spread = draft.tolerance * abs(value)
                out.append(
                    f"// tolerance: relative {_number(draft.tolerance)} (written below as ± {_number(spread)})"
                )
            out.append(f"[markdown]{escape(draft.prompt.strip())} {{#{_number(value)}:{_number(spread)}")
        else:
            out.append(f"[markdown]{escape(draft.prompt.strip())} {{")
            right = sum(c.is_correct for c in draft.choices)
            wrong = len(draft.choices) - right
            for choice in draft.choices:
                if draft.kind == MULTIPLE:
                    weight = 100 / right if choice.is_correct else -100 / max(wrong, 1)
                    marker = f"~%{_share(weight)}%"
                else:
                    marker = "=" if choice.is_correct else "~"
                rationale = f" #{escape(choice.rationale.strip())}" if choice.rationale.strip() else ""
                out.append(f"{marker}{escape(choice.text.strip())}{rationale}")
        if draft.explanation.strip():
            out.append(f"####{escape(draft.explanation.strip())}")
        out.extend(["}", ""])
    return "\n".join(out)
