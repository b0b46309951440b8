"""A small TOML writer for configs (tables of scalars, lists of scalars, arrays of tables).

Enough for a mesaevo config as ``Config.model_dump(mode="json")`` gives it: ``None``
values are left out (TOML has no null; a missing key takes its default), strings are
written as basic strings with escapes, floats keep a decimal point (``1.0``, ``inf``,
``nan``), so the text reads back with :mod:`tomllib` to the same values.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in data.items()
               if v is not None and not isinstance(v, dict) and not _is_table_array(v)}
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{'.'.join(_key(p) for p in [*path, key])}]"]
            _table(value, [*path, key], lines)
        elif _is_table_array(value):
            for entry in value:
                lines += ["", f"[[{'.'.join(_key(p) for p in [*path, key])}]]"]
                _table(entry, [*path, key], lines)


def dumps(data: dict[str, Any]) -> str:
    """TOML text of ``data`` (see the module docstring for what is supported)."""
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"
