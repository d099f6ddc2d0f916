"""What an area import found wrong: a list of problems, each naming its feature.

Reading (``files``) and checking (``validation``) each return a ``Report``;
the importer merges them and writes nothing when any problem is an error.
``Report.to_dict()`` is what ``AreaImport.report`` stores.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from . import constants as c

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

# Problem kinds: stable identifiers that the UI and tests may rely on.
# The file as a whole
FILE_TOO_LARGE = "file_too_large"
UNSUPPORTED_FORMAT = "unsupported_format"
BAD_ENCODING = "bad_encoding"
ENCODING_GUESSED = "encoding_guessed"  # warning: the .cpg was wrong, another encoding fitted
MALFORMED_JSON = "malformed_json"
NOT_FEATURE_COLLECTION = "not_feature_collection"
NO_FEATURES = "no_features"
BAD_SHAPEFILE = "bad_shapefile"
UNSUPPORTED_CRS = "unsupported_crs"
# One feature's attributes
BAD_FEATURE = "bad_feature"
MISSING_PROPERTY = "missing_property"
BAD_PROPERTY = "bad_property"
BAD_CODE = "bad_code"
# One feature's geometry
WRONG_GEOMETRY_TYPE = "wrong_geometry_type"
BAD_COORDINATES = "bad_coordinates"
COORDINATES_OUT_OF_RANGE = "coordinates_out_of_range"
SWAPPED_COORDINATES = "swapped_coordinates"
INVALID_GEOMETRY = "invalid_geometry"
# The features together
DUPLICATE_CODE = "duplicate_code"
UNKNOWN_PARENT = "unknown_parent"
LEVEL_OUT_OF_ORDER = "level_out_of_order"
PARENT_CODE_MISMATCH = "parent_code_mismatch"
NOT_INSIDE_PARENT = "not_inside_parent"
SIBLING_OVERLAP = "sibling_overlap"
COVERAGE_GAP = "coverage_gap"  # warning
# Raised by the import service, not the validator:
OUTSIDE_SCOPE = "outside_scope"  # a district admin's file reaches beyond their district
INTERNAL_ERROR = "internal_error"  # the background import crashed; nothing was written

PROBLEM_KINDS: tuple[str, ...] = (
    FILE_TOO_LARGE,
    UNSUPPORTED_FORMAT,
    BAD_ENCODING,
    ENCODING_GUESSED,
    MALFORMED_JSON,
    NOT_FEATURE_COLLECTION,
    NO_FEATURES,
    BAD_SHAPEFILE,
    UNSUPPORTED_CRS,
    BAD_FEATURE,
    MISSING_PROPERTY,
    BAD_PROPERTY,
    BAD_CODE,
    WRONG_GEOMETRY_TYPE,
    BAD_COORDINATES,
    COORDINATES_OUT_OF_RANGE,
    SWAPPED_COORDINATES,
    INVALID_GEOMETRY,
    DUPLICATE_CODE,
    UNKNOWN_PARENT,
    LEVEL_OUT_OF_ORDER,
    PARENT_CODE_MISMATCH,
    NOT_INSIDE_PARENT,
    SIBLING_OVERLAP,
    COVERAGE_GAP,
    OUTSIDE_SCOPE,
    INTERNAL_ERROR,
)


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars, tuples and non-finite floats made JSON-safe."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | str | None):
        return value
    if isinstance(value, int):
        return int(value)
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


@dataclass(kw_only=True)
class Problem:
    severity: str  # ERROR or WARNING
    kind: str  # one of PROBLEM_KINDS
    code: str | None = None  # the feature's code, when it has a usable one
    where: str = ""  # "feature #12", "shapefile record 12", or the file's name
    lng: float | None = None  # a point showing the problem, for geometric ones
    lat: float | None = None
    message: str  # translated, names the feature
    data: dict[str, Any] = field(default_factory=dict)  # figures: {"gap_m2": 1234.5}

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        out = _plain(asdict(self))
        # ~1 cm: more digits are noise in a report.
        for key in ("lng", "lat"):
            if out[key] is not None:
                out[key] = round(out[key], 7)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        return cls(
            severity=d["severity"],
            kind=d["kind"],
            code=d.get("code"),
            where=d.get("where", ""),
            lng=d.get("lng"),
            lat=d.get("lat"),
            message=d.get("message", ""),
            data=dict(d.get("data") or {}),
        )


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # Features per level, plus "general" / "dedicated" for micro-grid kinds.
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, problem: Problem) -> Problem:
        self.problems.append(problem)
        return problem

    def error(self, kind: str, message: str, **kw: Any) -> Problem:
        return self.add(Problem(severity=ERROR, kind=kind, message=message, **kw))

    def warning(self, kind: str, message: str, **kw: Any) -> Problem:
        return self.add(Problem(severity=WARNING, kind=kind, message=message, **kw))

    def extend(self, other: Report) -> Report:
        """Appends ``other``'s problems; its counts win where both have one."""
        self.problems.extend(other.problems)
        self.counts.update(other.counts)
        return self

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    def of_kind(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def by_kind(self) -> dict[str, int]:
        """How many problems of each kind."""
        return dict(Counter(p.kind for p in self.problems))

    def codes_with_errors(self) -> set[str]:
        """Codes named by an error, e.g. to tell ``validate_features`` what reading dropped."""
        return {p.code for p in self.problems if p.severity == ERROR and p.code}

    def count_features(self, features: Iterable[Any]) -> dict[str, int]:
        """Sets ``counts`` from AreaFeatures: how many per level and micro-grid kind."""
        counts: Counter[str] = Counter()
        for f in features:
            counts[f.level] += 1
            if f.level == c.MICRO_GRID and f.kind:
                counts[f.kind] += 1
        self.counts = {k: counts[k] for k in (*c.LEVELS, *c.KINDS) if counts[k]}
        return self.counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "counts": dict(self.counts),
            "by_kind": self.by_kind(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        problems = [Problem.from_dict(p) for p in d.get("errors", [])]
        problems += [Problem.from_dict(p) for p in d.get("warnings", [])]
        return cls(problems=problems, counts=dict(d.get("counts") or {}))
