"""Capture a run as a schema-1 snapshot (``docs/snapshot.md``).

The snapshot holds what a later drift check compares: input fingerprints and
ledger counts, the score and revenue distributions, NPS, both models'
coefficients with covariances, the money figures with their assumptions and
the forecast. It never holds raw customer ids or verbatims. Given the
baseline snapshot, the revenue bins are frozen on the baseline's edges and
the revenue that arrived after the baseline's last month is recorded as
``data.actuals`` so the baseline's forecast can be scored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.core.util.hashing import combine_hash_arrays
from pandas.util import hash_array

from cxvalue import __version__
from cxvalue._categories import SURVEYED
from cxvalue.ingest._typed import arrow_text, dictionary_codes, shared_codes
from cxvalue.ingest.scale import Scale
from cxvalue.report.flow import Flow
from cxvalue.report.snapshot import SCHEMA_VERSION, round_floats, scale_entry

__all__ = ["make_snapshot"]

#: Revenue bins: deciles of monthly revenue per customer-month.
REVENUE_BINS = 10


def make_snapshot(flow: Flow, *, baseline: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The snapshot of a run.

    Parameters
    ----------
    flow : Flow
        From :func:`cxvalue.report.flow.run_flow`.
    baseline : mapping, optional
        The snapshot this run will be compared with: its revenue bin edges
        are reused, and revenue after its last month becomes ``actuals``.

    Returns
    -------
    dict
        Floats rounded as written (so a re-run gives the same bytes).
    """
    snap = {
        "schema_version": SCHEMA_VERSION,
        "cxvalue_version": __version__,
        "seed": flow.config.seed,
        "inputs": _inputs(flow),
        "data": _data(flow, baseline),
        "nps": _nps(flow.nps_now.iloc[0]),
        "retention": _retention(flow.retention),
        "revenue": _revenue(flow.revenue_model),
        "value": _value(flow),
        "forecast": _forecast(flow.forecast),
    }
    return round_floats(snap)


def fingerprint(table: pd.DataFrame) -> str:
    """sha256 of a canonical table's content (row order and column order included).

    The bytes hashed are ``pd.util.hash_pandas_object(table, index=False)``: one
    uint64 per row, combining one hash per cell. They are computed here without
    pandas' detours, to the same bits: text columns are numbered in Arrow and each
    distinct text hashed once; number and date columns are hashed and combined
    in blocks of rows that stay in the processor's cache (every step works cell by
    cell, so blocks give the same numbers); other columns are hashed by pandas.
    """
    digest = hashlib.sha256(",".join(map(str, table.columns)).encode())
    if not table.columns.is_unique or len(table) == 0 or len(table.columns) == 0:
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
        return "sha256:" + digest.hexdigest()
    columns = [_column_hasher(column) for _, column in table.items()]
    n = len(table)
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        hashes = (hasher(start, stop) for hasher in columns)
        digest.update(combine_hash_arrays(hashes, len(columns)).tobytes())
    return "sha256:" + digest.hexdigest()


#: Rows (or distinct texts) per block of fingerprint hashing and of revenue binning (a
#: few MB per column: cache-sized).
_BLOCK = 1 << 17
_NA_HASH = np.uint64(np.iinfo(np.uint64).max)  # what pandas gives a missing text


def _column_hasher(column: pd.Series) -> Callable[[int, int], np.ndarray]:
    """A function of (start, stop) giving the column's pandas hashes of those rows."""
    values = column._values
    if isinstance(values, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray)):
        values = values._ndarray  # what pandas hashes for them
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
        # hash_array maps each cell on its own: a block's hashes are the rows' hashes
        return lambda start, stop: hash_array(values[start:stop])
    arrow = arrow_text(column) if isinstance(column.dtype, pd.StringDtype) else None
    if arrow is not None:
        # pandas numbers the distinct texts (missing ones aside) and hashes each once;
        # a missing text hashes to uint64 max. Same here, numbered by Arrow (in C, no
        # hash table of Python strings).
        # customer ids are numbered by other steps too: shared; other columns once, and
        # their numbers not kept for the rest of the report
        number = shared_codes if column.name == "customer_id" else dictionary_codes
        dictionary, codes = number(arrow)
        table = np.append(_text_hashes(dictionary), _NA_HASH)
        return lambda start, stop: table[codes[start:stop]]  # code -1: the last, NA
    whole = hash_array(values)
    return lambda start, stop: whole[start:stop]


def _text_hashes(texts: pa.Array) -> np.ndarray:
    """pandas' hashes of distinct texts, a block at a time: as Python strings, millions
    of distinct ids (a response id per row) would take hundreds of MB at once."""
    blocks = (texts.slice(start, _BLOCK).to_numpy(zero_copy_only=False).astype(object)
              for start in range(0, len(texts), _BLOCK))  # fmt: skip
    return np.concatenate([np.empty(0, np.uint64)]
                          + [hash_array(block, categorize=False) for block in blocks])  # fmt: skip


