"""The simulation behind the value module: per-profile value for parameter draws.

A profile is one combination of the controls (segment, size band, …) found
in the current customer base. For each draw of both models' coefficients
and each (category, profile) this computes the monthly churn hazard h and the
annual revenue log-growth g, and from them, in closed form, the discounted
margin over the horizon and the revenue of each year. Everything is numpy on
arrays shaped (draws, categories, profiles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._categories import CATEGORIES, NOT_SURVEYED
from cxvalue._clv import geometric_sum
from cxvalue.models._design import factor_values


@dataclass(frozen=True)
class ProfileDraws:
    """Per-customer quantities for each draw, category and profile.

    Attributes
    ----------
    categories : list of str
        The categories (axis 1).
    profiles : pandas.DataFrame
        One row per profile (axis 2): the controls, ``customers`` (all
        customers in the base with that profile), ``revenue`` (their mean
        monthly revenue now) and one share column per surveyed category
        (the post-stratified share of each category in the profile).
    value : ndarray (draws, categories, profiles)
        Discounted revenue over the horizon of one customer (margin 1).
    yearly : ndarray (draws, categories, profiles, years)
        Undiscounted expected revenue of one customer in each year.
    hazard, growth : ndarray (draws, categories, profiles)
        Monthly churn hazard and annual revenue log-growth.
    counts : ndarray (categories, profiles)
        Customers of the base with each category now (non-respondents as
        ``not_surveyed``).
    monthly_discount : float
    horizon : int
    """

    categories: list[str]
    profiles: pd.DataFrame
    value: np.ndarray
    yearly: np.ndarray
    hazard: np.ndarray
    growth: np.ndarray
    counts: np.ndarray
    monthly_discount: float
    horizon: int

    def index(self, category: str) -> int:
        """The position of ``category`` on axis 1."""
        return self.categories.index(category)

    @property
    def customers(self) -> np.ndarray:
        """Customers per profile, as float."""
        return self.profiles["customers"].to_numpy(float)

    def holders(self, category: str) -> np.ndarray:
        """Estimated customers of ``category`` per profile in the whole base.

        Respondents' category shares within a profile, applied to every
        customer of that profile (post-stratification to the base's mix).
        """
        return self.customers * self.profiles[f"share_{category}"].to_numpy(float)

    def holder_draws(self, category: str, n_draws: int, seed: int | None) -> np.ndarray:
        """Draws of the base's customers of ``category`` per profile, (draws, profiles).

        The customers who answered are counted as they are; the others of a profile
        are a binomial draw at a share drawn from its posterior (Jeffreys' Beta of the
        profile's answers, or of the whole base's where a profile has none, one draw
        shared by all such profiles). Draw 0 is :meth:`holders`, the estimate.
        """
        rng = np.random.default_rng(seed)
        answered = [self.index(c) for c in self.categories if c != NOT_SURVEYED]
        k, n = self.counts[self.index(category)], self.counts[answered].sum(axis=0)
        others = np.maximum(np.rint(self.customers - n), 0).astype(np.int64)
        overall = rng.beta(k.sum() + 0.5, n.sum() - k.sum() + 0.5, size=(n_draws, 1))
        own = rng.beta(k + 0.5, n - k + 0.5, size=(n_draws, k.size))
        share = np.where(n > 0, own, overall)
        draws = k + rng.binomial(others, share)
        draws[0] = self.holders(category)
        return draws

    def discounted(self, hazard: np.ndarray, growth: np.ndarray) -> np.ndarray:
        """Discounted revenue over the horizon of one customer for any hazard and growth.

        Arrays shaped (draws, profiles) or (draws, categories, profiles).
        """
        x = (1.0 - hazard) * np.exp(growth / 12.0) / (1.0 + self.monthly_discount)
        return self.profiles["revenue"].to_numpy(float) * geometric_sum(x, 1, self.horizon)


def base_profiles(base: pd.DataFrame, controls: list[str]) -> pd.DataFrame:
    """Collapse the base (category × controls) to control profiles with shares."""
    base = base.copy()
    base["category"] = factor_values(base["category"])
    keys = controls or ["_all"]
    if not controls:
        base["_all"] = "all"
    totals = base.groupby(keys, dropna=False, sort=True).agg(
        customers=("n", "sum"), revenue_sum=("revenue", "sum")
    )
    totals["revenue"] = totals["revenue_sum"] / totals["customers"]
    surveyed = base[base["category"] != NOT_SURVEYED]
    counts = surveyed.pivot_table(index=keys, columns="category", values="n", aggfunc="sum",
                                  fill_value=0)  # fmt: skip
    overall = counts.sum() / max(counts.to_numpy().sum(), 1)
    shares = counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)
    shares = shares.reindex(totals.index).apply(lambda col: col.fillna(overall.get(col.name, 0)))
    for cat in CATEGORIES:
        if cat != NOT_SURVEYED:
            col = shares[cat] if cat in shares else pd.Series(0.0, index=totals.index)
            totals[f"share_{cat}"] = col.fillna(float(overall.get(cat, 0.0)))
    out = totals.drop(columns="revenue_sum").reset_index()
    return out.drop(columns="_all") if not controls else out


def simulate(
    retention: Any,
    revenue_model: Any | None,
    *,
    horizon: int,
    monthly_discount: float,
    n_draws: int,
    seed: int | None,
) -> ProfileDraws:
    """Draw both models' coefficients and evaluate every category × profile.

    Without a revenue model (None) revenue is held flat: growth 0 in every draw.
    """
    controls = list(retention.controls)
    profiles = base_profiles(retention.base, controls)
    cats = retention.categories
    frame = pd.concat([profiles.assign(category=c) for c in cats], ignore_index=True)
    hazard = retention.hazard(frame, retention.draw(n_draws, seed))
    if revenue_model is None:
        growth = np.zeros_like(hazard)
    else:
        coef = revenue_model.draw(n_draws, None if seed is None else seed + 1)
        coef[0] = revenue_model.params.to_numpy()  # draw 0 is the point estimate
        annual = getattr(revenue_model, "annualisation", 1.0)
        growth = annual * coef @ revenue_model.design.matrix(frame).T
    shape = (n_draws, len(cats), len(profiles))
    hazard, growth = hazard.reshape(shape), growth.reshape(shape)
    per_month = (1.0 - hazard) * np.exp(growth / 12.0)  # survival × growth, one month
    r0 = profiles["revenue"].to_numpy(float)
    value = r0 * geometric_sum(per_month / (1.0 + monthly_discount), 1, horizon)
    years = -(-horizon // 12)
    yearly = np.stack(
        [r0 * geometric_sum(per_month, 12 * y + 1, min(12 * y + 12, horizon))
         for y in range(years)], axis=-1,
    )  # fmt: skip
    return ProfileDraws(
        categories=cats, profiles=profiles, value=value, yearly=yearly, hazard=hazard,
        growth=growth, counts=_counts(retention.base, controls, profiles, cats),
        monthly_discount=monthly_discount, horizon=horizon,
    )  # fmt: skip


def _counts(
    base: pd.DataFrame, controls: list[str], profiles: pd.DataFrame, cats: list[str]
) -> np.ndarray:
    """Customers of the base by category (rows) and profile (columns)."""
    base = base.assign(category=factor_values(base["category"]))
    if not controls:
        totals = base.groupby("category")["n"].sum()
        return totals.reindex(cats, fill_value=0).to_numpy(float)[:, None]
    table = base.groupby([*controls, "category"], dropna=False, sort=False)["n"].sum()
    table = table.unstack("category", fill_value=0).reindex(columns=cats, fill_value=0)
    keys = pd.MultiIndex.from_frame(profiles[controls]) if len(controls) > 1 else (
        pd.Index(profiles[controls[0]]))  # fmt: skip
    table = table.reindex(index=keys, fill_value=0)
    return table.to_numpy(float).T
