"""One self-contained HTML report of a run or of a sweep of runs.

Layout: a summary card (status, duration, seeds, the headline before/after numbers
with their intervals; an experiment's verdict and, at reduced size, a banner above it),
then one section per setting (runs whose configs differ only in the seed; a sweep's
settings are named by their swept keys): for several seeds, the trajectories with their
mean and its interval across seeds and the before/after table across seeds; for one run,
its objective-fitness figure first, one panel per level (entity count beside its
objective-fitness correlation), the before/after table and the other figures; then a
short glossary. Sections that do not apply (no shift, no level 2, no sub-agents) are
left out. The config is shown as TOML and as a diff against its scenario; the manifest
as JSON. The time-series figures are interactive (plotly: hover, zoom, click the legend
to toggle a series), with plotly.js embedded once, inline; the other figures are base64
PNG ``<img>`` elements. Nothing is fetched, so the file opens from disk with the network
off. ``interactive=False`` (``mesaevo report --static``), or plotly missing, draws every
figure as PNG with matplotlib.
A small inline script marks the hidden ``#image-check`` with how many images loaded, how
many interactive figures were drawn and where the card and the first figure are (the
tests read these; the reader does not see the line).
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .student_t import t_interval
from .columns import levels as levels_of
from .compare import SettingGroup, group_by_setting, shift_summary_runs
from .confine import file_inside
from .figures_correlation import level_correlation_figure, proxy_correlation_figure
from .figures_genes import gene_figure, weights_figure
from .figures_nested import misalignment_by_competence_figure, nested_tree_figure
from .figures_sweep import sweep_figure
from .files import check_file_target, write_atomically
from .findings import read_verdicts
from .fisher import generation_bands
from .load import RunFormatError, RunTables, load_runs, read_entities, shift_generation
from .metrics import competence_regimes, level_alignment, shift_summary, weight_alignment
from .run_files import REPORT, VERDICT
from .toml_text import dumps as toml_dumps

__all__ = ["REPORT_NAME", "build_report", "write_report"]

log = logging.getLogger(__name__)
REPORT_NAME = REPORT
#: Resolution of the PNG images embedded in the report.
REPORT_DPI = 100
#: Rows of the level-alignment table shown per level (the last generations).
ALIGNMENT_ROWS = 5
#: Columns drawn across the seeds of a setting (plus the headline proxy, see :func:`headline_proxy`).
SWEEP_COLUMNS = ("L1_spearman", "fitness_mean", "compliance_gap")
#: The proxy the headline numbers follow when the run has it: the taste drive sugar exploits.
HEADLINE_PROXIES = ("taste",)
TABLE_DIGITS = 3
#: Below this many seeds a t interval across seeds is flagged as a rough range (t quantile 2.13 at 5 seeds).
FEW_SEEDS = 5
#: Entity columns a report reads of every run (the rest only for runs with sub-agents: their tree and regimes).
REPORT_ENTITY_COLUMNS = ("generation", "entity_id", "level")
#: Prefix of the ids of the report's interactive figures.
FIGURE_ID = "figure"


class Verdict(NamedTuple):
    """One measurement of an experiment directory: its ``verdict.json`` record, per-seed table and figure."""

    record: dict[str, Any]
    table: pd.DataFrame | None
    png: bytes | None


def read_experiment(path: str | Path) -> list[Verdict]:
    """The verdicts of the experiment directory at ``path`` (its measurement, then each further one);
    empty when ``path`` holds no ``verdict.json``. The table and figure a record names are read only
    from inside ``path`` (:func:`analysis.confine.file_inside`): one naming anything else is a
    :class:`RunFormatError`, never embedded."""
    root = Path(path)
    if not (root / VERDICT).is_file():
        return []
    out = []
    for d, record in read_verdicts([root]):
        table_path = file_inside(d, record["table"], "verdict table") if record["table"] else None
        png_path = file_inside(d, record["figure"], "verdict figure") if record["figure"] else None
        table = None
        if table_path is not None:
            try:
                table = pd.read_csv(table_path)
            except (ValueError, OSError) as exc:  # parser errors and bad encodings are ValueErrors
                raise RunFormatError(f"cannot read {table_path}: {str(exc).splitlines()[0] if str(exc) else exc!r}") \
                    from None
        out.append(Verdict(record, table, png_path.read_bytes() if png_path is not None else None))
    return out


def _verdict_items(verdicts: Sequence[Verdict]) -> list[tuple[str, str]]:
    items = []
    for v in verdicts:
        r = v.record
        items += [("claim", str(r.get("claim"))),
                  ("verdict", f"{r.get('verdict')}: estimate {_fmt(r.get('estimate'))}, "
                              f"{_percent(float(r.get('confidence', 0.9)))} interval "
                              f"[{_fmt(r.get('lo'))}, {_fmt(r.get('hi'))}], n = {r.get('n')} seeds")]
    return items


def _size_banner(verdicts: Sequence[Verdict]) -> Html:
    """At the very top of an experiment's report run at reduced size: say so before anything else."""
    if not verdicts or verdicts[0].record.get("size") != "reduced":
        return Html("")
    r = verdicts[0].record
    seeds = r.get("seeds")
    return render('<p class="warning banner" id="reduced-size"><strong>Reduced size</strong>: these runs are the '
                  "experiment's quick size ({n} seeds, {g} generations), not the full size its claim is judged at; "
                  "the verdict at full size may differ (run it with <code>--full</code>).</p>",
                  n=len(seeds) if isinstance(seeds, list) else "?", g=r.get("generations", "?"))


