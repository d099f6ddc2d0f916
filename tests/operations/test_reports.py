"""The after-action report on a hand-made operation: figures, curve, needs, timeline, and
the workbook and PDF that draw them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.events.models import Event
from shezhi.operations import reports, services
from shezhi.operations.models import CheckLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(world, emergency, territory, cast):
    """Started at t0; h102 (vulnerable) needs medical help at t0+30 min, its event closed
    at t0+3 h; h101 absent at t0+1 h 30, then reached at t0+2 h; h201 never checked; two
    packs handed to h101; stood down at t0+4 h."""
    t0 = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    emergency.started_at = t0 - timedelta(minutes=10)
    emergency.save()
    op = services.start_operation(
        actor=cast.street, area=territory["community"], kind="flood", title="防汛扫楼", at=t0
    )

    def line(h):
        return CheckLine.objects.select_related("operation", "micro_grid").get(
            operation=op, household=h
        )

    need = services.record_check(
        actor=cast.mg_worker, line=line(world.h102), outcome="needs_help", needs=["medical"],
        request_key="a", at=t0 + timedelta(minutes=30),
    )  # fmt: skip
    Event.objects.filter(pk=need.line.need_event_id).update(
        state="closed", closed_at=t0 + timedelta(hours=3)
    )
    services.record_check(
        actor=cast.mg_worker, line=line(world.h101), outcome="absent", request_key="b",
        at=t0 + timedelta(hours=1, minutes=30),
    )  # fmt: skip
    services.record_check(
        actor=cast.mg_worker, line=line(world.h101), outcome="reached", request_key="c",
        version=1, at=t0 + timedelta(hours=2),
    )  # fmt: skip
    services.hand_out(
        actor=cast.mg_worker, line=line(world.h101), item="安居包", quantity=2, signed_by="张三",
        request_key="d", at=t0 + timedelta(hours=2),
    )  # fmt: skip
    services.report_roll_call(
        actor=cast.mg_worker, operation=op, status="on_duty", lng=104.02, lat=30.62, at=t0
    )
    services.stand_down(actor=cast.street, operation=op, at=t0 + timedelta(hours=4))
    op.refresh_from_db()
    return op, t0, need.line.need_event_id


def test_the_after_action_figures(finished, cast):
    op, t0, event_id = finished
    r = reports.after_action(cast.street, op)
    assert (r.households, r.checked, r.vulnerable, r.vulnerable_checked) == (3, 2, 1, 1)
    assert r.outcomes == {"reached": 1, "absent": 0, "refused": 0, "needs_help": 1}
    assert pytest.approx(r.coverage) == 2 / 3
    # First checks: h102 in hour 0, h101 in hour 1 (its re-check does not move it).
    assert [n for _at, n in r.curve] == [1, 2, 2, 2]
    assert r.curve[0][0] == t0 + timedelta(hours=1)
    assert (r.needs_raised, r.needs_closed, r.needs_dropped) == (1, 1, 0)
    assert r.by_need["medical"] == (1, 1) and r.by_need["food"] == (0, 0)
    assert r.need_rows[0].event_id == event_id
    assert (r.on_duty, r.unavailable) == (1, 0)
    assert r.hand_outs == [{"item": "安居包", "households": 1, "quantity": 2}]
    texts = [text for _at, text in r.timeline]
    assert texts[0].startswith("Operation started") and texts[-1].startswith("Stood down")
    assert any(f"event {event_id}" in t for t in texts)
    assert any("50.0% of households checked" in t for t in texts)
    assert [at for at, _t in r.timeline] == sorted(at for at, _t in r.timeline)


def test_a_micro_grid_workers_report_is_their_part(finished, cast):
    op, _t0, _e = finished
    r = reports.after_action(cast.mg_worker2, op)
    assert (r.households, r.checked, r.needs_raised) == (1, 0, 0)


def test_the_workbook_and_the_pdf(finished, cast):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    op, _t0, _e = finished
    r = reports.after_action(cast.street, op)
    wb = load_workbook(io.BytesIO(reports.workbook(r)))
    assert wb.sheetnames == ["Summary", "Coverage curve", "Needs", "Timeline", "Hand-outs"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True)}
    assert summary["Households checked"] == "2 (66.7%)"
    assert summary["Needs closed"] == "1"
    body = reports.pdf(r)
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "防汛扫楼" in text and "66.7%" in text
