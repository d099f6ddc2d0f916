"""Factories (factory-boy) for every model of the project, the test territory, and the
one cast of actors.

Areas are written straight through treebeard (not the importer) so tests of the
pages and the API don't depend on the validator; the importer has its own tests.
``make_area``, ``make_user`` and ``build_territory`` are the short names most tests
use; they are thin wrappers over ``AreaFactory`` and ``UserFactory``/``RoleFactory``.

Every concrete model under ``shezhi`` has a factory here (``FACTORIES``;
tests/test_factories.py checks it): ``XFactory()`` saves a valid row with whatever
it needs around it, ``XFactory.build()`` an unsaved one. Rows a service must write
(a balanced points transfer) are made through that service.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory
from shapely.geometry import box, mapping

from shezhi.areas import constants as c
from shezhi.areas.models import Area, AreaImport, BoundaryRevision
from shezhi.areas.services import derive_geometry_fields
from shezhi.core import models as core
from shezhi.demands import models as dm
from shezhi.events import models as ev
from shezhi.households import models as hh
from shezhi.incentives import models as pts
from shezhi.notifications.models import Delivery, Notification
from shezhi.people.models import Assignment, Department, Person, RoleAssignment, RosterImport
from shezhi.places.models import HubDuty, ServiceHub, ServicePost, ServicePostPhoto
from shezhi.stats import models as st
from shezhi.visits import models as vs
from shezhi.volunteering.models import Signup, VolunteerActivity

PASSWORD = "correct-horse-battery-9"


def square(lng0: float, lat0: float, lng1: float, lat1: float) -> dict:
    return mapping(box(lng0, lat0, lng1, lat1))


# ---------------------------------------------------------------- areas and users


class AreaFactory(DjangoModelFactory):
    """An area under ``parent`` (a new district when None), its code one level down.

    ``bounds`` (lng0, lat0, lng1, lat1) is its square boundary; by default the
    parent's bounding box, or a square of its own for a district.
    """

    class Meta:
        model = Area

    class Params:
        bounds = factory.LazyAttributeSequence(
            lambda o, n: (
                (o.parent.min_lng, o.parent.min_lat, o.parent.max_lng, o.parent.max_lat)
                if o.parent is not None
                else (110.0 + n % 50 * 0.5, 20.0, 110.4 + n % 50 * 0.5, 20.2)
            )
        )

    parent = None
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{o.parent.code}{n % 1000:03d}" if o.parent is not None else f"{700000 + n}"
    )
    name = factory.Sequence(lambda n: f"测试区域{n}")
    kind = ""
    dedicated_type = ""
    boundary = factory.LazyAttribute(lambda o: square(*o.bounds))

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kw):
        kw["level"] = c.level_for_code(kw["code"])
        if kw["level"] == c.MICRO_GRID and not kw.get("kind"):
            kw["kind"] = c.KIND_GENERAL
        kw.update(derive_geometry_fields(kw["boundary"]))
        if parent is None:
            return model_class.objects.add_root(kw)
        area = model_class.objects.add_child(parent, kw)
        parent.refresh_from_db()
        return area

    @classmethod
    def _build(cls, model_class, *args, parent=None, **kw):
        kw["level"] = c.level_for_code(kw["code"])
        kw.update(derive_geometry_fields(kw["boundary"]))
        return model_class(**kw)


class UserFactory(DjangoModelFactory):
    """A user who signs in with ``PASSWORD`` (through ``create_user``: hashed as in life)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kw):
        return model_class.objects.create_user(*args, **kw)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("district", "code")

    district = factory.SubFactory(AreaFactory)
    code = factory.Sequence(lambda n: f"d{n}")
    name = factory.LazyAttribute(lambda o: f"部门{o.code}")


def _department_for(o):
    """Department staff act for a department of their area's district (城管 by default)."""
    if o.role != core.Role.DEPARTMENT_STAFF:
        return None
    district = Area.objects.get(path=o.area.path[: Area.steplen])
    return DepartmentFactory(district=district, code="cg", name="区城市管理局")


class RoleFactory(DjangoModelFactory):
    """A role held over an area's subtree (``RoleAssignment``)."""

    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = core.Role.RESIDENT
    area = factory.SubFactory(AreaFactory)
    department = factory.LazyAttribute(_department_for)


class ApiTokenFactory(DjangoModelFactory):
    class Meta:
        model = core.ApiToken

    user = factory.SubFactory(UserFactory)
    key_hash = factory.Sequence(lambda n: core.hash_token(f"shz_test_{n}"))
    prefix = "shz_test"
    name = "test"


class PersonalDataViewFactory(DjangoModelFactory):
    """One reveal of a person's phone, by ``user``."""

    class Meta:
        model = core.PersonalDataView
        exclude = ("subject",)

    user = factory.SubFactory(UserFactory)
    subject = factory.SubFactory("tests.factories.PersonFactory")
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.subject))
    object_id = factory.LazyAttribute(lambda o: str(o.subject.pk))
    field_name = "phone"
    reason = "核实身份信息"


class CalendarOverrideFactory(DjangoModelFactory):
    class Meta:
        model = core.CalendarOverride

    date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=n))
    working = False
    note = "测试"


class WorkerBeatFactory(DjangoModelFactory):
    class Meta:
        model = core.WorkerBeat

    worker_id = factory.Sequence(lambda n: f"worker-{n}")
    host = "localhost"
    pid = factory.Sequence(lambda n: 1000 + n)
    started_at = factory.LazyFunction(timezone.now)
    beat_at = factory.LazyFunction(timezone.now)


class UserPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = core.UserPreference

    user = factory.SubFactory(UserFactory)
    elder_mode = True


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = core.Participation

    way = core.Participation.Way.DEMAND
    participant = factory.Sequence(lambda n: f"u:{n + 1}")
    area_path = "0001"
    at = factory.LazyFunction(timezone.now)


class ParticipationDayFactory(DjangoModelFactory):
    class Meta:
        model = core.ParticipationDay

    participant = factory.Sequence(lambda n: f"u:{n + 1}")
    prefix = "0001"
    way = core.ParticipationDay.ANY_WAY
    day = factory.LazyFunction(lambda: timezone.localdate().toordinal())
    prev_day = 0


class BoundaryRevisionFactory(DjangoModelFactory):
    class Meta:
        model = BoundaryRevision

    revision = 1
    token = factory.Sequence(lambda n: f"{n:032x}")


class AreaImportFactory(DjangoModelFactory):
    class Meta:
        model = AreaImport

    created_by = factory.SubFactory(UserFactory)
    file = "area_imports/x.geojson"
    original_name = "x.geojson"


# ---------------------------------------------------------------------- people


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"人员{n}")
    category = Person.Category.MICRO_GRID_WORKER
    force_type = Person.ForceType.PART_TIME


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(PersonFactory)
    area = factory.LazyAttribute(lambda o: o.person.area)
    role = Assignment.Role.MEMBER
    started_on = dt.date(2026, 1, 1)