_TERM_RE = re.compile(r"^(?P<arm>.+):(?P<metric>[^:\[]+)\[(?P<a>\d+)-(?P<b>\d+)\]$")


def _verdict_headline(verdicts: Sequence[Verdict], level: float) -> list[dict]:
    """Each measured term (arm, metric, the verdict's window) as a mean over seeds with its t interval, and
    the measured value itself: the numbers the verdict is computed from, over the verdict's window."""
    rows = []
    for v in verdicts:
        if v.table is None:
            continue
        name = str(v.record.get("name"))
        for column in [*(c for c in v.table.columns if _TERM_RE.match(str(c))), "value"]:
            if column not in v.table.columns:
                continue
            values = pd.to_numeric(v.table[column], errors="coerce").to_numpy(float)
            ci = t_interval(values, level)
            m = _TERM_RE.match(str(column))
            rows.append({"measurement": name,
                         "series": f"{m['arm']}: {m['metric']}" if m else "value (the verdict's estimate)",
                         "window": f"generations {m['a']} to {m['b']}" if m else "as the terms",
                         "mean over seeds": _with_interval(ci.estimate, ci.lo, ci.hi),
                         "seeds": int(np.isfinite(values).sum())})
    return rows


def _verdict_section(verdicts: Sequence[Verdict]) -> Html:
    """Each measurement: its rule (stated before running), the per-seed values and the figure."""
    parts = [_heading(2, "Verdict")]
    for v in verdicts:
        r = v.record
        parts += [render("<h3>{name}: {verdict}</h3><p>{measurement}</p><p>Rule, stated before running: {rule} "
                         "({method}).</p>", name=r.get("name"), verdict=r.get("verdict"),
                         measurement=r.get("measurement"), rule=r.get("rule"), method=r.get("method"))]
        if v.table is not None:
            parts.append(_table(v.table))
        if v.png is not None:
            parts.append(render('<figure><img alt="per-seed values" src="data:image/png;base64,{data}">'
                                "<figcaption>{name}: per-seed values and the interval across seeds.</figcaption>"
                                "</figure>", data=base64.b64encode(v.png).decode("ascii"), name=r.get("name")))
    return join(parts)


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
.card { border: 1px solid #888; border-left: 8px solid #2a6ebb; border-radius: 6px; padding: 0.6em 1em;
        background: #f8f9fb; }
.plotly-graph-div { margin: 0.8em 0; }
.card dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; margin: 0; }
.card dt { font-weight: bold; } .card dd { margin: 0; }
.banner { font-size: 1.1em; }
.panels { display: flex; flex-wrap: wrap; gap: 0.6em; }
.panel { border: 1px solid #ccc; border-radius: 4px; padding: 0.4em 0.8em; min-width: 12em; }
.panel strong { font-size: 1.2em; } .glossary dt { font-weight: bold; } .glossary dd { margin: 0 0 0.3em 1.5em; }
#image-check { font-size: 0.8em; color: #666; }
"""

_SCRIPT = """
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (im) { return im.complete && im.naturalWidth > 0; });
  var plots = Array.prototype.slice.call(document.querySelectorAll('div.plotly-graph-div'));
  var drawn = plots.filter(function (d) { return d.querySelector('svg.main-svg') !== null; });
  var card = document.getElementById('summary');
  var mark = document.getElementById('image-check');
  mark.setAttribute('data-images', String(images.length));
  mark.setAttribute('data-loaded', String(loaded.length));
  mark.setAttribute('data-plots', String(plots.length));
  mark.setAttribute('data-drawn', String(drawn.length));
  if (card) { mark.setAttribute('data-card-bottom', String(Math.ceil(card.getBoundingClientRect().bottom))); }
  var first = document.querySelector('figure');
  if (first) { mark.setAttribute('data-figure-top', String(Math.floor(first.getBoundingClientRect().top))); }
  mark.setAttribute('data-visible', String(mark.getClientRects().length));
  var ok = loaded.length === images.length && drawn.length === plots.length;
  mark.textContent = ok
    ? 'images-ok: all ' + images.length + ' images loaded, ' + plots.length + ' interactive figures drawn'
    : 'images-missing: ' + (images.length - loaded.length) + ' of ' + images.length + ' images failed to load, '
      + (plots.length - drawn.length) + ' of ' + plots.length + ' interactive figures not drawn';
});
"""


class _Figures:
    """How the report draws its time-series figures: interactive (plotly, when ``interactive`` and
    plotly imports) or PNG; numbers the interactive ones (``figure-1``, ...)."""

    def __init__(self, interactive: bool):
        self.plotly = None
        if interactive:
            try:
                from . import figures_interactive
            except ImportError as exc:  # plotly not installed: the static report
                log.warning("interactive figures need plotly (%s); drawing PNG figures", exc)
            else:
                self.plotly = figures_interactive
        self.count = 0

    def draw(self, interactive: Callable[[Any], Any], static: Callable[[], Figure], caption: str,
             static_caption: str | None = None) -> Html:
        """One time-series figure: ``interactive(figures_interactive)`` drawn with plotly, or else ``static()``
        as a PNG (captioned ``static_caption`` when given)."""
        if self.plotly is None:
            return _img(static(), static_caption or caption)
        self.count += 1
        div = self.plotly.figure_div(interactive(self.plotly), f"{FIGURE_ID}-{self.count}")
        return render("<figure>{div}<figcaption>{caption}</figcaption></figure>", div=Html(div), caption=caption)


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


GLOSSARY = {
    "L{L}_spearman": "level L's objective-fitness correlation: Spearman rank correlation, over the "
                     "level-L entities of a generation, of the objective score J with the fitness of "
                     "the root agent of their lineage (level 1: the agents themselves).",
    "corr_{feature}": "proxy-fitness correlation: Pearson correlation, over the agents of a generation, "
                      "of one proxy drive (taste, pain, ...) with fitness.",
    "fitness_mean": "mean offspring conceived per agent in a generation (what selection maximizes).",
    "before / after": "mean of a series over the generations before a shift and from it on, within "
                      "the window; gens_before/gens_after say how many generations were averaged.",
    "interval": "across seeds: Student t interval of the per-run means (seeds are the unit), cut to "
                "[-1, 1] for a correlation; with few seeds it is wide. Within one run (one seed): Fisher-z "
                "interval from each generation's correlation and its number of entities, over the same "
                "generations the estimate averages; it says how precisely this run was measured, not how "
                "another seed would turn out.",
}


def _status_note(run: RunTables) -> Html:
    if run.complete:
        return Html("")
    return render('<p class="warning">Run {path} is <strong>{status}</strong> ({done} generations '
                  "written): the tables below may be partial.</p>",
                  path=run.path, status=run.status, done=run.manifest.get("generations_done", "?"))


def _notes(run: RunTables) -> Html:
    notes = run.manifest.get("notes")
    if not isinstance(notes, list) or not notes:
        return Html("")
    return join(render('<p class="warning">{note}</p>', note=n) for n in notes)


def _heading(level: int, text: str) -> Html:
    return render(f"<h{level}>{{text}}</h{level}>", text=text)


def _fmt(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "nan" if not np.isfinite(v) else f"{v:.{TABLE_DIGITS}f}"


def _with_interval(value: Any, lo: Any, hi: Any) -> str:
    if np.isfinite(float(lo)) and np.isfinite(float(hi)):
        return f"{_fmt(value)} [{_fmt(lo)}, {_fmt(hi)}]"
    return _fmt(value)


def headline_proxy(runs: Sequence[RunTables]) -> str | None:
    """The proxy series the headline follows: ``taste`` when present, else the first proxy in the
    world's feature order (never the alphabetically first column)."""
    columns = [str(c) for r in runs for c in r.generations.columns]
    for name in HEADLINE_PROXIES:
        if f"corr_{name}" in columns:
            return name
    return next((c.removeprefix("corr_") for c in columns if c.startswith("corr_")), None)


