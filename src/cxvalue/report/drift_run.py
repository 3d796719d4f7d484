"""``cxvalue drift``: re-run the flow on fresh extracts and compare it with a saved snapshot.

:func:`drift` is the whole job from Python and :func:`run_drift` the command
line's wrapper around it. The comparison itself is
:func:`cxvalue.drift.check_drift`; this module reads the baseline, runs the
flow the config describes, captures the current run as a snapshot binned on
the baseline's frozen revenue edges (with the months after the baseline as
``data.actuals``), compares the two and writes, into the output folder:

- ``drift.md`` (a one-line verdict first), ``drift.json`` and ``drift-junit.xml`` —
  on *every* exit path, errors included, so a CI job always has something to
  show (``drift.md`` is also appended to ``$GITHUB_STEP_SUMMARY`` when set);
- ``snapshot.json`` — the current run as next month's baseline, only when the
  run completed (a stale one from an earlier run is removed first, so an
  error never leaves an old baseline behind that looks fresh).

Exit codes: 0 no drift (warnings allowed), 1 drift found, 2 cannot judge
(unreadable or empty input, a configuration error, a snapshot that is
mangled or of another schema version, a model that did not converge). It
never exits 0 when it could not check.

Same inputs, config and seed give byte-identical files.
"""

from __future__ import annotations

import dataclasses
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cxvalue.drift import DriftReport, check_drift, write_cannot_judge
from cxvalue.errors import ConfigError, CxValueError
from cxvalue.report.config import Config, load_config
from cxvalue.report.snapshot import SnapshotError, read_snapshot, validate_snapshot, write_snapshot

__all__ = ["drift", "run_drift", "SNAPSHOT_NAME"]

#: The file the current run's snapshot is written to in the output folder.
SNAPSHOT_NAME = "snapshot.json"

Progress = Callable[[str], None]


def drift(
    baseline: str | Path | Mapping[str, Any],
    config: str | Path | Config,
    out: str | Path | None = None,
    *,
    progress: Progress | None = None,
) -> DriftReport:
    """Run the flow on current data and compare it with a baseline snapshot.

    Parameters
    ----------
    baseline : str, Path or mapping
        The baseline ``snapshot.json`` (as written by ``cxvalue report`` or
        an earlier ``cxvalue drift``), or the snapshot already parsed.
    config : str, Path or Config
        The ``cxvalue.toml`` of the current run (its inputs point at the
        fresh extracts; its ``[drift]`` table sets the thresholds and its
        ``seed`` the seed of every random draw).
    out : str or Path, optional
        Folder for ``drift.md``, ``drift.json``, ``drift-junit.xml`` and the
        current run's ``snapshot.json``. Nothing is written when None.
    progress : callable, optional
        Called with a line of text at each step of the flow (default: stderr).

    Returns
    -------
    DriftReport
        ``exit_code`` 0 (no drift), 1 (drift) or 2 (cannot judge). Input
        problems — an unreadable or mangled snapshot, a bad config key, an
        empty or unreadable extract — do not raise: they give a report whose
        verdict is "cannot judge" and whose only check says why.

    Examples
    --------
    >>> import cxvalue as cx
    >>> report = cx.drift("baseline/snapshot.json", "cxvalue.toml", out="drift")  # doctest: +SKIP
    >>> report.exit_code, str(report)  # doctest: +SKIP
    (0, '**No drift**: 22 checks passed (baseline 2025-12, current 2026-01)')
    """
    out_dir = None if out is None else Path(out)
    if out_dir is not None:
        _remove_stale_snapshot(out_dir, baseline)
    base_label = None
    try:
        base = _baseline(baseline)
        base_label = _period_last(base)
        cfg = config if isinstance(config, Config) else load_config(config)
        report, fresh = _compare(base, cfg, progress)
    except (CxValueError, OSError) as exc:
        report = _cannot_judge(_why(exc, config), base_label)
        if out_dir is not None:
            report.write(out_dir)
        return report
    except Exception as exc:  # a bug, not the data: still leave the three files, then raise
        if out_dir is not None:
            reason = f"cxvalue failed unexpectedly ({type(exc).__name__}: {exc}); please report it."
            write_cannot_judge(out_dir, reason, baseline=base_label)
        raise
    if out_dir is not None:
        report.write(out_dir)
        write_snapshot(fresh, out_dir / SNAPSHOT_NAME)
    return report


