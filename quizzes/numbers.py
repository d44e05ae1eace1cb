"""Numbers as people type them, and whether one is close enough: plain Python, no Django.

Accepted: ``131072``, ``131,072``, ``131 072`` (spaces, thin or non-breaking too), ``1.31e5``,
``1.3 × 10^5`` (also ``x``, ``*``, ``·`` and ``10**5``), ``-0.5``, a Unicode minus, and ``50%``
where the answer's unit is percent. Anything else is refused with a message that shows an example.
"""

from __future__ import annotations

import math
import re

MAX_LENGTH = 40
SPACES = re.compile(r"[\s\u00a0\u2009\u202f]")
GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
TIMES_TEN = re.compile(r"^(?P<mantissa>[+-]?(\d+(\.\d*)?|\.\d+))[×x*·]10(\^|\*\*)(?P<exponent>[+-]?\d{1,3})$")


class NotANumber(ValueError):
    """``str(error)`` is the message for the learner."""


EXAMPLE = "2048"  # never an answer's own value: an example must not give a key away


def parse(text: str, *, percent: bool = False, example: str = "2048") -> float:
    """The number in ``text``; raises NotANumber with a message for anything else."""
    message = f"Type a number, for example {example}."
    if not isinstance(text, str) or not text.strip():
        raise NotANumber(message)
    if len(text) > MAX_LENGTH or "\x00" in text:
        raise NotANumber(f"That is too long to be a number here. {message}")
    raw = SPACES.sub("", text).replace("\u2212", "-")
    if percent and raw.endswith("%"):
        raw = raw[:-1]
    if GROUPED.match(raw):
        raw = raw.replace(",", "")
    match = TIMES_TEN.match(raw)
    if match:
        value = float(match["mantissa"]) * 10 ** int(match["exponent"])
    elif PLAIN.match(raw):
        value = float(raw)
    else:
        raise NotANumber(message)
    if not math.isfinite(value):
        raise NotANumber(message)
    return value


def close_enough(value: float, accepted: float, tolerance: float, *, relative: bool) -> bool:
    """Within ``tolerance`` of ``accepted``: absolute, or a fraction of ``accepted`` (relative).
    A hair of slack absorbs floating-point rounding (0.1 + 0.2 is 0.3 here)."""
    allowed = tolerance * abs(accepted) if relative else tolerance
    return abs(value - accepted) <= allowed + 1e-9 * max(1.0, abs(accepted))
