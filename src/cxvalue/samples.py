"""A seeded generator of realistic extracts with known, planted effects.

The sample company sells a B2B subscription: about 20,000 customers over 36
months in three segments and three size bands, surveyed every six months,
billed monthly. The truths planted here (``SampleParams``) are what the
tests recover: the churn hazard of detractors is 2x that of passives and of
promoters 0.6x, retained promoters grow faster than passives, passives faster
than detractors, and larger customers are both more often promoters and less
likely to churn — the confounder the models must adjust for.

How a month works, for every active customer (vectorised over customers):

1. the customer's category is the latest survey response dated before the
   month starts, within the last 12 months, else ``not_surveyed`` (exactly
   the rule ``build_panel`` uses, so the models are correctly specified);
2. revenue this month = last month's revenue x exp(g_c / 12 + noise);
3. they churn this month with the cloglog hazard
   h = 1 − exp(−exp(log base(segment, size, tenure) + log HR_c)); the month of
   churn is their last month with revenue;
4. in survey months (every 6 months) a share of customers respond; their
   attitude persists between waves or is redrawn from the size-dependent mix.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, NOT_SURVEYED, PASSIVE, PROMOTER

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SIZES = ("small", "medium", "large")
REGIONS = ("DACH", "Nordics", "UK&I", "Benelux")
NPS_QUESTION = "How likely are you to recommend Acme to a friend or colleague?"
CSAT_QUESTION = "Overall, how satisfied are you with Acme?"
VERBATIMS = (
    "Great support team", "Too expensive for what we use", "Onboarding was slow",
    "Reliable and easy to use", "Missing integrations", "Billing errors", "",
)  # fmt: skip
CODE = {PROMOTER: 0, PASSIVE: 1, DETRACTOR: 2, NOT_SURVEYED: 3}
NAMES = (PROMOTER, PASSIVE, DETRACTOR, NOT_SURVEYED)


@dataclass(frozen=True)
class SampleParams:
    """Every planted truth of the sample, with its default.

    Attributes
    ----------
    hazard_ratio : dict
        Monthly churn hazard ratio vs passives, in the cloglog (proportional
        hazards) form, so a cloglog discrete-time model recovers log(HR).
    annual_growth : dict
        Annual log-growth of monthly revenue while a customer keeps a category.
    base_hazard : dict
        Monthly churn hazard of a passive by size band, before segment and tenure factors.
    segment_hazard : dict
        Hazard multipliers by segment.
    new_customer_hazard : float
        Hazard multiplier in a customer's first 12 months.
    category_mix : dict
        (promoter, passive, detractor) shares by size band: larger customers are
        more often promoters.
    detractor_shift : float
        Share moved from promoters and passives (half each) to detractors; 0 by
        default, raised to simulate a worse wave.
    """

    n_customers: int = 20_000
    n_months: int = 36
    start: str = "2023-01-01"
    hazard_ratio: dict = field(
        default_factory=lambda: {PROMOTER: 0.6, PASSIVE: 1.0, DETRACTOR: 2.0, NOT_SURVEYED: 1.2}
    )
    annual_growth: dict = field(
        default_factory=lambda: {PROMOTER: 0.08, PASSIVE: 0.03, DETRACTOR: -0.04, NOT_SURVEYED: 0.0}
    )
    base_hazard: dict = field(
        default_factory=lambda: {"small": 0.016, "medium": 0.010, "large": 0.006}
    )
    segment_hazard: dict = field(
        default_factory=lambda: {"SMB": 1.25, "Mid-Market": 1.0, "Enterprise": 0.8}
    )
    new_customer_hazard: float = 1.3
    category_mix: dict = field(
        default_factory=lambda: {
            "small": (0.25, 0.40, 0.35),
            "medium": (0.35, 0.40, 0.25),
            "large": (0.50, 0.35, 0.15),
        }
    )
    size_mix: dict = field(
        default_factory=lambda: {
            "SMB": (0.70, 0.25, 0.05),
            "Mid-Market": (0.25, 0.55, 0.20),
            "Enterprise": (0.05, 0.35, 0.60),
        }
    )
    segment_mix: tuple = (0.5, 0.35, 0.15)
    median_mrr: dict = field(default_factory=lambda: {"small": 300.0, "medium": 1500.0, "large": 6000.0})
    detractor_shift: float = 0.0
    share_at_start: float = 0.6
    survey_every: int = 6
    response_rate: float = 0.3
    persistence: float = 0.7
    recency_months: int = 12
    revenue_noise: float = 0.03
    credit_note_rate: float = 0.005

    def mix(self, size: str) -> np.ndarray:
        """(promoter, passive, detractor) probabilities of a size band, after the shift."""
        p, a, d = self.category_mix[size]
        s = self.detractor_shift
        return np.array([p - s / 2, a - s / 2, d + s])

    def log_hazard_ratio(self, category: str) -> float:
        """The planted log hazard ratio vs passives."""
        return float(np.log(self.hazard_ratio[category] / self.hazard_ratio[PASSIVE]))

    def growth_difference(self, category: str) -> float:
        """Planted annual log-growth of ``category`` minus that of passives."""
        return float(self.annual_growth[category] - self.annual_growth[PASSIVE])


@dataclass(frozen=True)
class Sample:
    """Canonical tables of one generated company, and the truths planted in it."""

    responses: pd.DataFrame
    revenue: pd.DataFrame
    customers: pd.DataFrame
    params: SampleParams


def generate(params: SampleParams = SampleParams(), seed: int = 2024) -> Sample:
    """Generate the sample company's canonical tables.

    Parameters
    ----------
    params : SampleParams
    seed : int

    Returns
    -------
    Sample
    """
    rng = np.random.default_rng(seed)
    firms = _customers(params, rng)
    responses, revenue, churn_month = _simulate(params, firms, rng)
    months = pd.date_range(params.start, periods=params.n_months, freq="MS")
    churned = churn_month >= 0
    churned_at = pd.Series(pd.NaT, index=firms.index, dtype="datetime64[ns]")
    last_day = months[churn_month[churned]] + pd.offsets.MonthEnd(0)
    churned_at[churned] = last_day - pd.to_timedelta(rng.integers(0, 10, churned.sum()), unit="D")
    customers = pd.DataFrame(
        {
            "customer_id": firms["customer_id"].astype("string"),
            "segment": firms["segment"],
            "size": firms["size"],
            "region": firms["region"],
            "acquired_at": firms["acquired_at"],
            "churned_at": churned_at,
            "referral_source": firms["referral_source"],
        }
    )
    return Sample(responses, revenue, customers, params)


def _customers(params: SampleParams, rng: np.random.Generator) -> pd.DataFrame:
    n = params.n_customers
    segment = rng.choice(len(SEGMENTS), n, p=params.segment_mix)
    size = np.empty(n, dtype=int)
    for s, name in enumerate(SEGMENTS):
        idx = segment == s
        size[idx] = rng.choice(3, idx.sum(), p=params.size_mix[name])
    at_start = rng.random(n) < params.share_at_start
    first = np.where(at_start, 0, rng.integers(1, params.n_months, n))
    prior = np.where(at_start, rng.integers(1, 60, n), 0)
    start = pd.Timestamp(params.start)
    acquired = start + pd.to_timedelta(30.44 * (first - prior), unit="D")
    return pd.DataFrame(
        {
            "customer_id": [f"{i:06d}" for i in rng.permutation(np.arange(1, n + 1))],
            "segment": np.array(SEGMENTS)[segment],
            "size": np.array(SIZES)[size],
            "size_code": size,
            "region": np.array(REGIONS)[rng.integers(0, len(REGIONS), n)],
            "first_month": first,
            "prior_tenure": prior,
            "acquired_at": acquired.normalize().to_period("M").to_timestamp(),
            "referral_source": np.where(
                rng.random(n) < 0.15, "referral", np.where(rng.random(n) < 0.5, "sales", "marketing")
            ),
        }
    )


def _simulate(params: SampleParams, firms: pd.DataFrame, rng: np.random.Generator):
    n, months = len(firms), pd.date_range(params.start, periods=params.n_months, freq="MS")
    size = firms["size_code"].to_numpy()
    base = np.array([params.base_hazard[s] for s in SIZES])[size] * firms["segment"].map(
        params.segment_hazard
    ).to_numpy()
    log_hr = np.log([params.hazard_ratio[c] for c in NAMES])
    growth = np.array([params.annual_growth[c] for c in NAMES])
    mix = np.array([params.mix(s) for s in SIZES])
    sigma = 0.6
    mrr = np.array([params.median_mrr[s] for s in SIZES])[size] * np.exp(rng.normal(0, sigma, n))
    attitude = _draw_attitude(size, mix, rng)
    last_response = np.full(n, -999)
    last_category = np.full(n, CODE[NOT_SURVEYED])
    active = np.zeros(n, dtype=bool)
    churn_month = np.full(n, -1)
    revenue_rows, response_rows = [], []
    first = firms["first_month"].to_numpy()
    for t in range(params.n_months):
        active |= first == t
        current = np.where(t - last_response <= params.recency_months, last_category, 3)
        mrr = np.where(
            first == t, mrr, mrr * np.exp(growth[current] / 12 + rng.normal(0, params.revenue_noise, n))
        )
        idx = np.flatnonzero(active)
        revenue_rows.append((idx, np.full(idx.size, t), mrr[idx]))
        tenure = firms["prior_tenure"].to_numpy() + t - first
        eta = np.log(base) + log_hr[current] + np.log(params.new_customer_hazard) * (tenure < 12)
        churn = active & (rng.random(n) < 1 - np.exp(-np.exp(eta)))
        churn_month[churn] = t
        if t % params.survey_every == 0:
            redraw = rng.random(n) > params.persistence
            attitude = np.where(redraw, _draw_attitude(size, mix, rng), attitude)
        if t % params.survey_every == 0 or t % params.survey_every == 1:
            respond = active & (rng.random(n) < params.response_rate / 2)
            ridx = np.flatnonzero(respond)
            response_rows.append((ridx, np.full(ridx.size, t), attitude[ridx]))
            last_response[ridx] = t
            last_category[ridx] = attitude[ridx]
        active &= ~churn
    revenue = _revenue_frame(firms, months, revenue_rows, params, rng)
    responses = _responses_frame(firms, months, response_rows, rng)
    return responses, revenue, churn_month


def _draw_attitude(size: np.ndarray, mix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(size.size)
    cum = np.cumsum(mix, axis=1)[size]
    return (u[:, None] > cum).sum(axis=1).clip(0, 2)


def _revenue_frame(firms, months, rows, params, rng) -> pd.DataFrame:
    idx = np.concatenate([r[0] for r in rows])
    t = np.concatenate([r[1] for r in rows])
    amount = np.round(np.concatenate([r[2] for r in rows]), 2)
    frame = pd.DataFrame(
        {"customer_id": firms["customer_id"].to_numpy()[idx], "period": months[t], "revenue": amount}
    )
    credit = rng.random(len(frame)) < params.credit_note_rate
    notes = frame.loc[credit].assign(revenue=lambda f: -np.round(0.1 * f["revenue"], 2))
    return (
        pd.concat([frame, notes], ignore_index=True)
        .astype({"customer_id": "string"})
        .sort_values(["customer_id", "period"], kind="stable")
        .reset_index(drop=True)
    )


def _responses_frame(firms, months, rows, rng) -> pd.DataFrame:
    idx = np.concatenate([r[0] for r in rows])
    t = np.concatenate([r[1] for r in rows])
    category = np.concatenate([r[2] for r in rows])
    score = np.select(
        [category == 0, category == 1],
        [rng.choice([9, 10], idx.size, p=[0.55, 0.45]), rng.choice([7, 8], idx.size)],
        rng.choice(7, idx.size, p=[0.04, 0.04, 0.06, 0.1, 0.14, 0.26, 0.36]),
    )
    days = rng.integers(1, 27, idx.size)  # the 2nd to the 27th: counts from the next month on
    seconds = rng.integers(8 * 3600, 18 * 3600, idx.size)
    stamp = months[t] + pd.to_timedelta(days, unit="D") + pd.to_timedelta(seconds, unit="s")
    csat = np.clip(np.round(1 + score / 2.5 + rng.normal(0, 0.7, idx.size)), 1, 5).astype(int)
    frame = pd.DataFrame(
        {
            "customer_id": firms["customer_id"].to_numpy()[idx],
            "responded_at": stamp,
            "score": score.astype("int64"),
            "category": np.array(NAMES)[category],
            "response_id": [f"R_{x:012x}" for x in rng.integers(0, 2**47, idx.size)],
            "csat": csat,
            "verbatim": np.array(VERBATIMS)[rng.integers(0, len(VERBATIMS), idx.size)],
        }
    ).sort_values("responded_at", kind="stable")
    return frame.astype({"customer_id": "string", "response_id": "string"}).reset_index(drop=True)


def write_sample(
    directory: str | Path, params: SampleParams = SampleParams(), seed: int = 2024
) -> dict[str, Path]:
    """Write the sample as the extracts a company would hand over.

    - ``responses.csv.gz``: a Qualtrics export (three header rows, labels on
      the scale's ends, a few survey previews, unfinished responses and
      non-answers that ingest must leave out and count);
    - ``revenue.csv.gz``: the billing extract in German formatting
      (``;``-separated, ``1.234,56``, ``01.03.2025``), long form, with
      credit notes as extra negative lines for the same month;
    - ``customers.csv``: the CRM table (segment, size, region, dates, referral source).

    The two larger files are gzip-compressed (deterministically) to keep the
    repository small; every reader opens them as they are.

    Returns
    -------
    dict
        ``{"responses": path, "revenue": path, "customers": path}``
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sample = generate(params, seed)
    rng = np.random.default_rng(seed + 1)
    paths = {
        "responses": directory / "responses.csv.gz",
        "revenue": directory / "revenue.csv.gz",
        "customers": directory / "customers.csv",
    }
    _write_gz(paths["responses"], _qualtrics_text(sample.responses, rng))
    _write_gz(paths["revenue"], _german_revenue_text(sample.revenue))
    customers = sample.customers.assign(
        acquired_at=sample.customers["acquired_at"].dt.strftime("%Y-%m-%d"),
        churned_at=sample.customers["churned_at"].dt.strftime("%Y-%m-%d"),
    )
    paths["customers"].write_text(customers.to_csv(index=False), encoding="utf-8")
    return paths


