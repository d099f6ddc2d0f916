"""Payments recorded as a batch: a gateway's settlement file, a bank statement, a day's
transfers entered together (issue 17: 1,000 payments a second).

``record_payments(actor=…, lines=[…])`` checks every line, then writes them all in one
transaction, or refuses them all (``LinesRefused``: each refused line named with its
number and field; nothing written). Each line is what ``record_payment`` takes (a
project, the payer's name, amount, channel, reference, named) and is answered as
``record_payment`` would answer it were the lines sent one after the other:

- idempotent on (channel, reference): a reference recorded already (before, or earlier
  in the batch) with the same project and amount is that payment (``created`` False);
  with another project or amount the line is refused;
- the project must be crowdfunding, before its deadline, the actor allowed to record
  its payments, and the line must fit under its funding cap after the lines before it;
- each payment draws the match it earns (``match_target``), one match transfer per
  payment with the same cause keys as single payments, so the ledger, the project's
  ``paid_in``/``matched`` and the audit log (one entry per payment) end as they would.

A cash payment needs its receipt photo: it is recorded on its own, never in a batch.

On PostgreSQL (``payment_sql.usable()``) the batch is a handful of statements whatever
its size: the projects locked (with their match counts), the ids taken from the
sequences, the references looked up, then the rows in multi-row INSERTs and the
balances and counters in one UPDATE each, as data-modifying ``WITH`` parts of one
statement per ``CHUNK`` lines. Elsewhere (SQLite) the same plan is written through the
ORM, line by line, in the same one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from shezhi.core import audit_rows
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, EventError, Forbidden, KeyReused, NotAllowed

from .. import ledger, permissions
from ..models import MoneyEntry, MoneyTransfer, Payment, Project
from . import payment_sql
from ._common import NAME_MAX, Kind, Stage, T, _fen, _now, _save, _text, yuan
from .money import Recorded, _release, match_target, raised

# The most lines one batch may carry, and the lines written per statement.
BATCH_MAX = 5_000
CHUNK = 500


class LinesRefused(BadInput):
    """Some lines of a batch were refused (nothing was written): ``lines`` lists each
    refusal as {line (1-based), field, code, detail}; ``field`` names the first."""

    def __init__(self, refusals: list[dict]):
        first = refusals[0]
        message = _("Line %(line)s: %(detail)s") % first
        super().__init__(message, field=f"lines.{first['line'] - 1}.{first['field']}")
        self.lines = refusals


@dataclass
class _Line:
    index: int
    project_id: int
    payer_name: str
    amount: int
    channel: str
    reference: str
    named: bool
    due: int = 0  # the match this payment draws (negative: gives back)
    match_n: int = -1  # the n in the match transfer's cause key
    existing: Payment | None = None
    first: _Line | None = None  # the line earlier in this batch with the same reference
    payment: Payment | None = field(default=None, repr=False)


def _parse(i: int, raw) -> _Line:
    if not isinstance(raw, dict):
        raise BadInput(_("Each line is an object."), field="line")
    project = raw.get("project")
    project_id = project.pk if isinstance(project, Project) else project
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        raise BadInput(_("Which project?"), field="project")
    amount = _fen(raw.get("amount"), "amount")
    channel = raw.get("channel")
    if channel not in Payment.Channel.values:
        raise BadInput(_("Unknown payment channel."), field="channel")
    if channel == Payment.Channel.CASH:
        raise BadInput(
            _("A cash payment needs its receipt photo: record it on its own."), field="channel"
        )
    reference = _text(raw.get("reference"), 64, "reference")
    payer_name = _text(raw.get("payer_name"), NAME_MAX, "payer_name")
    named = raw.get("named", False)
    if not isinstance(named, bool):
        raise BadInput(_("Yes or no."), field="named")
    return _Line(i, project_id, payer_name, amount, channel, reference, named)


def _refusal(line: int, exc: EventError) -> dict:
    return {"line": line, "field": exc.field or "line", "code": exc.code, "detail": exc.message}


def record_payments(*, actor, lines: list, at: datetime | None = None) -> list[Recorded]:
    """Record ``lines`` (dicts with project (a Project or its id), payer_name, amount,
    channel, reference, named) in one transaction; one ``Recorded`` per line, in order.
    Refuses them all with ``LinesRefused`` when any line is refused."""
    if not isinstance(lines, list) or not lines:
        raise BadInput(_("At least one line."), field="lines")
    if len(lines) > BATCH_MAX:
        raise BadInput(_("At most %(n)s lines at a time.") % {"n": BATCH_MAX}, field="lines")
    now = _now(at)
    parsed, refusals = [], []
    for i, raw in enumerate(lines):
        try:
            parsed.append(_parse(i, raw))
        except BadInput as exc:
            refusals.append(_refusal(i + 1, exc))
    if refusals:
        raise LinesRefused(refusals)
    try:
        return _record(actor, parsed, now)
    except IntegrityError:
        # A reference recorded by another request at the same moment: the batch rolled
        # back; again, it now finds that payment.
        for line in parsed:
            line.existing = line.first = line.payment = None
            line.due, line.match_n = 0, -1
        return _record(actor, parsed, now)


def _record(actor, lines: list[_Line], now: datetime) -> list[Recorded]:
    fast = payment_sql.usable()
    with transaction.atomic(), set_actor(actor):
        projects = _locked_projects({line.project_id for line in lines})
        _find_recorded(lines)
        _plan(actor, lines, projects, now)
        new = [line for line in lines if line.existing is None and line.first is None]
        for line in new:
            project = projects[line.project_id]
            line.payment = Payment(
                project=project,
                payer_name=line.payer_name,
                named=line.named,
                amount=line.amount,
                channel=line.channel,
                reference=line.reference,
                recorded_by=actor,
                at=now,
            )
        if new:
            if fast:
                _write_sql(new, projects, now, actor)
            else:
                _write_orm(new, projects, now, actor)
        for project in {projects[line.project_id] for line in new}:
            if project._before != (project.paid_in, project.matched) and not fast:
                _save(project, "paid_in", "matched")
            if raised(project) >= project.funding_cap:
                project.stage = Stage.DELIVERY
                _release(project, now, actor)
                _save(project, "stage")
    out = []
    for line in lines:
        if line.existing is not None:
            out.append(Recorded(line.existing, False))
        elif line.first is not None:
            source = line.first.existing or line.first.payment
            out.append(Recorded(source, False))
        else:
            out.append(Recorded(line.payment, True))
    return out


def _locked_projects(ids: set[int]) -> dict[int, Project]:
    """The projects under their row locks (ascending ids: two batches never deadlock),
    each with the number of match transfers it has, counted once the locks are held (a
    count in the locking statement would read the snapshot from before its wait)."""
    found = (
        Project.objects.select_for_update(of=("self",))
        .select_related("community")  # the permission check reads it
        .defer("community__boundary")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    projects = {p.pk: p for p in found}
    if connection.vendor != "postgresql":
        # SQLite takes the database's write lock; the accounts are locked as ``_locked``.
        for p in projects.values():
            ledger.lock(p.account_id, p.reserve_id)
    counts = dict(
        MoneyTransfer.objects.filter(project_id__in=list(projects), stream=T.MATCH)
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    for p in projects.values():
        p._before = (p.paid_in, p.matched)
        p._matches = counts.get(p.pk, 0)
    return projects


def _find_recorded(lines: list[_Line]) -> None:
    """Each line's payment recorded already (by its reference), or the line earlier in
    the batch with the same reference."""
    refs = {line.reference for line in lines}
    recorded = {
        (p.channel, p.reference): p
        for p in Payment.objects.filter(reference__in=refs).only(
            "pk", "project_id", "amount", "channel", "reference", "payer_name", "named", "status"
        )
    }
    seen: dict[tuple[str, str], _Line] = {}
    for line in lines:
        key = (line.channel, line.reference)
        line.existing = recorded.get(key)
        if line.existing is None:
            if key in seen:
                line.first = seen[key]
            else:
                seen[key] = line


def _plan(actor, lines: list[_Line], projects: dict[int, Project], now: datetime) -> None:
    """Every line checked in order against the projects as the lines before it leave
    them (``paid_in``/``matched`` moved in memory); refuses them all if any is refused."""
    refusals = []
    allowed: dict[int, bool] = {}
    for line in lines:
        try:
            project = projects.get(line.project_id)
            if project is None:
                raise BadInput(_("No such project."), field="project")
            same = line.existing or line.first
            if same is not None:
                if same.project_id != line.project_id or same.amount != line.amount:
                    raise KeyReused(
                        _("This reference was recorded for another payment."), field="reference"
                    )
                continue
            if project.pk not in allowed:
                allowed[project.pk] = permissions.can(actor, "record_payment", project)
            if not allowed[project.pk]:
                raise Forbidden(
                    _("Only the initiator or the community's staff record payments."),
                    field="project",
                )
            if project.stage != Stage.FUNDING:
                raise NotAllowed(_("This project is not crowdfunding."), field="project")
            if now > project.deadline:
                raise NotAllowed(_("The project's deadline has passed."), field="project")
            if raised(project) + line.amount > project.funding_cap:
                raise BadInput(
                    _("At most %(left)s more can be taken.")
                    % {"left": yuan(max(0, project.funding_cap - raised(project)))},
                    field="amount",
                )
            project.paid_in += line.amount
            line.due = match_target(project, project.paid_in) - project.matched
            project.matched += line.due
            if line.due:
                line.match_n = project._matches
                project._matches += 1
            if raised(project) >= project.funding_cap:
                # Funding ends with this line: later lines for it are refused, as the
                # single path would refuse them.
                project.stage, project._ends = Stage.DELIVERY, True
        except EventError as exc:
            refusals.append(_refusal(line.index + 1, exc))
    for project in projects.values():
        if getattr(project, "_ends", False):
            # Back to crowdfunding until written; ``_record`` ends funding after the rows.
            project.stage = Stage.FUNDING
    if refusals:
        raise LinesRefused(refusals)


def _transfers(line: _Line, project: Project, now, actor, pay_pk=None, match_pk=None):
    """The payment's transfer and, if it draws one, its match transfer: (row, legs)."""
    amount = line.amount
    out = [
        ledger.planned(
            pk=pay_pk,
            kind=T.PAYMENT,
            legs=[
                (ledger.boundary_account(project.district_id, Kind.PAYMENTS_IN), -amount),
                (project.account_id, amount),
            ],
            cause_type="payment",
            cause_id=str(line.payment.pk),
            project=project,
            at=now,
            actor=actor,
        )
    ]
    if line.due:
        due = line.due
        kind = T.MATCH if due > 0 else T.MATCH_RETURN
        legs = (
            [(project.reserve_id, -due), (project.account_id, due)]
            if due > 0
            else [(project.account_id, due), (project.reserve_id, -due)]
        )
        out.append(
            ledger.planned(
                pk=match_pk,
                kind=kind,
                stream=T.MATCH,
                legs=legs,
                cause_type="project",
                cause_id=f"{project.pk}:{line.match_n}",
                project=project,
                at=now,
                actor=actor,
            )
        )
    return out


