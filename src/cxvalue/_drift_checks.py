"""The drift check's records and its checks on the inputs (survey, revenue, ledger, segments).

Every check is a pure function of the two snapshot dicts (already validated)
and the thresholds, and returns :class:`Check` records. The rules and their
reasons are documented on :func:`cxvalue.drift.check_drift`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from cxvalue._drift_stats import nps_change, psi, psi_null_quantiles, share_test
from cxvalue.formatting import fmt_currency
from cxvalue.ingest.scale import scale_text
from cxvalue.report.config import DriftThresholds
from cxvalue.report.snapshot import scale_of

__all__ = ["Check", "STATUSES", "GROUPS", "grade", "input_checks"]

#: Statuses, worst first.
STATUSES = ("fail", "cannot_judge", "warn", "pass")
GROUPS = ("inputs", "effects", "forecasts")
_CATS = ("promoter", "passive", "detractor")

Snapshot = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    """One comparison between the baseline and the current run.

    Attributes
    ----------
    name : str
        Stable identifier, e.g. ``"nps_moved"`` or ``"effect.retention.promoter"``.
    group : str
        ``"inputs"``, ``"effects"`` or ``"forecasts"``.
    status : str
        ``"pass"``, ``"warn"``, ``"fail"`` or ``"cannot_judge"``.
    reason : str
        What was seen, in plain words.
    value : float or None
        The statistic compared with the thresholds.
    threshold, warn_threshold : float or None
        The fail and warn thresholds on ``value``.
    n, n_baseline : int or None
        Sample size of the current run and of the baseline.
    rule : str
        The thresholds in words, e.g. ``"fail ≥ 10 pts and |z| > 3; warn ≥ 5 and |z| > 2"``.
    unit : str
        How to read ``value``: ``"pts"`` (points), ``"change"`` (a signed
        fraction), ``"pct"`` (a fraction), ``"psi"`` or ``"levels"``.
    detail : dict
        Further numbers (z, p-values, shares).
    blocking : bool
        True when the problem makes the whole comparison impossible.
    """

    name: str
    group: str
    status: str
    reason: str
    value: float | None = None
    threshold: float | None = None
    warn_threshold: float | None = None
    n: int | None = None
    n_baseline: int | None = None
    rule: str = ""
    unit: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    blocking: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return asdict(self)


def amounts(currency: str | None, decimals: int = 0) -> Callable[[float], str]:
    """How a drift reason writes money: ``€482,050`` (plain ``482,050`` when the snapshots
    do not say the currency, as those written before cxvalue recorded it)."""
    if not currency:
        return lambda v: f"{v:,.{decimals}f}"
    return lambda v: fmt_currency(v, "en", currency, compact=False, decimals=decimals)[0]


def grade(fail: bool, warn: bool) -> str:
    """``"fail"`` if ``fail``, else ``"warn"`` if ``warn``, else ``"pass"``."""
    return "fail" if fail else "warn" if warn else "pass"


def verdict_words(status: str) -> str:
    """A short closing clause for a reason."""
    return {
        "fail": "large and beyond noise",
        "warn": "above the warn band",
        "pass": "within tolerance",
    }[status]


def input_checks(base: Snapshot, cur: Snapshot, th: DriftThresholds, seed: int) -> list[Check]:
    """Every check on the inputs: NPS, score and category shares, revenue, rows, segments."""
    checks = [
        check_nps(base, cur, th),
        check_score_psi(base, cur, th, np.random.default_rng([seed, 1])),
        check_category_shares(base, cur, th),
        check_revenue_psi(base, cur, th, np.random.default_rng([seed, 2])),
        check_revenue_level(base, cur, th),
    ]
    checks += check_ledgers(base, cur, th)
    checks += check_segments(base, cur)
    return checks


# -- survey -------------------------------------------------------------------------------


def _categories(snap: Snapshot) -> list[int]:
    nps = snap["nps"]
    return [nps["n_promoters"], nps["n_passives"], nps["n_detractors"]]


def _too_few(name: str, old: int, new: int, th: DriftThresholds, rule: str) -> Check | None:
    if min(old, new) >= th.min_responses:
        return None
    return Check(
        name,
        "inputs",
        "cannot_judge",
        f"Too few responses to compare ({old:,} in the baseline, {new:,} now; "
        f"at least {th.min_responses} needed in each).",
        n=new,
        n_baseline=old,
        rule=rule,
    )


def check_nps(base: Snapshot, cur: Snapshot, th: DriftThresholds) -> Check:
    """NPS moved: fail when |Δ| ≥ fail points and |z| > fail z; warn at the warn pair."""
    old, new = _categories(base), _categories(cur)
    rule = (
        f"fail: |Δ| ≥ {th.nps_fail_points:g} pts and |z| > {th.nps_fail_z:g}; "
        f"warn: ≥ {th.nps_warn_points:g} and > {th.nps_warn_z:g}"
    )
    short = _too_few("nps_moved", sum(old), sum(new), th, rule)
    if short:
        return short
    delta, z = nps_change(old, new)
    status = grade(
        abs(delta) >= th.nps_fail_points and abs(z) > th.nps_fail_z,
        abs(delta) >= th.nps_warn_points and abs(z) > th.nps_warn_z,
    )
    before = 100.0 * (old[0] - old[2]) / sum(old)
    verb = "rose" if delta > 0 else "fell" if delta < 0 else "stayed at"
    moved = f" from {before:.1f} to {before + delta:.1f}" if delta else f" {before:.1f}"
    tail = verdict_words(status)
    if status == "pass" and abs(delta) >= th.nps_warn_points:
        tail += " (a large move, but within noise at these sample sizes)"
    reason = f"NPS {verb}{moved} ({delta:+.1f} points, z = {z:+.1f}): {tail}."
    return Check(
        "nps_moved",
        "inputs",
        status,
        reason,
        value=delta,
        threshold=th.nps_fail_points,
        warn_threshold=th.nps_warn_points,
        n=sum(new),
        n_baseline=sum(old),
        rule=rule,
        unit="pts",
        detail={"z": z},
    )


def psi_thresholds(
    counts: np.ndarray, n_new: int, th: DriftThresholds, rng: np.random.Generator
) -> tuple[float, float]:
    """Fail and warn thresholds: max(floor, quantile of PSI under no change at these sizes)."""
    q_warn, q_fail = psi_null_quantiles(
        counts,
        n_new,
        (th.psi_warn_quantile, th.psi_fail_quantile),
        epsilon=th.psi_epsilon,
        reps=th.psi_reps,
        rng=rng,
    )
    return max(th.psi_fail, float(q_fail)), max(th.psi_warn, float(q_warn))


def _psi_check(
    name: str,
    label: str,
    old: np.ndarray,
    new: np.ndarray,
    th: DriftThresholds,
    rng: np.random.Generator,
) -> Check:
    value = psi(old, new, th.psi_epsilon)
    fail_t, warn_t = psi_thresholds(old, int(new.sum()), th, rng)
    status = grade(value > fail_t, value > warn_t)
    rule = (
        f"fail: PSI > max({th.psi_fail:g}, no-change {100 * th.psi_fail_quantile:g}th pct); "
        f"warn: > max({th.psi_warn:g}, {100 * th.psi_warn_quantile:g}th pct)"
    )
    reason = (
        f"{label} PSI {value:.3f} against a threshold of {fail_t:.3f} at these sample "
        f"sizes (warn {warn_t:.3f}): {verdict_words(status)}."
    )
    return Check(
        name,
        "inputs",
        status,
        reason,
        value=value,
        threshold=fail_t,
        warn_threshold=warn_t,
        n=int(new.sum()),
        n_baseline=int(old.sum()),
        rule=rule,
        unit="psi",
        detail={"epsilon": th.psi_epsilon, "reps": th.psi_reps},
    )


def check_score_psi(
    base: Snapshot, cur: Snapshot, th: DriftThresholds, rng: np.random.Generator
) -> Check:
    """Score distribution: PSI over the score values with a bootstrap threshold."""
    name = "score_distribution.psi"
    if scale_of(base) != scale_of(cur):
        return Check(
            name,
            "inputs",
            "cannot_judge",
            f"The score scales differ ({_scale(base)} then, {_scale(cur)} now), so "
            "their distributions cannot be compared.",
        )
    old = np.asarray(base["data"]["score_counts"])
    new = np.asarray(cur["data"]["score_counts"])
    short = _too_few(name, int(old.sum()), int(new.sum()), th, "")
    if short:
        return short
    return _psi_check(name, "Score distribution", old, new, th, rng)


def _scale(snap: Snapshot) -> str:
    """``1–5 (detractor 1–2, passive 3–3, promoter 4–5)``, or the range alone when the
    snapshot's cut-points are not known."""
    scale = scale_of(snap)
    return scale_text(scale["low"], scale["high"], scale)


