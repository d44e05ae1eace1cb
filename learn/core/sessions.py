"""Database sessions that refuse malformed keys before they reach the database, record whose
session each is (``LearnerSession.user_id`` / ``visitor``), and bring the signed-in user along.

A session cookie is client input: one carrying a NUL byte made PostgreSQL raise on every page.
Real keys are 32 lowercase letters and digits.

Every request of a learner reads their session, and a signed-in learner's request their user
too. Through the ORM those were two queries of about 0.5 ms of Python each; here they are one
hand-written primary-key read (the session row, joined to its user by ``user_id``), and
``AuthenticationMiddleware`` below takes the user from it instead of querying again. Sessions
stay in the database, so logging out, a password change and "log out everywhere else" end a
session on every instance at its next request, as before.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, get_user_model
from django.contrib.auth import SESSION_KEY as USER_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from learn.core import rows

VISITOR_KEY = "recall_visitor"  # learn.core.learners.SESSION_KEY


class SessionStore(DatabaseSessionStore):
    loaded_user = None  # the session's signed-in user, read with it (None: not signed in, or unknown)

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

    def _get_session_from_db(self):
        """The unexpired session row and its user, in one query (None, and the key forgotten, when
        there is no such session, as Django's own store does)."""
        self.loaded_user = None
        if not self._validate_session_key(self.session_key):
            self._session_key = None
            return None
        model = self.model
        user_model = get_user_model()
        q = connection.ops.quote_name
        sql = (
            f"SELECT s.session_data, {rows.columns(user_model, 'u')} "
            f"FROM {q(model._meta.db_table)} s "
            f"LEFT JOIN {q(user_model._meta.db_table)} u ON u.{q(user_model._meta.pk.column)} = s.user_id "
            "WHERE s.session_key = %s AND s.expire_date > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session = model(session_key=self.session_key, session_data=row[0])
        if row[1] is not None:
            self.loaded_user = rows.instance(user_model, row[1:])
        return session


def session_user(request):
    """The signed-in user, from the row read with the session when it verifies exactly as
    ``django.contrib.auth.get_user`` would (the ModelBackend, an active user, the session's hash
    of the current password); in every other case Django's own ``get_user`` decides."""
    session = request.session
    session.get(USER_KEY)  # loads the session (and its user) if nothing did yet
    user = session.loaded_user
    backend = session.get(BACKEND_SESSION_KEY)
    if (
        user is not None
        and backend in FAST_BACKENDS
        and backend in settings.AUTHENTICATION_BACKENDS
        and str(user.pk) == str(session.get(USER_KEY))
        and ModelBackend().user_can_authenticate(user)
        and constant_time_compare(session.get(HASH_SESSION_KEY) or "", user.get_session_auth_hash())
    ):
        return user
    return auth.get_user(request)


FAST_BACKENDS = frozenset({"django.contrib.auth.backends.ModelBackend"})


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` taken from the session's own query when it can be."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)
    return request._cached_user


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
