"""The search index's tables (learn.core.searchindex): FTS5 virtual tables on SQLite; on
PostgreSQL the pg_trgm extension, tsvector columns with GIN indexes and trigram indexes. Then the
index is built from the content already there.

pg_trgm is created here rather than with django.contrib.postgres's TrigramExtension, whose
reverse runs on SQLite too and fails there; going back drops the tables and leaves the extension."""

from django.db import migrations

from learn.core import searchindex


def create_tables(apps, schema_editor):
    searchindex.create_tables(schema_editor)


def drop_tables(apps, schema_editor):
    searchindex.drop_tables(schema_editor)


def build(apps, schema_editor):
    searchindex.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("learn", "0007_sessions_healthcheck"),
        ("glossary", "0005_drop_alias_updated_at"),
        ("quizzes", "0005_answer_credit_constraints"),
    ]

    operations = [
        migrations.RunPython(create_tables, drop_tables),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
