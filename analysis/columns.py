"""The generation table's per-level column names, ``L{level}_{statistic}`` (``L1_spearman``, ``L2_n``,
``L3_cosine_parent``): the one parser of them (the figures, metrics and the report read levels from here).
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["level_column", "level_of", "levels"]

_LEVEL = re.compile(r"^L(\d+)_([A-Za-z0-9_]+)$")


def level_column(level: int, statistic: str) -> str:
    """The column of ``statistic`` at ``level``: ``level_column(2, "spearman")`` is ``"L2_spearman"``."""
    return f"L{level}_{statistic}"


def level_of(column: object, statistics: Iterable[str] | None = None) -> tuple[int, str] | None:
    """``(level, statistic)`` of a per-level column (of one of ``statistics``, when given), else None."""
    m = _LEVEL.match(str(column))
    if m is None or (statistics is not None and m.group(2) not in tuple(statistics)):
        return None
    return int(m.group(1)), m.group(2)


def levels(columns: Iterable[object], statistics: Iterable[str] = ("spearman",)) -> list[int]:
    """The levels, ascending, with a column of one of ``statistics`` among ``columns``."""
    wanted = tuple(statistics)
    return sorted({parsed[0] for c in columns if (parsed := level_of(c, wanted)) is not None})
