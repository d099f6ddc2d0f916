"""The text encoding of a shapefile's .dbf: its .cpg, else the first that reads."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from .. import report as r
from ..report import Report
from .feature import PROPERTY_ALIASES, _who

# Encodings tried, in order, when a shapefile has no usable .cpg. UTF-8 goes
# first because GB18030 also decodes most UTF-8 bytes, into nonsense.
_FALLBACK_ENCODINGS = ("utf-8", "gb18030")


def _cpg_encoding(cpg: bytes) -> str | None:
    """The Python codec a .cpg names, or None when it names none we know."""
    name = cpg.decode("ascii", "replace").strip().upper().replace("ANSI ", "CP")
    if name in ("65001", "CP65001"):
        return "utf-8"
    if name in ("GB2312", "CP20936"):
        # Files labelled GB2312 routinely hold GBK characters; GBK is a superset.
        return "gbk"
    if name.isdigit():
        name = "CP" + name
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _choose_encoding(
    cpg: bytes | None,
    raw_names: list[str],
    records: list[Any],
    shp_name: str,
    where_of: Callable[[int], str],
    report: Report,
) -> str | None:
    """The encoding of the .dbf text, or None after reporting that none fits."""
    given = _cpg_encoding(cpg) if cpg is not None else None
    candidates = [given] if given else []
    candidates += [e for e in _FALLBACK_ENCODINGS if codecs.lookup(e).name != given]

    # (record number or 0 for the header, column, bytes) of every non-ASCII text.
    texts = [(0, i, n.encode("latin-1")) for i, n in enumerate(raw_names)]
    for n, record in enumerate(records, start=1):
        if record is None:
            continue
        texts += [
            (n, i, v.encode("latin-1"))
            for i, v in enumerate(record)
            if isinstance(v, str) and not v.isascii()
        ]
    texts = [t for t in texts if not t[2].isascii()]

    failures: dict[str, list[tuple[int, int, bytes]]] = {}
    for enc in candidates:
        bad = []
        for t in texts:
            try:
                t[2].decode(enc)
            except UnicodeDecodeError:
                bad.append(t)
        if not bad:
            if given and enc != given:
                report.warning(
                    r.ENCODING_GUESSED,
                    _(
                        "The .cpg of %(layer)s says the text is %(given)s, but it is not; "
                        "it was read as %(used)s. Check the names."
                    )
                    % {"layer": shp_name, "given": given, "used": enc},
                    where=shp_name,
                    data={"cpg": given, "used": enc},
                )
            return enc
        failures[enc] = bad

    # Nothing decodes everything: name each record that the likeliest encoding
    # (the one failing least often) cannot read.
    best = min(candidates, key=lambda e: len(failures[e]))
    tried = ", ".join(candidates)
    code_col = next(
        (i for i, n in enumerate(raw_names) if PROPERTY_ALIASES.get(n.strip().lower()) == "code"),
        None,
    )
    for n, col, raw in failures[best]:
        column = raw_names[col].encode("latin-1").decode(best, "replace")
        if n == 0:
            report.error(
                r.BAD_ENCODING,
                _(
                    "The column name %(column)s in %(layer)s cannot be read in any of the "
                    "encodings tried (%(tried)s)."
                )
                % {"column": column, "layer": shp_name, "tried": tried},
                where=shp_name,
                data={"column": column, "encodings": candidates, "bytes": raw.hex()[:64]},
            )
            continue
        record = records[n - 1]
        code = None
        if code_col is not None and isinstance(record[code_col], str | int):
            code = str(record[code_col]).strip() or None
        where = where_of(n)
        report.error(
            r.BAD_ENCODING,
            _(
                "%(feature)s: the text in column %(column)s cannot be read in any of the "
                "encodings tried (%(tried)s). Save the attribute table as UTF-8, or add a "
                ".cpg file naming its encoding."
            )
            % {"feature": _who(code, None, where), "column": column, "tried": tried},
            code=code,
            where=where,
            data={"column": column, "encodings": candidates, "bytes": raw.hex()[:64]},
        )
    return None
