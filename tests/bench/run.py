"""Run a management command that lives beside the benchmark, not in an app:

python -m tests.bench.run seed_scale [options]
python -m tests.bench.run bench_linking [options]
"""

import importlib
import os
import sys

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learn.settings")
    django.setup()
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in {"seed_scale", "bench_linking"}:
        sys.exit(__doc__)
    command = importlib.import_module(f"tests.bench.{name}").Command()
    command.run_from_argv(["manage.py", name, *sys.argv[2:]])
