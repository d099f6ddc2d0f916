"""SQL the planners need said their way: ``among`` ("id in (subquery)" as both use it,
also inside an OR) and ``unindexed`` (a check on rows found otherwise, kept off
SQLite's index by its unary ``+``)."""

from __future__ import annotations

from django.db.models import F, Func, Q, QuerySet
from django.db.models import lookups as dj_lookups
from django.db.models.constants import LOOKUP_SEP


class Unindexed(Func):
    """A column read as a value, not through its index: on SQLite ``+col`` (its
    documented way to keep the planner off an index); elsewhere the column itself."""

    arity = 1
    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


class Among(dj_lookups.Lookup):
    """``lhs IN (subquery)``, written ``lhs = ANY(ARRAY(subquery))`` on PostgreSQL: its
    planner indexes the array (an InitPlan, run once) also as one arm of an OR, where
    it leaves ``IN (SELECT …)`` unindexed. Read ``Unindexed`` (a check on rows found
    otherwise) it stays ``IN (SELECT …)``: a hashed lookup per row, where ``= ANY`` of
    a parameter array would search the array from its start for every row."""

    lookup_name = "among"
    prepare_rhs = False

    def _sides(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        if not rhs_sql.startswith("("):
            rhs_sql = f"({rhs_sql})"
        return lhs_sql, rhs_sql, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs_sql, rhs_sql, params = self._sides(compiler, connection)
        return f"{lhs_sql} IN {rhs_sql}", params

    def as_postgresql(self, compiler, connection):
        if isinstance(self.lhs, Unindexed):
            return self.as_sql(compiler, connection)
        lhs_sql, rhs_sql, params = self._sides(compiler, connection)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", params


def among(field_name: str, subquery: QuerySet) -> Q:
    """Rows whose ``field_name`` is one of the values ``subquery`` selects (one column)."""
    return Q(Among(F(field_name), subquery))


_LOOKUPS = {
    "exact": dj_lookups.Exact,
    "in": dj_lookups.In,
    "gt": dj_lookups.GreaterThan,
    "gte": dj_lookups.GreaterThanOrEqual,
    "lt": dj_lookups.LessThan,
    "lte": dj_lookups.LessThanOrEqual,
    "isnull": dj_lookups.IsNull,
}


def unindexed(q: Q) -> Q:
    """``q`` with every column it compares read through ``Unindexed``: the same rows,
    but SQLite's planner will not drive the query from those columns' indexes.

    Takes the plain lookups (``exact``, ``in``, ``gt(e)``, ``lt(e)``, ``isnull``) on the
    model's own columns (no relation crossed) and lookup expressions (``Among``);
    anything else is a programming error (ValueError), never a silent change of meaning.
    """
    out = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(unindexed(child))
        elif isinstance(child, dj_lookups.Lookup):
            out.children.append(type(child)(Unindexed(child.lhs), child.rhs))
        elif isinstance(child, tuple):
            key, value = child
            column, _sep, lookup = key.partition(LOOKUP_SEP)
            lookup = lookup or "exact"
            if lookup not in _LOOKUPS or value is None:
                raise ValueError(f"unindexed() cannot rewrite {key!r}={value!r}")
            out.children.append(_LOOKUPS[lookup](Unindexed(F(column)), value))
        else:
            raise ValueError(f"unindexed() cannot rewrite {child!r}")
    return out
