"""The site's root URLconf. ``learn`` is both the site package and the articles app."""

from django.contrib import admin
from django.urls import include, path

from learn import views

learn_patterns = (
    [
        path("", views.home, name="home"),
        path("search/", views.search, name="search"),
        path("learn/", views.article_list, name="article_list"),
        path("learn/<slug:slug>/", views.article_detail, name="article"),
    ],
    "learn",
)

urlpatterns = [
    path("", include(learn_patterns)),
    path("glossary/", include("glossary.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "learn.views.bad_request"
handler403 = "learn.views.permission_denied"
handler404 = "learn.views.page_not_found"
handler500 = "learn.views.server_error"