def _write_gz(path: Path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def _qualtrics_text(responses: pd.DataFrame, rng: np.random.Generator) -> str:
    n = len(responses)
    end = responses["responded_at"]
    q1 = responses["score"].astype(str)
    q1 = q1.replace({"10": "10 - Extremely likely", "0": "0 - Not at all likely"})
    frame = pd.DataFrame(
        {
            "StartDate": (end - pd.to_timedelta(rng.integers(60, 600, n), unit="s")),
            "EndDate": end,
            "Status": "IP Address",
            "Progress": 100,
            "Finished": "True",
            "RecordedDate": end,
            "ResponseId": responses["response_id"],
            "ExternalReference": responses["customer_id"],
            "Q1": q1,
            "Q1_NPS_GROUP": responses["category"].str.capitalize(),
            "Q2": responses["csat"],
            "Q3": responses["verbatim"],
        }
    )
    extra = frame.sample(n=max(3, n // 100), random_state=int(rng.integers(2**31)))
    unfinished = extra.iloc[: len(extra) // 2].assign(Finished="False", Progress=60, Q1="", Q1_NPS_GROUP="")
    blank = extra.iloc[len(extra) // 2 :].assign(Q1="", Q1_NPS_GROUP="", Q3="")
    preview = frame.head(5).assign(Status="Survey Preview", ExternalReference="")
    unfinished["ResponseId"] = unfinished["ResponseId"] + "u"
    blank["ResponseId"] = blank["ResponseId"] + "b"
    preview["ResponseId"] = preview["ResponseId"] + "p"
    frame = pd.concat([preview, frame, unfinished, blank]).sort_values("EndDate", kind="stable")
    for column in ("StartDate", "EndDate", "RecordedDate"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d %H:%M:%S")
    questions = [
        "Start Date", "End Date", "Response Type", "Progress", "Finished", "Recorded Date",
        "Response ID", "External Data Reference", NPS_QUESTION, f"{NPS_QUESTION} - Group",
        CSAT_QUESTION, "What is the main reason for your score?",
    ]  # fmt: skip
    ids = ["startDate", "endDate", "status", "progress", "finished", "recordedDate", "_recordId",
           "externalDataReference", "QID1", "QID1_NPS_GROUP", "QID2", "QID3_TEXT"]  # fmt: skip
    buffer = io.StringIO()
    header = pd.DataFrame([questions, ['{"ImportId":"%s"}' % i for i in ids]], columns=frame.columns)
    pd.concat([header, frame]).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _german_revenue_text(revenue: pd.DataFrame) -> str:
    amount = revenue["revenue"].map(lambda x: f"{x:,.2f}")
    amount = amount.str.replace(",", "X").str.replace(".", ",").str.replace("X", ".")
    frame = pd.DataFrame(
        {
            "Kundennummer": revenue["customer_id"],
            "Monat": revenue["period"].dt.strftime("%d.%m.%Y"),
            "Umsatz": amount,
        }
    )
    return frame.to_csv(index=False, sep=";", lineterminator="\n")
