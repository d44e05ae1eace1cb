"""Whole pages, cached until the content changes, with holes for what differs between requests.

A client without a session (a first visit, a search engine, a shared link) sees exactly what every
other such client sees, except for one thing: the CSRF token that forms and htmx send back. So a
page for them is rendered once per content version with a placeholder where the token goes,
stored, and served with this client's own token put in (``@cached_page()``).

Some pages show a learner nothing of their own except the header (their account links, the
"N to review" badge) and a message after an action: the glossary, a term, search, the list of
articles. For clients with a session (an anonymous learner, a signed-in user) those pages are
cached too, with two more holes, filled per request from ``base.html``'s ``account`` and
``messages`` partials (``@cached_page(sessions=True)``). Pages that show a learner's own state
(their answers, read marks, scores) are cached only for clients without a session; learners get
the view's normal rendering there.

A page that shows a learner little of their own (an article's "mark as read" box; a quiz's
progress line, questions and result) names those parts as holes of its own
(``@cached_page(own=("read",), fill=...)``): learners with a session then share one copy of the
rest, rendered once with placeholders there, and ``fill(request, *args, **kwargs)`` returns each
part's HTML for this learner, rendered per request. While the shared copy is built the view
must leave those parts alone (``is_shell(request)``), and the page is only kept if it did not
read the session: a part the view forgot to name makes the page the learner's own again.

Each cached view names the query parameters it reads (``params``): a URL with any other is served
but not stored, so made-up query strings cannot push real pages out of the cache; and while a page
is built for the cache, reading a parameter that was not named raises, so the list cannot drift
from the code.

Correctness rests on the content version (``learn.core.models.content_version``): every change to
content, from the admin, a fixture load or a bulk command, gives it a new value in the database,
and every lookup reads it first. An edit therefore shows on the next request, on every instance
of the site, while the cache itself stays per process and needs no coordination.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.template import engines, loader
from django.utils.cache import patch_vary_headers

from learn.core.inprocess import Kept
from learn.core.models import content_version

CACHE = "pages"
_MODE = "_recall_page_holes"  # set on the request while a page is rendered for the cache
NO_SESSION, WITH_SESSION = "anonymous", "session"  # who a stored copy is for
PARTIAL_HOLES = ("account", "messages")  # base.html's partials that a session's page fills in


def placeholder(name: str) -> str:
    """What a cached page holds where a per-request part goes: 64 hex characters (a CSRF token's
    length) that escaping leaves alone and that nobody without the secret key can type in."""
    return _placeholder(settings.SECRET_KEY, name)


def csrf_placeholder() -> str:
    return placeholder("csrf")


def request_token(request: HttpRequest) -> str:
    """This request's masked CSRF token, made once however many holes it fills (masking one
    costs as much as the rest of filling a page); ``get_token`` also sets the cookie."""
    secret, token = getattr(request, "_recall_csrf_token", (None, None))
    if token is None or secret != request.META.get("CSRF_COOKIE"):  # none yet, or rotated (a login)
        token = get_token(request)
        request._recall_csrf_token = (request.META.get("CSRF_COOKIE"), token)
    return token


@lru_cache(maxsize=16)
def _placeholder(secret: str, name: str) -> str:
    return hmac.new(secret.encode(), f"recall page cache hole: {name}".encode(), hashlib.sha256).hexdigest()


_OWN = "_recall_page_own_holes"  # the view's own holes, while a learners' copy is built


def holes(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered for the cache, placeholders stand in for the
    CSRF token and, on a learner's page, for the header's account links, the messages and the
    view's own parts."""
    mode = getattr(request, _MODE, None)
    if mode is None:
        return {}
    context = {"csrf_token": csrf_placeholder()}
    if mode == WITH_SESSION:
        names = (*PARTIAL_HOLES, *(f"own:{n}" for n in getattr(request, _OWN, ())))
        context["page_holes"] = {name.removeprefix("own:"): placeholder(name) for name in names}
    return context


def is_building(request: HttpRequest) -> bool:
    """Whether the view is rendering a page for the cache: a CSRF hole must then stay a hole (the
    page is filled for each request that gets it), never this request's token."""
    return getattr(request, _MODE, None) is not None


def is_shell(request: HttpRequest) -> bool:
    """Whether the view is rendering the copy learners share, with its own parts left as holes
    (it must then not look at who the learner is)."""
    return getattr(request, _MODE, None) == WITH_SESSION and bool(getattr(request, _OWN, ()))


# What a cached response keeps of the view's headers; a view that sets any other is not stored.
KEPT_HEADERS = frozenset({"content-type", "vary"})


def is_stateless(request: HttpRequest) -> bool:
    """A client with no session and no pending messages: the page is the same for all of them."""
    return not request.COOKIES.get(settings.SESSION_COOKIE_NAME) and not request.COOKIES.get("messages")


