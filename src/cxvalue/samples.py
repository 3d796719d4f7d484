"""A seeded generator of a realistic sample company with known, planted effects.

The sample company ("Acme") sells a B2B subscription: about 20,000 customers
over 36 months in three segments and three size bands, surveyed twice a year,
billed monthly. The truths planted here (:class:`SampleParams`) are what the
tests recover: detractors churn at 2x the hazard of passives and promoters at
0.6x, retained promoters grow faster than passives and passives faster than
detractors, and larger customers are both more often promoters and less
likely to churn — the confounder the models must adjust for.

How a month t works, for every customer at once (the loop runs over months,
never over customers):

1. customers acquired in month t join with a lognormal starting MRR;
2. each active customer's *observed category* is that of their latest survey
   response dated before month t starts (a response in month t counts from
   month t+1 on), ``not_surveyed`` without one;
3. revenue this month = last month's x exp(g_c / 12 + noise);
4. they churn this month with the cloglog hazard
   h = 1 − exp(−exp(log base(size) + log segment + log new + log HR_c));
   the month of churn is their last month with revenue;
5. in a wave month, a latent attitude is kept (Markov persistence) or redrawn
   from the size band's mix, and ~30% of active customers answer, half in the
   wave month and half in the next, with a score drawn from their attitude.

Churn and growth depend on the *observed* category exactly as a lagged panel
("latest response at or before the period") sees it, so a cloglog
discrete-time hazard model with size, segment and tenure controls is
correctly specified and recovers ``log(hazard_ratio)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, NOT_SURVEYED, PASSIVE, PROMOTER
from cxvalue._sample_files import response_ids, write_extracts
from cxvalue._sample_params import SampleParams
from cxvalue._sample_truth import Truth, implied_clv, truth
from cxvalue._validation import check_param
from cxvalue.ingest.parsing import IDS

__all__ = ["Sample", "SampleParams", "Truth", "generate", "implied_clv", "truth", "write_sample"]

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SIZES = ("small", "medium", "large")
REGIONS = ("DACH", "Nordics", "UK&I", "Benelux")
VERBATIMS = (
    "Great support team", "Too expensive for what we use", "Onboarding was slow",
    "Reliable and easy to use", "Missing integrations", "Billing errors", "",
)  # fmt: skip
#: Category codes of the simulation, in this order.
NAMES = (PROMOTER, PASSIVE, DETRACTOR, NOT_SURVEYED)
_DETRACTOR_SCORES = (0.04, 0.04, 0.06, 0.10, 0.14, 0.26, 0.36)  # P(score = 0..6)


@dataclass(frozen=True)
class Sample:
    """Canonical tables of one generated company, and the truths planted in it.

    Attributes
    ----------
    responses : DataFrame
        customer_id, responded_at (midnight), score, category, response_id,
        weight, segment, csat (1–5), verbatim — as ``read_responses`` returns
        the written export (survey previews, unfinished responses and
        non-answers are only in the file).
    revenue : DataFrame
        customer_id, period (month start), revenue: one row per customer and
        month, credit notes netted.
    customers : DataFrame
        customer_id, segment, size, region, acquired_at (month start),
        churned_at (a day in the last billed month, NaT if active), referral_source.
    billing : DataFrame
        The revenue extract's lines: like ``revenue`` but with each credit
        note as a second, negative line of its month.
    params : SampleParams
    """

    responses: pd.DataFrame
    revenue: pd.DataFrame
    customers: pd.DataFrame
    billing: pd.DataFrame
    params: SampleParams


def generate(params: SampleParams | None = None, seed: int = 2024) -> Sample:
    """Generate the sample company's canonical tables.

    Parameters
    ----------
    params : SampleParams, optional
        The planted truths; ``SampleParams()`` when omitted.
    seed : int
        Seed of ``np.random.default_rng``: the same seed gives the same tables.

    Returns
    -------
    Sample

    Examples
    --------
    >>> from cxvalue.samples import SampleParams, generate
    >>> small = generate(SampleParams(n_customers=500), seed=1)
    >>> small.customers["customer_id"].iloc[0]
    '000001'
    """
    params = params or SampleParams()
    check_param(isinstance(seed, int | np.integer), "seed", "generate", "an int", seed)
    rng = np.random.default_rng(seed)
    firms = _firms(params, rng)
    sim = _simulate(params, firms, rng)
    months = pd.date_range(params.start, periods=params.n_months, freq="MS")
    ids = firms["customer_id"]
    billing = _billing(ids, months, sim["revenue"], params.credit_note_rate, rng)
    keys = ["customer_id", "period"]
    revenue = billing.groupby(keys, as_index=False, sort=False)["revenue"].sum().round(2)
    responses = _responses(firms, months, sim["responses"], rng)
    customers = _customers_frame(firms, months, sim["churn_month"], rng)
    return Sample(responses, revenue, customers, billing, params)


def write_sample(
    directory: str | Path, params: SampleParams | None = None, seed: int = 2024
) -> dict[str, Path]:
    """Write the sample as the extracts a company would hand over.

    - ``responses.csv.gz``: a Qualtrics export (three header rows, labels on
      the scale's ends, a few survey previews, unfinished responses and
      non-answers that ingest must leave out and count);
    - ``revenue.csv.gz``: the billing extract in German formatting
      (``;``-separated, ``1.234,56``, ``01.03.2025``), long form, with credit
      notes as extra negative lines for the same month;
    - ``customers.csv``: the CRM table, plain English CSV.

    The two larger files are gzip-compressed (``mtime=0``: deterministic) to
    keep the repository small; every reader opens ``.csv.gz`` as it is.

    Parameters
    ----------
    directory : str or Path
        Created if missing; the three files are overwritten.
    params, seed
        As in :func:`generate`.

    Returns
    -------
    dict
        ``{"responses": path, "revenue": path, "customers": path}``
    """
    sample = generate(params, seed)
    return write_extracts(Path(directory), sample, np.random.default_rng([seed, 1]))


def _firms(params: SampleParams, rng: np.random.Generator) -> pd.DataFrame:
    """One row per customer: fixed traits, first month in the window, prior tenure."""
    n = params.n_customers
    segment = rng.choice(len(SEGMENTS), n, p=params.segment_mix)
    size = np.empty(n, dtype=np.int64)
    for code, name in enumerate(SEGMENTS):
        mask = segment == code
        size[mask] = rng.choice(len(SIZES), mask.sum(), p=params.size_mix[name])
    at_start = rng.random(n) < params.share_at_start
    first = np.where(at_start, 0, rng.integers(1, params.n_months, n))
    prior = np.where(at_start, rng.integers(1, params.max_prior_tenure, n), 0)
    start = np.datetime64(params.start[:7], "M")
    acquired = (start + (first - prior).astype("timedelta64[M]")).astype("datetime64[ns]")
    referral = rng.random(n) < params.referral_share
    source = np.where(referral, "referral", np.where(rng.random(n) < 0.5, "sales", "marketing"))
    return pd.DataFrame(
        {
            "customer_id": [f"{i:06d}" for i in range(1, n + 1)],
            "segment": np.array(SEGMENTS)[segment],
            "size": np.array(SIZES)[size],
            "size_code": size,
            "region": np.array(REGIONS)[rng.integers(0, len(REGIONS), n)],
            "first_month": first,
            "prior_tenure": prior,
            "acquired_at": acquired,
            "referral_source": source,
        }
    )


def _simulate(params: SampleParams, firms: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Run the months; return revenue and response records and each churn month."""
    n = len(firms)
    size = firms["size_code"].to_numpy()
    first = firms["first_month"].to_numpy()
    tenure0 = firms["prior_tenure"].to_numpy() - first
    log_base = np.log(np.array([params.base_hazard[s] for s in SIZES])[size]
                      * firms["segment"].map(params.segment_hazard).to_numpy())  # fmt: skip
    log_hr = np.log([params.hazard_ratio[c] for c in NAMES])
    growth = np.array([params.annual_growth[c] for c in NAMES]) / 12
    mix = np.array([params.mix(s) for s in SIZES])
    mrr = np.array([params.median_mrr[s] for s in SIZES])[size]
    mrr = mrr * np.exp(rng.normal(0.0, params.mrr_sigma, n))
    attitude = _draw_attitude(size, mix, rng)
    last_month, last_category = np.full(n, -1), np.full(n, NAMES.index(NOT_SURVEYED))
    active, pending = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    churn_month = np.full(n, -1)
    revenue, responses = [], []
    for t in range(params.n_months):
        step = rng.normal(0.0, params.revenue_noise, n)
        current = _observed(t, last_month, last_category, params.recency_months)
        grows = active & (first < t)
        mrr = np.where(grows, mrr * np.exp(growth[current] + step), mrr)
        active |= first == t
        revenue.append((np.flatnonzero(active), t, mrr[active]))
        eta = log_base + log_hr[current] + np.log(params.new_customer_hazard) * (tenure0 + t < 12)
        churn = active & (rng.random(n) < -np.expm1(-np.exp(eta)))
        churn_month[churn] = t
        answer = pending & active
        pending[:] = False
        if t >= params.first_wave and (t - params.first_wave) % params.survey_every == 0:
            keep = rng.random(n) < params.persistence
            attitude = np.where(keep, attitude, _draw_attitude(size, mix, rng))
            respond = active & (rng.random(n) < params.response_rate)
            later = rng.random(n) < 0.5
            answer |= respond & ~later
            pending = respond & later
        idx = np.flatnonzero(answer)
        responses.append((idx, t, attitude[idx]))
        last_month[idx], last_category[idx] = t, attitude[idx]
        active &= ~churn
    return {"revenue": revenue, "responses": responses, "churn_month": churn_month}


