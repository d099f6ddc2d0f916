"""Payments recorded as a batch: the same payments, match, ledger and audit log as the
lines sent one by one; every refused line named, nothing written; a few statements per
batch on PostgreSQL (SQLite and PostgreSQL both run these)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shezhi.core.errors import BadInput
from shezhi.projects import ledger, services
from shezhi.projects.models import MoneyTransfer, Payment, Project


def _line(project, amount, reference, **kw):
    return {
        "project": project.pk,
        "payer_name": kw.pop("payer_name", "张三"),
        "amount": amount,
        "channel": kw.pop("channel", "wechat"),
        "reference": reference,
        **kw,
    }


def _state(project) -> dict:
    project = Project.objects.get(pk=project.pk)
    transfers = project.transfers.order_by("pk")
    return {
        "counters": (project.paid_in, project.matched, project.stage),
        "account": ledger.balance(project.account_id),
        "reserve": ledger.balance(project.reserve_id),
        "transfers": [
            (t.kind, t.stream, t.amount, t.cause_key.replace(f"project:{project.pk}", "project:P"))
            for t in transfers
            if t.cause_type != "payment"
        ],
        "payments": list(project.payments.order_by("pk").values_list("amount", "status")),
        "audit": LogEntry.objects.filter(
            content_type__model="payment", object_id__in=project.payments.values("pk")
        ).count(),
    }


# ratio 1:2 (5000 bp), match cap 50,000, funding cap target + 20%.
AMOUNTS = [3_001, 7, 12_345, 1, 20_000, 999, 40_000]


def test_a_batch_writes_what_the_same_payments_one_by_one_write(world):
    one, batch = world.funding(target=100_000), world.funding(target=100_000)
    for i, amount in enumerate(AMOUNTS):
        services.record_payment(
            actor=world.staff, project=one, payer_name="张三", amount=amount,
            channel="wechat", reference=f"one{i}",
        )  # fmt: skip
    done = services.record_payments(
        actor=world.staff, lines=[_line(batch, a, f"b{i}") for i, a in enumerate(AMOUNTS)]
    )
    assert [d.created for d in done] == [True] * len(AMOUNTS)
    assert [d.payment.amount for d in done] == AMOUNTS
    got, want = _state(batch), _state(one)
    assert got == want
    # The funding cap (the target) reached: the match stops short of the ratio.
    assert got["counters"][:2] == (sum(AMOUNTS), 100_000 - sum(AMOUNTS))
    for d in done:
        stored = Payment.objects.select_related("transfer").get(pk=d.payment.pk)
        assert stored.transfer.amount == d.payment.amount
        assert stored.transfer.cause_key == f"payment:payment:{stored.pk}"
        assert stored.payer_name == "张三"
    assert ledger.check().ok


def test_the_batch_prepares_each_column_as_the_fields_themselves_do(world):
    from shezhi.projects.models import MoneyEntry
    from shezhi.projects.services import batch

    project = world.funding(target=100_000)
    services.record_payments(
        actor=world.staff, lines=[_line(project, a, f"c{i}") for i, a in enumerate(AMOUNTS)]
    )
    payments = list(Payment.objects.filter(project=project))
    transfers = list(MoneyTransfer.objects.filter(project=project))
    entries = list(MoneyEntry.objects.filter(transfer__in=transfers))
    logs = list(LogEntry.objects.filter(content_type__model="payment"))
    for objs in (payments, transfers, entries, logs):
        _sql, columns = batch._unnest_sql(objs)
        fields, plain, _sql = batch._unnest_plans[(type(objs[0]), True)]
        # The columns taken the short way (the others go through the field's own call,
        # an encrypted one with a fresh nonce each time) hold what that call gives,
        # with the same Python types (PostgreSQL's integer wrappers kept).
        short = [i for i, kind in enumerate(plain) if kind is not None]
        assert short
        for i in short:
            f = fields[i]
            want = [f.get_db_prep_save(f.pre_save(o, True), connection) for o in objs]
            assert columns[i] == want, f.name
            assert [type(v) for v in columns[i]] == [type(v) for v in want], f.name
    # The legs go as three arrays of the same integers, by the same INSERT.
    sql, columns = batch._legs_sql([(e.transfer_id, e.account_id, e.amount) for e in entries])
    assert (sql, columns) == batch._unnest_sql(
        [
            MoneyEntry(**{f: getattr(e, f) for f in ("transfer_id", "account_id", "amount")})
            for e in entries
        ]
    )


def test_a_batch_over_projects_and_one_that_ends_funding(world):
    a, b = world.funding(target=10_000), world.funding(target=100_000)
    # a: ratio 1:2, funding cap 10,000: full at 6,667 + 3,333.
    done = services.record_payments(
        actor=world.staff,
        lines=[_line(a, 5_000, "x1"), _line(b, 100, "x2"), _line(a, 1_667, "x3")],
    )
    assert all(d.created for d in done)
    a = Project.objects.get(pk=a.pk)
    assert (a.paid_in, a.matched, a.stage) == (6_667, 3_333, Project.Stage.DELIVERY)
    assert ledger.balance(a.reserve_id) == 0
    assert Project.objects.get(pk=b.pk).paid_in == 100
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(actor=world.staff, lines=[_line(a, 1, "x4")])
    assert caught.value.lines[0]["field"] == "project"
    assert ledger.check().ok


def test_lines_after_the_cap_are_refused_each_by_its_line_and_nothing_is_written(world):
    project = world.funding(target=10_000)
    before = (Payment.objects.count(), MoneyTransfer.objects.count(), LogEntry.objects.count())
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(
            actor=world.staff,
            lines=[
                _line(project, 8_000, "c1"),
                _line(project, 1, "c2"),
                {**_line(project, 0, "c3")},
                _line(project, 5, "c4", channel="cash"),
                _line(project, 5, "", payer_name=""),
            ],
        )
    refusals = caught.value.lines
    # Parsing refuses first (lines 3 to 5); then the plan would refuse line 2.
    assert [(r["line"], r["field"]) for r in refusals] == [
        (3, "amount"),
        (4, "channel"),
        (5, "reference"),
    ]
    assert caught.value.field == "lines.2.amount"
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(
            actor=world.staff, lines=[_line(project, 6_667, "c1"), _line(project, 1, "c2")]
        )
    assert [(r["line"], r["field"], r["code"]) for r in caught.value.lines] == [
        (2, "project", "not_allowed")
    ]
    after = (Payment.objects.count(), MoneyTransfer.objects.count(), LogEntry.objects.count())
    assert after == before
    assert Project.objects.get(pk=project.pk).paid_in == 0
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(actor=world.staff, lines=[_line(project, 12_001, "c5")])
    assert caught.value.lines[0]["field"] == "amount"
    assert "100.00" in caught.value.lines[0]["detail"]


def test_references_are_idempotent_across_and_within_batches(world):
    project, other = world.funding(), world.funding()
    first = world.pay(project, 500, channel="bank", reference="R1")
    done = services.record_payments(
        actor=world.staff,
        lines=[
            _line(project, 500, "R1", channel="bank"),  # recorded before: that payment
            _line(project, 700, "R2"),
            _line(project, 700, "R2"),  # the same, earlier in this batch
            _line(project, 700, "R2", channel="alipay"),  # another channel: another payment
        ],
    )
    assert [d.created for d in done] == [False, True, False, True]
    assert done[0].payment.pk == first.pk and done[2].payment.pk == done[1].payment.pk
    assert Project.objects.get(pk=project.pk).paid_in == 1_900
    again = services.record_payments(actor=world.staff, lines=[_line(project, 700, "R2")])
    assert not again[0].created and again[0].payment.pk == done[1].payment.pk
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(
            actor=world.staff,
            lines=[
                _line(other, 700, "R2"),  # another project
                _line(project, 701, "R2"),  # another amount
                _line(project, 1, "R9"),
                _line(project, 2, "R9"),  # the same reference twice, two amounts
            ],
        )
    assert [(r["line"], r["code"]) for r in caught.value.lines] == [
        (1, "idempotency_key_reused"),
        (2, "idempotency_key_reused"),
        (4, "idempotency_key_reused"),
    ]
    assert Project.objects.get(pk=project.pk).paid_in == 1_900
    assert ledger.check().ok


def test_only_those_who_may_record_and_projects_in_funding(world):
    project = world.funding()
    proposed = world.propose()
    outsider = world.neighbours[2]
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(
            actor=outsider, lines=[_line(project, 100, "p1"), _line(proposed, 100, "p2")]
        )
    assert [(r["line"], r["code"]) for r in caught.value.lines] == [
        (1, "forbidden"),
        (2, "forbidden"),
    ]
    with pytest.raises(services.LinesRefused) as caught:
        services.record_payments(
            actor=world.staff,
            lines=[_line(proposed, 100, "p2"), {**_line(project, 1, "p3"), "project": 10**9}],
        )
    assert [(r["line"], r["code"]) for r in caught.value.lines] == [
        (1, "not_allowed"),
        (2, "bad_input"),
    ]
    for bad in ([], "lines", [None]):
        with pytest.raises(BadInput):
            services.record_payments(actor=world.staff, lines=bad)
    assert Payment.objects.count() == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="set-based SQL: PostgreSQL")
def test_a_batch_is_a_few_statements_whatever_its_size(world):
    a, b = world.funding(target=10_000_000), world.funding(target=10_000_000)
    # Warm: the permission check reads each project's community once.
    services.record_payments(actor=world.staff, lines=[_line(a, 10, "wa"), _line(b, 10, "wb")])
    key = (a.district_id, "payments_in")
    ledger._boundary_ids[key] = ledger.boundary_account(*key)
    lines = [_line(a if i % 2 else b, 100 + i, f"n{i}") for i in range(1_200)]
    with CaptureQueriesContext(connection) as q:
        done = services.record_payments(actor=world.staff, lines=lines)
    assert all(d.created for d in done)
    # BEGIN, lock, match counts, references, ids, 3 chunks of rows, COMMIT.
    assert len(q.captured_queries) <= 9, [x["sql"][:60] for x in q.captured_queries]
    assert LogEntry.objects.filter(content_type__model="payment").count() == 1_202
    for p in (a, b):
        p = Project.objects.get(pk=p.pk)
        assert (
            ledger.balance(p.account_id)
            == ledger.entries_sum(p.account_id)
            == p.paid_in + p.matched
        )
    assert ledger.check().ok


def test_the_api_records_a_batch_and_names_each_refused_line(world, client):
    from tests.factories import PASSWORD

    project = world.funding(target=10_000)
    assert client.login(username=world.staff.username, password=PASSWORD)
    url = f"/api/v1/projects/{project.pk}/payments/batch"
    line = {"payer_name": "李四", "amount": 1_000, "channel": "bank", "reference": "A1"}
    body = {"lines": [line, {**line, "reference": "A2", "named": True}, line]}
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["created"], out["recorded_already"]) == (2, 1)
    assert [p["created"] for p in out["payments"]] == [True, True, False]
    assert [p["payer"] for p in out["payments"]] == ["李*", "李四", "李*"]
    refused = {"lines": [{**line, "reference": "A3"}, {**line, "reference": "A4",
                                                        "amount": 9_000}]}  # fmt: skip
    r = client.post(url, refused, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["field"] == "lines.1.amount"
    assert [(x["line"], x["field"]) for x in r.json()["lines"]] == [(2, "amount")]
    assert Project.objects.get(pk=project.pk).paid_in == 2_000
    r = client.post(url, {"lines": [{**line, "channel": "cash"}]}, content_type="application/json")
    assert r.status_code == 422
    r = client.post(url, {"lines": []}, content_type="application/json")
    assert r.status_code == 422


def _xlsx(rows) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_staff_page_records_pasted_rows_and_a_spreadsheet(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import PASSWORD

    project = world.funding(target=1_000_000)
    assert client.login(username=world.staff.username, password=PASSWORD)
    url = reverse("projects:staff_payments", args=[project.pk])
    assert 'data-testid="batch-form"' in client.get(url).content.decode()
    pasted = "付款人\t金额\t渠道\t流水号\n张三\t¥1,000.50\t微信\tW1\n李四\t20\tbank\tB1\tyes\n"
    resp = client.post(url, {"action": "batch", "rows": pasted}, follow=True)
    assert resp.status_code == 200
    assert "2" in resp.content.decode() and Project.objects.get(pk=project.pk).paid_in == 102_050
    # Unreadable rows are named by their row, nothing recorded.
    bad = "王五,12.345,bank,B2\n,5,bank,B3\n赵六,5,cash,B4\n"
    resp = client.post(url, {"action": "batch", "rows": bad})
    page = resp.content.decode()
    assert resp.status_code == 400
    for n in (1, 2, 3):  # the page speaks Chinese: 第 n 行 = row n
        assert f"第 {n} 行：" in page
    # A row the service refuses (over the cap) is named by its row too.
    resp = client.post(url, {"action": "batch", "rows": "王五,1,bank,B5\n王五,99999,bank,B6"})
    assert resp.status_code == 400 and "第 2 行：最多还能收" in resp.content.decode()
    assert Project.objects.get(pk=project.pk).paid_in == 102_050
    sheet = _xlsx([["name", "amount", "channel", "ref"], ["孙七", 30, "alipay", "A1"],
                   ["周八", "0.01", "Alipay", "A2", "是"]])  # fmt: skip
    upload = SimpleUploadedFile("s.xlsx", sheet)
    resp = client.post(url, {"action": "batch", "sheet": upload}, follow=True)
    assert resp.status_code == 200, resp.content.decode()[:500]
    assert Project.objects.get(pk=project.pk).paid_in == 102_050 + 3_001
    resp = client.post(
        url, {"action": "batch", "sheet": SimpleUploadedFile("s.xlsx", b"not a sheet")}
    )
    assert resp.status_code == 400 and "不是可读取的 .xlsx" in resp.content.decode()
    assert ledger.check().ok