def page_key(request: HttpRequest, version: int, mode: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{version}:{mode}:{'htmx' if request.htmx else 'page'}:{path}"


class NamedParameters(QueryDict):
    """``request.GET`` while a page is built for the cache: reading a parameter the view did not
    name in ``@cached_page(params=...)`` is a programming error, caught by the first test."""

    def __init__(self, query: QueryDict, names: frozenset[str]):
        super().__init__(mutable=True)
        for key in query:
            self.setlist(key, query.getlist(key))
        self._mutable = False
        self.names = names

    def _check(self, key) -> None:
        if key not in self.names:
            raise ImproperlyConfigured(f"a cached view read ?{key}= without naming it in params")

    def __getitem__(self, key):
        self._check(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._check(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._check(key)
        return super().getlist(key, default)

    def __contains__(self, key) -> bool:
        self._check(key)
        return super().__contains__(key)


def cached_page(
    *,
    params: Iterable[str] = (),
    sessions: bool = False,
    own: Iterable[str] = (),
    fill: Callable[..., dict[str, str]] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve a view's plain 200 GET responses from the page cache, to clients without a session,
    and with ``sessions`` to every client (a view whose page shows a learner nothing of their own
    outside base.html's account and messages partials). ``params``: the query parameters the view
    reads. ``own`` and ``fill``: the view's own per-learner parts (see the module's docstring);
    they imply ``sessions``."""
    names = frozenset(params)
    own = tuple(own)
    sessions = sessions or bool(own)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "GET" or not settings.PAGE_CACHE:
                return view(request, *args, **kwargs)
            mode = NO_SESSION if is_stateless(request) else WITH_SESSION if sessions else None
            if not names.issuperset(request.GET):
                mode = None
            version = content_version() if mode else None
            if version is None:  # a learner's own page, or no content loaded yet
                return view(request, *args, **kwargs)
            key = page_key(request, version, mode)
            pages = caches[CACHE]
            stored = pages.get(key)
            if stored is None:
                query = request.GET
                setattr(request, _MODE, mode)
                setattr(request, _OWN, own if mode == WITH_SESSION else ())
                request.GET = NamedParameters(query, names)
                try:
                    response = view(request, *args, **kwargs)
                finally:
                    setattr(request, _MODE, None)
                    setattr(request, _OWN, ())
                    request.GET = query
                if not _is_everyones(request, response, mode):
                    if mode == WITH_SESSION and own:  # a shell that cannot be shared: not served
                        return view(request, *args, **kwargs)
                    return _filled(request, response)
                vary = tuple(v.strip() for v in response.get("Vary", "").split(",") if v.strip())
                stored = (response["Content-Type"], (*vary, "Cookie"), response.content)
                pages.set(key, stored)
            content_type, vary, body = stored
            parts = fill(request, *args, **kwargs) if mode == WITH_SESSION and own else {}
            if isinstance(parts, HttpResponse):  # the view's own answer (a redirect, a 404)
                return parts
            response = HttpResponse(_fill(request, body, parts), content_type=content_type)
            patch_vary_headers(response, vary)
            return response

        return wrapper

    return decorate


def _is_everyones(request: HttpRequest, response: HttpResponse, mode: str) -> bool:
    """A plain 200 page that left nothing behind for this client (no session, cookie, message or
    header of its own) and, for a client with a session, never read it: a view that looked at who
    the learner is (their user, their progress) made a page that is theirs alone."""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and KEPT_HEADERS.issuperset(name.lower() for name in response.headers)
        and not (session is not None and session.modified)
        and not (mode == WITH_SESSION and session is not None and session.accessed)
        and not (messages is not None and getattr(messages, "added_new", False))
    )


def _fill(request: HttpRequest, body: bytes, parts: dict[str, str] | None = None) -> bytes:
    """The holes filled for this request. get_token also makes sure the matching cookie is set.
    ``parts``: the view's own holes, by name (their own CSRF holes are filled here too)."""
    for name, part in (parts or {}).items():
        body = body.replace(placeholder(f"own:{name}").encode(), part.encode())
    for name in PARTIAL_HOLES:
        hole = placeholder(name).encode()
        if hole in body:
            if name == "messages" and not len(get_messages(request)):
                part = ""  # what the partial renders with no message, without rendering it
            elif name == "account":
                part = account_part(request)
            else:
                part = loader.get_template(f"base.html#{name}").render({}, request)
            body = body.replace(hole, part.encode())
    hole = csrf_placeholder().encode()
    if hole in body:
        body = body.replace(hole, request_token(request).encode())
    return body


ACCOUNTS = Kept(max_entries=10_000)  # what the account partial shows -> its HTML (about 1 KB)


def account_part(request: HttpRequest) -> str:
    """base.html's ``account`` partial for this request, rendered once per state and kept: what it
    shows is the page's address (its "next" links, which link is current), who is signed in and
    the context processors' ``review_due`` count, so those are its key; its CSRF token is a hole
    filled afterwards, like the page's. A change to what the partial reads must change the key."""
    context: dict = {}
    for processor in engines["django"].engine.template_context_processors:
        context.update(processor(request))
    user = context.get("user")
    match = request.resolver_match
    key = (
        request.get_full_path(),
        (match.namespace, match.url_name) if match else None,
        bool(user and user.is_authenticated),
        user.get_username() if user and user.is_authenticated else "",
        str(context.get("review_due", "")),
    )
    part = ACCOUNTS.get(key)
    if part is None:
        context.update(request=request, csrf_token=csrf_placeholder())
        part = loader.get_template("base.html#account").render(context)
        ACCOUNTS.set(key, part)
    return part


def _filled(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A response that is not cached (an error page, a redirect) still gets its holes filled."""
    if not response.streaming:
        response.content = _fill(request, response.content)
    return response
