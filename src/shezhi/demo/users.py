"""Demo sign-ins: one per kind of user the platform has so far."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from shezhi.areas.models import Area
from shezhi.core.models import Role
from shezhi.people.models import Department, RoleAssignment

# A demo is for trying the platform on one's own machine; these are printed on
# purpose. A real deployment creates its own users (README).
DEMO_PASSWORD = "shezhi-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    description: str
    role: str | None = None
    area_code: str | None = None
    superuser: bool = False
    department_code: str | None = None


DEMO_USERS = (
    DemoUser("admin", "platform superuser (all districts, back office)", superuser=True),
    DemoUser("qbj_admin", "district admin of 青白江区", Role.DISTRICT_ADMIN, "510113"),
    DemoUser("alliance", "alliance viewer (青白江区)", Role.ALLIANCE_VIEWER, "510113"),
    DemoUser(
        "dept_cg",
        "department staff (区城市管理局)",
        Role.DEPARTMENT_STAFF,
        "510113",
        department_code="cg",
    ),
    DemoUser(
        "dept_zj",
        "department staff (区住房和城乡建设局)",
        Role.DEPARTMENT_STAFF,
        "510113",
        department_code="zj",
    ),
    DemoUser("dawan_staff", "street staff of 大弯街道", Role.STREET_STAFF, "510113001"),
    DemoUser(
        "community_staff",
        "community staff of its first community",
        Role.COMMUNITY_STAFF,
        "510113001001",
    ),
    DemoUser(
        "grid_worker",
        "full-time grid worker of its first general grid",
        Role.GRID_WORKER,
        "510113001001001",
    ),
    DemoUser(
        "mg_worker",
        "micro-grid worker of its first micro-grid",
        Role.MICRO_GRID_WORKER,
        "510113001001001001",
    ),
    DemoUser("resident", "resident of that micro-grid", Role.RESIDENT, "510113001001001001"),
)


@transaction.atomic
def ensure_demo_users() -> list[DemoUser]:
    User = get_user_model()
    made = []
    # One hash for every demo sign-in: the password is printed for all to read, so a
    # salt of its own per account protects nothing, and each hash costs ~0.3 s.
    hashed = None
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={"is_staff": demo.superuser, "is_superuser": demo.superuser},
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
        if demo.role and demo.area_code:
            area = Area.objects.filter(code=demo.area_code).first()
            department = None
            if demo.department_code and area is not None:
                department = Department.objects.filter(
                    district__path=area.path[: Area.steplen], code=demo.department_code
                ).first()
                if department is None:
                    area = None  # no departments yet: the workforce demo makes them
            if area is not None:
                RoleAssignment.objects.get_or_create(
                    user=user, role=demo.role, area=area, defaults={"department": department}
                )
        made.append(demo)
    return made


def sign_in_lines() -> list[str]:
    width = max(len(d.username) for d in DEMO_USERS)
    return [f"  {d.username:<{width}} / {DEMO_PASSWORD}   {d.description}" for d in DEMO_USERS]
