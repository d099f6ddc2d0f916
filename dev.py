#!/usr/bin/env python3
"""The README's two commands: ``python3 dev.py serve`` and ``python3 dev.py test``.

Needs nothing but Python 3.11+: it makes ``.venv`` beside this file, installs
the project with its pinned dependencies (again only when pyproject.toml
changes), then runs the platform or the whole test suite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SHEZHI_VENV", ROOT / ".venv"))
BIN = VENV / "bin"
PY = BIN / "python"


def say(text: str) -> None:
    print(f"[shezhi] {text}", flush=True)


def run(*cmd, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Shezhi Harbor needs Python 3.11 or newer.")
    if not PY.exists():
        say(f"creating virtual environment in {VENV}")
        try:
            venv.create(VENV, with_pip=True)
        except (subprocess.CalledProcessError, OSError):
            # Debian's python3 without python3-venv has no ensurepip: make the
            # venv bare and let the system's pip install into it.
            shutil.rmtree(VENV, ignore_errors=True)
            venv.create(VENV, with_pip=False)
            run(sys.executable, "-m", "pip", "--python", PY, "install", "pip")


def ensure_installed(extras: str) -> None:
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    say(f"installing {target} with its pinned dependencies")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target)
    stamp.write_text(digest)


def has_chinese_font() -> bool:
    """Is a font with Chinese glyphs installed (else pages render as boxes)?"""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    out = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def ensure_chromium() -> None:
    """Debian's chromium, and a Chinese font so the screenshots show the pages' words."""
    chromium = os.environ.get("SHEZHI_CHROMIUM", "/usr/bin/chromium")
    wanted = [] if Path(chromium).exists() else ["chromium"]
    if not has_chinese_font():
        wanted.append("fonts-noto-cjk")
    if not wanted:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing Debian's {' and '.join(wanted)} for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", *wanted, env=env)
        return
    if "chromium" not in wanted:
        say(
            "no Chinese font found: the browser tests run, but screenshots show boxes "
            "(`sudo apt-get install fonts-noto-cjk`)"
        )
        return
    sys.exit(
        f"The browser tests need Debian's chromium at {chromium}: "
        "run `sudo apt-get install chromium fonts-noto-cjk` (or set SHEZHI_CHROMIUM), "
        "then try again."
    )


def serve(args: list[str]) -> None:
    ensure_venv()
    ensure_installed("")
    os.chdir(ROOT)
    os.execv(BIN / "shezhi", [str(BIN / "shezhi"), "run", *args])


def test(args: list[str]) -> None:
    ensure_venv()
    ensure_installed("test")
    ensure_chromium()
    os.chdir(ROOT)
    say("ruff check and ruff format --check")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    say("the layers hold (import-linter contracts in .importlinter)")
    run(BIN / "lint-imports", "--no-cache")
    say("compiled translations are current")
    run(PY, "scripts/compile_messages.py", "--check")
    db = os.environ.get("DATABASE_URL", "SQLite")
    say(f"pytest on {db.split('@')[-1]}")
    # Two workers (the machines CI runs on have two cores) unless the caller chose.
    chose = any(a.startswith(("-n", "--numprocesses")) or a.endswith("no:xdist") for a in args)
    workers = [] if chose else ["-n", "2"]
    code = subprocess.call([str(PY), "-m", "pytest", *workers, *args])
    sys.exit(code)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        sys.exit("usage: python3 dev.py serve [shezhi run options] | test [pytest options]")
    {"serve": serve, "test": test}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
