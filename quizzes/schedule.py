"""The memory model: FSRS (the ``fsrs`` package) for every question a learner answers.

Plain data in, plain data out: no Django, no database. A card is a question as one learner
remembers it (``Memory``); every answer, in a quiz, a review or practice, is one review of it.
A wrong answer rates Again, a right one Good. Intervals count in days: FSRS runs without its
same-day learning steps, so a card's next review is always at least a day away; answers given on
the same day as the last one (a retake, practising the misses right after a quiz) go through
FSRS's own short-term rule, which nudges stability a little instead of treating them as spaced
recall. Questions never retire: every right answer lengthens the interval as memory grows.

The whole history replays to the same card (``replay``), so a schedule can be rebuilt from the
stored reviews at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

DESIRED_RETENTION = 0.9
AGAIN, HARD, GOOD = int(Rating.Again), int(Rating.Hard), int(Rating.Good)


@dataclass(frozen=True)
class Memory:
    """What FSRS knows of one learner and one question after their last review."""

    state: int
    stability: float
    difficulty: float
    due: dt.datetime
    last_review: dt.datetime
    reps: int = 1
    lapses: int = 0

    def retrievability(self, at: dt.datetime, *, retention: float = DESIRED_RETENTION) -> float:
        """The chance of answering right at ``at`` (FSRS's forgetting curve)."""
        return scheduler(retention).get_card_retrievability(self._card(), current_datetime=_utc(at))

    def _card(self) -> Card:
        return Card(
            card_id=CARD_ID,
            state=State(self.state),
            step=None,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


# fsrs.Card without an id makes one from the clock and sleeps 1 ms so that the next differs: on
# every answer (inside its transaction) and for every card /progress/ shows. Ours are never
# stored by fsrs, so they all get one fixed id and nothing waits.
CARD_ID = 1


@lru_cache(maxsize=8)
def scheduler(retention: float = DESIRED_RETENTION) -> Scheduler:
    return Scheduler(
        desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )


def rating(correct: bool) -> int:
    """Never a pass for a wrong answer."""
    return GOOD if correct else AGAIN


def review(
    memory: Memory | None, correct: bool, at: dt.datetime, *, retention: float = DESIRED_RETENTION
) -> Memory:
    """The card after one more answer at ``at`` (a new card when ``memory`` is None)."""
    at = _utc(at)
    card = memory._card() if memory else Card(card_id=CARD_ID, due=at)
    if memory and at < memory.last_review:
        raise ValueError("reviews must come in time order")
    card, _ = scheduler(retention).review_card(card, Rating(rating(correct)), review_datetime=at)
    return Memory(
        state=int(card.state),
        stability=float(card.stability),
        difficulty=float(card.difficulty),
        due=card.due,
        last_review=card.last_review,
        reps=(memory.reps if memory else 0) + 1,
        lapses=(memory.lapses if memory else 0) + (0 if correct else 1),
    )


def replay(
    history: Iterable[tuple[dt.datetime, bool]], *, retention: float = DESIRED_RETENTION
) -> Memory | None:
    """The card that a history of (when, right?) answers leads to, oldest first."""
    memory = None
    for at, correct in sorted(history, key=lambda event: event[0]):
        memory = review(memory, correct, at, retention=retention)
    return memory


# ---- Mastery, in words learners understand ------------------------------------------------

NEW, LEARNING, SOLID, LASTING = "new", "learning", "solid", "lasting"
LEVELS = {
    NEW: "Not answered yet.",
    LEARNING: "Fresh in memory: it will fade within days without review.",
    SOLID: "Likely to hold for a week or more.",
    LASTING: "Likely to hold for a month or more.",
}
SOLID_DAYS, LASTING_DAYS = 7, 30


@dataclass(frozen=True)
class Mastery:
    level: str
    today: float  # average chance of recall now, 0 to 1
    later: float  # the same, ``ahead`` days from now with no review in between
    answered: int

    @property
    def meaning(self) -> str:
        return LEVELS[self.level]


def mastery(memories: list[Memory], now: dt.datetime, *, ahead: int = 30) -> Mastery:
    """A term's level from its questions' cards: the weakest question sets the level (a term is
    solid only when every question about it is), recall averaged over its questions."""
    if not memories:
        return Mastery(NEW, 0.0, 0.0, 0)
    weakest = min(m.stability for m in memories)
    level = LASTING if weakest >= LASTING_DAYS else SOLID if weakest >= SOLID_DAYS else LEARNING
    later = now + dt.timedelta(days=ahead)
    today = sum(m.retrievability(now) for m in memories) / len(memories)
    future = sum(m.retrievability(later) for m in memories) / len(memories)
    return Mastery(level, today, future, len(memories))


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(dt.UTC)
