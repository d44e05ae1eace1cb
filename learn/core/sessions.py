"""Database sessions that refuse malformed keys before they reach the database.

A session cookie is client input: one carrying a NUL byte made PostgreSQL raise on every page.
Real keys are 32 lowercase letters and digits.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and len(key) >= 8 and len(key) <= 40 and key.isascii() and key.isalnum()