def _duration(run: RunTables) -> float | None:
    import datetime as dt

    try:
        start = dt.datetime.fromisoformat(str(run.manifest["started"]))
        end = dt.datetime.fromisoformat(str(run.manifest["finished"]))
    except (KeyError, ValueError, TypeError):
        return None
    return (end - start).total_seconds()


def _span(values: list[Any]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "?"
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo} to {hi}"


def _headline_rows(runs: Sequence[RunTables], window: int, level: float, n_boot: int, seed: int) -> list[dict]:
    """Before/after of the first shift the runs reached, for level 1 and the headline proxy."""
    proxy = headline_proxy(runs)
    wanted = ["level 1", *([proxy] if proxy else [])]
    if len(runs) > 1:
        table = shift_summary_runs(runs, window=window, level=level)
        kind = f"t interval across {len(runs)} seeds" + (" (few seeds: a rough range)" if len(runs) < FEW_SEEDS else "")
    else:
        table = shift_summary(runs[0], window=window, n_boot=n_boot, level=level, seed=seed)
        kind = "one seed: within-run Fisher-z interval over the generations averaged"
    if table.empty:
        return []
    first = table[table["shift_generation"] == table["shift_generation"].min()]
    rows = []
    for series in wanted:
        match = first[first["series"] == series]
        if match.empty:
            continue
        r = match.iloc[0]
        before = _with_interval(r["before"], r["before_lo"], r["before_hi"])
        after = _with_interval(r["after"], r["after_lo"], r["after_hi"])
        rows.append({"shift": f"{r['shift']} at {int(r['shift_generation'])}", "series": series,
                     "before": before, "after": after,
                     "difference": _with_interval(r["difference"], r["lo"], r["hi"]),
                     "generations": f"{int(r['gens_before'])} before, {int(r['gens_after'])} after",
                     "interval": kind})
    return rows


