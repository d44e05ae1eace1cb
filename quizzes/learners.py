"""Who is learning: a signed-in user, or an anonymous visitor known by an id in their session."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "recall_visitor"
SEEN_KEY = "recall_seen"


@dataclass(frozen=True)
class Learner:
    user_id: int | None = None
    visitor: uuid.UUID | None = None

    @classmethod
    def from_request(cls, request: HttpRequest, *, create: bool = False) -> Learner | None:
        """The current learner; ``create`` starts a session for a new visitor (at a first answer)."""
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
        if not create:
            return None
        visitor = uuid.uuid4()
        request.session[SESSION_KEY] = str(visitor)
        return cls(visitor=visitor)

    def answers_in_last_minute(self) -> int:
        from quizzes.models import Answer

        since = timezone.now() - dt.timedelta(minutes=1)
        return Answer.objects.filter(attempt__in=self.attempts(), answered_at__gte=since).count()

    def attempts(self):
        from quizzes.models import Attempt

        return Attempt.objects.for_learner(self)

    def as_fields(self) -> dict:
        return {"user_id": self.user_id} if self.user_id else {"visitor": self.visitor}


def renew_daily(request: HttpRequest) -> None:
    """Touch an active visitor's session once a day, so its cookie's expiry moves forward."""
    today = timezone.localdate().isoformat()
    if request.session.get(SEEN_KEY) != today:
        request.session[SEEN_KEY] = today


def first_attempt_seed(learner: Learner | None, quiz_pk: int) -> int:
    """The choice order before a first attempt exists: stable on reload, different per learner."""
    who = f"u{learner.user_id}" if learner and learner.user_id else f"v{learner.visitor}" if learner else "-"
    digest = hmac.new(settings.SECRET_KEY.encode(), f"seed:{who}:{quiz_pk}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") >> 2


class LearnerQuerySet(models.QuerySet):
    """Rows that belong to one learner: a user's, or an anonymous visitor's (``user``/``visitor``)."""

    def for_learner(self, learner: Learner | None):
        if learner is None:
            return self.none()
        if learner.user_id:
            return self.filter(user_id=learner.user_id)
        return self.filter(visitor=learner.visitor)
