"""The admin site: Django's, with the number of learners' open reports on its index page.

``RecallAdminConfig`` takes django.contrib.admin's place in INSTALLED_APPS (same name and label,
so the admin's tables, URLs and autodiscovery are unchanged) and makes ``admin.site`` a
``RecallAdminSite``: the documented way to change the default site.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class RecallAdminConfig(AdminConfig):
    default_site = "learn.adminsite.RecallAdminSite"


class RecallAdminSite(admin.AdminSite):
    index_template = "admin/recall_index.html"
    site_header = "Recall administration"
    site_title = "Recall admin"

    def index(self, request, extra_context=None):
        """One count more than Django's index, on the index only, for those who may see reports."""
        from learn.models import Report  # this module loads with the app registry, before models

        extra = {}
        if request.user.has_perm("learn.view_report"):
            extra["open_reports"] = Report.objects.filter(status=Report.Status.OPEN).count()
        return super().index(request, {**extra, **(extra_context or {})})