def _write_orm(new: list[_Line], projects, now, actor) -> None:
    for line in new:
        project = projects[line.project_id]
        payment = line.payment
        payment.save()
        planned = _transfers(line, project, now, actor)
        for i, (row, legs) in enumerate(planned):
            written = ledger.transfer(
                kind=row.kind,
                stream=row.stream,
                legs=legs,
                holding={project.account_id, project.reserve_id},
                cause_type=row.cause_type,
                cause_id=row.cause_id,
                project=project,
                at=now,
                actor=actor,
            )
            if i == 0:
                payment.transfer = written
        Payment.objects.filter(pk=payment.pk).update(transfer=payment.transfer)


def _ids(n: int) -> list[tuple[int, int, int]]:
    """``n`` (payment, transfer, match transfer) ids from the sequences, in one query."""
    pay_seq = payment_sql._sequence(Payment)
    tr_seq = payment_sql._sequence(MoneyTransfer)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass), nextval(%s::regclass), nextval(%s::regclass)"
            " FROM generate_series(1, %s)",
            [pay_seq, tr_seq, tr_seq, n],
        )
        return cursor.fetchall()


_unnest_plans: dict[tuple[type, bool], tuple[list, str]] = {}


def _unnest_sql(objs: list) -> tuple[str, list]:
    """One INSERT of ``objs`` (one model; primary keys all set or none), a ``WITH`` part: one array
    parameter per column (``unnest``, sent in binary: ``%b``, for ``_bound_cursor``), so the
    statement's text and its parameters stay a few dozen whatever the number of rows, and
    its text the same from batch to batch. Fields are prepared as ``rows.insert_sql``
    prepares them; text columns go as ``text[]`` so the INSERT itself checks lengths."""
    model = type(objs[0])
    with_pk = objs[0].pk is not None
    plan = _unnest_plans.get((model, with_pk))
    if plan is None:
        q = connection.ops.quote_name
        fields = [f for f in model._meta.local_concrete_fields if with_pk or not f.primary_key]
        types = []
        for f in fields:
            db_type = f.db_type(connection) or "text"
            types.append("text" if db_type == "text" or db_type.startswith("varchar") else db_type)
        sql = (
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)})"  # noqa: S608
            f" SELECT * FROM unnest({', '.join(f'%b::{t}[]' for t in types)})"
        )
        plan = _unnest_plans[(model, with_pk)] = (fields, [_plain_type(f) for f in fields], sql)
    fields, plain, sql = plan
    columns = [[] for _f in fields]
    ops = connection.ops
    for obj in objs:
        for column, f, kind in zip(columns, fields, plain, strict=True):
            if kind is not None:
                value = getattr(obj, f.attname)
                if value is None or type(value) is kind[0]:
                    # What get_db_prep_save gives for a value already of the column's
                    # type, without its chain of calls (a quarter of a batch's Python).
                    tag = kind[1]
                    if tag == _AWARE:
                        if value is not None and value.utcoffset() is None:
                            # Naive: the field's own path makes it aware (and warns).
                            column.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
                            continue
                    elif tag:
                        value = ops.adapt_integerfield_value(value, tag)
                    column.append(value)
                    continue
            column.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    return sql, columns