class RosterImportFactory(DjangoModelFactory):
    class Meta:
        model = RosterImport

    created_by = factory.SubFactory(UserFactory)
    original_name = "roster.xlsx"


# ---------------------------------------------------------------------- events


class CategoryFactory(DjangoModelFactory):
    """A class of categories (大类); ``SubcategoryFactory`` makes the leaves events carry."""

    class Meta:
        model = ev.Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试类别{n}")


class SubcategoryFactory(CategoryFactory):
    parent = factory.SubFactory(CategoryFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 100:02d}")
    deadline_value = 4
    deadline_unit = ev.DeadlineUnit.HOURS
    grid_can_solve = True


class EmergencyPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ev.EmergencyPeriod

    area = factory.SubFactory(AreaFactory)
    reason = "暴雨"
    started_at = factory.LazyFunction(timezone.now)


class EventFactory(DjangoModelFactory):
    """An event row as reported, at its area's centroid (``services.report_event`` is
    the way a test reports one through the workflow; this writes the row only)."""

    class Meta:
        model = ev.Event

    category = factory.SubFactory(SubcategoryFactory)
    source = ev.Event.Source.RESIDENT
    description = "小区门口垃圾堆放两天无人清运"
    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    lng = factory.LazyAttribute(lambda o: o.area.centroid_lng)
    lat = factory.LazyAttribute(lambda o: o.area.centroid_lat)
    owner_area = factory.LazyAttribute(lambda o: o.area)
    owner_path = factory.LazyAttribute(lambda o: o.owner_area.path)
    submitted_by = factory.SubFactory(UserFactory)
    reporter = factory.LazyAttribute(lambda o: o.submitted_by)
    created_at = factory.LazyFunction(timezone.now)


class EventTransitionFactory(DjangoModelFactory):
    class Meta:
        model = ev.EventTransition

    event = factory.SubFactory(EventFactory)
    action = "register"
    from_state = ev.Event.State.REPORTED
    to_state = ev.Event.State.REGISTERED
    actor = factory.LazyAttribute(lambda o: o.event.submitted_by)
    at = factory.LazyFunction(timezone.now)


class EventPhotoFactory(DjangoModelFactory):
    class Meta:
        model = ev.EventPhoto

    event = factory.SubFactory(EventFactory)
    stage = ev.EventPhoto.Stage.REPORT
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")


class HeldPhotoFactory(DjangoModelFactory):
    class Meta:
        model = ev.HeldPhoto

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"form-{n}")
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")


class EventFollowerFactory(DjangoModelFactory):
    class Meta:
        model = ev.EventFollower

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    kind = ev.EventFollower.Kind.ME_TOO


class WhistleFactory(DjangoModelFactory):
    class Meta:
        model = ev.Whistle

    event = factory.SubFactory(EventFactory)
    area = factory.LazyAttribute(lambda o: o.event.area)
    blown_by = factory.SubFactory(UserFactory)
    reason = "需要部门协同"
    blown_at = factory.LazyFunction(timezone.now)


class WhistleSummonsFactory(DjangoModelFactory):
    class Meta:
        model = ev.WhistleSummons

    whistle = factory.SubFactory(WhistleFactory)
    department = factory.SubFactory(
        DepartmentFactory,
        district=factory.LazyAttribute(
            lambda o: Area.objects.get(path=o.factory_parent.whistle.area.path[: Area.steplen])
        ),
    )
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=2))


class SlaNoticeFactory(DjangoModelFactory):
    class Meta:
        model = ev.SlaNotice

    event = factory.SubFactory(EventFactory)
    kind = ev.SlaNotice.Kind.DUE_SOON
    deadline_at = factory.LazyFunction(timezone.now)


# ------------------------------------------------------------------ the ledger


def _district_of(area: Area) -> Area:
    return Area.objects.get(path=area.path[: Area.steplen])


class AccountFactory(DjangoModelFactory):
    """A person's (empty) account in one bucket."""

    class Meta:
        model = pts.Account
        django_get_or_create = ("user", "kind", "bucket")

    kind = pts.Account.Kind.PERSON
    bucket = pts.Bucket.ROUTINE
    user = factory.SubFactory(UserFactory)


class TransferFactory(DjangoModelFactory):
    """An award of ``quantity`` pieces of ``kind`` work, through ``services.award_piece``:
    balanced, with its entries and the person's balance, like every real transfer."""

    class Meta:
        model = pts.Transfer

    user = factory.SubFactory(UserFactory)
    area = factory.SubFactory(AreaFactory)
    kind = pts.RuleKind.VOLUNTEER_HOUR
    cause_type = pts.CauseType.ACTIVITY
    cause_id = factory.Sequence(lambda n: f"factory-{n}")
    quantity = 1

    @classmethod
    def _create(cls, model_class, *args, **kw):
        from shezhi.incentives import services

        return services.award_piece(**kw)


class EntryFactory(DjangoModelFactory):
    """A bare ledger leg, NOT balanced: for tests of the ledger's own checks only
    (``TransferFactory`` writes balanced legs)."""

    class Meta:
        model = pts.Entry

    transfer = factory.SubFactory(TransferFactory)
    account = factory.SubFactory(
        AccountFactory,
        kind=pts.Account.Kind.ISSUING,
        user=None,
        district=factory.LazyAttribute(lambda o: o.factory_parent.transfer.district),
    )
    amount = 1


class PieceRateRuleFactory(DjangoModelFactory):
    class Meta:
        model = pts.PieceRateRule
        django_get_or_create = ("district", "kind")

    district = factory.SubFactory(AreaFactory)
    kind = pts.RuleKind.VOLUNTEER_HOUR
    bucket = pts.Bucket.ROUTINE
    points = 2


class RewardFactory(DjangoModelFactory):
    class Meta:
        model = pts.Reward

    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    name = "洗衣液"
    kind = pts.Reward.Kind.GOODS
    cost = 20
    stock = 5


