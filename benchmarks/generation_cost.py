"""CPU seconds per full-size generation of built-in scenarios (the cost estimates in docs/experiments.md).

    NUMBA_NUM_THREADS=1 python benchmarks/generation_cost.py ancestral telephone:40 "ancestral@agents.fixed_depth=1"

Each case is ``SCENARIO[@key=value,...][:GENERATIONS]``: one warm-up generation, then GENERATIONS
(default 3) timed with ``time.process_time`` (CPU time, so a busy machine inflates it less than wall
time); prints the mean of the first min(10, G) and, with G >= 40, of generations 31-40.
"""

from __future__ import annotations

import json
import sys
import time


def cost(case: str) -> dict:
    from evo.loop import Evolution
    from evo.scenarios import load_config

    case, _, gens = case.partition(":")
    base, _, sets = case.partition("@")
    overrides = {}
    for item in filter(None, sets.split(",")):
        key, value = item.split("=", 1)
        overrides[key] = int(value) if value.isdigit() else value
    _, cfg = load_config(base, {**overrides, "run.generations": 200, "record.entity_every": 0})
    ev = Evolution(cfg)
    ev.step()
    per = []
    for _ in range(int(gens or 3)):
        c0 = time.process_time()
        ev.step()
        per.append(time.process_time() - c0)
    out = {"case": case, "cpu_s_first": round(sum(per[:10]) / len(per[:10]), 3)}
    if len(per) >= 40:
        out["cpu_s_31_40"] = round(sum(per[30:40]) / 10, 3)
    return out


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps(cost(arg)), flush=True)
