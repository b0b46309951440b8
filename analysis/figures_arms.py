"""An experiment's time course per arm: one line per arm (the mean over its seeds each generation) with a
band across seeds (a Student t interval, seeds as the unit), e.g. the compliance gap of watched selection."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figure_style import (ZERO_LINE, colour, draw_band, figure_and_axes, generation_axes, legend_or_note,
                           plain_text, style, wrapped_title)
from .student_t import t_interval

#: Columns drawn per arm when an experiment's runs have them (``conclude`` writes one figure each).
ARM_COLUMNS: tuple[str, ...] = ("compliance_gap",)


def arm_course(tables: Sequence[pd.DataFrame], column: str, level: float = 0.9) -> pd.DataFrame:
    """Per generation: the mean of ``column`` over the seeds' tables, its ``level`` t interval and n."""
    frames = [t[["generation", column]].set_index("generation")[column] for t in tables
              if t is not None and column in t.columns]
    if not frames:
        return pd.DataFrame(columns=["generation", "mean", "lo", "hi", "n"])
    wide = pd.concat(frames, axis=1)
    rows = []
    for g in wide.index:
        ti = t_interval(wide.loc[g].tolist(), level)
        rows.append((g, ti.estimate, ti.lo, ti.hi, ti.n))
    return pd.DataFrame(rows, columns=["generation", "mean", "lo", "hi", "n"])


@plain_text
def arm_course_figure(arms: Mapping[str, Sequence[pd.DataFrame]], column: str, level: float = 0.9,
                      title: str = "") -> Figure:
    """``column`` against generation, one line per arm (mean over its seeds) and its band across seeds."""
    fig, ax = figure_and_axes(None)
    ax.axhline(0.0, **ZERO_LINE)
    pct = f"{round(level * 100)}%"
    for i, (arm, tables) in enumerate(arms.items()):
        course = arm_course(tables, column, level)
        if course.empty:
            continue
        x = course["generation"].to_numpy(dtype=np.float64)
        draw_band(ax, x, course["lo"].to_numpy(dtype=float), course["hi"].to_numpy(dtype=float), colour(i),
                  f"{arm} {pct} interval")
        ax.plot(x, course["mean"].to_numpy(dtype=float), label=f"{arm} (n = {int(course['n'].max())} seeds)",
                **{**style(i), "markevery": max(1, len(x) // 12)})
    generation_axes(ax, column)
    wrapped_title(ax, title or f"{column} per arm: mean over seeds and its {pct} t interval across seeds")
    legend_or_note(ax)
    return fig
