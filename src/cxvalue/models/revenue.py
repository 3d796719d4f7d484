"""Revenue uplift: growth of a retained customer's revenue by NPS category.

The revenue part of the two-part model ``E[revenue] = P(retain) × E[revenue |
retained]`` (``docs/contracts.md``, DESIGN "Models"). :func:`fit_revenue`
regresses the log ratio of next-window revenue to the trailing twelve months'
run rate on the category as of the month (treatment coded, passives the
reference) and controls, by OLS on the customer-months of customers retained
over the whole window, with standard errors clustered by customer.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.common.deferred import Deferred
from scipy import sparse, stats

from cxvalue._categories import CATEGORIES, NOT_SURVEYED, REFERENCE
from cxvalue._panel_inputs import month_index
from cxvalue._panel_result import Panel
from cxvalue._validation import check_choice, check_param
from cxvalue.errors import DataWarning, InputError, SmallSampleWarning
from cxvalue.ingest._typed import dictionary_codes
from cxvalue.models._design import (
    INTERCEPT,
    Design,
    factor_values,
    make_design,
    split_covariates,
    term_name,
)

__all__ = ["RevenueModel", "fit_revenue"]

#: Months summed by the panel's ``revenue_trailing`` (the base of the outcome).
TRAILING_MONTHS = 12
#: A factor level with fewer rows or customers than this draws a SmallSampleWarning.
MIN_LEVEL_ROWS = 30
MIN_LEVEL_CUSTOMERS = 10
#: Fewer clusters than this make cluster-robust standard errors unreliable.
MIN_CLUSTERS = 30
#: Share of log-impossible rows above which a DataWarning is raised.
EXCLUDED_SHARE_WARN = 0.01
#: The reasons a row of the estimation sample cannot enter the log ratio.
EXCLUDE_BASE = "base_not_positive"
EXCLUDE_NEXT = "next_not_positive"
COV_TYPES = ("cluster", "HC1")


@dataclass(frozen=True)
class RevenueModel:
    """A fitted revenue-uplift model (see :func:`fit_revenue`).

    The outcome is ``y = log(revenue_next / base)`` for customer-months
    retained over the next ``W = window_months`` months, where the base is
    this month's revenue × W (``base="month"``) or the trailing twelve
    months scaled to W (``base="trailing"``); coefficients are on that log
    scale and :attr:`annualisation` turns them into annual log growth.

    Attributes
    ----------
    params : pandas.Series
        Coefficients by term (``Intercept``, ``category[promoter]``, …).
    cov : pandas.DataFrame
        Their covariance (cluster-robust by customer, or HC1), by term.
    design : Design
        The treatment coding, reference levels first.
    controls : tuple of str
        The controls adjusted for.
    n_rows, n_customers : int
        Customer-months and customers in the fit.
    excluded : dict of str to int
        Rows of the estimation sample left out because the log ratio does not
        exist: ``base_not_positive`` (trailing revenue ≤ 0) and
        ``next_not_positive`` (next-window revenue ≤ 0, base positive).
    n_short_history : int
        Retained customer-months left out because fewer than 12 trailing
        months are in the panel (a new customer, or a return after churn).
    window_months : int
        The window ``W`` of ``revenue_next``.
    base : {"month", "trailing"}
        What next-window revenue is compared with (see :func:`fit_revenue`).
    cov_type : str
        ``"cluster"`` or ``"HC1"``.
    level : float
        Confidence level of the intervals.
    smearing : float
        Duan's smearing factor ``mean(exp(residual))``: ``E[ratio] =
        exp(x·b) × smearing`` rather than ``exp(x·b)``.
    resid_sd : float
        Standard deviation of the residuals (log scale).
    p_values : pandas.Series
        Two-sided p-values of the coefficients (normal reference, as
        statsmodels reports for robust covariances).
    numeric_means : dict of str to float
        Means of numeric controls over the fitted rows (the typical customer).
    recency_months : int or None
        How old a response may be and still set the category.
    """

    params: pd.Series
    cov: pd.DataFrame
    design: Design
    controls: tuple[str, ...]
    n_rows: int
    n_customers: int
    excluded: Mapping[str, int]
    n_short_history: int
    window_months: int
    base: str
    cov_type: str
    level: float
    smearing: float
    resid_sd: float
    p_values: pd.Series
    numeric_means: Mapping[str, float] = field(default_factory=dict)
    recency_months: int | None = None

    # ------------------------------------------------------------------ tables
    @property
    def categories(self) -> list[str]:
        """The categories in the fit, in display order (promoter first)."""
        levels = self.design.factors["category"]
        return [c for c in CATEGORIES if c in levels] + sorted(set(levels) - set(CATEGORIES))

    @property
    def adjusted_for(self) -> str:
        """One phrase for outputs: what the estimates are adjusted for."""
        return ", ".join(self.controls) if self.controls else "nothing (no controls)"

    @property
    def reference_levels(self) -> dict[str, str]:
        """Each factor control at the level of the typical customer (see :attr:`typical`)."""
        return {f: self.design.reference(f) for f in self.design.factors if f != "category"}

    @property
    def typical(self) -> str:
        """The customer :meth:`multipliers` and :meth:`growth` describe."""
        parts = [f"{f} = {level}" for f, level in self.reference_levels.items()]
        parts += [f"{name} = {value:.4g} (mean)" for name, value in self.numeric_means.items()]
        return ", ".join(parts) if parts else "any customer (no controls)"

    def _z(self, level: float | None) -> float:
        level = self.level if level is None else level
        check_param(0 < level < 1, "level", "RevenueModel", "a float in (0, 1)", level)
        return float(stats.norm.ppf(0.5 + level / 2))

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """The coefficients as a tidy table, one row per term.

        Parameters
        ----------
        level : float, optional
            Confidence level; the model's ``level`` by default.

        Returns
        -------
        pandas.DataFrame
            ``term``, ``estimate`` (on the log scale of the outcome),
            ``std_error``, ``lo``, ``hi``, ``p_value``.
        """
        z = self._z(level)
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        est = self.params.to_numpy()
        return pd.DataFrame({
            "term": list(self.params.index),
            "estimate": est,
            "std_error": se,
            "lo": est - z * se,
            "hi": est + z * se,
            "p_value": self.p_values.to_numpy(),
        })  # fmt: skip

    def _x(self, category: str) -> np.ndarray:
        """The design row of a typical customer (reference levels) in ``category``."""
        x = pd.Series(0.0, index=self.params.index)
        x[INTERCEPT] = 1.0
        if category != self.design.reference("category"):
            x[term_name("category", category)] = 1.0
        for name, value in self.numeric_means.items():
            x[name] = value
        return x.to_numpy()

    def _by_category(self, level: float | None, transform: str) -> pd.DataFrame:
        z = self._z(level)
        b, v = self.params.to_numpy(), self.cov.to_numpy()
        ref = self._x(self.design.reference("category"))
        scale = self.annualisation if transform == "growth" else 1.0
        rows = []
        for cat in self.categories:
            x = self._x(cat)
            eta, se = float(x @ b), float(math.sqrt(x @ v @ x))
            d = x - ref
            if transform == "growth":
                est, lo, hi = eta, eta - z * se, eta + z * se
                diff, dse = float(d @ b), float(math.sqrt(max(d @ v @ d, 0.0)))
                dlo, dhi = diff - z * dse, diff + z * dse
                values = [scale * t for t in (est, lo, hi, diff, dlo, dhi)]
            else:
                s = self.smearing
                est, lo, hi = (
                    s * math.exp(eta),
                    s * math.exp(eta - z * se),
                    s * math.exp(eta + z * se),
                )
                eta_ref = float(ref @ b)
                diff = s * (math.exp(eta) - math.exp(eta_ref))
                grad = s * (math.exp(eta) * x - math.exp(eta_ref) * ref)
                dse = float(math.sqrt(max(grad @ v @ grad, 0.0)))
                values = [est, lo, hi, diff, diff - z * dse, diff + z * dse]
            rows.append([cat, *values])
        name = "growth" if transform == "growth" else "multiplier"
        return pd.DataFrame(rows, columns=["category", name, "lo", "hi", "vs_passive",
                                           "vs_passive_lo", "vs_passive_hi"])  # fmt: skip

    @property
    def annualisation(self) -> float:
        """Factor turning a coefficient into annual log growth: ``24 / (W + 12)``.

        The next window's mean month lies ``(W + 12) / 2`` months after the
        trailing twelve months' mean month, so with steady growth ``g`` a year
        the outcome is ``g (W + 12) / 24``; for ``W = 12`` the factor is 1.
        """
        span = 1 if self.base == "month" else TRAILING_MONTHS
        return 24.0 / (self.window_months + span)

    def growth(self, level: float | None = None) -> pd.DataFrame:
        """Annual log growth of revenue by category, for a typical customer.

        A typical customer has the reference level of every control (see
        :attr:`typical`) and numeric controls at their mean. Growth is the
        linear predictor times :attr:`annualisation` (steady growth assumed).

        Returns
        -------
        pandas.DataFrame
            ``category``, ``growth`` with ``lo`` / ``hi``, and ``vs_passive``
            (the difference to passives, the same for every customer in this
            additive model) with ``vs_passive_lo`` / ``vs_passive_hi``.
        """
        return self._by_category(level, "growth")

    def multipliers(self, level: float | None = None) -> pd.DataFrame:
        """Expected revenue multiplier over the next window, by category.

        ``E[revenue_next / base | retained, category]``
        for a typical customer (reference level of every control, see
        :attr:`typical`): ``smearing × exp(x·b)``, Duan's smearing estimate,
        so it is the mean ratio, not ``exp`` of the mean log ratio. Multiply
        it by the customer's base (see :class:`RevenueModel`) to get
        ``E[revenue over the next W months | retained]``.

        The interval of a multiplier transforms the interval of ``x·b`` (the
        smearing factor is taken as known); the difference to passives,
        ``vs_passive``, has a delta-method interval.

        Returns
        -------
        pandas.DataFrame
            ``category``, ``multiplier``, ``lo``, ``hi``, ``vs_passive``,
            ``vs_passive_lo``, ``vs_passive_hi``.
        """
        return self._by_category(level, "multiplier")

    def draw(self, n: int, seed: int | None = None) -> np.ndarray:
        """Parameter draws from ``N(params, cov)`` for value simulations.

        Parameters
        ----------
        n : int
            Number of draws.
        seed : int, optional
            Seed of the random generator.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, k)``, columns in the order of ``params.index``.
        """
        ok = isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 1
        check_param(ok, "n", "RevenueModel.draw", "a positive integer", n)
        rng = np.random.default_rng(seed)
        return rng.multivariate_normal(
            self.params.to_numpy(), self.cov.to_numpy(), size=int(n), method="eigh"
        )

    def summary(self) -> str:
        """A readable account of the fit: sample, adjustment, exclusions, coefficients."""
        cov = (
            "clustered by customer"
            if self.cov_type == "cluster"
            else "heteroskedasticity-robust (HC1)"
        )
        lines = [
            f"Revenue uplift: log(next {self.window_months} months' revenue / "
            + (
                "this month's revenue × window"
                if self.base == "month"
                else "trailing 12 months' run rate"
            )
            + "), customers retained over the window, OLS",
            f"  rows: {self.n_rows:,} customer-months of {self.n_customers:,} customers",
            f"  adjusted for: {self.adjusted_for}; reference category {REFERENCE}",
            f"  standard errors: {cov}; intervals {self.level:.0%}",
            f"  excluded (log ratio undefined): {self.excluded.get(EXCLUDE_BASE, 0):,} with "
            f"base revenue <= 0, {self.excluded.get(EXCLUDE_NEXT, 0):,} with next-window "
            "revenue <= 0",
            *(
                [
                    f"  not in the sample: {self.n_short_history:,} retained customer-months with "
                    "under 12 months of trailing history"
                ]
                if self.base == "trailing"
                else []
            ),
            f"  smearing factor {self.smearing:.4f}, residual sd {self.resid_sd:.4f}",
            "",
            self.to_frame().to_string(
                index=False,
                float_format=lambda v: f"{v:.4f}",
                formatters={"p_value": lambda p: f"{p:.3g}"},  # not 0.0000 for 1e-61
            ),
            "",
            f"Annual log growth ({self.typical}):",
            self.growth().to_string(index=False, float_format=lambda v: f"{v:.4f}"),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"RevenueModel({self.n_rows:,} rows, {self.n_customers:,} customers, "
            f"window {self.window_months}m, adjusted for {self.adjusted_for})"
        )


def fit_revenue(
    panel: Panel,
    controls: Sequence[str] = ("segment", "size_band", "tenure_band"),
    *,
    cov: str = "cluster",
    level: float = 0.95,
    recency_months: int | None = None,
    where: Callable[[ir.Table], ir.BooleanValue] | Deferred | None = None,
    base: str = "month",
) -> RevenueModel:
    """Fit the revenue-uplift model: log growth of retained revenue by category.

    Parameters
    ----------
    panel : Panel
        A monthly panel from :func:`cxvalue.build_panel`.
    controls : sequence of str
        Panel columns adjusted for (text columns as factors, reference = the
        level with most rows; numeric columns linearly). Only those present
        in the panel may be named.
    cov : {"cluster", "HC1"}
        ``"cluster"`` (default): cluster-robust by ``customer_id``. A
        customer contributes one row per month and the windows of
        neighbouring months overlap almost entirely, so a customer's rows are
        strongly correlated; heteroskedasticity-robust errors (``"HC1"``)
        that treat them as independent are far too small.
    level : float
        Confidence level of the intervals.
    recency_months : int, optional
        Treat responses older than this many months as ``not_surveyed``
        (at most the panel's own ``recency_months``). Default: the panel's.
    where : callable or deferred, optional
        A further row filter, as in :func:`cxvalue.panel.cells` (``lambda t:
        t.segment == "SMB"``), applied to the estimation sample after the
        trailing history is counted on the whole panel; the exclusion counts
        describe the filtered sample.
    base : {"month", "trailing"}
        What next-window revenue is compared with. ``"month"`` (default):
        this month's revenue times ``W``, so the outcome is the growth *after*
        the response, under today's category; its annualisation is
        ``24 / (W + 1)``. ``"trailing"``: the trailing twelve months scaled to
        ``W`` (needs a full year of history, steadier when monthly billing is
        lumpy), annualised by ``24 / (W + 12)``; about half of it is growth
        that happened before the response, under an earlier category, so
        category effects come out smaller (about 0.85 of the planted ones on
        the sample).

    Returns
    -------
    RevenueModel

    Raises
    ------
    InputError
        A snapshot panel (no next-window revenue), fewer than two customers
        or no passives left to fit, or a design whose terms are collinear.

    Warns
    -----
    SmallSampleWarning
        A category or control level has fewer than 30 rows or 10 customers,
        or there are fewer than 30 customers to cluster on.
    DataWarning
        More than 1% of the estimation sample has a trailing or next-window
        revenue of zero or less (excluded from the log ratio and counted in
        ``excluded``).

    Notes
    -----
    Sample: customer-months at risk with ``active_through_next == 1``
    (retained over the whole next window, so ``revenue_next`` is known) and,
    for ``base="trailing"``, a full twelve months of trailing history in the
    panel. The category is that as of the start of the month (the score
    precedes the window). It may change at a later survey within the
    window, so the coefficient is the growth associated with *today's*
    category, slightly smaller than that of a customer who stays in a
    category throughout.

    Rows come from the engine: only the needed columns of the filtered
    panel are fetched (Arrow), and the fit uses statsmodels' array
    interface.
    """
    func = "fit_revenue"
    check_param(isinstance(panel, Panel), "panel", func, "a Panel (cxvalue.build_panel)",
                type(panel).__name__)  # fmt: skip
    check_choice(cov, COV_TYPES, "cov", func)
    check_choice(base, ("month", "trailing"), "base", func)
    check_param(isinstance(level, float | int) and 0 < level < 1, "level", func,
                "a float in (0, 1)", level)  # fmt: skip
    controls = _check_controls(panel, controls)
    window = panel.window_months
    if panel.kind != "monthly" or window is None:
        raise InputError(
            "fit_revenue() needs a monthly panel (cxvalue.build_panel) with next-window revenue; "
            f"this is a {panel.kind} panel without one."
        )
    recency = _check_recency(panel, recency_months)

    query = sample_query(panel, controls, recency_months=recency, where=where, base=base)
    counts, sample = _sample(panel.fetch(query), controls)
    rows, patterns, pattern = sample.cells, sample.patterns, sample.pattern
    excluded = {EXCLUDE_BASE: counts["base_bad"], EXCLUDE_NEXT: counts["next_bad"]}
    eligible = counts["full"]
    bad = sum(excluded.values())
    if eligible and bad / eligible > EXCLUDED_SHARE_WARN:
        warnings.warn(
            DataWarning(
                f"{bad:,} of {eligible:,} retained customer-months ({bad / eligible:.1%}) have "
                f"a trailing or next-window revenue of zero or less "
                f"({excluded[EXCLUDE_BASE]:,} base, {excluded[EXCLUDE_NEXT]:,} next) and are "
                "left out of the log ratio.",
                key="log_ratio_excluded", bad=bad, eligible=eligible, share=bad / eligible,
                base=excluded[EXCLUDE_BASE], next=excluded[EXCLUDE_NEXT],
            ),
            stacklevel=2,
        )  # fmt: skip

    n_customers = sample.n_customers
    n_rows = int(rows["n"].sum())
    history = f" with {TRAILING_MONTHS} months of history before it" if base == "trailing" else ""
    what_counts = (
        f"A month counts when the customer is retained and billing over the {window} months "
        f"after it{history}{_months_that_count(panel, window)}. A longer revenue history or a "
        "shorter window (window_months) gives more."
    )
    if n_customers < 2:
        raise InputError(
            f"fit_revenue() has {n_rows:,} customer-months of {n_customers} customer(s) to fit; "
            f"at least 2 customers are needed (more than 30 for trustworthy errors). {what_counts}"
        )
    # the design is built on the distinct covariate patterns (a few hundred rows) and
    # spread to the cells by pattern code: the same matrix as row by row, far cheaper
    factors, numeric = split_covariates(patterns, controls)
    design = make_design(patterns, ["category", *factors], numeric, weights=patterns["n"])
    if design.reference("category") != REFERENCE:
        found = patterns.groupby("category", sort=True)["n"].sum()
        raise InputError(
            f"No {REFERENCE} rows are left in the revenue sample: the effects are measured "
            "against passives and cannot be estimated. Customer-months by category: "
            f"{', '.join(f'{c} {int(n):,}' for c, n in found.items())}. {what_counts}"
        )
    _warn_small_levels(sample, design, n_customers, cov)
    x_patterns = design.matrix(patterns)
    # the rank of the cells' matrix is that of its distinct rows
    rank = np.linalg.matrix_rank(x_patterns)
    if rank < x_patterns.shape[1]:
        raise InputError(
            f"The revenue design is collinear ({x_patterns.shape[1]} terms, rank "
            f"{rank}): a control repeats another or the category "
            f"({', '.join(controls)}). Drop one of them."
        )
    fit = grouped_ols(rows, x_patterns, pattern, cov)
    terms = design.terms
    weights = rows["n"].to_numpy(float)
    return RevenueModel(
        params=pd.Series(fit.params, index=terms),
        cov=pd.DataFrame(fit.cov, index=terms, columns=terms),
        design=design,
        controls=tuple(controls),
        n_rows=n_rows,
        n_customers=n_customers,
        excluded=excluded,
        n_short_history=counts["short"],
        window_months=window,
        base=base,
        cov_type=cov,
        level=float(level),
        smearing=fit.smearing,
        resid_sd=fit.resid_sd,
        p_values=pd.Series(fit.p_values, index=terms),
        numeric_means={name: float(np.average(rows[name], weights=weights)) for name in numeric},
        recency_months=recency,
    )


@dataclass(frozen=True)
class GroupedFit:
    """An OLS fit from sums by (customer, covariate pattern)."""

    params: np.ndarray
    cov: np.ndarray
    p_values: np.ndarray
    smearing: float
    resid_sd: float


def grouped_ols(
    cells: pd.DataFrame, x_patterns: np.ndarray, pattern: np.ndarray, cov: str
) -> GroupedFit:
    """OLS of y on X with customer-clustered (or HC1) errors, from per-cell sums.

    Each cell holds the rows of one customer with one covariate pattern:
    ``n``, ``sy`` = Σy, ``syy`` = Σy², ``sexp`` = Σexp(y) and the customer
    code ``_customer``; ``pattern`` is each cell's row of ``x_patterns`` (the
    design of the distinct patterns). Exactly statsmodels' ``OLS(...).fit(
    cov_type="cluster")`` (small-sample factor G/(G−1)·(N−1)/(N−K), normal
    p-values) or ``cov_type="HC1"``, and Duan's smearing factor, without the rows.

    Every cross-product is summed to the patterns first (a few hundred rows),
    so no matrix with a row per cell is made: the cluster scores of a customer
    are Σ_p X_p·r_cp, with r_cp the residual sum of its cell with pattern p, and
    their cross-product is X'(R'R)X with R the customers × patterns matrix of r.
    """
    n, sy = cells["n"].to_numpy(float), cells["sy"].to_numpy(float)
    syy, sexp = cells["syy"].to_numpy(float), cells["sexp"].to_numpy(float)
    n_patterns, k = x_patterns.shape
    big_n = n.sum()

    def by_pattern(values: np.ndarray) -> np.ndarray:
        return np.bincount(pattern, weights=values, minlength=n_patterns)

    bread = np.linalg.inv(x_patterns.T @ (x_patterns * by_pattern(n)[:, None]))
    params = bread @ (x_patterns.T @ by_pattern(sy))
    mu = (x_patterns @ params)[pattern]
    sse_cells = syy - 2 * mu * sy + n * mu**2  # Σ e² within each cell
    if cov == "HC1":
        meat = x_patterns.T @ (x_patterns * by_pattern(sse_cells)[:, None])
        covariance = bread @ meat @ bread * big_n / (big_n - k)
    else:
        codes = cells["_customer"].to_numpy()
        size = int(codes.max()) + 1
        resid = sparse.csr_array((sy - n * mu, (codes, pattern)), shape=(size, n_patterns))
        meat = x_patterns.T @ ((resid.T @ resid) @ x_patterns)  # R'R stays sparse
        groups = int(np.count_nonzero(np.bincount(codes, minlength=size)))
        factor = groups / (groups - 1.0) * (big_n - 1.0) / (big_n - k)
        covariance = bread @ meat @ bread * factor
    se = np.sqrt(np.diag(covariance))
    z = np.divide(params, se, out=np.full_like(params, np.nan), where=se > 0)
    return GroupedFit(
        params=params, cov=covariance, p_values=2 * stats.norm.sf(np.abs(z)),
        smearing=float(np.sum(np.exp(-mu) * sexp) / big_n),
        resid_sd=float(np.sqrt(max(sse_cells.sum(), 0.0) / (big_n - k))),
    )  # fmt: skip


def _check_controls(panel: Panel, controls: Sequence[str]) -> list[str]:
    if isinstance(controls, str):
        controls = [controls]
    controls = list(controls)
    missing = [c for c in controls if c not in panel.columns]
    check_param(not missing and "category" not in controls and len(set(controls)) == len(controls),
                "controls", "fit_revenue",
                "distinct panel columns other than 'category' (available: "
                + ", ".join(panel.controls_available) + ")", controls)  # fmt: skip
    return controls


def _check_recency(panel: Panel, recency_months: int | None) -> int | None:
    if recency_months is None:
        return panel.recency_months
    cap = panel.recency_months
    ok = (
        isinstance(recency_months, int)
        and not isinstance(recency_months, bool)
        and recency_months >= 1
        and (cap is None or recency_months <= cap)
    )
    check_param(ok, "recency_months", "fit_revenue",
                f"a positive integer no larger than the panel's recency_months ({cap})",
                recency_months)  # fmt: skip
    return recency_months


def _months_that_count(panel: Panel, window: int) -> str:
    """'; the revenue ends 2024-06, so months up to 2023-06 can count' (or '')."""
    if panel.data_end is None:
        return ""
    last = panel.data_end - pd.DateOffset(months=window)
    return f"; the revenue ends {panel.data_end:%Y-%m}, so months up to {last:%Y-%m} can count"


def _with_trailing_count(table: ir.Table) -> ir.Table:
    """Add ``_months_trailing``: the customer's panel rows in this and the 11 months before."""
    table = table.mutate(_m=month_index(table.period))
    past = ibis.window(group_by="customer_id", order_by="_m", range=(-(TRAILING_MONTHS - 1), 0))
    return table.mutate(_months_trailing=table._m.count().over(past))


