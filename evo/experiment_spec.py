"""Experiment files: a claim, its arms, seeds, the measurement and the verdict rule, stated before running.

An experiment is TOML::

    name = "sugar-online-vs-frozen"     # optional; default: the file's stem
    claim = "After the superstimulus, online selection restores the taste-fitness correlation more than a frozen twin."
    needs = ""                           # optional: model changes the claim needs (documentation only)
    seeds = 5                            # seeds 0..4, or a list
    generations = 200
    [set]                                # overrides for every arm
    "agents.population" = 300

    [arms.online]                        # an arm: a base scenario (or config path) plus overrides
    base = "sugar"
    [arms.frozen]                        # a paired twin: resumes a copy of arm 'online' from its
    fork = "online"                      # checkpoint at generation 100, with these overrides
    fork_at = 100
    set = { "deployment.mode" = "frozen", "deployment.freeze_at" = 100 }

    [measurement]                        # per seed: mean of metric over window in arm,
    metric = "corr_taste"                # minus (optionally) the same for minus_arm / minus_metric /
    arm = "online"                       # minus_window (each defaults to the first term's)
    window = [150, 199]                  # generations, both ends included
    minus_arm = "frozen"
    # plus = [{ coef = -0.5, window = [0, 9] }]  # optional further terms (coef x mean; arm, metric and
                                                 # window default to the first term's): the value is
                                                 # first - minus + sum of coef x term

    [verdict]                            # stated before running
    supported_if = "above"               # the interval lies above threshold: supported; below: contradicted
    threshold = 0.0                      # ("below" swaps them); otherwise inconclusive
    confidence = 0.9                     # a t interval over the per-seed values
    missing = "exclude"                  # a seed without a value (a level died out, a run failed) is
    min_seeds = 2                        # named and left out ("inconclusive": any such seed makes the
                                         # verdict inconclusive); fewer than min_seeds values: inconclusive

    [control]                            # the claimed cause switched off, on the same seeds: the
    cause = "no sugar appears"           # measurement again with each arm replaced by its control
    arms = { online = "online-noshift", frozen = "frozen-noshift" }  # arm; the verdict is on
                                         # treatment minus control, paired by seed
    # no_control_because = "..."         # instead of [control]: why the claim has none (shown)

    tuned_on = { seeds = [0, 1, 2], size = "reduced", note = "window chosen on these" }  # where knobs
                                         # and windows were chosen; seeds that overlap them, or fewer than
                                         # 10, make the verdict exploratory, not confirmatory

    [[also]]                             # optional further measurements of the same runs, each with
    name = "low-depth"                   # its own claim and verdict rule (reported with the first;
    claim = "..."                        # a size table that changes their windows restates the list)
    measurement = { metric = "fitness_mean", arm = "online", window = [150, 199] }
    verdict = { supported_if = "above", threshold = 0.0 }

    [reduced]                            # the default size (CI); --full uses [full]
    seeds = 5
    generations = 40
    set = { "agents.population" = 40 }
    arms.frozen.fork_at = 20             # arms.<name>.set / .fork_at may be resized too
    measurement.window = [30, 39]

    [infer]                              # optional: after each run of these arms, its checkpoints are
    arms = ["online"]                    # inferred onto the alignment axis; measurements may then name
    generations = [90, 150]              # infer_align_<architecture>, repr_align_planner and
    agents = 3                           # infer_cosine_true (``evo.experiment_infer``)
    steps = 500
    [edit]                               # optional: after each run, agents' objectives edited (or a sham)
    arms = { online = "edit" }           # and scored: edit_score, edit_agree_before/_after (``evo.experiment_edit``)
    generation = 150

Every problem is reported at once, before any run starts, as one line.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from agents.errors import MesaevoError
from evo.config import parse_toml, read_toml, suggest
from evo.experiment_edit import EditSpec, edit_errors, edit_points, edit_seconds
from evo.experiment_infer import InferSpec, checkpoint_overrides, config_errors, infer_errors, infer_seconds
from evo.paths import plain_name
from evo.scenarios import load_config

MAX_ARMS = 16
#: Seeds of one experiment and runs (arms x seeds), as ``--seeds`` and a sweep cap them.
MAX_SEEDS = 10_000
MAX_RUNS = 10_000
#: An arm name is part of its runs' directory names (``runs/<arm>-seed<S>``).
ARM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SIZES = ("reduced", "full")
Window = tuple[StrictInt, StrictInt]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArmSpec(_Strict):
    base: str | None = None  # a scenario name or config path; a forked arm takes its parent's
    set: dict[str, Any] = {}
    fork: str | None = None  # the parent arm
    fork_at: StrictInt | None = Field(None, ge=1)  # the parent's checkpoint generation the arm resumes from


class TermSpec(_Strict):
    """A further term of a measurement: ``coef`` x the mean of ``metric`` over ``window`` in ``arm`` (each
    defaults to the measurement's first term's)."""

    coef: float = Field(allow_inf_nan=False)
    arm: str | None = None
    metric: str | None = None
    window: Window | None = None


class MeasurementSpec(_Strict):
    metric: str
    arm: str
    window: Window
    minus_arm: str | None = None
    minus_metric: str | None = None
    minus_window: Window | None = None
    plus: list[TermSpec] = Field([], max_length=32)  # further terms: a difference of differences, ...

    @property
    def paired(self) -> bool:
        """Whether the measurement combines several terms (a difference between arms, metrics or windows)."""
        return bool(self.plus) or any(v is not None for v in (self.minus_arm, self.minus_metric, self.minus_window))

    @property
    def has_minus(self) -> bool:
        return any(v is not None for v in (self.minus_arm, self.minus_metric, self.minus_window))

    def terms(self) -> list[tuple[str, str, tuple[int, int]]]:
        """(arm, metric, window) of the first term, the subtracted one (if any), then the ``plus`` terms."""
        first = (self.arm, self.metric, tuple(self.window))
        out = [first]
        if self.has_minus:
            out.append((self.minus_arm or self.arm, self.minus_metric or self.metric,
                        tuple(self.minus_window or self.window)))
        out += [(t.arm or self.arm, t.metric or self.metric, tuple(t.window or self.window)) for t in self.plus]
        return out

    def coefs(self) -> list[float]:
        """The coefficient of each of :meth:`terms`: 1, -1 for the subtracted term, then the ``plus`` ones."""
        return [1.0] + ([-1.0] if self.has_minus else []) + [t.coef for t in self.plus]

    def describe(self) -> str:
        def term(arm: str, metric: str, window: tuple[int, int]) -> str:
            return f"mean {metric} over generations {window[0]}-{window[1]} in arm '{arm}'"

        parts = [term(*t) for t in self.terms()]
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2 and self.has_minus:
            return f"({parts[0]}) minus ({parts[1]}), paired by seed"
        text = " ".join(f"{'+' if c >= 0 else '-'} {abs(c):g} x ({p})" for c, p in zip(self.coefs(), parts))
        return text.removeprefix("+ ") + ", paired by seed"


class VerdictSpec(_Strict):
    supported_if: Literal["above", "below"] = "above"
    threshold: float = Field(0.0, allow_inf_nan=False)
    confidence: float = Field(0.9, gt=0.5, lt=1.0)
    missing: Literal["exclude", "inconclusive"] = "exclude"  # what a seed without a value does to the verdict
    min_seeds: int = Field(2, ge=2, le=10_000)  # fewer seeds with a value: inconclusive

    def describe(self) -> str:
        other = "below" if self.supported_if == "above" else "above"
        pct = f"{100 * self.confidence:g}%"
        missing = ("a seed without a value makes it inconclusive" if self.missing == "inconclusive" else
                   "seeds without a value are named and left out")
        return (f"supported if the {pct} t interval of the per-seed values lies {self.supported_if} "
                f"{self.threshold:g}; contradicted if it lies {other} {self.threshold:g}; otherwise inconclusive; "
                f"{missing}; fewer than {self.min_seeds} seeds with a value: inconclusive")


class ControlSpec(_Strict):
    """The claimed cause switched off: each arm the measurement names, mapped to its control arm (run on
    the same seeds). The control value of a seed is the measurement with every arm replaced by its control;
    the verdict is on treatment minus control."""

    cause: str = Field(min_length=1, max_length=500)  # what the control switches off, in words
    arms: dict[str, str] = Field(min_length=1, max_length=16)


class TunedOnSpec(_Strict):
    """Where the experiment's knobs and windows were chosen (seeds and size), stated in the file."""

    seeds: list[int] = Field(min_length=1, max_length=10_000)
    size: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=2000)


