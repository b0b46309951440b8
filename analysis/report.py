"""One self-contained HTML report of a run or of a sweep of runs.

Figures are embedded as base64 PNG ``<img>`` elements, tables as HTML, config and
manifest as JSON; nothing is fetched, so the file opens from disk without a server.
A small inline script marks ``#image-check`` with how many images loaded (tests and
readers can see at a glance that every figure is there).
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .bootstrap import bootstrap_mean, stream
from .compare import group_by_scenario
from .figures_correlation import level_correlation_figure, proxy_correlation_figure
from .figures_genes import gene_figure, weights_figure
from .figures_nested import misalignment_by_competence_figure, nested_tree_figure
from .figures_sweep import sweep_figure
from .files import check_file_target, write_atomically
from .load import RunTables, load_runs
from .metrics import (
    competence_regimes,
    level_alignment,
    level_correlations,
    proxy_correlations,
    shift_summary,
    weight_alignment,
)

__all__ = ["REPORT_NAME", "build_report", "write_report"]

log = logging.getLogger(__name__)
REPORT_NAME = "report.html"
#: Resolution of the PNG images embedded in the report.
REPORT_DPI = 100
#: Rows of the level-alignment table shown per level (the last generations).
ALIGNMENT_ROWS = 5
#: Columns drawn across the runs of a scenario (plus the first ``corr_*`` column present).
SWEEP_COLUMNS = ("L1_spearman", "fitness_mean")
TABLE_DIGITS = 3


class Html(str):
    """Markup built by :func:`render` (or by pandas with escaping on): inserted as it is."""


def render(template: str, **fields: Any) -> Html:
    """``template``, a literal of this module, with its ``{name}`` fields filled in.

    The one way a value enters the page: every field is HTML-escaped (quotes included)
    unless it is already :class:`Html`; format numbers before passing them.
    """
    return Html(template.format(**{k: v if isinstance(v, Html) else html.escape(str(v), quote=True)
                                   for k, v in fields.items()}))


def join(parts: Iterable[Html]) -> Html:
    """Fragments one per line, empty ones left out."""
    parts = list(parts)
    if not all(isinstance(p, Html) for p in parts):
        raise TypeError("report fragments must be Html built by render()")
    return Html("\n".join(p for p in parts if p))


_CSS = """
body { font-family: sans-serif; max-width: 1000px; margin: 1em auto; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #bbb; }
h3 { font-size: 1.05em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #eee; }
pre { background: #f6f6f6; padding: 0.5em; font-size: 0.8em; overflow-x: auto; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85em; color: #444; }
.warning { background: #fff3cd; border: 1px solid #c9a227; padding: 0.5em; }
#image-check { font-size: 0.8em; color: #666; }
"""

_SCRIPT = """
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (im) { return im.complete && im.naturalWidth > 0; });
  var mark = document.getElementById('image-check');
  mark.setAttribute('data-images', String(images.length));
  mark.setAttribute('data-loaded', String(loaded.length));
  mark.textContent = loaded.length === images.length
    ? 'images-ok: all ' + images.length + ' figures loaded'
    : 'images-missing: ' + (images.length - loaded.length) + ' of ' + images.length + ' figures failed to load';
});
"""


def _percent(level: float) -> str:
    return f"{round(level * 100)}%"


def _img(fig: Figure, caption: str) -> Html:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=REPORT_DPI)
    return render('<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
                  "<figcaption>{caption}</figcaption></figure>",
                  caption=caption, data=base64.b64encode(buf.getvalue()).decode("ascii"))


def _table(frame: pd.DataFrame, empty: str = "none") -> Html:
    if frame.empty:
        return render("<p><em>{empty}</em></p>", empty=empty)
    return Html(frame.to_html(index=False, float_format=lambda v: f"{v:.{TABLE_DIGITS}f}", na_rep="nan",
                              border=0, escape=True))


def _json(data: object) -> Html:
    return render("<pre>{text}</pre>", text=json.dumps(data, indent=2, sort_keys=True, default=str))


def _status_note(run: RunTables) -> Html:
    if run.complete:
        return Html("")
    return render('<p class="warning">Run {path} is <strong>{status}</strong> ({done} generations '
                  "written): the tables below may be partial.</p>",
                  path=run.path, status=run.status, done=run.manifest.get("generations_done", "?"))


def _heading(level: int, text: str) -> Html:
    return render(f"<h{level}>{{text}}</h{level}>", text=text)


def _run_section(run: RunTables, n_boot: int, seed: int, window: int, level: float = 0.9) -> Html:
    manifest = {k: v for k, v in run.manifest.items() if k != "config"}
    levels = level_correlations(run, n_boot=n_boot, level=level, seed=seed)
    proxies = proxy_correlations(run, n_boot=n_boot, level=level, seed=seed)
    regimes = competence_regimes(run, n_boot=n_boot, level=level, seed=seed)
    shifts = shift_summary(run, window=window, n_boot=n_boot, level=level, seed=seed)
    alignment = level_alignment(run)
    cosine = weight_alignment(run)
    pct = _percent(level)
    parts = [
        _status_note(run),
        _heading(3, "Before and after each shift"),
        render("<p>Mean correlation with fitness over the {window} generations before and after each "
               "shift (level L: Spearman of J with root fitness; features: Pearson), the difference "
               "and its {pct} bootstrap interval (entities resampled within generations). Only "
               "generations with entity records count (gens_before, gens_after).</p>", window=window, pct=pct),
        _table(shifts, "no shift events in this run"),
        _img(level_correlation_figure(run, levels),
             f"Objective-fitness correlation per level; bands: {pct} bootstrap interval of Spearman."),
        _img(proxy_correlation_figure(run, proxies),
             f"Proxy-fitness correlation (Pearson); bands: {pct} bootstrap intervals."),
        _img(gene_figure(run), "Population means of the genes."),
        _img(weights_figure(run), "Evolved mean weights against fitness-implied weights."),
    ]
    if not cosine.empty and np.isfinite(cosine["cosine"]).any():
        last = cosine.dropna(subset=["cosine"]).iloc[-1]
        parts.append(render("<p>Cosine between evolved and fitness-implied weight vectors at generation "
                            "{generation}: {cosine}.</p>", generation=int(last["generation"]),
                            cosine=f"{last['cosine']:.{TABLE_DIGITS}f}"))
    parts += [
        _heading(3, "Alignment between adjacent levels"),
        _table(alignment.groupby("level").tail(ALIGNMENT_ROWS) if not alignment.empty else alignment,
               "no level 2 in this run"),
        _heading(3, "Competence regimes"),
        _table(regimes, "no entities above level 1 recorded"),
    ]
    if not regimes.empty:
        parts.append(_img(misalignment_by_competence_figure(run, regimes), "Misalignment by builder competence."))
    parts += [
        _img(nested_tree_figure(run), "Nested tree of one agent (the largest recorded)."),
        _heading(3, "Config"), _json(run.manifest.get("config", {})),
        _heading(3, "Manifest"), _json(manifest),
    ]
    return join(parts)


def _last_value(run: RunTables, column: str) -> float:
    gens = run.generations
    if column not in gens.columns or gens.empty:
        return float("nan")
    return float(pd.to_numeric(gens[column], errors="coerce").iloc[-1])


def _shifts_over_runs(shifts: pd.DataFrame, n_boot: int, seed: int, level: float) -> pd.DataFrame:
    """Per (shift, series): means over runs, and the bootstrap interval over runs of the mean difference."""
    shift_index: dict[tuple, int] = {}
    series_index: dict[str, int] = {}
    rows = []
    for (shift, gen, series), group in shifts.groupby(["shift", "shift_generation", "series"], sort=False):
        rng = stream(seed, "runs-shift", shift_index.setdefault((shift, gen), len(shift_index)),
                     series_index.setdefault(series, len(series_index)))
        ci = bootstrap_mean(group["difference"].to_numpy(float), n_boot=n_boot, level=level, rng=rng)
        rows.append({"shift": shift, "shift_generation": gen, "series": series, "runs": len(group),
                     "before": group["before"].mean(), "after": group["after"].mean(),
                     "difference": ci.estimate, "lo": ci.lo, "hi": ci.hi})
    return pd.DataFrame(rows)


def _sweep_section(runs: Sequence[RunTables], n_boot: int, seed: int, window: int, level: float = 0.9) -> Html:
    overview = pd.DataFrame([{
        "run": str(r.path.name), "seed": r.manifest.get("seed"), "status": r.status,
        "generations": r.manifest.get("generations_done"),
        "last L1_spearman": _last_value(r, "L1_spearman"),
    } for r in runs])
    pct = _percent(level)
    parts = [_table(overview), *(_status_note(r) for r in runs)]
    columns = [*SWEEP_COLUMNS, *sorted({c for r in runs for c in r.generations.columns
                                       if str(c).startswith("corr_")})[:1]]
    for column in columns:
        parts.append(_img(sweep_figure(runs, column, n_boot=n_boot, level=level, seed=seed),
                          f"{column} of every run, their mean and its {pct} interval over runs."))
    per_run = [shift_summary(r, window=window, n_boot=n_boot, level=level, seed=seed).assign(run=r.path.name)
               for r in runs]
    shifts = pd.concat(per_run, ignore_index=True) if per_run else pd.DataFrame()
    parts.append(_heading(3, "Before and after each shift, over runs"))
    if shifts.empty:
        parts.append(_table(shifts, "no shift events in these runs"))
    else:
        parts.append(render("<p>Mean over runs of each run's before/after means; interval: {pct} "
                            "bootstrap over runs of the mean difference.</p>", pct=pct))
        parts.append(_table(_shifts_over_runs(shifts, n_boot, seed, level)))
    parts += [_heading(3, "Config (first run)"), _json(runs[0].manifest.get("config", {}))]
    return join(parts)


def build_report(runs: RunTables | Sequence[RunTables], *, n_boot: int = 500, seed: int = 0,
                 window: int = 10, title: str | None = None) -> str:
    """The HTML text of the report of one run, or of several runs grouped by scenario.

    Every value from the runs (manifest, tables, names) is escaped (see :func:`render`).
    """
    runs = [runs] if isinstance(runs, RunTables) else list(runs)
    if not runs:
        raise ValueError("no runs to report")
    title = title or (f"mesaevo report: {runs[0].path.name}" if len(runs) == 1
                      else f"mesaevo report: {len(runs)} runs")
    body = [_heading(1, title), Html('<p id="image-check">images not checked</p>')]
    if len(runs) == 1:
        run = runs[0]
        body.append(render("<h2>{scenario} (seed {seed}, {status})</h2>", scenario=run.scenario,
                           seed=run.manifest.get("seed"), status=run.status))
        body.append(_run_section(run, n_boot, seed, window))
    else:
        for scenario, group in group_by_scenario(runs).items():
            body.append(render("<h2>{scenario}: {n} runs</h2>", scenario=scenario, n=len(group)))
            body.append(_sweep_section(group, n_boot, seed, window) if len(group) > 1
                        else _run_section(group[0], n_boot, seed, window))
    page = render('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                  "<style>{css}</style></head><body>\n{body}\n<script>{script}</script>\n</body></html>\n",
                  title=title, css=Html(_CSS), body=join(body), script=Html(_SCRIPT))
    return str(page)


def write_report(path: str | Path, out: str | Path | None = None, **kwargs) -> Path:
    """Write the report of the run or sweep directory at ``path``; return the file written.

    ``out`` defaults to ``<path>/report.html``; the file is replaced atomically, never
    written through a symlink (see :mod:`analysis.files`). Raises :class:`RunNotFoundError`
    when there is no run at or under ``path``, :class:`analysis.files.OutputPathError` when
    ``out`` is a directory or cannot be written.
    """
    target = check_file_target(out if out is not None else Path(path) / REPORT_NAME)
    runs = load_runs(path)
    text = build_report(runs, **kwargs)
    write_atomically(target, text.encode("utf-8"))
    log.info("report of %d run(s) written to %s", len(runs), target)
    return target