_AWARE = "aware"
# Auto fields send their value as it is; the others through adapt_integerfield_value.
_AUTO = (models.AutoField, models.BigAutoField, models.SmallAutoField)
_INTEGERS = (
    models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField, models.PositiveSmallIntegerField,
)  # fmt: skip


def _integer(f) -> tuple[type, str] | None:
    if type(f) in _AUTO:
        return (int, "")
    if type(f) in _INTEGERS:
        return (int, f.get_internal_type())
    return None


def _plain_type(f) -> tuple[type, str] | None:
    """(Python type, integer internal type, ``_AWARE`` or "") of a column whose value of that
    exact type goes to the database as get_db_prep_save would send it; None for every other
    field (encrypted, dates, JSON, files, anything with its own pre_save), which take the
    field's own path. Exact classes only: a subclass may prepare its value otherwise. A
    date and time set by hand (not ``auto_now``) goes as it is when aware (PostgreSQL's
    ``adapt_datetimefield_value`` sends it unchanged)."""
    if (
        type(f) is models.DateTimeField
        and not (f.auto_now or f.auto_now_add)
        and connection.vendor == "postgresql"
    ):
        return (datetime, _AWARE)
    if isinstance(f, models.ForeignKey) and type(f) in (models.ForeignKey, models.OneToOneField):
        return _integer(f.target_field)
    if type(f) in _AUTO + _INTEGERS:
        return _integer(f)
    if type(f) in (models.CharField, models.TextField):
        return (str, "")
    if type(f) is models.BooleanField:
        return (bool, "")
    return None