def _summary_card(runs: Sequence[RunTables], groups: Sequence[SettingGroup], window: int, level: float,
                  n_boot: int, seed: int, verdicts: Sequence[Verdict] = ()) -> Html:
    statuses: dict[str, int] = {}
    for r in runs:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    durations = [d for d in (_duration(r) for r in runs) if d is not None]
    seeds = sorted({r.manifest.get("seed") for r in runs if isinstance(r.manifest.get("seed"), int)})
    items = [*_verdict_items(verdicts),
             ("status", ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))),
             ("runs", f"{len(runs)} in {len(groups)} setting{'s' if len(groups) != 1 else ''}"),
             ("seeds", (", ".join(map(str, seeds)) or "?") + (" (one seed)" if len(seeds) == 1 else "")),
             ("generations", _span([r.manifest.get("generations_done") for r in runs])),
             ("duration", f"{sum(durations):.1f} s in all" + (f" ({min(durations):.1f} to {max(durations):.1f} s "
                                                                "per run)" if len(durations) > 1 else "")
              if durations else "?")]
    parts = [Html('<div class="card" id="summary">'), Html("<dl>")]
    parts += [render("<dt>{k}</dt><dd>{v}</dd>", k=k, v=v) for k, v in items]
    parts.append(Html("</dl>"))
    if verdicts:  # an experiment: the numbers its verdict is computed from, over the verdict's window
        rows = _verdict_headline(verdicts, level)
        parts.append(render("<p>Headline: the measured values over the verdict's window ({pct} t intervals "
                            "across seeds{few}):</p>", pct=_percent(level),
                            few="; few seeds: a rough range" if rows and min(r["seeds"] for r in rows) < FEW_SEEDS
                            else ""))
        parts.append(_table(pd.DataFrame(rows)))
        parts.append(Html("</div>"))
        return join(parts)
    headline = []
    for group in groups:
        for row in _headline_rows(group.runs, window, level, n_boot, seed):
            headline.append({**({"setting": group.label} if len(groups) > 1 else {}), **row})
    if headline:
        parts.append(render("<p>Headline ({pct} intervals; window {window} generations):</p>",
                            pct=_percent(level), window=window))
        parts.append(_table(pd.DataFrame(headline)))
    else:
        parts.append(Html("<p>No shift reached by these runs: no before/after numbers.</p>"))
    parts.append(Html("</div>"))
    return join(parts)


