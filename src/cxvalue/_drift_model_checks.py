"""The drift check's comparisons of fitted effects, money figures and forecasts.

Effects are compared only when both models were fitted with the same spec
(link, controls, reference levels); anything else is "cannot judge", never a
pass. Effects are tested with Holm's correction: it controls the chance of
any false alarm across the effects (the right error rate for a pass/fail
gate that someone must investigate) and, unlike Benjamini–Hochberg, holds
under any correlation — the effects of one model share its reference level.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy import stats

from cxvalue._categories import LABELS
from cxvalue._drift_checks import Check, Snapshot, amounts, grade, verdict_words
from cxvalue._drift_stats import holm
from cxvalue.report.config import DriftThresholds

__all__ = ["effect_checks", "value_checks", "forecast_check", "overlap_note"]

_MODELS = (("retention", "hazard_ratio", "Hazard ratio"), ("revenue", "effect", "Revenue effect"))


# -- effects ------------------------------------------------------------------------------


def overlap_note(base: Snapshot, cur: Snapshot) -> str | None:
    """A sentence when the two runs' periods overlap (effect tests are then conservative)."""
    b, c = base["data"], cur["data"]
    periods = (
        b.get("period_first"),
        b.get("period_last"),
        c.get("period_first"),
        c.get("period_last"),
    )
    if None in periods or not (periods[2] <= periods[1] and periods[0] <= periods[3]):
        return None
    return (
        f"The current data ({periods[2]} to {periods[3]}) overlaps the baseline's "
        f"({periods[0]} to {periods[1]}): overlapping data makes the effect tests "
        "conservative (a real change is flagged less readily)."
    )


def _normal_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(spec)
    if isinstance(out.get("controls"), list):
        out["controls"] = sorted(out["controls"])
    return out


