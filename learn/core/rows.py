"""Model instances from hand-written SQL, for the few reads that every learner request makes.

Building an ORM query costs about three times what SQLite takes to run a primary-key or indexed
read, so the hottest reads (a session with its user, a learner's attempt with its answers) are
written out. ``columns(model)`` gives the select list and ``instance(model, values)`` the row
as the ORM would have made it: the backend's and the fields' converters applied in the same
order, so a datetime, a boolean, a UUID or JSON reads back the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection


@lru_cache(maxsize=32)
def _readers(model, vendor: str) -> tuple:
    readers = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        converters = tuple(connection.ops.get_db_converters(col) + field.get_db_converters(connection))
        readers.append((field.attname, col, converters))
    return tuple(readers)


def columns(model, alias: str) -> str:
    """``alias.col1, alias.col2, ...``: every concrete column of ``model``, in field order."""
    q = connection.ops.quote_name
    return ", ".join(f"{alias}.{q(field.column)}" for field in model._meta.concrete_fields)


def width(model) -> int:
    return len(model._meta.concrete_fields)


def instance(model, values) -> object:
    """The model instance for one row's values (in ``columns`` order), as if the ORM read it."""
    names, converted = [], []
    for (name, col, converters), value in zip(_readers(model, connection.vendor), values, strict=True):
        if value is not None or converters:
            for convert in converters:
                value = convert(value, col, connection)
        names.append(name)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)