def _glossary(runs: Sequence[RunTables], has_shifts: bool) -> Html:
    proxy = headline_proxy(runs)
    terms = {k: v for k, v in GLOSSARY.items()
             if (k != "corr_{feature}" or proxy) and (k not in ("before / after",) or has_shifts)}
    parts = [_heading(2, "Glossary"), Html('<dl class="glossary">')]
    parts += [render("<dt>{k}</dt><dd>{v}</dd>", k=k, v=v) for k, v in terms.items()]
    parts.append(Html("</dl>"))
    return join(parts)


def _config_sections(run: RunTables, heading: int = 3) -> Html:
    config = run.manifest.get("config")
    parts = []
    if isinstance(config, dict):
        try:
            text = toml_dumps(config)
        except TypeError:
            text = json.dumps(config, indent=2, sort_keys=True, default=str)
        parts += [_heading(heading, "Config (TOML)"), render("<pre>{text}</pre>", text=text)]
    diff = run.manifest.get("config_diff")
    if isinstance(diff, dict):
        parts.append(render("<h{h}>Config against its scenario ({scenario})</h{h}>", h=heading,
                            scenario=run.scenario))
        rows = [{"key": k, "scenario": json.dumps(v[0], default=str) if isinstance(v, list) and len(v) == 2 else "?",
                 "this run": json.dumps(v[1], default=str) if isinstance(v, list) and len(v) == 2 else json.dumps(v)}
                for k, v in diff.items()]
        parts.append(_table(pd.DataFrame(rows, columns=["key", "scenario", "this run"]),
                            "the scenario's config, unchanged"))
    return join(parts)


def _level_panels(run: RunTables, bands: pd.DataFrame, level: float = 0.9) -> Html:
    """One panel per level: entities in the last generation beside its objective-fitness correlation and
    that generation's Fisher-z interval (the same generation for all three)."""
    gens = run.generations
    found = levels_of(gens.columns)
    panels = []
    for lvl in found:
        mine = bands[bands["series"] == f"level {lvl}"] if not bands.empty else bands
        if mine.empty:
            continue
        last = mine.iloc[-1]
        n = str(int(last["n"])) if np.isfinite(float(last["n"])) else "?"
        ci = (f"{_percent(level)} interval [{_fmt(last['lo'])}, {_fmt(last['hi'])}]"
              if np.isfinite(float(last["lo"])) else "no interval (entity count unknown or at most 3)")
        panels.append(render('<div class="panel"><div>Level {lvl}</div><div>entities: <strong>{n}</strong></div>'
                             "<div>objective-fitness Spearman: <strong>{corr}</strong></div>"
                             "<div><small>generation {gen}; {ci}</small></div></div>",
                             lvl=lvl, n=n, corr=_fmt(last["estimate"]), gen=int(last["generation"]), ci=ci))
    if not panels:
        return Html("")
    return join([Html('<div class="panels">'), *panels, Html("</div>")])