def check_category_shares(base: Snapshot, cur: Snapshot, th: DriftThresholds) -> Check:
    """Promoter/passive/detractor shares: chi-square p and the largest share move."""
    old, new = _categories(base), _categories(cur)
    rule = (
        f"fail: p < {th.shares_fail_p:g} and a share moved ≥ {th.shares_fail_points:g} pts; "
        f"warn: p < {th.shares_warn_p:g} and ≥ {th.shares_warn_points:g} pts"
    )
    short = _too_few("score_distribution.categories", sum(old), sum(new), th, rule)
    if short:
        return short
    p_value, moves = share_test(old, new)
    biggest = int(np.argmax(np.abs(moves)))
    move = float(moves[biggest])
    status = grade(
        p_value < th.shares_fail_p and abs(move) >= th.shares_fail_points,
        p_value < th.shares_warn_p and abs(move) >= th.shares_warn_points,
    )
    share_old = 100.0 * old[biggest] / sum(old)
    reason = (
        f"The {_CATS[biggest]} share moved most: {share_old:.1f}% to "
        f"{share_old + move:.1f}% ({move:+.1f} points, chi-square p = {p_value:.2g}): "
        f"{verdict_words(status)}."
    )
    moved = {f"{c}_move": float(m) for c, m in zip(_CATS, moves, strict=True)}
    detail = {"p_value": p_value, **moved}
    return Check(
        "score_distribution.categories",
        "inputs",
        status,
        reason,
        value=move,
        threshold=th.shares_fail_points,
        warn_threshold=th.shares_warn_points,
        n=sum(new),
        n_baseline=sum(old),
        rule=rule,
        unit="pts",
        detail=detail,
    )


