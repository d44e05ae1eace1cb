"""The base layer's middleware.

A database that is busy (SQLite's write lock held past the timeout, a PostgreSQL connection
refused) gets a clean "try again" page or fragment with status 503, never a stack trace. The
failed request's transaction was rolled back, so nothing is half-written."""

import zoneinfo
from functools import lru_cache

from django.db import InterfaceError, OperationalError
from django.utils import timezone

from learn.core.errors import error_page


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            response = error_page(request, 503)
            response["Retry-After"] = "5"
            return response
        return None


class LearnerTimeZoneMiddleware:
    """Dates in what a learner reads are their local dates: the browser's time zone, which the
    site's script keeps in a ``tz`` cookie (UTC without JavaScript). Storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = time_zone(request.COOKIES.get("tz", ""))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


@lru_cache(maxsize=512)
def time_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """A known IANA zone name (``Europe/Paris``), or None for anything else a client sends."""
    if not name or len(name) > 64 or not all(c.isascii() and (c.isalnum() or c in "/_-+") for c in name):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