def _observed(t: int, last_month: np.ndarray, last_category: np.ndarray, recency: int | None):
    """Category code as of the start of month t: the latest earlier response, if it counts."""
    seen = last_month >= 0
    if recency is not None:
        seen &= t - last_month <= recency
    return np.where(seen, last_category, NAMES.index(NOT_SURVEYED))


def _draw_attitude(size: np.ndarray, mix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Category codes 0/1/2 drawn from each customer's size-band mix."""
    cum = np.cumsum(mix, axis=1)[size]
    return (rng.random(size.size)[:, None] > cum).sum(axis=1).clip(0, 2)


def _stack(records: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate per-month (rows, month, values) records."""
    rows = np.concatenate([r[0] for r in records])
    months = np.concatenate([np.full(r[0].size, r[1]) for r in records])
    return rows, months, np.concatenate([r[2] for r in records])


def _billing(ids, months, records, rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """Invoice lines per customer-month, plus a negative line for each credit note."""
    rows, t, amount = _stack(records)
    frame = pd.DataFrame(
        {"customer_id": ids.to_numpy()[rows], "period": months[t], "revenue": amount.round(2)}
    )
    credit = rng.random(len(frame)) < rate
    notes = frame.loc[credit].assign(revenue=lambda f: -(0.1 * f["revenue"]).round(2))
    return (
        pd.concat([frame, notes])
        .sort_index(kind="stable")
        .astype({"customer_id": IDS})
        .sort_values(["customer_id", "period"], kind="stable", ignore_index=True)
    )


def _responses(firms: pd.DataFrame, months, records, rng: np.random.Generator) -> pd.DataFrame:
    """Canonical responses: a score drawn from each respondent's attitude."""
    rows, t, category = _stack(records)
    n = rows.size
    score = np.select(
        [category == 0, category == 1],
        [rng.choice([9, 10], n, p=[0.55, 0.45]), rng.choice([7, 8], n)],
        rng.choice(7, n, p=_DETRACTOR_SCORES),
    )
    day = rng.integers(1, 27, n)  # the 2nd to the 27th: counts from the next month on
    csat = np.clip(np.round(1 + score / 2.5 + rng.normal(0, 0.7, n)), 1, 5)
    frame = pd.DataFrame(
        {
            "customer_id": firms["customer_id"].to_numpy()[rows],
            "responded_at": months[t] + pd.to_timedelta(day, unit="D"),
            "score": score.astype("int64"),
            "category": np.array(NAMES)[category],
            "response_id": response_ids(n, rng),
            "weight": 1.0,
            "segment": firms["segment"].to_numpy()[rows],
            "csat": csat.astype("int64"),
            "verbatim": np.array(VERBATIMS)[rng.integers(0, len(VERBATIMS), n)],
        }
    )
    frame = frame.sort_values(["responded_at", "customer_id"], kind="stable", ignore_index=True)
    return frame.astype({"customer_id": IDS, "response_id": IDS, "segment": IDS})


def _customers_frame(firms, months, churn_month, rng: np.random.Generator) -> pd.DataFrame:
    """The CRM table; churned_at falls in the last billed month."""
    churned = churn_month >= 0
    month_end = months[np.where(churned, churn_month, 0)] + pd.offsets.MonthEnd(0)
    back = pd.to_timedelta(rng.integers(0, 10, len(firms)), unit="D")
    churned_at = pd.Series(month_end - back).where(churned)
    frame = pd.DataFrame(
        {
            "customer_id": firms["customer_id"],
            "segment": firms["segment"],
            "size": firms["size"],
            "region": firms["region"],
            "acquired_at": firms["acquired_at"],
            "churned_at": churned_at.astype("datetime64[ns]"),
            "referral_source": firms["referral_source"],
        }
    )
    text = ["customer_id", "segment", "size", "region", "referral_source"]
    return frame.astype(dict.fromkeys(text, IDS))