# -- revenue ------------------------------------------------------------------------------


def check_revenue_psi(
    base: Snapshot, cur: Snapshot, th: DriftThresholds, rng: np.random.Generator
) -> Check:
    """Revenue distribution: PSI on the baseline's frozen quantile bins."""
    name = "revenue_distribution"
    b, c = base["data"], cur["data"]
    old_edges = np.asarray(b["revenue_quantile_edges"], dtype=float)
    new_edges = np.asarray(c["revenue_quantile_edges"], dtype=float)
    if old_edges.shape != new_edges.shape or not np.allclose(
        old_edges, new_edges, rtol=1e-9, atol=0
    ):
        return Check(
            name,
            "inputs",
            "cannot_judge",
            "The current revenue was binned on other edges than the baseline's; "
            "the drift run must bin it on the baseline's frozen quantile edges.",
        )
    old = np.asarray(b["revenue_bin_counts"])
    new = np.asarray(c["revenue_bin_counts"])
    if old.sum() == 0 or new.sum() == 0:
        return Check(
            name,
            "inputs",
            "cannot_judge",
            "No customer-months with revenue in one of the runs.",
            n=int(new.sum()),
            n_baseline=int(old.sum()),
        )
    return _psi_check(name, "Revenue per customer-month (baseline deciles):", old, new, th, rng)


def check_revenue_level(base: Snapshot, cur: Snapshot, th: DriftThresholds) -> Check:
    """Revenue per customer-month: relative change, warn > 10 %, fail > 25 %."""
    name = "revenue_per_customer_month"
    rule = f"fail: |change| > {th.revenue_fail_change:.0%}; warn: > {th.revenue_warn_change:.0%}"
    b, c = base["data"], cur["data"]
    old = b["revenue_total"] / b["customer_months"]
    new = c["revenue_total"] / c["customer_months"]
    if old == 0:
        return Check(
            name,
            "inputs",
            "cannot_judge",
            "The baseline's revenue per customer-month is 0: no relative change.",
            rule=rule,
        )
    change = (new - old) / abs(old)
    status = grade(abs(change) > th.revenue_fail_change, abs(change) > th.revenue_warn_change)
    money = amounts(cur["value"].get("currency") or base["value"].get("currency"), decimals=2)
    reason = (
        f"Revenue per customer-month moved from {money(old)} to {money(new)} "
        f"({change:+.1%}): {verdict_words(status)}."
    )
    return Check(
        name,
        "inputs",
        status,
        reason,
        value=change,
        threshold=th.revenue_fail_change,
        warn_threshold=th.revenue_warn_change,
        n=c["customer_months"],
        n_baseline=b["customer_months"],
        rule=rule,
        unit="change",
    )


# -- ledger and segments ------------------------------------------------------------------


