"""The benchmark (``python -m tests.bench``) and the tools only it needs."""

import os
import sys
from pathlib import Path


def run_command(command, path: str) -> None:
    """Run a management command that lives beside the benchmark, not in an app:
    ``python -m tests.bench.<name> [options]`` with the site's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learn.settings")
    import django

    django.setup()
    command.run_from_argv(["manage.py", Path(path).stem, *sys.argv[1:]])
