"""Submitting, grouping, closing; refusals name the field and write nothing; a visit's
need becomes one demand; the collector is paid once, a resident never; the submitter is
told the outcome; anonymity holds on every read."""

from __future__ import annotations

import pytest

from shezhi.core.errors import BadInput, Forbidden
from shezhi.demands import selectors, services
from shezhi.demands.models import Demand, DemandGroup
from shezhi.incentives.models import Transfer
from shezhi.notifications.models import Notification
from shezhi.visits import services as visit_services

from .conftest import IN_MICRO1

NEAR1 = (IN_MICRO1[0] + 0.0005, IN_MICRO1[1])  # some 50 m away

pytestmark = pytest.mark.django_db


def submit(actor, text, point=IN_MICRO1, **kw):
    kw.setdefault("kind", "parking")
    return services.submit_demand(actor=actor, text=text, lng=point[0], lat=point[1], **kw).demand


def test_the_same_wish_joins_one_group_and_counts_residents(place, shared_cast):
    a = submit(shared_cast.resident, "车位太少，晚上下班回来没地方停车")
    b = submit(shared_cast.resident2, "停车太难了，希望多划一些停车位", point=NEAR1)
    c = submit(shared_cast.resident, "希望开设托育点照看两三岁的孩子", kind="childcare")
    assert a.group_id == b.group_id != c.group_id
    assert a.group.area.level == "community" and a.area.level == "micro_grid"
    assert a.status == "grouped" and a.submitter == shared_cast.resident
    assert selectors.group_askers([a.group_id, c.group_id]) == {a.group_id: 2, c.group_id: 1}


def test_bad_input_names_the_field_and_writes_nothing(place, shared_cast):
    r = shared_cast.resident
    cases = [
        ({"kind": "flying", "text": "x"}, "kind"),
        ({"kind": "parking", "text": "  "}, "text"),
        ({"kind": "parking", "text": "x" * 1001}, "text"),
        ({"kind": "parking", "text": "x", "lng": 200, "lat": 30.6}, "location"),
        ({"kind": "parking", "text": "x", "lng": 120.0, "lat": 30.6}, "location"),
        ({"kind": "parking", "text": "x"}, "location"),
        ({"kind": "parking", "text": "x", "source": "fax"}, "source"),
        ({"kind": "parking", "text": "x", "anonymous": "yes", "lng": 104.02, "lat": 30.62},
         "anonymous"),
    ]  # fmt: skip
    for kw, field in cases:
        with pytest.raises(BadInput) as e:
            services.submit_demand(actor=r, **kw)
        assert e.value.field == field, kw
    assert not Demand.objects.exists() and not DemandGroup.objects.exists()


def test_a_resident_is_not_paid_a_worker_is_once(place, shared_cast):
    submit(shared_cast.resident, "希望装快递柜")
    assert not Transfer.objects.filter(rule="demand_collected").exists()
    d = submit(shared_cast.mg_worker, "居民希望装快递柜", source="staff",
               submitter=shared_cast.resident2)  # fmt: skip
    (award,) = Transfer.objects.filter(rule="demand_collected", kind="award")
    assert award.user == shared_cast.mg_worker and award.cause_id == str(d.pk)
    assert "快递" not in award.cause_ref


def test_collecting_outside_ones_area_is_refused(place, shared_cast):
    with pytest.raises(Forbidden):
        submit(shared_cast.mg_worker2, "希望装快递柜", source="staff")  # micro1, not theirs
    assert not Demand.objects.exists()


def test_a_visit_need_becomes_one_demand(place, shared_cast):
    worker = shared_cast.mg_worker
    v = visit_services.record_visit(
        actor=worker, household=place.h101, outcome="nobody_home", items=["daily_care"],
        notes="张三腿脚不便",
    ).visit  # fmt: skip
    (d,) = Demand.objects.all()
    assert (d.source, d.visit, d.need, d.kind) == ("visit", v, "daily_care", "elderly_care")
    assert d.household == place.h101 and d.collected_by == worker
    assert "张三" not in d.text and d.notes == "张三腿脚不便"
    assert d.text == "生活照料（助餐、保洁）"  # in Chinese, though the worker's page was English
    assert Transfer.objects.filter(rule="demand_collected", user=worker).count() == 1
    # The hook again for the same (visit, need): nothing new.
    from shezhi.demands import from_visits
    from shezhi.visits.hooks import NeedFound

    again = from_visits.record_need(
        NeedFound(visit=v, household=place.h101, need="daily_care", label="x", notes="")
    )
    assert again == d and Demand.objects.count() == 1


def test_closing_tells_the_submitter(place, shared_cast):
    d = submit(shared_cast.resident, "希望装快递柜", anonymous=True)
    with pytest.raises(Forbidden):
        services.close_demand(actor=shared_cast.mg_worker, demand=d, outcome="已安装")
    with pytest.raises(BadInput) as e:
        services.close_demand(actor=shared_cast.community, demand=d, outcome=" ")
    assert e.value.field == "outcome"
    services.close_demand(actor=shared_cast.community, demand=d, outcome="快递柜已在3栋安装")
    (n,) = Notification.objects.filter(user=shared_cast.resident, kind="demand_closed")
    assert n.body == "快递柜已在3栋安装"
    d.refresh_from_db()
    assert d.status == "closed"
    assert selectors.mine(shared_cast.resident).get().outcome == "快递柜已在3栋安装"


