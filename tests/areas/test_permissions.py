"""areas.permissions: who reads which areas, who imports area files, whose import jobs.

Every role reads the subtree it holds and nothing beside it; district admins import
into their districts only; an import job is its starter's. The cast is
tests/factories.Cast over build_territory().
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.areas import permissions
from shezhi.areas.models import Area, AreaImport
from tests.factories import AreaImportFactory

pytestmark = pytest.mark.django_db

# actor → (an area inside their scope, one outside it)
INSIDE_OUTSIDE = {
    "resident": ("micro1", "micro2"),
    "mg_worker": ("micro1", "school"),
    "grid_worker": ("micro2", "grid2"),
    "community": ("grid2", "community2"),
    "street": ("community2", "street2"),
    "district": ("street2", "other_district"),
    "dept_cg": ("micro1", "other_district"),
    "alliance": ("community", "other_district"),
    "other_district": ("other_district", "district"),
}


def codes(q) -> set[str]:
    qs = Area.objects.all()
    return set((qs if q is None else qs.filter(q)).values_list("code", flat=True))


def subtree(*areas: Area) -> set[str]:
    return {a.code for a in Area.objects.all() if any(a.path.startswith(t.path) for t in areas)}


@pytest.mark.parametrize("who", sorted(INSIDE_OUTSIDE))
def test_every_role_reads_the_areas_it_holds_and_no_other(cast, territory, who):
    inside, outside = INSIDE_OUTSIDE[who]
    user = getattr(cast, who)
    assert permissions.can(user, "view", territory[inside])
    assert not permissions.can(user, "view", territory[outside])
    assert permissions.can(user, "view")
    held = permissions.scope_areas(user, "view")
    assert codes(permissions.scope(user, "view")) == subtree(*held)
    assert territory[inside].code in codes(permissions.scope(user))
    assert territory[outside].code not in codes(permissions.scope(user))


def test_a_superuser_reads_every_area_and_the_others_none(cast, territory):
    assert permissions.scope(cast.root, "view") is None
    assert permissions.scope_areas(cast.root) is None
    assert permissions.can(cast.root, "view", territory["other_district"])
    for user in (cast.nobody, AnonymousUser(), None):
        assert not permissions.can(user, "view", territory["district"])
        assert not permissions.can(user, "view")
        assert codes(permissions.scope(user, "view")) == set()


def test_district_admins_import_into_their_districts_only(cast, territory):
    admin = cast.district
    assert permissions.can(admin, "import")
    assert permissions.can(admin, "import", territory["district"])
    assert permissions.can(admin, "import", territory["micro1"])
    assert not permissions.can(admin, "import", territory["other_district"])
    assert codes(permissions.scope(admin, "import")) == subtree(territory["district"])
    assert [a.code for a in permissions.scope_areas(admin, "import")] == ["510113"]
    assert permissions.can(cast.root, "import", territory["other_district"])
    assert permissions.scope_areas(cast.root, "import") is None


@pytest.mark.parametrize(
    "who", ["resident", "mg_worker", "grid_worker", "community", "street", "dept_cg", "alliance"]
)
def test_nobody_else_imports_areas(cast, territory, who):
    user = getattr(cast, who)
    assert not permissions.can(user, "import")
    assert not permissions.can(user, "import", territory["micro1"])
    assert codes(permissions.scope(user, "import")) == set()
    assert permissions.scope_areas(user, "import") == []


def test_an_import_job_is_read_by_its_starter_and_a_superuser(cast):
    mine = AreaImportFactory(created_by=cast.district)
    theirs = AreaImportFactory(created_by=cast.other_district)
    assert permissions.can(cast.district, "view_import", mine)
    assert not permissions.can(cast.district, "view_import", theirs)
    assert permissions.can(cast.root, "view_import", theirs)
    assert not permissions.can(AnonymousUser(), "view_import", mine)

    def seen(user):
        q = permissions.scope(user, "view_import")
        return set(AreaImport.objects.all() if q is None else AreaImport.objects.filter(q))

    assert seen(cast.district) == {mine}
    assert seen(cast.root) == {mine, theirs}
    assert seen(AnonymousUser()) == set()


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "delete")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "delete")
