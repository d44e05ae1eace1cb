"""Consistent backups of the whole database, and restores, for SQLite and PostgreSQL.

SQLite: the online backup API (a consistent copy while the site runs). PostgreSQL: pg_dump's
custom format and pg_restore, with the connection settings Django uses.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = [
        "--host",
        s.get("HOST") or "localhost",
        "--port",
        str(s.get("PORT") or 5432),
        "--username",
        s["USER"],
    ]
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    return args, env


def _sqlite_copy(source, target) -> None:
    """Copy one SQLite database onto another with SQLite's online backup API (safe while the
    source is in use; waits up to 30 s for a writer on the target to finish)."""
    origin = sqlite3.connect(source)
    copy = sqlite3.connect(target, timeout=30)
    try:
        with copy:
            origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def backup(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        _sqlite_copy(connection.settings_dict["NAME"], target)
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                connection.settings_dict["NAME"],
            ],
            env=env,
            check=True,
        )
    else:
        raise RuntimeError(f"no backup method for {connection.vendor}")


def restore(source: Path) -> None:
    if not source.exists():
        raise FileNotFoundError(source)
    connection.close()
    if connection.vendor == "sqlite":
        _sqlite_copy(source, connection.settings_dict["NAME"])
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(source),
            ],
            env=env,
            check=True,
        )
    else:
        raise RuntimeError(f"no restore method for {connection.vendor}")
