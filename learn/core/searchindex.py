"""The search index: documents in, ranked hits out. One interface, two backends: SQLite's FTS5
for the embedded default, PostgreSQL's full-text search with pg_trgm when DATABASE_URL points
there. This module imports no app: the site registers where documents come from
(``register``), and callers ask for hits of the kinds they show (``find``).

A document has three tiers of text: its names (a term's name and other names, an article's or a
quiz's title), its summary (a term's one-sentence definition, an article's summary, a quiz's goal)
and its body. Hits come in this order:

0. a name equal to the query ("fine tuning" for Fine-tuning: keys, see learn.core.search),
1. a name starting with it, 2. any other match in the names (every word, each as a prefix),
3. a match in the summary, 4. a match in the body only;

ties by the database's relevance score (FTS5's bm25, PostgreSQL's ts_rank). Each tier of each
kind is one LIMITed part of a UNION ALL that the database stops reading once enough hits were
found, so a common word costs the names it matched, not every body it appears in.

Kept in step with the content by the content version (learn.core.models): the index remembers
the version it was built for. Content saved one row at a time (the admin) updates its documents
and carries the index to the new version (``update``, from the site's signal handler); anything
else that bumps the version (bulk inserts, QuerySet.update, loaddata) leaves the index behind,
and the next search, which reads both versions first, rebuilds it. ``load_content`` and the bulk
commands call ``rebuild`` themselves, and so does the migration that creates the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.html import format_html
from django.utils.safestring import SafeString

from learn.core.models import ContentVersion, content_version
from learn.core.search import (
    MAX_SPELLING_FIXES,
    MAX_SPLIT_LENGTH,
    Matcher,
    Query,
    distance,
    fold,
    fts5_names,
    fts5_text,
    highlight,
    key,
    parse,
    singular,
    snippet,
    suffix_keys,
    trigrams,
    tsquery_names,
    tsquery_text,
    typo_budget,
    words,
)

KIND_SPAN = 1 << 40  # a document's id is (position of its kind + 1) * KIND_SPAN + its row's pk
MAX_LIMIT = 100  # hits of one kind per search
SPELLING_CANDIDATES = 40  # words the database offers by trigrams, before their distance is checked
NAME_CANDIDATES = 20


@dataclass(frozen=True)
class Document:
    kind: str
    ref: int
    slug: str
    title: str
    other_names: tuple[str, ...] = ()
    summary: str = ""  # the second tier, shown under the title (plain text)
    body: str = ""  # the third tier (plain text)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.title, *self.other_names)


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: int
    slug: str
    title: str
    other_names: tuple[str, ...]
    summary: str
    body: str  # only for a hit in the body ("" otherwise): where the snippet comes from
    tier: int
    score: float


@dataclass(frozen=True)
class Shown:
    """A hit as a results list shows it: escaped, with the query's words in <mark>."""

    slug: str
    title: SafeString
    also: SafeString | None  # the other name that matched, when the title did not
    snippet: SafeString  # the summary, or for a hit in the body the words around the match


def show(hit: Hit, matcher: Matcher) -> Shown:
    title = highlight(hit.title, matcher)  # escaped: "<mark>" in it is one of ours
    also = None
    if "<mark>" not in title:
        other = next((h for name in hit.other_names if "<mark>" in (h := highlight(name, matcher))), None)
        if other:
            also = format_html("Also called {}", other)
    text = highlight(hit.summary, matcher)
    if hit.body and "<mark>" not in text:  # found in the body: show where
        text = snippet(hit.body, matcher) or text
    return Shown(slug=hit.slug, title=title, also=also, snippet=text)


@dataclass(frozen=True)
class Found:
    query: Query  # as searched: with the spellings the index knew for unknown words
    hits: list[Hit]

    def of(self, kind: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.kind == kind]

    def shown(self, kind: str) -> list[Shown]:
        return [show(hit, self.query.matcher) for hit in self.of(kind)]


