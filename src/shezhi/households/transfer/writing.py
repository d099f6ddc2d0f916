"""Writing a checked plan: buildings, households, residents, moves, audit entries and the
tag counts, in one transaction, in bulk.

Rows go in through the database's fastest ordinary path: ``executemany`` on SQLite and
``COPY`` on PostgreSQL, with ids drawn beforehand (the table's sequence on PostgreSQL,
past the largest id on SQLite, whose single writer holds the lock from the first write of
the transaction). Values are converted as Django converts them: the encrypted fields
through ``EncryptedTextField.get_db_prep_save`` (the same Fernet encryption as a save),
dates and JSON through their fields; plain columns as they are.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

from django.apps import apps as django_apps
from django.db import connections, models, router
from django.utils import timezone

from shezhi.core.personal_data import EncryptedTextField

from ..models import Building, Household, Resident, ResidentMove
from ..services.checks import recount
from .checking import Plan, chunks
from .reading import KEEP, Row

BATCH = 5000

Progress = Callable[[int, int], None]

_CONVERTED = (EncryptedTextField, models.JSONField, models.DateField, models.DecimalField)


def _connection(model):
    return connections[router.db_for_write(model)]


def allocate_ids(model, n: int) -> list[int]:
    """``n`` unused ids of ``model``'s table, to insert with (call inside the transaction)."""
    if n <= 0:
        return []
    conn = _connection(model)
    table = model._meta.db_table
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: take the write lock first (a no-op write), then count on from the top.
        cursor.execute(f'UPDATE "{table}" SET id = id WHERE id < 0')  # noqa: S608
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        top = cursor.fetchone()[0]
    return list(range(top + 1, top + 1 + n))


