#!/usr/bin/env python3
"""Compile the .po translations to .mo with polib (no GNU gettext needed).

``--check`` fails when a committed .mo does not match its .po, so a stale
translation cannot land.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "shezhi" / "locale"


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        po = polib.pofile(str(po_path))
        with tempfile.NamedTemporaryFile(suffix=".mo") as tmp:
            po.save_as_mofile(tmp.name)
            fresh = Path(tmp.name).read_bytes()
        if check:
            if not mo_path.exists() or mo_path.read_bytes() != fresh:
                stale.append(mo_path)
        else:
            mo_path.write_bytes(fresh)
            print(f"compiled {po_path.relative_to(ROOT)} ({po.percent_translated()}% translated)")
    if stale:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}: run python scripts/compile_messages.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
