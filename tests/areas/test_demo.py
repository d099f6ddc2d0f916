"""`shezhi demo` builds the article's territory through the real import path."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from shezhi.areas import locating
from shezhi.areas.models import Area
from shezhi.people.models import RoleAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DEMO_USERNAMES = [
    "qbj_admin",
    "alliance",
    "dept_cg",
    "dawan_staff",
    "community_staff",
    "grid_worker",
    "mg_worker",
    "resident",
]


def test_demo_builds_the_article_territory():
    out = StringIO()
    # The territory and the workforce; no household base (its own tests build one).
    call_command("demo", "--no-progress", "--no-events", "--households", "0", stdout=out)
    text = out.getvalue()
    assert "Demo district built" in text
    assert "admin" in text and "shezhi-demo-2026" in text

    counts = dict(Area.objects.order_by().values_list("level").annotate(n=Count("id")))
    assert counts["district"] == 1
    assert counts["community"] == 83
    assert counts["general_grid"] == 362
    assert counts["micro_grid"] == 2049 + 534
    kinds = dict(
        Area.objects.filter(level="micro_grid")
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    assert kinds == {"general": 2049, "dedicated": 534}
    assert Area.objects.find_problems() == ([], [], [], [], [])
    district = Area.objects.get(code="510113")
    assert district.name == "青白江区"
    assert 104.1 < district.centroid_lng < 104.4 and 30.65 < district.centroid_lat < 30.9

    # every micro-grid's point is located back to itself (a dedicated one wins there)
    sample = list(Area.objects.filter(level="micro_grid").order_by("?")[:50])
    for area in sample:
        from shapely.geometry import shape

        p = shape(area.boundary).representative_point()
        _, chain = locating.locate(p.x, p.y)
        if area.kind == "dedicated":
            assert chain[0].code == area.code
        else:
            assert chain[0].code == area.code or chain[0].kind == "dedicated"
        assert chain[-1].code == "510113"

    assert RoleAssignment.objects.filter(user__username="qbj_admin", area=district).exists()

    # The article's workforce, assigned consistently.
    from shezhi.people import selectors as people_selectors
    from shezhi.people.models import Assignment, Person

    workforce = people_selectors.workforce_counts(district)["category"]
    assert workforce["full_time_grid_worker"] == 347
    assert workforce["micro_grid_worker"] == 5573
    assert workforce["embedded_cadre"] == 3072
    assert workforce["street_cadre"] == 636
    assert workforce["community_committee"] == 640
    assert not people_selectors.micro_grids_without_worker(district).exists()
    covered = Assignment.objects.filter(role="full_time_worker", ended_on__isnull=True)
    assert covered.values("area").distinct().count() == 362
    assert covered.values("person").distinct().count() == 347
    # every person is inside the district, with valid encrypted personal data
    sample = Person.objects.order_by("pk")[::997]
    from shezhi.core import personal_data as pd

    for person in sample:
        pd.validate_id_number(person.id_number)
        pd.validate_phone(person.phone)
        assert person.id_number_index == pd.blind_index("id_number", person.id_number)
    # one demo sign-in per role, and the worker sign-ins are the people on the posts
    from shezhi.core.models import Role

    demo_roles = set(
        RoleAssignment.objects.filter(user__username__in=DEMO_USERNAMES).values_list(
            "role", flat=True
        )
    )
    assert demo_roles == set(Role.values)
    assert (
        Person.objects.get(user__username="mg_worker")
        .assignments.filter(area__code="510113001001001001", role="responsible_worker")
        .exists()
    )

    again = StringIO()
    call_command("demo", "--no-progress", "--no-events", stdout=again)
    assert "already present" in again.getvalue()
    assert Area.objects.count() == sum(counts.values())
