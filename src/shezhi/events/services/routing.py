"""Where a step sends an event: the handler a dispatch names, a district's department,
the level above, the event a duplicate merges into. Each checks what the actor chose
and refuses with the field it is about."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.errors import BadInput, Forbidden
from shezhi.people.models import Assignment, Department

from .. import permissions
from ..models import Event
from ..selectors import visible_events

S = Event.State
User = get_user_model()


def dispatch_target(event: Event, actor, mine: set[str], data: dict) -> dict:
    """Resolve and check where the event goes; returns the handler fields."""
    kind = data.get("target") or (Event.HandlerKind.WORKER if event.category.grid_can_solve else "")
    if kind not in Event.HandlerKind.values:
        raise BadInput(
            _("Choose who handles it: the micro-grid's worker, a community or a department."),
            field="target",
        )
    if "dispatcher" not in mine and kind != Event.HandlerKind.WORKER:
        raise Forbidden(_("A grid worker dispatches only to the micro-grid's own worker."))
    if kind == Event.HandlerKind.WORKER:
        worker_id = data.get("worker")
        if worker_id in (None, ""):
            if event.area.level != c.MICRO_GRID:
                raise BadInput(
                    _("The event is not inside a micro-grid; choose the worker."),
                    field="worker",
                )
            assignment = (
                Assignment.objects.filter(
                    area=event.area, role=Assignment.Role.RESPONSIBLE_WORKER, ended_on__isnull=True
                )
                .select_related("person")
                .first()
            )
            if assignment is None or assignment.person.user_id is None:
                raise BadInput(
                    _("The micro-grid has no responsible worker with a sign-in; choose one."),
                    field="worker",
                )
            worker_id = assignment.person.user_id
        try:
            worker = User.objects.get(pk=int(worker_id), is_active=True)
        except (User.DoesNotExist, TypeError, ValueError):
            raise BadInput(_("Unknown worker."), field="worker") from None
        if not permissions.can(worker, "be_dispatched", event):
            raise BadInput(_("That worker does not serve where the event is."), field="worker")
        if "dispatcher" not in mine and worker.pk != actor.pk:
            assignment_worker = Assignment.objects.filter(
                area=event.area,
                role=Assignment.Role.RESPONSIBLE_WORKER,
                ended_on__isnull=True,
                person__user=worker,
            ).exists()
            if not assignment_worker:
                raise Forbidden(_("A grid worker dispatches only to the micro-grid's own worker."))
        return {
            "handler_kind": kind,
            "handler_user": worker,
            "handler_area": None,
            "handler_department": None,
        }
    if kind == Event.HandlerKind.COMMUNITY:
        community = Area.objects.defer("boundary").get(path=event.area_path[: 3 * Area.steplen])
        return {
            "handler_kind": kind,
            "handler_user": None,
            "handler_area": community,
            "handler_department": None,
        }
    department = department_of_district(event, data.get("department"))
    return {
        "handler_kind": kind,
        "handler_user": None,
        "handler_area": None,
        "handler_department": department,
    }


def department_of_district(event: Event, value) -> Department:
    district_path = event.area_path[: Area.steplen]
    qs = Department.objects.filter(district__path=district_path)
    dept = None
    if value not in (None, ""):
        dept = qs.filter(code=str(value)).first()
        if dept is None and str(value).isascii() and str(value).isdigit():
            dept = qs.filter(pk=int(value)).first()
    elif event.category.department_code:
        dept = qs.filter(code=event.category.department_code).first()
    if dept is None:
        raise BadInput(
            _("Unknown department %(department)s in this district.")
            % {"department": value or event.category.department_code or "—"},
            field="department",
        )
    return dept


def same_handler(event: Event, fields: dict) -> bool:
    return (
        event.handler_kind == fields["handler_kind"]
        and event.handler_user_id == (fields["handler_user"].pk if fields["handler_user"] else None)
        and event.handler_area_id == (fields["handler_area"].pk if fields["handler_area"] else None)
        and event.handler_department_id
        == (fields["handler_department"].pk if fields["handler_department"] else None)
    )


def handler_history(event: Event) -> dict:
    return {
        "handler_kind": event.handler_kind,
        "handler_user": event.handler_user_id,
        "handler_area": event.handler_area.code if event.handler_area_id else None,
        "handler_department": (
            event.handler_department.code if event.handler_department_id else None
        ),
    }


def parent_area(area: Area) -> Area:
    return Area.objects.defer("boundary").get(path=area.path[: -Area.steplen])


def merge_master(event: Event, value, actor) -> Event:
    try:
        master = visible_events(actor).select_related("category").get(pk=int(value))
    except (Event.DoesNotExist, TypeError, ValueError):
        raise BadInput(_("Choose the event this one duplicates."), field="master") from None
    if master.pk == event.pk:
        raise BadInput(_("An event cannot duplicate itself."), field="master")
    if master.state in (S.VOIDED, S.MERGED):
        raise BadInput(_("Merge into an event that is still valid."), field="master")
    if master.area_path[: Area.steplen] != event.area_path[: Area.steplen]:
        raise BadInput(_("Merge only events of the same district."), field="master")
    return master
