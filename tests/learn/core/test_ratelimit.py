import datetime as dt

import pytest
from django.utils import timezone

from learn.core import ratelimit

pytestmark = pytest.mark.django_db

LIMIT = ratelimit.Limit("test", hits=5, seconds=15 * 60)


def at(monkeypatch, when: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)


def test_hits_just_before_a_window_starts_still_count_just_after(monkeypatch):
    boundary = dt.datetime(2026, 12, 2, 10, 15, tzinfo=dt.UTC)
    at(monkeypatch, boundary - dt.timedelta(seconds=1))
    for _ in range(4):
        ratelimit.take(LIMIT, "k")
    at(monkeypatch, boundary + dt.timedelta(seconds=1))
    ratelimit.take(LIMIT, "k")  # the fifth, in the new window

    with pytest.raises(ratelimit.Limited):
        ratelimit.take(LIMIT, "k")


def test_old_hits_fade_as_their_window_slides_away(monkeypatch):
    start = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
    at(monkeypatch, start)
    for _ in range(5):
        ratelimit.take(LIMIT, "k")
    at(monkeypatch, start + dt.timedelta(minutes=15 + 12))  # 12 of 15 minutes on: a fifth still counts
    for _ in range(4):
        ratelimit.take(LIMIT, "k")
    with pytest.raises(ratelimit.Limited):
        ratelimit.take(LIMIT, "k")
    assert ratelimit.used(LIMIT, "k") == 5


@pytest.mark.parametrize(
    ("earlier", "seconds_in", "counted"), [(9, 300, 6), (10, 630, 3), (15, 600, 5), (5, 0, 5)]
)
def test_the_previous_windows_hits_count_by_the_share_still_in_reach(
    monkeypatch, earlier, seconds_in, counted
):
    """9 hits, a third of the window gone: exactly 6 count (a float product gave 6.000000000000001, so 7)."""
    start = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
    at(monkeypatch, start)
    limit = ratelimit.Limit("test", hits=100, seconds=15 * 60)
    for _ in range(earlier):
        ratelimit.take(limit, "k")
    at(monkeypatch, start + dt.timedelta(minutes=15, seconds=seconds_in))
    assert ratelimit.used(limit, "k") == counted
