"""python manage.py restore FILE --yes: replace the whole database with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learn.core import backups


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`. Stop the site first."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: everything since the backup is lost."
        )

    def handle(self, *args, file: Path, yes: bool, **options):
        if not yes:
            raise CommandError("Restoring replaces everything in the database. Add --yes to confirm.")
        if not file.exists():
            raise CommandError(f"No backup at {file}.")
        backups.restore(file)
        self.stdout.write(self.style.SUCCESS(f"Restored from {file}."))