@dataclass(frozen=True)
class Name:
    kind: str
    ref: int
    slug: str
    name: str
    distance: int
    close: bool  # close enough to ask "did you mean"


Source = Callable[..., Iterable[Document]]  # (apps, wanted: {kind: [refs]} | None) -> documents


@dataclass
class Registration:
    kinds: tuple[str, ...] = ()
    source: Source | None = None


registered = Registration()


def register(kinds: Iterable[str], source: Source) -> None:
    """Say which kinds of documents there are and where they come from: ``source(apps, wanted)``
    yields the published documents, all of them or only ``wanted`` ({kind: [refs]})."""
    registered.kinds = tuple(kinds)
    registered.source = source


def doc_id(kind: str, ref: int) -> int:
    return (registered.kinds.index(kind) + 1) * KIND_SPAN + ref


def kind_range(kind: str) -> tuple[int, int]:
    low = doc_id(kind, 0)
    return low, low + KIND_SPAN - 1


def separated(names: Iterable[str]) -> str:
    return "\n".join(names)


# ---- What is stored for a document ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: int
    document: Document
    names: str  # folded words of every name
    keys: str  # every name's keys from each word on ("finetuning tuning")
    exact: str  # "|key|key|": for the equal and starts-with tiers

    @classmethod
    def of(cls, document: Document) -> Row:
        return cls(
            id=doc_id(document.kind, document.ref),
            document=document,
            names=" ".join(w for name in document.names for w in words(name)),
            keys=" ".join(k for name in document.names for k in suffix_keys(name)),
            exact="|" + "|".join(key(name) for name in document.names) + "|",
        )

    def vocabulary(self) -> set[str]:
        """The words offered as typo fixes: those of the names and summaries (the body's are
        searched, not offered: a word only a body uses is rarely what a learner meant)."""
        found = set(self.names.split()) | set(words(self.document.summary))
        return {w for w in found if len(w) >= 2 and not w.isdigit()}

    def name_keys(self) -> list[tuple[str, str]]:
        return [(key(name), name) for name in self.document.names if key(name)]


def _rename(sql: str, params: Iterable, prefix: str) -> tuple[str, dict]:
    """Positional %s placeholders (from a compiled QuerySet) as named ones, to join named SQL."""
    names = {}
    parts = sql.split("%s")
    out = parts[0]
    for i, (value, part) in enumerate(zip(params, parts[1:], strict=True)):
        names[f"{prefix}{i}"] = value
        out += f"%({prefix}{i})s" + part
    return out, names


# ---- The two backends --------------------------------------------------------------------------


