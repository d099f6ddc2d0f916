"""core.prepared: a queryset compiled once answers as ``.get()`` would, for every value."""

from __future__ import annotations

import pytest
from django.db import transaction

from shezhi.core import prepared
from shezhi.events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _with_areas(pk):
    return (
        Event.objects.select_related("category", "area", "owner_area")
        .defer("area__boundary", "owner_area__boundary")
        .filter(pk=pk)
    )


def test_the_same_instances_as_the_orm_for_each_value():
    first, second = EventFactory(), EventFactory()
    for event in (first, second, first):
        got = prepared.get_one("test.prepared.event", _with_areas, event.pk)
        want = _with_areas(event.pk).get()
        assert type(got) is Event and got.pk == event.pk
        names = [f.attname for f in Event._meta.concrete_fields]
        assert [getattr(got, n) for n in names] == [getattr(want, n) for n in names]
        assert got.created_at == want.created_at and got.created_at.tzinfo is not None
        # The related rows came with it, boundaries left out, as select_related gives them.
        assert Event.area.is_cached(got) and got.area.name == want.area.name
        assert got.owner_area.path == want.owner_area.path
        assert got.category.code == want.category.code
        assert "boundary" in got.area.get_deferred_fields()
        assert not got._state.adding and got._state.db == "default"


def test_a_missing_row_is_does_not_exist():
    with pytest.raises(Event.DoesNotExist):
        prepared.get_one("test.prepared.event", _with_areas, 987654321)


def test_a_locking_read_needs_a_transaction_where_the_database_locks():
    event = EventFactory()

    def locked(pk):
        return Event.objects.select_for_update().filter(pk=pk)

    with transaction.atomic():
        assert prepared.get_one("test.prepared.locked", locked, event.pk).pk == event.pk


def test_a_versioned_update_writes_what_the_orm_update_writes():
    from django.db.models import F
    from django.utils import timezone

    one, two = EventFactory(), EventFactory()
    now = timezone.now()
    values = {"result": "已清理", "handled_at": now, "handler_user_id": None, "on_spot": True}
    assert prepared.update_versioned(Event, one.pk, one.version, dict(values)) == 1
    Event.objects.filter(pk=two.pk, version=two.version).update(version=F("version") + 1, **values)
    got, want = Event.objects.get(pk=one.pk), Event.objects.get(pk=two.pk)
    for name in [*values, "version"]:
        assert getattr(got, name) == getattr(want, name), name
    assert got.version == one.version + 1
    # A version somebody else moved on: nothing written, 0 rows.
    assert prepared.update_versioned(Event, one.pk, one.version, {"result": "x"}) == 0
    assert Event.objects.get(pk=one.pk).result == "已清理"
