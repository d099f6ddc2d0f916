"""The ``shezhi`` console script: the project's commands and Django's.

``shezhi run``, ``shezhi demo``, ``shezhi areas import FILE``, ``shezhi locate
LNG LAT`` and every Django management command (``shezhi migrate`` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shezhi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
