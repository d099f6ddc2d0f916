"""Residents' sign-up and sign-in, in-process through the API: p50/p95 per request.

    python bench/accounts.py [--numbers 300] [--codes 200000] [--data-dir DIR]

Uses its own fresh SQLite database (or DATABASE_URL's). For ``--numbers`` new mobile
numbers it asks for a code (``POST /api/v1/accounts/codes``) and signs up with it
(``…/signup``, with a password), then signs in with the password (``…/signin/password``,
the project's real password hasher). It then writes ``--codes`` old code rows (the rate
limits count on that table) and asks for codes again, so the figures show what the limit
checks cost on a busy table. No target is set by the issue; the figures are for watching.
The codes are read from the delivery hook (a listener of the bench's own), no channel.
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
PASSWORD = "青白江-harbor-9"
sys.path.insert(0, str(ROOT / "src"))


def figures(name: str, samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(0.95 * len(s)))]
    return f"  {name:<40} p50 {statistics.median(s):7.2f} ms   p95 {p95:7.2f} ms   n={len(s)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=300)
    parser.add_argument("--codes", type=int, default=200_000)
    parser.add_argument("--data-dir", default=tempfile.mkdtemp(prefix="shezhi-bench-accounts-"))
    args = parser.parse_args()

    os.environ.setdefault("SHEZHI_DATA_DIR", args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    os.environ["SHEZHI_CODES_PER_ADDRESS_HOUR"] = str(10 * args.numbers)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SHEZHI_NOTIFICATION_CHANNELS = []
    call_command("migrate", verbosity=0)

    from datetime import timedelta

    from django.utils import timezone

    from shezhi.accounts import hooks
    from shezhi.accounts.models import OneTimeCode
    from shezhi.core import personal_data as pd

    codes: dict[str, str] = {}
    hooks.on_code_issued(lambda m: codes.__setitem__(m.phone, m.code) or True)
    client = Client()

    def post(path: str, body: dict) -> float:
        start = time.perf_counter()
        answer = client.post(path, body, content_type="application/json")
        took = (time.perf_counter() - start) * 1000
        assert answer.status_code < 300, (path, answer.status_code, answer.content[:200])
        return took

    ask, signup, signin = [], [], []
    numbers = [f"139{n:08d}" for n in range(args.numbers)]
    for phone in numbers:
        ask.append(post("/api/v1/accounts/codes", {"phone": phone}))
        signup.append(
            post(
                "/api/v1/accounts/signup",
                {"phone": phone, "code": codes[phone], "password": PASSWORD},
            )
        )
    for phone in numbers[:50]:
        signin.append(
            post(
                "/api/v1/accounts/signin/password", {"phone": phone, "password": "青白江-harbor-9"}
            )
        )
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"accounts on {db}: {args.numbers} numbers")
    print(figures("ask for a code (empty table)", ask))
    print(figures("sign up with the code and a password", signup))
    print(figures("sign in with the password", signin))

    now = timezone.now()
    client_hash = pd.keyed_token("one-time-code-client", "elsewhere")
    OneTimeCode.objects.bulk_create(
        (
            OneTimeCode(
                phone_index=f"{i:064x}",
                code_hash="0" * 64,
                client_hash=client_hash,
                created_at=now - timedelta(minutes=i % 55),
                expires_at=now,
            )
            for i in range(args.codes)
        ),
        batch_size=5000,
    )
    busy = []
    for phone in (f"138{n:08d}" for n in range(args.numbers)):
        busy.append(post("/api/v1/accounts/codes", {"phone": phone}))
    print(figures(f"ask for a code ({args.codes:,} codes in the hour)", busy))
    return 0


if __name__ == "__main__":
    sys.exit(main())
