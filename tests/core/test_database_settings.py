"""Every SQLite configuration gets WAL, IMMEDIATE transactions and the busy timeout.

``DATABASE_URL=sqlite:///path`` used to give a bare connection: two requests
writing at once answered 500 "database is locked".
"""

from __future__ import annotations

import threading
import time
from unittest import mock

from django.db import transaction
from django.db.utils import ConnectionHandler

from shezhi import settings as project_settings


def test_a_sqlite_url_gets_the_same_options_as_the_embedded_default(tmp_path):
    embedded = project_settings.database_config("", tmp_path / "a.sqlite3")
    from_url = project_settings.database_config(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert from_url["ENGINE"] == embedded["ENGINE"] == "django.db.backends.sqlite3"
    assert from_url["NAME"] == str(tmp_path / "b.sqlite3")
    for db in (embedded, from_url):
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert db["OPTIONS"]["timeout"] >= 5
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
        assert "foreign_keys=ON" in db["OPTIONS"]["init_command"]
        assert db["CONN_HEALTH_CHECKS"] is True
    assert from_url["CONN_MAX_AGE"] == embedded["CONN_MAX_AGE"]


def test_postgres_urls_are_left_as_they_are():
    db = project_settings.database_config("postgres://u:p@db.example:5432/shezhi")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in db.get("OPTIONS", {})
    assert db["CONN_MAX_AGE"] == 60


def test_two_writers_at_once_on_a_sqlite_url_both_succeed(tmp_path, django_db_blocker):
    """Two threads read then write in one transaction each, overlapping: both commit.

    Without IMMEDIATE the second one's read lock cannot be upgraded and it fails at
    once with "database is locked"; with it, the second waits at BEGIN for the first.
    """
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    handler = ConnectionHandler({"default": project_settings.database_config(url)})
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        conn = handler["default"]  # one connection per thread, as in the app servers
        try:
            start.wait()
            with transaction.atomic(), conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM tally")
                cur.fetchone()
                time.sleep(0.3)  # both are inside their transaction now
                cur.execute("INSERT INTO tally (n) VALUES (%s)", [n])
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    # transaction.atomic() on this handler's connections, not the test database's.
    with (
        django_db_blocker.unblock(),
        mock.patch.object(transaction, "get_connection", lambda using=None: handler["default"]),
    ):
        with handler["default"].cursor() as cur:
            cur.execute("CREATE TABLE tally (n integer)")
        threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        with handler["default"].cursor() as cur:
            cur.execute("SELECT n FROM tally ORDER BY n")
            assert [row[0] for row in cur.fetchall()] == [1, 2]
        handler.close_all()
