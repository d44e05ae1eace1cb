"""Whole pages for visitors who bring no state, cached until the content changes.

A visitor without a session (a first visit, a search engine, a shared link) sees exactly what every
other such visitor sees, except for one thing: the CSRF token that forms and htmx send back. So a
page for them is rendered once per content version with a placeholder where the token goes,
stored, and served with this visitor's own token put in. Everyone else (a learner with a session,
whose pages show their answers, read marks and review count) gets the view's normal rendering.

Correctness rests on the content version (``learn.models.content_version``): every change to
content, from the admin, a fixture load or a bulk command, gives it a new value in the database,
and every lookup reads it first. An edit therefore shows on the next request, on every instance
of the site, while the cache itself stays per process and needs no coordination.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from learn.models import content_version

CACHE = "pages"
_HOLE_ATTRIBUTE = "_recall_csrf_hole"


def csrf_placeholder() -> str:
    """What a cached page holds where the CSRF token goes: 64 characters (a token's length) that
    escaping leaves alone and that nobody without the secret key can type into content."""
    return _placeholder(settings.SECRET_KEY)


@lru_cache(maxsize=4)
def _placeholder(secret: str) -> str:
    return hmac.new(secret.encode(), b"recall page cache csrf hole", hashlib.sha256).hexdigest()


def csrf_hole(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered for the cache, its token is the placeholder."""
    if getattr(request, _HOLE_ATTRIBUTE, False):
        return {"csrf_token": csrf_placeholder()}
    return {}


def is_stateless(request: HttpRequest) -> bool:
    """A GET from a visitor with no session and no pending messages: the page is everyone's."""
    return (
        request.method == "GET"
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not request.COOKIES.get("messages")
    )


def page_key(request: HttpRequest, version: int) -> str:
    path = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{version}:{'htmx' if request.htmx else 'page'}:{path}"


def _with_token(request: HttpRequest, stored: tuple[str, tuple[str, ...], bytes]) -> HttpResponse:
    content_type, vary, body = stored
    hole = csrf_placeholder().encode()
    if hole in body:  # get_token also makes sure the visitor gets the matching cookie
        body = body.replace(hole, get_token(request).encode())
    response = HttpResponse(body, content_type=content_type)
    patch_vary_headers(response, vary)
    return response


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s 200 responses from the page cache for stateless visitors (see above)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_stateless(request):
            return view(request, *args, **kwargs)
        version = content_version()
        if version is None:  # no content loaded yet: nothing worth keeping
            return view(request, *args, **kwargs)
        key = page_key(request, version)
        pages = caches[CACHE]
        stored = pages.get(key)
        if stored is None:
            setattr(request, _HOLE_ATTRIBUTE, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, _HOLE_ATTRIBUTE, False)
            if not _is_everyones(request, response):
                return _fill_hole(request, response)
            vary = tuple(v.strip() for v in response.get("Vary", "").split(",") if v.strip())
            stored = (response["Content-Type"], (*vary, "Cookie"), response.content)
            pages.set(key, stored)
        return _with_token(request, stored)

    return wrapper


def _is_everyones(request: HttpRequest, response: HttpResponse) -> bool:
    """A plain 200 page that left nothing behind for this visitor (no session, cookie or message)."""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (session is not None and session.modified)
        and not (messages is not None and getattr(messages, "added_new", False))
    )


def _fill_hole(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A response that is not cached (an error page, a redirect) still gets the real token."""
    hole = csrf_placeholder().encode()
    if not response.streaming and hole in response.content:
        response.content = response.content.replace(hole, get_token(request).encode())
    return response
