"""``shezhi run``: migrate, build the demo on an empty database, serve, work tasks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# A Unix socket's path must fit in sockaddr_un.sun_path (108 bytes on Linux, 104 on BSD).
MAX_SOCKET_PATH = 100


def control_socket_args(data_dir: Path, configured: str = "") -> list[str]:
    """gunicorn's control socket: one per installation, in its data folder, or none.

    gunicorn's default (``~/.gunicorn/gunicorn.ctl``) is shared by every instance a
    user runs on a host, so a second one would take the first one's socket over.
    ``configured``: a path, or ``off`` for no control socket at all.
    """
    if configured.strip().lower() in {"off", "none", "no", "0", "false"}:
        return ["--no-control-socket"]
    path = Path(configured) if configured.strip() else Path(data_dir) / "gunicorn.ctl"
    if len(os.fsencode(path.resolve())) > MAX_SOCKET_PATH:
        # Too long for a socket where it would go: better none than someone else's.
        return ["--no-control-socket"]
    return ["--control-socket", str(path.resolve())]


def gunicorn_command(*, bind: str, workers: int) -> list[str]:
    """The app server's command line, as ``shezhi run`` starts it."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shezhi.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
        *control_socket_args(settings.DATA_DIR, settings.SHEZHI_GUNICORN_CONTROL_SOCKET),
    ]


class Command(BaseCommand):
    help = (
        "Migrate, build the demo district when the database is empty, print the demo "
        "sign-ins, then serve with gunicorn and run the background task worker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("SHEZHI_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("SHEZHI_WEB_WORKERS", "2"))
        )
        parser.add_argument("--no-demo", action="store_true", help="never build the demo")
        # A smaller demo for a quick look on a laptop (and for the test of this command,
        # which checks the plumbing, not the demo's year, which the demo's own tests check).
        parser.add_argument(
            "--demo-households",
            type=float,
            default=None,
            metavar="SCALE",
            help="the demo's household base: 1 the whole district, 0 none (default: the demo's)",
        )
        parser.add_argument(
            "--no-demo-events",
            action="store_true",
            help="build the demo without its year of events",
        )
        parser.add_argument("--no-worker", action="store_true", help="serve only")

    def handle(
        self, *args, bind, workers, no_demo, no_worker, demo_households, no_demo_events, **options
    ):
        if demo_households is not None and not 0 <= demo_households <= 1:
            raise CommandError("--demo-households: a scale from 0 to 1")
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        # The demo (shezhi.demo, above every app) on an empty database; its sign-ins else.
        demo = ["--sign-ins"] if no_demo else ["--if-empty"]
        if not no_demo and demo_households is not None:
            demo += ["--households", str(demo_households)]
        if not no_demo and no_demo_events:
            demo.append("--no-events")
        call_command("demo", *demo)

        procs: list[subprocess.Popen] = []
        env = os.environ.copy()
        if not no_worker:
            procs.append(subprocess.Popen([sys.executable, "-m", "shezhi", "db_worker"], env=env))
        procs.append(subprocess.Popen(gunicorn_command(bind=bind, workers=workers), env=env))
        self.stdout.write(self.style.SUCCESS(f"Shezhi Harbor is at http://{bind}/ (Ctrl+C stops)"))

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        failed = [p.returncode for p in procs if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            sys.exit(failed[0])
