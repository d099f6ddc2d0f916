"""The flush after a transactional test empties every table (DELETE on PostgreSQL, see conftest)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from shezhi.areas.models import Area
from tests.factories import AreaFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_flush_empties_tables_linked_by_foreign_keys():
    AreaFactory(parent=AreaFactory())  # a tree: children point at their parent
    UserFactory()
    # Without post_migrate, which would write the content types and permissions back.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not Area.objects.exists()
    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        for table in tables:
            if table == "django_migrations":
                continue
            # Table names from introspection, quoted: no input reaches this SQL.
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            assert cursor.fetchone() is None, table


def test_postgresql_flushes_with_delete():
    sql = " ".join(connection.ops.sql_flush(no_style(), ["areas_area"]))
    if connection.vendor == "postgresql":
        assert "DELETE FROM" in sql and "TRUNCATE" not in sql
    else:
        assert "DELETE FROM" in sql  # SQLite's own flush deletes too
