"""The benchmark's URLconf: the site, plus the framework's floor to compare pages with.

Served only by `make bench` (DJANGO_ROOT_URLCONF=tests.bench.urls); production never routes it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from learn.urls import handler400, handler403, handler404, handler500  # noqa: F401
from learn.urls import urlpatterns as site_patterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/floor/", floor), *site_patterns]
