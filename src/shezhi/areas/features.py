"""One area as read from a file or exported to one: the importer's unit.

A feature mirrors a GeoJSON Feature whose properties are ``code``, ``name``,
``level``, ``parent_code``, ``kind`` and ``dedicated_type``; the geometry is a
GeoJSON Polygon or MultiPolygon in WGS84 (lng, lat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AreaFeature:
    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: dict[str, Any]
    kind: str = ""  # "general" / "dedicated" for micro-grids, "" otherwise
    dedicated_type: str = ""  # one of DEDICATED_TYPES for dedicated micro-grids
    # Where the feature came from, for messages: "feature #12" or "row 12".
    location: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_geojson(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "properties": {
                "code": self.code,
                "name": self.name,
                "level": self.level,
                "parent_code": self.parent_code,
                "kind": self.kind or None,
                "dedicated_type": self.dedicated_type or None,
            },
            "geometry": self.geometry,
        }
