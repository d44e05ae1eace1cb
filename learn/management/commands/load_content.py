"""Load the shipped content: every app's fixtures, in dependency order.

Fixtures carry explicit primary keys, so loading again updates rows in place and changes nothing
when nothing changed. Only content models are in them: learner data is never touched.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from learn import search
from learn.content import FIXTURES
from learn.core.models import bump_content_version


class Command(BaseCommand):
    help = "Load the shipped content (glossary, quizzes, articles) from the apps' fixtures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="source",
            type=Path,
            default=None,
            help="Read the fixture files from this folder (laid out like the project) instead.",
        )

    def handle(self, *args, source: Path | None = None, **options):
        base = source or settings.BASE_DIR
        paths = [base / path for path in FIXTURES if (base / path).exists()]
        with transaction.atomic():
            for path in paths:
                call_command("loaddata", str(path), verbosity=0)
            bump_content_version()
            search.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(paths)} content fixture(s)."))
