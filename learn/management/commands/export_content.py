"""Write the content in the database back into the fixture files that ``load_content`` reads.

    python manage.py export_content [--to FOLDER]

Edits made in admin can then be reviewed as a diff and committed. The format is the one the
fixtures are written in: YAML, explicit primary keys, Markdown as literal blocks.
"""

import datetime as dt
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand

from learn.content import FIXTURES


class ContentDumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _datetime(dumper, value: dt.datetime):
    text = value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


ContentDumper.add_representer(str, _str)
ContentDumper.add_representer(dt.datetime, _datetime)


def export(path: Path, labels: list[str]) -> int:
    objects = []
    for label in labels:
        model = apps.get_model(label)
        natural = hasattr(model, "natural_key")  # named by natural key: no pk in the file
        rows = serializers.serialize(
            "python", model._default_manager.order_by("pk"), use_natural_primary_keys=natural
        )
        for row in rows:
            fields = {
                name: sorted(value) if isinstance(value, list) and name != "snapshot" else value
                for name, value in row["fields"].items()
            }
            objects.append(
                {"model": row["model"], "fields": fields}
                if natural
                else {"model": row["model"], "pk": row["pk"], "fields": fields}
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(objects, handle, Dumper=ContentDumper, sort_keys=False, allow_unicode=True, width=110)
    return len(objects)


class Command(BaseCommand):
    help = "Write the database's content back into the fixture files (for review and commit)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", dest="target", type=Path, default=None, help="Write under this folder instead."
        )

    def handle(self, *args, target: Path | None = None, **options):
        base = target or settings.BASE_DIR
        for relative, labels in FIXTURES.items():
            count = export(base / relative, labels)
            self.stdout.write(f"{relative}: {count} objects")