def _has_subagents(run: RunTables) -> bool:
    """Whether any entity above level 1 was recorded (then the nested tree shows something)."""
    ents = run.entities
    return not ents.empty and "level" in ents.columns and bool((pd.to_numeric(ents["level"], errors="coerce") > 1).any())


def _run_section(run: RunTables, n_boot: int, seed: int, window: int, level: float, figures: _Figures,
                 progress: Callable[[str], None] = lambda step: None) -> Html:
    manifest = {k: v for k, v in run.manifest.items() if k != "config"}
    bands = generation_bands(run.generations, level)
    progress("before/after each shift")
    shifts = shift_summary(run, window=window, n_boot=n_boot, level=level, seed=seed)
    alignment = level_alignment(run)
    cosine = weight_alignment(run)
    pct = _percent(level)
    parts = [_status_note(run), _notes(run)]
    progress("correlation figures")
    parts += [
        figures.draw(lambda px: px.level_plot(run, bands, level), lambda: level_correlation_figure(run, bands),
                     f"Objective-fitness correlation per level (bands: {pct} Fisher-z interval of each generation's "
                     "Spearman) above the number of entities of each level per generation. Hover for values, drag "
                     "to zoom (double-click to reset), click a legend entry to hide it.",
                     f"Objective-fitness correlation per level; bands: {pct} Fisher-z interval of each generation's "
                     "Spearman."),
        _heading(3, "Levels"), _level_panels(run, bands, level),
    ]
    if not shifts.empty:
        parts += [
            _heading(3, "Before and after each shift"),
            render("<p>Mean correlation with fitness over up to {window} generations before and after each "
                   "shift, from every generation's row (level L: Spearman of J with root fitness; features: "
                   "Pearson); gens_before and gens_after are the generations averaged. Intervals ({pct}): "
                   "within this one run, over the same generations, from each generation's correlation and "
                   "its number of entities on Fisher's z scale.</p>", window=window, pct=pct),
            _table(shifts),
        ]
    parts.append(figures.draw(lambda px: px.proxy_plot(run, bands, level),
                              lambda: proxy_correlation_figure(run, bands),
                              f"Proxy-fitness correlation (Pearson); bands: {pct} Fisher-z interval of each "
                              "generation's value."))
    progress("gene and weight figures")
    parts += [
        _img(gene_figure(run), "Population means of the genes."),
        _img(weights_figure(run), "Evolved mean weights against fitness-implied weights."),
    ]
    if not cosine.empty and np.isfinite(cosine["cosine"]).any():
        last = cosine.dropna(subset=["cosine"]).iloc[-1]
        parts.append(render("<p>Cosine between evolved and fitness-implied weight vectors at generation "
                            "{generation}: {cosine}.</p>", generation=int(last["generation"]),
                            cosine=f"{last['cosine']:.{TABLE_DIGITS}f}"))
    if not alignment.empty:
        parts += [_heading(3, "Alignment between adjacent levels"),
                  _table(alignment.groupby("level").tail(ALIGNMENT_ROWS))]
    if _has_subagents(run):
        progress("sub-agent sections")
        regimes = competence_regimes(run, n_boot=n_boot, level=level, seed=seed)
        if not regimes.empty:
            parts += [_heading(3, "Competence regimes"), _table(regimes),
                      _img(misalignment_by_competence_figure(run, regimes), "Misalignment by builder competence.")]
        parts.append(_img(nested_tree_figure(run), "Nested tree of one agent (the largest recorded)."))
    parts += [_config_sections(run), _heading(3, "Manifest"), _json(manifest)]
    return join(parts)


