"""One-row INSERTs with the SQL built once per model: for the hottest write paths only.

``Model.save()`` compiles its INSERT anew every time (quoting every column,
resolving every field), which on a 45-column event cost more than the database
spent on the row, inside the transaction that holds SQLite's write lock.
``insert(obj)`` writes the same row the same way (each field's ``pre_save``
and ``get_db_prep_save``, so ``auto_now`` and JSON columns behave as with
``save()``) from a statement prepared once per model and database.

It sends no ``pre_save``/``post_save`` signals, so a model that has receivers
for them (the audit log, say) goes through ``save()`` instead.
"""

from __future__ import annotations

from django.db import connections, models
from django.db.models.signals import post_save, pre_save

_plans: dict[tuple[type, str], tuple[list, str]] = {}


def _plan(model: type[models.Model], alias: str) -> tuple[list, str]:
    key = (model, alias)
    plan = _plans.get(key)
    if plan is None:
        connection = connections[alias]
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not f.primary_key]
        q = connection.ops.quote_name
        table = q(meta.db_table)
        sql = (
            f"INSERT INTO {table} ({', '.join(q(f.column) for f in fields)})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {table}.{q(meta.pk.column)}"
        )
        plan = _plans[key] = (fields, sql)
    return plan


def insert(obj: models.Model, using: str = "default") -> models.Model:
    """INSERT ``obj`` (its primary key not set) and set its primary key; returns it."""
    model = type(obj)
    if obj.pk is not None:
        raise ValueError(f"{model.__name__} already has a primary key: {obj.pk}")
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(using=using, force_insert=True)
        return obj
    connection = connections[using]
    fields, sql = _plan(model, using)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using
    return obj


def _typed(field, connection) -> str:
    """A placeholder typed for a VALUES list (whose literals PostgreSQL would otherwise
    read as text): text columns stay untyped so the INSERT's own assignment checks their
    length (an explicit ``::varchar(n)`` would cut silently)."""
    db_type = field.db_type(connection) or ""
    if db_type == "text" or db_type.startswith("varchar"):
        return "%s"
    return f"%s::{db_type}"


class Raw(tuple):
    """A value given as SQL with its params, for ``insert_sql``: ``Raw((sql, params))``."""


def insert_sql(
    objs: list, *, gate: str | None = None, suffix: str = "", using: str = "default"
) -> tuple[str, list]:
    """One INSERT of ``objs`` (one model) as SQL to run as a data-modifying ``WITH`` part,
    written only if the ``gate`` part returned a row; ``suffix`` (ON CONFLICT, RETURNING)
    is appended. Primary keys: all set by the caller (taken from a sequence) or none.
    A field's value may be ``Raw`` SQL. PostgreSQL only; fields are prepared as
    ``insert`` prepares them."""
    model = type(objs[0])
    connection = connections[using]
    q = connection.ops.quote_name
    with_pk = objs[0].pk is not None
    fields = [f for f in model._meta.local_concrete_fields if with_pk or not f.primary_key]
    rows_sql, params = [], []
    typed = [_typed(f, connection) for f in fields]  # once per call, not per row
    plain = "(" + ", ".join(typed) + ")"
    for obj in objs:
        if type(obj) is not model or (obj.pk is not None) != with_pk:
            raise ValueError("insert_sql takes rows of one model, all with or all without pk")
        values = [getattr(obj, f.attname) for f in fields]
        if any(isinstance(v, Raw) for v in values):
            parts = []
            for f, placeholder, value in zip(fields, typed, values, strict=True):
                if isinstance(value, Raw):
                    parts.append(value[0])
                    params += value[1]
                else:
                    parts.append(placeholder)
                    params.append(f.get_db_prep_save(f.pre_save(obj, True), connection=connection))
            rows_sql.append("(" + ", ".join(parts) + ")")
        else:
            params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
            rows_sql.append(plain)
    columns = ", ".join(q(f.column) for f in fields)
    sql = (
        f"INSERT INTO {q(model._meta.db_table)} ({columns})"  # noqa: S608
        f" SELECT * FROM (VALUES {', '.join(rows_sql)}) AS v"
    )
    # WHERE always: a bare "AS v ON CONFLICT" would read as a join's ON.
    sql += f" WHERE EXISTS (SELECT 1 FROM {gate})" if gate is not None else " WHERE true"  # noqa: S608
    return sql + (f" {suffix}" if suffix else ""), params
