"""Safe file access inside run and sweep directories.

Paths read from files the user did not type (``sweep.json``, manifests) are
resolved and must lie inside their directory; subdirectories that are symlinks
leading out are refused; files are checked to be regular (a FIFO would block a
read) and small enough before they are opened; JSON is parsed with its nesting
depth bounded. Every refusal is a ``MesaevoError`` naming the path.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from agents.errors import MesaevoError

MAX_JSON_BYTES = 64 * 2**20  # manifests and checkpoint metadata are kilobytes; anything this big is not ours
MAX_JSON_DEPTH = 64


def inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) lies inside ``root`` (resolved), or is ``root``."""
    real, base = Path(path).resolve(), Path(root).resolve()
    return real == base or base in real.parents


def confined(root: str | Path, relative: Any, what: str) -> Path:
    """``root / relative`` resolved, refusing anything that is not a relative path inside ``root``."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        raise MesaevoError(f"{what}: {relative!r} is not a relative path")
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts:
        raise MesaevoError(f"{what}: {relative!r} must be a relative path inside {root} (no '..', not absolute)")
    target = Path(root) / rel
    if not inside(target, root):
        raise MesaevoError(f"{what}: {relative!r} leads outside {root} (through a symlink)")
    return target


def plain_name(name: str, what: str) -> str:
    """``name`` if it is a plain directory name (one path component of at most 128 characters, not
    '.', '..' or hidden, no control characters); MesaevoError otherwise. Names from files become
    directories under the working directory: none may lead out of it."""
    if (not isinstance(name, str) or not name or len(name) > 128 or name in (".", "..") or name.startswith(".")
            or "/" in name or "\\" in name or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
            or name != name.strip()):
        shown = repr(name[:60] + "..." if isinstance(name, str) and len(name) > 60 else name)
        raise MesaevoError(f"{what} {shown} must be a plain directory name (no '/', not '..', not hidden, "
                           "at most 128 characters)")
    return name


def safe_subdir(run_dir: str | Path, name: str) -> Path:
    """``run_dir/name`` as a directory the run may write and delete in: refuses a symlink leading
    outside ``run_dir`` and anything that is not a directory."""
    sub = Path(run_dir) / name
    if sub.is_symlink() and not inside(sub, run_dir):
        raise MesaevoError(f"{sub} is a symlink leading out of the run directory {run_dir}; refusing to use it")
    if os.path.lexists(sub) and not sub.is_dir():
        raise MesaevoError(f"{sub} is not a directory")
    return sub


def regular_file(path: str | Path, what: str = "file", max_bytes: int | None = None) -> Path:
    """Refuse a path that is not a regular file (FIFO, device, directory) or is larger than ``max_bytes``."""
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise MesaevoError(f"cannot read {what} {path}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise MesaevoError(f"{what} {path} is not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        raise MesaevoError(f"{what} {path} is {st.st_size} bytes, more than the {max_bytes} expected at most")
    return path


def nesting_depth(obj: Any, limit: int) -> int:
    """How deeply dicts and lists nest in ``obj`` (counted without recursion; stops past ``limit``)."""
    return _depth(obj, limit)


def _depth(obj: Any, limit: int) -> int:
    stack, deepest = [(obj, 1)], 0
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest


def read_json(path: str | Path, what: str = "file", max_bytes: int = MAX_JSON_BYTES,
              max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """Read a JSON object from a regular file; MesaevoError if it is not one, too big or nested too deeply."""
    path = regular_file(path, what, max_bytes)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MesaevoError(f"cannot read {what} {path}: {exc}") from None
    if text.count("[") + text.count("{") > 0 and _bracket_depth(text) > max_depth:
        raise MesaevoError(f"{what} {path} is nested more than {max_depth} levels deep")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MesaevoError(f"{what} {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MesaevoError(f"{what} {path} does not hold a JSON object")
    if _depth(data, max_depth) > max_depth:
        raise MesaevoError(f"{what} {path} is nested more than {max_depth} levels deep")
    return data


def _bracket_depth(text: str) -> int:
    """Maximum bracket nesting outside strings: checked before parsing, so no recursion limit is hit."""
    depth = deepest = 0
    in_str = escape = False
    for ch in text:
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest
