"""The base layer's tables: the content version, the rate-limit buckets, sessions and the
health check's row.

They belong to the ``learn`` app (``app_label``), so their tables and migrations stay where they
were; the code that uses them lives here, below every app.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import InterfaceError, OperationalError, connection, models


class ContentVersion(models.Model):
    """One row whose value changes whenever any content changes (see ``learn/signals.py``).

    What is cached because content has not changed (rendered pages, the glossary's linker, letter
    counts) is keyed by it, and every lookup reads it first: a primary-key read that every
    instance of the site shares. A fresh random value per change, not a counter, so that a
    database restored from a backup brings back its own value and never meets a cache filled
    from other content under the same number.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        app_label = "learn"

    def __str__(self) -> str:
        return f"content version {self.value}"


def content_version() -> int | None:
    """The current content version, or None before any content was loaded.

    Raw SQL, as it runs on every cached page view. When it is a request's first query on a
    persistent connection it also stands in for Django's health check (CONN_HEALTH_CHECKS): a
    connection that fails it is closed and the query runs once more on a new one, as the check
    would have done, so a cached page costs one round trip to the database instead of two.
    """
    sql = f"SELECT value FROM {connection.ops.quote_name(ContentVersion._meta.db_table)} WHERE id = 1"
    if (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    ):
        connection.health_check_done = True
        try:
            return _read_version(sql)
        except (OperationalError, InterfaceError):
            connection.close()
    return _read_version(sql)


def _read_version(sql: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row else None


def bump_content_version() -> int:
    """Called after any change to content, including loads and bulk inserts that send no signals.
    Returns the new version."""
    value = secrets.randbits(62)
    if not ContentVersion.objects.filter(pk=1).update(value=value):
        ContentVersion.objects.update_or_create(pk=1, defaults={"value": value})
    return value


class RateLimitBucket(models.Model):
    """Hits per client and purpose in a fixed time window. In the database, so every gunicorn
    worker and every instance sees the same counts without an extra service."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64, help_text="A hash of the client's identity, never the raw address.")
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "learn"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="ratelimit_unique_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}… {self.hits} since {self.window_start:%H:%M}"


class HealthCheck(models.Model):
    """One row that ``/healthz`` writes on every probe: a database that still answers reads but
    refuses writes (read-only, a full disk that refuses the commit) is reported unhealthy."""

    checked_at = models.DateTimeField()

    class Meta:
        app_label = "learn"

    def __str__(self) -> str:
        return f"checked {self.checked_at:%Y-%m-%d %H:%M:%S}"


class LearnerSession(AbstractBaseSession):
    """Django's database session, plus whose it is: the signed-in user's id or the anonymous
    visitor's id, written at every save (``learn.core.sessions``). So "log out everywhere else",
    a password reset and an account's deletion end exactly that user's sessions, and the cleanup
    finds the visitors whose sessions are gone, without decoding every session.

    ``user_id`` is a plain indexed number, not a foreign key: a session saved by a request that
    raced an account's deletion must not fail on a missing user (it can no longer log anyone in).
    """

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    visitor = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        app_label = "learn"
        db_table = "learn_session"

    @classmethod
    def get_session_store_class(cls):
        from learn.core.sessions import SessionStore

        return SessionStore
