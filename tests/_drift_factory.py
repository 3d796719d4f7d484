"""Hand-built schema-1 snapshots for the snapshot and drift tests.

The baseline is a plausible B2B run: 2,000 responses (NPS 26), 1,000
customers over 36 months with lognormal monthly revenue, a cloglog retention
model and a log-ratio revenue model, value figures and a 12-month forecast.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

#: Score shares 0..10: detractors 22 %, passives 30 %, promoters 48 % (NPS 26).
SHARES = np.array([0.02, 0.01, 0.02, 0.02, 0.03, 0.05, 0.07, 0.12, 0.18, 0.22, 0.26])
N_RESPONSES = 2_000
CUSTOMER_MONTHS = 24_000


def revenue_sample(
    seed: int, n: int = CUSTOMER_MONTHS, sigma: float = 1.0, factor: float = 1.0
) -> np.ndarray:
    """Monthly revenue per customer-month: lognormal around 1,000."""
    return factor * np.random.default_rng(seed).lognormal(np.log(1_000), sigma, n)


def decile_edges(values: np.ndarray) -> list[float]:
    """Inner edges of 10 quantile bins."""
    return [float(x) for x in np.quantile(values, np.linspace(0.1, 0.9, 9))]


def bin_counts(values: np.ndarray, edges: list[float]) -> list[int]:
    """Counts per bin on ``edges`` (len(edges) + 1 bins, right-closed like the producer)."""
    return np.bincount(
        np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1
    ).tolist()


def score_counts(n: int = N_RESPONSES, shares: np.ndarray = SHARES) -> list[int]:
    """Counts per score value at exactly these shares (largest-remainder rounding)."""
    raw = shares * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: n - counts.sum()]] += 1
    return counts.tolist()


def _effect(ratio: float, se: float) -> dict[str, float]:
    log = float(np.log(ratio))
    return {
        "estimate": ratio,
        "lo": float(np.exp(log - 1.96 * se)),
        "hi": float(np.exp(log + 1.96 * se)),
        "log": log,
        "se": se,
    }


def _interval(estimate: float, half_width: float) -> dict[str, float]:
    return {"estimate": estimate, "lo": estimate - half_width, "hi": estimate + half_width}


def set_scores(snap: dict[str, Any], counts: list[int]) -> dict[str, Any]:
    """Put score counts into a snapshot and make every count derived from them agree."""
    counts = [int(c) for c in counts]
    det, pas, pro = sum(counts[:7]), sum(counts[7:9]), sum(counts[9:])
    n = det + pas + pro
    snap["data"]["score_counts"] = counts
    snap["data"]["category_counts"] = {"promoter": pro, "passive": pas, "detractor": det}
    p_p, p_d = (pro / n, det / n) if n else (0.0, 0.0)
    se = float(np.sqrt((p_p + p_d - (p_p - p_d) ** 2) / n)) if n else None
    est = 100 * (p_p - p_d) if n else None
    snap["nps"] = {
        "estimate": est,
        "se": None if se is None else 100 * se,
        "lo": None if n == 0 else est - 196 * se,
        "hi": None if n == 0 else est + 196 * se,
        "n": n,
        "n_promoters": pro,
        "n_passives": pas,
        "n_detractors": det,
    }
    rejected = snap["inputs"]["responses"]["rows_rejected"]
    snap["inputs"]["responses"].update(rows_read=n + rejected, rows_kept=n)
    return snap


def set_revenue(
    snap: dict[str, Any], values: np.ndarray, edges: list[float] | None = None
) -> dict[str, Any]:
    """Bin revenue on ``edges`` (the baseline's) or on its own deciles."""
    edges = decile_edges(values) if edges is None else edges
    snap["data"].update(
        revenue_quantile_edges=edges,
        revenue_bin_counts=bin_counts(values, edges),
        revenue_total=float(values.sum()),
        customer_months=int(values.size),
    )
    return snap


def baseline(seed: int = 1) -> dict[str, Any]:
    """The baseline snapshot."""
    snap: dict[str, Any] = {
        "schema_version": 1,
        "cxvalue_version": "0.1.0",
        "seed": 2024,
        "inputs": {
            "responses": {
                "fingerprint": "sha256:aa11",
                "rows_read": 0,
                "rows_kept": 0,
                "rows_rejected": 40,
            },
            "revenue": {
                "fingerprint": "sha256:bb22",
                "rows_read": 24_300,
                "rows_kept": 24_000,
                "rows_rejected": 300,
            },
        },
        "data": {
            "scale": {"low": 0, "high": 10},
            "segments": {"segment": ["Enterprise", "Mid-Market", "SMB"]},
            "period_first": "2023-01",
            "period_last": "2025-12",
            "customers": 1_000,
        },
        "retention": {
            "spec": {
                "link": "cloglog",
                "controls": ["segment", "tenure_band"],
                "reference": {"category": "passive", "segment": "SMB"},
            },
            "converged": True,
            "terms": ["Intercept", "promoter", "detractor"],
            "params": [-3.9, -0.51, 0.41],
            "cov": [[0.004, -0.001, -0.001], [-0.001, 0.0064, 0.002], [-0.001, 0.002, 0.0049]],
            "hazard_ratio": {
                "promoter": _effect(0.6, 0.08),
                "detractor": _effect(1.5, 0.07),
                "not_surveyed": _effect(1.2, 0.06),
            },
        },
        "revenue": {
            "spec": {
                "outcome": "log_ratio",
                "controls": ["segment"],
                "reference": {"category": "passive"},
            },
            "terms": ["Intercept", "promoter", "detractor"],
            "params": [0.01, 0.049, -0.03],
            "cov": [[1e-4, 0.0, 0.0], [0.0, 1e-4, 0.0], [0.0, 0.0, 1.44e-4]],
            "effect": {"promoter": _effect(1.05, 0.01), "detractor": _effect(0.97, 0.012)},
        },
        "value": {
            "assumptions": {
                "margin": 0.3,
                "discount_rate": 0.08,
                "horizon_months": 36,
                "transition": "detractor_to_passive",
                "adjusted_for": "segment, size band, tenure band",
            },
            "clv": {
                "promoter": _interval(11_800.0, 900.0),
                "passive": _interval(10_600.0, 800.0),
                "detractor": _interval(9_900.0, 850.0),
            },
            "gap": {"promoter_vs_detractor": _interval(1_900.0, 450.0)},
            "per_point": _interval(52_000.0, 11_000.0),
        },
        "forecast": [
            {
                "period": f"2026-{m:02d}",
                "estimate": 1.1e6 * (1 + 0.01 * m),
                "lo": 1.0e6 * (1 + 0.01 * m),
                "hi": 1.2e6 * (1 + 0.01 * m),
            }
            for m in range(1, 13)
        ],
    }
    set_scores(snap, score_counts())
    return set_revenue(snap, revenue_sample(seed))


def current_from(
    base: dict[str, Any],
    *,
    seed: int = 7,
    counts: list[int] | None = None,
    revenue: np.ndarray | None = None,
) -> dict[str, Any]:
    """A current run one month later: same data unless scores or revenue are given."""
    snap = copy.deepcopy(base)
    snap["data"].update(period_first="2023-02", period_last="2026-01")
    if counts is not None:
        set_scores(snap, counts)
    if revenue is not None:
        set_revenue(snap, revenue, edges=base["data"]["revenue_quantile_edges"])
    return snap


def noise_only(base: dict[str, Any], seed: int) -> dict[str, Any]:
    """A current run where nothing changed but sampling: every figure redrawn around the
    baseline at the baseline's own uncertainty (two independent estimates differ by √2·se).
    """
    rng = np.random.default_rng(seed)
    snap = copy.deepcopy(base)
    snap["data"].update(period_first="2023-02", period_last="2026-01")
    scores = np.asarray(base["data"]["score_counts"])
    set_scores(snap, rng.multinomial(scores.sum(), scores / scores.sum()).tolist())
    bins = np.asarray(base["data"]["revenue_bin_counts"])
    snap["data"]["revenue_bin_counts"] = rng.multinomial(bins.sum(), bins / bins.sum()).tolist()
    snap["data"]["revenue_total"] = base["data"]["revenue_total"] * (1 + rng.normal(0, 0.02))
    for model, key in (("retention", "hazard_ratio"), ("revenue", "effect")):
        for eff in snap[model][key].values():
            eff["log"] += rng.normal(0, np.sqrt(2) * eff["se"])
            eff["estimate"] = float(np.exp(eff["log"]))
    value = snap["value"]
    for interval in (value["per_point"], *value["gap"].values()):
        se = (interval["hi"] - interval["lo"]) / 3.92
        shift = rng.normal(0, np.sqrt(2) * se)
        for key in ("estimate", "lo", "hi"):
            interval[key] += shift
    return snap
