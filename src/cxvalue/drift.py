"""The drift check: compare a fresh run with a saved snapshot and say what moved.

:func:`check_drift` is a pure function of two snapshot dicts (schema 1, see
``docs/snapshot.md``); it returns a :class:`DriftReport` whose ``exit_code``
a CI job uses (0 no drift, 1 drift found, 2 cannot judge) and which writes
``drift.md``, ``drift.json`` and ``drift-junit.xml``.

A check fails only when a change is both practically large and beyond noise;
each warn band sits below its fail band. Defaults (all settable in the
``[drift]`` table of ``cxvalue.toml``, see :class:`DriftThresholds`):

===============================  ==========================================================
inputs
nps_moved                        fail |Δ| ≥ 10 pts and |z| > 3; warn ≥ 5 and |z| > 2;
                                 z = Δ / sqrt(var_old + var_new), multinomial variances
score_distribution.psi           PSI over the score values; fail above max(0.25, 99.9th
                                 percentile of PSI under no change at these sample sizes),
                                 warn above max(0.1, 99th percentile)
score_distribution.categories    chi-square on the 2 × 3 table; fail p < 0.001 and a share
                                 moved ≥ 5 pts; warn p < 0.01 and ≥ 2 pts
revenue_distribution             PSI on the baseline's frozen decile edges, thresholds as
                                 for scores
revenue_per_customer_month       relative change; fail > 25 %, warn > 10 %
rows.<table>                     rows read changed > 50 %: warn only (data grows)
rejection_rate.<table>           fail: up > 2 pts and > 3×; warn: > 1 pt and > 2×
segments.<column>                a new or vanished level warns (see below)
effects
effect.<model>.<term>            z = (b_new − b_old) / sqrt(se_new² + se_old²) on the log
                                 scale, Holm-adjusted across effects; fail p < 0.01 and
                                 ratio moved > 25 %; warn p < 0.05 and > 10 %
forecasts
value.per_point, value.gap.*     fail: moved > 10 % and the two intervals do not overlap;
                                 warn: intervals apart but a small move, or moved > 10 %
                                 with the new estimate outside the baseline's interval
forecast.accuracy                the baseline's forecast vs the current run's actuals:
                                 fail MAPE > 20 %, warn > 10 % (bias, coverage reported)
===============================  ==========================================================

The value rule uses interval *overlap* (as the issue words it), not "the new
estimate is outside the baseline's interval": two independent estimates of
the same quantity put the new one outside the old 95 % interval about 17 %
of the time, so that rule alone would fail a no-change run every few months.
Non-overlapping 95 % intervals of similar width mean |z| > 2.8 (p < 0.006).

Verdict. Unreadable or mangled snapshots, different schema versions and
empty data (no responses, no customer-months) block the comparison: the
verdict is "cannot judge" (exit 2) whatever else was seen, because numbers
from broken input are not evidence. Otherwise any failed check means drift
(exit 1, actionable even if some other check could not be judged); else any
check that could not be judged — a model that did not converge, different
model specs — gives exit 2; else exit 0 (warnings included). It never exits
0 on a check it could not make.

Effects are compared only when the specs match (link, controls, reference
levels) and the fits converged. Holm's correction is used because it bounds
the chance of any false alarm (each fail is an investigation) under any
dependence between the effects. When the runs' periods overlap — the usual
case — the two estimates share data, so the z tests are conservative; the
report says so beside them. A vanished segment level warns rather than
fails: effects adjusted for that segment are no longer comparable level for
level, but the rest of the comparison stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxvalue import _drift_reports as _reports
from cxvalue._drift_checks import GROUPS, STATUSES, Check, input_checks
from cxvalue._drift_model_checks import effect_checks, forecast_check, overlap_note, value_checks
from cxvalue.report.config import DriftThresholds
from cxvalue.report.snapshot import SnapshotError, validate_snapshot

__all__ = ["Check", "DriftReport", "DriftThresholds", "check_drift", "write_cannot_judge"]

#: Exit code per verdict.
EXIT_CODES = {"pass": 0, "drift": 1, "cannot_judge": 2}


@dataclass(frozen=True)
class DriftReport:
    """The outcome of a drift check: every check, the verdict and the exit code.

    Attributes
    ----------
    checks : list of Check
        Worst first (fail, cannot_judge, warn, pass), then by group
        (inputs, effects, forecasts), then in the order they were made.
    baseline, current : str or None
        Labels of the two runs (their last data period, e.g. ``"2025-12"``).
    seed : int
        The seed of the bootstrap thresholds.
    notes : list of str
        Sentences shown beside the checks (data overlap, forecast not scored yet).
    """

    checks: list[Check]
    baseline: str | None = None
    current: str | None = None
    seed: int = 0
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        ranked = sorted(
            self.checks,  # stable: keeps the order checks were made in
            key=lambda c: (STATUSES.index(c.status), GROUPS.index(c.group)),
        )
        object.__setattr__(self, "checks", ranked)

    @property
    def counts(self) -> dict[str, int]:
        """Number of checks per status."""
        return {s: sum(c.status == s for c in self.checks) for s in STATUSES}

    @property
    def verdict(self) -> str:
        """``"pass"``, ``"drift"`` or ``"cannot_judge"`` (see the module docstring)."""
        if any(c.blocking for c in self.checks):
            return "cannot_judge"
        counts = self.counts
        if counts["fail"]:
            return "drift"
        if counts["cannot_judge"] or not self.checks:
            return "cannot_judge"
        return "pass"

    @property
    def exit_code(self) -> int:
        """0 no drift (warnings allowed), 1 drift found, 2 cannot judge."""
        return EXIT_CODES[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        """Everything in the report as JSON-ready data (``drift.json``)."""
        return _reports.report_dict(self)

    def to_markdown(self) -> str:
        """The report as Markdown: a one-line verdict, failures and warnings, passes."""
        return _reports.markdown(self)

    def to_junit_xml(self) -> str:
        """The report as JUnit XML: one test case per check."""
        return _reports.junit_xml(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per check: name, group, status, value, threshold, … reason."""
        return pd.DataFrame(
            [c.to_dict() for c in self.checks], columns=list(Check.__dataclass_fields__)
        )

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write drift.md, drift.json and drift-junit.xml to ``out_dir``.

        ``drift.md`` is also appended to the file named by the environment
        variable ``GITHUB_STEP_SUMMARY`` when it is set.

        Returns
        -------
        dict
            File name to path written.
        """
        return _reports.write_reports(self, out_dir)

    def __str__(self) -> str:
        return self.to_markdown().splitlines()[0]


def check_drift(
    baseline: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    thresholds: DriftThresholds | None = None,
    seed: int = 0,
) -> DriftReport:
    """Compare a current run's snapshot with a baseline snapshot.

    Parameters
    ----------
    baseline, current : mapping
        Snapshots in schema version 1 (as from
        :func:`cxvalue.report.snapshot.read_snapshot`). The current run's
        revenue must be binned on the baseline's ``revenue_quantile_edges``;
        its ``data`` may carry ``actuals`` ([{period, revenue}]) to score the
        baseline's forecast.
    thresholds : DriftThresholds, optional
        Fail and warn thresholds; the defaults are in the module docstring.
    seed : int, default 0
        Seed of the bootstrap that sets the PSI thresholds.

    Returns
    -------
    DriftReport
        Never raises on a bad snapshot: a malformed one gives a report whose
        verdict is "cannot judge".

    Examples
    --------
    >>> report = check_drift(read_snapshot("snapshot.json"), fresh)  # doctest: +SKIP
    >>> report.exit_code, report.write("drift/")  # doctest: +SKIP
    """
    th = thresholds if thresholds is not None else DriftThresholds()
    labels = {"baseline": _label(baseline), "current": _label(current), "seed": seed}
    blockers = _blockers(baseline, current)
    if blockers:
        return DriftReport(blockers, **labels)
    checks = input_checks(baseline, current, th, seed)
    checks += effect_checks(baseline, current, th)
    checks += value_checks(baseline, current, th)
    accuracy, note = forecast_check(baseline, current, th)
    checks += [accuracy] if accuracy else []
    notes = [n for n in (overlap_note(baseline, current), note) if n]
    return DriftReport(checks, notes=notes, **labels)


def write_cannot_judge(
    out_dir: str | Path, reason: str, *, baseline: str | None = None, current: str | None = None
) -> DriftReport:
    """Write the three reports for a run that could not compare anything.

    For error paths (unreadable input, a bad snapshot) so that ``out_dir``
    gets drift.md, drift.json and drift-junit.xml on every exit path.

    Parameters
    ----------
    out_dir : str or Path
    reason : str
        What went wrong, in plain words (an exception's message).
    baseline, current : str, optional
        Labels of the runs, when known.

    Returns
    -------
    DriftReport
        Its ``exit_code`` is 2.
    """
    check = Check("comparison", "inputs", "cannot_judge", reason, blocking=True)
    report = DriftReport([check], baseline=baseline, current=current)
    report.write(out_dir)
    return report


def _label(snapshot: Any) -> str | None:
    data = snapshot.get("data") if isinstance(snapshot, Mapping) else None
    label = data.get("period_last") if isinstance(data, Mapping) else None
    return label if isinstance(label, str) else None


def _blockers(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> list[Check]:
    """Problems that make the whole comparison impossible (verdict "cannot judge")."""
    runs = (("baseline", baseline), ("current", current))
    checks = []
    for when, snapshot in runs:
        try:
            validate_snapshot(snapshot, source=f"the {when} snapshot")
        except SnapshotError as exc:
            checks.append(_blocker(f"snapshot.{when}", str(exc)))
    if checks:
        return checks
    versions = baseline["schema_version"], current["schema_version"]
    if versions[0] != versions[1]:
        return [
            _blocker(
                "schema_version",
                f"The baseline uses snapshot schema version {versions[0]} and the "
                f"current run version {versions[1]}; re-create the baseline.",
            )
        ]
    for when, snapshot in runs:
        data = snapshot["data"]
        if snapshot["nps"]["n"] == 0 or sum(data["score_counts"]) == 0:
            checks.append(
                _blocker(
                    f"empty.{when}", f"The {when} run has no survey responses: nothing to compare."
                )
            )
        if data["customer_months"] == 0:
            checks.append(
                _blocker(
                    f"empty.{when}.revenue",
                    f"The {when} run has no customer-months of revenue: nothing to compare.",
                )
            )
    return checks


def _blocker(name: str, reason: str) -> Check:
    return Check(name, "inputs", "cannot_judge", reason, blocking=True)
