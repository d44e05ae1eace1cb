"""Pure quiz rules: plain data in, plain data out. No Django, no database."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    correct: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.correct} / {self.total}"


def score(results: Iterable[bool], total: int) -> Score:
    """``results``: whether each stored answer was right; ``total``: questions in the quiz."""
    return Score(correct=sum(1 for right in results if right), total=total)


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


NOT_STARTED, PRACTISING, MASTERED = "not started", "practising", "mastered"


def mastery(results_oldest_first: Sequence[bool], *, needed: int = 2) -> str:
    """A term is mastered when the learner's last ``needed`` answers about it were all right."""
    if not results_oldest_first:
        return NOT_STARTED
    recent = results_oldest_first[-needed:]
    return MASTERED if len(recent) == needed and all(recent) else PRACTISING
