"""A queue row's dispatch form drawn without building the form (``QuickDispatch``) is the
form's own compact markup (``DispatchForm.compact_html``), to the byte, whatever the
defaults, choices and the user's part; and a page draws each district's options once."""

from __future__ import annotations

import pytest

from shezhi.events.action_forms import QuickDispatch, form_for, quick_form
from shezhi.events.models import Event
from shezhi.events.selectors import DispatchChoices, DispatchDefault, dispatch_choices
from shezhi.people.models import Department
from tests.events.conftest import act, report

pytestmark = pytest.mark.django_db

K = Event.HandlerKind
NEXT = "/events/queue/510113/?tab=to_dispatch&after=abc"


def _form_html(event, user, choices, mine, next_url=NEXT, token=None):
    form = form_for("dispatch", event, user, mine=mine, choices=choices)
    form.fields["next"].initial = next_url
    return form.compact_html(token)


def _quick_html(event, user, choices, mine, next_url=NEXT, token=None, options=None):
    row = quick_form(
        "dispatch", event, user, next_url, mine=mine, choices=choices,
        options={} if options is None else options,
    )  # fmt: skip
    assert isinstance(row, QuickDispatch)
    return row.compact_html(token)


def _departments():
    odd = Department(code="q&d", name='<城管> "东" & 西')
    return [*Department.objects.order_by("code")[:3], odd]


CASES = {
    "worker by default": (DispatchDefault(K.WORKER, None, ""), "workers"),
    "worker by default, responsible one": (DispatchDefault(K.WORKER, "first", "zj"), "workers"),
    "worker not among the choices": (DispatchDefault(K.WORKER, 999_999, ""), "workers"),
    "department by default": (DispatchDefault(K.DEPARTMENT, None, "q&d"), "workers"),
    "no default": (DispatchDefault("", None, ""), "none"),
    "community": (DispatchDefault(K.COMMUNITY, "first", ""), "workers"),
}


@pytest.mark.parametrize("mine", [{"dispatcher"}, {"grid"}, {"grid", "dispatcher"}, set()])
def test_a_rows_dispatch_form_is_the_forms_own_markup(actors, mine):
    event = report(actors.resident)
    act(actors.community, event, "register")
    event.refresh_from_db()
    names = [(actors.mg_worker.pk, "李明 · 微网格员"), (actors.community.pk, "<b>&amp;")]
    for case, (default, workers) in CASES.items():
        if default.worker == "first":
            default = DispatchDefault(default.kind, actors.mg_worker.pk, default.department)
        choices = DispatchChoices(
            departments=_departments(),
            default=default,
            workers=names if workers == "workers" else [],
        )
        for next_url in (NEXT, ""):
            for token in ("tok", None, "NOTPROVIDED"):
                expected = _form_html(event, actors.community, choices, mine, next_url, token)
                got = _quick_html(event, actors.community, choices, mine, next_url, token)
                assert got == expected, (case, next_url, token)


def test_rows_of_the_queue_match_and_share_their_options(actors):
    """Real choices (``selectors.dispatch_choices``) for events of several categories, the
    user's parts worked out by the form itself: the same markup; the options drawn once
    per district and default."""
    events = []
    for code in ("0101", "0301", "0302", "0101"):
        e = report(actors.resident, code=code)
        act(actors.community, e, "register")
        e.refresh_from_db()
        events.append(e)
    choices = dispatch_choices(events)
    options: dict = {}
    for user in (actors.community, actors.mg_worker):
        for e in events:
            expected = _form_html(e, user, choices[e.pk], None)
            assert _quick_html(e, user, choices[e.pk], None, options=options) == expected
    department_memos = [k for k in options if isinstance(k[0], tuple)]
    assert len(department_memos) == len({choices[e.pk].default.department for e in events})


def test_without_the_lists_choices_a_row_gets_the_form(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    event.refresh_from_db()
    row = quick_form("dispatch", event, actors.community, NEXT)
    assert row.__class__.__name__ == "DispatchForm"
