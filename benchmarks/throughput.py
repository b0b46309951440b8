"""Throughput benchmark: how fast a scenario evolves, and how much faster the kernel is than the reference.

Measures, for one scenario (default ``sugar``: 64x64 world, 300 steps, 500 planning agents):

1. warm-up: one generation through ``Simulation`` (numba compile or cache load), reported on its own;
2. ``--generations`` generations through ``Simulation`` (into a temporary directory): seconds per
   generation and its split into world simulation, GA and metrics+recording; the GA + recording
   share; entity-steps per second with planning (sum of lifespans / world seconds); mean search
   nodes per agent-step; generations projected in 10 minutes;
3. the generation-0 population and world of a fresh ``Evolution`` stepped ``--reference-steps``
   times by the pure-Python ``reference_step`` and by the compiled ``step_world`` from the same
   state: per-step times, entity-steps/s, the speed-up, and whether the two end states agree.

Targets: >= 1000 generations in 10 minutes; GA + recording < 5% of generation time; speed-up >= 100x.

    python benchmarks/throughput.py [--scenario sugar] [--generations 20] [--reference-steps 3] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np

from agents.errors import MesaevoError
from agents.genome import decode, with_capacity
from evo.config import Config
from evo.loop import Evolution
from evo.scenarios import load_config
from agents.rng import seed_int, stream
from evo.simulation import Simulation
from worlds.foraging.lifetime import step_world
from worlds.foraging.params import pack_params
from worlds.foraging.reference import reference_step
from worlds.foraging.state import ForagingState, new_lifetime
from agents.nesting.config import pack_nest
from worlds.foraging import ENTRY
from worlds.shifts import world_at

Row = tuple[str, str, str, str]  # measurement, value, target, result


def check_foraging(scenario: str, overrides: list[str], *, what: str = "--scenario") -> None:
    """Exit with one ``error:`` line (status 2) unless ``scenario`` with ``overrides`` is a valid foraging
    config: the benchmarks step the foraging world's kernels and read its generation columns."""
    try:
        _, config = load_config(scenario, overrides)
    except (MesaevoError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        sys.exit(print(f"error: {what} {scenario}: {' '.join(str(exc).split())}", file=sys.stderr) or 2)
    if config.world.kind != "foraging":
        sys.exit(print(f"error: {what} {scenario} runs the {config.world.kind} world; the benchmarks measure "
                       f"foraging scenarios (sugar, ancestral, contraception, ...)", file=sys.stderr) or 2)


def run_generations(scenario: str, overrides: list[str], n: int, out: Path) -> tuple[float, dict[str, float], list[dict]]:
    """Run the first ``n`` generations through ``Simulation``: (wall seconds, summed timings, rows)."""
    _, config = load_config(scenario, overrides)
    extra = [f"run.generations={n}"] if n > config.run.generations else []
    sim = Simulation.from_scenario(scenario, overrides + extra, out=out)
    rows: list[dict] = []
    t0 = time.perf_counter()
    it = sim.iterate()
    for row in it:
        rows.append(row)
        if len(rows) == n:
            break
    wall = time.perf_counter() - t0
    it.close()  # marks the run directory interrupted when the scenario has more generations
    return wall, dict(sim.timings), rows


def generation_zero(config: Config) -> tuple[ForagingState, Any, np.ndarray, np.ndarray, int]:
    """State, decoded agents, packed params, nesting params and kernel seed of generation 0, built as
    ``ForagingWorld.live`` does."""
    evo, cfg, root = Evolution(config), config, config.run.seed
    world = world_at(cfg.shifts, 0, evo.world.base_params, ENTRY.shift_params, ENTRY.extra_base)
    agents = decode(evo.genomes, evo.layout, cfg.agents.architecture, cfg.agents.max_depth)
    n, capacity = agents.n, cfg.nesting.capacity(agents.n)
    agents = with_capacity(agents, capacity)
    state = new_lifetime(evo.world.landscape, n, cfg.world.initial_energy, world.extra["sugar_level"],
                         stream(root, "positions", 0), capacity, cfg.world.steps)
    return state, agents, pack_params(world.params), pack_nest(cfg.nesting.kernel_values()), seed_int(root, "world", 0)


def time_steps(fn: Any, state: ForagingState, agents: Any, params: np.ndarray, nparams: np.ndarray, seed: int,
               steps: int) -> tuple[float, int]:
    """Step ``state`` in place ``steps`` times with ``fn``: (seconds, entity-steps done)."""
    lived = int(state.lifespan.sum())
    t0 = time.perf_counter()
    for t in range(steps):
        fn(state, agents, params, seed, t, nparams)
    return time.perf_counter() - t0, int(state.lifespan.sum()) - lived


def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def measure(scenario: str, overrides: list[str], generations: int, ref_steps: int) -> list[Row]:
    """All measurements as table rows."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        warm, _, _ = run_generations(scenario, overrides, 1, Path(tmp) / "warmup")
        wall, tm, gen_rows = run_generations(scenario, overrides, generations, Path(tmp) / "run")
    per_gen = wall / generations
    world, ga, rec = tm["world"], tm["ga"], tm["metrics"] + tm["recording"]
    other = wall - world - ga - rec
    share = 100.0 * (ga + rec) / wall
    entity_steps = sum(r.get("entity_steps", r["lifespan_mean"] * r["n_agents"]) for r in gen_rows)
    subagents = np.mean([r.get("subagents_built", 0) for r in gen_rows])
    projected = 600.0 / per_gen
    rows += [
        ("warm-up: compile + 1 generation", f"{warm:.2f} s", "", ""),
        (f"generation time (mean of {generations})", f"{per_gen:.3f} s", "", ""),
    ]
    for name, secs in (("world simulation", world), ("GA (selection, variation)", ga),
                       ("metrics + recording", rec), ("other (setup, loop)", other)):
        rows.append((f"  {name}", f"{1000.0 * secs / generations:.1f} ms  {100.0 * secs / wall:5.1f} %", "", ""))
    rows += [
        ("GA + recording share", f"{share:.1f} %", "< 5 %", mark(share < 5.0)),
        ("entity-steps/s with planning", f"{entity_steps / world:,.0f}", "", ""),
        ("  entity-steps per generation (all levels)", f"{entity_steps / generations:,.0f}", "", ""),
        ("  sub-agents built per generation", f"{subagents:,.1f}", "", ""),
        ("search nodes per agent-step", f"{np.mean([r['nodes_mean'] for r in gen_rows]):.2f}", "", ""),
        ("generations in 10 minutes", f"{projected:,.0f}", ">= 1000", mark(projected >= 1000)),
    ]

    _, config = load_config(scenario, overrides)
    state, agents, params, nparams, seed = generation_zero(config)
    t0 = time.perf_counter()
    step_world(state.copy(), agents.copy(), params, seed, 0, nparams)  # compile (or load) the step kernel
    rows.append(("warm-up: step kernel compile + 1 step", f"{time.perf_counter() - t0:.2f} s", "", ""))
    ref_state, kern_state, ref_agents = state.copy(), state.copy(), agents.copy()
    ref_s, ref_n = time_steps(reference_step, ref_state, ref_agents, params, nparams, seed, ref_steps)
    kern_s, kern_n = time_steps(step_world, kern_state, agents, params, nparams, seed, ref_steps)
    a, b = ref_state.arrays(), kern_state.arrays()
    agree = all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    speedup = ref_s / kern_s
    rows += [
        (f"reference_step ({ref_steps} steps, {int(state.n_used[0])} agents)", f"{ref_s / ref_steps:.3f} s/step", "", ""),
        ("  reference entity-steps/s", f"{ref_n / ref_s:,.0f}", "", ""),
        ("step_world kernel, same steps", f"{1e3 * kern_s / ref_steps:.3f} ms/step", "", ""),
        ("  kernel entity-steps/s", f"{kern_n / kern_s:,.0f}", "", ""),
        ("speed-up over reference", f"{speedup:,.0f}x", ">= 100x", mark(speedup >= 100.0)),
        ("agree (np.array_equal, all arrays)", "yes" if agree else "no", "", ""),
    ]
    assert agree, "reference_step and step_world disagree: " + ", ".join(
        k for k in a if not np.array_equal(a[k], b[k], equal_nan=True))
    return rows


def render(rows: list[Row]) -> str:
    """A plain-text table with a header rule."""
    head: Row = ("measurement", "value", "target", "result")
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(4)]
    line = lambda r: "  ".join(cell.ljust(wd) if c != 1 else cell.rjust(wd) for c, (cell, wd) in enumerate(zip(r, widths)))
    return "\n".join([line(head), "  ".join("-" * wd for wd in widths), *(line(r).rstrip() for r in rows)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="sugar", help="built-in scenario name or TOML path")
    parser.add_argument("--generations", type=int, default=20, help="timed generations (after the warm-up)")
    parser.add_argument("--reference-steps", type=int, default=3, help="steps timed with reference_step")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    args = parser.parse_args(argv)
    if args.generations < 1 or args.reference_steps < 1:
        sys.exit(print("error: --generations and --reference-steps must be at least 1", file=sys.stderr) or 2)
    check_foraging(args.scenario, args.set)
    rows = measure(args.scenario, args.set, args.generations, args.reference_steps)
    print(f"machine: {os.cpu_count()} CPUs, numba threads {numba.get_num_threads()}, {platform.platform()}, "
          f"Python {platform.python_version()}; scenario {args.scenario} {' '.join(args.set)}".rstrip())
    print(render(rows))


if __name__ == "__main__":
    main()
