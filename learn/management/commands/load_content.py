"""Load the shipped content: every app's fixtures, in dependency order.

Fixtures carry explicit primary keys, so loading again updates rows in place and changes nothing
when nothing changed. Only content models are in them: learner data is never touched.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

CONTENT_FIXTURES = [
    Path("glossary/fixtures/glossary.yaml"),
    Path("quizzes/fixtures/quizzes.yaml"),
    Path("learn/fixtures/learn.yaml"),
]


class Command(BaseCommand):
    help = "Load the shipped content (glossary, quizzes, articles) from the apps' fixtures."

    def handle(self, *args, **options):
        paths = [settings.BASE_DIR / p for p in CONTENT_FIXTURES if (settings.BASE_DIR / p).exists()]
        with transaction.atomic():
            for path in paths:
                call_command("loaddata", str(path), verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(paths)} content fixture(s)."))
