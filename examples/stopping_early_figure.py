"""Alignment over generations in a ``stopping-early`` experiment directory (issue 31).

Usage (from the repository root)::

    mesaevo experiment stopping-early --full --workers 2 --out experiments/stopping-early
    python examples/stopping_early_figure.py experiments/stopping-early alignment.png

Draws, per K, each population/generations split's mean ``L1_align_fitness`` across seeds (a 10-generation
rolling mean) with its 90% t band, the split's budget stopping point dotted; prints per arm the mean fitness
over the 5 generations before its stopping point (what the budget-optimal split maximises), and alignment
there and at convergence (generations 190-199), each with n seeds.
"""
import sys, re
from pathlib import Path
import numpy as np, pandas as pd
import pyarrow.parquet as pq
from matplotlib.figure import Figure
from analysis.student_t import t_interval

if len(sys.argv) != 3 or not (Path(sys.argv[1]) / "runs").is_dir():
    print("usage: python examples/stopping_early_figure.py EXPERIMENT_DIR OUT.png (EXPERIMENT_DIR/runs must exist)",
          file=sys.stderr)
    sys.exit(2)
exp, out = Path(sys.argv[1]), sys.argv[2]
frames = {}
for d in sorted((exp / "runs").iterdir()):
    m = re.match(r"(.+)-seed(\d+)$", d.name)
    if not m or not (d / "generations.parquet").exists():
        continue
    g = pq.read_table(d / "generations.parquet", columns=["generation", "L1_align_fitness", "fitness_mean"]).to_pandas()
    frames.setdefault(m.group(1), []).append(g.set_index("generation"))
fig = Figure(figsize=(10, 3.8), layout="constrained")
axes = fig.subplots(1, 2, sharey=True)
stops = {"p20": 160, "p40": 80, "p80": 40}
colours = {"p20": "tab:blue", "p40": "tab:orange", "p80": "tab:green"}
for ax, k in zip(axes, ("k16", "k1")):
    for arm, runs in sorted(frames.items()):
        if not arm.endswith("_" + k):
            continue
        pop = arm.split("_")[0]
        table = pd.concat([r["L1_align_fitness"] for r in runs], axis=1)
        smooth = table.rolling(10, min_periods=1).mean()
        iv = [t_interval(row) for row in smooth.to_numpy()]
        x = smooth.index.to_numpy()
        ax.plot(x, [v.estimate for v in iv], color=colours[pop], label=f"{pop} (n={len(runs)})")
        ax.fill_between(x, [v.lo for v in iv], [v.hi for v in iv], color=colours[pop], alpha=0.2, linewidth=0)
        ax.axvline(stops[pop], color=colours[pop], linestyle=":", linewidth=1)
    ax.set_title(f"K = {k[1:]} (dotted: each split's budget stopping point)", fontsize=9)
    ax.set_xlabel("generation")
axes[0].set_ylabel("L1_align_fitness (10-generation mean)")
axes[0].legend(fontsize=7)
fig.savefig(out, dpi=120)
for arm, runs in sorted(frames.items()):
    pop = arm.split("_")[0]; s = stops[pop]
    fit = [r["fitness_mean"].loc[s - 5:s - 1].mean() for r in runs]
    a_stop = [r["L1_align_fitness"].loc[s - 5:s - 1].mean() for r in runs]
    a_end = [r["L1_align_fitness"].loc[190:199].mean() for r in runs]
    f, a1, a2 = t_interval(fit), t_interval(a_stop), t_interval(a_end)
    print(f"{arm:9s} stop {s:3d}: fitness {f.estimate:.3f} [{f.lo:.3f}, {f.hi:.3f}]  align@stop {a1.estimate:.3f}  "
          f"align@190-199 {a2.estimate:.3f}  n={f.n}")
