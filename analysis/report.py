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
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .bootstrap import bootstrap_mean
from .compare import group_by_scenario
from .figures import level_correlation_figure, proxy_correlation_figure
from .load import RunTables, load_runs
from .metrics import (
    competence_regimes,
    level_alignment,
    level_correlations,
    proxy_correlations,
    shift_summary,
    weight_alignment,
)
from .plots import competence_figure, gene_figure, sweep_figure, tree_figure, weights_figure

__all__ = ["REPORT_NAME", "build_report", "write_report"]

log = logging.getLogger(__name__)
REPORT_NAME = "report.html"

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


def _img(fig: Figure, caption: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    alt = html.escape(caption, quote=True)
    return (f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _table(frame: pd.DataFrame, empty: str = "none") -> str:
    if frame.empty:
        return f"<p><em>{html.escape(empty)}</em></p>"
    return frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="nan",
                         border=0, escape=True)


def _json(data: object) -> str:
    return f"<pre>{html.escape(json.dumps(data, indent=2, sort_keys=True, default=str))}</pre>"


def _status_note(run: RunTables) -> str:
    if run.complete:
        return ""
    return (f'<p class="warning">Run {html.escape(str(run.path))} is <strong>'
            f"{html.escape(run.status)}</strong> ({run.manifest.get('generations_done', '?')} "
            "generations written): the tables below may be partial.</p>")


def _run_section(run: RunTables, n_boot: int, seed: int, window: int) -> str:
    manifest = {k: v for k, v in run.manifest.items() if k != "config"}
    levels = level_correlations(run, n_boot=n_boot, seed=seed)
    proxies = proxy_correlations(run, n_boot=n_boot, seed=seed)
    regimes = competence_regimes(run, n_boot=n_boot, seed=seed)
    shifts = shift_summary(run, window=window, n_boot=n_boot, seed=seed)
    alignment = level_alignment(run)
    cosine = weight_alignment(run)
    pct = "90%"
    parts = [
        _status_note(run),
        "<h3>Before and after each shift</h3>",
        f"<p>Mean correlation with fitness over the {window} generations before and after each "
        f"shift (level L: Spearman of J with root fitness; features: Pearson), the difference "
        f"and its {pct} bootstrap interval (entities resampled within generations). Only "
        f"generations with entity records count (gens_before, gens_after).</p>",
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
        parts.append(f"<p>Cosine between evolved and fitness-implied weight vectors at generation "
                     f"{int(last['generation'])}: {last['cosine']:.3f}.</p>")
    parts += [
        "<h3>Alignment between adjacent levels</h3>",
        _table(alignment.groupby("level").tail(5) if not alignment.empty else alignment,
               "no level 2 in this run"),
        "<h3>Competence regimes</h3>",
        _table(regimes, "no entities above level 1 recorded"),
    ]
    if not regimes.empty:
        parts.append(_img(competence_figure(run, regimes), "Misalignment by builder competence."))
    parts += [
        _img(tree_figure(run), "Nested tree of one agent (last recorded generation)."),
        "<h3>Config</h3>", _json(run.manifest.get("config", {})),
        "<h3>Manifest</h3>", _json(manifest),
    ]
    return "\n".join(p for p in parts if p)


def _sweep_section(runs: Sequence[RunTables], n_boot: int, seed: int, window: int) -> str:
    overview = pd.DataFrame([{
        "run": str(r.path.name), "seed": r.manifest.get("seed"), "status": r.status,
        "generations": r.manifest.get("generations_done"),
        "last L1_spearman": (float(r.generations["L1_spearman"].iloc[-1])
                             if "L1_spearman" in r.generations.columns and len(r.generations)
                             else float("nan")),
    } for r in runs])
    parts = [_table(overview)]
    parts += [_status_note(r) for r in runs]
    columns = ["L1_spearman", "fitness_mean"] + sorted(
        {c for r in runs for c in r.generations.columns if str(c).startswith("corr_")})[:1]
    for column in columns:
        parts.append(_img(sweep_figure(runs, column, n_boot=n_boot, seed=seed),
                          f"{column} of every run, their mean and its 90% interval over runs."))
    per_run = [shift_summary(r, window=window, n_boot=n_boot, seed=seed).assign(run=r.path.name)
               for r in runs]
    shifts = pd.concat(per_run, ignore_index=True) if per_run else pd.DataFrame()
    parts.append("<h3>Before and after each shift, over runs</h3>")
    if shifts.empty:
        parts.append(_table(shifts, "no shift events in these runs"))
    else:
        rng = np.random.default_rng(seed)
        rows = []
        for (shift, gen, series), group in shifts.groupby(["shift", "shift_generation", "series"],
                                                          sort=False):
            ci = bootstrap_mean(group["difference"].to_numpy(float), n_boot=n_boot, rng=rng)
            rows.append({"shift": shift, "shift_generation": gen, "series": series,
                         "runs": len(group), "before": group["before"].mean(),
                         "after": group["after"].mean(), "difference": ci.estimate,
                         "lo": ci.lo, "hi": ci.hi})
        parts.append("<p>Mean over runs of each run's before/after means; interval: 90% "
                     "bootstrap over runs of the mean difference.</p>")
        parts.append(_table(pd.DataFrame(rows)))
    parts += ["<h3>Config (first run)</h3>", _json(runs[0].manifest.get("config", {}))]
    return "\n".join(p for p in parts if p)


def build_report(runs: RunTables | Sequence[RunTables], *, n_boot: int = 500, seed: int = 0,
                 window: int = 10, title: str | None = None) -> str:
    """The HTML text of the report of one run, or of several runs grouped by scenario."""
    runs = [runs] if isinstance(runs, RunTables) else list(runs)
    if not runs:
        raise ValueError("no runs to report")
    title = title or (f"mesaevo report: {runs[0].path.name}" if len(runs) == 1
                      else f"mesaevo report: {len(runs)} runs")
    body = [f"<h1>{html.escape(title)}</h1>", '<p id="image-check">images not checked</p>']
    if len(runs) == 1:
        run = runs[0]
        body.append(f"<h2>{html.escape(run.scenario)} (seed {run.manifest.get('seed')}, "
                    f"{html.escape(run.status)})</h2>")
        body.append(_run_section(run, n_boot, seed, window))
    else:
        for scenario, group in group_by_scenario(runs).items():
            body.append(f"<h2>{html.escape(scenario)}: {len(group)} runs</h2>")
            body.append(_sweep_section(group, n_boot, seed, window) if len(group) > 1
                        else _run_section(group[0], n_boot, seed, window))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + f"\n<script>{_SCRIPT}</script>\n</body></html>\n")


def write_report(path: str | Path, out: str | Path | None = None, **kwargs) -> Path:
    """Write the report of the run or sweep directory at ``path``; return the file written.

    ``out`` defaults to ``<path>/report.html``. Raises :class:`RunNotFoundError` when
    there is no run at or under ``path``.
    """
    runs = load_runs(path)
    target = Path(out) if out is not None else Path(path) / REPORT_NAME
    text = build_report(runs, **kwargs)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    log.info("report of %d run(s) written to %s", len(runs), target)
    return target
