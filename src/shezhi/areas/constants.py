"""The territory's vocabulary: levels, micro-grid kinds and the code scheme.

Plain Python (no Django) so the geometry code, the importer and the demo
generator can use it without a configured project.
"""

from __future__ import annotations

import re

# Levels from the root down. A child's level is always the next one.
DISTRICT = "district"
STREET = "street"
COMMUNITY = "community"  # 村(社区) = 总网格 (total grid)
GENERAL_GRID = "general_grid"  # 一般网格
MICRO_GRID = "micro_grid"  # 微网格

LEVELS: tuple[str, ...] = (DISTRICT, STREET, COMMUNITY, GENERAL_GRID, MICRO_GRID)
LEVEL_INDEX = {level: i for i, level in enumerate(LEVELS)}

# Code = 6-digit county + 3-digit street + 3-digit community + 3-digit general
# grid + 3-digit micro-grid, so a code's length says its level and its prefix
# is its parent's code.
CODE_LENGTH = {DISTRICT: 6, STREET: 9, COMMUNITY: 12, GENERAL_GRID: 15, MICRO_GRID: 18}
CODE_RE = re.compile(r"^[0-9]{6}(?:[0-9]{3}){0,4}$")

# Micro-grid kinds.
KIND_GENERAL = "general"
KIND_DEDICATED = "dedicated"  # 专属微网格
KINDS = (KIND_GENERAL, KIND_DEDICATED)

# Dedicated micro-grid types.
DEDICATED_TYPES = (
    "school",
    "enterprise",
    "hospital",
    "market",
    "construction_site",
    "government_unit",
    "other",
)


def parent_level(level: str) -> str | None:
    i = LEVEL_INDEX[level]
    return LEVELS[i - 1] if i > 0 else None


def child_level(level: str) -> str | None:
    i = LEVEL_INDEX[level]
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def level_for_code(code: str) -> str | None:
    """The level a well-formed code belongs to, or None."""
    if not CODE_RE.match(code or ""):
        return None
    for level, length in CODE_LENGTH.items():
        if len(code) == length:
            return level
    return None
