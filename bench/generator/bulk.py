"""Writing many rows fast: COPY on PostgreSQL (with the foreign keys of the big tables dropped for
the load and added back, checked, before the commit), `executemany` elsewhere."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.db import connection

COPY_BATCH = 200_000
INSERT_BATCH = 5_000


def copy_text(value) -> str:
    """A field in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(cursor, table: str, columns: Sequence[str], lines: list[str]) -> None:
    """COPY text lines into a table (psycopg2's copy_expert; psycopg 3's copy as a fallback)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):
        raw.copy_expert(sql, io.StringIO("".join(lines)))
    else:  # pragma: no cover - psycopg 3
        with raw.copy(sql) as copy:
            copy.write("".join(lines))


def insert_rows(cursor, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 - names from _meta
        f"VALUES ({placeholders})"
    )
    cursor.executemany(sql, rows)


class TableWriter:
    """Rows of one table in batches: COPY text lines on PostgreSQL, tuples elsewhere."""

    def __init__(self, cursor, model, columns: Sequence[str]):
        self.cursor, self.columns = cursor, list(columns)
        self.table = model._meta.db_table
        self.use_copy = connection.vendor == "postgresql"
        self.batch = COPY_BATCH if self.use_copy else INSERT_BATCH
        self.buffer: list = []
        self.count = 0

    def row(self, values: tuple):
        """A row in the form `buffer` takes: a COPY line or a tuple of database values."""
        if self.use_copy:
            return "\t".join(map(copy_text, values)) + "\n"
        return tuple(adapt(v) for v in values)

    def maybe_flush(self) -> None:
        if len(self.buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.use_copy:
            copy_rows(self.cursor, self.table, self.columns, self.buffer)
        else:
            insert_rows(self.cursor, self.table, self.columns, self.buffer)
        self.count += len(self.buffer)
        self.buffer.clear()  # in place: callers keep a reference to it


def adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@contextmanager
def foreign_keys_suspended(cursor, models: Sequence) -> Iterator[None]:
    """On PostgreSQL, drop the foreign keys from and to these tables, and add them back after.

    PostgreSQL checks a foreign key row by row, queued to the commit for Django's deferred
    constraints: three quarters of a bulk load's time, and memory for millions of queued events.
    Adding a key back checks the whole table in one join instead (as the manual's "Populating a
    Database" advises). All in the caller's transaction, so nothing is left without its keys; the
    tables are locked until it commits.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    cursor.execute(
        "SELECT DISTINCT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' "
        "AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s)) "
        "ORDER BY 1, 2",
        [tables, tables],
    )
    keys = cursor.fetchall()
    quote = connection.ops.quote_name
    # A table with queued constraint checks cannot be altered: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
