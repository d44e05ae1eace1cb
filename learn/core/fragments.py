"""Key-based fragment caching: a part of a page that looks the same for everyone in the same state
(a quiz question unanswered in a given choice order, or answered with a given choice) is
rendered once per content version and state, and assembled per request into each learner's page.

A fragment's key is everything its rendering reads: the caller's ``key`` (what the fragment shows
of the learner's state) and the content version (what it shows of the content), so an admin
edit shows on the next request on every instance, as with the page cache. A fragment never holds
anything of one learner: it is rendered without the request, with the page cache's placeholder
where a form's CSRF token goes, and this request's token is put in when it is served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.template import loader
from django.utils.safestring import SafeString, mark_safe

from learn.core.inprocess import Kept
from learn.core.pagecache import csrf_placeholder, is_building, request_token

# About 2 to 4 KB a fragment: at most about 40 MB a process.
FRAGMENTS = Kept(max_entries=settings.FRAGMENT_CACHE_ENTRIES)


def fragment_key(template_name: str, version: int, key: tuple) -> tuple:
    return (version, template_name, key)


def render_fragments(
    request,
    template_name: str,
    items: Sequence,
    *,
    version: int | None,
    key: Callable[[object], tuple | None],
    context: Callable[[object], dict],
) -> list[SafeString]:
    """``template_name`` rendered for each item, from the cache where it can be. ``key(item)`` is
    the item's state as a tuple of plain values (None: not cacheable, rendered for this request);
    ``context(item)`` what the template gets. No request reaches the template."""
    token = None
    keys = [key(item) if version is not None and settings.PAGE_CACHE else None for item in items]
    names = {k: fragment_key(template_name, version, k) for k in keys if k is not None}
    store = FRAGMENTS
    found = store.get_many(list(names.values())) if names else {}
    template = loader.get_template(template_name)
    hole = csrf_placeholder()
    building = is_building(request)
    out, fresh = [], {}
    for item, k in zip(items, keys, strict=True):
        html = found.get(names[k]) if k is not None else None
        if html is None:
            html = template.render({**context(item), "csrf_token": hole})
            if k is not None:
                fresh[names[k]] = found[names[k]] = html
        if hole in html and not building:  # a page built for the cache keeps the hole
            token = token or request_token(request)
            html = html.replace(hole, token)
        out.append(mark_safe(html))
    if fresh:
        store.set_many(fresh)
    return out
