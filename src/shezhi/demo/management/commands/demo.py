"""``shezhi demo``: build the demo district (deterministic) and its sign-ins."""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext
from tqdm import tqdm

from shezhi.areas.models import Area
from shezhi.demo.areas import build_demo_areas
from shezhi.demo.bulk import larger_cache
from shezhi.demo.campaigns import build_demo_campaigns
from shezhi.demo.cases import build_demo_cases
from shezhi.demo.demands import build_demo_demands
from shezhi.demo.events import DISTRICT_CODE, build_demo_events
from shezhi.demo.households import DEFAULT_HOUSEHOLD_SCALE, build_demo_households
from shezhi.demo.hubs import build_demo_hubs
from shezhi.demo.incentives import build_demo_rewards
from shezhi.demo.lists import build_demo_lists
from shezhi.demo.operations import build_demo_operations
from shezhi.demo.organisations import build_demo_organisations
from shezhi.demo.people import build_demo_workforce, link_demo_users
from shezhi.demo.places import build_demo_posts
from shezhi.demo.projects import build_demo_projects
from shezhi.demo.users import DEMO_USERS, ensure_demo_users, sign_in_lines
from shezhi.demo.visits import build_demo_visits
from shezhi.demo.volunteering import build_demo_activities
from shezhi.stats.services import save_reporting_period, sync_facts