def insert(model, objs: Sequence[models.Model], *, with_pk: bool = True) -> None:
    """Insert ``objs`` (their ids set when ``with_pk``) with executemany or COPY."""
    if not objs:
        return
    conn = _connection(model)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    constants: dict[int, object] = {}
    converters: dict[int, Callable] = {}
    for i, f in enumerate(fields):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants[i] = f.get_db_prep_save(now, conn)
        elif isinstance(f, _CONVERTED) or (
            isinstance(f, models.DateTimeField) and conn.vendor != "postgresql"
        ):
            converters[i] = lambda value, f=f: f.get_db_prep_save(value, conn)
    getter = operator.attrgetter(*[f.attname for f in fields])
    plain = [i for i in range(len(fields)) if i not in constants and i not in converters]

    def rows(batch):
        for obj in batch:
            values = list(getter(obj))
            for i, convert in converters.items():
                values[i] = convert(values[i])
            for i, value in constants.items():
                values[i] = value
            yield values

    del plain
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    table = conn.ops.quote_name(model._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for batch in chunks(objs, BATCH):
                    for values in rows(batch):
                        copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            for batch in chunks(objs, BATCH):
                cursor.executemany(sql, list(rows(batch)))


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


def write(plan: Plan, *, actor, progress: Progress | None = None) -> dict[str, int]:
    """Write ``plan`` (call inside a transaction). The counts written."""
    now = timezone.now()
    total = max(len(plan.creates) + len(plan.updates), 1)
    audit = _Audit(actor, now)

    new_buildings = list(plan.new_buildings.values())
    if new_buildings:
        Building.objects.bulk_create(new_buildings)
        audit.created(new_buildings, lambda b: {"number": b.number, "compound": b.compound_id})

    households = list(plan.new_households.values())
    for h, hid in zip(households, allocate_ids(Household, len(households)), strict=True):
        h.pk = hid
        if h.building_id is None:
            h.building = h._building
        h.created_at = h.updated_at = now
    insert(Household, households)
    audit.created(
        households,
        lambda h: {"unit": h.unit, "room": h.room, "kind": h.kind, "building": h.building_id},
    )
    where = {**plan.households, **plan.new_households}
    if plan.kinds:
        changed = []
        for key, kind in plan.kinds.items():
            h = plan.households[key]
            audit.changed(h, {"kind": [h.kind, kind]})
            h.kind = kind
            changed.append(h)
        Household.objects.bulk_update(changed, ["kind", "updated_at"], batch_size=500)
    grids = {h.micro_grid_id for h in where.values()}
    done = 0

    residents = []
    for (r, key), rid in zip(plan.creates, allocate_ids(Resident, len(plan.creates)), strict=True):
        values = _resident_values(r)
        res = Resident(pk=rid, household=where[key], **values)
        if res.sensitive_tags:
            res.sensitive_changed_at = now
        residents.append(res)
    for batch in chunks(residents, BATCH):
        insert(Resident, batch)
        audit.created(batch, lambda x: {k: _json(getattr(x, k)) for k in AUDITED_RESIDENT})
        done += len(batch)
        if progress:
            progress(done, total)

    moves, updated, fields = [], [], {"updated_at"}
    for r, res, key in plan.updates:
        household = where[key]
        values = _resident_values(r)
        if res.household_id != household.pk:
            grids.add(res.household.micro_grid_id)
            moves.append(
                ResidentMove(
                    resident=res,
                    from_household=res.household,
                    to_household=household,
                    from_path=res.household.area_path,
                    to_path=household.area_path,
                    from_label=str(res.household.pk),
                    to_label=str(household.pk),
                    moved_on=timezone.localdate(),
                    reason="import",
                    moved_by=actor if getattr(actor, "pk", None) else None,
                )
            )
            values["household_id"] = household.pk
        diff = {}
        for k, v in values.items():
            old = getattr(res, k)
            if old != v:
                if k in AUDITED_RESIDENT:
                    diff[k] = [_json(old), _json(v)]
                setattr(res, k, v)
                fields.add(k)
                if k == "sensitive_tags":
                    res.sensitive_changed_at = now
                    fields.add("sensitive_changed_at")
        if diff or "sensitive_tags" in values:
            audit.changed(res, diff)
        res.updated_at = now
        updated.append(res)
    if updated and len(fields) > 1:
        Resident.objects.bulk_update(updated, sorted(fields), batch_size=500)
    if moves:
        for m in moves:
            m.from_label = _label(m.from_household)
            m.to_label = _label(m.to_household)
        ResidentMove.objects.bulk_create(moves, batch_size=500)
        audit.created(moves, lambda m: {"resident": m.resident_id, "to": m.to_label})
    if progress:
        progress(total, total)
    audit.flush()
    recount(grids)
    return {
        "buildings_created": len(new_buildings),
        "households_created": len(households),
        "households_changed": len(plan.kinds),
        "residents_created": len(residents),
        "residents_updated": len(updated),
        "residents_moved": len(moves),
    }


def _label(household: Household) -> str:
    building = household.building
    return f"{building.compound.name} {building.number} {household.unit}-{household.room}"[:200]


def _json(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class _Audit:
    """Audit-log entries written in bulk, as django-auditlog writes one for a save,
    without the personal data (the excluded fields never enter them)."""

    def __init__(self, actor, now):
        self.enabled = django_apps.is_installed("auditlog")
        self.entries = []
        if not self.enabled:
            return
        from auditlog.cid import get_cid
        from auditlog.models import LogEntry

        self.LogEntry = LogEntry
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.cid = get_cid()
        self.now = now
        self.types = {}

    def _type(self, model):
        from django.contrib.contenttypes.models import ContentType

        if model not in self.types:
            self.types[model] = ContentType.objects.get_for_model(model).pk
        return self.types[model]

    def _entry(self, obj, action, changes):
        return self.LogEntry(
            content_type_id=self._type(type(obj)),
            object_pk=str(obj.pk),
            object_id=obj.pk,
            object_repr=f"{type(obj).__name__} {obj.pk}",
            action=action,
            changes=changes,
            changes_text="",
            actor_id=self.actor_id,
            cid=self.cid,
            timestamp=self.now,
            additional_data={
                "area_path": getattr(obj, "area_path", "")
                or getattr(getattr(obj, "household", None), "area_path", ""),
                "source": "household import",
            },
        )

    def created(self, objs, changes: Callable):
        if not self.enabled:
            return
        create = self.LogEntry.Action.CREATE
        self.entries.extend(
            self._entry(o, create, {k: ["None", _json(v)] for k, v in changes(o).items()})
            for o in objs
        )
        if len(self.entries) >= BATCH:
            self.flush()

    def changed(self, obj, diff: dict):
        if not self.enabled:
            return
        self.entries.append(self._entry(obj, self.LogEntry.Action.UPDATE, diff))

    def flush(self):
        if self.enabled and self.entries:
            insert(self.LogEntry, self.entries, with_pk=False)
            self.entries = []