@dataclass(frozen=True)
class _Sample:
    """The estimation sample summed by customer and covariate pattern (see :func:`_sample`)."""

    cells: pd.DataFrame  # n, sy, syy, sexp, _customer and the numeric controls, per cell
    patterns: pd.DataFrame  # the distinct covariate patterns, with their rows ``n``
    pattern: np.ndarray  # each cell's row in ``patterns``
    n_customers: int


#: Row status in the one grouped pass: excluded for a reason, or used.
_SHORT, _BASE_BAD, _NEXT_BAD, _USED = 0, 1, 2, 3


def sample_query(
    panel: Panel,
    controls: Sequence[str],
    *,
    recency_months: int | None = None,
    where: Callable[[ir.Table], ir.BooleanValue] | Deferred | None = None,
    base: str = "month",
) -> ir.Table:
    """The one grouped query :func:`fit_revenue` runs on ``panel`` with these arguments
    (see :func:`_sample`); for :meth:`Panel.prefetch`."""
    controls = _check_controls(panel, controls)
    recency = _check_recency(panel, recency_months)
    # the trailing-history count (a window over every row) only matters for base="trailing"
    table = _with_trailing_count(panel.expr) if base == "trailing" else panel.expr
    return _grouped_sample(table, controls, panel.window_months, recency, where, base)


