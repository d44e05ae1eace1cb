"""Database-backed rate limits: fixed windows counted per client, shared by all workers."""

from __future__ import annotations

import datetime as dt
import hashlib
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

    def describe_wait(self) -> str:
        minutes = max(1, round(self.seconds / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


FAILED_LOGIN = Limit("login-failed", hits=5, seconds=15 * 60)
SIGNUP = Limit("signup", hits=5, seconds=60 * 60)
REPORT = Limit("report", hits=5, seconds=60 * 60)
NEW_VISITOR = Limit("new-visitor", hits=settings.NEW_VISITORS_PER_HOUR, seconds=60 * 60)


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


def client_key(request: HttpRequest) -> str:
    """The client's address, hashed with the secret key: counted, never stored in the clear."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client_address(request)}".encode()).hexdigest()


def _window(limit: Limit, now: dt.datetime) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=dt.UTC)


def used(limit: Limit, key: str) -> int:
    """Hits in the current window and the one before it (a sliding approximation)."""
    now = timezone.now()
    since = _window(limit, now) - dt.timedelta(seconds=limit.seconds)
    previous_and_current = RateLimitBucket.objects.filter(scope=limit.scope, key=key, window_start__gte=since)
    current = _window(limit, now)
    total = 0
    for bucket in previous_and_current:
        if bucket.window_start == current:
            total += bucket.hits
        else:  # weight the previous window by how much of it still overlaps the last `seconds`
            overlap = 1 - (now - current).total_seconds() / limit.seconds
            total += int(bucket.hits * overlap)
    return total


def is_limited(limit: Limit, key: str) -> bool:
    return used(limit, key) >= limit.hits


def record(limit: Limit, key: str) -> None:
    window = _window(limit, timezone.now())
    with transaction.atomic():
        updated = RateLimitBucket.objects.filter(scope=limit.scope, key=key, window_start=window).update(
            hits=F("hits") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitBucket.objects.create(scope=limit.scope, key=key, window_start=window, hits=1)
            except IntegrityError:
                RateLimitBucket.objects.filter(scope=limit.scope, key=key, window_start=window).update(
                    hits=F("hits") + 1
                )


def take(limit: Limit, key: str) -> None:
    """Count one hit for ``key``, or raise ``Limited`` (counting nothing) when it is used up."""
    if is_limited(limit, key):
        raise Limited()
    record(limit, key)
