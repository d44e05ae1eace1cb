"""Keep the content version current: saving or deleting any content row, or changing one of its
many-to-many links, gives it a new value (see ``learn.models.ContentVersion``).

Content is what ``learn.content.FIXTURES`` lists, so a model added to the shipped content is
covered without another line here. This is cache invalidation, not a domain rule. It also runs
for rows loaded by ``loaddata`` (signals are sent with raw=True); bulk operations that send no
signals (``bulk_create``, ``QuerySet.update``) must call ``bump_content_version()`` themselves,
as ``load_content`` and ``seed_scale`` do.

The search index rides on the same hook: a row saved one at a time updates its search document
and carries the index to the new version (``learn.search.content_changed``). Rows loaded by
``loaddata`` only bump the version: the index is then rebuilt once, by ``load_content`` or by
the next search, instead of once per row.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from learn import search
from learn.content import content_models
from learn.core.models import bump_content_version, content_version


def content_changed(row) -> None:
    previous = content_version()
    search.content_changed(row, previous, bump_content_version())


def content_saved_or_deleted(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        bump_content_version()
    else:
        content_changed(instance)


def content_links_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        content_changed(None)


# Content that no page renders: a question version is a copy of a question, made at its first
# answer; making one must not throw every cached page away.
NOT_RENDERED = {"quizzes.questionversion"}


def connect() -> None:
    for model in content_models(apps):
        if model._meta.label_lower in NOT_RENDERED:
            continue
        post_save.connect(
            content_saved_or_deleted, sender=model, dispatch_uid=f"content-save-{model._meta.label}"
        )
        post_delete.connect(
            content_saved_or_deleted, sender=model, dispatch_uid=f"content-del-{model._meta.label}"
        )
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                content_links_changed, sender=through, dispatch_uid=f"content-m2m-{through._meta.label}"
            )
