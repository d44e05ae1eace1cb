"""The site's root URLconf: wiring only. ``learn`` is both the site package and the articles app."""

from django.contrib import admin
from django.urls import include, path

from learn import accounts, views
from learn.core import views as core_views
from quizzes.urls import review_patterns

learn_patterns = (
    [
        path("", views.home, name="home"),
        path("search/", views.search, name="search"),
        path("learn/", views.article_list, name="article_list"),
        path("learn/<slug:slug>/", views.article_detail, name="article"),
        path("learn/<slug:slug>/read/", views.mark_read, name="mark_read"),
        path("preview/markdown/", views.markdown_preview, name="markdown_preview"),
        path("report/", views.report_mistake, name="report"),
        path("lab/", views.lab, name="lab"),
    ],
    "learn",
)

# /progress/: the overview (it counts articles read too, so it lives here) and the review queue.
progress_patterns = ([path("", views.progress, name="overview"), *review_patterns], "progress")

urlpatterns = [
    path("", include(learn_patterns)),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", core_views.favicon),
    path("healthz", core_views.healthz, name="healthz"),
    path("glossary/", include("glossary.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("progress/", include(progress_patterns)),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.log_in, name="login"),
    path("accounts/logout/", accounts.log_out, name="logout"),
    path("accounts/password_change/", accounts.password_change, name="password_change"),
    path("admin/", admin.site.urls),
]

handler400 = "learn.core.views.bad_request"
handler403 = "learn.core.views.permission_denied"
handler404 = "learn.core.views.page_not_found"
handler500 = "learn.core.views.server_error"
