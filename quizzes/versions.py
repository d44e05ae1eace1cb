"""Question versions: whether an edit changes what learners answer, and what changed, in words.
Plain data in (``Question.snapshot()`` dicts), plain data out."""

from __future__ import annotations

MEANINGFUL = ("kind", "prompt", "accepted_value", "tolerance", "tolerance_kind", "unit")


def _choices(snapshot: dict) -> dict:
    return {c["id"]: (" ".join(c["text"].split()), bool(c["correct"])) for c in snapshot.get("choices", [])}


def changes_meaning(old: dict, new: dict) -> bool:
    """True when an answer given to ``old`` could mean something else under ``new``."""
    if any(
        " ".join(str(old.get(k, "")).split()) != " ".join(str(new.get(k, "")).split()) for k in MEANINGFUL
    ):
        return True
    return _choices(old) != _choices(new)


def describe(old: dict, new: dict) -> str:
    """ "prompt, choices (2 edited, 1 added), key" — a short summary for authors."""
    parts = []
    labels = {"kind": "kind", "prompt": "prompt", "unit": "unit"}
    for key, label in labels.items():
        if old.get(key) != new.get(key):
            parts.append(label)
    if any(old.get(k) != new.get(k) for k in ("accepted_value", "tolerance", "tolerance_kind")):
        parts.append("accepted value or tolerance")
    before, after = _choices(old), _choices(new)
    added = len(after.keys() - before.keys())
    removed = len(before.keys() - after.keys())
    edited = sum(1 for k in before.keys() & after.keys() if before[k][0] != after[k][0])
    key_changed = {k for k, (_, c) in before.items() if c} != {k for k, (_, c) in after.items() if c}
    counts = [f"{n} {word}" for n, word in ((edited, "edited"), (added, "added"), (removed, "removed")) if n]
    if counts:
        parts.append(f"choices ({', '.join(counts)})")
    if key_changed:
        parts.append("which choices are correct")
    return ", ".join(parts)[:300] or "no change"
