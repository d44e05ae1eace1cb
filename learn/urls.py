"""The site's root URLconf: wiring only. ``learn`` is both the site package and the articles app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from learn import accounts, views
from learn.core import views as core_views
from learn.forms import AdminLoginForm
from quizzes.urls import review_patterns

learn_patterns = (
    [
        path("", views.home, name="home"),
        path("search/", views.search, name="search"),
        path("learn/", views.article_list, name="article_list"),
        path("learn/<slug:slug>/", views.article_detail, name="article"),
        path("learn/<slug:slug>/read/", views.mark_read, name="mark_read"),
        path("learn/<slug:slug>/draft/", views.article_draft, name="article_draft"),
        path("preview/markdown/", views.markdown_preview, name="markdown_preview"),
        path("preview/markdown/help/", views.markdown_help, name="markdown_help"),
        path("report/", views.report_mistake, name="report"),
        path("lab/", views.lab, name="lab"),
    ],
    "learn",
)

# /progress/: the overview (it counts articles read too, so it lives here) and the review queue.
progress_patterns = (
    [
        path("", views.progress, name="overview"),
        path("clear/", accounts.clear_progress, name="clear"),
        *review_patterns,
    ],
    "progress",
)

# The admin's log-in counts failures like the site's (per client and per account, 429 beyond).
admin.site.login_form = AdminLoginForm

account_patterns = [
    path("", accounts.account, name="account"),
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.log_in, name="login"),
    path("logout/", accounts.log_out, name="logout"),
    path("password_change/", accounts.password_change, name="password_change"),
    path("password_reset/", accounts.PasswordReset.as_view(), name="password_reset"),
    path("password_reset/done/", accounts.PasswordResetDone.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", accounts.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("email/", accounts.email_change, name="email_change"),
    path("email/confirm/<str:token>/", accounts.email_confirm, name="email_confirm"),
    path("sessions/", accounts.log_out_others, name="log_out_others"),
    path("data.json", accounts.data_download, name="data_download"),
    path("delete/", accounts.account_delete, name="account_delete"),
]

urlpatterns = [
    path("", include(learn_patterns)),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", core_views.favicon),
    path("healthz", core_views.healthz, name="healthz"),
    path("glossary/", include("glossary.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("progress/", include(progress_patterns)),
    path("accounts/", include(account_patterns)),
    path("admin/", admin.site.urls),
]

handler400 = "learn.core.views.bad_request"
handler403 = "learn.core.views.permission_denied"
handler404 = "learn.core.views.page_not_found"
handler500 = "learn.core.views.server_error"
