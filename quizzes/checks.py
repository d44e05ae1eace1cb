"""Checks on a question's wording and structure: pure functions over plain data.

Errors make content unusable (``check_content`` exits non-zero); warnings point at the classic
flaws of multiple-choice items and never block a save.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ERROR, WARNING = "error", "warning"
ABOVE_RE = re.compile(r"\b(all|none|both|neither)\s+of\s+the\s+(above|previous)\b", re.IGNORECASE)
NEGATIVE_RE = re.compile(r"\b(not|except|never|least|false|incorrect)\b", re.IGNORECASE)
QUESTION_WORD_RE = re.compile(r"\b(which|what|who|where|how)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ChoiceData:
    text: str
    is_correct: bool
    rationale: str


PROMPT, EXPLANATION, CHOICES, ANSWER, TERMS = (
    "prompt",
    "explanation",
    "choices",
    "accepted_value",
    "related_terms",
)


@dataclass(frozen=True)
class Issue:
    level: str
    message: str
    field: str = ""  # the form field it is about (PROMPT, CHOICES, ...), so an editor can show it there

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


def _emphasised(prompt: str, start: int, end: int) -> bool:
    before, after = prompt[:start], prompt[end:]
    return bool(re.search(r"(\*\*|__|\*|_)$", before) and re.match(r"(\*\*|__|\*|_)", after))


def negative_without_emphasis(prompt: str) -> str | None:
    """The negative word of a question like "Which is NOT ...", when it is not in bold or italics."""
    for sentence in re.split(r"(?<=[.!?])\s+", prompt):
        if "?" not in sentence or not QUESTION_WORD_RE.search(sentence):
            continue
        offset = prompt.find(sentence)
        for match in NEGATIVE_RE.finditer(sentence):
            if not _emphasised(prompt, offset + match.start(), offset + match.end()):
                return match.group()
    return None


SINGLE, MULTIPLE, NUMERIC = "single", "multiple", "numeric"
SELECT_ALL_RE = re.compile(r"select\s+all\s+that\s+apply", re.IGNORECASE)


def check_question(
    *,
    prompt: str,
    explanation: str,
    choices: Sequence[ChoiceData],
    missing_terms: Sequence[str] = (),
    kind: str = SINGLE,
    accepted_value: float | None = None,
    tolerance: float = 0.0,
) -> list[Issue]:
    issues: list[Issue] = []
    correct = [c for c in choices if c.is_correct]
    if kind == NUMERIC:
        if accepted_value is None:
            issues.append(Issue(ERROR, "a number question needs an accepted value", ANSWER))
        if tolerance is not None and tolerance < 0:
            issues.append(Issue(ERROR, f"the tolerance cannot be negative (is {tolerance:g})", ANSWER))
        if choices:
            issues.append(Issue(WARNING, "a number question shows no choices: these are ignored", CHOICES))
        choices = ()
    elif len(choices) < 2:
        issues.append(Issue(ERROR, f"needs at least two choices (has {len(choices)})", CHOICES))
    if kind == SINGLE and len(correct) != 1:
        issues.append(Issue(ERROR, f"needs exactly one correct choice (has {len(correct)})", CHOICES))
    if kind == MULTIPLE:
        if not correct:
            issues.append(Issue(ERROR, "a select-all question needs at least one correct choice", CHOICES))
        if choices and len(correct) == len(choices):
            issues.append(
                Issue(ERROR, "every choice is correct: a select-all question needs a wrong one too", CHOICES)
            )
        if not SELECT_ALL_RE.search(prompt):
            issues.append(Issue(WARNING, "the prompt does not say “Select all that apply”", PROMPT))
    issues.extend(
        Issue(ERROR, f"related term “{name}” does not exist or is not published", TERMS)
        for name in missing_terms
    )
    if not prompt.strip():
        issues.append(Issue(ERROR, "the prompt is empty", PROMPT))
    if not explanation.strip():
        issues.append(
            Issue(WARNING, "the explanation is missing: learners see nothing after answering", EXPLANATION)
        )
    if kind == SINGLE and len(correct) == 1 and len(choices) >= 2:
        others = [len(c.text.strip()) for c in choices if not c.is_correct]
        mean = sum(others) / len(others)
        length = len(correct[0].text.strip())
        if length > 1.5 * mean and length - mean >= 15:
            issues.append(
                Issue(
                    WARNING,
                    f"the correct choice is much longer than the others ({length} vs {mean:.0f} characters)",
                    CHOICES,
                )
            )
    for choice in choices:
        if ABOVE_RE.search(choice.text):
            issues.append(Issue(WARNING, f"“{choice.text.strip()}”: avoid “all/none of the above”", CHOICES))
        if not choice.rationale.strip():
            issues.append(Issue(WARNING, f"“{choice.text.strip()}” has no rationale", CHOICES))
    seen: dict[str, str] = {}
    for choice in choices:
        key = " ".join(choice.text.lower().split())
        if key in seen:
            issues.append(Issue(WARNING, f"two choices have the same text: “{choice.text.strip()}”", CHOICES))
        seen[key] = choice.text
    word = negative_without_emphasis(prompt)
    if word:
        issues.append(
            Issue(
                WARNING,
                f"negative prompt: put “{word}” in bold (**{word.upper()}**) so nobody misreads it",
                PROMPT,
            )
        )
    return issues
