"""Writing a checked plan: buildings, households, residents, moves, audit entries and the
tag counts, in one transaction, in bulk.

Rows go in through the database's fastest ordinary path: ``executemany`` on SQLite and
``COPY`` on PostgreSQL, built as plain tuples (a model instance costs more than the row's
insert), with ids drawn beforehand (the table's sequence on PostgreSQL; past the largest
id on SQLite, whose single writer holds the lock from the first write of the
transaction). Phones, ID numbers, birth dates and sensitive tags are encrypted by
``personal_data.encrypt``, the function ``EncryptedTextField`` stores them with; the rest
is converted as Django converts it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence

from django.apps import apps as django_apps
from django.db import connections, router
from django.utils import timezone

from shezhi.core import personal_data as pd

from ..models import Building, Household, Resident, ResidentMove, natural_key
from ..services.checks import recount
from .checking import NewHousehold, Plan, chunks
from .reading import KEEP, Row

BATCH = 5000
# ``json.dumps(value, ensure_ascii=False)``, without building an encoder at every call.
_JSON = json.JSONEncoder(ensure_ascii=False).encode

Progress = Callable[[int, int], None]


def _connection(model):
    return connections[router.db_for_write(model)]


def allocate_ids(model, n: int) -> list[int]:
    """``n`` unused ids of ``model``'s table, to insert with (call inside the transaction)."""
    if n <= 0:
        return []
    conn = _connection(model)
    table = conn.ops.quote_name(model._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: take the write lock first (a write that changes nothing), then count on.
        cursor.execute(f"UPDATE {table} SET id = id WHERE id < 0")  # noqa: S608
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        top = cursor.fetchone()[0]
    return list(range(top + 1, top + 1 + n))


def insert(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert ``rows`` (values in the order of ``columns``, ready for the database: see
    ``_day``, ``_moment``, ``_json``) with executemany or COPY."""
    conn = _connection(model)
    names = ", ".join(conn.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    table = conn.ops.quote_name(model._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            for batch in chunks(rows, BATCH):
                cursor.executemany(sql, batch)


class _Values:
    """Python values as the connection stores them (what the fields' get_db_prep_save
    give, for the few kinds of value written here)."""

    def __init__(self, conn):
        self.conn = conn
        self.postgres = conn.vendor == "postgresql"

    def moment(self, value: dt.datetime | None):
        if value is None or self.postgres:
            return value
        return self.conn.ops.adapt_datetimefield_value(value)

    def day(self, value: dt.date | None):
        if value is None or self.postgres:
            return value
        return value.isoformat()

    def json(self, value):
        return None if value is None else _JSON(value)


def _sealed(rows: list[tuple]) -> list[tuple]:
    """``rows`` with their personal data encrypted, a column of the batch at a time."""
    columns = [pd.encrypt_many([row[i] for row in rows]) for i in SEALED]
    out = []
    for n, row in enumerate(rows):
        values = list(row)
        for i, column in zip(SEALED, columns, strict=True):
            values[i] = column[n]
        out.append(tuple(values))
    return out


# ---------------------------------------------------------------------------


def _resident_values(r: Row) -> dict:
    """The columns a row sets (KEEP cells left out)."""
    out: dict = {}
    if r.name is not KEEP:
        out["name"] = r.name
    if r.id_number is not KEEP:
        out.update(
            id_number=r.id_number, id_number_index=r.id_index, id_number_last4=r.id_number[-4:]
        )
    if r.birth_given and r.birth_date:
        out.update(birth_date=r.birth_date.isoformat(), birth_year=r.birth_date.year)
    if r.sex:
        out["sex"] = r.sex
    if r.phone is not KEEP:
        out.update(phone=r.phone, phone_index=r.phone_index, phone_last4=r.phone[-4:])
    out["relation"] = r.relation
    if r.residence:
        out["residence"] = r.residence
    if r.arrived_on is not KEEP:
        out["arrived_on"] = r.arrived_on
    if r.tags is not KEEP:
        out["tags"] = r.tags
    if r.sensitive_tags is not KEEP:
        out["sensitive_tags"] = r.sensitive_tags
    return out


# What an audit entry of a resident keeps: no phone, ID number, birth date or sensitive tag.
AUDITED_RESIDENT = (
    "name",
    "sex",
    "birth_year",
    "relation",
    "residence",
    "arrived_on",
    "tags",
    "household_id",
    "id_number_last4",
    "phone_last4",
)
HOUSEHOLD_COLUMNS = (
    "id",
    "building",
    "unit",
    "room",
    "sort_key",
    "kind",
    "micro_grid",
    "area_path",
    "created_at",
    "updated_at",
)
RESIDENT_COLUMNS = (
    "id",
    "household",
    "name",
    "sex",
    "birth_date",
    "birth_year",
    "phone",
    "phone_index",
    "phone_last4",
    "id_number",
    "id_number_index",
    "id_number_last4",
    "relation",
    "residence",
    "arrived_on",
    "tags",
    "sensitive_tags",
    "sensitive_changed_at",
    "created_at",
    "updated_at",
)
# The resident columns written encrypted (``personal_data``, as ``EncryptedTextField``).
SEALED = tuple(
    RESIDENT_COLUMNS.index(c) for c in ("birth_date", "phone", "id_number", "sensitive_tags")
)


def write(plan: Plan, *, actor, progress: Progress | None = None) -> dict[str, int]:
    """Write ``plan`` (call inside a transaction). The counts written."""
    now = timezone.now()
    conv = _Values(_connection(Resident))
    stamp = conv.moment(now)
    total = max(len(plan.creates) + len(plan.updates), 1)
    audit = _Audit(actor, now, conv)

    new_buildings = list(plan.new_buildings.values())
    if new_buildings:
        Building.objects.bulk_create(new_buildings)
        for b in new_buildings:
            audit.created(b, b.area_path, {"number": b.number, "compound": b.compound_id})

    households: list[NewHousehold] = list(plan.new_households.values())
    for h, hid in zip(households, allocate_ids(Household, len(households)), strict=True):
        h.pk = hid
    insert(
        Household,
        HOUSEHOLD_COLUMNS,
        (
            (
                h.pk,
                h.building.pk,
                h.unit,
                h.room,
                natural_key(h.unit, h.room),
                h.kind,
                h.micro_grid_id,
                h.area_path,
                stamp,
                stamp,
            )
            for h in households
        ),
    )
    for h in households:
        audit.created(
            h,
            h.area_path,
            {"building": h.building.pk, "unit": h.unit, "room": h.room, "kind": h.kind},
        )
    if plan.kinds:
        changed = []
        for key, kind in plan.kinds.items():
            h = plan.households[key]
            audit.changed(h, h.area_path, {"kind": [h.kind, kind]})
            h.kind = kind
            h.updated_at = now
            changed.append(h)
        Household.objects.bulk_update(changed, ["kind", "updated_at"], batch_size=500)
    where = {**plan.households, **plan.new_households}
    grids = {h.micro_grid_id for h in where.values()}

    # Updates before creations, and heads stepping down before anyone steps up: a file
    # may hand a household's head over (one head per household, checked row by row).
    moves, updated, fields, stepping_down = [], [], {"updated_at"}, []
    for r, res, key in plan.updates:
        household = where[key]
        values = _resident_values(r)
        if res.relation == Resident.Relation.HEAD and (
            values["relation"] != Resident.Relation.HEAD or res.household_id != household.pk
        ):
            stepping_down.append(res.pk)
        if res.household_id != household.pk:
            grids.add(res.household.micro_grid_id)
            moves.append((res, res.household, household))
            values["household_id"] = household.pk
        diff = {}
        for k, v in values.items():
            old = getattr(res, k)
            if old != v:
                if k in AUDITED_RESIDENT:
                    diff[k] = [_plain(old), _plain(v)]
                setattr(res, k, v)
                fields.add(k)
                if k == "sensitive_tags":
                    res.sensitive_changed_at = now
                    fields.add("sensitive_changed_at")
        if diff or "sensitive_changed_at" in fields:
            audit.changed(res, household.area_path, diff)
        res.updated_at = now
        updated.append(res)
    for batch in chunks(stepping_down):
        Resident.objects.filter(pk__in=batch).update(relation=Resident.Relation.OTHER)
    if stepping_down:
        fields.add("relation")  # written back below, whatever each one's becomes
    if updated and len(fields) > 1:
        Resident.objects.bulk_update(updated, sorted(fields), batch_size=500)
    if moves:
        records = _moves(moves, actor)
        ResidentMove.objects.bulk_create(records, batch_size=500)
        for m in records:
            audit.created(m, m.to_path, {"resident": m.resident_id, "to": m.to_label})

    ids = allocate_ids(Resident, len(plan.creates))
    done = 0
    for batch in chunks(range(len(plan.creates)), BATCH):
        rows = []
        for i in batch:
            r, key = plan.creates[i]
            household = where[key]
            v = _resident_values(r)
            phone = v.get("phone", "")
            number = v.get("id_number", "")
            sensitive = v.get("sensitive_tags", "")
            arrived = v.get("arrived_on")
            rows.append(
                (
                    ids[i],
                    household.pk,
                    v.get("name", ""),
                    v.get("sex", ""),
                    v.get("birth_date", ""),
                    v.get("birth_year"),
                    phone,
                    v.get("phone_index", ""),
                    v.get("phone_last4", ""),
                    number,
                    v.get("id_number_index", ""),
                    v.get("id_number_last4", ""),
                    v["relation"],
                    v.get("residence", Resident.Residence.REGISTERED),
                    conv.day(arrived if arrived is not KEEP else None),
                    v.get("tags", ""),
                    sensitive,
                    stamp if sensitive else None,
                    stamp,
                    stamp,
                )
            )
            audit.created_resident(ids[i], household, v)
        insert(Resident, RESIDENT_COLUMNS, _sealed(rows))
        audit.flush()
        done += len(batch)
        if progress:
            progress(done, total)

    audit.flush()
    if progress:
        progress(total, total)
    recount(grids)
    return {
        "buildings_created": len(new_buildings),
        "households_created": len(households),
        "households_changed": len(plan.kinds),
        "residents_created": len(plan.creates),
        "residents_updated": len(updated),
        "residents_moved": len(moves),
    }


def _moves(moves, actor) -> list[ResidentMove]:
    pks = {h.pk for _r, a, b in moves for h in (a, b)}
    labels = {
        h.pk: str(h)[:200]
        for h in Household.objects.filter(pk__in=pks).select_related("building__compound")
    }
    return [
        ResidentMove(
            resident=res,
            from_household_id=source.pk,
            to_household_id=target.pk,
            from_path=source.area_path,
            to_path=target.area_path,
            from_label=labels.get(source.pk, ""),
            to_label=labels.get(target.pk, ""),
            moved_on=timezone.localdate(),
            reason="Excel import",
            moved_by=actor if getattr(actor, "pk", None) else None,
        )
        for res, source, target in moves
    ]


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class _Audit:
    """Audit-log entries written in bulk, as django-auditlog writes one for a save,
    without the personal data (the excluded fields never enter them)."""

    COLUMNS = (
        "content_type",
        "object_pk",
        "object_id",
        "object_repr",
        "action",
        "changes",
        "changes_text",
        "actor",
        "cid",
        "timestamp",
        "additional_data",
    )

    def __init__(self, actor, now, conv: _Values):
        self.enabled = django_apps.is_installed("auditlog")
        self.rows: list[tuple] = []
        if not self.enabled:
            return
        from auditlog.cid import get_cid
        from auditlog.models import LogEntry

        self.LogEntry = LogEntry
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.cid = get_cid()
        self.stamp = conv.moment(now)
        self.conv = conv
        self.types: dict = {}
        self.additional: dict[str, str] = {}

    def _type(self, model) -> int:
        from django.contrib.contenttypes.models import ContentType

        if model not in self.types:
            self.types[model] = ContentType.objects.get_for_model(model).pk
        return self.types[model]

    def _add(self, model, pk: int, action: int, path: str, changes: dict) -> None:
        self.rows.append(
            (
                self._type(model),
                str(pk),
                pk,
                f"{model.__name__} {pk}",
                action,
                self.conv.json(changes),
                "",
                self.actor_id,
                self.cid,
                self.stamp,
                self._additional(path),
            )
        )
        if len(self.rows) >= BATCH:
            self.flush()

    def _additional(self, path: str) -> str:
        found = self.additional.get(path)
        if found is None:
            found = self.additional[path] = self.conv.json(
                {"area_path": path, "source": "household import"}
            )
        return found

    def created(self, obj, path: str, values: dict) -> None:
        if self.enabled:
            model = Household if isinstance(obj, NewHousehold) else type(obj)
            changes = {k: ["None", _plain(v)] for k, v in values.items()}
            self._add(model, obj.pk, self.LogEntry.Action.CREATE, path, changes)

    def created_resident(self, pk: int, household, values: dict) -> None:
        if self.enabled:
            changes = {k: ["None", _plain(values[k])] for k in AUDITED_RESIDENT if k in values}
            changes["household_id"] = ["None", household.pk]
            self._add(Resident, pk, self.LogEntry.Action.CREATE, household.area_path, changes)

    def changed(self, obj, path: str, diff: dict) -> None:
        if self.enabled:
            self._add(type(obj), obj.pk, self.LogEntry.Action.UPDATE, path, diff)

    def flush(self) -> None:
        if self.enabled and self.rows:
            insert(self.LogEntry, self.COLUMNS, self.rows)
            self.rows = []
