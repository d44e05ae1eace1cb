"""Item analysis: how well each question works, from learners' first finished attempts.

Pure functions over plain data (no Django), tested on hand-computed examples.

- facility: the average credit learners earned on the question (the share who answered it right,
  for questions scored right or wrong; partial credit counts as its fraction);
- discrimination: the correlation between the credit on this question and the score on the rest
  of the quiz (the question itself left out, so it does not correlate with itself): the
  point-biserial correlation when credit is right or wrong, Pearson's r in general;
- pick rate: the share of learners who chose (or ticked) each choice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TOO_EASY, TOO_HARD, UNUSED_CHOICE, NEGATIVE = (
    "too easy",
    "too hard",
    "a choice nobody picks",
    "discriminates negatively",
)
FLAGS = (TOO_EASY, TOO_HARD, UNUSED_CHOICE, NEGATIVE)
MIN_ATTEMPTS_FOR_FLAGS = 10  # below this, facility and discrimination are noise
MIN_ATTEMPTS_FOR_UNUSED = 20

# question id -> (the choice id picked, or the ids ticked; right? or the credit from 0 to 1)
Response = Mapping[int, tuple[int | tuple[int, ...] | None, bool | float]]


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    attempts: int
    facility: float | None
    discrimination: float | None
    pick_rates: dict[int, float]
    flags: tuple[str, ...]


def correlation(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Pearson's r between the credit on one question and the rest score; None without spread.
    For credit that is 0 or 1 it is the point-biserial correlation (see ``point_biserial``)."""
    n = len(item)
    if n == 0 or n != len(rest):
        return None
    mean_item, mean_rest = sum(item) / n, sum(rest) / n
    spread_item = math.sqrt(sum((x - mean_item) ** 2 for x in item) / n)
    spread_rest = math.sqrt(sum((r - mean_rest) ** 2 for r in rest) / n)
    if spread_item == 0 or spread_rest == 0:
        return None
    covariance = sum((x - mean_item) * (r - mean_rest) for x, r in zip(item, rest, strict=True)) / n
    return covariance / (spread_item * spread_rest)


def point_biserial(item: Sequence[bool], rest: Sequence[float]) -> float | None:
    """r_pb = (M1 - M0) / s * sqrt(p * q); None when it is undefined (no spread)."""
    n = len(item)
    if n == 0 or n != len(rest):
        return None
    right = [r for r, ok in zip(rest, item, strict=True) if ok]
    wrong = [r for r, ok in zip(rest, item, strict=True) if not ok]
    if not right or not wrong:
        return None
    mean = sum(rest) / n
    spread = math.sqrt(sum((r - mean) ** 2 for r in rest) / n)
    if spread == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / spread * math.sqrt(p * (1 - p))


def flags_for(
    attempts: int, facility: float | None, discrimination: float | None, pick_rates: Mapping[int, float]
) -> tuple[str, ...]:
    found = []
    if attempts >= MIN_ATTEMPTS_FOR_FLAGS and facility is not None:
        if facility > 0.9:
            found.append(TOO_EASY)
        elif facility < 0.2:
            found.append(TOO_HARD)
    if attempts >= MIN_ATTEMPTS_FOR_UNUSED and any(rate < 0.05 for rate in pick_rates.values()):
        found.append(UNUSED_CHOICE)
    if attempts >= MIN_ATTEMPTS_FOR_FLAGS and discrimination is not None and discrimination < 0:
        found.append(NEGATIVE)
    return tuple(found)


def _picked(choice) -> tuple:
    if choice is None:
        return ()
    return tuple(choice) if isinstance(choice, tuple | list) else (choice,)


def analyse(responses: Sequence[Response], questions: Mapping[int, Sequence[int]]) -> dict[int, ItemStats]:
    """``responses``: one mapping per learner (their first finished attempt);
    ``questions``: question id -> its choice ids (empty for a number question)."""
    totals = [sum(float(credit) for _, credit in response.values()) for response in responses]
    stats = {}
    for question_id, choice_ids in questions.items():
        answered = [
            (r[question_id], total) for r, total in zip(responses, totals, strict=True) if question_id in r
        ]
        n = len(answered)
        item = [float(credit) for (_, credit), _ in answered]
        rest = [total - credit for credit, (_, total) in zip(item, answered, strict=True)]
        facility = sum(item) / n if n else None
        discrimination = correlation(item, rest)
        picks = dict.fromkeys(choice_ids, 0)
        for (choice, _), _ in answered:
            for choice_id in _picked(choice):
                if choice_id in picks:
                    picks[choice_id] += 1
        pick_rates = {choice_id: (count / n if n else 0.0) for choice_id, count in picks.items()}
        stats[question_id] = ItemStats(
            question_id=question_id,
            attempts=n,
            facility=facility,
            discrimination=discrimination,
            pick_rates=pick_rates,
            flags=flags_for(n, facility, discrimination, pick_rates),
        )
    return stats
