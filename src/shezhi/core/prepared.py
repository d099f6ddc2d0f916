"""Querysets compiled once, run many times: for the hottest reads only.

Django compiles a queryset's SQL anew at every run: for ``perform``'s locking read of
an event with its category and two areas (a hundred columns, some deferred) the
compiling cost five times what the database spent on the row, at every step of the
workflow. ``get_one(key, build, value)`` runs ``build(value).get()`` from SQL compiled
once per ``key`` and database, with the same model instances as a result (fields
converted by their own converters, ``select_related`` objects filled in the same way).

``build`` must give the same query for every value apart from that one parameter (it
is found in the compiled parameters by a marker value); a query whose parameters do
not hold the marker exactly once is run the ordinary way, every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

_MARK = -4_611_686_018_427_387_000  # an integer primary key nobody has


@dataclass
class _Plan:
    sql: str
    params: list
    at: int  # where the value goes in params
    compiler: Any
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list
    locks: bool


_plans: dict[tuple[str, str], _Plan | None] = {}


def _plan(key: str, build: Callable[[Any], QuerySet], using: str) -> _Plan | None:
    if (key, using) in _plans:
        return _plans[(key, using)]
    qs = build(_MARK)
    query = qs.query.chain()
    query.set_limits(high=2)  # as .get() does (MAX_GET_RESULTS is larger; two tell enough)
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    at = [i for i, p in enumerate(params) if p == _MARK]
    plan = None
    if len(at) == 1 and not compiler.annotation_col_map and not qs._known_related_objects:
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        plan = _Plan(
            sql=sql,
            params=list(params),
            at=at[0],
            compiler=compiler,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[f[0].target.attname for f in select[start:end]],
            populators=get_related_populators(klass_info, select, using),
            locks=bool(query.select_for_update),
        )
    _plans[(key, using)] = plan
    return plan


def get_one(key: str, build: Callable[[Any], QuerySet], value, *, using: str = "default"):
    """``build(value).get()``, compiled once per ``key``: the model instance, or the
    model's ``DoesNotExist`` / ``MultipleObjectsReturned``."""
    plan = _plan(key, build, using)
    if plan is None:
        return build(value).get()
    connection = connections[using]
    if plan.locks and connection.features.has_select_for_update and connection.get_autocommit():
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    params = list(plan.params)
    params[plan.at] = value
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        rows = cursor.fetchall()
    model = plan.model
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    if len(rows) > 1:
        raise model.MultipleObjectsReturned(
            f"get() returned more than one {model._meta.object_name}."
        )
    row = next(iter(plan.compiler.results_iter(results=[rows])))
    obj = model.from_db(using, plan.init_list, row[plan.start : plan.end])
    for populator in plan.populators:
        populator.populate(row, obj)
    return obj


_updates: dict[tuple, str] = {}


def update_versioned(model: type[Model], pk, version: int, values: dict, *, using="default") -> int:
    """``model.objects.filter(pk=pk, version=version).update(version=F("version") + 1,
    **values)`` with its SQL built once per model and set of columns (``values``: attnames
    to values, prepared by their fields as ``update`` prepares them); the rows updated.

    For the workflow's optimistic write of every step, where compiling the UPDATE cost
    more than the database spent on it."""
    connection = connections[using]
    opts = model._meta
    names = tuple(values)
    key = (opts.label, names, using)
    sql = _updates.get(key)
    fields = [opts.get_field(name) for name in names]
    if sql is None:
        q = connection.ops.quote_name
        version_col = q(opts.get_field("version").column)
        sets = [f"{q(f.column)} = %s" for f in fields]
        sets.append(f"{version_col} = {version_col} + 1")
        sql = _updates[key] = (
            f"UPDATE {q(opts.db_table)} SET {', '.join(sets)}"  # noqa: S608
            f" WHERE {q(opts.pk.column)} = %s AND {version_col} = %s"
        )
    params = [f.get_db_prep_save(values[n], connection) for f, n in zip(fields, names, strict=True)]
    params += [opts.pk.get_db_prep_save(pk, connection), version]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
