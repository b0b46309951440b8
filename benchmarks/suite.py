"""Benchmark suite: one table of throughput, overheads, memory and sweep scaling.

Rows:

1. entity-steps per second and seconds per generation by population size
   (``--populations``, default 100 1000 10000) at the scenario's planner depth;
   target: time per generation at most linear in population, within 20% (the
   time per agent at the largest population is at most 1.2x the time per agent
   at the smallest, same lifetime length; fixed per-generation costs make it
   sublinear at small sizes), with the log-log slope for context;
2. entity-steps per second by planner depth (``agents.max_depth`` 1..3) at
   ``--depth-population`` agents, and by level cap (``nesting.max_level`` 1..3 with
   sub-agents on; entity-steps count every level);
3. GA and recording overhead, and the speed-up over the pure-Python reference
   step (both from ``benchmarks/throughput.py``);
4. peak memory (max RSS of a fresh subprocess that builds and lives one
   generation) by population size (``--memory-populations``, default 1000 10000
   100000); target: 100,000 agents in one generation under 2 GiB;
5. search nodes per second per core: the foraging planner (``worlds.foraging.model.plan``) over
   the generation-0 agents and world of ``--planner-scenario`` (default ``sugar``) at depth 1..3,
   one thread, nodes per process-CPU-second; target >= 25 M nodes/s at depth 3 (the pre-redesign
   planner's figure on a quiet core);
6. contention: the same lifetime steps (the ``step`` kernel) with 2 numba threads and with 1, while a
   CPU-bound neighbour process started by the benchmark spins on one core, and again quiet: what a
   parallel region gains or loses on this machine; target ratio >= 1.0;
6a. headroom: the 1-thread lifetime steps of row 6 in two concurrent processes against one process
   alone; 2 / (the slowdown) bounds what 2 threads of one process can gain on this machine (cores
   that share hardware, or a host with other tenants, give less than 2), context for 6; in
   the same alternation, one process on 2 threads, and the share of that bound its gain reaches
   (51-72 % on the machines measured in round 8: the threads lose more than the hardware takes,
   docs/performance.md);
7. memory per agent: bytes of per-entity state arrays per entity slot (``new_lifetime`` for the
   scenario's ``world.steps``) on a 64x64 and a 512x512 map; targets <= 4 KiB per agent on both and
   the two within 10% (the novelty memory ``visited`` holds the cells of one lifetime,
   ``agents.visits``, not a byte per map cell);
7b. one generation of ``--big-population`` (default 1,000,000) agents on a 512x512 map with
   ``--big-steps`` (default 5) lifetime steps, in a fresh process: peak memory (max RSS) and wall
   time; target < 8 GiB (skipped unless ``--big``: it takes minutes and several GiB);
8. sweep throughput by worker count: the same small sweep (``--sweep-runs`` runs)
   on a LocalCluster of 1 and of 2 worker processes, one numba thread per worker,
   cluster start and numba warm-up excluded; parallel efficiency =
   (runs/s with 2 workers) / (2 x runs/s with 1 worker); target >= 80%.

    python benchmarks/suite.py [--scenario ancestral] [--steps 50] [--quick] [--set key=value ...]

Numbers depend on the machine and on whatever else runs on it: the header line
names the machine; quote it with the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import Row, check_foraging, mark, measure as throughput_measure, render  # noqa: E402

from evo.loop import Evolution  # noqa: E402
from evo.scenarios import load_config  # noqa: E402

GIB = 1024 ** 3


def overrides(base: list[str], **keys) -> list[str]:
    return base + [f"{k}={v}" for k, v in keys.items()]


def time_generations(scenario: str, sets: list[str], generations: int) -> tuple[float, float]:
    """(seconds per generation, entity-steps per world-second) over ``generations`` after one warm-up."""
    _, config = load_config(scenario, overrides(sets, **{"run.generations": generations + 1}))
    evo = Evolution(config)
    evo.step()  # warm-up: compile or load the kernels, first allocations
    wall = world = 0.0
    entity_steps = 0.0
    for _ in range(generations):
        t0 = time.perf_counter()
        result = evo.step()
        wall += time.perf_counter() - t0
        world += result.timings["world"]
        entity_steps += result.row.get("entity_steps", result.row["lifespan_mean"] * result.row["n_agents"])
    return wall / generations, entity_steps / world


def population_rows(scenario: str, sets: list[str], pops: list[int], generations: int) -> list[Row]:
    rows: list[Row] = []
    per_agent = {}
    for n in pops:
        per_gen, eps = time_generations(scenario, overrides(sets, **{"agents.population": n}), generations)
        per_agent[n] = per_gen / n
        rows.append((f"population {n:,}: time per generation", f"{per_gen:.3f} s", "", ""))
        rows.append((f"population {n:,}: entity-steps/s", f"{eps:,.0f}", "", ""))
    lo, hi = min(pops), max(pops)
    ratio = per_agent[hi] / per_agent[lo]
    slope = np.polyfit(np.log(pops), np.log([per_agent[n] * n for n in pops]), 1)[0] if len(pops) > 1 else 1.0
    rows.append((f"time per agent, {hi:,} vs {lo:,} agents", f"{ratio:.2f}x", "<= 1.2x", mark(ratio <= 1.2)))
    rows.append(("  log-log slope of time per generation", f"{slope:.2f}", "", ""))
    return rows


def depth_rows(scenario: str, sets: list[str], population: int, generations: int) -> list[Row]:
    rows: list[Row] = []
    for depth in (1, 2, 3):
        per_gen, eps = time_generations(
            scenario, overrides(sets, **{"agents.population": population, "agents.max_depth": depth,
                                         "agents.architecture": "planner"}), generations)
        rows.append((f"planner depth {depth} ({population:,} agents): entity-steps/s", f"{eps:,.0f}", "", ""))
    for cap in (1, 2, 3):
        per_gen, eps = time_generations(
            scenario, overrides(sets, **{"agents.population": population, "nesting.subagents": "true",
                                         "nesting.max_level": cap}), generations)
        rows.append((f"level cap {cap}, sub-agents on ({population:,} agents): entity-steps/s", f"{eps:,.0f}", "", ""))
    return rows


def memory_child(scenario: str, sets: list[str], population: int) -> None:
    """In a fresh process: build and live one generation; print peak RSS in bytes."""
    _, config = load_config(scenario, overrides(sets, **{"agents.population": population, "run.generations": 1}))
    Evolution(config).step()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)  # Linux: kilobytes


def memory_rows(scenario: str, sets: list[str], pops: list[int]) -> list[Row]:
    rows: list[Row] = []
    for n in pops:
        cmd = [sys.executable, __file__, "--memory-child", str(n), "--scenario", scenario,
               *[a for s in sets for a in ("--set", s)]]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if proc.returncode != 0:
            rows.append((f"peak memory, {n:,} agents, one generation", "error", "", proc.stderr.strip()[-60:]))
            continue
        rss = int(proc.stdout.strip().splitlines()[-1])
        target, ok = ("< 2 GiB", mark(rss < 2 * GIB)) if n >= 100_000 else ("", "")
        rows.append((f"peak memory, {n:,} agents, one generation", f"{rss / GIB:.2f} GiB ({secs:.0f} s)",
                     target, ok))
    return rows


def _planner_world(scenario: str, sets: list[str], steps: int = 20):
    """Generation 0 of ``scenario`` stepped ``steps`` times (agents spread, visits recorded)."""
    from throughput import generation_zero
    from worlds.foraging.lifetime import step_world

    _, config = load_config(scenario, sets)
    state, agents, params, nparams, seed = generation_zero(config)
    for t in range(steps):
        step_world(state, agents, params, seed, t, nparams)
    return state, agents, params, nparams, seed


def nodes_rows(scenario: str, sets: list[str]) -> list[Row]:
    """Planner nodes per process-CPU-second, one thread, by depth."""
    from numba import njit

    from worlds.foraging.kernel import crowd_grid
    from worlds.foraging.model import plan, planner_world

    @njit
    def plan_all(world, weights, depth, x, y, alive, visited, carried, tools, reps):
        total = 0
        for _ in range(reps):
            for i in range(x.shape[0]):
                if alive[i]:
                    total += plan(world, weights[i], depth, x[i], y[i], visited[i], carried[i], tools[i])[1]
        return total

    state, agents, params, _, _ = _planner_world(scenario, sets)
    h, w = state.food.shape
    crowd = crowd_grid(state.x, state.y, state.alive, state.level, h, w)
    world = planner_world(state.food, state.sugar, state.material, state.hazard, crowd, params, True, 0.0)
    args = (agents.weights, state.x, state.y, state.alive, state.visited, state.carried, state.tools)
    rows: list[Row] = []
    saved = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for depth in (1, 2, 3):
            plan_all(world, args[0], depth, *args[1:], 1)
            reps = max(1, 2_000_000 // (int(state.alive.sum()) * 5 ** depth))
            best = 0.0
            for _ in range(3):
                c0 = time.process_time()
                nodes = plan_all(world, args[0], depth, *args[1:], reps)
                best = max(best, nodes / max(time.process_time() - c0, 1e-9))
            target, ok = (">= 25 M", mark(best >= 25e6)) if depth == 3 else ("", "")
            rows.append((f"planner nodes/s per core, depth {depth}", f"{best / 1e6:.1f} M", target, ok))
    finally:
        numba.set_num_threads(saved)
    return rows


def _spin(seconds: float) -> None:  # the CPU-bound neighbour
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        x += 1


@contextmanager
def cpu_neighbour(busy: bool = True) -> Iterator[None]:
    """While inside, a CPU-bound process spins on one core (nothing when ``busy`` is False)."""
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                                                      "import suite; suite._spin(3600)"])
    time.sleep(0.5)
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def contention_rows(scenario: str, sets: list[str], steps: int) -> list[Row]:
    """Lifetime steps with 2 numba threads vs 1, with a CPU-bound neighbour process and quiet."""
    from agents.jit import THREADS_ASKED
    from worlds.foraging.kernel import step

    asked = "set: used as given" if THREADS_ASKED else "unset: the chooser picks 1 or all"
    rows: list[Row] = [(f"numba threads (NUMBA_NUM_THREADS {asked})", f"{numba.get_num_threads()}", "", "")]
    if numba.config.NUMBA_NUM_THREADS < 2:
        return rows + [("contention: 2 threads vs 1", "skipped (NUMBA_NUM_THREADS < 2)", "", "")]
    base = _planner_world(scenario, sets, steps=0)

    def timed(threads: int) -> float:
        state, agents = base[0].copy(), base[1].copy()
        cap = state.x.shape[0]
        numba.set_num_threads(threads)  # the kernel directly: the entry points would apply the default
        t0 = time.perf_counter()
        for t in range(steps):
            step(np.uint64(base[4]), t, agents, state.grids, state.bodies, state.lineage, base[2], base[3],
                 np.zeros(cap, np.int64), np.zeros(cap, np.int64))
        return time.perf_counter() - t0

    saved = numba.get_num_threads()
    try:
        timed(2), timed(1)  # compile or load
        for label, busy in (("with a CPU-bound neighbour", True), ("quiet", False)):
            one, two = [], []
            with cpu_neighbour(busy):
                for _ in range(3):  # alternated, medians
                    one.append(timed(1))
                    two.append(timed(2))
            ratio = float(np.median(one) / np.median(two))
            rows.append((f"contention, {label}: 1-thread / 2-thread step time ({steps} steps)",
                         f"{ratio:.2f}x ({np.median(one):.2f} s / {np.median(two):.2f} s)", ">= 1.0x",
                         mark(ratio >= 1.0)))
    finally:
        numba.set_num_threads(saved)
    return rows


#: Lifetimes each headroom process times: long enough (seconds) that start-up jitter does not matter.
HEADROOM_LIFETIMES = 30


def headroom_child(scenario: str, sets: list[str], steps: int, barrier: str) -> None:
    """One process of the headroom row: lifetime steps on ``NUMBA_NUM_THREADS`` threads (the kernel
    directly, no chooser), timed after every sibling is ready."""
    from worlds.foraging.kernel import step

    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    state, agents, params, nparams, seed = _planner_world(scenario, sets, steps=0)
    cap = state.x.shape[0]

    def lifetime() -> float:
        st, ag = state.copy(), agents.copy()
        t0 = time.perf_counter()
        for t in range(steps):
            step(np.uint64(seed), t, ag, st.grids, st.bodies, st.lineage, params, nparams, np.zeros(cap, np.int64),
                 np.zeros(cap, np.int64))
        return time.perf_counter() - t0

    lifetime()  # compile or load
    Path(barrier, f"ready-{os.getpid()}").touch()
    while not Path(barrier, "go").exists():
        time.sleep(0.01)
    print(sum(lifetime() for _ in range(HEADROOM_LIFETIMES)))


def _headroom_seconds(scenario: str, sets: list[str], steps: int, copies: int, threads: int = 1) -> float:
    """Median over ``copies`` concurrent processes of their step seconds on ``threads`` threads each."""
    with tempfile.TemporaryDirectory() as barrier:
        cmd = [sys.executable, __file__, "--headroom-child", str(steps), "--barrier", barrier,
               "--planner-scenario", scenario] + [a for kv in sets for a in ("--set", kv)]
        env = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(copies)]
        while len(list(Path(barrier).glob("ready-*"))) < copies and all(p.poll() is None for p in procs):
            time.sleep(0.01)
        Path(barrier, "go").touch()
        outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError("a headroom process failed")
    return float(np.median([float(o.split()[-1]) for o in outs]))


def headroom_rows(scenario: str, sets: list[str], steps: int) -> list[Row]:
    """What two cores give this workload: the 1-thread lifetime steps in two concurrent processes against
    one process alone, and one process on 2 threads (alternated, medians of 3). Two threads of one process
    cannot gain more than two processes do, so 2 / (this slowdown) bounds the 2-thread gain of row 6
    on this machine: on cores that share a physical core, caches or a host with other tenants it falls
    well short of 2. The 2-thread arm, measured in the same alternation on the same steps, says how much
    of that bound the threads reach."""
    if (os.cpu_count() or 1) < 2:
        return [("headroom: two concurrent processes vs one", "skipped (one CPU)", "", "")]
    alone, pair, two = [], [], []
    for _ in range(3):
        alone.append(_headroom_seconds(scenario, sets, steps, 1))
        pair.append(_headroom_seconds(scenario, sets, steps, 2))
        two.append(_headroom_seconds(scenario, sets, steps, 1, threads=2))
    slowdown = float(np.median(pair) / np.median(alone))
    gain = float(np.median(alone) / np.median(two))
    return [(f"headroom: 1-thread steps, 2 processes at once / 1 alone ({steps} steps x {HEADROOM_LIFETIMES})",
             f"{slowdown:.2f}x ({np.median(pair):.2f} s / {np.median(alone):.2f} s)", "", ""),
            ("  bound on the 2-thread gain on this machine (2 / that)", f"{2 / slowdown:.2f}x", "", ""),
            ("  one process on 2 threads, same steps: gain over 1 thread, share of the bound",
             f"{gain:.2f}x, {100 * gain * slowdown / 2:.0f} %", "", "")]


def agent_memory_rows(scenario: str, sets: list[str]) -> list[Row]:
    """Bytes of per-entity state per entity slot on a 64x64 and a 512x512 map."""
    from evo.loop import Evolution
    from worlds.foraging.state import new_lifetime

    rows: list[Row] = []
    per = {}
    for side in (64, 512):
        _, config = load_config(scenario, overrides(sets, **{"world.width": side, "world.height": side,
                                                                "agents.population": 100}))
        evo = Evolution(config)
        state = new_lifetime(evo.world.landscape, 100, 1.0, 1.0, np.random.default_rng(0), 100,
                             config.world.steps)
        per[side] = sum(a.nbytes for p in (state.bodies, state.lineage) for a in p) / 100
        rows.append((f"memory per agent, {side}x{side} map ({config.world.steps} steps)",
                     f"{per[side] / 1024:,.2f} KiB", "<= 4 KiB", mark(per[side] <= 4096)))
    ratio = per[512] / per[64]
    rows.append(("memory per agent, 512x512 / 64x64", f"{ratio:.3f}x", "within 10%", mark(abs(ratio - 1) <= 0.1)))
    return rows


def big_rows(scenario: str, sets: list[str], population: int, steps: int) -> list[Row]:
    """Peak memory and wall time of one generation of ``population`` agents on a 512x512 map, in a fresh process."""
    big = [*sets, "world.width=512", "world.height=512", f"world.steps={steps}"]
    cmd = [sys.executable, __file__, "--memory-child", str(population), "--scenario", scenario,
           *[a for s in big for a in ("--set", s)]]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    label = f"peak memory, {population:,} agents, 512x512, {steps} steps, one generation"
    if proc.returncode != 0:
        return [(label, "error", "< 8 GiB", proc.stderr.strip()[-60:])]
    rss = int(proc.stdout.strip().splitlines()[-1])
    return [(label, f"{rss / GIB:.2f} GiB ({secs:.0f} s)", "< 8 GiB", mark(rss < 8 * GIB))]


def sweep_rows(scenario: str, sets: list[str], runs: int, generations: int) -> list[Row]:
    from distributed import Client, LocalCluster

    from evo.simulation import run_one
    from evo.sweep import build_sweep, run_sweep

    common = dict(s.split("=", 1) for s in sets)
    common = {k: _toml_value(v) for k, v in common.items()}
    rows: list[Row] = []
    rates = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                Client(cluster) as client, tempfile.TemporaryDirectory() as tmp:
            warm = build_sweep({"base": scenario, "seeds": list(range(workers)), "generations": 1, "set": common})
            run_sweep(warm, Path(tmp) / "warm", run_one, client=client)  # imports and numba cache on every worker
            sweep = build_sweep({"base": scenario, "seeds": list(range(runs)), "generations": generations,
                                 "set": common})
            t0 = time.perf_counter()
            manifest = run_sweep(sweep, Path(tmp) / "sweep", run_one, client=client)
            secs = time.perf_counter() - t0
            assert manifest["status"] == "completed", manifest
        rates[workers] = runs / secs
        rows.append((f"sweep, {workers} worker(s): {runs} runs x {generations} generations",
                     f"{secs:.1f} s, {rates[workers] * 60:.1f} runs/min", "", ""))
    eff = rates[2] / (2 * rates[1])
    rows.append(("sweep parallel efficiency, 2 workers", f"{100 * eff:.0f} %", ">= 80 %", mark(eff >= 0.8)))
    return rows


def _toml_value(raw: str):
    import tomllib

    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ancestral", help="built-in scenario name or TOML path")
    parser.add_argument("--steps", type=int, default=50, help="lifetime steps (world.steps) for every measurement")
    parser.add_argument("--generations", type=int, default=2, help="timed generations per measurement")
    parser.add_argument("--populations", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--depth-population", type=int, default=1000)
    parser.add_argument("--memory-populations", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--planner-scenario", default="sugar", help="scenario of the nodes/s and contention rows")
    parser.add_argument("--contention-steps", type=int, default=30)
    parser.add_argument("--sweep-runs", type=int, default=4)
    parser.add_argument("--sweep-population", type=int, default=1000)
    parser.add_argument("--sweep-generations", type=int, default=3)
    parser.add_argument("--big", action="store_true", help="add the 512x512 big-population memory row (7b)")
    parser.add_argument("--big-population", type=int, default=1_000_000)
    parser.add_argument("--big-steps", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test of the suite)")
    parser.add_argument("--skip", nargs="*", default=[], choices=[
        "population", "depth", "overhead", "memory", "nodes", "contention", "headroom",
        "agent-memory", "sweep"])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--headroom-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--barrier", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sets = [f"world.steps={args.steps}", *args.set]
    if args.memory_child:
        memory_child(args.scenario, sets, args.memory_child)
        return
    if args.headroom_child:
        headroom_child(args.planner_scenario, args.set, args.headroom_child, args.barrier)
        return
    check_foraging(args.scenario, sets)
    check_foraging(args.planner_scenario, args.set, what="--planner-scenario")
    if args.quick:
        args.populations, args.depth_population, args.memory_populations = [100, 400], 200, [1000]
        args.sweep_runs, args.sweep_population, args.generations, args.sweep_generations = 2, 100, 1, 2
    rows: list[Row] = []
    if "population" not in args.skip:
        rows += population_rows(args.scenario, sets, args.populations, args.generations)
    if "depth" not in args.skip:
        rows += depth_rows(args.scenario, sets, args.depth_population, args.generations)
    if "overhead" not in args.skip:
        tp = throughput_measure(args.scenario, sets + [f"agents.population={args.depth_population}"],
                                max(3, args.generations), 1)
        keep = ("GA + recording share", "speed-up over reference", "  metrics + recording", "  GA (selection")
        rows += [r for r in tp if r[0].startswith(keep)]
    if "memory" not in args.skip:
        rows += memory_rows(args.scenario, sets, args.memory_populations)
    if "nodes" not in args.skip:
        rows += nodes_rows(args.planner_scenario, args.set)
    if "contention" not in args.skip:
        rows += contention_rows(args.planner_scenario, args.set, args.contention_steps)
    if "headroom" not in args.skip:
        rows += headroom_rows(args.planner_scenario, args.set, args.contention_steps)
    if "agent-memory" not in args.skip:
        rows += agent_memory_rows(args.planner_scenario, args.set)
    if args.big:
        rows += big_rows(args.planner_scenario, args.set, args.big_population, args.big_steps)
    if "sweep" not in args.skip:
        rows += sweep_rows(args.scenario, sets + [f"agents.population={args.sweep_population}"], args.sweep_runs,
                           args.sweep_generations)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, numba threads {numba.get_num_threads()}, {platform.platform()}, "
          f"Python {platform.python_version()}; load average at the end {load[0]:.1f}; "
          f"scenario {args.scenario} {' '.join(sets)}")
    print(render(rows))


if __name__ == "__main__":
    main()
