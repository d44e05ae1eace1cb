"""Who is learning: a signed-in user, or an anonymous visitor known by an id in their session.

Every table of learner data has the same two owner columns (``user``, ``visitor``) and the same
rule, "a user or a visitor, never both", written here once (``one_learner``). A new visitor is
started only through ``Learner.start_visitor``, which counts it against the per-client limit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from learn.core import ratelimit
from learn.core.sessions import VISITOR_KEY

SESSION_KEY = VISITOR_KEY
SEEN_KEY = "recall_seen"


@dataclass(frozen=True)
class Learner:
    user_id: int | None = None
    visitor: uuid.UUID | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Learner | None:
        """The current learner, or None for someone who has not started learning yet."""
        if request.user.is_authenticated:
            return cls(user_id=request.user.pk)
        raw = request.session.get(SESSION_KEY)
        if raw:
            try:
                visitor = uuid.UUID(raw)
            except ValueError:
                visitor = None
            if visitor:
                renew_daily(request)
                return cls(visitor=visitor)
        return None

    @classmethod
    def start_visitor(cls, request: HttpRequest) -> Learner:
        """A new anonymous learner for this browser (at a first answer, read mark or retake).

        Raises ``ratelimit.Limited`` when this client started too many visitors lately: every
        door that creates a visitor goes through here, so the limit cannot be walked around.
        """
        ratelimit.take(ratelimit.NEW_VISITOR, ratelimit.client_key(request))
        visitor = uuid.uuid4()
        request.session[SESSION_KEY] = str(visitor)
        return cls(visitor=visitor)

    @classmethod
    def from_request_or_start(cls, request: HttpRequest) -> Learner:
        return cls.from_request(request) or cls.start_visitor(request)

    @property
    def who(self) -> str:
        """A stable text id: ``u<id>`` for a user, ``v<uuid>`` for a visitor."""
        return f"u{self.user_id}" if self.user_id else f"v{self.visitor}"

    def as_fields(self) -> dict:
        return {"user_id": self.user_id} if self.user_id else {"visitor": self.visitor}


def renew_daily(request: HttpRequest) -> None:
    """Touch an active visitor's session once a day, so its cookie's expiry moves forward."""
    today = timezone.localdate().isoformat()
    if request.session.get(SEEN_KEY) != today:
        request.session[SEEN_KEY] = today


def one_learner(name: str) -> models.CheckConstraint:
    """The database rule for every row of learner data: a user or a visitor, never both."""
    return models.CheckConstraint(
        condition=Q(user__isnull=False, visitor__isnull=True) | Q(user__isnull=True, visitor__isnull=False),
        name=name,
    )


class LearnerQuerySet(models.QuerySet):
    """Rows that belong to one learner: a user's, or an anonymous visitor's (``user``/``visitor``)."""

    def for_learner(self, learner: Learner | None):
        if learner is None:
            return self.none()
        if learner.user_id:
            return self.filter(user_id=learner.user_id)
        return self.filter(visitor=learner.visitor)


def create_or_get(model, lookup: dict, defaults: dict | None = None):
    """Race-safe get_or_create: insert in a savepoint; on a unique clash, the row that another
    request committed first. Returns (row, created)."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **(defaults or {})), True
    except IntegrityError:
        return model.objects.get(**lookup), False


def insert_row(model, values: dict, *, skip_conflict: bool = False) -> int | None:
    """One INSERT of ``values`` (every column, by field name or attname) returning the new
    primary key: ``Model.objects.create`` without the ORM's cost, for the few writes on the
    answer path. With ``skip_conflict``, ``ON CONFLICT DO NOTHING``: None when a unique
    constraint already holds such a row (a race-safe get_or_create in one statement, no
    savepoint; SQLite and PostgreSQL both have it)."""
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
        f"{' ON CONFLICT DO NOTHING' if skip_conflict else ''} RETURNING {q(meta.pk.column)}"
    )
    params = [f.get_db_prep_save(value, connection) for f, value in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None
