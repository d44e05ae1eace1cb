"""The site's own middleware: request bodies bounded before they are read, limits and a busy
database answered with the site's own pages, pages of a learner's own kept out of shared caches,
and dates in the learner's time zone.

A database that is busy (SQLite's write lock held past the timeout, a PostgreSQL connection
refused) gets a clean "try again" page or fragment with status 503, never a stack trace. The
failed request's transaction was rolled back, so nothing is half-written."""

from __future__ import annotations

import io
import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.core.files.uploadhandler import load_handler
from django.core.handlers.wsgi import LimitedStream
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from learn.core.errors import error_page
from learn.core.ratelimit import Limited


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def accepts_uploads(max_bytes: int | None = None) -> Callable:
    """Mark a view that takes files (the one place that may: a future authoring import).

    Uploads are off everywhere else (``FILE_UPLOAD_HANDLERS = []``: file parts are read and
    dropped, never written to disk). For a marked view the body limit is ``max_bytes``
    (default ``UPLOAD_MAX_BYTES``) instead of ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and Django's
    usual handlers (memory, then a temporary file) receive its files.
    """

    def mark(view: Callable) -> Callable:
        view.max_body_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
        view.accepts_uploads = True
        return view

    return mark


class RequestBodyLimitMiddleware:
    """First in MIDDLEWARE: a request whose body is larger than its view takes gets the site's
    413 page before anything reads a byte of it. ``Content-Length`` is checked as announced; a
    chunked body (no length) is read into memory up to the limit, and refused as soon as it
    grows past it. Views take ``DATA_UPLOAD_MAX_MEMORY_SIZE`` unless marked ``accepts_uploads``.

    This bounds what one request costs once it reaches Django; a slow client that dribbles its
    body still holds a worker thread while it does, which only a buffering proxy in front of
    the site prevents (README, "Serving in production").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        limit = getattr(view_func, "max_body_bytes", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        announced = request.META.get("CONTENT_LENGTH") or ""
        if announced.strip():
            try:
                length = int(announced)
            except ValueError:
                return error_page(request, 400)
            if length > limit:
                return self.too_large(request, limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = self.read_chunked(request, limit)
            if body is None:
                return self.too_large(request, limit)
            request._stream = LimitedStream(io.BytesIO(body), len(body))
            request.META["CONTENT_LENGTH"] = str(len(body))
        if getattr(view_func, "accepts_uploads", False):
            request.upload_handlers = [load_handler(path, request) for path in settings.UPLOAD_HANDLERS]
        return None

    @staticmethod
    def read_chunked(request: HttpRequest, limit: int) -> bytes | None:
        stream = request.environ.get("wsgi.input")
        if stream is None:
            return b""
        parts, size = [], 0
        while True:
            part = stream.read(min(64 * 1024, limit + 1 - size))
            if not part:
                return b"".join(parts)
            parts.append(part)
            size += len(part)
            if size > limit:
                return None

    @staticmethod
    def too_large(request: HttpRequest, limit: int) -> HttpResponse:
        return error_page(
            request,
            413,
            f"The request was larger than this site takes ({describe_size(limit)}), so none of it was "
            "read. Shorten what you wrote and try again.",
        )


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


class RateLimitedMiddleware:
    """A ``ratelimit.Limited`` that a view lets through (the admin's log-in form) becomes the
    site's 429 page with the limit's own message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Limited):
            return error_page(request, 429, exception.message)
        return None


class PrivatePagesMiddleware:
    """Just outside SessionMiddleware: a response made for a client with a session, by a view
    that read it (their progress, their account, the header's review count), gets
    ``Cache-Control: private`` besides the ``Vary: Cookie`` SessionMiddleware adds, so no shared
    cache (a proxy, a CDN) keeps one learner's page for another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and session.session_key:
            cache_control = response.get("Cache-Control", "")
            if "private" not in cache_control and "no-store" not in cache_control:
                patch_cache_control(response, private=True)
        return response
