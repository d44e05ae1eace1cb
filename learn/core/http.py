"""Small HTTP helpers every app's views use."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, a 303 so that reloading the page does not post again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """A path on this site to return to: absolute paths only, never another host or scheme."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and len(target) <= 500
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