_legs_plan: list[str] = []


def _legs_sql(legs: list[tuple[int, int, int]]) -> tuple[str, list]:
    """The legs' INSERT (a ``WITH`` part) from (transfer id, account id, fen) as three
    arrays, without a ``MoneyEntry`` built for each (a sixth of a batch's Python, with the
    collections of all those objects): its columns are three integers, sent as they are
    (``_unnest_sql`` would send the same). Through ``_unnest_sql`` should the model ever
    have other columns or other kinds of field."""
    if not _legs_plan:
        fields = [f for f in MoneyEntry._meta.local_concrete_fields if not f.primary_key]
        plain = [_plain_type(f) for f in fields]
        if [f.attname for f in fields] != ["transfer_id", "account_id", "amount"] or any(
            kind is None or kind[0] is not int for kind in plain
        ):
            _legs_plan.append("")
        else:
            _legs_plan.append(_unnest_sql([MoneyEntry(transfer_id=0, account_id=0, amount=1)])[0])
    sql = _legs_plan[0]
    if not sql:
        return _unnest_sql([MoneyEntry(transfer_id=t, account_id=a, amount=f) for t, a, f in legs])
    return sql, [[leg[0] for leg in legs], [leg[1] for leg in legs], [leg[2] for leg in legs]]


def _bound_cursor():
    """A cursor whose parameters go to the server apart from the statement (the arrays in
    binary), not quoted into its text by psycopg in Python as Django's client-side cursor
    does (a fifth of a batch's time, escaping every text of every array). Wrapped as
    ``connection.cursor()`` wraps its cursors, so the statement is logged and counted."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _write_sql(new: list[_Line], projects, now, actor) -> None:
    ids = _ids(len(new))
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        payments, transfers, legs = [], [], []
        deltas: dict[int, int] = {}
        taken = ids[start : start + CHUNK]
        for line, (pay_id, _tr, _match) in zip(chunk, taken, strict=True):
            line.payment.pk = pay_id
        # As auditlog logs them: no transfer yet.
        entries = audit_rows.creation_entries([line.payment for line in chunk])
        for line, (_pay, tr_id, match_id) in zip(chunk, taken, strict=True):
            project = projects[line.project_id]
            payment = line.payment
            for row, row_legs in _transfers(line, project, now, actor, tr_id, match_id):
                transfers.append(row)
                for account, fen in row_legs:
                    legs.append((row.pk, account, fen))
                    if account in (project.account_id, project.reserve_id):
                        deltas[account] = deltas.get(account, 0) + fen
            payment.transfer_id = tr_id
            payments.append(payment)
        parts, params = [], []

        def part(name, sql_params, parts=parts, params=params):
            parts.append(f"{name} AS ({sql_params[0]})")
            params.extend(sql_params[1])

        if entries:
            part("audit", _unnest_sql(entries))
        part("pay", _unnest_sql(payments))
        part("tr", _unnest_sql(transfers))
        part("en", _legs_sql(legs))
        changes = [d for d in deltas.items() if d[1]]
        if changes:
            part(
                "bal",
                (
                    "UPDATE projects_moneyaccount AS a SET balance = a.balance + d.delta"
                    " FROM unnest(%b::bigint[], %b::bigint[]) AS d(id, delta) WHERE a.id = d.id",
                    [[c[0] for c in changes], [c[1] for c in changes]],
                ),
            )
        last = start + CHUNK >= len(new)
        if last:
            moved = [p for p in projects.values() if p._before != (p.paid_in, p.matched)]
            if moved:
                matched = [p.matched for p in moved]
                part(
                    "prj",
                    (
                        "UPDATE projects_project AS p SET paid_in = d.paid_in,"
                        " matched = d.matched FROM unnest(%b::bigint[], %b::bigint[],"
                        " %b::bigint[]) AS d(id, paid_in, matched) WHERE p.id = d.id",
                        [[p.pk for p in moved], [p.paid_in for p in moved], matched],
                    ),
                )
        sql = "WITH " + ", ".join(parts) + " SELECT 1"
        with _bound_cursor() as cursor:
            cursor.execute(sql, params)
        for row in transfers:
            row._state.adding, row._state.db = False, "default"
        for payment in payments:
            payment._state.adding, payment._state.db = False, "default"
