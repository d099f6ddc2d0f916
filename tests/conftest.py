from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# the tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TESTS = Path(__file__).resolve().parent
MODULE_FIXTURE = re.compile(r"@pytest\.fixture\([^)]*scope=\"module\"")


def modules_kept_together() -> set[str]:
    """The test modules (as node ids start) that build something once per module.

    A module-scoped fixture (the whole demo district, a geometry set) is built on
    every worker that runs one of the module's tests; keeping the module on one
    worker builds it once. Read from the source, so a new such module is kept
    together without being listed.
    """
    root = TESTS.parent
    return {
        path.relative_to(root).as_posix()
        for path in TESTS.rglob("test_*.py")
        if MODULE_FIXTURE.search(path.read_text(encoding="utf-8"))
    }


@pytest.hookimpl(optionalhook=True)  # the hook exists only when xdist is loaded
def pytest_xdist_make_scheduler(config, log):
    """Hand tests out one by one (xdist's ``load``), except each module in
    ``modules_kept_together``, which goes to one worker whole, largest first.

    xdist's own ``xdist_group`` mark cannot do this with pytest 9: it renames the
    node id through an attribute pytest no longer reads.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    together = modules_kept_together()

    class ModulesWithSharedFixtures(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in together else nodeid

    return ModulesWithSharedFixtures(config, log)


@pytest.fixture(scope="session", autouse=True)
def _quick_postgresql_flush():
    """Empty PostgreSQL's tables after a transactional test with DELETE, not TRUNCATE.

    Django's flush truncates every table (126 of them) after each live-server or
    transactional test: TRUNCATE makes new files for each table and its indexes, about
    2-6 s a time here, where DELETE of the few rows a test leaves takes 10-200 ms. The
    flush runs in one transaction, so the foreign keys (all DEFERRABLE INITIALLY DEFERRED)
    are checked when every table is empty. Tests only; no test resets sequences.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))}"
            for t in tables
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "zh-hans"
    # The default hasher costs ~2 s per test that signs in; tests are not about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.login() authenticates without a request, which axes refuses; the
    # sign-in security tests switch it back on for themselves.
    settings.AXES_ENABLED = False
    # Each test starts from its own database: nothing a process kept from the last one.
    from django.core.cache import cache

    from shezhi.core import sweeps
    from shezhi.core.snapshot import clear_all

    clear_all()
    sweeps.reset()
    cache.clear()


@pytest.fixture
def territory(db):
    from tests.factories import build_territory

    return build_territory()


@pytest.fixture
def shared_cast(territory):
    """The one cast of actors (tests/factories.Cast), each made on first use.

    Function-scoped like the database; the suites' own fixtures (``actors``,
    ``cast``, ``staff``, ``users``) are views of it that name and order their actors.
    """
    from tests.factories import Cast

    return Cast(territory)


@pytest.fixture
def cast(shared_cast):
    return shared_cast


@pytest.fixture
def users(shared_cast):
    """One user per kind of scope the territory tests need."""
    c = shared_cast.assemble(
        "root", "district", "street", "other_street", "other_district", "nobody"
    )
    return {
        "superuser": c.root,
        "district_admin": c.district,
        "street_staff": c.street,
        "other_street": c.other_street,
        "other_district": c.other_district,
        "nobody": c.nobody,
    }
