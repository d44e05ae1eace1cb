"""Database-backed rate limits: fixed windows counted per client (or per account), shared by
every worker and instance.

A hit is *reserved* before the work it limits (``take``): counted and checked in one transaction
that holds the bucket's row, so parallel requests cannot all see "one left" and all go ahead.
Work that only counts when it fails (a log-in) gives its hit back when it succeeds
(``Hit.release``, or the ``failures_counted`` block).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from learn.core.errors import ERRORS
from learn.core.models import RateLimitBucket


@dataclass(frozen=True)
class Limit:
    scope: str
    hits: int
    seconds: int
    refusal: str = ""  # what the learner reads, with {wait} for describe_wait()

    def describe_wait(self) -> str:
        minutes = max(1, round(self.seconds / 60))
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{minutes} minute{'s' if minutes != 1 else ''}"

    @property
    def message(self) -> str:
        return self.refusal.format(wait=self.describe_wait()) if self.refusal else ERRORS[429][1]


FORGOT = " If you have forgotten your password, reset it: the link is on the sign-in page."
# Failed log-ins, from the site's form, the admin's and every form that asks for the password
# (changing it, deleting the account), per client address and per account name.
FAILED_LOGIN = Limit(
    "login-failed",
    hits=5,
    seconds=15 * 60,
    refusal="Too many failed sign-in attempts from your connection. Wait {wait} and try again.",
)
FAILED_LOGIN_ACCOUNT = Limit(
    "login-failed-account",
    hits=10,
    seconds=15 * 60,
    refusal="Too many failed sign-in attempts for this account. Wait {wait} and try again." + FORGOT,
)
# Every sign-up that is checked counts, taken or not: probing for names costs as much as creating.
SIGNUP = Limit(
    "signup",
    hits=10,
    seconds=60 * 60,
    refusal="Too many sign-up attempts from your connection. Try again in {wait}.",
)
REPORT = Limit("report", hits=5, seconds=60 * 60)
NEW_VISITOR = Limit("new-visitor", hits=settings.NEW_VISITORS_PER_HOUR, seconds=60 * 60)
PASSWORD_RESET = Limit(
    "password-reset",
    hits=5,
    seconds=60 * 60,
    refusal="Too many password reset requests from your connection. Try again in {wait}.",
)
PASSWORD_RESET_ADDRESS = Limit(
    "password-reset-address",
    hits=3,
    seconds=60 * 60,
    refusal="We have already sent several reset emails to this address. Try again in {wait}, "
    "and check your spam folder.",
)
EMAIL_CHANGE = Limit(
    "email-change",
    hits=5,
    seconds=60 * 60,
    refusal="You have asked for several confirmation emails lately. Try again in {wait}.",
)
LIMITS = [
    FAILED_LOGIN,
    FAILED_LOGIN_ACCOUNT,
    SIGNUP,
    REPORT,
    NEW_VISITOR,
    PASSWORD_RESET,
    PASSWORD_RESET_ADDRESS,
    EMAIL_CHANGE,
]


class Limited(Exception):
    """A request refused by a limit; ``message`` is what the learner reads (status 429)."""

    def __init__(self, message: str = ERRORS[429][1]):
        super().__init__(message)
        self.message = message


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies (DJANGO_TRUSTED_PROXIES=N), the address the
    outermost trusted proxy saw: the N-th entry from the right of X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _hashed(kind: str, value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{value}".encode()).hexdigest()


def client_key(request: HttpRequest) -> str:
    """The client's address, hashed with the secret key: counted, never stored in the clear."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client_address(request)}".encode()).hexdigest()


def name_key(kind: str, name: str) -> str:
    """An account name or an email address, folded (case, width, compatibility forms) and hashed:
    the same key for every spelling that reaches the same account, whether or not it exists."""
    return _hashed(kind, unicodedata.normalize("NFKC", name).casefold().strip())


def _window(limit: Limit, now: dt.datetime) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=dt.UTC)


def _weighted(limit: Limit, now: dt.datetime, current_hits: int, previous_hits: int) -> int:
    """Hits in the last ``seconds``: the current window's, plus the previous window's weighted by
    how much of it still overlaps (a sliding approximation), rounded up: just after a window
    starts, the hits of the one before still count in full (rounding down gave a free hit there,
    and made the failed-log-in test flaky when it ran across a quarter hour)."""
    remaining = limit.seconds * 1_000_000 - (now - _window(limit, now)) // dt.timedelta(microseconds=1)
    return current_hits + -(
        -previous_hits * remaining // (limit.seconds * 1_000_000)
    )  # whole numbers: no float error


