from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# the tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
def users(territory):
    """One user per kind of scope the territory tests need."""
    from tests.factories import make_user

    return {
        "superuser": make_user("root", is_superuser=True, is_staff=True),
        "district_admin": make_user(
            "district_admin", role="district_admin", area=territory["district"]
        ),
        "street_staff": make_user("street_staff", role="street_staff", area=territory["street1"]),
        "other_street": make_user("other_street", role="street_staff", area=territory["street2"]),
        "other_district": make_user(
            "other_district", role="district_admin", area=territory["other_district"]
        ),
        "nobody": make_user("nobody"),
    }
