"""Loading the demo's big tables fast: indexes built once after the rows, a larger page
cache on SQLite.

A B-tree index kept up row by row costs a random page write per row (a resident's name,
the blind index of an ID number or phone: random keys); on an empty table the same index
built after the load is one sort. ``indexes_deferred`` drops a table's secondary indexes
(not its primary key) before the block and creates them again, from their own SQL, after
it, in the same transaction: a block that fails leaves them as they were. Only for
tables the block fills (empty, or nearly, when it starts: the demo's), and a block that
does not look rows up by those indexes: an import into a table that already holds rows
keeps its indexes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# SQLite's page cache for the demo's connection, in KiB (its default is 2 MB): the
# district's tables are a gigabyte and more.
CACHE_KIB = 256 * 1024


def larger_cache() -> None:
    """A larger page cache for this SQLite connection, and its sorts (an index built
    after the rows) in memory (no-op on PostgreSQL)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            cursor.execute("PRAGMA temp_store = MEMORY")


def _index_sql(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of ``table``'s secondary indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                " JOIN pg_class c ON c.relname = i.indexname"
                " JOIN pg_index x ON x.indexrelid = c.oid"
                " WHERE i.tablename = %s AND i.schemaname = current_schema()"
                " AND NOT x.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
                [table],
            )
        else:
            return []
        return list(cursor.fetchall())


@contextmanager
def indexes_deferred(*models) -> Iterator[None]:
    """Drop the secondary indexes of ``models``' tables for the block, then build them
    again (call inside a transaction, on tables the block fills)."""
    found = [(name, sql) for m in models for name, sql in _index_sql(m._meta.db_table)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        if found and connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with foreign-key checks still
            # pending (Django defers them to the commit): run them now, defer again after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in found:
            cursor.execute(sql)
        if found and connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