class RedemptionFactory(DjangoModelFactory):
    """A redemption through ``services.redeem``, the points first earned for it
    (volunteer hours in the reward's area, 10 points each by default)."""

    class Meta:
        model = pts.Redemption

    reward = factory.SubFactory(RewardFactory)
    user = factory.SubFactory(UserFactory)
    quantity = 1

    @classmethod
    def _create(cls, model_class, *args, reward, user, quantity):
        from shezhi.incentives import services

        hours = -(-reward.cost * quantity // 10)
        TransferFactory(user=user, area=reward.area, quantity=hours)
        return services.redeem(user=user, reward=reward, quantity=quantity)


# -------------------------------------------------------------- notifications


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "test"
    title = "测试通知"
    created_at = factory.LazyFunction(timezone.now)


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = Delivery

    notification = factory.SubFactory(NotificationFactory)
    channel = "sms"
    status = Delivery.Status.SENT
    attempts = 1


# ------------------------------------------------------ places and volunteering


class ServicePostFactory(DjangoModelFactory):
    class Meta:
        model = ServicePost

    name = factory.Sequence(lambda n: f"服务站{n}")
    type = ServicePost.Type.PARTY_SERVICE
    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    lng = factory.LazyAttribute(lambda o: o.area.centroid_lng)
    lat = factory.LazyAttribute(lambda o: o.area.centroid_lat)


class ServicePostPhotoFactory(DjangoModelFactory):
    class Meta:
        model = ServicePostPhoto

    post = factory.SubFactory(ServicePostFactory)
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")


class ServiceHubFactory(DjangoModelFactory):
    """A community hub of a new community, or a compound hub when given ``compound``."""

    class Meta:
        model = ServiceHub

    name = factory.Sequence(lambda n: f"社治码头{n}")
    tier = factory.LazyAttribute(lambda o: "compound" if o.compound else o.area.level)
    compound = None
    area = factory.LazyAttribute(
        lambda o: (
            o.compound.community
            if o.compound
            else AreaFactory(parent=AreaFactory(parent=AreaFactory()))
        )
    )
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    lng = factory.LazyAttribute(lambda o: o.area.centroid_lng)
    lat = factory.LazyAttribute(lambda o: o.area.centroid_lat)


class HubDutyFactory(DjangoModelFactory):
    class Meta:
        model = HubDuty

    hub = factory.SubFactory(ServiceHubFactory)
    person = factory.LazyAttribute(lambda o: PersonFactory(area=o.hub.area))
    days = factory.LazyFunction(lambda: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    duty = "值班社工"


class VolunteerActivityFactory(DjangoModelFactory):
    """A published activity two days ahead at its post (the row only)."""

    class Meta:
        model = VolunteerActivity

    post = factory.SubFactory(ServicePostFactory)
    title = factory.Sequence(lambda n: f"活动{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    slots = 5
    area = factory.LazyAttribute(lambda o: o.post.area)
    area_path = factory.LazyAttribute(lambda o: o.post.area_path)


class SignupFactory(DjangoModelFactory):
    """A sign-up row (``services.sign_up`` also counts it on the activity)."""

    class Meta:
        model = Signup

    activity = factory.SubFactory(VolunteerActivityFactory)
    user = factory.SubFactory(UserFactory)
    signed_up_at = factory.LazyFunction(timezone.now)


# ----------------------------------------------------------------------- stats


class EventFactFactory(DjangoModelFactory):
    class Meta:
        model = st.EventFact

    event = factory.SubFactory(EventFactory)
    area_path = factory.LazyAttribute(lambda o: o.event.area_path)
    rollup_path = factory.LazyAttribute(lambda o: o.event.area_path)
    category = factory.LazyAttribute(lambda o: o.event.category)
    reported_on = factory.LazyAttribute(lambda o: timezone.localdate(o.event.created_at))


class DailyRollupFactory(DjangoModelFactory):
    class Meta:
        model = st.DailyRollup

    path = factory.Sequence(lambda n: f"{n:04d}")
    day = dt.date(2026, 3, 2)


class CategoryRollupFactory(DjangoModelFactory):
    class Meta:
        model = st.CategoryRollup

    path = factory.Sequence(lambda n: f"{n:04d}")
    day = dt.date(2026, 3, 2)
    category = factory.SubFactory(SubcategoryFactory)
    reported = 1


class StatsVersionFactory(DjangoModelFactory):
    class Meta:
        model = st.StatsVersion

    version = 1
    token = factory.Sequence(lambda n: f"{n:032x}")


class ReportingPeriodFactory(DjangoModelFactory):
    class Meta:
        model = st.ReportingPeriod

    area = factory.SubFactory(AreaFactory)
    label = factory.Sequence(lambda n: f"考核年度{n}")
    start = dt.date(2026, 1, 1)
    last = dt.date(2026, 12, 31)


# --------------------------------------------------------------------- demands


class DemandGroupFactory(DjangoModelFactory):
    """An open group of a community (the territory's first, made when none is given)."""

    class Meta:
        model = dm.DemandGroup

    area = factory.LazyFunction(
        lambda: Area.objects.filter(level=c.COMMUNITY).first() or AreaFactory(code="510199001001")
    )
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    kind = "parking"
    title = "停车位太少"


class DemandFactory(DjangoModelFactory):
    """A resident's demand in its group's community (rows only: grouping is the service's)."""

    class Meta:
        model = dm.Demand

    group = factory.SubFactory(DemandGroupFactory)
    area = factory.LazyAttribute(lambda o: o.group.area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    kind = factory.LazyAttribute(lambda o: o.group.kind)
    text = "小区停车位太少，晚上回来没地方停车"
    source = "resident"
    submitter = factory.SubFactory(UserFactory)
    status = "grouped"


# Every concrete model of the project → its factory (tests/test_factories.py).
FACTORIES = {
    f._meta.model: f
    for f in (
        AreaFactory,
        BoundaryRevisionFactory,
        AreaImportFactory,
        RoleFactory,
        ApiTokenFactory,
        PersonalDataViewFactory,
        CalendarOverrideFactory,
        WorkerBeatFactory,
        UserPreferenceFactory,
        ParticipationFactory,
        ParticipationDayFactory,
        DepartmentFactory,
        PersonFactory,
        AssignmentFactory,
        RosterImportFactory,
        SubcategoryFactory,
        EmergencyPeriodFactory,
        EventFactory,
        EventTransitionFactory,
        EventPhotoFactory,
        HeldPhotoFactory,
        EventFollowerFactory,
        WhistleFactory,
        WhistleSummonsFactory,
        SlaNoticeFactory,
        AccountFactory,
        TransferFactory,
        EntryFactory,
        PieceRateRuleFactory,
        RewardFactory,
        RedemptionFactory,
        NotificationFactory,
        DeliveryFactory,
        ServicePostFactory,
        ServicePostPhotoFactory,
        ServiceHubFactory,
        HubDutyFactory,
        VolunteerActivityFactory,
        SignupFactory,
        EventFactFactory,
        DailyRollupFactory,
        CategoryRollupFactory,
        StatsVersionFactory,
        ReportingPeriodFactory,
        DemandGroupFactory,
        DemandFactory,
    )
}


# ------------------------------------------------------- the short, older names


def make_area(
    parent: Area | None,
    code: str,
    name: str,
    geometry: dict,
    *,
    kind: str = "",
    dedicated_type: str = "",
) -> Area:
    return AreaFactory(
        parent=parent, code=code, name=name, boundary=geometry, kind=kind,
        dedicated_type=dedicated_type,
    )  # fmt: skip


# The territory the page and API tests share, as (key, code, name, bounds, kind, type).
TERRITORY_SPEC = [
    ("district", "510113", "测试区", (104.0, 30.6, 104.4, 30.8), "", ""),
    ("street1", "510113001", "东风街道", (104.0, 30.6, 104.2, 30.8), "", ""),
    ("street2", "510113002", "西湖街道", (104.2, 30.6, 104.4, 30.8), "", ""),
    ("community", "510113001001", "凤凰社区", (104.0, 30.6, 104.1, 30.8), "", ""),
    ("community2", "510113001002", "同心村", (104.1, 30.6, 104.2, 30.8), "", ""),
    ("grid", "510113001001001", "凤凰社区第1网格", (104.0, 30.6, 104.1, 30.7), "", ""),
    ("grid2", "510113001001002", "凤凰社区第2网格", (104.0, 30.7, 104.1, 30.8), "", ""),
    ("micro1", "510113001001001001", "第1微网格", (104.0, 30.6, 104.05, 30.7), "general", ""),
    ("micro2", "510113001001001002", "第2微网格", (104.05, 30.6, 104.1, 30.7), "general", ""),
    (
        "school",
        "510113001001001501",
        "实验小学",
        (104.045, 30.65, 104.055, 30.66),
        "dedicated",
        "school",
    ),
]


def build_territory() -> dict[str, Area]:
    """Two districts; the first (``TERRITORY_SPEC``) nested down to micro-grids.

    District 510113 (测试区) spans lng 104.00–104.40, lat 30.60–30.80:
    streets 001 (west half) and 002 (east half); community 001001 is the west
    half of street 001; grid ...001 is its south half; micro-grids 001 and 002
    split that grid west/east; a dedicated school 501 sits across their border.
    District 510114 (邻区) is a separate square to the east.
    """
    by_code: dict[str, Area] = {}
    keyed: dict[str, Area] = {}
    spec = [
        *TERRITORY_SPEC,
        ("other_district", "510114", "邻区", (104.5, 30.6, 104.9, 30.8), "", ""),
    ]
    for key, code, name, bounds, kind, dtype in spec:
        parent = by_code.get(code[:-3]) if len(code) > 6 else None
        if parent is not None:
            parent.refresh_from_db()
        by_code[code] = keyed[key] = AreaFactory(
            parent=parent, code=code, name=name, bounds=bounds, kind=kind, dedicated_type=dtype
        )
    return {key: Area.objects.get(pk=area.pk) for key, area in keyed.items()}


def make_user(username: str, *, role: str | None = None, area: Area | None = None, **extra):
    """A user, holding ``role`` over ``area`` when both are given."""
    user = UserFactory(username=username, **extra)
    if role and area:
        RoleFactory(user=user, role=role, area=area)
    return user


def territory_features():
    from shezhi.areas.features import AreaFeature

    return [
        AreaFeature(
            code=code,
            name=name,
            level=c.level_for_code(code),
            parent_code=code[:-3] if len(code) > 6 else None,
            geometry=square(*bounds),
            kind=kind,
            dedicated_type=dtype,
            location=f"feature #{i + 1}",
        )
        for i, (_key, code, name, bounds, kind, dtype) in enumerate(TERRITORY_SPEC)
    ]


def feature_collection(features) -> dict:
    return {"type": "FeatureCollection", "features": [f.to_geojson() for f in features]}


# ------------------------------------------------------------- the one cast


class Cast:
    """The one cast of actors over ``build_territory()``, each made on first use.

    ``SPEC`` says once who each actor is: a role held over one area of the
    territory. Suites that name their users differently (their tests assert on
    the names) ``rename`` them before first use; ``ALIASES`` keeps the other
    attribute names some suites use. ``cast.assemble(*attrs)`` makes the listed actors now,
    in that order (so ids follow that order), for suites whose tests rely on the
    users existing (who a notice goes to, who ranks first on a tie).
    """

    # attribute: (username, role, territory key, user fields)
    SPEC: dict[str, tuple[str, str | None, str | None, dict]] = {
        "root": ("root", None, None, {"is_superuser": True, "is_staff": True}),
        "resident": ("resident", "resident", "micro1", {}),
        "resident2": ("resident2", "resident", "micro2", {}),
        "outsider_resident": ("outsider_resident", "resident", "other_district", {}),
        "mg_worker": ("mg_worker", "micro_grid_worker", "micro1", {}),
        "mg_worker2": ("mg_worker2", "micro_grid_worker", "micro2", {}),
        # The responsible person of a service post in micro1 (volunteering).
        "post_keeper": ("post_keeper", "micro_grid_worker", "micro1", {}),
        "grid_worker": ("grid_worker", "grid_worker", "grid", {}),
        "community": ("community_staff", "community_staff", "community", {}),
        "community2": ("community2_staff", "community_staff", "community2", {}),
        "street": ("street_staff", "street_staff", "street1", {}),
        "other_street": ("other_street", "street_staff", "street2", {}),
        "district": ("district_admin", "district_admin", "district", {}),
        "other_district": ("other_district", "district_admin", "other_district", {}),
        # Department staff of 城管 (cg) and 住建 (zj), the district's departments.
        "dept_cg": ("dept_cg", "department_staff", "district", {"department": "cg"}),
        "dept_zj": ("dept_zj", "department_staff", "district", {"department": "zj"}),
        # The read-only viewer of an alliance over the district (aggregates only).
        "alliance": ("alliance", "alliance_viewer", "district", {}),
        "nobody": ("nobody", None, None, {}),
    }
    DEPARTMENTS = {"cg": "区城市管理局", "zj": "区住房和城乡建设局"}
    ALIASES = {"worker": "mg_worker", "worker2": "mg_worker2", "responsible": "post_keeper"}

    def __init__(self, territory: dict[str, Area], names: dict[str, str] | None = None):
        self._territory = territory
        self._names = dict(names or {})
        self._fields: dict[str, dict] = {}
        self._made: dict[str, object] = {}

    def rename(self, **names: str) -> Cast:
        """Give actors other usernames (and ``dress`` them: other user fields), before
        they are made."""
        for attr, username in names.items():
            attr = self.ALIASES.get(attr, attr)
            made = self._made.get(attr)
            if made is not None and made.username != username:
                raise ValueError(f"{attr} is already {made.username}: rename before first use")
            self._names[attr] = username
        return self

    def dress(self, attr: str, **fields) -> Cast:
        if attr in self._made:
            raise ValueError(f"{attr} is already made: dress before first use")
        self._fields[attr] = fields
        return self

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(attr)
        attr = self.ALIASES.get(attr, attr)
        if attr not in self.SPEC and attr not in self.DEPARTMENTS:
            raise AttributeError(attr)
        if attr not in self._made:
            made = self.department(attr) if attr in self.DEPARTMENTS else self._make(attr)
            self._made[attr] = made
        return self._made[attr]

    def department(self, code: str) -> Department:
        """The district's department ``cg`` (城管) or ``zj`` (住建)."""
        return DepartmentFactory(
            district=self._territory["district"], code=code, name=self.DEPARTMENTS[code]
        )

    def _make(self, attr: str):
        username, role, where, fields = self.SPEC[attr]
        fields = {**fields, **self._fields.get(attr, {})}
        department = fields.pop("department", None)
        user = UserFactory(username=self._names.get(attr, username), **fields)
        if role:
            RoleFactory(
                user=user,
                role=role,
                area=self._territory[where],
                department=self.department(department) if department else None,
            )
        return user

    def assemble(self, *attrs: str) -> Cast:
        for attr in attrs:
            getattr(self, attr)
        return self


# ------------------------------------------------------------------ households


class CompoundFactory(DjangoModelFactory):
    """A compound of a new community (district → street → community)."""

    class Meta:
        model = hh.Compound

    name = factory.Sequence(lambda n: f"小区{n}")
    community = factory.SubFactory(
        AreaFactory, parent=factory.SubFactory(AreaFactory, parent=factory.SubFactory(AreaFactory))
    )
    area_path = factory.LazyAttribute(lambda o: o.community.path)


def _micro_grid_in(community: Area) -> Area:
    return AreaFactory(parent=AreaFactory(parent=community))


class BuildingFactory(DjangoModelFactory):
    """A building at the centre of a new micro-grid of its compound's community (the row
    only: ``services.create_building`` locates a real point)."""

    class Meta:
        model = hh.Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: f"{n % 100 + 1}")
    micro_grid = factory.LazyAttribute(lambda o: _micro_grid_in(o.compound.community))
    area_path = factory.LazyAttribute(lambda o: o.micro_grid.path)
    lng = factory.LazyAttribute(lambda o: o.micro_grid.centroid_lng)
    lat = factory.LazyAttribute(lambda o: o.micro_grid.centroid_lat)
    floors = 6
    units = 2


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = hh.Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1"
    room = factory.Sequence(lambda n: f"{n % 6 + 1}{n % 100:02d}")
    kind = hh.Household.Kind.OWNER_OCCUPIED
    micro_grid = factory.LazyAttribute(lambda o: o.building.micro_grid)
    area_path = factory.LazyAttribute(lambda o: o.building.area_path)


class ResidentFactory(DjangoModelFactory):
    """A resident row without personal data (``services.create_resident`` validates and
    encrypts an ID number and a phone)."""

    class Meta:
        model = hh.Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    relation = hh.Resident.Relation.OTHER
    residence = hh.Resident.Residence.REGISTERED


class ResidentMoveFactory(DjangoModelFactory):
    class Meta:
        model = hh.ResidentMove

    resident = factory.SubFactory(ResidentFactory)
    from_household = factory.LazyAttribute(lambda o: o.resident.household)
    to_household = factory.LazyAttribute(
        lambda o: HouseholdFactory(building=o.resident.household.building)
    )
    from_path = factory.LazyAttribute(lambda o: o.from_household.area_path)
    to_path = factory.LazyAttribute(lambda o: o.to_household.area_path)
    from_label = factory.LazyAttribute(lambda o: str(o.from_household))
    to_label = factory.LazyAttribute(lambda o: str(o.to_household))
    moved_on = dt.date(2026, 3, 1)


class TagCountFactory(DjangoModelFactory):
    class Meta:
        model = hh.TagCount

    micro_grid = factory.LazyFunction(lambda: BuildingFactory().micro_grid)
    area_path = factory.LazyAttribute(lambda o: o.micro_grid.path)
    tag = "lives_alone"
    count = 1


class HouseholdImportFactory(DjangoModelFactory):
    class Meta:
        model = hh.HouseholdImport

    created_by = factory.SubFactory(UserFactory)
    original_name = "households.xlsx"


FACTORIES.update(
    {
        f._meta.model: f
        for f in (
            CompoundFactory,
            BuildingFactory,
            HouseholdImportFactory,
            HouseholdFactory,
            ResidentFactory,
            ResidentMoveFactory,
            TagCountFactory,
        )
    }
)


# ---------------------------------------------------------------------------
# Residents' own sign-ins (issue 15 §5)

from shezhi.accounts import models as acc  # noqa: E402
from shezhi.core import personal_data as _pd  # noqa: E402


class PhoneAccountFactory(DjangoModelFactory):
    class Meta:
        model = acc.PhoneAccount

    user = factory.SubFactory(UserFactory)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    phone_index = factory.LazyAttribute(lambda o: _pd.blind_index("phone", o.phone))
    phone_last4 = factory.LazyAttribute(lambda o: o.phone[-4:])


class OneTimeCodeFactory(DjangoModelFactory):
    """A code row; its hash is of "000000" (services make real ones)."""

    class Meta:
        model = acc.OneTimeCode

    phone_index = factory.Sequence(lambda n: _pd.blind_index("phone", f"137{n:08d}"))
    code_hash = factory.LazyAttribute(
        lambda o: _pd.keyed_token("one-time-code", f"{o.phone_index}:000000")
    )
    client_hash = factory.LazyFunction(lambda: _pd.keyed_token("one-time-code-client", "x"))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(minutes=5))


class BindingRequestFactory(DjangoModelFactory):
    class Meta:
        model = hh.BindingRequest

    user = factory.SubFactory(UserFactory)
    household = factory.SubFactory(HouseholdFactory)
    area_path = factory.LazyAttribute(lambda o: o.household.area_path)
    name = factory.Sequence(lambda n: f"居民{n}")
    id_last4 = "123X"


FACTORIES.update(
    {f._meta.model: f for f in (PhoneAccountFactory, OneTimeCodeFactory, BindingRequestFactory)}
)


# ------------------------------------------------------ emergency operations

from shezhi.operations import models as ops  # noqa: E402


class OperationFactory(DjangoModelFactory):
    """An operation row on a micro-grid in emergency mode, without its fan-out
    (``operations.services.start_operation`` writes the lines)."""

    class Meta:
        model = ops.Operation

    area = factory.LazyFunction(lambda: BuildingFactory().micro_grid)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    period = factory.LazyAttribute(lambda o: EmergencyPeriodFactory(area=o.area))
    kind = ops.Kind.FLOOD
    title = factory.Sequence(lambda n: f"防汛扫楼{n}")
    started_at = factory.LazyFunction(timezone.now)
    started_by = factory.SubFactory(UserFactory)


class CheckLineFactory(DjangoModelFactory):
    class Meta:
        model = ops.CheckLine

    operation = factory.SubFactory(OperationFactory)
    household = factory.LazyAttribute(
        lambda o: HouseholdFactory(
            building__micro_grid=o.operation.area, building__area_path=o.operation.area_path
        )
    )
    micro_grid = factory.LazyAttribute(lambda o: o.household.micro_grid)
    area_path = factory.LazyAttribute(lambda o: o.household.area_path)


class GridTallyFactory(DjangoModelFactory):
    class Meta:
        model = ops.GridTally

    operation = factory.SubFactory(OperationFactory)
    micro_grid = factory.LazyAttribute(lambda o: o.operation.area)
    area_path = factory.LazyAttribute(lambda o: o.operation.area_path)
    households = 1


class RollCallFactory(DjangoModelFactory):
    class Meta:
        model = ops.RollCall

    operation = factory.SubFactory(OperationFactory)
    user = factory.SubFactory(UserFactory)
    area_path = factory.LazyAttribute(lambda o: o.operation.area_path)
    status = ops.RollCall.Status.ON_DUTY
    lng = 104.02
    lat = 30.62
    reported_at = factory.LazyFunction(timezone.now)


class DistributionFactory(DjangoModelFactory):
    class Meta:
        model = ops.Distribution

    line = factory.SubFactory(CheckLineFactory)
    operation = factory.LazyAttribute(lambda o: o.line.operation)
    area_path = factory.LazyAttribute(lambda o: o.line.area_path)
    item = "安居包"
    quantity = 1
    signed_by = "张三"
    handed_by = factory.SubFactory(UserFactory)
    handed_at = factory.LazyFunction(timezone.now)
    request_key = factory.Sequence(lambda n: f"key-{n}")


FACTORIES.update(
    {
        f._meta.model: f
        for f in (
            OperationFactory,
            CheckLineFactory,
            GridTallyFactory,
            RollCallFactory,
            DistributionFactory,
        )
    }
)
# ------------------------------------------------------------------ visits


class VisitFactory(DjangoModelFactory):
    """A visit row (``visits.services.record_visit`` checks and pays; this only writes)."""

    class Meta:
        model = vs.Visit

    household = factory.SubFactory(HouseholdFactory)
    worker = factory.SubFactory(UserFactory)
    at = factory.LazyFunction(timezone.now)
    outcome = vs.Visit.Outcome.NOBODY_HOME
    area = factory.LazyAttribute(lambda o: o.household.micro_grid)
    area_path = factory.LazyAttribute(lambda o: o.household.area_path)
    lng = factory.LazyAttribute(lambda o: o.household.building.lng)
    lat = factory.LazyAttribute(lambda o: o.household.building.lat)


class VisitPhotoFactory(DjangoModelFactory):
    class Meta:
        model = vs.VisitPhoto

    visit = factory.SubFactory(VisitFactory)
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")


class TagProposalFactory(DjangoModelFactory):
    class Meta:
        model = vs.TagProposal

    visit = factory.SubFactory(VisitFactory)
    resident = factory.LazyAttribute(lambda o: ResidentFactory(household=o.visit.household))
    tag = "lives_alone"


FACTORIES.update({f._meta.model: f for f in (VisitFactory, VisitPhotoFactory, TagProposalFactory)})
# ------------------------------------------------------------------ the three lists

from shezhi.lists import models as lm  # noqa: E402


class NeedsListFactory(DjangoModelFactory):
    """A draft needs list of a community (the territory's first, made when none is given)."""

    class Meta:
        model = lm.NeedsList

    area = factory.LazyFunction(
        lambda: Area.objects.filter(level=c.COMMUNITY).first() or AreaFactory(code="510199001001")
    )
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    edition = factory.Sequence(lambda n: f"2026年第{n + 1}期")
    title = "凤凰社区需求清单"
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2026, 6, 30)
    created_by = factory.SubFactory(UserFactory)


class NeedItemFactory(DjangoModelFactory):
    """A published item of a list (rows only: curation is the service's)."""

    class Meta:
        model = lm.NeedItem

    needs_list = factory.SubFactory(NeedsListFactory)
    area = factory.LazyAttribute(lambda o: o.needs_list.area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    kind = "elderly_care"
    title = "老年助餐点"
    created_by = factory.SubFactory(UserFactory)


class NeedItemStepFactory(DjangoModelFactory):
    class Meta:
        model = lm.NeedItemStep

    item = factory.SubFactory(NeedItemFactory)
    to_status = "published"
    actor = factory.SubFactory(UserFactory)


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = lm.Resource

    provider_kind = "volunteer_team"
    provider_name = "凤凰志愿服务队"
    offer_kind = "elderly_care"
    title = "助老送餐"
    capacity = 30
    capacity_unit = "人次"
    area = factory.LazyFunction(
        lambda: Area.objects.filter(level=c.COMMUNITY).first() or AreaFactory(code="510199001001")
    )
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    created_by = factory.SubFactory(UserFactory)


class ListProjectFactory(DjangoModelFactory):
    class Meta:
        model = lm.ListProject

    item = factory.SubFactory(NeedItemFactory, status="claimed")
    resource = factory.SubFactory(ResourceFactory)
    owner = factory.SubFactory(UserFactory)
    plan = "每周二、四中午送餐"
    starts_on = dt.date(2026, 3, 1)
    ends_on = dt.date(2026, 5, 31)
    created_by = factory.SubFactory(UserFactory)


class RatingFactory(DjangoModelFactory):
    class Meta:
        model = lm.Rating

    item = factory.SubFactory(NeedItemFactory, status="evaluated")
    user = factory.SubFactory(UserFactory)
    score = 5


# ---------------------------------------------------- self-governance organisations

from shezhi.organisations import models as og  # noqa: E402


class OrganisationFactory(DjangoModelFactory):
    """An organisation of a community (the territory's first, made when none is given)."""

    class Meta:
        model = og.Organisation

    kind = og.Kind.VOLUNTEER_TEAM
    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    area = factory.LazyFunction(
        lambda: Area.objects.filter(level=c.COMMUNITY).first() or AreaFactory(code="510198001001")
    )
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    stage = og.Stage.SPROUT
    stage_since = dt.date(2026, 1, 1)
    founded_on = dt.date(2026, 1, 1)


class OrgMemberFactory(DjangoModelFactory):
    class Meta:
        model = og.Member

    organisation = factory.SubFactory(OrganisationFactory)
    resident = factory.SubFactory(ResidentFactory)
    joined_on = dt.date(2026, 1, 2)


class StageMoveFactory(DjangoModelFactory):
    class Meta:
        model = og.StageMove

    organisation = factory.SubFactory(OrganisationFactory)
    to_stage = og.Stage.SPROUT
    on = dt.date(2026, 1, 1)
    area_path = factory.LazyAttribute(lambda o: o.organisation.area_path)


class SupportFactory(DjangoModelFactory):
    class Meta:
        model = og.Support

    organisation = factory.SubFactory(OrganisationFactory)
    kind = og.Support.Kind.MONEY
    on = dt.date(2026, 2, 1)
    amount_fen = 200_000


class ActivityHeldFactory(DjangoModelFactory):
    class Meta:
        model = og.ActivityHeld

    organisation = factory.SubFactory(OrganisationFactory)
    activity = factory.SubFactory(VolunteerActivityFactory)


class DemandTakenFactory(DjangoModelFactory):
    class Meta:
        model = og.DemandTaken

    organisation = factory.SubFactory(OrganisationFactory)
    group = factory.SubFactory(DemandGroupFactory)
    taken_on = dt.date(2026, 2, 1)


FACTORIES.update(
    {
        f._meta.model: f
        for f in (
            NeedsListFactory,
            NeedItemFactory,
            NeedItemStepFactory,
            ResourceFactory,
            ListProjectFactory,
            RatingFactory,
            OrganisationFactory,
            OrgMemberFactory,
            StageMoveFactory,
            SupportFactory,
            ActivityHeldFactory,
            DemandTakenFactory,
        )
    }
)


# ------------------------------------------------------- search, demand photos, cases

from shezhi.cases import models as cs  # noqa: E402
from shezhi.core.search import models as srch  # noqa: E402


class SearchDocumentFactory(DjangoModelFactory):
    """A row of the search index (the database keeps its full-text index in step)."""

    class Meta:
        model = srch.SearchDocument

    doc_type = "case"
    object_id = factory.Sequence(lambda n: str(n + 1))
    area_path = factory.LazyAttribute(lambda o: AreaFactory().path)
    title = "加装电梯的经验"
    body = "老旧小区加装电梯，居民协商出资。"
    title_terms = "加装 电梯 的 经验"
    body_terms = "老旧 小区 加装 电梯 居民 协商 出资"
    lead_terms = "老旧 小区 加装 电梯"
    published = True


class DemandPhotoFactory(DjangoModelFactory):
    class Meta:
        model = dm.DemandPhoto

    demand = factory.SubFactory(DemandFactory)
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")


class CaseFactory(DjangoModelFactory):
    """A draft case study of an area, written from no source."""

    class Meta:
        model = cs.Case

    title = factory.Sequence(lambda n: f"典型案例{n}")
    summary = "老旧小区加装电梯"
    tags = " 加装电梯 "
    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    created_by = factory.SubFactory(UserFactory)


class CasePhotoFactory(DjangoModelFactory):
    class Meta:
        model = cs.CasePhoto

    case = factory.SubFactory(CaseFactory)
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")
    caption = "电梯落成"


# ------------------------------------------------------------------ campaigns

from shezhi.campaigns import models as cp  # noqa: E402


class CampaignFactory(DjangoModelFactory):
    """A campaign of an area at its first stage (rows only: moves are the service's)."""

    class Meta:
        model = cp.Campaign

    name = factory.Sequence(lambda n: f"社治专列{n}")
    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    starts_on = dt.date(2026, 3, 1)
    ends_on = dt.date(2026, 6, 30)
    stage = cp.Stage.COLLECT
    created_by = factory.SubFactory(UserFactory)


class CampaignStageMoveFactory(DjangoModelFactory):
    class Meta:
        model = cp.StageMove

    campaign = factory.SubFactory(CampaignFactory)
    stage = cp.Stage.COLLECT
    at = factory.LazyFunction(timezone.now)
    by = factory.LazyAttribute(lambda o: o.campaign.created_by)


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = cp.Round

    campaign = factory.SubFactory(CampaignFactory)
    title = "小红帽入户第一轮"
    area = factory.LazyAttribute(lambda o: o.campaign.area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    day = dt.date(2026, 3, 7)


class RoundVisitFactory(DjangoModelFactory):
    class Meta:
        model = cp.RoundVisit

    round = factory.SubFactory(RoundFactory)
    visit = factory.SubFactory(VisitFactory)


class RoundStopFactory(DjangoModelFactory):
    class Meta:
        model = cp.RoundStop

    round = factory.SubFactory(RoundFactory)
    worker = factory.SubFactory(UserFactory)
    area = factory.LazyAttribute(lambda o: o.round.area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    address = "人民路12号"
    wish = "门口路灯坏了"
    kind = "other"


class BroadcastFactory(DjangoModelFactory):
    class Meta:
        model = cp.Broadcast

    campaign = factory.SubFactory(CampaignFactory)
    area = factory.LazyAttribute(lambda o: o.campaign.area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    title = "小区停车意见征集"
    body = "社区准备改造停车场，请说说您的想法。"
    question = "您希望停车场怎么改？"
    sent_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)


class BroadcastAnswerFactory(DjangoModelFactory):
    class Meta:
        model = cp.BroadcastAnswer

    broadcast = factory.SubFactory(BroadcastFactory)
    user = factory.SubFactory(UserFactory)
    text = "希望增加非机动车棚"
    at = factory.LazyFunction(timezone.now)


class PackageFactory(DjangoModelFactory):
    class Meta:
        model = cp.Package

    campaign = factory.SubFactory(CampaignFactory)
    name = "安居包"
    contents = "燃气报警器、防滑垫"
    area = factory.LazyAttribute(lambda o: o.campaign.area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)


class TakeUpFactory(DjangoModelFactory):
    class Meta:
        model = cp.TakeUp

    package = factory.SubFactory(PackageFactory)
    household = factory.SubFactory(HouseholdFactory)
    answer = cp.TakeUp.Answer.TAKEN
    recorded_by = factory.SubFactory(UserFactory)
    at = factory.LazyFunction(timezone.now)


class ResultFactory(DjangoModelFactory):
    class Meta:
        model = cp.Result

    campaign = factory.SubFactory(CampaignFactory)
    title = "停车难题解决了"
    summary = "新增车位40个"
    figures = factory.LazyFunction(lambda: [{"label": "新增车位", "value": 40}])
    photo = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")
    published_at = factory.LazyFunction(timezone.now)


FACTORIES.update(
    {
        f._meta.model: f
        for f in (
            SearchDocumentFactory,
            DemandPhotoFactory,
            CaseFactory,
            CasePhotoFactory,
            CampaignFactory,
            CampaignStageMoveFactory,
            RoundFactory,
            RoundVisitFactory,
            RoundStopFactory,
            BroadcastFactory,
            BroadcastAnswerFactory,
            PackageFactory,
            TakeUpFactory,
            ResultFactory,
        )
    }
)


# ------------------------------------------------------------ residents' micro-projects

from shezhi.projects import ledger as money  # noqa: E402
from shezhi.projects import models as pj  # noqa: E402


def _community_area() -> Area:
    """A new community (district → street → community), so one-per-area rows never clash."""
    return AreaFactory(parent=AreaFactory(parent=AreaFactory()))


def _boundary(district: Area, kind: str) -> pj.MoneyAccount:
    # Straight get_or_create, not ledger.boundary_account: its per-process id cache would
    # outlive a flushed test database.
    return pj.MoneyAccount.objects.get_or_create(area=district, kind=kind)[0]


def _funded_project_account(project: pj.Project) -> pj.MoneyAccount:
    """The project's account (opened, with its match reserve, when it has none yet)."""
    if project.account_id is None:
        project.account = money.open_holding(pj.MoneyAccount.Kind.PROJECT, project.community)
        project.reserve = money.open_holding(pj.MoneyAccount.Kind.RESERVE, project.community)
        project.stage = pj.Project.Stage.FUNDING
        project.save(update_fields=["account", "reserve", "stage"])
    return project.account


class MoneyAccountFactory(DjangoModelFactory):
    """A community fund's holding account, empty."""

    class Meta:
        model = pj.MoneyAccount

    kind = pj.MoneyAccount.Kind.FUND
    area = factory.LazyFunction(_community_area)
    balance = 0


class MoneyTransferFactory(DjangoModelFactory):
    """An allocation to a fund, written through the ledger (balanced legs, the fund's
    balance moved). Ledger rows are immutable: this factory only creates."""

    class Meta:
        model = pj.MoneyTransfer

    kind = pj.MoneyTransfer.Kind.ALLOCATION
    amount = 100_000
    cause_type = "allocation"
    cause_id = factory.Sequence(lambda n: f"f{n + 1}")
    at = factory.LazyFunction(timezone.now)
    memo = ""
    project = None
    created_by = None

    @classmethod
    def _create(cls, model_class, *args, amount, **kw):
        fund = MoneyAccountFactory()
        allocations = _boundary(_district_of(fund.area), pj.MoneyAccount.Kind.ALLOCATIONS_IN)
        return money.transfer(
            kind=kw["kind"],
            legs=[(fund.pk, amount), (allocations.pk, -amount)],
            holding={fund.pk},
            cause_type=kw["cause_type"],
            cause_id=kw["cause_id"],
            at=kw["at"],
            project=kw["project"],
            actor=kw["created_by"],
            memo=kw["memo"],
        )


class MoneyEntryFactory(DjangoModelFactory):
    """One leg (the fund's, +) of a balanced allocation: entries only come in transfers."""

    class Meta:
        model = pj.MoneyEntry

    @classmethod
    def _create(cls, model_class, *args, **kw):
        return MoneyTransferFactory(**kw).entries.get(amount__gt=0)


class DistrictProjectRulesFactory(DjangoModelFactory):
    class Meta:
        model = pj.DistrictProjectRules

    district = factory.SubFactory(AreaFactory)
    backing_threshold = 10
    match_ratio_bp = 10_000
    match_cap = 2_000_000
    overfunding_pct = 20


class CommunityFundFactory(DjangoModelFactory):
    """A community's (empty) matching fund on its own holding account."""

    class Meta:
        model = pj.CommunityFund

    community = factory.LazyFunction(_community_area)
    area_path = factory.LazyAttribute(lambda o: o.community.path)
    account = factory.LazyAttribute(lambda o: MoneyAccountFactory(area=o.community))
    name = factory.Sequence(lambda n: f"社区配套资金{n}")


class ProjectFactory(DjangoModelFactory):
    """A proposal of a community collecting backings (no money accounts yet)."""

    class Meta:
        model = pj.Project

    title = factory.Sequence(lambda n: f"楼道照明改造{n}")
    community = factory.LazyFunction(_community_area)
    area = factory.LazyAttribute(lambda o: o.community)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    district = factory.LazyAttribute(lambda o: _district_of(o.community))
    initiator = factory.SubFactory(UserFactory)
    problem = "楼道灯坏了，老人夜里上下楼不方便。"
    plan = "换装声控感应灯。"
    target = 300_000
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    stage = pj.Project.Stage.BACKING
    created_at = factory.LazyFunction(timezone.now)


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = pj.BudgetLine

    project = factory.SubFactory(ProjectFactory)
    kind = pj.BudgetLine.Kind.MATERIALS
    description = "声控感应灯20盏"
    amount = 300_000


class BackingFactory(DjangoModelFactory):
    class Meta:
        model = pj.Backing

    project = factory.SubFactory(ProjectFactory)
    resident = factory.SubFactory(UserFactory)
    at = factory.LazyFunction(timezone.now)


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = pj.Pledge

    project = factory.SubFactory(ProjectFactory)
    resident = factory.SubFactory(UserFactory)
    amount = 10_000
    at = factory.LazyFunction(timezone.now)


class PaymentFactory(DjangoModelFactory):
    """A resident's cash payment, its transfer written through the ledger (the project's
    account opened if needed, ``paid_in`` kept equal to the ledger)."""

    class Meta:
        model = pj.Payment

    project = factory.SubFactory(ProjectFactory)
    payer = factory.SubFactory(UserFactory)
    payer_name = "张三"
    amount = 10_000
    channel = pj.Payment.Channel.CASH
    recorded_by = factory.SubFactory(UserFactory)
    at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kw):
        project = kw["project"]
        if kw.get("transfer") is None:
            account = _funded_project_account(project)
            payments_in = _boundary(project.district, pj.MoneyAccount.Kind.PAYMENTS_IN)
            row = model_class(*args, **kw)
            row.save()
            row.transfer = money.transfer(
                kind=pj.MoneyTransfer.Kind.PAYMENT,
                legs=[(account.pk, row.amount), (payments_in.pk, -row.amount)],
                holding={account.pk},
                cause_type="payment",
                cause_id=str(row.pk),
                at=row.at,
                project=project,
                actor=row.recorded_by,
            )
            row.save(update_fields=["transfer"])
            pj.Project.objects.filter(pk=project.pk).update(paid_in=F("paid_in") + row.amount)
            project.refresh_from_db()
            return row
        return super()._create(model_class, *args, **kw)


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = pj.Milestone

    project = factory.SubFactory(ProjectFactory)
    title = "灯具采购到位"
    due = dt.date(2026, 6, 30)


class ProjectPhotoFactory(DjangoModelFactory):
    class Meta:
        model = pj.ProjectPhoto

    project = factory.SubFactory(ProjectFactory)
    image = factory.django.ImageField(width=40, height=30, format="JPEG", filename="p.jpg")
    at = factory.LazyFunction(timezone.now)


class ExpenseFactory(DjangoModelFactory):
    """An expense paid from the project's money: a payment first covers it, then its
    transfer goes out through the ledger (a project never spends below zero)."""

    class Meta:
        model = pj.Expense

    project = factory.SubFactory(ProjectFactory)
    milestone = None
    payee = "五金建材店"
    description = "声控感应灯20盏"
    amount = 10_000
    recorded_by = factory.SubFactory(UserFactory)
    at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kw):
        project = kw["project"]
        if kw.get("transfer") is None:
            account = _funded_project_account(project)
            if money.balance(account.pk) < kw["amount"]:
                PaymentFactory(project=project, amount=kw["amount"])
            expenses_out = _boundary(project.district, pj.MoneyAccount.Kind.EXPENSES_OUT)
            row = model_class(*args, **kw)
            row.save()
            row.transfer = money.transfer(
                kind=pj.MoneyTransfer.Kind.EXPENSE,
                legs=[(account.pk, -row.amount), (expenses_out.pk, row.amount)],
                holding={account.pk},
                cause_type="expense",
                cause_id=str(row.pk),
                at=row.at,
                project=project,
                actor=row.recorded_by,
            )
            row.save(update_fields=["transfer"])
            return row
        return super()._create(model_class, *args, **kw)


class ProjectRatingFactory(DjangoModelFactory):
    """A resident's rating of a project (named apart from the lists' ``RatingFactory``)."""

    class Meta:
        model = pj.Rating

    project = factory.SubFactory(ProjectFactory, stage=pj.Project.Stage.COMPLETED)
    resident = factory.SubFactory(UserFactory)
    stars = 5
    comment = "灯亮了，晚上回家安心多了"
    at = factory.LazyFunction(timezone.now)


FACTORIES.update(
    {
        f._meta.model: f
        for f in (
            MoneyAccountFactory,
            MoneyTransferFactory,
            MoneyEntryFactory,
            DistrictProjectRulesFactory,
            CommunityFundFactory,
            ProjectFactory,
            BudgetLineFactory,
            BackingFactory,
            PledgeFactory,
            PaymentFactory,
            MilestoneFactory,
            ExpenseFactory,
            ProjectRatingFactory,
            ProjectPhotoFactory,
        )
    }
)
