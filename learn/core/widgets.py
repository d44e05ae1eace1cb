"""Admin editing aids: a Markdown textarea with a live preview beside it, through htmx.

The preview is the site's own rendering (glossary links and charts included), posted to a
staff-only view as the author types.
"""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse


class MarkdownPreviewWidget(forms.Textarea):
    template_name = "admin/widgets/markdown_preview.html"

    class Media:
        js = ["django_htmx/htmx-2.min.js"]
        css = {"all": ["css/admin-preview.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id", f"id_{name}")
        context["widget"]["attrs"].update(
            {
                "hx-post": reverse("learn:markdown_preview"),
                "hx-trigger": "input changed delay:500ms, load",
                "hx-target": f"#{widget_id}-preview",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"preview_field": name}),
                "aria-describedby": f"{widget_id}-preview-label",
            }
        )
        context["widget"]["preview_id"] = f"{widget_id}-preview"
        return context


class MarkdownPreviewAdmin:
    """Give an admin's Markdown fields the live preview. Set ``markdown_fields``."""

    markdown_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.markdown_fields:
            kwargs["widget"] = MarkdownPreviewWidget(attrs={"rows": 12})
        return super().formfield_for_dbfield(db_field, request, **kwargs)
