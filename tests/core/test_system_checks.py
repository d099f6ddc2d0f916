"""Django's system checks, the database's included, pass without a warning: a warning is
printed by every command an operator runs (migrate, demo, run)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command


def test_no_system_check_warns_on_the_database_in_use(db):
    out = StringIO()
    # Raises SystemCheckError on any warning or error.
    call_command("check", "--database", "default", "--fail-level", "WARNING", stdout=out)
    assert "no issues" in out.getvalue()