class Backend:
    """What differs between the databases. Every method takes a cursor inside the caller's
    transaction; SQL is written with %s / %(name)s placeholders, the values always passed apart."""

    state_sql = "SELECT version FROM search_state WHERE id = 1"

    def create(self, cursor) -> None:
        raise NotImplementedError

    def drop(self, cursor) -> None:
        for table in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    tables: tuple[str, ...] = ()

    def clear(self, cursor) -> None:
        for table in self.tables:
            if table != "search_state":
                cursor.execute(f"DELETE FROM {table}")

    def lock_state(self, cursor) -> int | None:
        cursor.execute(self.state_sql)
        row = cursor.fetchone()
        return row[0] if row else None

    def set_state(self, cursor, version: int | None) -> None:
        cursor.execute("UPDATE search_state SET version = %s WHERE id = 1", [version])

    def advance_state(self, cursor, previous: int | None, current: int | None) -> bool:
        raise NotImplementedError

    def insert(self, cursor, rows: list[Row]) -> None:
        raise NotImplementedError

    def settle(self, cursor) -> None:
        """After a rebuild: what makes the database fast at the new size."""

    def delete(self, cursor, ids: list[int]) -> None:
        raise NotImplementedError

    def lookup(self, cursor, exact: list[str], prefix: str | None) -> tuple[int | None, int | None, set[str]]:
        """In one query: the content version, the version the index was built for, which of
        these words the index holds, and ``prefix`` if some word starts with it."""
        words_only = "SELECT word, CAST(NULL AS bigint), CAST(NULL AS bigint) FROM search_word"
        sql = [f"SELECT NULL AS word, {_versions()}"]
        params: list = []
        if exact:
            sql.append(f"{words_only} WHERE word IN ({', '.join(['%s'] * len(exact))})")
            params += exact
        if prefix:  # the words sort by code point (SQLite's BINARY, PostgreSQL's "C")
            sql.append(f"SELECT * FROM ({words_only} WHERE word >= %s AND word < %s LIMIT 1) AS p")
            params += [prefix, prefix + "\U0010ffff"]
        cursor.execute(" UNION ALL ".join(sql), params)
        current = indexed = None
        found: set[str] = set()
        for word, content, index in cursor.fetchall():
            if word is None:
                current, indexed = content, index
            elif prefix and word.startswith(prefix):
                found |= {word, prefix}
            else:
                found.add(word)
        return current, indexed, found

    def similar(self, cursor, word: str, shortest: int, longest: int) -> list[str]:
        raise NotImplementedError

    def names_like(self, cursor, query_key: str, low: int, high: int) -> list[tuple[int, str, str, str]]:
        """(document id, key, name, slug) of names near the key by trigrams, for "did you mean"."""
        raise NotImplementedError

    def search(self, cursor, query: Query, limits: dict[str, int], within) -> list[Hit]:
        raise NotImplementedError

    @staticmethod
    def hits(rows) -> list[Hit]:
        return [
            Hit(
                kind=kind,
                ref=ref,
                slug=slug,
                title=title,
                other_names=tuple(filter(None, other_names.split("\n"))),
                summary=summary,
                body=body or "",
                tier=tier,
                score=score,
            )
            for tier, score, kind, ref, slug, title, other_names, summary, body in rows
        ]

    @staticmethod
    def within_sql(within, ref: str) -> tuple[str, dict]:
        if within is None:
            return "", {}
        sql, params = within.query.sql_with_params()
        sql, named = _rename(sql, params, "w")
        return f" AND {ref} IN ({sql})", named


SQLITE_WORDS = "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"
SQLITE_STEMMED = "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'"


