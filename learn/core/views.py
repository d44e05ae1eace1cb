"""The site's plumbing views: error handlers, the health check, the favicon."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from learn.core.errors import ERRORS, error_page


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the database or context processors: they may be what failed."""
    if request.headers.get("HX-Request") == "true":
        title, message = ERRORS[500]
        html = f'<div class="form-error error-message" role="alert"><p><strong>{title}.</strong> {message}</p></div>'
        return HttpResponse(html, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