def used(limit: Limit, key: str) -> int:
    """Hits in the current window and the one before it."""
    now = timezone.now()
    current = _window(limit, now)
    previous = current - dt.timedelta(seconds=limit.seconds)
    hits = dict(
        RateLimitBucket.objects.filter(scope=limit.scope, key=key, window_start__gte=previous).values_list(
            "window_start", "hits"
        )
    )
    return _weighted(limit, now, hits.get(current, 0), hits.get(previous, 0))


def is_limited(limit: Limit, key: str) -> bool:
    return used(limit, key) >= limit.hits


def record(limit: Limit, key: str) -> None:
    """Count one hit after the fact (mistake reports: only a stored report counts)."""
    window = _window(limit, timezone.now())
    with transaction.atomic():
        bucket = _bucket(limit, key, window)
        RateLimitBucket.objects.filter(pk=bucket).update(hits=F("hits") + 1)


def _bucket(limit: Limit, key: str, window: dt.datetime) -> int:
    """The primary key of this window's bucket, created (empty) if needed; race-safe."""
    found = RateLimitBucket.objects.filter(scope=limit.scope, key=key, window_start=window)
    pk = found.values_list("pk", flat=True).first()
    if pk is None:
        try:
            with transaction.atomic():
                pk = RateLimitBucket.objects.create(scope=limit.scope, key=key, window_start=window).pk
        except IntegrityError:  # another request created it first
            pk = found.values_list("pk", flat=True).get()
    return pk


@dataclass(frozen=True)
class Hit:
    """One reserved hit, which ``release`` gives back (a log-in that succeeded)."""

    limit: Limit
    key: str
    window: dt.datetime

    def release(self) -> None:
        RateLimitBucket.objects.filter(
            scope=self.limit.scope, key=self.key, window_start=self.window, hits__gt=0
        ).update(hits=F("hits") - 1)


def take(limit: Limit, key: str) -> Hit:
    """Reserve one hit for ``key``, or raise ``Limited`` (counting nothing) when it is used up.

    The bucket's row is locked while it is counted (SQLite's IMMEDIATE transactions serialise
    writers anyway), so N parallel requests get exactly the hits that are left, never more.
    """
    now = timezone.now()
    window = _window(limit, now)
    previous = window - dt.timedelta(seconds=limit.seconds)
    with transaction.atomic():
        pk = _bucket(limit, key, window)
        current = RateLimitBucket.objects.select_for_update().values_list("hits", flat=True).get(pk=pk)
        before = (
            RateLimitBucket.objects.filter(scope=limit.scope, key=key, window_start=previous)
            .values_list("hits", flat=True)
            .first()
        )
        if _weighted(limit, now, current, before or 0) >= limit.hits:
            raise Limited(limit.message)
        RateLimitBucket.objects.filter(pk=pk).update(hits=F("hits") + 1)
    return Hit(limit, key, window)


def take_all(*wanted: tuple[Limit, str]) -> list[Hit]:
    """Reserve a hit of every (limit, key), or none: a refusal gives back what was taken."""
    hits: list[Hit] = []
    try:
        for limit, key in wanted:
            hits.append(take(limit, key))
    except Limited:
        for hit in hits:
            hit.release()
        raise
    return hits


@contextmanager
def failures_counted(request: HttpRequest, username: str) -> Iterator[None]:
    """Around a password check: a failed-log-in hit per client and per account is reserved
    before the password is even looked at (``Limited`` if either is used up) and given back if
    the block finishes without raising. Every door that checks a password goes through here."""
    hits = take_all(
        (FAILED_LOGIN, client_key(request)), (FAILED_LOGIN_ACCOUNT, name_key("account", username))
    )
    yield
    for hit in hits:
        hit.release()


def forget_old(now: dt.datetime | None = None) -> int:
    """Delete buckets no limit reads any more (older than two of the longest window)."""
    now = now or timezone.now()
    longest = max(limit.seconds for limit in LIMITS)
    deleted, _ = RateLimitBucket.objects.filter(
        window_start__lt=now - dt.timedelta(seconds=2 * longest)
    ).delete()
    return deleted
