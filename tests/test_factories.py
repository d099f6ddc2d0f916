"""Every model of the project has a factory (tests/factories.py), and it makes a valid row."""

from __future__ import annotations

import pytest
from django.apps import apps

from tests.factories import FACTORIES, AreaFactory, Cast, build_territory


def project_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("shezhi.") and not m._meta.abstract and not m._meta.proxy
    ]


def test_every_model_has_a_factory():
    missing = [m._meta.label for m in project_models() if m not in FACTORIES]
    assert missing == [], f"add a factory to tests/factories.py for: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", project_models(), ids=lambda m: m._meta.label)
def test_each_factory_saves_a_valid_row(model):
    row = FACTORIES[model]()
    assert row.pk is not None
    row.refresh_from_db()
    row.full_clean(validate_unique=False, validate_constraints=True)


@pytest.mark.django_db
def test_an_area_factory_nests_codes_down_the_levels():
    district = AreaFactory()
    micro = AreaFactory(parent=AreaFactory(parent=AreaFactory(parent=AreaFactory(parent=district))))
    assert micro.level == "micro_grid" and micro.kind == "general"
    assert micro.code.startswith(district.code) and micro.path.startswith(district.path)


@pytest.mark.django_db
def test_the_cast_makes_each_actor_once_on_first_use():
    cast = Cast(build_territory(), names={"district": "qu"})
    assert cast.district is cast.district and cast.district.username == "qu"
    assert cast.worker is cast.mg_worker
    holding = cast.dept_zj.role_assignments.get()
    assert holding.role == "department_staff" and holding.department == cast.zj
    assert not cast.nobody.role_assignments.exists() and cast.root.is_superuser