def _bin_counts(edges: list[float], amounts: np.ndarray) -> np.ndarray:
    """How many amounts fall in each bin the edges make (``searchsorted``, side left),
    a block at a time: no bin number per row of the whole table at once."""
    counts = np.zeros(len(edges) + 1, dtype=np.int64)
    for start in range(0, len(amounts), _BLOCK):
        block = np.searchsorted(edges, amounts[start : start + _BLOCK], side="left")
        counts += np.bincount(block, minlength=len(edges) + 1)
    return counts


def _inputs(flow: Flow) -> dict[str, Any]:
    out = {}
    for name in ("responses", "revenue", "customers"):
        result = getattr(flow, name)
        if result is None:
            continue
        ledger = result.ledger
        out[name] = {"fingerprint": fingerprint(result.table), "rows_read": int(ledger.rows_read),
                     "rows_kept": int(ledger.rows_read - ledger.rows_rejected),
                     "rows_rejected": int(ledger.rows_rejected)}  # fmt: skip
    return out


def _data(flow: Flow, baseline: Mapping[str, Any] | None) -> dict[str, Any]:
    scale = flow.config.inputs["responses"].scale or Scale.nps()
    scores = flow.latest["score"].round().astype(int).clip(scale.low, scale.high) - scale.low
    counts = np.bincount(scores, minlength=scale.high - scale.low + 1)
    revenue = flow.revenue.table
    amounts = revenue["revenue"].to_numpy(float)
    if baseline is None:
        edges = np.quantile(amounts, np.arange(1, REVENUE_BINS) / REVENUE_BINS).tolist()
    else:
        edges = list(baseline["data"]["revenue_quantile_edges"])
    bins = _bin_counts(edges, amounts)
    periods = revenue["period"]
    if not pd.api.types.is_datetime64_any_dtype(periods):  # dates already: no copy
        periods = pd.to_datetime(periods)
    data = {
        "scale": scale_entry(scale),
        "score_counts": counts.tolist(),
        "category_counts": {c: _count_in(counts, scale, c) for c in SURVEYED},
        "revenue_quantile_edges": [float(e) for e in edges],
        "revenue_bin_counts": bins.tolist(),
        "revenue_total": float(amounts.sum()),
        "segments": _segments(flow),
        "period_first": f"{periods.min():%Y-%m}",
        "period_last": f"{periods.max():%Y-%m}",
        "customers": _distinct(revenue["customer_id"]),
        "customer_months": len(revenue),
    }  # fmt: skip
    if baseline is not None:
        data["actuals"] = _actuals(revenue, baseline["data"].get("period_last"))
    return data


def _distinct(ids: pd.Series) -> int:
    """The number of distinct ids (missing ones aside), from the shared numbering."""
    arrow = arrow_text(ids)
    return int(ids.nunique()) if arrow is None else len(shared_codes(arrow)[0])


def _count_in(counts: np.ndarray, scale: Scale, category: str) -> int:
    """Answers in ``category``, from the counts of each score from ``scale.low`` on."""
    lo, hi = getattr(scale, category)
    return int(counts[lo - scale.low : hi - scale.low + 1].sum())


def _segments(flow: Flow) -> dict[str, list[str]]:
    """Levels of the text controls, to see segments appear or vanish."""
    if flow.customers is None:
        return {}
    table = flow.customers.table
    out = {}
    for column in flow.controls:
        if column in table.columns and not pd.api.types.is_numeric_dtype(table[column]):
            out[column] = sorted(map(str, table[column].dropna().unique()))
    return out


def _actuals(revenue: pd.DataFrame, after: str | None) -> list[dict[str, Any]]:
    """Monthly revenue after ``after`` of customers who billed by then (the old base)."""
    if after is None:
        return []
    end = pd.Timestamp(after)
    periods = pd.to_datetime(revenue["period"])
    known = set(revenue.loc[periods <= end, "customer_id"])
    later = revenue[(periods > end) & revenue["customer_id"].isin(known)]
    totals = later.groupby(pd.to_datetime(later["period"]))["revenue"].sum().sort_index()
    return [{"period": f"{p:%Y-%m}", "revenue": float(v)} for p, v in totals.items()]


def _nps(row: pd.Series) -> dict[str, Any]:
    """NPS today as the flow computed it (cxvalue.nps of each customer's latest answer)."""
    out = {k: float(row[c]) for k, c in
           (("estimate", "nps"), ("lo", "lo"), ("hi", "hi"), ("se", "se"))}  # fmt: skip
    return {**out, **{k: int(row[k]) for k in ("n", "n_promoters", "n_passives", "n_detractors")}}


def _spec(model: Any) -> dict[str, Any]:
    """What the category effects mean: controls and the category's reference level.

    The controls' own reference levels are left out on purpose: the design
    picks each as the level with the most exposure, which can flip between
    two runs of the same process (two size bands of similar weight), and the
    category effects do not depend on them (they only re-express the
    intercept). Recording them made the drift check refuse to compare
    effects on a noise-only re-run. They remain visible in ``terms``.
    """
    reference = {"category": str(model.design.reference("category"))}
    return {"controls": list(model.controls), "reference": reference}