def _model_problem(model: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """Why the two fits of ``model`` cannot be compared, or None."""
    for when, section in (("baseline", old), ("current", new)):
        if section.get("status"):
            return f"the {when} {model} model was not fitted: {section['status']}"
        if section.get("converged") is False:
            return f"the {when} {model} model did not converge"
    a, b = _normal_spec(old["spec"]), _normal_spec(new["spec"])
    if a != b:
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        diffs = "; ".join(f"{k}: {a.get(k)!r} then, {b.get(k)!r} now" for k in keys)
        return f"the {model} model specs differ ({diffs})"
    return None


def effect_checks(base: Snapshot, cur: Snapshot, th: DriftThresholds) -> list[Check]:
    """Each hazard ratio and revenue effect present in both runs, Holm-corrected."""
    checks: list[Check] = []
    pending: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    for model, key, label in _MODELS:
        old_sec, new_sec = base[model], cur[model]
        old_eff, new_eff = old_sec.get(key) or {}, new_sec.get(key) or {}
        problem = _model_problem(model, old_sec, new_sec)
        for term in [*old_eff, *(t for t in new_eff if t not in old_eff)]:
            name = f"effect.{model}.{term}"
            what = f"{label} of {LABELS.get(term, term).lower()} vs passives"
            why = problem or _effect_problem(old_eff.get(term), new_eff.get(term))
            if why:
                checks.append(
                    Check(name, "effects", "cannot_judge", f"{what}: not compared because {why}.")
                )
            else:
                pending.append((name, what, old_eff[term], new_eff[term]))
    return checks + _test_effects(pending, th, overlap_note(base, cur) is not None)


def _effect_problem(old: Any, new: Any) -> str | None:
    if old is None or new is None:
        return f"it was estimated only in the {'current run' if old is None else 'baseline'}"
    for when, eff in (("baseline", old), ("current", new)):
        if eff.get("log") is None or not eff.get("se"):
            return f"the {when} estimate has no log-scale value or standard error"
    return None


def _test_effects(
    pending: list[tuple[str, str, dict[str, Any], dict[str, Any]]],
    th: DriftThresholds,
    overlap: bool,
) -> list[Check]:
    if not pending:
        return []
    diff = np.array([new["log"] - old["log"] for _, _, old, new in pending])
    se = np.array([math.hypot(old["se"], new["se"]) for _, _, old, new in pending])
    z = diff / se
    adjusted = holm(2 * stats.norm.sf(np.abs(z)))
    rule = (
        f"fail: Holm p < {th.effects_fail_p:g} and |change| > {th.effects_fail_change:.0%};"
        f" warn: p < {th.effects_warn_p:g} and > {th.effects_warn_change:.0%}"
    )
    tail = " Overlapping data makes this test conservative." if overlap else ""
    checks = []
    for (name, what, old, new), d, zi, p in zip(pending, diff, z, adjusted, strict=True):
        change = math.expm1(d)
        status = grade(
            p < th.effects_fail_p and abs(change) > th.effects_fail_change,
            p < th.effects_warn_p and abs(change) > th.effects_warn_change,
        )
        reason = (
            f"{what} moved from {math.exp(old['log']):.3g} to {math.exp(new['log']):.3g} "
            f"({change:+.0%}, z = {zi:+.1f}, Holm-adjusted p = {p:.2g}): "
            f"{verdict_words(status)}.{tail}"
        )
        checks.append(
            Check(
                name,
                "effects",
                status,
                reason,
                value=change,
                threshold=th.effects_fail_change,
                warn_threshold=th.effects_warn_change,
                rule=rule,
                unit="change",
                detail={"z": float(zi), "p_adjusted": float(p), "overlap": overlap},
            )
        )
    return checks


# -- value and forecasts ------------------------------------------------------------------


def value_checks(base: Snapshot, cur: Snapshot, th: DriftThresholds) -> list[Check]:
    """Value per point and each CLV gap: relative change and the baseline's interval."""
    old, new = base["value"], cur["value"]
    items = [("value.per_point", "Value of one NPS point", "per_point", None)]
    gaps = [
        *(old.get("gap") or {}),
        *(k for k in new.get("gap") or {} if k not in (old.get("gap") or {})),
    ]
    items += [(f"value.gap.{k}", f"CLV gap {k.replace('_', ' ')}", "gap", k) for k in gaps]
    problem = _value_problem(old, new)
    money = amounts(new.get("currency") or old.get("currency"))
    checks = []
    for name, label, section, key in items:
        a, b = _interval(old, section, key), _interval(new, section, key)
        why = problem or _interval_problem(a, b)
        if why:
            checks.append(
                Check(name, "forecasts", "cannot_judge", f"{label}: not compared because {why}.")
            )
            continue
        note = ""
        if section == "per_point" or str(key).endswith("_whole_base"):
            a, note = _at_todays_base(a, old.get("customers"), new.get("customers"), money)
        checks.append(_value_check(name, label, a, b, th, note, money))
    return checks


def _at_todays_base(
    interval: Mapping[str, Any], then: int | None, now: int | None, money: Callable
) -> tuple[Mapping[str, Any], str]:
    """The baseline's figure for the whole base scaled to today's number of customers, and
    the words that say so: a growing base is not drift (fresh data grows), a larger value
    per customer in it is. Unscaled when either snapshot lacks the count."""
    if not then or not now or then == now:
        return interval, ""
    factor = now / then
    scaled = {k: interval[k] * factor for k in ("estimate", "lo", "hi")}
    note = (
        f" (the baseline's {money(interval['estimate'])} scaled to today's base: {then:,} "
        f"customers then, {now:,} now, {factor - 1:+.1%})"
    )
    return scaled, note


def _value_problem(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    for when, section in (("baseline", old), ("current", new)):
        if section.get("status"):
            return f"the {when} value was not computed: {section['status']}"
    then, now = old.get("currency"), new.get("currency")
    if then and now and then != now:
        return f"the currency differs ({then} then, {now} now)"
    a, b = old.get("assumptions") or {}, new.get("assumptions") or {}
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if keys:
        return (
            "the money assumptions differ ("
            + "; ".join(f"{k}: {a.get(k)!r} then, {b.get(k)!r} now" for k in keys)
            + ")"
        )
    return None


def _interval(value: Mapping[str, Any], section: str, key: str | None) -> Any:
    part = value.get(section) or {}
    return part.get(key) if key is not None else part


def _interval_problem(a: Any, b: Any) -> str | None:
    if not a or not b:
        return f"it is only in the {'current run' if not a else 'baseline'}"
    if any(x.get(k) is None for x in (a, b) for k in ("estimate", "lo", "hi")):
        return "an estimate or its interval is missing"
    if a["estimate"] == 0:
        return "the baseline's estimate is 0 (no relative change)"
    return None


def _value_check(
    name: str,
    label: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    th: DriftThresholds,
    note: str,
    money: Callable,
) -> Check:
    """Fail: large and the intervals do not overlap; warn: large and the new estimate is
    outside the baseline's interval, or the intervals are apart but the change is small."""
    change = (new["estimate"] - old["estimate"]) / abs(old["estimate"])
    apart = new["lo"] > old["hi"] or new["hi"] < old["lo"]
    outside = not old["lo"] <= new["estimate"] <= old["hi"]
    large = abs(change) > th.value_change
    status = grade(large and apart, apart or (large and outside))
    where = (
        "the intervals do not overlap"
        if apart
        else "outside the baseline's interval"
        if outside
        else "inside the baseline's interval"
    )
    reason = (
        f"{label} moved from {money(old['estimate'])} [{money(old['lo'])}, {money(old['hi'])}]"
        f"{note} to {money(new['estimate'])} [{money(new['lo'])}, {money(new['hi'])}] "
        f"({change:+.1%}), {where}: {verdict_words(status)}."
    )
    rule = (
        f"fail: |change| > {th.value_change:.0%} and the intervals do not overlap; "
        "warn: one of the two, or large and outside the baseline interval"
    )
    return Check(
        name,
        "forecasts",
        status,
        reason,
        value=change,
        threshold=th.value_change,
        warn_threshold=th.value_change,
        rule=rule,
        unit="change",
        detail={"intervals_apart": apart, "outside_baseline_interval": outside},
    )


def forecast_check(
    base: Snapshot, cur: Snapshot, th: DriftThresholds
) -> tuple[Check | None, str | None]:
    """Score the baseline's forecast against the current run's actuals, when there are any.

    Returns
    -------
    check : Check or None
        None when no forecast month has an actual yet (nothing to score).
    note : str or None
        Why there is no check.
    """
    forecast = base.get("forecast") or []
    actuals = {
        row["period"]: row["revenue"]
        for row in cur["data"].get("actuals") or []
        if row.get("revenue") is not None
    }
    rows = [
        (f, actuals[f["period"]])
        for f in forecast
        if f["period"] in actuals and f.get("estimate") is not None
    ]
    if not forecast:
        return None, "The baseline has no forecast, so forecast accuracy was not scored."
    if not rows:
        return None, (
            f"No actuals yet for the baseline's forecast months "
            f"({forecast[0]['period']} to {forecast[-1]['period']}): "
            "forecast accuracy not scored."
        )
    rule = f"fail: MAPE > {th.forecast_fail_mape:.0%}; warn: > {th.forecast_warn_mape:.0%}"
    scored = [(f["estimate"], a) for f, a in rows if a != 0]
    if not scored:
        return Check(
            "forecast.accuracy",
            "forecasts",
            "cannot_judge",
            "Every observed month had zero revenue: no percentage error.",
            n=len(rows),
            rule=rule,
        ), None
    errors = np.array([(est - a) / abs(a) for est, a in scored])
    mape, bias = float(np.mean(np.abs(errors))), float(np.mean(errors))
    covered = [
        f["lo"] <= a <= f["hi"]
        for f, a in rows
        if f.get("lo") is not None and f.get("hi") is not None
    ]
    coverage = float(np.mean(covered)) if covered else None
    status = grade(mape > th.forecast_fail_mape, mape > th.forecast_warn_mape)
    cover_text = f", {coverage:.0%} inside the intervals" if coverage is not None else ""
    reason = (
        f"The baseline's forecast missed {len(rows)} observed month(s) by {mape:.1%} on "
        f"average (bias {bias:+.1%}{cover_text}): {verdict_words(status)}."
    )
    return Check(
        "forecast.accuracy",
        "forecasts",
        status,
        reason,
        value=mape,
        threshold=th.forecast_fail_mape,
        warn_threshold=th.forecast_warn_mape,
        n=len(rows),
        rule=rule,
        unit="pct",
        detail={"bias": bias, "coverage": coverage},
    ), None
