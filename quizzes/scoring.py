"""Pure quiz rules: plain data in, plain data out. No Django, no database."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    correct: float  # the sum of each answer's credit: partial credit counts as a fraction
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{points(self.correct)} / {self.total}"

    @property
    def points(self) -> str:
        return points(self.correct)


def points(value: float) -> str:
    """A score as people write it: 3, 2.5, 2.17 (at most two decimals)."""
    return f"{round(value, 2):g}"


def score(results: Iterable[bool | float], total: int) -> Score:
    """``results``: each stored answer's credit (True/False or a fraction from 0 to 1);
    ``total``: questions in the quiz."""
    return Score(correct=round(sum(float(r) for r in results), 4), total=total)


def select_all_credit(ticked: set, correct: set, wrong: set) -> float:
    """Select all that apply: each correct choice ticked earns an equal share of the correct
    ones, each wrong choice ticked costs an equal share of the wrong ones, floored at 0. Full
    credit only for exactly the right set: 2 of 3 right and 1 of 2 wrong ticked is 2/3 - 1/2."""
    earned = len(ticked & correct) / len(correct) if correct else 0.0
    lost = len(ticked & wrong) / len(wrong) if wrong else 0.0
    return max(0.0, round(earned - lost, 4))


def best(scores: Iterable[Score]) -> Score | None:
    return max(scores, key=lambda s: (s.ratio, s.correct), default=None)


def shuffled(seed: int, keys: Sequence[int]) -> list[int]:
    """A stable shuffle: the same seed and keys give the same order, on every machine."""
    return sorted(keys, key=lambda k: hashlib.blake2b(f"{seed}:{k}".encode(), digest_size=8).digest())


def seed_for(secret: bytes, who: str, quiz_key: int) -> int:
    """The choice order before a first attempt exists: stable on reload, different per learner
    (``who``) and quiz, unguessable without the secret."""
    digest = hmac.new(secret, f"seed:{who}:{quiz_key}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") >> 2


def opaque_token(secret: bytes, key: int) -> str:
    """A form value that names a choice without revealing anything about it or its order."""
    return hmac.new(secret, f"choice:{key}".encode(), hashlib.sha256).hexdigest()[:16]
