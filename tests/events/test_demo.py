"""`shezhi demo`'s year of event history: made by the real workflow, in line with the article.

The demo is built once for the module (inside a transaction rolled back at the
end), and every test reads it; each test's own changes roll back on their own.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import itertools
import pkgutil
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.test.utils import override_settings
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core.scope import role_holdings
from shezhi.demo import events as events_demo
from shezhi.demo.events.cast import Cast
from shezhi.demo.events.planner import Planner, share_ratings
from shezhi.demo.events.plans import Plan
from shezhi.demo.users import DEMO_PASSWORD
from shezhi.events import selectors, services
from shezhi.events.models import Event, EventFollower, EventTransition, WhistleSummons
from shezhi.events.workflow import ACTIONS
from shezhi.people.models import Assignment, RoleAssignment

pytestmark = pytest.mark.slow

S = Event.State
User = get_user_model()


def test_nothing_without_the_demo_district(db):
    # Runs before the module's demo exists: no district, no history, nothing written.
    assert events_demo.build_demo_events() is None
    assert not Event.objects.exists()
    assert not User.objects.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, once; rolled back when the module is done."""
    out = StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        started = timezone.now()
        call_command("demo", "--no-progress", stdout=out)
        yield {"output": out.getvalue(), "started": started, "finished": timezone.now()}
        transaction.set_rollback(True)


@pytest.fixture
def history(demo, db):
    """Every demo event with its transitions, in order."""
    events = {e.pk: e for e in Event.objects.select_related("category", "area")}
    steps = defaultdict(list)
    for t in EventTransition.objects.order_by("at", "pk"):
        steps[t.event_id].append(t)
    return events, steps


def user(username):
    return User.objects.get(username=username)


def test_the_history_stops_at_the_start_of_the_local_day():
    """Every run on one day makes the same history: its end is the day's start, not the
    second the demo runs (which gave a few steps more or fewer from run to run)."""
    tz = timezone.get_current_timezone()
    morning = dt.datetime(2026, 12, 7, 0, 30, tzinfo=tz)
    night = dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=tz)
    end = events_demo.demo_end(morning)
    assert end == events_demo.demo_end(night) == dt.datetime(2026, 12, 7, tzinfo=tz)
    assert events_demo.demo_end(morning.astimezone(dt.UTC)) == end  # 16:30 UTC the day before
    assert events_demo.demo_end(night + dt.timedelta(seconds=1)) == end + dt.timedelta(days=1)


def test_a_year_of_events_across_the_district(demo, history):
    events, _steps = history
    assert "Demo event history: " in demo["output"]
    # The year's reports; the demo's emergency operations add the needs their checks
    # raised (source: operation), counted apart.
    needs = [e for e in events.values() if e.source == Event.Source.OPERATION]
    assert needs
    events = {pk: e for pk, e in events.items() if e.source != Event.Source.OPERATION}
    assert 1300 <= len(events) <= 1450
    now = demo["finished"]
    reported = [e.created_at for e in events.values()]
    # The demo's year and the two weeks after it.
    assert min(reported) >= demo["started"] - dt.timedelta(days=366 + 14)
    assert max(reported) <= now
    months = Counter(timezone.localtime(at).strftime("%Y-%m") for at in reported)
    assert sum(n >= 50 for n in months.values()) >= 11  # every month, bar a partial first

    # Spread over the micro-grids of all eight streets, more in the dense town centre.
    assert all(e.area.level == "micro_grid" for e in events.values())
    assert len({e.area_id for e in events.values()}) >= 600
    streets = Counter(e.area.code[:9] for e in events.values())
    assert len(streets) == 8
    towns = [n for code, n in streets.items() if code[6] == "1"]  # 镇 1xx, 街道 0xx
    assert streets["510113001"] > max(towns) and streets["510113002"] > max(towns)

    # Categories weighted as on a grid worker's phone: rubbish leads.
    codes = Counter(e.category.code for e in events.values())
    assert len(codes) >= 40
    assert codes.most_common(1)[0][0] == "0101"
    for code in ("0404", "0405", "1302", "1101", "1401", "1201"):
        assert codes[code] > 0, code
    # Sources mixed, patrols most.
    sources = Counter(e.source for e in events.values())
    assert sources.most_common(1)[0][0] == "patrol"
    assert sources["resident"] > sources["hotline"] > sources["assigned"] > 0


