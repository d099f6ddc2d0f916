"""Events publishes each step (events.hooks); other apps listen, events imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shezhi.events import hooks
from shezhi.events.facts import facts, transition_facts
from shezhi.events.models import Event, EventTransition
from tests.events.conftest import act, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    """Two extra listeners, one in the step's transaction and one after its commit."""
    log: dict[str, list] = {"in": [], "after": []}
    monkeypatch.setattr(
        hooks, "_in_transaction", [*hooks._in_transaction, lambda s: log["in"].append(s)]
    )
    monkeypatch.setattr(hooks, "_on_commit", [*hooks._on_commit, lambda s: log["after"].append(s)])
    return log


def test_each_step_is_published_once_with_what_it_wrote(
    actors, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = report(actors.resident)
        act(actors.community, event, "register")
    assert [s.action for s in heard["in"]] == ["report", "register"]
    assert [s.action for s in heard["after"]] == ["report", "register"]
    step = heard["in"][1]
    assert step.transition == EventTransition.objects.get(event=event, action="register")
    assert step.actor == actors.community and step.event.state == Event.State.REGISTERED
    assert actors.resident.pk in step.recipients  # the reporter follows it
    assert [n.kind for n in step.notices()] == ["event.register"]


def test_a_listener_after_the_commit_hears_nothing_of_a_step_that_failed(
    actors, heard, monkeypatch, django_capture_on_commit_callbacks
):
    event = report(actors.resident)
    heard["in"].clear()

    def boom(step):
        raise RuntimeError("a listener fails")

    monkeypatch.setattr(hooks, "_in_transaction", [*hooks._in_transaction, boom])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        act(actors.community, event, "register")
    event.refresh_from_db()
    assert event.state == Event.State.REPORTED  # the step rolled back
    assert [s.action for s in heard["in"]] == ["register"]
    assert heard["after"] == []


def test_on_step_takes_only_the_two_moments():
    with pytest.raises(ValueError):
        hooks.on_step(lambda s: None, when="later")


def test_the_facts_of_a_step_are_read_from_its_data(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    rows = {t.action: t for t in EventTransition.objects.filter(event=event)}
    assert transition_facts(rows["dispatch"]).handler_kind == Event.HandlerKind.WORKER
    handled = transition_facts(rows["handle"])
    assert handled.within_deadline is True and handled.working_seconds is not None
    assert transition_facts(rows["accept"]).response_seconds is not None
    assert facts("register", None) == facts("register", {})


def test_events_imports_none_of_the_apps_that_listen():
    root = Path(__file__).resolve().parents[2] / "src" / "shezhi" / "events"
    listening = ("shezhi.stats", "shezhi.incentives", "shezhi.notifications")
    found = []
    for path in root.rglob("*.py"):
        if path.name == "demo.py":  # the demo builder moves out of events (shezhi.demo)
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [f"{path.name}: {n}" for n in names if n.startswith(listening)]
    assert found == []
