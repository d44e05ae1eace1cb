"""python manage.py backup FILE: a consistent copy of the whole database (content and learners)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from learn.core import backups


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite: backup API; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        backups.backup(file)
        self.stdout.write(self.style.SUCCESS(f"Backed up to {file} ({file.stat().st_size:,} bytes)."))
