"""A resident's payment in one statement on PostgreSQL (issue 17: 1,000 payments a second).

``record_payment`` through the ORM sends about 15 statements, each a round trip, all
inside the project's lock: that wait, not the work, bounded the rate. Here, after the
project row is locked (one SELECT that also takes the new rows' ids from their
sequences), one statement writes everything, each part a data-modifying ``WITH``:

- the payment, ``ON CONFLICT (channel, reference) DO NOTHING``: the idempotency check
  folded into the insert; every other part is written only if it returned a row;
- its audit log entry (``core.audit_rows``, the entry ``auditlog`` would write);
- the payment's transfer and the match it earns (``ledger.planned``: the same checks,
  rows and cause keys as ``ledger.transfer``; the match's cause number counted in the
  statement, under the lock), their legs in one INSERT;
- the holding accounts' balances in one UPDATE (the project's account and its reserve
  are only ever moved under the project's lock, so no lock of their own is needed, and
  the database's CHECK still refuses a negative one);
- the project's ``paid_in`` and ``matched``.

Used only when it writes what the ORM path writes (``usable``): PostgreSQL, and no
receiver but the audit log's listening to payments; everything else (SQLite, a
payment that ends funding) goes through the ORM path or after this statement through it.
"""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL

from shezhi.core import audit_rows, rows

from .. import ledger
from ..models import MoneyAccount, MoneyEntry, MoneyTransfer, Payment, Project

Kind = MoneyAccount.Kind
T = MoneyTransfer.Kind
_sequences: dict[str, str] = {}


def usable() -> bool:
    return connection.vendor == "postgresql" and audit_rows.replaceable(Payment)


def _sequence(model) -> str:
    table = model._meta.db_table
    if table not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def _nextval(model) -> RawSQL:
    # The sequence name goes as a param, never into the SQL text.
    return RawSQL("nextval(%s::regclass)", (_sequence(model),))


def locked_with_ids(pk: int) -> tuple[Project, int, int, int]:
    """The project under its row lock, with ids for a payment and two transfers."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .annotate(
            _payment_id=_nextval(Payment),
            _transfer_id=_nextval(MoneyTransfer),
            _match_id=_nextval(MoneyTransfer),
        )
        .get(pk=pk)
    )
    return project, project._payment_id, project._transfer_id, project._match_id


def write(
    project: Project, payment: Payment, *, due: int, ids: tuple[int, int, int], now, actor
) -> bool:
    """Write ``payment`` (unsaved) with its transfer, the match ``due`` (fen; negative:
    given back), the balances and the project's counters; False, writing nothing, when
    its (channel, reference) was recorded already. On success ``project.paid_in`` and
    ``matched`` and ``payment.pk``/``transfer`` are set."""
    payment_id, transfer_id, match_id = ids
    amount = payment.amount
    payment.pk = payment_id
    entry = audit_rows.creation_entry(payment)  # as auditlog logs it: transfer not yet set
    payment.transfer_id = transfer_id
    pay_row, pay_legs = ledger.planned(
        pk=transfer_id,
        kind=T.PAYMENT,
        legs=[
            (ledger.boundary_account(project.district_id, Kind.PAYMENTS_IN), -amount),
            (project.account_id, amount),
        ],
        cause_type="payment",
        cause_id=str(payment_id),
        project=project,
        at=now,
        actor=actor,
    )
    transfers, legs = [pay_row], [(pay_row, pay_legs)]
    if due:
        # The n-th match transfer of the project, counted under its lock (as ``_adjust_match``).
        n = (
            "(SELECT count(*) FROM projects_moneytransfer"
            " WHERE project_id = %s AND stream = %s)::text"
        )
        kind = T.MATCH if due > 0 else T.MATCH_RETURN
        match_row, match_legs = ledger.planned(
            pk=match_id,
            kind=kind,
            stream=T.MATCH,
            legs=[(project.reserve_id, -due), (project.account_id, due)],
            cause_type="project",
            cause_id=rows.Raw((f"%s || {n}", [f"{project.pk}:", project.pk, T.MATCH])),
            cause_key=rows.Raw(
                (f"%s || {n}", [f"{kind}:project:{project.pk}:", project.pk, T.MATCH])
            ),
            project=project,
            at=now,
            actor=actor,
        )
        transfers.append(match_row)
        legs.append((match_row, match_legs))
    deltas: dict[int, int] = {}
    for _row, row_legs in legs:
        for account, fen in row_legs:
            if account in (project.account_id, project.reserve_id):
                deltas[account] = deltas.get(account, 0) + fen
    paid_in, matched = project.paid_in + amount, project.matched + due

    parts, params = [], []

    def part(name, sql_params):
        parts.append(f"{name} AS ({sql_params[0]})")
        params.extend(sql_params[1])

    part(
        "pay",
        rows.insert_sql(
            [payment],
            suffix="ON CONFLICT (channel, reference) WHERE NOT (reference = '') DO NOTHING"
            " RETURNING id",
        ),
    )
    if entry is not None:
        part("audit", rows.insert_sql([entry], gate="pay"))
    part("tr", rows.insert_sql(transfers, gate="pay", suffix="RETURNING id, cause_id"))
    entries = [
        MoneyEntry(transfer_id=r.pk, account_id=a, amount=f) for r, ls in legs for a, f in ls
    ]
    part("en", rows.insert_sql(entries, gate="pay"))
    changes = [d for d in deltas.items() if d[1]]
    if changes:
        part(
            "bal",
            (
                "UPDATE projects_moneyaccount AS a SET balance = a.balance + d.delta FROM (VALUES "  # noqa: S608
                + ", ".join(["(%s::bigint, %s::bigint)"] * len(changes))
                + ") AS d(id, delta) WHERE a.id = d.id AND EXISTS (SELECT 1 FROM pay)",
                [v for pair in changes for v in pair],
            ),
        )
    part(
        "prj",
        (
            "UPDATE projects_project SET paid_in = %s, matched = %s"
            " WHERE id = %s AND EXISTS (SELECT 1 FROM pay)",
            [paid_in, matched, project.pk],
        ),
    )
    sql = (
        "WITH " + ", ".join(parts) + " SELECT (SELECT id FROM pay),"  # noqa: S608
        " (SELECT cause_id FROM tr WHERE id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, match_id])
        written, match_cause = cursor.fetchone()
    if written is None:
        payment.pk = payment.transfer_id = None
        return False
    for row in transfers:
        row._state.adding, row._state.db = False, "default"
    if due:
        match_row.cause_id = match_cause
        match_row.cause_key = f"{match_row.kind}:project:{match_cause}"
    payment.transfer = pay_row
    payment._state.adding, payment._state.db = False, "default"
    project.paid_in, project.matched = paid_in, matched
    return True