def _coefficients(params: pd.Series, cov: pd.DataFrame) -> dict[str, Any]:
    return {"terms": [str(t) for t in params.index], "params": params.astype(float).tolist(),
            "cov": steady_cov(cov.to_numpy(float)).tolist()}  # fmt: skip


#: Decimals of a correlation kept in the snapshot's covariances (as the 10 significant
#: digits of every other number).
COV_DECIMALS = 10


def steady_cov(cov: np.ndarray) -> np.ndarray:
    """``cov`` with each entry rounded to 1e-10 of its scale (sd_i × sd_j).

    The engine sums floats on several threads in no fixed order, so two runs on
    the same data give covariances that differ by about 1e-15 of that scale. An
    entry near 0 (a correlation of 1e-5, say) then differs in its tenth
    significant digit, and the snapshot, rounded to ten, would differ between
    runs. Rounding the correlation to ten decimals instead keeps the bytes the
    same (but for one entry in tens of thousands that falls on a rounding edge).
    """
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    scale = np.outer(sd, sd)
    with np.errstate(divide="ignore", invalid="ignore"):
        steady = np.round(cov / scale, COV_DECIMALS) * scale
    return np.where(scale > 0, steady, cov)


def _effects(params: pd.Series, se: pd.Series) -> dict[str, Any]:
    """Category terms as ratios with 95% intervals, and on the log scale with their se."""
    z = 1.959963984540054
    out = {}
    for term in params.index:
        if not str(term).startswith("category["):
            continue
        b, s = float(params[term]), float(se[term])
        out[str(term)[9:-1]] = {"estimate": float(np.exp(b)), "lo": float(np.exp(b - z * s)),
                                "hi": float(np.exp(b + z * s)), "log": b, "se": s}  # fmt: skip
    return out


def _retention(model: Any) -> dict[str, Any]:
    se = pd.Series(np.sqrt(np.diag(model.cov.to_numpy(float))), index=model.params.index)
    converged = bool(getattr(model.result, "converged", True))
    return {"spec": {"link": model.link, **_spec(model)}, "converged": converged,
            **_coefficients(model.params, model.cov),
            "hazard_ratio": _effects(model.params, se)}  # fmt: skip


def _revenue(model: Any) -> dict[str, Any]:
    cov = pd.DataFrame(model.cov, index=model.params.index, columns=model.params.index)
    se = pd.Series(np.sqrt(np.diag(cov.to_numpy(float))), index=model.params.index)
    return {"spec": {"outcome": "log_ratio", **_spec(model)}, **_coefficients(model.params, cov),
            "effect": _effects(model.params, se)}  # fmt: skip


def _value(flow: Flow) -> dict[str, Any]:
    result, a = flow.value, flow.value.assumptions
    interval = ["estimate", "lo", "hi"]
    clv = {row["category"]: {k: float(row[k]) for k in interval}
           for row in result.clv.to_dict("records")}  # fmt: skip
    gap = {}
    for row in result.gaps.to_dict("records"):
        key = row["comparison"].replace(" - ", "_vs_")
        gap[key] = {"estimate": float(row["per_customer"]), "lo": float(row["lo"]),
                    "hi": float(row["hi"])}  # fmt: skip
        # the value at stake: the gap times the base's (estimated) lower-category customers
        whole = (row["whole_base"], row["base_lo"], row["base_hi"])
        gap[f"{key}_whole_base"] = dict(
            zip(("estimate", "lo", "hi"), map(float, whole), strict=True)
        )
    point = result.point.iloc[0]
    margin, margin_source = _assumed_margin(flow)
    return {
        "assumptions": {"margin": margin, "margin_source": margin_source,
                        "discount_rate": float(a.discount_rate),
                        "horizon_months": int(a.horizon_months), "transition": a.transition,
                        "adjusted_for": a.adjusted_for, "level": float(a.level),
                        "draws": int(a.n_draws)},
        "clv": clv,
        "gap": gap,
        "per_point": {k: float(point[k]) for k in interval},
        "margin_observed": float(a.margin),
        # today's base: the value of a point and the value at stake scale with it
        "customers": int(result.customers),
        "currency": flow.config.currency,
    }  # fmt: skip


def _assumed_margin(flow: Flow) -> tuple[float | str, str]:
    """The margin as the analyst chose it: a share, or the column it is read from.

    A margin from a cost/margin column is observed, not assumed: its revenue-
    weighted average moves a little every month, and the drift check refuses
    to compare money figures whose assumptions differ. So the assumptions
    record the column and the observed average goes to ``margin_observed``.
    """
    a = flow.value.assumptions
    if isinstance(flow.margin, pd.DataFrame):
        source = flow.margin.attrs.get("source", "margin from a table")
        return str(flow.config.value.margin), str(source)
    return float(a.margin), a.margin_source


def _forecast(frame: pd.DataFrame) -> list[dict[str, Any]]:
    base = frame[frame["scenario"] == "baseline"]
    return [{"period": f"{row.period:%Y-%m}", "estimate": float(row.revenue),
             "lo": float(row.lo_95), "hi": float(row.hi_95)}
            for row in base.itertuples()]  # fmt: skip