class Command(BaseCommand):
    help = "Build the demo district (青白江区) and demo sign-ins, unless already there."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--no-events", action="store_true", help="skip the year of event history"
        )
        # For `shezhi run`, which serves whatever database it is given.
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="build only on a database without areas; else just print the demo sign-ins",
        )
        parser.add_argument(
            "--sign-ins", action="store_true", help="only print the demo sign-ins, if present"
        )
        parser.add_argument(
            "--households",
            type=float,
            default=DEFAULT_HOUSEHOLD_SCALE,
            metavar="SCALE",
            help="the household base's size: 1 is the whole district (~175,000 households,"
            " ~500,000 residents), 0.1 a tenth, 0 none",
        )

    def handle(
        self,
        *args,
        no_progress=False,
        no_events=False,
        if_empty=False,
        sign_ins=False,
        households=DEFAULT_HOUSEHOLD_SCALE,
        **options,
    ):
        if sign_ins or (if_empty and Area.objects.exists()):
            if get_user_model().objects.filter(username=DEMO_USERS[0].username).exists():
                self.stdout.write("Demo sign-ins:")
                for line in sign_in_lines():
                    self.stdout.write(line)
            return
        larger_cache()
        started = time.perf_counter()
        bar = tqdm(total=0, unit="check", disable=no_progress, file=sys.stderr, desc="areas")

        def progress(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        outcome = build_demo_areas(progress=progress)
        bar.close()
        if outcome is None:
            self.stdout.write("Demo district already present; left as it is.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo district built: {outcome.created} areas, "
                    f"{len(outcome.report.warnings)} warning(s), "
                    f"{time.perf_counter() - started:.1f} s."
                )
            )
        made = build_demo_workforce()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo workforce: "
                    + ", ".join(f"{n} {category}" for category, n in made.items())
                )
            )
        ensure_demo_users()
        link_demo_users()
        if not no_events:
            self.build_events(no_progress)
        self.build_places()
        if households > 0:
            self.build_households(households, no_progress)
        self.build_visits(no_progress)
        self.build_demands()
        self.build_hubs()
        self.build_operations()
        self.build_lists()
        self.build_cases()
        self.build_campaigns()
        # Before the organisations: their members' join days make up the year's
        # participation to the demo's figure, counting what the other steps recorded.
        self.build_projects()
        self.build_organisations()
        self.stdout.write("Demo sign-ins:")
        for line in sign_in_lines():
            self.stdout.write(line)

    def build_events(self, no_progress: bool) -> None:
        started = time.perf_counter()
        bar, progress = _progress_bar("events", "step", no_progress)
        history = build_demo_events(progress=progress)
        bar.close()
        if history is None:
            self.stdout.write("Demo event history already present; left as it is.")
            return
        # The dashboard's numbers at once, not after the worker's first sweep.
        facts = sync_facts()
        # The district's dashboard opens on the demo's year: the article's figures.
        with translation.override(settings.LANGUAGE_CODE):
            label = gettext("Demo year")
        save_reporting_period(
            area=Area.objects.get(code=DISTRICT_CODE),
            label=label,
            start=history.year[0],
            last=history.year[1],
            is_default=True,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo event history: {history.events} events over the year, "
                f"{history.steps} workflow steps, {history.users} simulated sign-ins, "
                f"KPI facts of {facts.events} events, {time.perf_counter() - started:.1f} s."
            )
        )

    def build_places(self) -> None:
        """The service posts, their volunteer activities and the points shop."""
        started = time.perf_counter()
        posts = build_demo_posts() or 0
        activities = build_demo_activities()
        rewards = build_demo_rewards()
        if posts or activities or rewards:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo service posts: {posts}, volunteer activities: {activities},"
                    f" rewards: {rewards}, {time.perf_counter() - started:.1f} s."
                )
            )

    def build_visits(self, no_progress: bool) -> None:
        """A year of household visits for every household the demo has."""
        started = time.perf_counter()
        bar, progress = _progress_bar("visits", "household", no_progress)
        made = build_demo_visits(progress=progress)
        bar.close()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo visits: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )

    def build_demands(self) -> None:
        """A few thousand residents' demands, grouped, with who took part."""
        started = time.perf_counter()
        made = build_demo_demands()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo demands: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )

    def build_operations(self) -> None:
        """One finished emergency operation with its report, one running in a street."""
        started = time.perf_counter()
        made = build_demo_operations()
        if made:
            # The needs the checks raised are events: their KPI facts at once, as the year's.
            sync_facts()
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo operations: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )

    def build_lists(self) -> None:
        """The three lists of every community: items in every stage, resources, projects."""
        started = time.perf_counter()
        made = build_demo_lists()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo lists: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.2f} s."
                )
            )

    def build_cases(self) -> None:
        """The case library: typical cases in natural Chinese, most published."""
        started = time.perf_counter()
        made = build_demo_cases()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo case library: {made} cases, {time.perf_counter() - started:.2f} s."
                )
            )

    def build_campaigns(self) -> None:
        """The 社治专列 campaign over the district: rounds, a broadcast, packages, results."""
        started = time.perf_counter()
        made = build_demo_campaigns()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo campaign: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )

    def build_projects(self) -> None:
        """The residents' micro-projects in every stage, their money through the ledger."""
        started = time.perf_counter()
        made = build_demo_projects()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo micro-projects: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )

    def build_organisations(self) -> None:
        """The self-governance organisations, their members (residents and people) and
        their incubation history."""
        started = time.perf_counter()
        made = build_demo_organisations()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo organisations: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )

    def build_hubs(self) -> None:
        """The four-level 社治港, on whatever compounds the household base holds by now."""
        started = time.perf_counter()
        made = build_demo_hubs()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo service hubs: "
                    + ", ".join(f"{n} {tier}" for tier, n in made.items())
                    + f", {time.perf_counter() - started:.2f} s."
                )
            )

    def build_households(self, scale: float, no_progress: bool) -> None:
        """Compounds in every community, their buildings, households and residents."""
        started = time.perf_counter()
        bar = tqdm(total=1000, unit="‰", disable=no_progress, file=sys.stderr, desc="households")

        def progress(done, total):
            bar.n = done
            bar.refresh()

        made = build_demo_households(scale=scale, progress=progress)
        bar.close()
        if made:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo households: "
                    + ", ".join(f"{n} {what}" for what, n in made.items())
                    + f", {time.perf_counter() - started:.1f} s."
                )
            )


def _progress_bar(desc: str, unit: str, no_progress: bool):
    """A progress bar on stderr and the ``progress(done, total)`` a builder calls."""
    bar = tqdm(total=0, unit=unit, disable=no_progress, file=sys.stderr, desc=desc)

    def progress(done, total):
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, progress
