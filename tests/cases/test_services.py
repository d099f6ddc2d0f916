"""The case's life: written (from a source, with its figures), reviewed by someone
else, published (then searchable), edited (re-indexed), taken back (out of search);
every refusal before anything is written."""

from __future__ import annotations

import pytest

from shezhi.cases import hooks, selectors, services
from shezhi.cases.models import Case
from shezhi.core import search
from shezhi.core.errors import BadInput, Forbidden, NotAllowed
from shezhi.demands import services as demand_services

from .conftest import publish, write

pytestmark = pytest.mark.django_db


def found(q: str) -> list[int]:
    return [c.pk for c in selectors.search(q)[0]]


def test_draft_reviewed_published_with_who_and_when(territory, shared_cast):
    case = write(shared_cast, territory)
    assert case.status == Case.Status.DRAFT and case.tag_list == ["加装电梯", "老旧小区改造"]
    assert found("加装电梯") == []  # a draft is not public
    with pytest.raises(NotAllowed):
        services.publish_case(actor=shared_cast.community, case=case)
    with pytest.raises(Forbidden):  # four eyes: not the writer
        services.review_case(actor=shared_cast.community, case=case)
    services.review_case(actor=shared_cast.street, case=case)
    assert case.reviewed_by == shared_cast.street and case.reviewed_at is not None
    services.publish_case(actor=shared_cast.community, case=case)
    case.refresh_from_db()
    assert case.status == "published" and case.published_by == shared_cast.community
    assert found("加装电梯") == [case.pk] and found("坝坝会") == [case.pk]
    with pytest.raises(NotAllowed):
        services.review_case(actor=shared_cast.street, case=case)


def test_an_edit_reindexes_and_taking_back_unindexes(territory, shared_cast):
    case = publish(shared_cast, write(shared_cast, territory))
    services.update_case(
        actor=shared_cast.community, case=case, results="电梯建成，又带动了楼道微更新。"
    )
    assert case.status == "published"
    assert found("微更新") == [case.pk] and found("下楼") == []
    services.unpublish_case(actor=shared_cast.community, case=case)
    assert case.status == "draft" and case.published_at is None
    assert found("微更新") == [] and not search.search("电梯", published_only=False).hits


def test_editing_a_reviewed_case_sends_it_back_to_draft(territory, shared_cast):
    case = write(shared_cast, territory)
    services.review_case(actor=shared_cast.street, case=case)
    services.update_case(actor=shared_cast.community, case=case, title="加装电梯（修订）")
    assert case.status == "draft" and case.reviewed_by is None


def test_written_from_a_demand_group_its_figures_are_filled_in(territory, shared_cast):
    staff = shared_cast.community
    for i, text in enumerate(["希望1栋加装电梯", "1栋能不能装电梯，老人爬楼太累", "1栋想加装电梯"]):
        group = demand_services.submit_demand(
            actor=staff, kind="elderly_care", text=text, source="staff",
            area=territory["micro1"], address=f"凤凰家园1栋{i + 1}01",
        ).demand.group  # fmt: skip
    assert "demands.demandgroup" in hooks.source_kinds()
    case = services.create_case(
        actor=staff, area=territory["community"], title="加梯", source=group
    )
    figures = {f["label"]: f["value"] for f in case.figures}
    assert figures == {"Residents who asked": 3, "Demands gathered": 3}
    assert case.source == group and case.source_label.startswith("Demand group")
    # The snapshot stays; refreshing takes the source's figures anew.
    case.figures = []
    case.save()
    services.update_case(actor=staff, case=case, refresh_figures=True)
    assert len(case.figures) == 2


def test_refusals_name_the_field_and_write_nothing(territory, shared_cast):
    staff = shared_cast.community
    bad = [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"background": 12}, "background"),
        ({"tags": "标签" * 11}, "tags"),
        ({"tags": " ".join(f"t{i}" for i in range(11))}, "tags"),
        ({"figures": [{"label": "x", "value": None}]}, "figures"),
        ({"figures": "many"}, "figures"),
        ({"source": shared_cast.street}, "source"),  # a user is no kind of source
    ]
    for fields, field in bad:
        args = {"title": "社区食堂", **fields}
        with pytest.raises(BadInput) as e:
            services.create_case(actor=staff, area=territory["community"], **args)
        assert e.value.field == field, fields
    with pytest.raises(Forbidden):  # outside their area
        services.create_case(actor=staff, area=territory["community2"], title="x")
    with pytest.raises(Forbidden):  # a grid worker does not write cases
        services.create_case(actor=shared_cast.grid_worker, area=territory["grid"], title="x")
    assert not Case.objects.exists()
    case = write(shared_cast, territory)
    with pytest.raises(BadInput) as e:
        services.update_case(actor=staff, case=case, area=territory["community2"])
    assert e.value.field == "area"
    with pytest.raises(BadInput) as e:
        services.update_case(actor=staff, case=case, status="published")
    assert e.value.field == "status"


def test_the_library_and_the_staff_scope(territory, shared_cast):
    mine = write(shared_cast, territory)
    other = services.create_case(
        actor=shared_cast.community2, area=territory["community2"], title="四点半课堂"
    )
    assert list(selectors.managed(shared_cast.community)) == [mine]
    assert set(selectors.managed(shared_cast.street)) == {mine, other}
    assert list(selectors.managed(shared_cast.grid_worker)) == []
    assert list(selectors.published()) == []
    services.review_case(actor=shared_cast.street, case=other)
    services.publish_case(actor=shared_cast.community2, case=other)
    assert list(selectors.readable(shared_cast.resident)) == [other]
    assert set(selectors.readable(shared_cast.community)) == {mine, other}
