"""The run configuration: TOML validated into frozen typed models.

Unknown keys are errors naming the key path and the closest valid key; every
problem in a config is reported at once, before any work starts.
"""

from __future__ import annotations

import copy
import difflib
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import Field, ValidationError, model_validator

from agents.errors import MesaevoError
from agents.genome import HEREDITY_MODES, MAX_DEPTH
from agents.inspection import InspectionSection
from agents.nesting.config import NestingSection
from agents.schema import Section
from evo.paths import nesting_depth, regular_file
from worlds.registry import shift_schemas, world_entry, worlds
from worlds.shifts import ShiftBase, schedule_errors, schedule_warnings


class RunSection(Section):
    name: str = "run"
    seed: int = Field(0, ge=0, lt=2**63)
    generations: int = Field(100, ge=1, le=10_000_000)


class AgentsSection(Section):
    population: int = Field(500, ge=2, le=10_000_000)
    architecture: Literal["planner", "reactive", "neural", "evolved"] = "planner"
    # the evolved neural policy's genes (worlds that declare it): on with architecture "neural", or here for a
    # mixed population, where among non-planners (architecture gene < 0.5) the neural gene >= 0.5 is neural
    neural: bool = False
    neural_hidden: int = Field(4, ge=1, le=32)  # the neural policy's hidden units
    max_depth: int = Field(3, ge=1, le=MAX_DEPTH)
    # comparators (None: evolved): the objective held fixed, and the planner depth fixed. Competence maps
    # only to depth, so fixed_depth is also the fixed competence (there is no separate fixed_competence).
    fixed_weights: tuple[Annotated[float, Field(ge=-1, le=1)], ...] | None = None
    fixed_depth: int | None = Field(None, ge=1, le=MAX_DEPTH)
    # what planners value: their evolved weights, or exactly what selection counts (a fitness-mirroring
    # objective: a predicted conception in the foraging world, food eaten in the hungry-thirsty world)
    objective: Literal["evolved", "fitness"] = "evolved"

    @model_validator(mode="after")
    def _comparators_fit(self) -> "AgentsSection":
        if self.objective == "fitness" and self.fixed_weights is not None:
            raise ValueError("agents.objective = 'fitness' replaces the weights: drop agents.fixed_weights")
        if self.objective == "fitness" and self.architecture != "planner":
            raise ValueError(f"agents.objective = 'fitness' needs agents.architecture = 'planner' "
                             f"(got {self.architecture!r}: reactive agents have no objective to replace)")
        if self.fixed_depth is not None and self.fixed_depth > self.max_depth:
            raise ValueError(f"agents.fixed_depth = {self.fixed_depth} exceeds agents.max_depth = {self.max_depth}")
        return self


class EvolutionSection(Section):
    selection: Literal["proportional", "tournament"] = "proportional"
    tournament_size: int = Field(3, ge=2)
    crossover_prob: float = Field(0.5, ge=0, le=1)
    mutation_prob: float = Field(0.3, ge=0, le=1)
    mutation_eta: float = Field(20.0, gt=0)
    mutation_indpb: float = Field(0.15, ge=0, le=1)
    hall_of_fame: int = Field(10, ge=1)
    # genes taken out of selection (a control: the claimed cause switched off): every generation each
    # offspring gets them drawn afresh from the first generation's distribution, so selection cannot move them
    unselected_genes: tuple[str, ...] = Field((), max_length=64)


class RecordSection(Section):
    entity_every: int = Field(1, ge=0)  # record entities every k generations; 0: never
    flush_every: int = Field(10, ge=1)  # write tables to disk every k generations (and at the end)


class CheckpointSection(Section):
    every: int = Field(10, ge=0)  # write a checkpoint every k generations (and at the end); 0: only at the end
    keep: int = Field(3, ge=1)  # newest checkpoints kept; older ones are pruned


WORLD_KINDS: dict[str, type[Section]] = {kind: entry.section for kind, entry in worlds().items()}
SHIFT_KINDS: dict[str, type[ShiftBase]] = shift_schemas()
DEFAULT_WORLD = next(iter(WORLD_KINDS))
WorldConfig = Annotated[Union[tuple(WORLD_KINDS.values())], Field(discriminator="kind")]
ShiftEvent = Annotated[Union[tuple(SHIFT_KINDS.values())], Field(discriminator="kind")]


class DeploymentSection(Section):
    """Online: selection continues throughout. Frozen: from ``freeze_at`` on genomes stop changing.

    ``freeze_at`` is kept but unused when ``mode = "online"``, so that
    ``--set deployment.mode=online`` turns a frozen scenario into its online twin.
    """

    mode: Literal["online", "frozen"] = "online"
    freeze_at: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _freeze_needs_generation(self) -> "DeploymentSection":
        if self.mode == "frozen" and self.freeze_at is None:
            raise ValueError("deployment.mode = 'frozen' needs deployment.freeze_at (the generation genomes freeze)")
        return self


