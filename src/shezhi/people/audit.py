"""Reads of the audit log of the workforce and roles, scoped like everything else."""

from __future__ import annotations

from functools import reduce
from operator import or_

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from shezhi.core.models import RoleAssignment

from .models import Assignment, Department, Person

AUDITED = (Person, Assignment, Department, RoleAssignment)


def audit_readers_paths(user) -> list[str] | None:
    """Area paths whose log the user may read: a district admin's; None means all."""
    if user.is_superuser:
        return None
    return list(
        RoleAssignment.objects.filter(user=user, role="district_admin").values_list(
            "area__path", flat=True
        )
    )


def can_read_audit_log(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(audit_readers_paths(user)))


def audit_entries(user, *, q: str = "") -> QuerySet[LogEntry]:
    """Changes to people, assignments, departments and roles inside the user's districts."""
    types = ContentType.objects.get_for_models(*AUDITED).values()
    qs = LogEntry.objects.filter(content_type__in=types).select_related("actor", "content_type")
    paths = audit_readers_paths(user)
    if paths is not None:
        if not paths:
            return qs.none()
        qs = qs.filter(reduce(or_, (Q(additional_data__area_path__startswith=p) for p in paths)))
    if q.strip():
        qs = qs.filter(Q(object_repr__icontains=q.strip()) | Q(actor__username=q.strip()))
    return qs.order_by("-timestamp", "-pk")