def _grouped_sample(
    table: ir.Table,
    controls: list[str],
    window: int,
    recency: int | None,
    where: Callable[[ir.Table], ir.BooleanValue] | Deferred | None,
    base_kind: str,
) -> ir.Table:
    """Every retained row with a status (too short a history, base not positive,
    next-window revenue not positive, used), summed by status, customer and covariate
    pattern: ``n``, Σy, Σy² and Σexp(y). The grouping keys of excluded rows are NULL,
    so that they fold into one group per status, which gives the counts."""
    retained = table.filter(
        (table.at_risk == 1) & (table.active_through_next == 1) & table.revenue_next.notnull()
    )
    if where is not None:
        retained = retained.filter(where if isinstance(where, Deferred) else where(retained))
    if base_kind == "month":
        full = retained.customer_id.notnull()  # every row: no history needed
        base = retained.revenue * window
    else:
        full = retained._months_trailing >= TRAILING_MONTHS
        base = retained.revenue_trailing * (window / TRAILING_MONTHS)
    retained = retained.mutate(_base=base)
    base_ok = ibis.coalesce(retained._base, 0.0) > 0
    next_ok = ibis.coalesce(retained.revenue_next, 0.0) > 0
    status = ibis.cases((~full, _SHORT), (~base_ok, _BASE_BAD), (~next_ok, _NEXT_BAD),
                        else_=_USED)  # fmt: skip
    category = retained.category
    if recency is not None and "months_since_response" in retained.columns:
        stale = retained.months_since_response.notnull() & (
            retained.months_since_response > recency
        )
        category = ibis.ifelse(stale, ibis.literal(NOT_SURVEYED), category)
    used = status == _USED

    def used_only(value: ir.Value) -> ir.Value:
        return ibis.ifelse(used, value, ibis.null(value.type()))

    y = (retained.revenue_next / retained._base).ln()
    rows = retained.select(
        _status=status,
        customer_id=used_only(retained.customer_id.cast("string")),
        y=used_only(y),
        category=used_only(category),
        **{c: used_only(retained[c]) for c in controls},
    )
    return rows.group_by(["_status", "customer_id", "category", *controls]).aggregate(
        _rows=rows.count(),
        n=rows.y.count(),
        sy=rows.y.sum(),
        syy=(rows.y * rows.y).sum(),
        sexp=rows.y.exp().sum(),
    )


