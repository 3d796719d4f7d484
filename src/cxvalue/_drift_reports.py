"""Writers for the drift report: drift.md, drift.json and drift-junit.xml.

Every output is deterministic: no timestamps, floats rounded (10 significant
digits in JSON, fixed formats in Markdown), keys sorted in JSON.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxvalue.formatting import MINUS
from cxvalue.report.snapshot import dumps_snapshot

if TYPE_CHECKING:
    from cxvalue._drift_checks import Check
    from cxvalue.drift import DriftReport

__all__ = ["report_dict", "markdown", "junit_xml", "write_reports", "headline"]

#: Version of the drift.json layout.
REPORT_VERSION = 1
FILES = ("drift.md", "drift.json", "drift-junit.xml")
_VERDICT_WORDS = {"pass": "No drift", "drift": "Drift found", "cannot_judge": "Cannot judge"}
_STATUS_WORDS = {
    "fail": "failed",
    "cannot_judge": "could not be judged",
    "warn": "warned",
    "pass": "passed",
}
_STATUS_LABEL = {"fail": "FAIL", "cannot_judge": "CANNOT JUDGE", "warn": "WARN", "pass": "pass"}


def headline(report: DriftReport) -> str:
    """The one-line verdict, e.g. "Drift found: 2 checks failed, 14 passed (baseline …)".

    When something blocked the whole comparison (a bad snapshot, no data, a
    run that failed), the line gives that reason instead of the counts, so a
    notification that shows only the first line still says why.
    """
    runs = f"baseline {report.baseline or 'unknown'}, current {report.current or 'unknown'}"
    blockers = [c.reason for c in report.checks if c.blocking]
    if report.verdict == "cannot_judge" and blockers:
        more = f" (and {len(blockers) - 1} more problems below)" if len(blockers) > 1 else ""
        why = " ".join(blockers[0].split())
        return f"**{_VERDICT_WORDS[report.verdict]}** ({runs}): {why}{more}"
    counts = report.counts
    parts = [f"{n} {_STATUS_WORDS[s]}" for s, n in counts.items() if n]
    if parts:
        first, _, rest = parts[0].partition(" ")
        parts[0] = f"{first} {'check' if first == '1' else 'checks'} {rest}"
    return f"**{_VERDICT_WORDS[report.verdict]}**: {', '.join(parts) or 'no checks'} ({runs})"


def report_dict(report: DriftReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "report_version": REPORT_VERSION,
        "verdict": report.verdict,
        "exit_code": report.exit_code,
        "headline": headline(report).replace("**", ""),
        "baseline": report.baseline,
        "current": report.current,
        "seed": report.seed,
        "counts": report.counts,
        "notes": list(report.notes),
        "checks": [c.to_dict() for c in report.checks],
    }


# -- Markdown -----------------------------------------------------------------------------


def fmt_value(check: Check) -> str:
    """The check's value for a table cell, in its unit."""
    v = check.value
    if v is None:
        return "–"
    if v in (float("inf"), float("-inf")):
        return "∞" if v > 0 else MINUS + "∞"
    text = {
        "pts": f"{v:+.1f} pts",
        "change": f"{v:+.1%}",
        "pct": f"{v:.1%}",
        "psi": f"{v:.3f}",
        "levels": f"{v:.0f}",
    }.get(check.unit, f"{v:.4g}")
    return text.replace("-", MINUS)


def _fmt_n(check: Check) -> str:
    if check.n is None:
        return "–"
    if check.n_baseline is None:
        return f"{check.n:,}"
    return f"{check.n:,} (baseline {check.n_baseline:,})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(checks: list[Check], with_status: bool) -> list[str]:
    head = ["check", "value", "threshold", "n", "reason"]
    if with_status:
        head.insert(0, "status")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in checks:
        row = [c.name, fmt_value(c), c.rule or "–", _fmt_n(c), c.reason]
        if with_status:
            row.insert(0, f"**{_STATUS_LABEL[c.status]}**")
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    return lines


def markdown(report: DriftReport) -> str:
    """drift.md: the one-line verdict, failures and warnings worst first, then passes."""
    lines = [headline(report), ""]
    flagged = [c for c in report.checks if c.status != "pass"]
    passed = [c for c in report.checks if c.status == "pass"]
    if flagged:
        lines += ["## Failures and warnings", "", *_table(flagged, with_status=True), ""]
    lines += [f"> {note}" for note in report.notes] + ([""] if report.notes else [])
    if passed:
        lines += [
            "<details>",
            f"<summary>{len(passed)} checks passed</summary>",
            "",
            *_table(passed, with_status=False),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- JUnit XML ----------------------------------------------------------------------------


def junit_xml(report: DriftReport) -> str:
    """drift-junit.xml: one testcase per check.

    A failed check has a ``failure`` element, one that could not be judged a
    ``skipped`` element, and a warning its reason in ``system-out``.
    """
    counts = report.counts
    totals = {
        "tests": str(len(report.checks)),
        "failures": str(counts["fail"]),
        "errors": "0",
        "skipped": str(counts["cannot_judge"]),
    }
    root = ET.Element("testsuites", {"name": "cxvalue drift", **totals})
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": f"cxvalue drift (baseline {report.baseline}, current {report.current})",
            **totals,
            "time": "0",
        },
    )
    for c in report.checks:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"cxvalue.drift.{c.group}", "name": c.name, "time": "0"},
        )
        body = f"{c.reason}\nvalue: {fmt_value(c)}\nthreshold: {c.rule or '–'}\nn: {_fmt_n(c)}"
        if c.status == "fail":
            ET.SubElement(case, "failure", {"message": c.reason, "type": "drift"}).text = body
        elif c.status == "cannot_judge":
            ET.SubElement(case, "skipped", {"message": c.reason})
        elif c.status == "warn":
            ET.SubElement(case, "system-out").text = "WARNING: " + body
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- files --------------------------------------------------------------------------------


def write_reports(report: DriftReport, out_dir: str | Path) -> dict[str, Path]:
    """Write the three files and append drift.md to ``$GITHUB_STEP_SUMMARY`` when set."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(report)
    texts = {
        "drift.md": md,
        "drift.json": dumps_snapshot(report_dict(report)),
        "drift-junit.xml": junit_xml(report),
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = out / name
        paths[name].write_text(text, encoding="utf-8", newline="\n")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8", newline="\n") as fh:
            fh.write(md + "\n")
    return paths
