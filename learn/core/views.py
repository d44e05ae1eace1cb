"""The site's plumbing views: error handlers, the health check, the favicon."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_safe

from learn.core.errors import ERRORS, error_page
from learn.core.models import HealthCheck


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the database or context processors: they may be what failed.

    Django has logged the error by now (``django.request``, with the request's context) and
    mailed it to ``ADMINS`` if there are any; the page says the team was told only then."""
    if request.headers.get("HX-Request") == "true":
        title, message = ERRORS[500]
        html = f'<div class="form-error error-message" role="alert"><p><strong>{title}.</strong> {message}</p></div>'
        return HttpResponse(html, status=500)
    return HttpResponse(loader.get_template("500.html").render({"told": bool(settings.ADMINS)}), status=500)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database takes a write, 503 when it does not.

    Each probe commits one small write (the ``learn_healthcheck`` row's time), so a database that
    still answers reads but refuses writes (read-only, a disk too full for the commit) is
    unhealthy too. It checks nothing else: not the disk's free space, not email, not the cache.
    """
    try:
        now = timezone.now()
        with transaction.atomic():
            if not HealthCheck.objects.filter(pk=1).update(checked_at=now):
                try:
                    with transaction.atomic():
                        HealthCheck.objects.create(pk=1, checked_at=now)
                except IntegrityError:  # another probe created it first
                    HealthCheck.objects.filter(pk=1).update(checked_at=now)
    except DatabaseError:
        return HttpResponse(
            "database unavailable or refusing writes\n", status=503, content_type="text/plain"
        )
    return HttpResponse("ok\n", content_type="text/plain")
