"""Spaced review of missed questions: a pure function, dates in, dates out.

A missed question comes back the next day. Each right answer pushes it further out: 3 days, then
7; a right answer at the last step retires it from the queue. A wrong answer at any step starts
over. Three right recalls over about 11 days is the classic expanding schedule (1-3-7), short
enough for a learner to finish a topic's review within two weeks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

INTERVALS = (1, 3, 7)  # days until the next review, by step


@dataclass(frozen=True)
class Next:
    step: int
    due: dt.date | None  # None: the question leaves the queue


def after_answer(*, step: int | None, correct: bool, today: dt.date) -> Next | None:
    """Where a question stands after an answer.

    ``step`` is the question's current step in the queue, or None if it is not queued. Returns
    None when a right answer concerns a question that was never missed (nothing to schedule).
    """
    if not correct:
        return Next(step=0, due=today + dt.timedelta(days=INTERVALS[0]))
    if step is None:
        return None
    following = step + 1
    if following >= len(INTERVALS):
        return Next(step=following, due=None)
    return Next(step=following, due=today + dt.timedelta(days=INTERVALS[following]))


def is_due(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due <= today