def run_drift(baseline: Path, config: Path, out: Path) -> int:
    """The ``cxvalue drift`` command: :func:`drift` with files, a summary line and an exit code.

    Returns
    -------
    int
        0 no drift, 1 drift found, 2 cannot judge. Never raises: an unexpected
        error prints its traceback and returns 2 (the three reports are written).
    """
    try:
        report = drift(baseline, config, out)
    except Exception:  # drift() already wrote the reports; make CI say "cannot judge"
        traceback.print_exc(file=sys.stderr)
        return 2
    print(str(report).replace("**", ""))
    print(f"reports in {out}")
    return report.exit_code


# -- steps --------------------------------------------------------------------------------


def _baseline(baseline: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(baseline, Mapping):
        validate_snapshot(baseline, source="the baseline snapshot")
        return dict(baseline)
    return read_snapshot(baseline)


def _compare(
    base: Mapping[str, Any], config: Config, progress: Progress | None
) -> tuple[DriftReport, dict[str, Any]]:
    """The report and the current run's own snapshot (next month's baseline)."""
    # Imported here: the flow pulls in every model, and `import cxvalue` should stay light.
    from cxvalue.report.capture import make_snapshot
    from cxvalue.report.flow import run_flow
    from cxvalue.report.words import measure

    flow = run_flow(config, extras=False, progress=progress)
    current = make_snapshot(flow, baseline=base)
    report = check_drift(base, current, thresholds=config.drift, seed=config.seed)
    notes = [f"Current run: {note}" for note in flow.notes]
    if notes:
        report = dataclasses.replace(report, notes=[*report.notes, *notes])
    return _in_words_of(report, measure(flow)), make_snapshot(flow)


def _in_words_of(report: DriftReport, spoken: str) -> DriftReport:
    """The report's reasons in the words of the survey's measure ("Net CSAT stayed at …");
    the checks' names stay as they are, for CI history."""
    from cxvalue.figures._measures import reword, speaking

    with speaking(spoken):
        checks = [dataclasses.replace(c, reason=reword(c.reason, "en")) for c in report.checks]
    return dataclasses.replace(report, checks=checks)


def _cannot_judge(reason: str, baseline: str | None) -> DriftReport:
    from cxvalue._drift_checks import Check

    check = Check("comparison", "inputs", "cannot_judge", reason, blocking=True)
    return DriftReport([check], baseline=baseline)


def _why(exc: BaseException, config: Any) -> str:
    """The reason line of a run that could not compare anything."""
    if isinstance(exc, SnapshotError):
        return f"The baseline snapshot cannot be used: {exc}"
    if isinstance(exc, ConfigError):
        where = config.source if isinstance(config, Config) else config
        key = f" (key {exc.key})" if exc.key else ""
        return f"The configuration {where} has an error{key}: {exc}"
    if isinstance(exc, OSError) and not str(exc).strip():
        return f"An input could not be read ({type(exc).__name__})."
    return f"The current run could not be made: {exc}"


def _period_last(snapshot: Mapping[str, Any]) -> str | None:
    label = (snapshot.get("data") or {}).get("period_last")
    return label if isinstance(label, str) else None


def _remove_stale_snapshot(out_dir: Path, baseline: Any) -> None:
    """Remove out_dir/snapshot.json from an earlier run, unless it is the baseline itself."""
    stale = out_dir / SNAPSHOT_NAME
    if not stale.is_file():
        return
    if not isinstance(baseline, Mapping) and Path(baseline).resolve() == stale.resolve():
        return
    stale.unlink()
