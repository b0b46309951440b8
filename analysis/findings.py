"""``docs/findings.md`` from experiment outputs: each claim, its verdict, estimate, interval, n, figure,
date and version, read from the ``verdict.json`` of each experiment directory.

    python -m analysis.findings OUT_DIR... [--out docs/findings.md] [--title ...]
    mesaevo experiment --findings OUT_DIR... [--out docs/findings.md]
"""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path
from typing import Any

from .confine import file_inside
from .files import write_atomically
from .load import read_json_object
from .verdict import persistence_lines
from .run_files import VERDICT, VERDICT_FIGURE

__all__ = ["read_verdicts", "clean_record", "markdown_text", "adjusted_verdicts", "findings_markdown",
           "write_findings"]

#: Fields of a verdict record and their kinds; anything else in a record is ignored.
_TEXT = ("name", "claim", "needs", "measurement", "rule", "verdict", "method", "size", "date", "version", "control",
         "no_control_because", "experiment_sha256")
_NUMBERS = ("estimate", "lo", "hi", "threshold", "p_supported", "p_contradicted")
_FILES = ("figure", "table")
#: A record's text is cut to this many characters (a claim is a sentence).
MAX_TEXT = 2000


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    return "" if value is None or not isinstance(value, (int, float)) else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def clean_record(record: dict[str, Any]) -> dict[str, Any]:
    """A verdict record with every field the findings page and the report show, of the type they expect: text
    as strings, numbers as finite floats or None, ``n`` and ``generations`` whole or None, seed and run
    lists as lists, ``also`` as a list of records. ``verdict.json`` may have been edited by hand."""
    out: dict[str, Any] = {k: _text(record.get(k)) for k in _TEXT}
    out.update({k: _number(record.get(k)) for k in _NUMBERS})
    confidence = _number(record.get("confidence"))
    out["confidence"] = confidence if confidence is not None and 0 < confidence < 1 else 0.9
    out["n"], out["generations"] = _whole(record.get("n")), _whole(record.get("generations"))
    for key in ("seeds", "seeds_without_value"):
        value = record.get(key)
        out[key] = [x for x in value if _whole(x) is not None][:10_000] if isinstance(value, list) else []
    failed = record.get("failed_runs")
    out["failed_runs"] = [_text(x) for x in failed if isinstance(x, str)][:10_000] if isinstance(failed, list) else []
    for key in _FILES:
        out[key] = record[key] if isinstance(record.get(key), str) and record[key] else None
    out["confirmatory"] = record.get("confirmatory") is True
    out["controlled"] = record.get("controlled", True) is not False
    tuned = record.get("tuned_on")
    out["tuned_on"] = {k: _text(tuned.get(k)) if k == "note" else tuned.get(k) for k in ("seeds", "size", "note")} \
        if isinstance(tuned, dict) else None
    rows = record.get("persistence")
    out["persistence"] = [{k: v for k, v in r.items() if isinstance(k, str) and (isinstance(v, (str, int, float))
                                                                                  or v is None)}
                          for r in rows if isinstance(r, dict)][:10_000] if isinstance(rows, list) else []
    courses = record.get("courses")  # time-course figures of the experiment's arms (analysis.figures_arms)
    out["courses"] = [x for x in courses if isinstance(x, str) and x][:16] if isinstance(courses, list) else []
    also = record.get("also")
    out["also"] = [clean_record({**a, "also": []}) for a in also if isinstance(a, dict)][:64] \
        if isinstance(also, list) else []
    return out


def read_verdicts(dirs: list[str | Path]) -> list[tuple[Path, dict[str, Any]]]:
    """(directory, cleaned verdict record) of every directory (or directory below one, one level) holding
    verdict.json; an experiment's further measurements (its record's ``also`` list) follow it as records of
    their own. A verdict.json that is not a regular file inside its directory, or not a JSON object, is a
    :class:`analysis.load.RunFormatError`."""
    found = []
    for d in dirs:
        d = Path(d)
        candidates = [d] if (d / VERDICT).is_file() else sorted(p for p in d.iterdir() if p.is_dir()) \
            if d.is_dir() else []
        for c in candidates:
            path = file_inside(c, VERDICT, "verdict record", max_bytes=16 * 2**20)
            if path is None:
                continue
            record = clean_record(read_json_object(path))
            found.append((c, record))
            found += [(c, extra) for extra in record["also"]]
    if not found:
        raise FileNotFoundError(f"no verdict.json under {', '.join(str(d) for d in dirs)}")
    return found


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~])")


def markdown_text(value: Any) -> str:
    """``value`` as inert Markdown inline text: one line (whitespace collapsed), HTML characters as entities
    and Markdown's punctuation backslash-escaped, so a claim cannot open a heading, a link (``javascript:``
    or any), an image, a table cell or a raw ``<script>``."""
    text = "n/a" if value is None else " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _f(x: Any) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.3g}"


#: Family-wise error rate of Holm's correction over the page's confirmatory verdicts.
FAMILY_ALPHA = 0.10


def adjusted_verdicts(records: list[dict[str, Any]], alpha: float = FAMILY_ALPHA) -> list[str]:
    """Each record's verdict after Holm's correction at family-wise ``alpha`` over the confirmatory records
    (one-sided in each pre-stated direction: "supported" needs its one-sided p-value toward the claim
    rejected by Holm's step-down over the family, "contradicted" its p-value the other way); exploratory
    records get "exploratory"."""
    from .verdict import holm

    def p(r: dict[str, Any], key: str) -> float:
        value = r.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan

    family = [k for k, r in enumerate(records) if r.get("confirmatory") is True]
    sup = holm([p(records[k], "p_supported") for k in family], alpha)
    con = holm([p(records[k], "p_contradicted") for k in family], alpha)
    out = ["exploratory"] * len(records)
    for k, s, c in zip(family, sup, con):
        out[k] = "supported" if s else "contradicted" if c else "inconclusive"
    return out


