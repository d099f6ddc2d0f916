"""The people: the simulated sign-ins who report and act."""

from __future__ import annotations

import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.people.models import Assignment, Department, Person, RoleAssignment

from .figures import DEMO_COMMUNITY, DEMO_STREET
from .words import GIVEN, SURNAMES


class Cast:
    """The simulated people: the demo sign-in where one holds the post, else a new user.

    New users get unusable passwords (nobody signs in as them); workers are
    linked to their person record, staff to a committee member or street cadre
    of their place where there is one.
    """

    def __init__(self, district: Area, rng: random.Random):
        self.district = district
        self.rng = rng
        self.areas = {
            a.code: a
            for a in Area.objects.filter(path__startswith=district.path)
            .defer("boundary")
            .order_by("path")
        }
        self.departments = {d.code: d for d in Department.objects.filter(district=district)}
        self.worker: dict = {}  # micro-grid code → user
        self.grid_worker: dict = {}  # general grid code → user
        self.community: dict = {}  # community code → user
        self.street: dict = {}  # street code → user
        self.dept: dict = {}  # department code → user
        self.residents: list = []  # (user, home micro-grid); the demo resident first
        self.admin = None

    def area(self, code: str) -> Area:
        return self.areas[code]

    def dispatcher(self, owner: Area):
        """Who dispatches at the level holding the event."""
        if owner.level in (c.GENERAL_GRID, c.MICRO_GRID, c.COMMUNITY):
            return self.community[owner.code[:12]]
        if owner.level == c.STREET:
            return self.street[owner.code]
        return self.admin

    def name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def build(self, micro_codes: set[str], homes: list[Area]) -> int:
        """Create the sign-ins the history needs; returns how many users were made.

        ``homes``: where the residents who report live; the first is the demo
        resident's micro-grid.
        """
        User = get_user_model()
        existing = dict(User.objects.values_list("username", "pk"))
        new_users: list = []
        roles: list[tuple[str, str, str, str]] = []  # (username, role, area code, dept)
        links: dict[str, int] = {}  # username → person id

        def user(username: str, first_name: str) -> str:
            if username not in existing:
                existing[username] = None
                new_users.append(
                    User(username=username, first_name=first_name, password=make_password(None))
                )
            return username

        # Micro-grid workers: the responsible worker of each micro-grid used.
        for code, person_id, name, username in Assignment.objects.filter(
            area__code__in=micro_codes,
            role=Assignment.Role.RESPONSIBLE_WORKER,
            ended_on__isnull=True,
        ).values_list("area__code", "person_id", "person__name", "person__user__username"):
            if username is None:
                username = user(f"mgw_{code}", name)
                links[username] = person_id
            roles.append((username, "micro_grid_worker", code, ""))
            self.worker[code] = username
        # Full-time grid workers of those micro-grids' general grids.
        by_person: dict[int, str] = {}
        for code, person_id, name, username in (
            Assignment.objects.filter(
                area__code__in={code[:15] for code in micro_codes},
                role=Assignment.Role.FULL_TIME_WORKER,
                ended_on__isnull=True,
            )
            .order_by("area__code", "pk")
            .values_list("area__code", "person_id", "person__name", "person__user__username")
        ):
            if code in self.grid_worker:
                continue
            if username is None:
                username = by_person.get(person_id) or user(f"gw_{code}", name)
                links[username] = person_id
            by_person[person_id] = username
            roles.append((username, "grid_worker", code, ""))
            self.grid_worker[code] = username
        # Community and street staff.
        spare: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, name, code, category in (
            Person.objects.filter(
                area__path__startswith=self.district.path,
                category__in=[Person.Category.COMMUNITY_COMMITTEE, Person.Category.STREET_CADRE],
                user__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", "name", "area__code", "category")
        ):
            place = code[:12] if category == Person.Category.COMMUNITY_COMMITTEE else code[:9]
            spare[place].append((pk, name))
        demo_staff = {DEMO_COMMUNITY: "community_staff", DEMO_STREET: "dawan_staff"}
        for area in self.areas.values():
            if area.level not in (c.COMMUNITY, c.STREET):
                continue
            community = area.level == c.COMMUNITY
            username = demo_staff.get(area.code)
            if username not in existing:
                username = f"{'cs' if community else 'ss'}_{area.code}"
                if username not in existing and spare[area.code]:
                    pk, name = spare[area.code][0]
                    links[username] = pk
                else:
                    name = self.name()
                user(username, name)
            role = "community_staff" if community else "street_staff"
            roles.append((username, role, area.code, ""))
            (self.community if community else self.street)[area.code] = username
        # One member of staff for each department (dept_cg, dept_zj: demo sign-ins).
        for code in sorted(self.departments):
            username = user(f"dept_{code}", self.name())
            roles.append((username, "department_staff", self.district.code, code))
            self.dept[code] = username
        # Residents who report.
        residents = []
        for i, home in enumerate(homes):
            username = "resident" if i == 0 and "resident" in existing else f"res_{i:04d}"
            user(username, self.name())
            roles.append((username, "resident", home.code, ""))
            residents.append((username, home))
        if "qbj_admin" not in existing:
            user("qbj_admin", self.name())
        roles.append(("qbj_admin", "district_admin", self.district.code, ""))

        with transaction.atomic():
            User.objects.bulk_create(new_users, batch_size=500)
            users = User.objects.in_bulk(list(existing), field_name="username")
            have = set(
                RoleAssignment.objects.filter(user__in=users.values()).values_list(
                    "user__username", "role", "area__code"
                )
            )
            made = []
            for username, role, code, dept in roles:
                if (username, role, code) not in have:
                    have.add((username, role, code))
                    made.append(
                        RoleAssignment(
                            user=users[username],
                            role=role,
                            area=self.areas[code],
                            department=self.departments[dept] if dept else None,
                        )
                    )
            RoleAssignment.objects.bulk_create(made, batch_size=500)
            people = Person.objects.in_bulk(list(links.values()))
            for username, pk in links.items():
                people[pk].user = users[username]
            Person.objects.bulk_update(list(people.values()), ["user"], batch_size=500)

        for mapping in (self.worker, self.grid_worker, self.community, self.street, self.dept):
            for key, username in mapping.items():
                mapping[key] = users[username]
        self.residents = [(users[u], home) for u, home in residents]
        self.admin = users["qbj_admin"]
        return len(new_users)
