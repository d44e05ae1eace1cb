"""What a log line says about the request that failed, so an error can be acted on."""

from __future__ import annotations

import logging


class RequestContext(logging.Filter):
    """Adds ``request_context`` to every record: for records about a request (Django's
    ``django.request`` errors carry it), its method, path, status, user id and client address.
    Never the body, cookies or query values: they may hold passwords or tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        context = ""
        if request is not None and hasattr(request, "META"):
            try:  # the user may be what failed to load (the database is down)
                user = getattr(request, "user", None)
                who = f"user={user.pk}" if getattr(user, "is_authenticated", False) else "user=-"
            except Exception:
                who = "user=?"
            status = getattr(record, "status_code", "")
            context = (
                f" [{request.method} {request.path} status={status} {who} "
                f"client={request.META.get('REMOTE_ADDR', '-')}]"
            )
        record.request_context = context
        return True