def _last_value(run: RunTables, column: str) -> float:
    gens = run.generations
    if column not in gens.columns or gens.empty:
        return float("nan")
    return float(pd.to_numeric(gens[column], errors="coerce").iloc[-1])


def _group_section(group: SettingGroup, n_boot: int, seed: int, window: int, level: float,
                   figures: _Figures) -> Html:
    """Several seeds of one setting: trajectories with their mean and band, before/after across seeds."""
    runs = group.runs
    proxy = headline_proxy(runs)
    overview = pd.DataFrame([{
        "run": str(r.path.name), "seed": r.manifest.get("seed"), "status": r.status,
        "generations": r.manifest.get("generations_done"),
        "last L1_spearman": _last_value(r, "L1_spearman"),
        **({f"last corr_{proxy}": _last_value(r, f"corr_{proxy}")} if proxy else {}),
    } for r in runs])
    pct = _percent(level)
    parts = [_table(overview), *(_status_note(r) for r in runs), _notes(runs[0])]
    shifts = shift_summary_runs(runs, window=window, level=level)
    if not shifts.empty:
        parts += [_heading(3, "Before and after each shift, across seeds"),
                  render("<p>Each run's mean over up to {window} generations before and after the shift "
                         "(every generation's row), then the mean over the {n} runs; intervals: {pct} "
                         "Student t intervals across seeds (the seed is the unit; n - 1 degrees of "
                         "freedom). gens_before/gens_after: the fewest generations any run averaged.</p>",
                         window=window, n=len(runs), pct=pct),
                  _table(shifts)]
    for column in _sweep_columns(runs):
        caption = f"{column} of every seed, their mean and its {pct} bootstrap interval across seeds."
        parts.append(figures.draw(lambda px: px.sweep_plot(runs, column, n_boot=n_boot, level=level, seed=seed),
                                  lambda: sweep_figure(runs, column, n_boot=n_boot, level=level, seed=seed), caption))
    parts.append(_config_sections(runs[0]))
    return join(parts)


def _sweep_columns(runs: Sequence[RunTables]) -> list[str]:
    """The columns drawn across seeds: :data:`SWEEP_COLUMNS` and the headline proxy, those present."""
    proxy = headline_proxy(runs)
    return [c for c in [*SWEEP_COLUMNS, *([f"corr_{proxy}"] if proxy else [])]
            if any(c in r.generations.columns for r in runs)]


def _settings_section(runs: Sequence[RunTables], groups: Sequence[SettingGroup], n_boot: int, seed: int,
                      level: float, figures: _Figures) -> Html:
    """Several settings: one band per setting in one figure per column, the interval across seeds."""
    pct = _percent(level)
    parts = [_heading(2, "Settings compared"),
             render("<p>One line per setting ({keys}): the mean over its seeds and its {pct} bootstrap interval "
                    "across seeds (the seed is the unit).</p>", pct=pct,
                    keys=", ".join(dict.fromkeys(k for g in groups for k in g.setting)) or "scenario")]
    for column in _sweep_columns(runs):
        caption = f"{column} by setting: mean over seeds and its {pct} interval across seeds."
        parts.append(figures.draw(
            lambda px: px.settings_plot(groups, column, n_boot=n_boot, level=level, seed=seed),
            lambda: sweep_figure(runs, column, by="setting", n_boot=n_boot, level=level, seed=seed), caption))
    return join(parts)