def _sample(arrow: pa.Table, controls: list[str]) -> tuple[dict[str, int], _Sample]:
    """Count the estimation sample and its exclusions from :func:`sample_query`'s result,
    summed by customer and covariate pattern, with the customer as an integer code
    ``_customer``. That is all an OLS with customer-clustered errors needs, exactly,
    without fetching a row per customer-month."""
    status_of = arrow.column("_status").to_numpy()
    tally = np.bincount(status_of, weights=arrow.column("_rows").to_numpy(), minlength=4)
    tally = tally.astype(np.int64)
    counts = {
        "short": int(tally[_SHORT]),
        "full": int(tally[_BASE_BAD:].sum()),
        "base_bad": int(tally[_BASE_BAD]),
        "next_bad": int(tally[_NEXT_BAD]),
    }
    arrow = arrow.filter(pa.array(status_of == _USED)).drop_columns(["_status", "_rows"])
    return counts, _summarised(arrow, ["category", *controls])


def _summarised(arrow: pa.Table, covariates: list[str]) -> _Sample:
    """Split the grouped cells into the cells and their distinct covariate patterns."""
    customers, customer_codes = dictionary_codes(arrow.column("customer_id"))
    frame = arrow.drop_columns(["customer_id", *covariates]).to_pandas()
    frame["_customer"] = customer_codes.astype(np.int64)
    pattern = np.zeros(arrow.num_rows, dtype=np.int64)
    for name in covariates:  # pattern code: the covariates' codes combined, kept dense
        codes = arrow.column(name).combine_chunks().dictionary_encode()
        level = codes.indices.fill_null(len(codes.dictionary))
        pattern, _ = pd.factorize(pattern * (len(codes.dictionary) + 1) + level.to_numpy())
    pattern = pattern.astype(np.int64)
    # pd.factorize numbers patterns in order of first appearance: take those rows
    first = np.flatnonzero(~pd.Series(pattern).duplicated().to_numpy())
    patterns = arrow.select(covariates).take(pa.array(first)).to_pandas()
    patterns["n"] = np.bincount(pattern, weights=frame["n"].to_numpy(float),
                                minlength=len(first)).astype(np.int64)  # fmt: skip
    numeric = [c for c in covariates if pd.api.types.is_numeric_dtype(patterns[c])]
    for name in numeric:
        frame[name] = arrow.column(name).to_pandas()
    return _Sample(cells=frame, patterns=patterns, pattern=pattern, n_customers=len(customers))


