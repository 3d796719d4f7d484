"""Small simulated panels with known effects, for the model tests and benchmarks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from cxvalue.models._design import Design

CATEGORIES = np.array(["promoter", "passive", "detractor"])
SEGMENTS = np.array(["SMB", "Mid-Market", "Enterprise"])
#: Planted hazard ratios vs passives, and segment factors.
HAZARD_RATIO = {"promoter": 0.6, "passive": 1.0, "detractor": 2.0}
SEGMENT_FACTOR = {"SMB": 1.25, "Mid-Market": 1.0, "Enterprise": 0.8}
BASE_HAZARD = 0.02


def customer_lives(n: int, months: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per customer: fixed category and segment, months lived, churned.

    Churn is a continuous-time exponential process with hazard
    ``-log(1 - 0.02) · HR(category) · factor(segment)`` per month, so the
    monthly discrete-time cloglog model and a Cox model both hold exactly;
    follow-up ends after ``months`` months (censored).
    """
    category = rng.choice(CATEGORIES, n, p=[0.35, 0.4, 0.25])
    segment = rng.choice(SEGMENTS, n, p=[0.5, 0.35, 0.15])
    rate = (
        -np.log1p(-BASE_HAZARD)
        * pd.Series(category).map(HAZARD_RATIO).to_numpy()
        * pd.Series(segment).map(SEGMENT_FACTOR).to_numpy()
    )
    time = rng.exponential(1.0 / rate)
    churned = time < months
    lived = np.where(churned, np.floor(time) + 1, months).astype(int)  # months at risk
    return pd.DataFrame(
        {
            "customer_id": pd.array([f"{i:06d}" for i in range(n)], dtype="string"),
            "category": category,
            "segment": segment,
            "time": np.minimum(time, months),
            "months": lived,
            "churned": churned.astype(int),
        }
    )


def panel_rows(lives: pd.DataFrame) -> pd.DataFrame:
    """Customer-month rows of ``customer_lives``: churned = 1 in the last month of a churner."""
    reps = lives["months"].to_numpy()
    rows = lives.loc[lives.index.repeat(reps)].reset_index(drop=True)
    month = np.concatenate([np.arange(k) for k in reps])
    last = month == np.repeat(reps - 1, reps)
    rows["churned"] = (last & (rows["churned"].to_numpy() == 1)).astype("int64")
    rows["tenure_months"] = month.astype("int64")
    rows["at_risk"] = np.int64(1)
    return rows.drop(columns=["time", "months"])


@dataclasses.dataclass(frozen=True)
class FixedGrowth:
    """A revenue model with known growth and no uncertainty (a stand-in for value tests)."""

    params: pd.Series
    design: Design
    controls: tuple[str, ...] = ()
    annualisation: float = 1.0
    resid_sd: float = 0.0

    def draw(self, n: int, seed: int | None = None) -> np.ndarray:
        return np.tile(self.params.to_numpy(), (n, 1))
