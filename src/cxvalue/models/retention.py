"""Retention: a discrete-time hazard model fitted on covariate-pattern cells.

The probability that an active customer churns in a month, given their NPS
category (as of the start of the month) and controls, is a Binomial GLM with
a complementary log-log (default) or logit link. The panel is reduced in the
engine to one row per covariate pattern with its churn events and exposure
(customer-months at risk); the Binomial likelihood of those counts is the
row-level Bernoulli likelihood up to a constant, so estimates and standard
errors are exactly those of the row-level fit, for categorical and numeric
covariates alike (a numeric covariate simply makes more patterns).

With the cloglog link, exp(coefficient) is a hazard ratio: the discrete-time
model of a continuous-time proportional-hazards process observed monthly
(Prentice & Gloeckler, 1978). With the logit link it is an odds ratio.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.genmod.families import links
from statsmodels.tools.sm_exceptions import ConvergenceWarning as SMConvergenceWarning
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from cxvalue._categories import CATEGORIES, NOT_SURVEYED
from cxvalue._panel_inputs import require
from cxvalue._validation import check_choice, check_param
from cxvalue.errors import ConvergenceWarning, InputError, SmallSampleWarning
from cxvalue.models._design import (
    Design,
    factor_values,
    make_design,
    split_covariates,
    term_name,
)
from cxvalue.panel import Panel, _table_and_backend

__all__ = ["DEFAULT_CONTROLS", "RetentionModel", "fit_retention"]

#: Controls used when none are named: the obvious confounders.
DEFAULT_CONTROLS = ("segment", "size_band", "tenure_band")
LINKS = ("cloglog", "logit")
#: Fewer churn events than this in a category or control level: a warning.
MIN_EVENTS = 10


@dataclass(frozen=True)
class RetentionModel:
    """A fitted discrete-time hazard model of monthly churn.

    Attributes
    ----------
    params : pandas.Series
        Coefficients on the link scale, by term (``category[promoter]``, …).
    cov : pandas.DataFrame
        Their covariance matrix.
    design : Design
        The treatment coding (reference category: passive).
    link : {"cloglog", "logit"}
        The link; exp(coefficient) is a hazard ratio (cloglog) or odds ratio.
    controls : tuple of str
        What the estimates are adjusted for.
    cells : pandas.DataFrame
        The covariate patterns fitted: covariates, ``n_rows``, ``exposure``
        (customer-months at risk), ``events``.
    base : pandas.DataFrame
        The customers at risk in the panel's last month who did not churn in
        it, by covariate pattern
        (``n`` customers, ``revenue`` summed): the "actual mix" of curves and
        the base that value calculations extrapolate to.
    churn_rule : str
        How churn was decided in the panel.
    data_end : pandas.Timestamp or None
        The panel's last month (the month ``base`` describes).
    flags : dict of str to str
        Terms whose estimate cannot be trusted, with the reason.
    result : statsmodels GLMResults
        The underlying fit, for anything not wrapped here.
    """

    params: pd.Series
    cov: pd.DataFrame
    design: Design
    link: str
    controls: tuple[str, ...]
    cells: pd.DataFrame
    base: pd.DataFrame
    churn_rule: str
    level: float = 0.95
    data_end: pd.Timestamp | None = None
    flags: dict[str, str] = field(default_factory=dict)
    result: Any = field(default=None, repr=False)

    @property
    def effect_name(self) -> str:
        """``hazard ratio`` (cloglog) or ``odds ratio`` (logit)."""
        return "hazard ratio" if self.link == "cloglog" else "odds ratio"

    @property
    def categories(self) -> list[str]:
        """The categories fitted, in the house order."""
        levels = self.design.factors["category"]
        return [c for c in CATEGORIES if c in levels]

    @property
    def exposure(self) -> int:
        """Customer-months at risk in the fit."""
        return int(self.cells["exposure"].sum())

    @property
    def events(self) -> int:
        """Churn events in the fit."""
        return int(self.cells["events"].sum())

    @property
    def reference_levels(self) -> dict[str, str]:
        """Each factor control at the level of the typical customer (its most common)."""
        factors, _ = self._control_kinds()
        return {f: self.design.reference(f) for f in factors}

    @property
    def numeric_means(self) -> dict[str, float]:
        """Each numeric control's mean over the customer-months at risk (the typical
        customer's value)."""
        _, numeric = self._control_kinds()
        weights = self.cells["exposure"]
        return {v: float(np.average(self.cells[v], weights=weights)) for v in numeric}

    def adjusted_for(self) -> str:
        """The source-line phrase: ``adjusted for segment, size band, tenure band``."""
        if not self.controls:
            return "not adjusted for any control"
        return "adjusted for " + ", ".join(c.replace("_", " ") for c in self.controls)

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``term``, ``estimate`` (exp of the coefficient),
        ``lo``, ``hi``, ``p_value``, ``coef``, ``se``, ``note``."""
        z = stats.norm.ppf(0.5 + self.level / 2)
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        coef = self.params.to_numpy()
        with np.errstate(over="ignore"):
            frame = pd.DataFrame(
                {
                    "term": self.params.index,
                    "estimate": np.exp(coef),
                    "lo": np.exp(coef - z * se),
                    "hi": np.exp(coef + z * se),
                    "p_value": 2 * stats.norm.sf(np.abs(coef / se)),
                    "coef": coef,
                    "se": se,
                    "note": [self.flags.get(t, "") for t in self.params.index],
                }
            )
        # Without events the MLE does not exist: show no number rather than exp(-30).
        unbounded = frame["note"] == "no churn events"
        frame.loc[unbounded, ["estimate", "lo", "hi", "p_value"]] = np.nan
        return frame

    def hazard_ratios(self) -> pd.DataFrame:
        """Per category vs passives: ``estimate``, ``lo``, ``hi``, ``p_value``,
        ``events``, ``exposure`` (the reference row has estimate 1)."""
        terms = self.to_frame().set_index("term")
        by_cat = self.cells.groupby(factor_values(self.cells["category"]))[["events", "exposure"]]
        counts = by_cat.sum()
        rows = []
        for cat in self.categories:
            term = term_name("category", cat)
            row = terms.loc[term] if term in terms.index else None
            rows.append(
                {
                    "category": cat,
                    "estimate": 1.0 if row is None else row["estimate"],
                    "lo": np.nan if row is None else row["lo"],
                    "hi": np.nan if row is None else row["hi"],
                    "p_value": np.nan if row is None else row["p_value"],
                    "events": int(counts.loc[cat, "events"]),
                    "exposure": int(counts.loc[cat, "exposure"]),
                    "note": "reference" if row is None else row["note"],
                }
            )
        return pd.DataFrame(rows)

    def draw(self, n: int, seed: int | None = 0) -> np.ndarray:
        """``n`` draws of the coefficients from N(params, cov), shape (n, k).

        The first row is the point estimate itself, so that draw 0 of
        anything computed from the draws is the point value.
        """
        check_param(isinstance(n, int) and n >= 1, "n", "draw", "a positive integer", n)
        rng = np.random.default_rng(seed)
        mean, cov = self.params.to_numpy(), self.cov.to_numpy()
        draws = rng.multivariate_normal(mean, cov, size=n, method="eigh")
        draws[0] = mean
        return draws

    def hazard(self, profiles: pd.DataFrame, params: np.ndarray | None = None) -> np.ndarray:
        """Monthly churn probability of each row of ``profiles``.

        ``params`` may be one coefficient vector or draws (n, k); the result
        is (rows,) or (n, rows).
        """
        x = self.design.matrix(profiles)
        beta = self.params.to_numpy() if params is None else np.asarray(params)
        return inverse_link(self.link, beta @ x.T)

    def profiles(self, mix: str = "typical") -> pd.DataFrame:
        """Covariate profiles with weights ``w`` summing to 1 per category.

        ``"typical"``: one customer at the reference level of every control
        (the most common one). ``"actual"``: the customers at risk in the
        panel's last month, each given each category in turn, so that the
        categories are compared on the same mix of controls (standardisation).
        """
        check_choice(mix, ("typical", "actual"), "mix", "RetentionModel.profiles")
        if mix == "typical":
            base = pd.DataFrame([self.reference_levels | self.numeric_means])
            base["w"] = 1.0
        else:
            base = self.base.groupby(list(self.controls), dropna=False, as_index=False)["n"].sum()
            base["w"] = base["n"] / base["n"].sum()
            base = base.drop(columns="n")
        return pd.concat([base.assign(category=cat) for cat in self.categories], ignore_index=True)

    def survival(
        self,
        horizon: int = 36,
        *,
        mix: str = "typical",
        n_draws: int = 2000,
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """Survival curves S(t), t = 0 … ``horizon`` months, by category.

        S(t) is the probability of still being a customer after t months,
        with controls held at their current values (tenure bands do not age).
        Intervals come from ``n_draws`` draws of the coefficients.

        Returns
        -------
        pandas.DataFrame
            ``category``, ``month``, ``survival``, ``lo``, ``hi``.
        """
        check_param(isinstance(horizon, int) and horizon >= 1, "horizon", "survival",
                    "a positive integer", horizon)  # fmt: skip
        curves = self._curves(horizon, mix, n_draws, seed)  # (draws, categories, H+1)
        lo, hi = np.quantile(curves, [0.5 - self.level / 2, 0.5 + self.level / 2], axis=0)
        frames = [
            pd.DataFrame(
                {
                    "category": cat,
                    "month": np.arange(horizon + 1),
                    "survival": curves[0, i],
                    "lo": lo[i],
                    "hi": hi[i],
                }
            )  # fmt: skip
            for i, cat in enumerate(self.categories)
        ]
        return pd.concat(frames, ignore_index=True)

    def expected_lifetime(
        self,
        horizon: int = 36,
        *,
        mix: str = "typical",
        n_draws: int = 2000,
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """Expected months as a customer within the next ``horizon`` months.

        The sum of S(t) for t = 1 … horizon, by category, with interval.
        """
        curves = self._curves(horizon, mix, n_draws, seed)
        months = curves[..., 1:].sum(axis=-1)
        lo, hi = np.quantile(months, [0.5 - self.level / 2, 0.5 + self.level / 2], axis=0)
        return pd.DataFrame(
            {
                "category": self.categories,
                "months": months[0],
                "lo": lo,
                "hi": hi,
                "horizon": horizon,
            }  # fmt: skip
        )

    def monthly_churn(self, *, mix: str = "typical") -> pd.DataFrame:
        """The monthly churn probability by category (point estimates)."""
        prof = self.profiles(mix)
        h = self.hazard(prof)
        churn = (prof.assign(h=h * prof["w"])).groupby("category", sort=False)["h"].sum()
        return churn.reindex(self.categories).rename("monthly_churn").reset_index()

    def summary(self) -> str:
        """A readable account of the fit: data, adjustment, effects, caveats."""
        table = self.hazard_ratios()
        lines = [
            f"Retention model: monthly churn, {self.link} link "
            f"({self.effect_name}s vs passives), {self.adjusted_for()}",
            f"{self.exposure:,} customer-months at risk, {self.events:,} churn events, "
            f"{len(self.cells):,} covariate patterns; {self.churn_rule}",
            f"{int(self.level * 100)}% intervals",
            "",
        ]
        for row in table.itertuples():
            if row.note == "reference":
                lines.append(f"  {row.category:<13} {1:5.2f} (reference)  events {row.events:,}")
                continue
            note = f"  [{row.note}]" if row.note else ""
            if np.isnan(row.estimate):
                lines.append(f"  {row.category:<13}  n/a  events {row.events:,}{note}")
                continue
            lines.append(
                f"  {row.category:<13} {row.estimate:5.2f} [{row.lo:.2f}, {row.hi:.2f}]"
                f"  p={row.p_value:.3g}  events {row.events:,}{note}"
            )
        churn = self.monthly_churn()
        lines += ["", "Monthly churn of a typical customer:"]
        lines += [f"  {r.category:<13} {r.monthly_churn:.2%}" for r in churn.itertuples()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"RetentionModel({self.link}, {self.adjusted_for()}, "
            f"{self.exposure:,} customer-months, {self.events:,} events)"
        )

    def _control_kinds(self) -> tuple[list[str], list[str]]:
        factors = [f for f in self.design.factors if f != "category"]
        return factors, list(self.design.numeric)

    def _curves(self, horizon: int, mix: str, n_draws: int, seed: int | None) -> np.ndarray:
        prof = self.profiles(mix)
        h = self.hazard(prof, self.draw(n_draws, seed))  # (draws, rows)
        t = np.arange(horizon + 1)
        surv = (1.0 - h)[..., None] ** t  # (draws, rows, H+1)
        weighted = surv * prof["w"].to_numpy()[None, :, None]
        codes = pd.Categorical(prof["category"], categories=self.categories).codes
        out = np.zeros((surv.shape[0], len(self.categories), horizon + 1))
        np.add.at(out, (slice(None), codes), weighted)
        return out


def inverse_link(link: str, eta: np.ndarray) -> np.ndarray:
    """The monthly churn probability from the linear predictor."""
    eta = np.asarray(eta, dtype=float)
    if link == "cloglog":
        return -np.expm1(-np.exp(np.minimum(eta, 30.0)))
    return 1.0 / (1.0 + np.exp(-eta))


def fit_retention(
    panel: Panel | pd.DataFrame,
    controls: Sequence[str] = DEFAULT_CONTROLS,
    *,
    link: str = "cloglog",
    level: float = 0.95,
) -> RetentionModel:
    """Fit the monthly churn hazard by NPS category with controls.

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        The customer-month panel (:func:`cxvalue.build_panel`): one row per
        customer and month.
    controls : sequence of str
        Panel columns to adjust for. Text columns are factors (one term per
        level); numeric columns (e.g. ``tenure_months``) enter linearly.
        Default: segment, size band and tenure band.
    link : {"cloglog", "logit"}
        cloglog (default) gives hazard ratios; logit gives odds ratios.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    RetentionModel

    Raises
    ------
    InputError
        No customer-month at risk, or none with a survey answer (every one
        ``not_surveyed``: the responses key customers unlike the revenue, or their
        answers fall outside its months).

    Warns
    -----
    SmallSampleWarning
        A category or control level with fewer than 10 churn events, or
        none at all (its estimate is then flagged: the data cannot tell).
    ConvergenceWarning
        The fit did not converge.

    Examples
    --------
    >>> model = cx.fit_retention(panel)  # doctest: +SKIP
    >>> print(model.summary())  # doctest: +SKIP
    """
    check_choice(link, LINKS, "link", "fit_retention")
    check_param(0 < level < 1, "level", "fit_retention", "a number in (0, 1)", level)
    controls = tuple(controls)
    columns = panel.columns if isinstance(panel, Panel) else list(panel.columns)
    _check_columns(columns, ["category", "churned", *controls])
    table, base = _cells_and_base(panel, columns, controls)
    if table.empty:
        raise InputError("fit_retention(): the panel has no customer-months at risk.")
    if (table["category"] == NOT_SURVEYED).all():
        raise InputError(
            "fit_retention(): no customer-month at risk has a survey answer (every one is "
            "'not_surveyed'), so there is no effect of NPS to measure. Do the responses key "
            "customers as the revenue does ('00012345' against '12345', 'C-12345')? Compare a "
            "few of each table's customer_id; the answers must also fall within the revenue's "
            "months."
        )
    factors, numeric = split_covariates(table, ["category", *controls])
    design = make_design(table, factors, numeric, weights=table["exposure"])
    flags = _flag_levels(table, design)
    result = _fit_glm(table, design, link)
    params = pd.Series(result.params, index=design.terms)
    cov = pd.DataFrame(result.cov_params(), index=design.terms, columns=design.terms)
    return RetentionModel(
        params=params,
        cov=cov,
        design=design,
        link=link,
        controls=controls,
        cells=table,
        base=base,
        churn_rule=getattr(panel, "churn_rule", "churn as given in the panel"),
        level=level,
        data_end=_data_end(panel, columns),
        flags=flags,
        result=result,
    )


def _check_columns(found: Sequence[str], needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in found]
    if missing:
        raise InputError(
            f"fit_retention(): the panel has no column {missing[0]!r}. Controls must be panel "
            f"columns; found: {', '.join(found)}."
        )


def _fit_glm(table: pd.DataFrame, design: Design, link: str) -> Any:
    events = table["events"].to_numpy(float)
    endog = np.column_stack([events, table["exposure"].to_numpy(float) - events])
    family = sm.families.Binomial(link=links.CLogLog() if link == "cloglog" else links.Logit())
    model = sm.GLM(endog, design.matrix(table), family=family)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=PerfectSeparationWarning)
        result = model.fit(maxiter=100)
    # statsmodels' perfect-prediction check also fires for any saturated grouped
    # design (fitted shares equal observed shares), so separation is judged here:
    # levels without events are flagged by _flag_levels, runaway estimates below.
    runaway = np.any(np.abs(result.params) > 15) or not np.all(np.isfinite(result.bse))
    trouble = [w for w in caught if issubclass(w.category, SMConvergenceWarning)]
    if trouble or runaway or not result.converged:
        reason = "an estimate runs off to infinity (separation)" if runaway else "no convergence"
        warnings.warn(
            ConvergenceWarning(
                f"fit_retention(): the hazard model did not converge cleanly ({reason}); "
                "estimates of flagged terms are not reliable.",
                key="no_convergence",
                separation=bool(runaway),
            ),
            stacklevel=3,
        )
    return result


def _flag_levels(table: pd.DataFrame, design: Design) -> dict[str, str]:
    """Warn about levels with few or no events; return the flags by term."""
    flags: dict[str, str] = {}
    for factor, levels in design.factors.items():
        sums = table.groupby(factor_values(table[factor]))[["events", "exposure"]].sum()
        for level in levels:
            events, exposure = int(sums.loc[level, "events"]), int(sums.loc[level, "exposure"])
            if events >= MIN_EVENTS and exposure - events >= MIN_EVENTS:
                continue
            why = "no churn events" if events == 0 else f"only {events} churn events"
            if exposure - events < MIN_EVENTS:
                why = f"only {exposure - events} customer-months without churn"
            if level != levels[0]:
                flags[term_name(factor, level)] = why
            warnings.warn(
                SmallSampleWarning(
                    f"fit_retention(): {factor} = {level!r} has {why} in {exposure:,} "
                    "customer-months; its estimate is not reliable"
                    + (" (no events: the data cannot bound it from below)." if events == 0
                       else "."),
                    key="thin_level", factor=factor, level=str(level), events=events,
                    exposure=exposure, least=MIN_EVENTS,
                ),
                stacklevel=3,
            )  # fmt: skip
    return flags


def _data_end(panel: Any, columns: Sequence[str]) -> pd.Timestamp | None:
    end = getattr(panel, "data_end", None)
    if end is None and "period" in columns and isinstance(panel, pd.DataFrame):
        end = panel["period"].max()
    return None if end is None or pd.isna(end) else pd.Timestamp(end)


def cells_query(panel: Panel, controls: Sequence[str]) -> ir.Table:
    """The one grouped query :func:`fit_retention` runs on ``panel`` (see
    :func:`_cells_and_base`); for :meth:`Panel.prefetch`."""
    snapshot = panel.kind == "snapshot"
    return _grouped_cells(panel.expr, panel.columns, tuple(controls), panel.data_end, snapshot)


def _grouped_cells(
    table: ir.Table,
    columns: Sequence[str],
    controls: tuple[str, ...],
    end: pd.Timestamp | None,
    snapshot: bool = False,
) -> ir.Table:
    """Cells by the pattern and ``churned``, and by the month (or, in a snapshot panel,
    whether the row is its customer's last) for telling the base apart."""
    by = ["category", *controls]
    require(table, [*by, "customer_id", "churned"], "panel")
    if "at_risk" in columns:
        table = table.filter(table.at_risk == 1)
    # plain columns as keys, no filtered aggregates: the base is told apart in pandas
    # (on DuckDB 13% faster than counting the last month's survivors in the query)
    keys = [*by, "churned", *(["period"] if end is not None else [])]
    if snapshot:  # the customer's last month at risk: where the snapshot finds them
        last = table.tenure_months.max().over(group_by=table.customer_id)
        table = table.mutate(last_row=table.tenure_months == last)
        keys.append("last_row")
    metrics = {"n_rows": table.count()}
    if "revenue" in columns:
        revenue = table.revenue.cast("float64")
        metrics |= {"revenue": revenue.sum(), "revenue_sq": (revenue * revenue).sum()}
    return table.group_by(keys).aggregate(**metrics)


def _cells_and_base(
    panel: Any, columns: Sequence[str], controls: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The covariate-pattern cells and the current base, from one grouped pass in the engine.

    Cells: the at-risk customer-months (all rows without an ``at_risk`` column) by
    category and controls, with ``n_rows``, ``exposure`` and ``events``. Base: the
    customers at risk in the panel's last month who did not churn in it (in a
    snapshot panel, the customers who had not churned at the snapshot, on their last
    row; every at-risk row when a table has no months), by the same pattern: ``n``
    customers, ``revenue`` and ``revenue_sq`` summed. A panel has one row per
    customer and month, so the base's rows are its customers.

    Both come from one grouped pass, by the pattern, ``churned`` and the month (a
    snapshot's last rows).
    """
    by = ["category", *controls]
    if isinstance(panel, Panel):
        end = panel.data_end
        frame = panel.fetch(cells_query(panel, controls)).to_pandas()
    else:
        table, con = _table_and_backend(panel)
        end = _data_end(panel, columns)
        frame = con.to_pyarrow(_grouped_cells(table, columns, controls, end)).to_pandas()
    churned = frame["churned"].astype("float64")
    frame["events"] = churned.fillna(0.0).astype("int64") * frame["n_rows"]
    in_base = churned.notna() if "at_risk" not in columns else np.ones(len(frame), bool)
    if end is not None:
        in_base &= (pd.to_datetime(frame["period"]) == end) & (churned == 0)
    if "last_row" in frame:
        in_base &= frame["last_row"].astype(bool) & (churned == 0)
    sums = ["revenue", "revenue_sq"] if "revenue" in columns else []
    group = {"by": by, "dropna": False, "sort": True}
    cells_ = frame.groupby(**group)[["n_rows", "events"]].sum().reset_index()
    cells_.insert(len(by) + 1, "exposure", cells_["n_rows"])
    base = frame[in_base].groupby(**group)[["n_rows", *sums]].sum(min_count=1).reset_index()
    base = base.rename(columns={"n_rows": "n"})
    if sums:
        base[sums] = base[sums].astype("float64").fillna(0.0)
    else:
        base[["revenue", "revenue_sq"]] = np.nan
    cells_ = cells_[cells_["n_rows"] > 0].reset_index(drop=True)
    base = base[base["n"] > 0].reset_index(drop=True)
    return cells_[[*by, "n_rows", "exposure", "events"]], base[[*by, "n", "revenue", "revenue_sq"]]
