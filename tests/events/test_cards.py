"""A work list's cards drawn in Python (``{% event_cards rows %}``, ``events.cards``) are
what ``{% include "events/_event_card.html" %}`` draws for each row, to the byte: on the
queue's tabs, the inboxes and the department's page, with every kind of row (colours,
no deadline, emergency, whistled only, one-tap forms, text to escape), in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from shezhi.events.action_forms import form_for
from shezhi.events.models import Category, Event
from shezhi.events.views_work import _row
from tests.events.conftest import act, report, run_to_closed
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

S = Event.State
INCLUDED = Template('{% for e in rows %}{% include "events/_event_card.html" %}{% endfor %}')
DRAWN = Template("{% load events_work %}{% event_cards rows %}")
ODD = "<script>alert(\"x\")</script> & '引号' {{ e.pk }} %(t)s"


def _both(rows, token) -> tuple[str, str]:
    context = {"rows": rows, "csrf_token": token}
    return INCLUDED.render(Context(context)), DRAWN.render(Context(context))


def _world(actors, territory):
    """Rows of every kind for the queues, the inboxes and the department's page."""
    now = timezone.now()
    category = Category.objects.get(code="0101")
    for i, (state, hours) in enumerate(
        [(S.DISPATCHED, -30), (S.DISPATCHED, 2), (S.ACCEPTED, 40), (S.DEFERRED, None),
         (S.DISPATCHED, None), (S.ACCEPTED, -1)]
    ):  # fmt: skip
        deadline = None if hours is None else now + timedelta(hours=hours)
        EventFactory(
            area=territory["micro1"], category=category, submitted_by=actors.resident,
            state=state, deadline_at=deadline,
            warn_at=deadline - timedelta(hours=5) if deadline else None,
            created_at=now - timedelta(days=1, minutes=i), handler_kind="worker",
            handler_user=actors.mg_worker, emergency=i % 2 == 0,
            description=ODD * (i + 1), address=ODD if i % 3 else "",
        )  # fmt: skip
    report(actors.resident, description=ODD, address="<b>门口</b>")  # to register
    registered = report(actors.resident, code="0301")
    act(actors.community, registered, "register")  # to dispatch
    handled = report(actors.resident)
    run_to_closed(actors, handled)
    act(actors.resident, handled, "reopen", reason="又脏了")
    act(actors.community, handled, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, handled, "accept")
    act(actors.mg_worker, handled, "handle", data={"result": "再次清运"})  # to verify
    whistled = report(actors.resident, code="0301")
    act(actors.community, whistled, "register")
    act(actors.community, whistled, "escalate", reason="网格解决不了")
    data = {"departments": ["zj", "cg"], "report_in_minutes": "45"}
    # For cg, whistled only (zj handles it).
    act(actors.community, whistled, "whistle", data=data, reason="施工扰民反复")
    for steps in (["register", "dispatch"], ["register", "dispatch", "return"]):  # cg's; returned
        event = report(actors.resident, code="0302")
        data = {"target": "department", "department": "cg"}
        for step in steps:
            actor = actors.dept_cg if step == "return" else actors.community
            act(actor, event, step, data=data if step == "dispatch" else None,
                reason="不归我们管" if step == "return" else "")  # fmt: skip


def _pages(actors):
    queue = "/events/queue/{}/?tab={}"
    tabs = ("to_register", "to_dispatch", "returned", "overdue", "deferral", "to_verify")
    for code in ("510113", "510113001001"):
        for tab in tabs:
            yield (
                actors.community if len(code) > 6 else actors.district,
                queue.format(code, tab),
                ("rows",),
            )
    yield actors.mg_worker, "/events/inbox/", ("tasks", "to_register", "to_verify")
    yield actors.grid_worker, "/events/inbox/", ("tasks", "to_register", "to_verify")
    for user in (actors.dept_cg, actors.dept_zj):
        yield user, "/events/department/", ("events",)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_cards_are_the_templates_to_the_byte(actors, territory, language):
    _world(actors, territory)
    seen = set()
    for user, url, keys in _pages(actors):
        client = Client()
        client.force_login(user)
        with translation.override(language):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            page = response.content.decode()
            token = str(response.context["csrf_token"])
            for key in keys:
                rows = response.context[key]
                included, drawn = _both(rows, token)
                assert drawn == included, (user.username, url, key)
                assert drawn in page
                for e in rows:
                    seen.add(
                        (bool(e.sla), bool(e.deadline_iso), e.emergency, e.whistled_only,
                         bool(e.quick_forms))
                    )  # fmt: skip
    # Every kind of row was drawn: coloured or not, with and without a deadline, an
    # emergency, a whistle only, with and without one-tap forms.
    assert {s[0] for s in seen} == {True, False}
    assert {s[1] for s in seen} == {True, False}
    assert {s[2] for s in seen} == {True, False}
    assert {s[3] for s in seen} == {True, False}
    assert {s[4] for s in seen} == {True, False}


def test_a_form_the_template_draws_and_no_token(actors):
    """A row form its ``compact_html`` cannot draw (bound: the template draws it) and a
    page without a CSRF token."""
    event = report(actors.resident, description=ODD)
    act(actors.community, event, "register")
    event = Event.objects.select_related("category", "area").get(pk=event.pk)
    _row(event, timezone.now())
    bound = form_for("dispatch", event, actors.community, {"version": "x"})
    assert bound.compact_html("tok") is None
    event.quick_forms = [bound, form_for("register", event, actors.community)]
    for token in ("tok", None, ""):
        included, drawn = _both([event, event], token)
        assert drawn == included
        assert "<script>" not in drawn