class NestingConfig(NestingSection):
    """``[nesting]`` plus the ``heredity`` comparator (kept out of the kernel's parameter vector):
    "evolved" (the heredity gene evolves), "on" or "off" (the hereditary technique always or never
    handed down; see ``agents.genome.apply_comparators``)."""

    heredity: Literal[HEREDITY_MODES] = "evolved"  # type: ignore[valid-type]

    def kernel_values(self) -> dict[str, float]:
        return NestingSection(**self.model_dump(exclude={"heredity"})).kernel_values()


class Config(Section):
    run: RunSection = RunSection()
    world: WorldConfig = WORLD_KINDS[DEFAULT_WORLD]()
    agents: AgentsSection = AgentsSection()
    evolution: EvolutionSection = EvolutionSection()
    record: RecordSection = RecordSection()
    checkpoint: CheckpointSection = CheckpointSection()
    deployment: DeploymentSection = DeploymentSection()
    nesting: NestingConfig = NestingConfig()
    inspection: InspectionSection = InspectionSection()
    shifts: tuple[ShiftEvent, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _world_kind_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("world"), dict) and "kind" not in data["world"]:
            data = {**data, "world": {**data["world"], "kind": DEFAULT_WORLD}}
        return data

    @model_validator(mode="after")
    def _schedule_is_consistent(self) -> "Config":
        entry = world_entry(self.world.kind)
        errors = schedule_errors(self.shifts, self.run.generations, entry.shift_params)
        if entry.planners_only and self.agents.architecture != "planner":
            errors.append(f"agents.architecture = {self.agents.architecture!r}: the {entry.kind} world has "
                          "planners only")
        errors += comparator_errors(self, entry)
        layout = entry.genome_layout(self)
        if (self.agents.architecture == "neural" or self.agents.neural) and not layout.has("network"):
            what = "agents.architecture = 'neural'" if self.agents.architecture == "neural" else "agents.neural"
            errors.append(f"{what}: the {entry.kind} world has no neural policy (worlds that do: "
                          f"{', '.join(k for k, e in worlds().items() if e.genome_layout(self).has('network'))})")
        if self.inspection.enabled and not layout.has("cue_gain"):
            errors.append(f"inspection.enabled: the {entry.kind} world has no inspection (worlds that do: foraging)")
        elif self.inspection.enabled and self.agents.architecture != "planner":
            errors.append(f"inspection.enabled: the cue gains act on drive weights, which only planners have "
                          f"(agents.architecture = {self.agents.architecture!r}; set it to 'planner')")
        genes = layout.named_columns()
        for name in self.evolution.unselected_genes:
            if name not in genes:
                errors.append(f"evolution.unselected_genes: no gene {name!r}{suggest(name, list(genes))}")
        if errors:
            raise ValueError("\n  ".join(errors))
        return self


def comparator_errors(config: Config, entry) -> list[str]:
    """What ``config`` asks of the world's vocabulary that ``entry`` does not declare: a comparator it does
    not support, or fixed weights that are not one per feature."""
    errors = []
    agents, kind = config.agents, entry.kind
    asked = {"fixed_weights": agents.fixed_weights is not None, "fixed_depth": agents.fixed_depth is not None,
             "heredity": config.nesting.heredity != "evolved", "fitness_objective": agents.objective == "fitness"}
    setting = {"fixed_weights": "agents.fixed_weights", "fixed_depth": "agents.fixed_depth",
               "heredity": f"nesting.heredity = {config.nesting.heredity!r}",
               "fitness_objective": "agents.objective = 'fitness'"}
    for name, on in asked.items():
        if on and name not in entry.comparators:
            with_it = [k for k, e in worlds().items() if name in e.comparators]
            what = "has no fitness-mirroring objective" if name == "fitness_objective" else \
                "does not support this comparator"
            errors.append(f"{setting[name]}: the {kind} world {what} (worlds that do: {', '.join(with_it) or 'none'})")
    if agents.fixed_weights is not None and len(agents.fixed_weights) != len(entry.features):
        errors.append(f"agents.fixed_weights needs {len(entry.features)} values ({', '.join(entry.features)}), "
                      f"got {len(agents.fixed_weights)}")
    return errors


def run_notes(config: Config) -> list[str]:
    """What a run of ``config`` will not see of its schedule, as warnings (not errors; the run goes
    on and records them in its manifest's ``notes``): shifts and ramps past its end
    (:func:`worlds.shifts.schedule_warnings`) and a ``deployment.freeze_at`` it never reaches."""
    notes = schedule_warnings(config.shifts, config.run.generations)
    dep, end = config.deployment, config.run.generations
    if dep.mode == "frozen" and dep.freeze_at is not None and dep.freeze_at >= end:
        notes.append(f"deployment.freeze_at = {dep.freeze_at} is past the run's end (run.generations = {end}): "
                     "genomes never freeze, the whole run is online")
    return notes


