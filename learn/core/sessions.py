"""Database sessions that refuse malformed keys before they reach the database, and record whose
session each is (``LearnerSession.user_id`` / ``visitor``).

A session cookie is client input: one carrying a NUL byte made PostgreSQL raise on every page.
Real keys are 32 lowercase letters and digits.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import SESSION_KEY as USER_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

VISITOR_KEY = "recall_visitor"  # learn.core.learners.SESSION_KEY


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from learn.core.models import LearnerSession

        return LearnerSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id, session.visitor = owner_ids(data)
        return session

    def _validate_session_key(self, key):
        return bool(key) and len(key) >= 8 and len(key) <= 40 and key.isascii() and key.isalnum()


def owner_ids(data: dict) -> tuple[int | None, uuid.UUID | None]:
    """The user id and the visitor id a session's data names (either may be missing)."""
    try:
        user_id = int(data[USER_KEY]) if data.get(USER_KEY) else None
    except (TypeError, ValueError):
        user_id = None
    try:
        visitor = uuid.UUID(data[VISITOR_KEY]) if data.get(VISITOR_KEY) else None
    except (TypeError, ValueError, AttributeError):
        visitor = None
    return user_id, visitor