def _customers_per_level(
    customers: np.ndarray,
    level: np.ndarray,
    n_levels: int,
    n_customers: int,
    max_bytes: int = 2**26,
) -> np.ndarray:
    """Distinct customers among the cells of each level: a level × customer mark,
    a block of levels at a time (at most ``max_bytes``), where hashing the pairs
    was three times slower."""
    block = max(1, max_bytes // max(n_customers, 1))
    out = np.zeros(n_levels, dtype=np.int64)
    for lo in range(0, n_levels, block):
        hi = min(lo + block, n_levels)
        inside = (level >= lo) & (level < hi)
        seen = np.zeros((hi - lo, n_customers), dtype=bool)
        seen[level[inside] - lo, customers[inside]] = True
        out[lo:hi] = seen.sum(axis=1)
    return out


def _warn_small_levels(sample: _Sample, design: Design, n_customers: int, cov: str) -> None:
    small, levels = [], []
    n = sample.cells["n"].to_numpy(np.int64)
    customers = sample.cells["_customer"].to_numpy(np.int64)
    for factor in design.factors:
        values = factor_values(sample.patterns[factor])
        names = sorted(values.unique())
        level = pd.Categorical(values, categories=names).codes.astype(np.int64)[sample.pattern]
        size = np.bincount(level, weights=n, minlength=len(names)).astype(np.int64)
        nunique = _customers_per_level(customers, level, len(names), n_customers)
        for lev, k_rows, k in zip(names, size, nunique, strict=True):
            if k_rows < MIN_LEVEL_ROWS or k < MIN_LEVEL_CUSTOMERS:
                small.append(f"{factor}={lev} ({k_rows} rows, {k} customers)")
                levels.append((factor, str(lev), int(k_rows), int(k)))
    if small:
        warnings.warn(
            SmallSampleWarning(
                "Few data behind " + "; ".join(small) + f" (fewer than {MIN_LEVEL_ROWS} rows "
                f"or {MIN_LEVEL_CUSTOMERS} customers): its revenue effect is imprecise.",
                key="revenue_small_levels", levels=levels, min_rows=MIN_LEVEL_ROWS,
                min_customers=MIN_LEVEL_CUSTOMERS,
            ),
            stacklevel=3,
        )  # fmt: skip
    if cov == "cluster" and n_customers < MIN_CLUSTERS:
        warnings.warn(
            SmallSampleWarning(
                f"Only {n_customers} customers to cluster on (fewer than {MIN_CLUSTERS}): "
                "cluster-robust standard errors are unreliable with so few clusters.",
                key="few_clusters",
                n=int(n_customers),
                least=MIN_CLUSTERS,
            ),
            stacklevel=3,
        )