def findings_markdown(found: list[tuple[Path, dict[str, Any]]], relative_to: Path | None = None,
                      title: str = "Findings") -> str:
    """The findings page of cleaned records (:func:`read_verdicts`); every text from a record is escaped."""
    md = markdown_text
    sizes = sorted({str(r.get("size", "?")) for _, r in found})
    adjusted = adjusted_verdicts([r for _, r in found])
    lines = [f"# {md(title)}", ""]
    if "reduced" in sizes:
        lines += ["**REDUCED SIZE.** These verdicts come from the shipped experiments at their reduced "
                  "(CI) size: small populations, worlds and generation counts. They test that the "
                  "machinery works and give a first reading; the claims are to be judged at full size "
                  "(`mesaevo experiment NAME --full`), a release task.", ""]
    lines += ["Generated by `mesaevo experiment --findings DIR...` from each experiment's `verdict.json`; do not "
              "edit by hand. Intervals are t intervals over per-seed values (seeds are the unit). Each verdict is "
              "on treatment minus control (the claimed cause switched off, same seeds) where the experiment has "
              "a control. *Raw* is each verdict alone; *adjusted* applies Holm's correction at family-wise "
              f"alpha {FAMILY_ALPHA:g} over every confirmatory verdict on this page (at least 10 seeds, none of "
              "them among the seeds its knobs and windows were tuned on), one-sided in each pre-stated "
              "direction; a verdict on tuning seeds or fewer than 10 seeds is *exploratory*.", "",
              "| experiment | raw verdict | adjusted | estimate | interval | n | size |",
              "|---|---|---|---|---|---|---|"]
    for (d, r), adj in zip(found, adjusted):
        pct = f"{100 * r['confidence']:g}%"
        lines.append(f"| {md(r['name'])} | **{md(r['verdict'])}** | {adj} | {_f(r['estimate'])} | "
                     f"{pct} [{_f(r['lo'])}, {_f(r['hi'])}] | {md(r['n'])} | {md(r['size'])} |")
    lines.append("")
    for (d, r), adj in zip(found, adjusted):
        try:
            fig_path = file_inside(d, r["figure"] or VERDICT_FIGURE, "figure")
        except ValueError:
            fig_path = None
        if fig_path is None:
            figure = "none"
        else:
            shown = Path(os.path.relpath(fig_path.resolve(), relative_to.resolve())) if relative_to else fig_path
            figure = f"`{md(str(shown)).replace('`', '')}`"
        lines += [f"## {md(r['name'])}", "", f"- claim: {md(r['claim'])}",
                  f"- measurement: {md(r['measurement'])}", f"- rule (stated before running): {md(r['rule'])}",
                  f"- verdict: **{md(r['verdict'])}**; estimate {_f(r['estimate'])}, "
                  f"{100 * r['confidence']:g}% interval [{_f(r['lo'])}, {_f(r['hi'])}], "
                  f"n = {md(r['n'])} seeds ({md(r['method'])})",
                  f"- size: {md(r['size'])} ({md(r['generations'])} generations, seeds {md(r['seeds'])})"]
        if r["control"]:
            lines.append(f"- control (the claimed cause switched off): {md(r['control'])}"
                         + ("" if r["controlled"] else " (this measurement is not controlled)"))
        elif r["no_control_because"]:
            lines.append(f"- no control, because: {md(r['no_control_because'])}")
        lines.append(f"- adjusted verdict (Holm, family-wise alpha {FAMILY_ALPHA:g}): {adj}; one-sided p "
                     f"toward the claim {_f(r['p_supported'])}, against it {_f(r['p_contradicted'])}")
        if r["tuned_on"] is not None:
            t = r["tuned_on"]
            lines.append(f"- tuned on: seeds {md(t.get('seeds'))}, {md(t.get('size'))}"
                         + (f"; {md(t['note'])}" if t.get("note") else ""))
        if r["experiment_sha256"]:
            lines.append(f"- experiment file sha256: {md(r['experiment_sha256'])}")
        for line in persistence_lines(r["persistence"]):
            lines.append("- " + md(line.replace("persistence: ", "persistence of ", 1)))
        if r["needs"]:
            lines.append(f"- needs: {md(r['needs'])}")
        if r["seeds_without_value"]:
            lines.append(f"- seeds without a value (metric NaN over the window, e.g. no entity at that level; "
                         f"left out of n): {md(r['seeds_without_value'])}")
        if r["failed_runs"]:
            lines.append(f"- failed runs: {md(', '.join(r['failed_runs']))}")
        lines.append(f"- figure: {figure}")
        for name in r["courses"]:  # time courses per arm (analysis.figures_arms)
            try:
                course = file_inside(d, name, "figure")
            except ValueError:
                continue
            if course is None:
                continue
            shown = Path(os.path.relpath(course.resolve(), relative_to.resolve())) if relative_to else course
            lines.append(f"- time course per arm: `{md(str(shown)).replace('`', '')}`")
        lines += [f"- date: {md(r['date'])}, mesaevo {md(r['version'])}", ""]
    return "\n".join(lines)


def write_findings(dirs: list[str | Path], out: str | Path = "docs/findings.md", title: str = "Findings") -> Path:
    out = Path(out)
    found = read_verdicts(dirs)
    write_atomically(out, findings_markdown(found, relative_to=out.parent, title=title).encode("utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.findings")
    parser.add_argument("dirs", nargs="+", help="experiment output directories (or their parent)")
    parser.add_argument("--out", default="docs/findings.md")
    args = parser.parse_args(argv)
    print(write_findings(args.dirs, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