SECTIONS: dict[str, type[Section]] = {
    "run": RunSection, "world": WORLD_KINDS[DEFAULT_WORLD], "agents": AgentsSection,
    "evolution": EvolutionSection, "record": RecordSection, "checkpoint": CheckpointSection,
    "deployment": DeploymentSection, "nesting": NestingConfig, "inspection": InspectionSection,
}


def suggest(key: str, valid: list[str], prefix: str = "") -> str:
    """'; did you mean ...' with a valid key close to ``key`` (with its section prefix), or the valid keys.

    Close: a difflib ratio of at least 0.6, or a shared beginning of 4 or more characters covering
    most of the shorter word (``evolve`` -> ``evolution``); ``generations`` is never "close" to ``agents``.
    """
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if not close:
        stems = [v for v in valid if len(os.path.commonprefix([key, v])) >= max(4, 0.6 * min(len(key), len(v)))]
        close = stems[:1]
    return f"; did you mean '{prefix}{close[0]}'?" if close else f"; valid keys: {', '.join(sorted(valid))}"


def _suggest_top(key: str, top: list[str]) -> str:
    """A top-level key that is a key of a section (``generations``) suggests that section's key
    (``run.generations``); otherwise the closest section name."""
    owners = [name for name, section in SECTIONS.items() if key in section.model_fields]
    if owners:
        return f"; did you mean {' or '.join(repr(f'{o}.{key}') for o in owners)}?"
    leaves = [f"{name}.{field}" for name, section in SECTIONS.items() for field in section.model_fields]
    near = difflib.get_close_matches(key, [leaf.split(".", 1)[1] for leaf in leaves], n=1, cutoff=0.8)
    if near and not difflib.get_close_matches(key, top, n=1, cutoff=0.6):
        owner = next(leaf for leaf in leaves if leaf.split(".", 1)[1] == near[0])
        return f"; did you mean '{owner}'?"
    return suggest(key, top)


#: An error lists at most this many unknown keys (a file of a million gives a short message, quickly:
#: the closest valid key is looked up for the listed ones only).
MAX_UNKNOWN = 10


def unknown_key_errors(data: dict[str, Any]) -> list[str]:
    """Messages for every key the schema does not know, with the closest valid key (the first
    ``MAX_UNKNOWN``, then a count of the rest)."""
    errors: list[str] = []
    more = 0

    def add(message) -> None:  # message: a callable, so suggestions are computed only for listed keys
        nonlocal more
        if len(errors) < MAX_UNKNOWN:
            errors.append(message())
        else:
            more += 1

    top = list(SECTIONS) + ["shifts"]
    for key, value in data.items():
        if key not in top:
            add(lambda: f"unknown key '{key}'{_suggest_top(key, top)}")
        elif key == "world" and isinstance(value, dict):
            kind = value.get("kind", DEFAULT_WORLD)
            if not isinstance(kind, str) or kind not in WORLD_KINDS:
                add(lambda: f"world.kind: unknown world kind {kind!r}{suggest(str(kind), list(WORLD_KINDS))}")
                continue
            valid = list(WORLD_KINDS[kind].model_fields)
            which = "" if kind == DEFAULT_WORLD else f" (in a world of kind {kind!r})"
            for k in value:
                if k not in valid:
                    add(lambda: f"unknown key 'world.{k}'{which}{suggest(k, valid, 'world.')}")
        elif key in SECTIONS and isinstance(value, dict):
            valid = list(SECTIONS[key].model_fields)
            for k in value:
                if k not in valid:
                    add(lambda: f"unknown key '{key}.{k}'{suggest(k, valid, key + '.')}")
        elif key == "shifts" and isinstance(value, list):
            for i, ev in enumerate(value):
                if not isinstance(ev, dict):
                    continue
                kind = ev.get("kind")
                if not isinstance(kind, str) or kind not in SHIFT_KINDS:
                    add(lambda: f"shifts[{i}].kind: unknown shift kind {kind!r}{suggest(str(kind), list(SHIFT_KINDS))}")
                    continue
                valid = list(SHIFT_KINDS[kind].model_fields)
                for k in ev:
                    if k not in valid:
                        add(lambda: f"unknown key 'shifts[{i}].{k}'{suggest(k, valid, f'shifts[{i}].')}")
    if more:
        errors.append(f"... and {more} more unknown keys")
    return errors


