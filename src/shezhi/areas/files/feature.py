"""One feature: its properties read into an AreaFeature, each problem reported."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from .. import constants as c
from .. import report as r
from ..features import AreaFeature
from ..report import Report
from .geometry import _check_geometry

NAME_MAX_LENGTH = 100  # Area.name's max_length


# Property names, lower-cased, to the AreaFeature field they fill. DBF field
# names are cut to 10 characters, hence the short forms.
PROPERTY_ALIASES = {
    "code": "code",
    "name": "name",
    "level": "level",
    "parent_code": "parent_code",
    "parent_cod": "parent_code",
    "parent": "parent_code",
    "kind": "kind",
    "dedicated_type": "dedicated_type",
    "dedicated_": "dedicated_type",
    "ded_type": "dedicated_type",
}
REQUIRED_PROPERTIES = ("code", "name", "level")


# ---------------------------------------------------------------------------
# One feature


def _canonical(props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(known properties by canonical name, the others as given)."""
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in props.items():
        canonical = PROPERTY_ALIASES.get(str(key).strip().lower())
        if canonical is None:
            extra[key] = value
        elif canonical not in known or _blank(known[canonical]):
            known[canonical] = value
    return known, extra


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code_text(value: Any) -> str | None:
    """A code property as text; None when it is not a string or a whole number."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    # Whole floats up to 2**53 are exact; longer codes have lost digits already.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return None


def _loose_code(props: dict[str, Any]) -> str | None:
    """The code to name a feature by in messages, even one that fails checks."""
    known, _extra = _canonical(props)
    value = known.get("code")
    text = _code_text(value) if value is not None else None
    return text or None


def _loose_name(props: dict[str, Any]) -> str | None:
    value = _canonical(props)[0].get("name")
    return value.strip() or None if isinstance(value, str) else None


def _who(code: str | None, name: str | None, where: str) -> str:
    """How messages name a feature: by code and name, else by its place."""
    if code and name:
        return _("%(code)s “%(name)s”") % {"code": code, "name": name}
    if code:
        return code
    if name:
        return _("%(where)s “%(name)s”") % {"where": where, "name": name}
    return where


def _build_feature(
    props: dict[str, Any], geometry: Any, where: str, report: Report
) -> AreaFeature | None:
    """An AreaFeature, or None after reporting every problem found in it."""
    known, extra = _canonical(props)
    before = len(report.problems)

    def err(kind: str, message: str, **kw: Any) -> None:
        report.error(kind, message, code=code or None, where=where, **kw)

    raw_code = known.get("code")
    code_text = _code_text(raw_code) if raw_code is not None else ""
    code = code_text or ""
    name_value = known.get("name")
    name = str(name_value).strip() if name_value is not None else ""
    who = _who(code or None, name or None, where)

    if not code:
        if code_text is None:
            err(
                r.BAD_CODE,
                _(
                    "%(feature)s: the code %(value)s is not a whole number or text; store codes "
                    "as text so that no digits are lost."
                )
                % {"feature": who, "value": json.dumps(raw_code, default=str)},
                data={"property": "code", "value": str(raw_code)},
            )
        else:
            err(
                r.MISSING_PROPERTY,
                _("%(feature)s has no code.") % {"feature": who},
                data={"property": "code"},
            )
    elif not c.CODE_RE.match(code):
        err(
            r.BAD_CODE,
            _("%(feature)s: the code “%(value)s” is not 6, 9, 12, 15 or 18 digits.")
            % {"feature": who, "value": code},
            data={"property": "code", "value": code},
        )

    if not name:
        err(
            r.MISSING_PROPERTY,
            _("%(feature)s has no name.") % {"feature": who},
            data={"property": "name"},
        )
    elif len(name) > NAME_MAX_LENGTH:
        err(
            r.BAD_PROPERTY,
            _("%(feature)s: the name is %(length)d characters long; at most %(max)d fit.")
            % {"feature": who, "length": len(name), "max": NAME_MAX_LENGTH},
            data={"property": "name", "length": len(name)},
        )

    level = _lower_text(known.get("level"))
    if not level:
        err(
            r.MISSING_PROPERTY,
            _("%(feature)s has no level.") % {"feature": who},
            data={"property": "level"},
        )
    elif level not in c.LEVELS:
        err(
            r.BAD_PROPERTY,
            _("%(feature)s: the level “%(value)s” is not one of %(allowed)s.")
            % {"feature": who, "value": level, "allowed": ", ".join(c.LEVELS)},
            data={"property": "level", "value": level},
        )
    elif code and c.CODE_RE.match(code) and c.level_for_code(code) != level:
        code_level = c.level_for_code(code)
        err(
            r.BAD_CODE,
            _(
                "%(feature)s: the code has %(digits)d digits, which makes it a %(code_level)s, "
                "but its level is %(level)s (a %(level)s code has %(expected)d digits)."
            )
            % {
                "feature": who,
                "digits": len(code),
                "code_level": code_level,
                "level": level,
                "expected": c.CODE_LENGTH[level],
            },
            data={"property": "code", "value": code, "level": level, "code_level": code_level},
        )

    kind = _lower_text(known.get("kind"))
    dedicated_type = _lower_text(known.get("dedicated_type"))
    if level == c.MICRO_GRID:
        kind = kind or c.KIND_GENERAL
        if kind not in c.KINDS:
            err(
                r.BAD_PROPERTY,
                _("%(feature)s: the kind “%(value)s” is not one of %(allowed)s.")
                % {"feature": who, "value": kind, "allowed": ", ".join(c.KINDS)},
                data={"property": "kind", "value": kind},
            )
        elif kind == c.KIND_DEDICATED and not dedicated_type:
            err(
                r.MISSING_PROPERTY,
                _(
                    "%(feature)s is a dedicated micro-grid without a dedicated_type (one of "
                    "%(allowed)s)."
                )
                % {"feature": who, "allowed": ", ".join(c.DEDICATED_TYPES)},
                data={"property": "dedicated_type"},
            )
        elif kind == c.KIND_DEDICATED and dedicated_type not in c.DEDICATED_TYPES:
            err(
                r.BAD_PROPERTY,
                _("%(feature)s: the dedicated_type “%(value)s” is not one of %(allowed)s.")
                % {
                    "feature": who,
                    "value": dedicated_type,
                    "allowed": ", ".join(c.DEDICATED_TYPES),
                },
                data={"property": "dedicated_type", "value": dedicated_type},
            )
        elif kind == c.KIND_GENERAL and dedicated_type:
            err(
                r.BAD_PROPERTY,
                _(
                    "%(feature)s has the dedicated_type “%(value)s” but is a general "
                    "micro-grid; set its kind to dedicated or clear the dedicated_type."
                )
                % {"feature": who, "value": dedicated_type},
                data={"property": "dedicated_type", "value": dedicated_type},
            )
    elif level in c.LEVELS:
        # kind / dedicated_type belong to micro-grids only.
        for prop, value in (("kind", kind), ("dedicated_type", dedicated_type)):
            if value:
                err(
                    r.BAD_PROPERTY,
                    _(
                        "%(feature)s is a %(level)s but has the %(property)s “%(value)s”, "
                        "which only micro-grids have."
                    )
                    % {"feature": who, "level": level, "property": prop, "value": value},
                    data={"property": prop, "value": value},
                )
        kind = dedicated_type = ""

    parent_code: str | None = None
    if level != c.DISTRICT:
        raw_parent = known.get("parent_code")
        parent_code = _code_text(raw_parent) if raw_parent is not None else ""
        if parent_code is None or (parent_code and not c.CODE_RE.match(parent_code)):
            err(
                r.BAD_CODE,
                _("%(feature)s: the parent_code “%(value)s” is not 6, 9, 12 or 15 digits.")
                % {"feature": who, "value": raw_parent},
                data={"property": "parent_code", "value": str(raw_parent)},
            )
        elif not parent_code and code and c.CODE_RE.match(code) and len(code) > 6:
            # The code scheme makes parent_code redundant: a code's parent is its prefix.
            parent_code = code[:-3]
        parent_code = parent_code or None

    _check_geometry(geometry, who, code or None, where, report)

    if len(report.problems) > before:
        return None
    return AreaFeature(
        code=code,
        name=name,
        level=level,
        parent_code=parent_code,
        geometry=geometry,
        kind=kind,
        dedicated_type=dedicated_type,
        location=where,
        extra=extra,
    )


def _lower_text(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""
