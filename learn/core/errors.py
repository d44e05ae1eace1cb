"""The site's own error pages: a full page, or just the message for htmx to show in place."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ERRORS = {
    400: ("That request didn’t make sense to us", "Something in it was malformed. Go back and try again."),
    403: (
        "This form has expired",
        "Reload the page and try again: your session or its security token changed.",
    ),
    404: ("We couldn’t find that page", "The address may be mistyped, or the page may have moved."),
    413: (
        "That was more than we accept",
        "The request was larger than this site takes, so none of it was read. Shorten it and try again.",
    ),
    429: (
        "Slow down a little",
        "Too many requests came from you in a short time. Wait a minute, then try again.",
    ),
    500: ("Something went wrong on our side", "It’s not you. Please try again in a moment."),
    503: ("The site is busy", "Nothing was saved. Please try again in a moment."),
}


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """The site's own error page, or just a message for htmx to show in place."""
    title, default = ERRORS[status]
    message = message or default
    context = {"status": status, "title": title, "message": message}
    if getattr(request, "htmx", False):
        return render(request, "error.html#message", context, status=status)
    return render(request, "error.html", context, status=status)
