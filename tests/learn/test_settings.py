"""learn/settings.py: every difference an environment variable, read strictly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_SECRET_KEY="test-only-not-a-secret", **env)
    return subprocess.run(
        [sys.executable, "-c", "import learn.settings as s; print(s.DEBUG, s.CONN_MAX_AGE)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("value", "debug"), [("true", "True"), ("Yes", "True"), ("0", "False"), ("off", "False")]
)
def test_yes_no_variables_read_the_usual_spellings(value, debug):
    result = start(DJANGO_DEBUG=value)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == debug


def test_a_typo_in_a_yes_no_variable_stops_the_start_instead_of_meaning_false():
    result = start(DJANGO_DEBUG="ture")

    assert result.returncode != 0
    assert "DJANGO_DEBUG='ture' is not a yes/no value" in result.stderr


def test_a_number_variable_that_is_not_a_number_stops_the_start():
    result = start(DJANGO_CONN_MAX_AGE="sixty")

    assert result.returncode != 0
    assert "DJANGO_CONN_MAX_AGE='sixty' is not a whole number" in result.stderr


def test_conn_max_age_is_read_once_for_every_database():
    result = start(DJANGO_CONN_MAX_AGE="7")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "7"
