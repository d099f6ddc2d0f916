"""What decrypting personal data a list never shows costs a page, before and after.

    PYTHONPATH=src .venv/bin/python bench/list_decrypt.py [--db sqlite|postgres]
        [--cache DIR] [--runs 7]

On ``bench/work_pages.py``'s database (built there first; the same ``--cache``): the
reporter's contact (name and phone, encrypted at rest) is written on the events of the
community staff's inbox and of the long-history resident's latest reports, inside a
transaction that is rolled back at the end (the database is left as it was); the
workforce's people have their phones and ID numbers already. Then each page is timed
warm, median of ``--runs``, twice in one process:

  before  every encrypted column loaded with the rows (``events.selectors.LIST_DEFERRED``
          and ``incentives.selectors.PERSON_SECRETS`` emptied: the code before the fix)
  after   the code as it is: those columns deferred, nothing decrypted

with the number of decryptions of each request (``core.personal_data.decrypt``).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import work_pages


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cache", default=str(work_pages.CACHE))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    where = work_pages.names(args.db, work_pages.DEFAULT_EVENTS, Path(args.cache).resolve())
    work_pages.configure(args.db, where)
    if work_pages.cached(args.db, where, work_pages.DEFAULT_EVENTS) is None:
        print("build the database first: bench/work_pages.py --build-only", file=sys.stderr)
        return 2
    import django

    django.setup()
    from unittest import mock

    import kpis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from shezhi.core import personal_data
    from shezhi.core.lists import subtree_q
    from shezhi.events import selectors as event_selectors
    from shezhi.events.models import Event
    from shezhi.incentives import selectors as points_selectors

    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    frozen = datetime(*kpis.NOW, tzinfo=timezone.get_default_timezone()).astimezone(UTC)
    users = {u.username: u for u in get_user_model().objects.all().filter(
        username__in=["community_staff", "resident", "qbj_admin"])}  # fmt: skip
    cases = [
        ("我的任务 inbox", "community_staff", "/events/inbox/"),
        ("my reports", "resident", "/events/mine/"),
        ("queue, community: to_register", "community_staff",
         f"/events/queue/{work_pages.COMMUNITY}/?tab=to_register"),
        ("points leaderboard, district", "qbj_admin",
         f"/api/v1/points/leaderboard?area={work_pages.DISTRICT}&limit=100"),
    ]  # fmt: skip
    calls = []
    real = personal_data.decrypt

    def counting(token):
        calls.append(1)
        return real(token)

    rows = []
    with mock.patch.object(timezone, "now", lambda: frozen):
        try:
            with transaction.atomic():
                inbox = event_selectors.handler_inbox(users["community_staff"])
                mine = Event.objects.filter(reporter=users["resident"]).order_by("-created_at")
                waiting = Event.objects.filter(
                    subtree_q("owner_path", _path(work_pages.COMMUNITY)), state="reported"
                )
                ids = [
                    *inbox.values_list("pk", flat=True)[:200],
                    *mine.values_list("pk", flat=True)[:30],
                    *waiting.values_list("pk", flat=True)[:100],
                ]
                written = Event.objects.filter(pk__in=ids).update(
                    contact_name="张三丰", contact_phone="13800138000"
                )
                clients = {}
                for name in users:
                    clients[name] = Client()
                    clients[name].force_login(users[name])
                for what, who, url in cases:
                    row = {"what": what, "who": who}
                    for variant in ("before", "after"):
                        patches = {}
                        if variant == "before":
                            patches = {"LIST_DEFERRED": (), "PERSON_SECRETS": ()}
                        with (
                            mock.patch.object(
                                event_selectors,
                                "LIST_DEFERRED",
                                patches.get("LIST_DEFERRED", event_selectors.LIST_DEFERRED),
                            ),
                            mock.patch.object(
                                points_selectors,
                                "PERSON_SECRETS",
                                patches.get("PERSON_SECRETS", points_selectors.PERSON_SECRETS),
                            ),
                            mock.patch.object(personal_data, "decrypt", counting),
                        ):
                            client = clients[who]
                            assert client.get(url).status_code == 200, url
                            calls.clear()
                            client.get(url)
                            row[f"{variant}_decrypts"] = len(calls)
                            times = []
                            for _ in range(args.runs):
                                t = time.perf_counter()
                                client.get(url)
                                times.append((time.perf_counter() - t) * 1000)
                            row[variant] = statistics.median(times)
                    rows.append(row)
                raise _Rollback
        except _Rollback:
            pass
    print(f"bench/list_decrypt.py --db {args.db}: {written} events given an encrypted contact "
          f"(rolled back); warm medians of {args.runs}")  # fmt: skip
    print(f"{'request':<32}{'role':<18}{'before ms':>10}{'decrypts':>10}{'after ms':>10}"
          f"{'decrypts':>10}{'saved':>8}")  # fmt: skip
    for r in rows:
        print(
            f"{work_pages.pad(r['what'], 32)}{r['who']:<18}{r['before']:>10.1f}"
            f"{r['before_decrypts']:>10}{r['after']:>10.1f}{r['after_decrypts']:>10}"
            f"{r['before'] - r['after']:>8.1f}"
        )
    return 0


def _path(code: str) -> str:
    from shezhi.areas.models import Area

    return Area.objects.get(code=code).path


if __name__ == "__main__":
    sys.exit(main())
