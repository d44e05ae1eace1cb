"""Keep the glossary's version number current: any saved or deleted term or alias bumps it.

This is cache invalidation, not a domain rule: the linker and the HTML it produces are cached per
version. It also runs for rows loaded by ``loaddata`` (signals are sent with raw=True); bulk
operations that skip signals (``bulk_create``, ``QuerySet.update``) must call
``bump_glossary_version()`` themselves, as ``load_content`` and ``seed_scale`` do.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from glossary.models import Alias, Term, bump_glossary_version


@receiver([post_save, post_delete], sender=Term)
@receiver([post_save, post_delete], sender=Alias)
def glossary_changed(sender, **kwargs):
    bump_glossary_version()


@receiver(m2m_changed, sender=Term.categories.through)
def categories_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_glossary_version()
