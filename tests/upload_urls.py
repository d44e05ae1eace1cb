"""A URLconf for tests only: one view marked to take uploads, one plain view."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from learn.core.middleware import accepts_uploads


@require_POST
@accepts_uploads()
def upload(request):
    return HttpResponse(" ".join(f"{f.name} {f.size}" for f in request.FILES.values()))


@require_POST
def plain(request):
    return HttpResponse(" ".join(request.FILES) or "no files")


urlpatterns = [path("upload/", upload), path("plain/", plain), path("", include("learn.urls"))]