def _loc(loc: tuple) -> str:
    out = ""
    for k, part in enumerate(loc):
        if k == 1 and loc[0] == "world" and part in WORLD_KINDS:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in SHIFT_KINDS:  # pydantic adds the union tag to the path
            out += f".{part}" if out else str(part)
    return out


def validate_config(data: dict[str, Any], source: str = "config") -> Config:
    """Validate a config mapping; raise MesaevoError listing every problem."""
    errors = unknown_key_errors(data)
    if not errors:
        try:
            return Config.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                where = _loc(err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                got = f" (got {err['input']!r})" if err["type"] != "missing" and not isinstance(err["input"], dict) else ""
                errors.append(f"{where}: {msg}{got}" if where else f"{msg}")
    raise MesaevoError(f"invalid {source}:\n  " + "\n  ".join(errors))


#: A config, sweep or experiment file is kilobytes; nested tables and arrays go a few levels deep.
MAX_TOML_BYTES = 16 * 2**20
MAX_TOML_DEPTH = 32


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text, turning syntax errors (and nesting deeper than ``MAX_TOML_DEPTH``) into a
    MesaevoError naming the source."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MesaevoError(f"{source} is not valid TOML: {exc}") from None
    except RecursionError:
        raise MesaevoError(f"{source} is not valid TOML: nested too deeply") from None
    if nesting_depth(data, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        raise MesaevoError(f"{source} is nested more than {MAX_TOML_DEPTH} tables or arrays deep")
    return data


def read_toml(path: Path) -> dict[str, Any]:
    """Read and parse a TOML file (a regular file of at most ``MAX_TOML_BYTES``)."""
    regular_file(path, "config", MAX_TOML_BYTES)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MesaevoError(f"cannot read config {path}: {exc}") from None
    return parse_toml(text, str(path))


#: Last path part of an override that appends to a list: ``shifts+={...}`` is the path ``shifts.+``.
APPEND = "+"


def _key_path(key: str) -> list[str]:
    """``a.b`` -> ``[a, b]``; ``a.b+`` (append to the list ``a.b``) -> ``[a, b, "+"]``."""
    append = key.endswith(APPEND)
    base = key[:-1].strip() if append else key
    parts = (base[:-1] if append and base.endswith(".") else base).split(".")  # "shifts.+" as well
    return parts + [APPEND] if append else parts


def parse_override(item: str) -> tuple[list[str], Any]:
    """Split ``key.path=value``; the value is read as TOML (a bare word stays a string).

    ``key.path+=value`` appends ``value`` to the list at ``key.path`` (the path then ends in
    :data:`APPEND`), e.g. ``shifts+={kind = "scarcity", generation = 50}`` adds a shift.
    """
    if "=" not in item:
        raise MesaevoError(f"override {item!r} must look like key.path=value")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or key == APPEND or any(not part for part in _key_path(key)):
        raise MesaevoError(f"override {item!r} has an empty key")
    if "\n" in raw or "\r" in raw:
        raise MesaevoError(f"override {key!r}: the value must be on one line")
    try:
        parsed = tomllib.loads(f"v = {raw.strip()}")
        value = parsed["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = raw.strip()
    return _key_path(key), value


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any] | list[str] | None) -> dict[str, Any]:
    """A copy of ``data`` with dotted-key overrides applied (``{"world.width": 32}`` or ``["world.width=32"]``;
    ``{"shifts+": {...}}`` or ``["shifts+={...}"]`` append to a list, see :func:`parse_override`)."""
    out = copy.deepcopy(data)
    if not overrides:
        return out
    items = [parse_override(s) for s in overrides] if isinstance(overrides, list) else \
        [(_key_path(k), v) for k, v in overrides.items()]
    for path, value in items:
        node: Any = out
        for depth, part in enumerate(path):
            where = f"override {'.'.join(path)}"
            if part == APPEND:
                if depth != len(path) - 1 or not isinstance(node, list):
                    raise MesaevoError(f"{where}: '+=' appends to a list, and '{'.'.join(path[:depth])}' is not one")
                node.append(value)
                break
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise MesaevoError(f"{where}: '{part}' is not an index of '{'.'.join(path[:depth])}' "
                                       f"(it has {len(node)} entries)")
                key: Any = int(part)
            elif isinstance(node, dict):
                key = part
            else:
                raise MesaevoError(f"{where}: '{'.'.join(path[:depth])}' is a value, not a section")
            if depth == len(path) - 1:
                node[key] = value
            else:
                if isinstance(node, dict) and key not in node and path[depth + 1] == APPEND:
                    node[key] = []  # appending to a list the config does not have yet (a scenario without shifts)
                elif isinstance(node, dict) and key not in node:
                    if path[depth + 1].isdigit():
                        raise MesaevoError(f"{where}: there is no '{'.'.join(path[:depth + 1])}' list to index")
                    node[key] = {}
                node = node[key]
    return out
