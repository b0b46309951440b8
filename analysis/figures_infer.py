"""Figures of objective recovery's validation: accuracy and calibration against the steps observed.

Reads the validation table (one row per seed, agent, control and steps, as
``evo.infer_validation.validate_run`` writes it); never the simulation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figure_style import LEGEND_FONT, colour, plain_text, style

__all__ = ["recovery_figure"]

DRIVES = ("taste", "pain", "mating", "novelty", "craft", "effort")


def _steps_axis(ax, steps: np.ndarray) -> None:
    """A log axis of steps labelled at the steps themselves, in plain text (no math-text powers of ten)."""
    ax.set_xscale("log")
    ax.set_xticks(steps, [f"{int(s):,}" for s in steps])
    ax.minorticks_off()


@plain_text
def recovery_figure(rows: pd.DataFrame, target_cosine: float = 0.95,
                    target_coverage: tuple[float, float] = (0.85, 0.95)) -> Figure:
    """Left: median cosine between the inferred and the true direction against steps observed (planners;
    all drives and identifiable drives), the controls as single points. Right: per drive, the share of 90%
    intervals holding the true component, with the target band, and (black markers) the share over all drives
    where the actions were drawn from the likelihood's own model at the planner's truth (``synthetic``) and
    at a truth drawn from the prior (``synthetic_prior``)."""
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    main = rows[rows["control"] == "none"]
    grouped = main.groupby("steps")
    steps = np.array(sorted(main["steps"].unique()))
    left.plot(steps, grouped["cosine_true"].median().loc[steps], label="all drives", **style(0))
    left.plot(steps, grouped["cosine_true_identifiable"].median().loc[steps], label="identifiable drives",
              **style(1))
    for k, (control, g) in enumerate(rows[rows["control"] != "none"].groupby("control")):
        left.scatter(g["steps"].median(), g["cosine_true"].median(), color=colour(k + 2), marker="x", s=60,
                     label=f"control: {control}")
    left.axhline(target_cosine, color="grey", linestyle=":", linewidth=1, label=f"target {target_cosine}")
    _steps_axis(left, steps)
    left.set_xlabel("situations observed per agent")
    left.set_ylabel("median cosine(inferred, true)")
    left.set_ylim(-0.2, 1.02)
    left.legend(fontsize=LEGEND_FONT, loc="lower right")
    for k, drive in enumerate(DRIVES):
        right.plot(steps, grouped[f"covered_{drive}"].mean().loc[steps], label=drive, **style(k))
    for control, marker, label in (("synthetic", "*", "synthetic, planner's truth"),
                                   ("synthetic_prior", "D", "synthetic, truth from the prior")):
        synthetic = rows[rows["control"] == control]
        if not synthetic.empty:  # the model exactly right: a calibrated sampler covers 90% of prior truths
            covered = synthetic[[f"covered_{d}" for d in DRIVES]].to_numpy(dtype=float).mean()
            right.scatter(synthetic["steps"].median(), covered, color="black", marker=marker, s=90, zorder=3,
                          label=f"{label} (all drives)")
    right.axhspan(*target_coverage, color="grey", alpha=0.2, label="target 85-95%")
    _steps_axis(right, steps)
    right.set_xlabel("situations observed per agent")
    right.set_ylabel("90% interval covers the truth")
    right.set_ylim(0, 1.02)
    right.legend(fontsize=LEGEND_FONT, loc="lower left", ncol=2)
    n = main.groupby(["seed", "agent"]).ngroups
    fig.suptitle(f"Objective recovery on planners ({n} planners, {main['seed'].nunique()} seeds)")
    fig.tight_layout()
    return fig