class SQLiteBackend(Backend):
    tables = (
        "search_state",
        "search_document",
        "search_names",
        "search_text",
        "search_body",
        "search_word",
        "search_word_trigram",
        "search_name_trigram",
    )

    def create(self, cursor) -> None:
        for sql in (
            "CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER)",
            "INSERT INTO search_state (id, version) VALUES (1, NULL)",
        ):
            cursor.execute(sql)
        self.create_content(cursor)

    def create_content(self, cursor) -> None:
        for sql in (
            """CREATE TABLE search_document (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
                ref INTEGER NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL, other_names TEXT NOT NULL,
                summary TEXT NOT NULL, exact TEXT NOT NULL)""",
            f"CREATE VIRTUAL TABLE search_names USING fts5(names, keys, {SQLITE_WORDS})",
            f"CREATE VIRTUAL TABLE search_text USING fts5(text, {SQLITE_STEMMED})",
            f"CREATE VIRTUAL TABLE search_body USING fts5(body, {SQLITE_STEMMED})",
            "CREATE TABLE search_word (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE)",
            "CREATE VIRTUAL TABLE search_word_trigram USING fts5(word, tokenize='trigram')",
            """CREATE VIRTUAL TABLE search_name_trigram USING fts5(key, doc UNINDEXED, name UNINDEXED,
                tokenize='trigram')""",
        ):
            cursor.execute(sql)

    def clear(self, cursor) -> None:
        # Dropping the tables is much faster than deleting every row of an FTS5 table.
        for table in self.tables:
            if table != "search_state":
                cursor.execute(f"DROP TABLE {table}")
        self.create_content(cursor)

    def settle(self, cursor) -> None:
        for table in (
            "search_names",
            "search_text",
            "search_body",
            "search_word_trigram",
            "search_name_trigram",
        ):
            cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # merge the b-trees

    def lock_state(self, cursor) -> int | None:
        # The transaction began with BEGIN IMMEDIATE (settings: transaction_mode): it holds the
        # write lock already, so a second rebuilder waits here and then finds the work done.
        return super().lock_state(cursor)

    def advance_state(self, cursor, previous, current) -> bool:
        cursor.execute(
            "UPDATE search_state SET version = %s WHERE id = 1 AND version IS %s", [current, previous]
        )
        return cursor.rowcount == 1

    def insert(self, cursor, rows: list[Row]) -> None:
        if not rows:
            return
        cursor.executemany(
            "INSERT INTO search_document (id, kind, ref, slug, title, other_names, summary, exact)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    r.id,
                    r.document.kind,
                    r.document.ref,
                    r.document.slug,
                    r.document.title,
                    separated(r.document.other_names),
                    r.document.summary,
                    r.exact,
                )
                for r in rows
            ],
        )
        cursor.executemany(
            "INSERT INTO search_names (rowid, names, keys) VALUES (%s, %s, %s)",
            [(r.id, r.names, r.keys) for r in rows],
        )
        # The text as written: FTS5's tokenizer folds case and accents itself, and snippets show it.
        cursor.executemany(
            "INSERT INTO search_text (rowid, text) VALUES (%s, %s)",
            [(r.id, r.document.summary) for r in rows],
        )
        cursor.executemany(
            "INSERT INTO search_body (rowid, body) VALUES (%s, %s)", [(r.id, r.document.body) for r in rows]
        )
        cursor.executemany(
            "INSERT INTO search_name_trigram (key, doc, name) VALUES (%s, %s, %s)",
            [(f"^^{k}$$", r.id, name) for r in rows for k, name in r.name_keys()],
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM search_word")
        (before,) = cursor.fetchone()
        vocabulary = sorted(set().union(*(r.vocabulary() for r in rows)))
        cursor.executemany("INSERT OR IGNORE INTO search_word (word) VALUES (%s)", [(w,) for w in vocabulary])
        cursor.execute(
            "INSERT INTO search_word_trigram (rowid, word) SELECT id, '^^' || word || '$$' FROM search_word"
            " WHERE id > %s",
            [before],
        )

    def delete(self, cursor, ids: list[int]) -> None:
        if not ids:
            return
        marks = ", ".join(["%s"] * len(ids))
        for table in ("search_document", "search_names", "search_text", "search_body"):
            column = "id" if table == "search_document" else "rowid"
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)
        cursor.execute(f"DELETE FROM search_name_trigram WHERE doc IN ({marks})", ids)

    def similar(self, cursor, word: str, shortest: int, longest: int) -> list[str]:
        cursor.execute(
            "SELECT w.word FROM search_word_trigram JOIN search_word w ON w.id = search_word_trigram.rowid"
            " WHERE search_word_trigram MATCH %s AND length(w.word) BETWEEN %s AND %s"
            " ORDER BY bm25(search_word_trigram) LIMIT %s",
            [" OR ".join(f'"{t}"' for t in trigrams(word)), shortest, longest, SPELLING_CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]

    def names_like(self, cursor, query_key, low, high):
        # Names starting with the key's first or second letter (few typos hit both), sharing
        # trigrams with it: far fewer rows to rank than every name sharing a common trigram.
        starts = " OR ".join(f'"^^{c}"' for c in dict.fromkeys(query_key[:2]))
        others = " OR ".join(f'"{t}"' for t in trigrams(query_key) if not t.startswith("^^"))
        cursor.execute(
            "SELECT t.doc, substr(t.key, 3, length(t.key) - 4), t.name, d.slug FROM ("
            " SELECT doc, key, name FROM search_name_trigram WHERE search_name_trigram MATCH %s"
            " AND doc BETWEEN %s AND %s ORDER BY bm25(search_name_trigram) LIMIT %s"
            ") AS t JOIN search_document d ON d.id = t.doc",
            [f"({starts}) AND ({others})" if others else starts, low, high, NAME_CANDIDATES],
        )
        return cursor.fetchall()

    def search(self, cursor, query: Query, limits: dict[str, int], within) -> list[Hit]:
        params = {
            "names": fts5_names(query),
            "text": fts5_text(query),
            "exact": f"|{query.key}|",
            "start": f"|{query.key}",
        }
        parts = []
        for kind, limit in limits.items():
            low, high = kind_range(kind)
            n = max(1, min(int(limit), MAX_LIMIT))
            inside = f"BETWEEN {low} AND {high}"
            restrict, named = self.within_sql(within, f"(rowid - {low})")
            params |= named
            in_names = f"SELECT rowid FROM search_names WHERE search_names MATCH %(names)s AND rowid {inside}"
            in_text = f"SELECT rowid FROM search_text WHERE search_text MATCH %(text)s AND rowid {inside}"
            parts.append(f"""SELECT * FROM (
                SELECT * FROM (
                    SELECT CASE WHEN instr(d.exact, %(exact)s) THEN 0 WHEN instr(d.exact, %(start)s) THEN 1
                        ELSE 2 END AS tier, search_names.rowid AS id, bm25(search_names) AS score
                    FROM search_names JOIN search_document d ON d.id = search_names.rowid
                    WHERE search_names MATCH %(names)s AND search_names.rowid {inside}
                        {restrict.replace("(rowid", "(search_names.rowid")}
                    ORDER BY tier, score LIMIT {n})
                UNION ALL SELECT * FROM (
                    SELECT 3, rowid, bm25(search_text) FROM search_text
                    WHERE search_text MATCH %(text)s AND rowid {inside} {restrict}
                        AND rowid NOT IN ({in_names})
                    ORDER BY 3 LIMIT {n})
                UNION ALL SELECT * FROM (
                    SELECT 4, rowid, bm25(search_body) FROM search_body
                    WHERE search_body MATCH %(text)s AND rowid {inside} {restrict}
                        AND rowid NOT IN ({in_names}) AND rowid NOT IN ({in_text})
                    ORDER BY 3 LIMIT {n})
                ) LIMIT {n}""")
        if not parts:
            return []
        cursor.execute(
            "SELECT h.tier, h.score, d.kind, d.ref, d.slug, d.title, d.other_names, d.summary,"
            " CASE WHEN h.tier = 4 THEN (SELECT body FROM search_body WHERE rowid = h.id) END"
            " FROM (" + " UNION ALL ".join(f"SELECT * FROM ({p})" for p in parts) + ") AS h"
            " JOIN search_document d ON d.id = h.id",
            params,
        )
        return self.hits(cursor.fetchall())


class PostgresBackend(Backend):
    tables = ("search_state", "search_document", "search_word", "search_name")

    def create(self, cursor) -> None:
        for sql in (
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",  # a trusted extension: the database's owner may
            "CREATE TABLE search_state (id integer PRIMARY KEY CHECK (id = 1), version bigint)",
            "INSERT INTO search_state (id, version) VALUES (1, NULL)",
            """CREATE TABLE search_document (id bigint PRIMARY KEY, kind text NOT NULL, ref bigint NOT NULL,
                slug text NOT NULL, title text NOT NULL, other_names text NOT NULL, summary text NOT NULL,
                body text NOT NULL, exact text NOT NULL, names tsvector NOT NULL,
                text_vector tsvector NOT NULL, body_vector tsvector NOT NULL)""",
            "CREATE INDEX search_document_names ON search_document USING gin (names)",
            "CREATE INDEX search_document_text ON search_document USING gin (text_vector)",
            "CREATE INDEX search_document_body ON search_document USING gin (body_vector)",
            'CREATE TABLE search_word (word text COLLATE "C" PRIMARY KEY)',
            "CREATE INDEX search_word_trigram ON search_word USING gist (word gist_trgm_ops)",
            """CREATE TABLE search_name (id bigserial PRIMARY KEY, doc bigint NOT NULL, key text NOT NULL,
                name text NOT NULL)""",
            "CREATE INDEX search_name_doc ON search_name (doc)",
            "CREATE INDEX search_name_trigram ON search_name USING gist (key gist_trgm_ops)",
        ):
            cursor.execute(sql)

    def settle(self, cursor) -> None:
        for table in ("search_document", "search_word", "search_name"):
            cursor.execute(f"ANALYZE {table}")  # plans for the new row counts, before autovacuum does it

    def lock_state(self, cursor) -> int | None:
        cursor.execute(self.state_sql + " FOR UPDATE")
        row = cursor.fetchone()
        return row[0] if row else None

    def advance_state(self, cursor, previous, current) -> bool:
        cursor.execute(
            "UPDATE search_state SET version = %s WHERE id = 1 AND version IS NOT DISTINCT FROM %s",
            [current, previous],
        )
        return cursor.rowcount == 1

    def insert(self, cursor, rows: list[Row]) -> None:
        if not rows:
            return
        cursor.executemany(
            "INSERT INTO search_document (id, kind, ref, slug, title, other_names, summary, body, exact,"
            " names, text_vector, body_vector) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " to_tsvector('simple', %s), to_tsvector('english', %s), to_tsvector('english', %s))",
            [
                (
                    r.id,
                    r.document.kind,
                    r.document.ref,
                    r.document.slug,
                    r.document.title,
                    separated(r.document.other_names),
                    r.document.summary,
                    r.document.body,
                    r.exact,
                    f"{r.names} {r.keys}",
                    fold(r.document.summary),  # the 'english' configuration keeps accents: fold them first
                    fold(r.document.body),
                )
                for r in rows
            ],
        )
        cursor.executemany(
            "INSERT INTO search_name (doc, key, name) VALUES (%s, %s, %s)",
            [(r.id, k, name) for r in rows for k, name in r.name_keys()],
        )
        vocabulary = sorted(set().union(*(r.vocabulary() for r in rows)))
        cursor.execute(
            "INSERT INTO search_word (word) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", [vocabulary]
        )

    def delete(self, cursor, ids: list[int]) -> None:
        if ids:
            cursor.execute("DELETE FROM search_document WHERE id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM search_name WHERE doc = ANY(%s)", [ids])

    def similar(self, cursor, word: str, shortest: int, longest: int) -> list[str]:
        cursor.execute(
            "SELECT word FROM search_word WHERE length(word) BETWEEN %s AND %s ORDER BY word <-> %s LIMIT %s",
            [shortest, longest, word, SPELLING_CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]

    def names_like(self, cursor, query_key, low, high):
        cursor.execute(
            "SELECT t.doc, t.key, t.name, d.slug FROM ("
            " SELECT doc, key, name FROM search_name WHERE doc BETWEEN %s AND %s ORDER BY key <-> %s LIMIT %s"
            ") AS t JOIN search_document d ON d.id = t.doc",
            [low, high, query_key, NAME_CANDIDATES],
        )
        return cursor.fetchall()

    def search(self, cursor, query: Query, limits: dict[str, int], within) -> list[Hit]:
        params = {
            "names": tsquery_names(query),
            "text": tsquery_text(query),
            "exact": f"|{query.key}|",
            "start": f"|{query.key}",
        }
        parts = []
        for kind, limit in limits.items():
            low, high = kind_range(kind)
            n = max(1, min(int(limit), MAX_LIMIT))
            restrict, named = self.within_sql(within, f"(d.id - {low})")
            params |= named
            inside = f"d.id BETWEEN {low} AND {high}{restrict}"
            parts.append(f"""(SELECT * FROM (
                (SELECT CASE WHEN strpos(d.exact, %(exact)s) > 0 THEN 0 WHEN strpos(d.exact, %(start)s) > 0
                    THEN 1 ELSE 2 END AS tier, d.id, -ts_rank(d.names, q.n) AS score
                 FROM search_document d, q WHERE d.names @@ q.n AND {inside} ORDER BY 1, 3 LIMIT {n})
                UNION ALL
                (SELECT 3, d.id, -ts_rank(d.text_vector, q.t) FROM search_document d, q
                 WHERE d.text_vector @@ q.t AND NOT d.names @@ q.n AND {inside} ORDER BY 3 LIMIT {n})
                UNION ALL
                (SELECT 4, d.id, -ts_rank(d.body_vector, q.t) FROM search_document d, q
                 WHERE d.body_vector @@ q.t AND NOT d.names @@ q.n AND NOT d.text_vector @@ q.t AND {inside}
                 ORDER BY 3 LIMIT {n})
                ) AS k LIMIT {n})""")
        if not parts:
            return []
        cursor.execute(
            "WITH q AS MATERIALIZED (SELECT to_tsquery('simple', %(names)s) AS n, to_tsquery('english', %(text)s) AS t)"
            " SELECT h.tier, h.score, d.kind, d.ref, d.slug, d.title, d.other_names, d.summary,"
            " CASE WHEN h.tier = 4 THEN d.body END"
            " FROM (" + " UNION ALL ".join(parts) + ") AS h JOIN search_document d ON d.id = h.id",
            params,
        )
        return self.hits(cursor.fetchall())


def backend(vendor: str | None = None) -> Backend:
    return PostgresBackend() if (vendor or connection.vendor) == "postgresql" else SQLiteBackend()


# ---- Building and keeping up ---------------------------------------------------------------------


def create_tables(schema_editor) -> None:
    """For the migration: the index's tables on this database."""
    with schema_editor.connection.cursor() as cursor:
        backend(schema_editor.connection.vendor).create(cursor)


def drop_tables(schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        backend(schema_editor.connection.vendor).drop(cursor)


def _documents(apps, wanted=None) -> list[Row]:
    if registered.source is None:
        return []
    return [Row.of(document) for document in registered.source(apps, wanted)]


def rebuild(apps=None) -> None:
    """Index every published document again, for the current content version."""
    from django.apps import apps as installed

    with transaction.atomic(), connection.cursor() as cursor:
        index = backend()
        index.lock_state(cursor)
        version = content_version()
        rows = _documents(apps or installed)
        index.clear(cursor)
        index.insert(cursor, rows)
        index.settle(cursor)
        index.set_state(cursor, version)


def _versions() -> str:
    """SQL for two columns: the content version and the version the index was built for."""
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    return f"(SELECT value FROM {table} WHERE id = 1), (SELECT version FROM search_state WHERE id = 1)"


def _catch_up() -> None:
    """Rebuild, unless another process did so while this one waited for the lock."""
    with transaction.atomic(), connection.cursor() as cursor:
        backend().lock_state(cursor)
        cursor.execute(f"SELECT {_versions()}")
        current, indexed = cursor.fetchone()
        if current != indexed:
            rebuild()


def update(wanted: dict[str, list[int]], previous: int | None, current: int | None) -> None:
    """After one change to content (the version went from ``previous`` to ``current``): if the
    index was current, index the ``wanted`` documents again and call it current; otherwise leave
    it to be rebuilt by the next search."""
    from django.apps import apps

    with transaction.atomic(), connection.cursor() as cursor:
        index = backend()
        if not index.advance_state(cursor, previous, current):
            return
        ids = [doc_id(kind, ref) for kind, refs in wanted.items() for ref in refs]
        if ids:
            index.delete(cursor, ids)
            index.insert(cursor, _documents(apps, wanted))


# ---- Searching -----------------------------------------------------------------------------------


def _halves(word: str) -> list[tuple[str, str]]:
    if len(word) > MAX_SPLIT_LENGTH or not word.isalpha():
        return []
    return [(word[:i], word[i:]) for i in range(2, len(word) - 1)]


def asked(query: Query) -> tuple[list[str], str | None]:
    """The words to look up in the index's vocabulary: each word, its singular and the halves it
    could be split into; and the last word as a prefix (it may be half typed)."""
    words_ = {w for t in query.terms for w in (t, singular(t))}
    for term in query.terms:
        words_ |= {part for pair in _halves(term) for part in pair}
    last = query.words[-1]
    return sorted(words_), last if len(last) >= 2 else None


def spell(cursor, query: Query, known: set[str]) -> Query:
    """The query with other spellings for the words the index does not know: a compound split
    into two known words (finetuning -> fine tuning), else the nearest known words within the
    typo budget (forgeting -> forgetting); the last word counts as known when a word starts
    with it (typing)."""
    last = query.words[-1]
    spellings: dict[str, tuple[tuple[str, ...], ...]] = {}
    fixes = 0
    for term in query.terms:
        if term in known or singular(term) in known or term.isdigit() or len(term) < 2:
            continue
        splits = tuple((a, b) for a, b in _halves(term) if a in known and b in known)
        if splits:
            spellings[term] = splits[:2]
            continue
        budget = typo_budget(term)
        if not budget or fixes >= MAX_SPELLING_FIXES:
            continue
        fixes += 1
        typing = term == last
        longest = len(term) + budget if not typing else len(term) + 40
        candidates = backend().similar(cursor, term, max(2, len(term) - budget), longest)
        scored = []
        for candidate in candidates:
            d = distance(term, candidate, budget)
            if typing and d > budget:
                d = distance(term, candidate[: len(term)], budget)
            if d <= budget:
                scored.append((d, len(candidate), candidate))
        if scored:
            spellings[term] = tuple((c,) for _, _, c in sorted(scored)[:3])
    return query.with_spellings(spellings)


def find(text: str | Query, limits: dict[str, int], *, within=None) -> Found:
    """The best hits of each kind (``limits``: {kind: how many}); ``within``: a QuerySet of the
    rows' primary keys that hits must be among (a category's terms). Two queries when every word
    is known: the versions with the vocabulary, then the search."""
    query = parse(text) if isinstance(text, str) else text
    if not query:
        return Found(query, [])
    index = backend()
    words_, prefix = asked(query)
    with connection.cursor() as cursor:
        current, indexed, known = index.lookup(cursor, words_, prefix)
        if current != indexed:
            _catch_up()
            _, _, known = index.lookup(cursor, words_, prefix)
        query = spell(cursor, query, known)
        hits = index.search(cursor, query, {k: v for k, v in limits.items() if k in registered.kinds}, within)
    order = {kind: i for i, kind in enumerate(registered.kinds)}
    hits.sort(key=lambda h: (order[h.kind], h.tier, h.score, h.title.casefold(), h.ref))
    return Found(query, hits)


def nearest(text: str | Query, kind: str, limit: int = 5) -> list[Name]:
    """The names of one kind closest to the query by spelling, closest first: those at most half
    the query's length in edits away (a name that goes on past the query counts one edit more);
    ``close`` when at most a third."""
    query = parse(text) if isinstance(text, str) else text
    if not query or not query.key or kind not in registered.kinds:
        return []
    low, high = kind_range(kind)
    with connection.cursor() as cursor:
        rows = backend().names_like(cursor, query.key[:60], low, high)
    best: dict[int, Name] = {}
    allowed, close = max(1, len(query.key) // 2), max(1, len(query.key) // 3)
    for doc, name_key, name, slug in rows:
        whole = distance(query.key, name_key, allowed)
        start = distance(query.key, name_key[: len(query.key)], allowed) + 1  # the name goes on
        d = min(whole, start)
        if d <= allowed and (doc not in best or d < best[doc].distance):
            best[doc] = Name(kind=kind, ref=doc - low, slug=slug, name=name, distance=d, close=d <= close)
    return sorted(best.values(), key=lambda n: (n.distance, len(n.name), n.name))[:limit]
