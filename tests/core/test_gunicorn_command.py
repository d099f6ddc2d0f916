"""`shezhi run`'s app server: each installation its own gunicorn control socket, or none.

gunicorn 27 puts its control socket at ``~/.gunicorn/gunicorn.ctl`` by default, so
two installations run by one user on one host took each other's over.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gunicorn.config import Config

from shezhi.core.management.commands.run import control_socket_args, gunicorn_command

ROOT = Path(__file__).resolve().parents[2]


def parsed(cmd: list[str]):
    """The command line as gunicorn itself reads it."""
    assert cmd[1:4] == ["-m", "gunicorn", "shezhi.wsgi:application"]
    return Config().parser().parse_args(cmd[4:])


def test_the_control_socket_lives_in_the_data_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "one"
    settings.SHEZHI_GUNICORN_CONTROL_SOCKET = ""
    args = parsed(gunicorn_command(bind="127.0.0.1:8001", workers=2))
    assert args.control_socket == str((tmp_path / "one" / "gunicorn.ctl").resolve())
    assert not args.control_socket_disable
    assert args.bind == ["127.0.0.1:8001"] and args.workers == 2

    settings.DATA_DIR = tmp_path / "two"
    other = parsed(gunicorn_command(bind="127.0.0.1:8002", workers=2))
    assert other.control_socket != args.control_socket
    assert ".gunicorn" not in other.control_socket


def test_the_control_socket_can_be_placed_or_switched_off(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SHEZHI_GUNICORN_CONTROL_SOCKET = str(tmp_path / "run" / "ctl.sock")
    args = parsed(gunicorn_command(bind="127.0.0.1:8000", workers=1))
    assert args.control_socket == str((tmp_path / "run" / "ctl.sock").resolve())
    settings.SHEZHI_GUNICORN_CONTROL_SOCKET = "off"
    assert parsed(gunicorn_command(bind="127.0.0.1:8000", workers=1)).control_socket_disable


def test_a_data_folder_too_deep_for_a_socket_gets_none_rather_than_a_shared_one(tmp_path):
    deep = tmp_path / ("x" * 120)
    assert control_socket_args(deep) == ["--no-control-socket"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_installations_on_one_host_each_keep_their_socket(tmp_path):
    """Two app servers as `shezhi run` starts them, side by side: two sockets, none in ~."""
    home = tmp_path / "home"
    home.mkdir()
    procs, sockets = [], []
    try:
        for name in ("a", "b"):
            data = tmp_path / name
            bind = f"127.0.0.1:{free_port()}"
            env = {
                **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}},
                "SHEZHI_DATA_DIR": str(data),
                "HOME": str(home),
                "PYTHONPATH": str(ROOT / "src"),
            }
            env.pop("XDG_RUNTIME_DIR", None)
            cmd = (
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='shezhi.settings';"
                        "django.setup();"
                        "from shezhi.core.management.commands.run import gunicorn_command;"
                        f"print('\\0'.join(gunicorn_command(bind='{bind}', workers=1)))",
                    ],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .split("\0")
            )
            sockets.append(data / "gunicorn.ctl")
            procs.append(
                subprocess.Popen(
                    cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(s.exists() for s in sockets):
            time.sleep(0.1)
        for s in sockets:
            assert s.exists() and stat.S_ISSOCK(s.stat().st_mode), s
        assert not (home / ".gunicorn").exists()
        assert all(p.poll() is None for p in procs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
