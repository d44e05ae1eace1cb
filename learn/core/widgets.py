"""Admin editing aids: a Markdown textarea with a live preview beside it, through htmx.

The preview is the site's own rendering (glossary links and charts included), posted to a
staff-only view as the author types, and shown inside a shadow root that loads the site's own
stylesheet: none of the admin's styles reach it and none of its styles leak out, so it looks like
the learner's page (light or dark, as the author's system asks).
"""

from __future__ import annotations

import json

from django import forms
from django.templatetags.static import static
from django.urls import reverse

# What surrounds a field's HTML on the learner's page, so the preview gets the same styles. The
# slot is where the rendered Markdown goes.
FRAMES = {
    "prose": '<div class="prose" data-preview-slot></div>',
    "article": '<div class="prose article-body" data-preview-slot></div>',
    "prompt": '<div class="question"><div class="prompt" data-preview-slot></div></div>',
    "explanation": (
        '<div class="question answered"><div class="explanation prose"><h3>Why</h3>'
        "<div data-preview-slot></div></div></div>"
    ),
}


class MarkdownPreviewWidget(forms.Textarea):
    template_name = "admin/widgets/markdown_preview.html"

    class Media:
        js = ["django_htmx/htmx-2.min.js", "js/admin-preview.js"]
        css = {"all": ["css/admin-preview.css"]}

    def __init__(self, attrs=None, frame: str = "prose", checks: bool = False):
        super().__init__(attrs)
        self.frame = frame
        self.checks = checks  # a place for the live item-writing checks about this field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id", f"id_{name}")
        preview_id = f"{widget_id}-preview"
        context["widget"]["attrs"].update(
            {
                "hx-post": reverse("learn:markdown_preview"),
                "hx-trigger": "input changed delay:500ms, load",
                "hx-target": f"#{preview_id}-source",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"preview_field": name}),
                "aria-describedby": f"{widget_id}-help" + (f" live-checks-{name}" if self.checks else ""),
            }
        )
        context["widget"].update(
            {
                "preview_id": preview_id,
                "help_id": f"{widget_id}-help",
                "frame": FRAMES.get(self.frame, FRAMES["prose"]),
                "stylesheets": " ".join(static(path) for path in ("css/site.css", "css/pygments.css")),
                "cheat_sheet": reverse("learn:markdown_help"),
                "checks": self.checks,
            }
        )
        return context


class MarkdownPreviewAdmin:
    """Give an admin's Markdown fields the live preview. Set ``markdown_fields``, and in
    ``markdown_frames`` which learner-page frame a field appears in (see FRAMES; default prose)."""

    markdown_fields: tuple[str, ...] = ()
    markdown_frames: dict[str, str] = {}
    markdown_checks: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.markdown_fields:
            kwargs["widget"] = MarkdownPreviewWidget(
                attrs={"rows": 12},
                frame=self.markdown_frames.get(db_field.name, "prose"),
                checks=db_field.name in self.markdown_checks,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