def test_anonymity_and_scope_on_reads(place, shared_cast):
    d = submit(shared_cast.resident, "希望装快递柜", anonymous=True)
    staff = shared_cast.community
    assert selectors.asker(d, staff) is None
    assert selectors.asker(d, shared_cast.resident) == shared_cast.resident
    assert list(selectors.visible_demands(staff)) == [d]
    assert list(selectors.visible_demands(shared_cast.mg_worker)) == [d]
    for outsider in (
        shared_cast.mg_worker2,
        shared_cast.community2,
        shared_cast.resident2,
        shared_cast.dept_cg,
        shared_cast.alliance,
        shared_cast.other_district,
    ):
        assert not selectors.visible_demands(outsider).exists()  # fmt: skip
        assert not selectors.visible_groups(outsider).exists()
        with pytest.raises(Exception) as e:
            selectors.get_demand(outsider, d.pk)
        assert e.typename == "Http404"
    assert selectors.get_demand(shared_cast.resident, d.pk) == d


def test_split_and_merge(place, shared_cast):
    a = submit(shared_cast.resident, "车位太少，晚上没地方停车")
    b = submit(shared_cast.resident2, "停车太难了，希望多划停车位", point=NEAR1)
    staff = shared_cast.community
    with pytest.raises(Forbidden):
        services.split_demand(actor=shared_cast.mg_worker, demand=b)
    g = services.split_demand(actor=staff, demand=b)
    b.refresh_from_db()
    assert b.group == g != a.group and g.confirmed_by == staff
    with pytest.raises(BadInput) as e:
        services.merge_groups(actor=staff, keep=g, other=g)
    assert e.value.field == "other"
    services.merge_groups(actor=staff, keep=a.group, other=g)
    b.refresh_from_db()
    g.refresh_from_db()
    assert b.group == a.group and g.status == "closed"
    services.confirm_group(actor=staff, group=a.group)
    a.group.refresh_from_db()
    assert a.group.confirmed_by == staff


def test_grouping_follows_splits_merges_and_closes_made_after_the_index(place, shared_cast):
    """The community index (kept in the process) knows texts; the current group and
    status of every candidate is read from the database."""
    staff = shared_cast.community
    a = submit(shared_cast.resident, "车位太少，晚上没地方停车")
    b = submit(shared_cast.resident2, "停车太难了，希望多划停车位", point=NEAR1)
    g = services.split_demand(actor=staff, demand=b)
    # The same words as b: it goes where b is now.
    c = submit(shared_cast.resident, "停车太难了，希望多划停车位", point=NEAR1)
    assert c.group_id == g.pk
    services.merge_groups(actor=staff, keep=a.group, other=g)
    d = submit(shared_cast.resident2, "停车太难了，希望多划停车位", point=NEAR1)
    assert d.group_id == a.group_id
    for x in (a, b, c, d):
        x.refresh_from_db()
        services.close_demand(actor=staff, demand=x, outcome="已划线")
    e = submit(shared_cast.resident, "车位太少，晚上没地方停车")
    assert e.group_id not in {a.group_id, g.pk}


def test_the_index_is_rebuilt_when_the_database_changed_under_it(place, shared_cast):
    a = submit(shared_cast.resident, "希望开设老年食堂")
    Demand.objects.filter(pk=a.pk).update(text="希望多装几盏路灯")  # no service does this
    Demand.objects.create(
        kind="other", text="晚上太暗了路灯不够", source="resident", area=a.area,
        area_path=a.area_path,
    )  # fmt: skip
    b = submit(shared_cast.resident2, "希望开设老年食堂")
    assert b.group_id != a.group_id  # a's new text was read again


def test_raising_a_demand_is_taking_part_once_per_person(place, shared_cast):
    import datetime as dt

    from django.utils import timezone

    from shezhi.core import participation
    from shezhi.core.models import Participation

    a = submit(shared_cast.resident, "希望装快递柜")
    submit(shared_cast.resident, "希望开设托育点", kind="childcare")
    b = submit(shared_cast.resident2, "希望装快递柜", anonymous=True)
    submit(shared_cast.mg_worker, "居民希望修剪树枝", source="staff", kind="greenery")
    rows = Participation.objects.order_by("pk")
    assert [r.way for r in rows] == ["demand"] * 3  # nobody known behind the last one
    first, anon = rows[0], rows[2]
    assert (first.source_type, first.source_id) == ("demands.demand", a.pk)
    assert anon.source_id is None and anon.at == timezone.localtime(b.created_at).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = timezone.now() - dt.timedelta(days=1)
    end = timezone.now() + dt.timedelta(days=1)
    assert participation.participants(a.area, start, end) == 2  # two residents, three demands


def test_photos_are_processed_and_a_bad_one_writes_nothing(place, shared_cast, settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shezhi.demands.models import DemandPhoto
    from tests.events.conftest import jpeg

    d = submit(shared_cast.resident, "希望在这块空地建个小花园", kind="greenery",
               photos=[jpeg(3000, 2000, gps=(104.05, 30.65))])  # fmt: skip
    (p,) = d.photos.all()
    assert max(p.width, p.height) <= 1600 and default_storage.exists(p.image.name)
    with default_storage.open(p.image.name) as f:
        assert b"GPS" not in f.read()[:4096]  # EXIF stripped
    before = (Demand.objects.count(), DemandPhoto.objects.count())
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(BadInput) as e:
        submit(shared_cast.resident, "希望多装路灯", photos=[jpeg(), bad])
    assert e.value.field == "photos"
    assert (Demand.objects.count(), DemandPhoto.objects.count()) == before
    with pytest.raises(BadInput) as e:
        submit(shared_cast.resident, "希望多装路灯", photos=[jpeg() for _ in range(7)])
    assert e.value.field == "photos"
