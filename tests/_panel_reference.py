"""A plain-loop pandas reference of the panel, written from the definitions.

It shares no code with cxvalue.panel: churn is read off the revenue months
directly, responses are compared as timestamps (not month numbers), and the
size bands follow the SQL NTILE rule by hand.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

COLUMNS = [
    "customer_id", "period", "spell", "revenue", "revenue_trailing", "revenue_next",
    "at_risk", "churned", "active_through_next", "tenure_months", "tenure_band",
    "size_band", "score", "category", "months_since_response",
]  # fmt: skip


def month_no(ts: pd.Timestamp) -> int:
    return ts.year * 12 + ts.month - 1


def month_start(m: int) -> pd.Timestamp:
    return pd.Timestamp(year=m // 12, month=m % 12 + 1, day=1)


def tenure_label(t: int, cuts: tuple[int, ...]) -> str:
    lo = 0
    for cut in cuts:
        if t < cut:
            return f"{lo}-{cut - 1}m"
        lo = cut
    return f"{lo}m+"


def lives(active, amounts, cid, data_end, churn_after, churn_date):
    """(start, risk_end, row_end, churned) of each spell of one customer."""
    if churn_date is not None:  # explicit: one life
        start, last = active[0], active[-1]
        if pd.notna(churn_date) and month_no(churn_date) <= data_end:
            risk_end, churned = max(month_no(churn_date), start), True
        else:
            risk_end, churned = data_end, False
        return [(start, risk_end, max(risk_end, last), churned)]
    out, start = [], active[0]
    for prev, nxt in zip(active, active[1:] + [None], strict=True):
        if nxt is None or nxt - prev - 1 >= churn_after:
            quiet = all(
                amounts.get((cid, k), 0) == 0 for k in range(prev + 1, prev + churn_after + 1)
            )
            out.append((start, prev, prev, quiet and prev + churn_after <= data_end))
            start = nxt
    return out


def latest(responses, cid, period, recency):
    """The latest response at or before ``period`` and after ``period - recency`` months."""
    lo = period - pd.DateOffset(months=recency)
    best = None
    for r in responses:
        if r["customer_id"] == cid and lo < r["responded_at"] <= period:
            key = (r["responded_at"], str(r.get("response_id") or ""))
            if best is None or key > best[0]:
                best = (key, r)
    return None if best is None else best[1]


def ntile(keys: list, k: int) -> dict:
    """SQL NTILE(k) over sorted keys: the first n % k buckets get one extra row."""
    n = len(keys)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, pos = {}, 0
    for bucket, size in enumerate(sizes):
        for key in keys[pos : pos + size]:
            out[key] = bucket
        pos += size
    return out


def reference_panel(
    responses: pd.DataFrame | None,
    revenue: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    window: int = 12,
    churn_after: int = 3,
    recency: int = 12,
    cuts: tuple[int, ...] = (12, 24),
    bands: int = 3,
) -> pd.DataFrame:
    amounts: dict = defaultdict(float)
    for cid, period, value in zip(
        revenue.customer_id, revenue.period, revenue.revenue, strict=True
    ):
        amounts[(cid, month_no(period))] += value
    data_end = max(month_no(p) for p in revenue.period)
    resp = [] if responses is None else responses.to_dict("records")
    cust = {} if customers is None else customers.set_index("customer_id").to_dict("index")
    explicit = customers is not None and "churned_at" in customers
    rows = []
    for cid in sorted({c for c, _ in amounts}):
        active = sorted(m for (c, m), v in amounts.items() if c == cid and v != 0)
        if not active:
            continue
        date = cust[cid]["churned_at"] if explicit and cid in cust else None
        if explicit and cid in cust and date is None:
            date = pd.NaT
        for spell, (start, risk_end, row_end, churned) in enumerate(
            lives(active, amounts, cid, data_end, churn_after, date), 1
        ):
            for m in range(start, row_end + 1):
                rows.append(row(cid, m, spell, start, risk_end, churned, amounts, data_end,
                                window, cuts, resp, recency, cust.get(cid, {})))  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["size_band"] = size_bands(frame, bands)
    extra = [] if customers is None else [c for c in customers.columns if c != "customer_id"]
    frame = frame[COLUMNS + extra]
    for col in extra:  # a customer the customers table lacks: no text but None, as the
        if frame[col].dtype == object:  # engine gives
            frame[col] = frame[col].where(frame[col].notna(), None)
    frame["customer_id"] = frame["customer_id"].astype("string")
    for col in ("active_through_next", "score", "months_since_response"):
        frame[col] = frame[col].astype("Int64")
    return frame


def row(cid, m, spell, start, risk_end, churned, amounts, data_end, window, cuts, resp, recency,
        extra):  # fmt: skip
    def total(months):
        return float(sum(amounts.get((cid, k), 0.0) for k in months))

    at_risk = m <= risk_end
    if m + window > data_end or not at_risk:
        ahead = pd.NA
    elif risk_end >= m + window:
        ahead = 1
    else:
        ahead = 0 if churned else pd.NA
    hit = latest(resp, cid, month_start(m), recency)
    return {
        "customer_id": cid, "period": month_start(m), "spell": spell,
        "revenue": amounts.get((cid, m), 0.0),
        "revenue_trailing": total(range(m - 11, m + 1)),
        "revenue_next": total(range(m + 1, m + window + 1)) if m + window <= data_end else np.nan,
        "at_risk": int(at_risk), "churned": int(churned and m == risk_end),
        "active_through_next": ahead, "tenure_months": m - start,
        "tenure_band": tenure_label(m - start, cuts),
        "score": pd.NA if hit is None else int(hit["score"]),
        "category": "not_surveyed" if hit is None else hit["category"],
        "months_since_response": pd.NA if hit is None else m - month_no(hit["responded_at"]),
        "m": m, **extra,
    }  # fmt: skip


def size_bands(frame: pd.DataFrame, bands: int) -> list[str]:
    labels = {3: ["small", "medium", "large"], 2: ["small", "large"], 1: ["all"]}[bands]
    first = frame.groupby("customer_id")["m"].transform("min")
    early = frame[frame["m"] < first + 12]
    avg = early.groupby("customer_id")["revenue"].mean()
    order = sorted(avg.index, key=lambda c: (avg[c], c))
    tiles = ntile(order, bands)
    return [labels[tiles[c]] for c in frame["customer_id"]]