def check_ledgers(base: Snapshot, cur: Snapshot, th: DriftThresholds) -> list[Check]:
    """Rows read (warn on a change > 50 %) and rejection rates (fail: up > 2 pts and > 3×)."""
    checks: list[Check] = []
    old_inputs, new_inputs = base["inputs"], cur["inputs"]
    for table in [*old_inputs, *(t for t in new_inputs if t not in old_inputs)]:
        if table not in old_inputs or table not in new_inputs:
            when = "baseline" if table in old_inputs else "current run"
            checks.append(
                Check(
                    f"rows.{table}",
                    "inputs",
                    "warn",
                    f"The {table} table was read only in the {when}.",
                )
            )
            continue
        checks += [
            _rows(table, old_inputs[table], new_inputs[table], th),
            _rejections(table, old_inputs[table], new_inputs[table], th),
        ]
    return checks


def _rows(table: str, old: Mapping[str, Any], new: Mapping[str, Any], th: DriftThresholds) -> Check:
    a, b = old["rows_read"], new["rows_read"]
    rule = f"warn: |change| > {th.rows_warn_change:.0%} (never fails: fresh data grows)"
    change = (b - a) / a if a else math.inf
    status = grade(False, abs(change) > th.rows_warn_change)
    reason = f"{table}: {a:,} rows read then, {b:,} now ({change:+.0%}): {verdict_words(status)}."
    return Check(
        f"rows.{table}",
        "inputs",
        status,
        reason,
        value=change,
        warn_threshold=th.rows_warn_change,
        n=b,
        n_baseline=a,
        rule=rule,
        unit="change",
    )


def _rejections(
    table: str, old: Mapping[str, Any], new: Mapping[str, Any], th: DriftThresholds
) -> Check:
    r_old = old["rows_rejected"] / old["rows_read"] if old["rows_read"] else 0.0
    r_new = new["rows_rejected"] / new["rows_read"] if new["rows_read"] else 0.0
    up = 100.0 * (r_new - r_old)
    status = grade(
        up > th.rejection_fail_points and r_new > th.rejection_fail_ratio * r_old,
        up > th.rejection_warn_points and r_new > th.rejection_warn_ratio * r_old,
    )
    rule = (
        f"fail: up > {th.rejection_fail_points:g} pts and > {th.rejection_fail_ratio:g}×; "
        f"warn: > {th.rejection_warn_points:g} pts and > {th.rejection_warn_ratio:g}×"
    )
    reason = (
        f"{table}: the ingest ledger rejected {r_old:.1%} of rows then, {r_new:.1%} now: "
        f"{verdict_words(status)}."
    )
    return Check(
        f"rejection_rate.{table}",
        "inputs",
        status,
        reason,
        value=up,
        threshold=th.rejection_fail_points,
        warn_threshold=th.rejection_warn_points,
        n=new["rows_read"],
        n_baseline=old["rows_read"],
        rule=rule,
        unit="pts",
        detail={"rate_baseline": r_old, "rate_current": r_new},
    )


def check_segments(base: Snapshot, cur: Snapshot) -> list[Check]:
    """New or vanished segment levels warn (never fail, never silently pass).

    A vanished level makes the effects adjusted for that segment incomparable
    level for level; the effect checks themselves still run (their spec is
    unchanged), so this is a warning with the reason, not a failure.
    """
    old, new = base["data"]["segments"], cur["data"]["segments"]
    checks = []
    for column in [*old, *(c for c in new if c not in old)]:
        before, after = set(old.get(column, [])), set(new.get(column, []))
        gone, added = sorted(before - after), sorted(after - before)
        parts = []
        if column not in new or column not in old:
            parts.append(
                f"the segment column {column!r} is only in the "
                f"{'baseline' if column in old else 'current run'}"
            )
        if gone and column in new:
            parts.append(
                f"vanished: {', '.join(gone)} (effects by segment are no longer "
                "comparable level for level)"
            )
        if added and column in old:
            parts.append(f"new: {', '.join(added)}")
        status = "warn" if parts else "pass"
        reason = ("; ".join(parts) if parts else f"the same {len(before)} levels") + "."
        checks.append(
            Check(
                f"segments.{column}",
                "inputs",
                status,
                f"Segment {column!r}: {reason}",
                value=float(len(gone) + len(added)),
                rule="warn: any level new or vanished",
                unit="levels",
                detail={"vanished": gone, "new": added},
            )
        )
    return checks