def test_every_history_is_a_chain_of_table_steps(demo, history):
    events, steps = history
    merged_into = Counter(e.master_id for e in events.values() if e.master_id)
    now = demo["finished"]
    end = events_demo.demo_end(demo["started"])  # no step of the year's history after it
    for pk, event in events.items():
        rows = steps[pk]
        assert rows[0].action == "report" and rows[0].from_state == ""
        assert rows[0].to_state == S.REPORTED and rows[0].at == event.created_at
        for before, after in itertools.pairwise(rows):
            assert after.from_state == before.to_state, (pk, before.action, after.action)
            assert before.at <= after.at <= now
            assert after.at <= end or event.source == Event.Source.OPERATION
            spec = ACTIONS[after.action]
            assert after.from_state in spec.sources, (pk, after.action, after.from_state)
            if spec.target is not None:
                assert after.to_state == spec.target
            elif after.action != "whistle":  # a whistle over an unhandled event dispatches it
                assert after.to_state == after.from_state
        assert rows[-1].to_state == event.state
        # Each step went through perform (one version each); a merge also moves
        # its master's version on.
        assert event.version == len(rows) - 1 + merged_into[pk], pk


def test_closed_means_verified_and_counters_match_the_history(history):
    events, steps = history
    for pk, event in events.items():
        actions = Counter(t.action for t in steps[pk])
        if event.state == S.CLOSED:
            last_pass = max(t.at for t in steps[pk] if t.action == "verify_pass")
            assert event.closed_at == last_pass
            assert actions["handle"] >= 1 and actions["accept"] >= 1
            assert actions["verify_pass"] == actions["reopen"] + 1
        else:
            assert "verify_pass" not in actions or actions["reopen"] >= actions["verify_pass"]
        assert event.rework_count == actions["verify_fail"]
        assert event.reopen_count == actions["reopen"]
        assert event.escalation_count == actions["escalate"]
        assert event.me_too_count == event.followers.filter(kind="me_too").count()
        assert actions["me_too"] <= event.me_too_count
        bounces = sum(1 for t in steps[pk] if t.action == "return" and t.data.get("bounce"))
        assert event.bounce_count == bounces
        if event.rating:
            last_rate = [t for t in steps[pk] if t.action == "rate"][-1]
            assert last_rate.data["rating"] == event.rating and event.state == S.CLOSED


def test_outcomes_in_line_with_the_article(demo, history):
    """办结率 98 %, 满意度 95 % (基本满意 counts as satisfied), both from the history."""
    events, steps = history
    now = demo["finished"]
    due = [
        pk
        for pk, e in events.items()
        if steps[pk][-1].to_state not in (S.VOIDED, S.MERGED)
        and now - e.created_at > dt.timedelta(days=14)
    ]
    closed = [pk for pk in due if steps[pk][-1].to_state == S.CLOSED]
    assert 0.97 <= len(closed) / len(due) <= 0.995
    ratings = {}
    for pk, rows in steps.items():
        for t in rows:
            if t.action == "rate":
                ratings[pk] = t.data["rating"]  # the last one stands (a reopen clears it)
            elif t.action == "reopen":
                ratings.pop(pk, None)
    assert len(ratings) >= 250
    satisfied = sum(r in ("satisfied", "basically_satisfied") for r in ratings.values())
    assert 0.93 <= satisfied / len(ratings) <= 0.97
    assert Counter(ratings.values())["unsatisfied"] > 0


def test_the_demo_year_gives_the_article_figures(demo, db):
    """已处置微网格事件 1242 条, 办结率 98%, 满意度 95%: exactly, by the KPI functions, over
    the demo's year, which the district's dashboard opens on."""
    from shezhi.areas.models import Area
    from shezhi.core.periods import Period
    from shezhi.stats.kpis import area_kpis
    from shezhi.stats.models import ReportingPeriod

    assert "KPI facts of" in demo["output"]
    assert not Event.objects.filter(stats_stale=True).exists()
    district = Area.objects.get(code="510113")
    named = ReportingPeriod.objects.get(area=district, is_default=True)
    assert (named.start, named.last) == events_demo.demo_year(demo["finished"])
    assert (named.last - named.start).days == 364
    result = area_kpis(district, Period(named.start, named.last + dt.timedelta(days=1)))
    kp = result.kpis
    # Every one of them a micro-grid event.
    assert Event.objects.filter(area__level="micro_grid").count() == Event.objects.count()
    assert kp.totals["handled"] == 1242
    assert kp.totals["closed"] == 1242
    assert kp.totals["due"] == 1267
    assert round(100 * kp.completion_rate) == 98
    assert kp.satisfaction_rate == pytest.approx(0.95, abs=1e-12)
    assert kp.totals["rated"] >= 250 and kp.totals["unsatisfied"] > 0
    assert kp.grade in ("A", "B")
    assert sum(child.reported for _area, child in result.children) == kp.reported


