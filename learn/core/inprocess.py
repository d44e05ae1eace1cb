"""Objects kept in this process as they are, not pickled: a bounded, thread-safe LRU map.

Django's local-memory cache pickles every value on the way in and out; for what a learner's page
reads on every request (a quiz with its questions, the fragments of its questions) unpickling
cost more than the rest of the page. What is kept here must be treated as read-only by whoever
gets it, and keyed by what it was made from (the content version), like everything cached here:
per process, never stale, and every instance of the site agrees.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable

_ALL: list[Kept] = []


def forget_all() -> None:
    """Every map empty, as in a new process (tests)."""
    for kept in _ALL:
        kept.clear()


class Kept:
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable, default=None):
        with self._lock:
            try:
                self._items.move_to_end(key)
            except KeyError:
                return default
            return self._items[key]

    def get_many(self, keys: Iterable[Hashable]) -> dict:
        found = {}
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
        return found

    def set(self, key: Hashable, value) -> None:
        self.set_many({key: value})

    def set_many(self, values: dict) -> None:
        with self._lock:
            for key, value in values.items():
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