def build_report(runs: RunTables | Sequence[RunTables], *, n_boot: int = 500, seed: int = 0,
                 window: int = 10, title: str | None = None, level: float = 0.9,
                 interactive: bool = True, verdicts: Sequence[Verdict] = (),
                 progress: Callable[[str], None] | None = None) -> str:
    """The HTML text of the report of one run, or of several runs grouped by setting
    (:func:`analysis.compare.group_by_setting`: one group per setting, its seeds together).

    ``interactive``: the time-series figures drawn with plotly (plotly.js inline, once per
    file); False, or plotly not installed, draws every figure as PNG. ``verdicts`` (an
    experiment's, :func:`read_experiment`): the claim and verdict head the summary card, and a
    verdict section with the per-seed values follows the arms compared, and the headline is each
    measured arm's value over the verdict's own window. ``progress(step)`` is called as each part
    of the report starts (the CLI prints these to stderr).
    Every value from the runs (manifest, tables, names) is escaped (see :func:`render`).
    """
    runs = [runs] if isinstance(runs, RunTables) else list(runs)
    if not runs:
        raise ValueError("no runs to report")
    groups = group_by_setting(runs)
    title = title or (f"mesaevo report: {runs[0].path.name}" if len(runs) == 1
                      else f"mesaevo report: {len(runs)} runs, {len(groups)} settings")
    has_shifts = any(shift_generation(ev) is not None and not r.generations.empty
                     and "generation" in r.generations.columns
                     and shift_generation(ev) <= int(r.generations["generation"].max())
                     for r in runs for ev in r.shift_events)
    figures = _Figures(interactive)
    say = progress or (lambda step: None)
    say("summary card")
    # the page check's line is for tests and for readers who look for it: hidden, its data-* attributes read
    body = [_heading(1, title), _size_banner(verdicts), Html('<p id="image-check" hidden>images not checked</p>'),
            _summary_card(runs, groups, window, level, n_boot, seed, verdicts)]
    if len(groups) > 1:  # the comparison the sweep was made for, right under the card
        say("settings compared")
        body.append(_settings_section(runs, groups, n_boot, seed, level, figures))
    if verdicts:
        body.append(_verdict_section(verdicts))
    if len(runs) == 1:
        run = runs[0]
        body.append(render("<h2>{scenario} (seed {seed}, {status})</h2>", scenario=run.scenario,
                           seed=run.manifest.get("seed"), status=run.status))
        body.append(_run_section(run, n_boot, seed, window, level, figures, say))
    else:
        for i, group in enumerate(groups, 1):
            say(f"setting {i} of {len(groups)}")
            seeds = ", ".join(str(r.manifest.get("seed")) for r in group.runs)
            body.append(render('<h2 class="setting">Setting {label}: {n} run{s} (seeds {seeds})</h2>',
                               label=group.label, n=len(group.runs), s="s" if len(group.runs) != 1 else "",
                               seeds=seeds))
            body.append(_group_section(group, n_boot, seed, window, level, figures) if len(group.runs) > 1
                        else _run_section(group.runs[0], n_boot, seed, window, level, figures))
    body.append(_glossary(runs, has_shifts))
    library = Html(f"<script>{figures.plotly.plotly_js()}</script>") if figures.count else Html("")
    page = render('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                  "<style>{css}</style>{library}</head><body>\n{body}\n<script>{script}</script>\n</body></html>\n",
                  title=title, css=Html(_CSS), library=library, body=join(body), script=Html(_SCRIPT))
    return str(page)


def write_report(path: str | Path, out: str | Path | None = None, **kwargs) -> Path:
    """Write the report of the run, sweep or experiment directory at ``path``; return the file written.

    ``out`` defaults to ``<path>/report.html``; the file is replaced atomically, never
    written through a symlink (see :mod:`analysis.files`). Raises :class:`RunNotFoundError`
    when there is no run at or under ``path``, :class:`analysis.files.OutputPathError` when
    ``out`` is a directory or cannot be written.
    """
    target = check_file_target(out if out is not None else Path(path) / REPORT_NAME)
    say = kwargs.get("progress") or (lambda step: None)
    say(f"loading the runs under {path}")
    # what the report shows of the entity records: whether a run has sub-agents, then (only for those) all of them
    runs = [replace(r, entities=read_entities(r.path)) if _has_subagents(r) else r
            for r in load_runs(path, entity_columns=REPORT_ENTITY_COLUMNS)]
    verdicts = read_experiment(path)
    if verdicts and "title" not in kwargs:
        kwargs["title"] = f"mesaevo report: experiment {verdicts[0].record.get('name')}"
    text = build_report(runs, verdicts=verdicts, **kwargs)
    write_atomically(target, text.encode("utf-8"))
    log.info("report of %d run(s) written to %s", len(runs), target)
    return target
