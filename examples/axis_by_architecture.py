"""Every architecture on the one alignment scale, with and without a shift: the table and figure of
docs/inference.md ("One population per architecture through the shift") from an experiment directory.

    python examples/axis_by_architecture.py experiments/opaque-after-sugar [--figure axis.png]

Reads each completed run's ``inferred_axis.parquet`` (the experiment's ``[infer]`` step), names a run's
condition by its arm (``*_nosugar`` arms are the no-shift control), and prints one markdown row per
architecture and reading (inferred objective; planners also by represented objective): the mean placement
over seeds and agents at each inferred generation and condition. The figure draws the per-seed means with
one panel per reading.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd


def placements(exp_dir: Path) -> pd.DataFrame:
    """One row per inferred agent: seed, architecture, condition ('shift' or 'no shift'), generation, reading,
    value (its place on the alignment scale)."""
    manifest = json.loads((exp_dir / "experiment.json").read_text())
    rows = []
    for entry in manifest["runs"]:
        path = exp_dir / entry["dir"] / "inferred_axis.parquet"
        if entry["status"] != "completed" or not path.is_file():
            continue
        frame = pd.read_parquet(path)
        condition = "no shift" if entry["arm"].endswith("_nosugar") else "shift"
        for reading, column in (("inferred", "align_inferred"), ("represented", "align_represented")):
            part = frame[["generation", "architecture", column]].dropna().rename(columns={column: "value"})
            rows.append(part.assign(seed=entry["seed"], condition=condition, reading=reading))
    return pd.concat(rows, ignore_index=True)


def table(rows: pd.DataFrame) -> str:
    """Markdown: mean placement per architecture and reading, by generation and condition."""
    means = rows.groupby(["architecture", "reading", "condition", "generation"])["value"].mean()
    cols = sorted({(c, g) for _, _, c, g in means.index}, key=lambda cg: (cg[1], cg[0] != "shift"))
    lines = ["| architecture | placement by | " + " | ".join(f"gen {g}, {c}" for c, g in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for (arch, reading), group in means.groupby(level=[0, 1]):
        cells = [f"{group.get((arch, reading, c, g), float('nan')):.2f}" for c, g in cols]
        lines.append(f"| {arch} | {reading} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure(rows: pd.DataFrame, path: Path) -> None:
    """Per-seed mean placement against generation: a panel per architecture and reading, a line per condition."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted(set(zip(rows["architecture"], rows["reading"])))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2), sharey=True, squeeze=False)
    for ax, (arch, reading) in zip(axes[0], panels):
        sub = rows[(rows["architecture"] == arch) & (rows["reading"] == reading)]
        for condition, color in (("shift", "tab:red"), ("no shift", "tab:blue")):
            per_seed = sub[sub["condition"] == condition].groupby(["seed", "generation"])["value"].mean().unstack(0)
            if per_seed.empty:
                continue
            ax.plot(per_seed.index, per_seed.values, color=color, alpha=0.25, lw=0.8)
            ax.plot(per_seed.index, per_seed.mean(axis=1), color=color, lw=2, marker="o", label=condition)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(f"{arch}, {reading}", fontsize=9)
        ax.set_xlabel("generation")
    axes[0][0].set_ylabel("place on the alignment scale")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment_dir", type=Path)
    parser.add_argument("--figure", type=Path, help="write the figure here (PNG)")
    args = parser.parse_args()
    rows = placements(args.experiment_dir)
    print(table(rows))
    if args.figure:
        figure(rows, args.figure)


if __name__ == "__main__":
    main()
