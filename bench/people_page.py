"""The people page of a whole street at demo scale: p50 server time, scoped vs unscoped.

    python bench/people_page.py [--requests 200]

Builds the demo (district + workforce) into its own SQLite database unless
DATABASE_URL is set, then renders /people/area/<street>/ in-process for a street
staff user (the scoped list) and for a superuser (the same list with no scope
filter), and the JSON list /api/v1/people?area=<street> for both. Target: the
scoped page's p50 under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--street", default="510113001")
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "shezhi-bench"))
    args = parser.parse_args()

    os.environ.setdefault("SHEZHI_DATA_DIR", args.data_dir)
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")  # no collectstatic for a bench
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("demo", "--no-progress", verbosity=0, stdout=devnull)

    from shezhi.areas.models import Area
    from shezhi.people.models import Person

    street = Area.objects.get(code=args.street)
    people = Person.objects.filter(area__path__startswith=street.path).count()
    User = get_user_model()
    clients = {}
    for label, username in (
        ("street staff (scoped)", "dawan_staff"),
        ("superuser (no scope)", "admin"),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[label] = client

    def timed(client, url):
        samples = []
        client.get(url)  # warm
        for _ in range(args.requests):
            t = time.perf_counter()
            resp = client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, (url, resp.status_code)
        samples.sort()
        return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"people of {street.name} ({street.code}): {people} people, {db}")
    print(f"{args.requests} requests each, in-process (Django test client), warm")
    print(f"{'what':<52}{'p50 ms':>10}{'p95 ms':>10}")
    results = {}
    for what, url in (
        ("page /people/area/<street>/", f"/people/area/{street.code}/"),
        ("API /api/v1/people?area=<street>", f"/api/v1/people?area={street.code}&limit=50"),
    ):
        for label, client in clients.items():
            p50, p95 = timed(client, url)
            results[(what, label)] = p50
            print(f"{what + ' · ' + label:<52}{p50:>10.1f}{p95:>10.1f}")
    scoped = results[("page /people/area/<street>/", "street staff (scoped)")]
    unscoped = results[("page /people/area/<street>/", "superuser (no scope)")]
    print(f"scope costs {scoped - unscoped:+.1f} ms on the page ({scoped / unscoped:.2f}×)")
    ok = scoped < TARGET_MS
    verdict = "PASS" if ok else "FAIL"
    print(f"target: scoped page p50 < {TARGET_MS:.0f} ms -> {verdict} ({scoped:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