class AlsoSpec(_Strict):
    """A further measurement of the same runs, with its own claim and verdict rule (stated before running)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    claim: str = Field(min_length=1)
    measurement: MeasurementSpec
    verdict: VerdictSpec = VerdictSpec()
    controlled: bool = True  # False: measured on the treatment arms alone (e.g. a control arm's own level)


class ExperimentFile(_Strict):
    name: str = ""
    claim: str = Field(min_length=1)
    needs: str = ""
    seeds: Any = 5  # a count (seeds 0..N-1) or a list of seeds, checked by _seeds
    generations: StrictInt = Field(ge=1, le=1_000_000)
    set: dict[str, Any] = {}
    arms: dict[str, ArmSpec]
    measurement: MeasurementSpec
    verdict: VerdictSpec = VerdictSpec()
    control: ControlSpec | None = None
    no_control_because: str = Field("", max_length=2000)
    tuned_on: TunedOnSpec | None = None
    also: list[AlsoSpec] = Field([], max_length=8)
    infer: InferSpec | None = None  # post-run inference of some arms (``evo.experiment_infer``)
    edit: EditSpec | None = None  # post-run objective edits of some arms (``evo.experiment_edit``)
    reduced: dict[str, Any] = {}
    full: dict[str, Any] = {}

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: Any) -> int | list[int]:
        """A whole count 1..MAX_SEEDS or a list of at most MAX_SEEDS whole seeds (``true`` is not a count)."""
        def whole(x: Any) -> bool:
            return isinstance(x, int) and not isinstance(x, bool)

        if whole(value):
            if not 1 <= value <= MAX_SEEDS:
                raise ValueError(f"a count of seeds must be between 1 and {MAX_SEEDS} (got {value})")
            return value
        if isinstance(value, list):
            if len(value) > MAX_SEEDS:
                raise ValueError(f"at most {MAX_SEEDS} seeds (got {len(value)})")
            if not all(whole(x) for x in value):
                raise ValueError("every seed must be a whole number")
            return value
        raise ValueError(f"expected a count of seeds or a list of seeds, got {type(value).__name__}")


SIZE_KEYS = ("seeds", "generations", "set", "arms", "measurement", "verdict", "also", "infer", "edit")


@dataclass(frozen=True)
class Arm:
    """A resolved arm: the scenario and every override (common, parent's, own) but seed and generations."""

    name: str
    base: str
    overrides: dict[str, Any]
    fork: str | None
    fork_at: int | None


@dataclass(frozen=True)
class Experiment:
    """A validated experiment at one size."""

    name: str
    claim: str
    needs: str
    size: str
    seeds: tuple[int, ...]
    generations: int
    arms: tuple[Arm, ...]  # parents before the arms forked from them
    measurement: MeasurementSpec
    verdict: VerdictSpec
    source: str
    data: dict[str, Any]
    also: tuple[AlsoSpec, ...] = ()
    control: ControlSpec | None = None
    no_control_because: str = ""
    tuned_on: TunedOnSpec | None = None
    infer: InferSpec | None = None
    edit: EditSpec | None = None
    sha256: str = ""  # of the experiment file's text (of its canonical JSON when built from a mapping)

    def arm(self, name: str) -> Arm:
        return next(a for a in self.arms if a.name == name)

    @property
    def confirmatory(self) -> bool:
        """Whether the verdict confirms: at least 10 seeds, none of them among the seeds it was tuned on."""
        tuned = set(self.tuned_on.seeds) if self.tuned_on else set()
        return self.tuned_on is not None and len(self.seeds) >= 10 and not tuned & set(self.seeds)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _unknown(data: dict[str, Any], model: type[BaseModel], where: str) -> list[str]:
    valid = list(model.model_fields)
    unknown = [k for k in data if k not in valid]
    shown = MAX_PROBLEMS // 2  # the rest of a line's problems stay for other sections
    listed = [f"unknown key '{where}{k}'{suggest(k, valid, where)}" for k in unknown[:shown]]
    return listed + ([f"... and {len(unknown) - shown} more unknown keys"] if len(unknown) > shown else [])


def _schema_errors(data: dict[str, Any]) -> list[str]:
    errors = _unknown(data, ExperimentFile, "")
    for arm, spec in (data.get("arms") or {}).items() if isinstance(data.get("arms"), dict) else []:
        if isinstance(spec, dict):
            errors += _unknown(spec, ArmSpec, f"arms.{arm}.")
    for section, model in (("measurement", MeasurementSpec), ("verdict", VerdictSpec), ("control", ControlSpec),
                           ("tuned_on", TunedOnSpec), ("infer", InferSpec), ("edit", EditSpec)):
        if isinstance(data.get(section), dict):
            errors += _unknown(data[section], model, f"{section}.")
    for size in SIZES:
        table = data.get(size)
        if not isinstance(table, dict):
            continue
        errors += [f"unknown key '{size}.{k}'{suggest(k, list(SIZE_KEYS), size + '.')}" for k in table
                   if k not in SIZE_KEYS]
        arms = table.get("arms")
        if isinstance(arms, dict):
            known = list(data.get("arms") or {})
            for arm, spec in arms.items():
                if arm not in known:
                    errors.append(f"{size}.arms.{arm}: no arm '{arm}'{suggest(arm, known, '')}")
                elif isinstance(spec, dict):
                    errors += [f"unknown key '{size}.arms.{arm}.{k}'; only set and fork_at may be resized"
                               for k in spec if k not in ("set", "fork_at")]
    return errors


def _pydantic_errors(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors()]
    return []


#: An error line lists at most this many problems, each cut to MAX_PROBLEM characters (a file of a
#: million unknown keys gives a short line, not megabytes).
MAX_PROBLEMS = 10
MAX_PROBLEM = 300


def _fail(source: str, errors: list[str]) -> MesaevoError:
    shown = [" ".join(e.split())[:MAX_PROBLEM] for e in errors[:MAX_PROBLEMS]]
    more = f"; ... and {len(errors) - MAX_PROBLEMS} more" if len(errors) > MAX_PROBLEMS else ""
    return MesaevoError(f"invalid {source}: " + "; ".join(shown) + more)


def build_experiment(data: dict[str, Any], source: str = "experiment", root: Path | None = None,
                     default_name: str = "experiment", size: str = "reduced",
                     seeds: int | None = None, first_seed: int = 0, sha256: str = "",
                     max_memory_gib: float | None = None, max_hours: float | None = None) -> Experiment:
    """Validate an experiment mapping at ``size`` ("reduced" or "full"); ``seeds`` overrides the
    seed list with ``first_seed``, ``first_seed + 1``, ... (``seeds`` of them). Every arm's config
    passes the preflight (``evo.preflight``: memory within ``max_memory_gib``, one run's estimated
    time within ``max_hours``, default ``DEFAULT_MAX_HOURS``). Raises one MesaevoError listing every
    problem on one line."""
    from evo import preflight

    if size not in SIZES:
        raise MesaevoError(f"unknown experiment size {size!r}: use reduced or full")
    errors = _schema_errors(data)
    if errors:
        raise _fail(source, errors)
    errors = _pydantic_errors(ExperimentFile, data)
    if errors:
        raise _fail(source, errors)
    merged = _merge({k: v for k, v in data.items() if k not in SIZES}, data.get(size) or {})
    if seeds is not None:
        if isinstance(seeds, bool) or not 1 <= seeds <= MAX_SEEDS:
            raise MesaevoError(f"--seeds must be between 1 and {MAX_SEEDS}")
        if not 0 <= first_seed < 2**63 - seeds:
            raise MesaevoError("--first-seed must be between 0 and 2**63 - seeds")
        merged["seeds"] = list(range(first_seed, first_seed + seeds))
    errors = _pydantic_errors(ExperimentFile, merged)
    if errors:
        raise _fail(f"{source} ({size} size)", errors)
    spec = ExperimentFile.model_validate(merged)
    seed_list = list(range(spec.seeds)) if isinstance(spec.seeds, int) else list(spec.seeds)
    if not seed_list:
        errors.append("seeds: at least one seed is needed")
    if len(set(seed_list)) != len(seed_list):
        errors.append(f"seeds: repeated seeds {seed_list}")
    if any(not 0 <= s < 2**63 for s in seed_list):
        errors.append("seeds: every seed must be in [0, 2**63)")
    if not spec.arms:
        errors.append("arms: at least one arm is needed")
    if len(spec.arms) > MAX_ARMS:
        errors.append(f"arms: at most {MAX_ARMS} arms")
    if len(spec.arms) * len(seed_list) > MAX_RUNS:
        errors.append(f"{len(spec.arms)} arms x {len(seed_list)} seeds is more than the limit of {MAX_RUNS} runs")
    errors += [f"arms: name {name[:40]!r}{'...' if len(name) > 40 else ''} must be 1-64 letters, digits, "
               "'_', '-' or '.' (not starting with one of the last three): it names run directories"
               for name in spec.arms if not ARM_NAME.match(name)][:4]
    if errors:  # the names below would echo a bad arm name in every message
        raise _fail(f"{source} ({size} size)", errors)
    try:
        plain_name(spec.name or default_name, "experiment name")
    except MesaevoError as exc:
        errors.append(str(exc))
    gens = spec.generations
    names = list(spec.arms)
    for key in ("run.seed", "run.generations"):
        for where, overrides in [("set", spec.set)] + [(f"arms.{n}.set", a.set) for n, a in spec.arms.items()]:
            if key in _flatten(overrides):
                errors.append(f"{where}: '{key}' cannot be overridden; use the experiment's "
                              f"'{'seeds' if key == 'run.seed' else 'generations'}'")
    for name, arm in spec.arms.items():
        if arm.fork is None:
            if arm.base is None:
                errors.append(f"arms.{name}: needs a base scenario (or fork from another arm)")
            if arm.fork_at is not None:
                errors.append(f"arms.{name}: fork_at without fork")
        else:
            if arm.fork not in spec.arms or arm.fork == name:
                errors.append(f"arms.{name}.fork: no other arm '{arm.fork}'{suggest(arm.fork, names, '')}")
            if arm.base is not None:
                errors.append(f"arms.{name}: a forked arm takes its parent's base; remove base")
            if arm.fork_at is None:
                errors.append(f"arms.{name}: fork needs fork_at (the parent's checkpoint generation)")
            elif arm.fork_at >= gens:
                errors.append(f"arms.{name}.fork_at = {arm.fork_at} is not before the end ({gens} generations)")
    m = spec.measurement
    errors += _measurement_errors(m, "measurement", names, gens)
    also_names = [a.name for a in spec.also]
    if len(set(also_names)) != len(also_names) or spec.name in also_names:
        errors.append(f"also: names must be distinct (and not the experiment's): {also_names}")
    for k, extra in enumerate(spec.also):
        errors += _measurement_errors(extra.measurement, f"also[{k}].measurement", names, gens)
    errors += _control_errors(spec, names)
    measured = [("measurement", a, metric) for a, metric, _ in m.terms()]
    measured += [(f"also[{k}].measurement", a, metric) for k, x in enumerate(spec.also) for a, metric, _ in
                 x.measurement.terms()]
    errors += infer_errors(spec.infer, names, gens, measured)
    errors += edit_errors(spec.edit, names, gens, measured)
    if errors:
        raise _fail(f"{source} ({size} size)", errors)
    order = _fork_order(spec, errors)
    if errors:
        raise _fail(f"{source} ({size} size)", errors)
    arms: dict[str, Arm] = {}
    for name in order:
        a = spec.arms[name]
        if a.fork is None:
            base = a.base
            if root is not None and (base.endswith(".toml") or (root / base).exists()):
                base = str((root / base).resolve())
            overrides = {**_flatten(spec.set), **_flatten(a.set)}
        else:
            parent = arms[a.fork]
            base, overrides = parent.base, {**parent.overrides, **_flatten(a.set)}
        arms[name] = Arm(name, base, {**overrides, **_checkpoints(spec, name)}, a.fork, a.fork_at)
    hours = preflight.DEFAULT_MAX_HOURS if max_hours is None else max_hours
    inferred = set(spec.infer.arms) if spec.infer is not None else set()
    edited = set(spec.edit.arms) if spec.edit is not None else set()
    for arm in arms.values():  # every arm's config, before any work
        try:
            _, config = load_config(arm.base, {**arm.overrides, "run.seed": seed_list[0], "run.generations": gens})
            est = preflight.check(config, max_memory_gib, max_hours=hours)
            if arm.name in inferred or arm.name in edited:
                errors += config_errors(config, arm.name)
                seconds = est.seconds + (infer_seconds(config, spec.infer) if arm.name in inferred else 0.0)
                seconds += edit_seconds(config, spec.edit) if arm.name in edited else 0.0
                if seconds > hours * 3600:
                    raise MesaevoError(f"one run and its inference or edits are estimated to take about {seconds / 3600:.3g} "
                                       f"hours, more than the limit of {hours:g} hours; infer fewer agents, steps "
                                       "or generations, or raise the limit with --max-hours HOURS")
        except MesaevoError as exc:
            errors.append(f"arm '{arm.name}': {str(exc).replace(chr(10), ' ')}")
    if errors:
        raise _fail(f"{source} ({size} size)", errors)
    return Experiment(spec.name or default_name, spec.claim.strip(), spec.needs.strip(), size, tuple(seed_list),
                      gens, tuple(arms.values()), m, spec.verdict, source, data, tuple(spec.also), spec.control,
                      spec.no_control_because.strip(), spec.tuned_on, spec.infer, spec.edit, sha256 or canonical_sha256(data))


def canonical_sha256(data: dict[str, Any]) -> str:
    """SHA-256 of a mapping's canonical JSON (sorted keys), for an experiment built without a file."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _control_errors(spec: ExperimentFile, names: list[str]) -> list[str]:
    """Exactly one of ``control`` and ``no_control_because``; control arms exist, are not treatment arms, and
    cover every arm a controlled measurement names."""
    if spec.control is None:
        if not spec.no_control_because.strip():
            return ["control: every experiment needs a control (the arms with the claimed cause switched off: "
                    "[control] cause = \"...\", arms = { treatment = \"control\" }) or no_control_because = \"...\""]
        return []
    errors = []
    if spec.no_control_because.strip():
        errors.append("no_control_because: give either [control] or no_control_because, not both")
    mapping = spec.control.arms
    for treated, control in mapping.items():
        for label, arm in ((f"control.arms key '{treated}'", treated), (f"control.arms.{treated}", control)):
            if arm not in names:
                errors.append(f"{label}: no arm '{arm}'{suggest(arm, names, '')}")
        if control == treated or control in mapping:
            errors.append(f"control.arms.{treated}: the control arm '{control}' must not be a treatment arm")
    measured = [("measurement", spec.measurement)]
    measured += [(f"also[{k}].measurement", a.measurement) for k, a in enumerate(spec.also) if a.controlled]
    for where, m in measured:
        for arm in dict.fromkeys(t[0] for t in m.terms()):
            if arm not in mapping:
                errors.append(f"{where}: arm '{arm}' has no control arm in control.arms")
    return errors


def _measurement_errors(m: MeasurementSpec, where: str, names: list[str], gens: int) -> list[str]:
    """Arms a measurement names that do not exist, windows outside the run."""
    errors = []
    arms = [(f"{where}.arm", m.arm), (f"{where}.minus_arm", m.minus_arm)]
    arms += [(f"{where}.plus[{k}].arm", t.arm) for k, t in enumerate(m.plus)]
    for label, arm in arms:
        if arm is not None and arm not in names:
            errors.append(f"{label}: no arm '{arm}'{suggest(arm, names, '')}")
    windows = [(f"{where}.window", m.window), (f"{where}.minus_window", m.minus_window)]
    windows += [(f"{where}.plus[{k}].window", t.window) for k, t in enumerate(m.plus)]
    for label, window in windows:
        if window is not None and not 0 <= window[0] <= window[1] < gens:
            errors.append(f"{label} = {list(window)} must be first <= last within generations 0..{gens - 1}")
    terms = m.terms()
    repeated = sorted({f"{a}:{metric}[{w[0]}-{w[1]}]" for a, metric, w in terms if terms.count((a, metric, w)) > 1})
    if repeated:
        errors.append(f"{where}: the term {', '.join(repeated)} appears more than once (each term once; "
                      "give a repeated one a coefficient instead)")
    return errors


def _fork_order(spec: ExperimentFile, errors: list[str]) -> list[str]:
    """Arm names with every parent before its forks; a cycle is an error."""
    order: list[str] = []
    pending = dict(spec.arms)
    while pending:
        ready = [n for n, a in pending.items() if a.fork is None or a.fork in order]
        if not ready:
            errors.append(f"arms: forks form a cycle ({', '.join(pending)})")
            return order
        for n in ready:
            order.append(n)
            del pending[n]
    return order


def _checkpoints(spec: ExperimentFile, name: str) -> dict[str, Any]:
    """A parent arm checkpoints at every generation its forks start from and keeps those checkpoints
    (checkpoints change no result), and an inferred arm those its inference reads."""
    points = [a.fork_at for a in spec.arms.values() if a.fork == name] + edit_points(spec.edit, name)
    return checkpoint_overrides(spec.infer, name, points, spec.generations)


# --------------------------------------------------------------------------- files and names


def list_experiments() -> dict[str, str]:
    """Shipped experiment names and their claims."""
    out = {}
    folder = resources.files("evo").joinpath("builtin", "experiments")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            try:
                claim = parse_toml(entry.read_text(encoding="utf-8"), entry.name).get("claim", "")
            except MesaevoError:
                claim = "(unreadable)"
            out[entry.name.removesuffix(".toml")] = str(claim)
    return out


def experiment_data(name_or_path: str | Path) -> tuple[str, dict[str, Any], Path | None]:
    """(name, raw TOML mapping, directory for relative bases) for a shipped name or a TOML path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise MesaevoError(f"experiment file {path} does not exist")
        return path.stem, read_toml(path), path.parent
    names = list(list_experiments())
    if str(name_or_path) not in names:
        raise MesaevoError(f"unknown experiment '{name_or_path}'{suggest(str(name_or_path), names, '')}"
                           " (or give a path to a .toml experiment file)")
    text = resources.files("evo").joinpath("builtin", "experiments", f"{name_or_path}.toml").read_text(
        encoding="utf-8")
    return str(name_or_path), parse_toml(text, f"experiment {name_or_path}"), None


def experiment_sha256(name_or_path: str | Path) -> str:
    """SHA-256 of an experiment file's bytes (a shipped name: its file in the package), as ``sha256sum`` gives."""
    import hashlib

    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        data = path.read_bytes()
    else:
        data = resources.files("evo").joinpath("builtin", "experiments", f"{name_or_path}.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()


def load_experiment(name_or_path: str | Path, size: str = "reduced", seeds: int | None = None,
                    first_seed: int = 0, max_memory_gib: float | None = None,
                    max_hours: float | None = None) -> Experiment:
    """Read and validate an experiment (shipped name or file) at ``size`` (see :func:`build_experiment`)."""
    name, data, root = experiment_data(name_or_path)
    return build_experiment(data, source=f"experiment {name_or_path}", root=root, default_name=name,
                            size=size, seeds=seeds, first_seed=first_seed,
                            sha256=experiment_sha256(name_or_path), max_memory_gib=max_memory_gib,
                            max_hours=max_hours)
