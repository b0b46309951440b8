"""Built-in scenarios: TOML files shipped in ``evo/builtin/``, and config loading."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from evo.config import Config, apply_overrides, parse_toml, read_toml, suggest, validate_config
from agents.errors import MesaevoError


def list_scenarios() -> dict[str, str]:
    """Built-in scenario names and the first line of their description."""
    out = {}
    for entry in sorted(resources.files("evo").joinpath("builtin").iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            first = entry.read_text(encoding="utf-8").splitlines()[0]
            out[entry.name.removesuffix(".toml")] = first.lstrip("# ").strip()
    return out


def scenario_data(name_or_path: str | Path) -> tuple[str, dict[str, Any]]:
    """(scenario name, raw TOML mapping) for a built-in name or a path to a TOML file."""
    path = Path(name_or_path)
    names = list(list_scenarios())
    # a built-in name wins over a file or directory of that name in the working directory (an experiment's
    # output directory is often named after its scenario); a config file is a .toml path or any other path
    if path.suffix == ".toml" or (path.exists() and str(name_or_path) not in names):
        if not path.is_file():
            raise MesaevoError(f"config file {path} " + ("is not a file" if path.exists() else "does not exist"))
        return path.stem, read_toml(path)
    if str(name_or_path) not in names:
        raise MesaevoError(f"unknown scenario '{name_or_path}'{suggest(str(name_or_path), names)}"
                           " (or give a path to a .toml config)")
    text = resources.files("evo").joinpath("builtin", f"{name_or_path}.toml").read_text(encoding="utf-8")
    return str(name_or_path), parse_toml(text, f"scenario {name_or_path}")


def load_config(name_or_path: str | Path, overrides: dict[str, Any] | list[str] | None = None) -> tuple[str, Config]:
    """Resolve a scenario or config file, apply overrides, validate: (scenario name, Config)."""
    name, data = scenario_data(name_or_path)
    return name, validate_config(apply_overrides(data, overrides), source=f"config '{name}'")
