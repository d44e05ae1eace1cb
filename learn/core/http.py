"""Small HTTP helpers every app's views use."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, a 303 so that reloading the page does not post again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def staff_preview(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page staff may open before it is published (a draft "as a learner sees it"): for anyone
    else it does not exist (404, never a hint that a draft is there). Never cached, never indexed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            raise Http404("No such page")
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet shows as text, never runs: text that starts like a formula (= + - @,
    a tab or a carriage return) gets a leading apostrophe (OWASP, "CSV injection"). Numbers stay
    numbers, negative ones included."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_download(filename: str, rows: Iterable[Sequence]) -> HttpResponse:
    """Rows as a CSV attachment in UTF-8, with a byte order mark so that Excel reads it as UTF-8;
    every text cell made ``spreadsheet_safe``."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response
