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


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_default_categories_an_installation_starts_with():
    from shezhi.events.default_categories import DEFAULT_CATEGORIES
    from shezhi.events.models import Category

    call_command("flush", interactive=False, verbosity=0)
    codes = set(Category.objects.values_list("code", flat=True))
    assert codes == {c[0] for c in DEFAULT_CATEGORIES} | {
        sub[0] for *_, subs in DEFAULT_CATEGORIES for sub in subs
    }


@pytest.mark.django_db
def test_categories_a_district_has_edited_stay_as_they_are():
    from django.core.management.sql import emit_post_migrate_signal

    from shezhi.events.models import Category

    Category.objects.filter(parent__isnull=False).exclude(code="0101").delete()
    Category.objects.exclude(code__in=["01", "0101"]).delete()
    Category.objects.filter(code="0101").update(name="门口垃圾")
    emit_post_migrate_signal(0, False, "default")
    assert dict(Category.objects.values_list("code", "name")) == {
        "01": "市容环境",
        "0101": "门口垃圾",
    }