def test_the_ratings_are_shared_for_an_exact_satisfaction_rate():
    import random

    def plans(ratings, showcase=()):
        out = []
        for i, rating in enumerate(ratings):
            p = Plan(i, None, None, 0, 0, "0101", "resident", None)
            p.rating, p.showcase = rating, i in showcase
            out.append(p)
        return out

    for n in (2, 37, 300, 301):
        rated = plans(["satisfied"] * (n - n // 3) + ["unsatisfied"] * (n // 3), showcase={0})
        share_ratings(rated, random.Random(n))
        got = Counter(p.rating for p in rated if p.rating)
        total = sum(got.values())
        assert total in (n, n - 1) and rated[0].rating == "satisfied"
        rate = (got["satisfied"] + 0.9 * got["basically_satisfied"]) / total
        assert rate == pytest.approx(0.95, abs=1e-12), (n, got)


def test_small_things_stay_in_the_micro_grid_and_the_side_paths_happen(history):
    events, steps = history
    all_steps = [t for rows in steps.values() for t in rows]
    actions = Counter(t.action for t in all_steps)
    dispatched = [e for e in events.values() if e.dispatch_count]
    by_worker = [e for e in dispatched if e.handler_kind == Event.HandlerKind.WORKER]
    assert len(by_worker) > len(dispatched) / 2  # 小事不出网格
    for event in by_worker[:200]:
        # the micro-grid's own responsible worker, a real person with a sign-in
        held = Assignment.objects.get(
            area=event.area, role=Assignment.Role.RESPONSIBLE_WORKER, ended_on__isnull=True
        )
        assert held.person.user_id == event.handler_user_id
    kinds = Counter(e.handler_kind for e in dispatched)
    assert kinds["community"] > 20 and kinds["department"] > 200

    void_kinds = Counter(t.data["void_kind"] for t in all_steps if t.action == "void")
    assert void_kinds["invalid"] >= 10 and void_kinds["duplicate"] >= 2
    merged = [e for e in events.values() if e.state == S.MERGED]
    assert len(merged) >= 5
    for dup in merged:
        assert EventFollower.objects.filter(event_id=dup.master_id, user=dup.reporter).exists()
    assert actions["me_too"] >= 10
    assert sum(1 for t in all_steps if t.action == "return" and t.data.get("bounce")) >= 20
    assert actions["verify_fail"] >= 20
    assert actions["approve_deferral"] >= 5 and actions["resume"] >= 3
    assert actions["reject_deferral"] >= 1
    assert actions["escalate"] >= 10 and actions["reopen"] >= 1
    assert actions["whistle"] >= 8
    summonses = list(WhistleSummons.objects.all())
    answered = [s for s in summonses if s.reported_in_at]
    assert len(answered) >= 15
    assert sum(s.on_time for s in answered) / len(answered) >= 0.75
    assert any(not s.on_time for s in answered)
    assert sum(1 for s in summonses if s.rating) >= 10
    sources = Counter(t.data["source"] for t in all_steps if t.action == "report")
    assert sources["hotline"] and sources["assigned"]


def test_the_last_two_weeks_are_still_moving(demo, history):
    events, _steps = history
    now = demo["finished"]
    recent = [e for e in events.values() if now - e.created_at < dt.timedelta(days=14)]
    open_states = Counter(e.state for e in recent if e.is_open)
    assert len(open_states) >= 6, open_states
    assert {S.REPORTED, S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.HANDLED} <= set(open_states)
    colours = Counter(e.sla for e in selectors.with_sla(Event.objects.all()))
    assert colours["red"] >= 3 and colours["green"] >= 2
    # Older events are nearly all done; the few that are not are deferred or overdue.
    old_open = [e for e in events.values() if e.is_open and now - e.created_at > dt.timedelta(30)]
    assert {e.state for e in old_open} <= {S.DEFERRED, S.ACCEPTED}


def test_every_demo_sign_in_finds_work(demo, db):
    mg_worker = user("mg_worker")
    inbox = list(selectors.handler_inbox(mg_worker))
    assert inbox and {e.state for e in inbox} & {S.DISPATCHED, S.ACCEPTED}

    def queue(username, area_role):
        u = user(username)
        area = next(a for role, a in role_holdings(u) if role == area_role)
        return u, area, selectors.queue_counts(u, area)

    _, _, grid = queue("grid_worker", "grid_worker")
    assert grid["to_register"] and grid["to_verify"]
    staff, _community, counts = queue("community_staff", "community_staff")
    for tab in ("to_register", "to_dispatch", "returned", "deferral", "to_verify", "overdue"):
        assert counts[tab], tab
    assert selectors.handler_inbox(staff).exists()  # handled by the community itself
    _, _, street = queue("dawan_staff", "street_staff")
    assert street["escalated"] and street["to_dispatch"]
    _, _, district = queue("qbj_admin", "district_admin")
    assert district["overdue"]

    for name in ("dept_cg", "dept_zj"):
        u = user(name)
        assert selectors.department_queue(u).exists(), name
        assert selectors.open_summonses(u).exists(), name
        assert selectors.handler_inbox(u).exists(), name

    resident = user("resident")
    mine = list(selectors.my_reports(resident))
    assert len(mine) >= 5
    can = [set(services.allowed_actions(resident, e)) for e in mine]
    assert any("rate" in a for a in can) and any("verify_pass" in a for a in can)

    # Their notification centres: dated when things happened, older ones read.
    for name in ("mg_worker", "grid_worker", "dept_cg", "resident"):
        notes = list(user(name).notifications.all())
        assert notes, name
        assert all(n.created_at <= demo["finished"] for n in notes)
        assert all(n.read_at for n in notes if demo["finished"] - n.created_at > dt.timedelta(4))


def test_simulated_people_hold_the_posts_they_act_in(demo, history):
    events, steps = history
    demo_names = {"resident", "mg_worker", "grid_worker", "community_staff", "dept_cg"}
    for name in demo_names:
        assert user(name).check_password(DEMO_PASSWORD), name
    handlers = {e.handler_user_id for e in events.values() if e.handler_user_id}
    workers = User.objects.filter(pk__in=handlers).select_related("person")
    for worker in workers:
        assert worker.person is not None
        assert RoleAssignment.objects.filter(
            user=worker, role="micro_grid_worker", area=worker.person.area
        ).exists()
        if worker.username not in demo_names:
            assert not worker.has_usable_password()
    actors = {t.actor_id for rows in steps.values() for t in rows}
    assert User.objects.filter(pk__in=actors, username__startswith="res_").count() >= 150
    assert User.objects.filter(username__startswith="res_").count() <= 400
    # The campaign's broadcast reaches heads of household bound to their households
    # (``jm<resident>``): sign-ins without a password, apart from the workforce's.
    bound = User.objects.filter(username__startswith="jm")
    assert not any(u.has_usable_password() for u in bound[:50])
    assert User.objects.exclude(username__startswith="jm").count() < 2500


def test_simulated_people_stay_in_their_scope(history):
    events, _steps = history
    resident = user("resident")
    own = selectors.visible_events(resident)
    assert own.exists() and not own.exclude(followers__user=resident).exists()
    stranger = next(e for e in events.values() if not e.followers.filter(user=resident).exists())
    with pytest.raises(Http404):
        selectors.get_event(resident, stranger.pk)
    mg_worker = user("mg_worker")
    elsewhere = next(e for e in events.values() if not e.area.code.startswith("510113001001"))
    with pytest.raises(Http404):
        selectors.get_event(mg_worker, elsewhere.pk)


def test_residents_taking_part_and_the_projects_at_the_demo_scale(demo, db):
    """The article's 52,000 residents taking part, in proportion to the household base
    (``demo.participation``): about 10,400 over the year at the default fifth; the 56
    micro-projects with over a thousand residents and a ledger that passes money_check."""
    from shezhi.core.models import Participation
    from shezhi.demo import participation as rule
    from shezhi.projects import ledger
    from shezhi.projects.models import Project

    district = Area.objects.get(code="510113")
    target = rule.target(district.path)
    total = len(rule.taking_part(district))
    assert 0.95 * target <= total <= 1.1 * target
    assert 8_000 <= total <= 13_000
    assert Project.objects.count() == 56
    project_people = Participation.objects.filter(way="project").values("participant")
    assert project_people.distinct().count() > 1000
    check = ledger.check()
    assert check.ok, check.lines()


def test_running_the_demo_again_changes_nothing(demo, db):
    counts = (Event.objects.count(), EventTransition.objects.count(), User.objects.count())
    out = StringIO()
    call_command("demo", "--no-progress", stdout=out)
    assert "Demo event history already present" in out.getvalue()
    assert (Event.objects.count(), EventTransition.objects.count(), User.objects.count()) == counts
    out = StringIO()
    call_command("demo", "--no-progress", "--no-events", stdout=out)
    assert "Demo event history" not in out.getvalue() and "Demo sign-ins" in out.getvalue()


def test_planning_is_deterministic(demo, db):
    import random

    end = demo["finished"]

    def plan():
        cast = Cast(Area.objects.get(code="510113"), random.Random(7))
        planner = Planner(cast, random.Random(7), end)
        return [(d.at, d.source, d.area.code, d.lng, d.lat) for d in planner.drafts(60)]

    assert plan() == plan()


def test_the_builder_writes_events_only_through_the_services():
    source = "".join(  # every module of the builder
        inspect.getsource(importlib.import_module(f"{events_demo.__name__}.{module.name}"))
        for module in pkgutil.iter_modules(events_demo.__path__)
    )
    assert "services.report_event(" in source and "services.perform(" in source
    writes = re.compile(
        r"\b(Event|EventTransition|Whistle|WhistleSummons|EventFollower)"
        r"(\.objects\.(create|bulk_create|update|get_or_create|update_or_create)|\()"
    )
    assert not writes.search(source)
    assert ".save(" not in source
