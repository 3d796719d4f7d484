"""Is NPS the right signal here? Compare ways of expressing the score on hold-out churn.

Keiningham et al. (2007) found NPS no better at predicting customer behaviour
than satisfaction or other simple metrics. :func:`compare_metrics` asks the
question of *your* data: the same monthly churn hazard model (a Binomial
GLM on covariate-pattern cells, as :func:`cxvalue.models.fit_retention`),
fitted with the survey answer expressed in different ways, trained on the
earlier months and scored on the later ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.genmod.families import links
from statsmodels.tools.sm_exceptions import ConvergenceWarning as SMConvergenceWarning
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from cxvalue._categories import NOT_SURVEYED, PROMOTER
from cxvalue._panel_columns import answer_spans
from cxvalue._panel_inputs import month_index, to_table
from cxvalue._validation import check_choice, check_param
from cxvalue.errors import ConvergenceWarning, DataWarning, InputError, SmallSampleWarning
from cxvalue.models._design import factor_values, make_design, split_covariates
from cxvalue.models.retention import DEFAULT_CONTROLS, LINKS, inverse_link
from cxvalue.panel import Panel, cells

__all__ = ["BUILTIN_SIGNALS", "attach_latest", "auc_from_cells", "compare_metrics"]

#: The built-in ways of expressing an answer, with their descriptions.
BUILTIN_SIGNALS = {
    "category": "NPS category: promoter and detractor terms vs passive",
    "score": "raw score, linear",
    "top2box": "top-2-box: promoters (9-10 of 0-10) vs the rest",
}
#: Score columns of the responses table brought onto the panel when present.
EXTRA_SCORES = ("csat",)
#: Extra rows in the output that are not a score signal.
BASELINE = "(controls only)"
#: Train/test flag column and the hidden integer month used while comparing.
_TEST, _MONTH = "_cmp_test", "_cmp_m"


@dataclass(frozen=True)
class _Signal:
    """One way of expressing the answer: its name, covariates, factors, description."""

    name: str
    columns: tuple[str, ...]  # columns of the cells table the model uses
    factors: tuple[str, ...]  # those treated as factors
    description: str


def compare_metrics(
    panel: Panel | pd.DataFrame,
    responses: Any | None = None,
    *,
    controls: Sequence[str] = DEFAULT_CONTROLS,
    holdout_months: int = 12,
    signals: Sequence[str] | None = None,
    link: str = "cloglog",
    baseline: bool = True,
) -> pd.DataFrame:
    """Which expression of the survey answer best predicts next month's churn?

    Fits the monthly churn hazard (Binomial GLM, ``link``) with the same
    ``controls`` and one signal at a time, on customer-months before the
    hold-out window, then predicts the churn probability of each
    customer-month in the hold-out window (the last ``holdout_months``
    months of the panel) and scores the prediction.

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        The customer-month panel (:func:`cxvalue.build_panel`). A DataFrame
        needs ``customer_id``, ``period``, ``churned``, ``score`` (and
        ``category`` for the category signal), the controls, and
        ``at_risk`` if some rows are not at risk.
    responses : table, optional
        The canonical responses table the panel was built from. Its extra
        score columns (``csat``) are brought onto the panel by the panel's
        own rule: each month takes the value on the *same* response that
        gave the month its ``score`` (the latest answer at or before the
        start of the month, within ``recency_months``). Needs a monthly
        :class:`Panel`.
    controls : sequence of str
        Panel columns adjusted for in every model (text: factors; numeric:
        linear). Default: segment, size band, tenure band.
    holdout_months : int
        Months at the end of the panel's periods that form the test set.
    signals : sequence of str, optional
        Which signals to compare. Built in: ``"category"`` (promoter and
        detractor terms, reference passive), ``"score"`` (the score as answered,
        linear), ``"top2box"`` (promoters vs the rest: 9-10 on the 0-10 scale, the
        top of any other scale the categories were read on). Any other name is a
        numeric column of the panel (or a score column of ``responses``),
        entered linearly. Default: the three built-ins plus ``csat`` when
        the panel or ``responses`` carries it.
    link : {"cloglog", "logit"}
        The link of the hazard model.
    baseline : bool
        Add a row ``(controls only)``: the model without any signal, the
        yardstick a signal has to beat.

    Returns
    -------
    pandas.DataFrame
        One row per signal, best first: ``signal``, ``description``,
        ``log_loss`` (mean negative Bernoulli log-likelihood per hold-out
        customer-month), ``auc`` (probability that a churning customer-month
        was given a higher predicted churn probability than a retained one,
        ties counted as 0.5), ``brier`` (mean squared error of the
        probability), ``log_loss_vs_baseline`` (difference to the
        controls-only row; negative = the signal helps), ``n_params``,
        ``n_train`` and ``events_train`` (customer-months and churn events
        fitted), ``n_test`` and ``events_test`` (scored), and ``best`` (the
        lowest hold-out log loss).

    Raises
    ------
    InputError
        A column is missing, a signal is unknown, or the train or test
        window is empty or has no churn events to learn from.

    Warns
    -----
    DataWarning
        The hold-out window has no churn events, or no retained
        customer-months (``auc`` is then NaN), or hold-out cells with a
        level the training months never saw were left out of every signal.
    SmallSampleWarning
        Fewer than 10 churn events in the hold-out window.

    Notes
    -----
    *Same rows for every signal.* Only customer-months at risk with a score
    (surveyed within ``recency_months``) and a value for every signal are
    used, by every signal alike; customer-months not surveyed are left out
    (they would add the same ``not_surveyed`` term to every model and
    dilute the differences). ``n_train`` and ``n_test`` say how many were
    kept. A signal needing a column that is mostly empty therefore shrinks
    the sample for all; compare it separately if that matters.

    *How to read it.* Lower log loss is better and is the main criterion:
    it rewards calibrated probabilities, which is what the value
    calculations use. With monthly churn of a few per cent, log losses sit
    near 0.1 and the differences between signals are small: treat
    differences below about 0.001 (or a few times ``1 / n_test``) as noise
    and the signals as equivalent. AUC (higher is better, 0.5 is chance)
    says how well the signal *ranks* customers; with three categories and
    few controls many customer-months tie. If no signal beats
    ``(controls only)``, the survey adds nothing to churn prediction beyond
    the controls on this data. A single train/test split in time is one
    draw: a change in churn level between the windows moves every signal
    alike.

    The work is done on cells: one engine query groups customer-months by
    train/test, score, category, extra score columns and controls; every
    model and metric is computed from those counts (the Binomial likelihood
    of a cell is the row-level likelihood summed over its rows).

    Examples
    --------
    >>> compare_metrics(panel, responses)  # doctest: +SKIP
    """
    check_choice(link, LINKS, "link", "compare_metrics")
    ok = isinstance(holdout_months, int) and not isinstance(holdout_months, bool)
    check_param(ok and holdout_months >= 1, "holdout_months", "compare_metrics",
                "a positive integer", holdout_months)  # fmt: skip
    controls = tuple(controls)
    panel = _as_panel(panel)
    _require(panel.columns, ["customer_id", "period", "churned", "score"])
    resp_cols = [] if responses is None else _columns_of(responses, panel)
    wanted = _wanted_signals(panel, resp_cols, signals)
    extras = [s for s in wanted if s not in BUILTIN_SIGNALS]
    from_responses = [s for s in extras if s not in panel.columns]
    if from_responses:
        panel = attach_latest(panel, responses, from_responses)
    specs = [_signal_spec(name, panel) for name in wanted]
    needed = sorted({c for s in specs for c in s.columns} | {"score"})
    _require(panel.columns, ["period", "churned", *needed, *controls])

    table = _cells(panel, needed, controls, holdout_months)
    train, test = _split(table, specs, controls)
    rows = [_score_signal(s, train, test, controls, link) for s in specs]
    if baseline:
        rows.append(_score_signal(_Signal(BASELINE, (), (), "no signal: controls and intercept"),
                                  train, test, controls, link))  # fmt: skip
    out = pd.DataFrame(rows)
    if baseline:
        out["log_loss_vs_baseline"] = out["log_loss"] - float(out["log_loss"].iloc[-1])
    else:
        out["log_loss_vs_baseline"] = np.nan
    out["best"] = out["log_loss"] == out["log_loss"].min()
    out = out.sort_values("log_loss", kind="stable").reset_index(drop=True)
    cols = ["signal", "description", "log_loss", "auc", "brier", "log_loss_vs_baseline",
            "n_params", "n_train", "events_train", "n_test", "events_test", "best"]  # fmt: skip
    return out[cols]


# ---------------------------------------------------------------------------
# AUC and log loss on cells


def auc_from_cells(prob: np.ndarray, events: np.ndarray, exposure: np.ndarray) -> float:
    """The AUC (Mann-Whitney) of predictions ``prob`` scored on cell counts.

    Each cell holds ``exposure`` customer-months, ``events`` of them
    churning, all with predicted probability ``prob``. The AUC is the
    probability that a random event has a higher prediction than a random
    non-event, ties (equal predictions, within or across cells) counting
    one half; exactly the row-level value, without expanding to rows.

    Returns NaN when there are no events or no non-events.
    """
    prob = np.asarray(prob, dtype=float)
    pos = np.asarray(events, dtype=float)
    neg = np.asarray(exposure, dtype=float) - pos
    # Equal predictions form one group: their pairs are ties.
    values, group = np.unique(prob, return_inverse=True)
    pos_g = np.bincount(group, weights=pos, minlength=len(values))
    neg_g = np.bincount(group, weights=neg, minlength=len(values))
    n_pos, n_neg = pos_g.sum(), neg_g.sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    below = np.cumsum(neg_g) - neg_g  # non-events with a strictly lower prediction
    return float((pos_g * (below + 0.5 * neg_g)).sum() / (n_pos * n_neg))


def _log_loss(prob: np.ndarray, events: np.ndarray, exposure: np.ndarray) -> float:
    p = np.clip(prob, 1e-15, 1 - 1e-15)
    ll = events * np.log(p) + (exposure - events) * np.log1p(-p)
    return float(-ll.sum() / exposure.sum())


def _brier(prob: np.ndarray, events: np.ndarray, exposure: np.ndarray) -> float:
    sq = events * (1 - prob) ** 2 + (exposure - events) * prob**2
    return float(sq.sum() / exposure.sum())


# ---------------------------------------------------------------------------
# signals


def _wanted_signals(
    panel: Panel, resp_cols: Sequence[str], signals: Sequence[str] | None
) -> list[str]:
    if signals is None:
        extras = [c for c in EXTRA_SCORES if c in panel.columns or c in resp_cols]
        return [*BUILTIN_SIGNALS, *extras]
    check_param(not isinstance(signals, str), "signals", "compare_metrics",
                "a sequence of signal names", signals)  # fmt: skip
    wanted = list(dict.fromkeys(signals))
    check_param(bool(wanted), "signals", "compare_metrics", "at least one signal", signals)
    for name in wanted:
        if name in BUILTIN_SIGNALS or name in panel.columns or name in resp_cols:
            continue
        raise InputError(
            f"compare_metrics(): unknown signal {name!r}. Built in: "
            f"{', '.join(BUILTIN_SIGNALS)}; any other signal must be a numeric column of the "
            "panel or of the responses table (pass responses=)."
        )
    return wanted


def _signal_spec(name: str, panel: Panel) -> _Signal:
    if name == "category":
        return _Signal(name, ("category",), ("category",), BUILTIN_SIGNALS[name])
    if name == "score":
        return _Signal(name, ("score",), (), BUILTIN_SIGNALS[name])
    if name == "top2box":
        return _Signal(name, ("category",), (), BUILTIN_SIGNALS[name])
    dtype = panel.expr[name].type()
    if not dtype.is_numeric() or dtype.is_boolean():
        raise InputError(
            f"compare_metrics(): signal {name!r} is a {dtype} column; other signals must be "
            "numeric scores (entered linearly)."
        )
    return _Signal(name, (name,), (), f"{name}, linear")


def _design_frame(signal: _Signal, table: pd.DataFrame) -> pd.DataFrame:
    """The cells table with the signal's covariate(s) under the signal's own name."""
    frame = table.copy()
    if signal.name == "top2box":
        # the category as read: 9-10 of 0-10, 4-5 of a 1-5 CSAT (a score >= 9 is none there)
        frame["top2box"] = (frame["category"] == PROMOTER).astype(float)
    elif signal.columns and signal.columns[0] != signal.name:
        frame[signal.name] = frame[signal.columns[0]]
    return frame


# ---------------------------------------------------------------------------
# cells, split, fit, score


def _cells(
    panel: Panel, needed: list[str], controls: tuple[str, ...], holdout: int
) -> pd.DataFrame:
    expr = panel.expr
    months = month_index(expr.period)
    last = int(panel.backend.execute(expr.aggregate(last=months.max()))["last"].iloc[0])
    expr = expr.mutate(**{_TEST: ibis.ifelse(months > last - holdout, 1, 0).cast("int64")})
    staged = replace(panel, expr=expr)
    at_risk = "at_risk" in expr.columns

    def where(t: ir.Table) -> ir.BooleanValue:
        keep = t.score.notnull()
        for c in needed:
            keep = keep & t[c].notnull()
        if "category" in needed:
            keep = keep & (t.category != NOT_SURVEYED)
        return keep & (t.at_risk == 1) if at_risk else keep

    by = [_TEST, *needed, *(c for c in controls if c not in needed)]
    table = cells(staged, by, where=where)
    return table[table["exposure"] > 0].reset_index(drop=True)


def _split(
    table: pd.DataFrame, specs: list[_Signal], controls: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    train = table[table[_TEST] == 0].reset_index(drop=True)
    test = table[table[_TEST] == 1].reset_index(drop=True)
    if train.empty or int(train["events"].sum()) == 0:
        raise InputError(
            "compare_metrics(): the months before the hold-out window have "
            + ("no surveyed customer-months at risk" if train.empty else "no churn events")
            + "; there is nothing to fit. Use a shorter holdout_months or a longer panel."
        )
    if test.empty:
        raise InputError(
            "compare_metrics(): the hold-out window has no surveyed customer-months at risk; "
            "there is nothing to score."
        )
    factors = {f for s in specs for f in s.factors}
    factors |= set(split_covariates(train, list(controls))[0])
    unseen = np.zeros(len(test), dtype=bool)
    for f in sorted(factors):
        unseen |= ~factor_values(test[f]).isin(set(factor_values(train[f]))).to_numpy()
    if unseen.any():
        dropped = int(test.loc[unseen, "exposure"].sum())
        warnings.warn(
            f"compare_metrics(): {dropped:,} hold-out customer-months have a level of "
            f"{', '.join(sorted(factors))} that the training months never saw; they are left "
            "out of every signal's score.",
            DataWarning,
            stacklevel=3,
        )
        test = test[~unseen].reset_index(drop=True)
    events, n = int(test["events"].sum()), int(test["exposure"].sum())
    if events == 0 or events == n:
        what = "no churn events" if events == 0 else "no retained customer-months"
        warnings.warn(
            f"compare_metrics(): the hold-out window has {what} in {n:,} customer-months; "
            "AUC is undefined (NaN) and log loss says little.",
            DataWarning,
            stacklevel=3,
        )
    elif events < 10:
        warnings.warn(
            f"compare_metrics(): only {events} churn events in the hold-out window; the "
            "metrics are noisy.",
            SmallSampleWarning,
            stacklevel=3,
        )
    return train, test


def _score_signal(
    signal: _Signal, train: pd.DataFrame, test: pd.DataFrame, controls: tuple[str, ...], link: str
) -> dict[str, Any]:
    tr, te = _design_frame(signal, train), _design_frame(signal, test)
    covariates = [*((signal.name,) if signal.columns else ()), *controls]
    ctrl_factors, ctrl_numeric = split_covariates(tr, list(controls))
    factors = [*((signal.name,) if signal.factors else ()), *ctrl_factors]
    numeric = [c for c in covariates if c not in factors]
    design = make_design(tr, factors, numeric, weights=tr["exposure"])
    result = _fit(tr, design.matrix(tr), link, signal.name)
    prob = inverse_link(link, design.matrix(te) @ result.params)
    events, exposure = te["events"].to_numpy(float), te["exposure"].to_numpy(float)
    return {
        "signal": signal.name,
        "description": signal.description,
        "log_loss": _log_loss(prob, events, exposure),
        "auc": auc_from_cells(prob, events, exposure),
        "brier": _brier(prob, events, exposure),
        "n_params": len(design.terms),
        "n_train": int(tr["exposure"].sum()),
        "events_train": int(tr["events"].sum()),
        "n_test": int(exposure.sum()),
        "events_test": int(events.sum()),
    }


def _fit(table: pd.DataFrame, x: np.ndarray, link: str, name: str) -> Any:
    events = table["events"].to_numpy(float)
    endog = np.column_stack([events, table["exposure"].to_numpy(float) - events])
    family = sm.families.Binomial(link=links.CLogLog() if link == "cloglog" else links.Logit())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sm.GLM(endog, x, family=family).fit(maxiter=100)
    trouble = [w for w in caught if issubclass(w.category, (SMConvergenceWarning,
                                                            PerfectSeparationWarning))]  # fmt: skip
    if trouble or not result.converged:
        warnings.warn(
            f"compare_metrics(): the model with signal {name!r} did not converge cleanly; "
            "its hold-out scores may be off.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return result


# ---------------------------------------------------------------------------
# panel plumbing


def attach_latest(panel: Panel, responses: Any, columns: Sequence[str]) -> Panel:
    """Add response columns to the panel by the panel's own latest-response rule.

    Each customer-month takes ``columns`` from the response that gives it its
    ``score``: the latest answer with a score given at or before midnight on
    the first of the month and after the same point ``recency_months``
    earlier (ties: the larger ``response_id``). Months with none get NULL.
    """
    if responses is None or panel.kind != "monthly" or panel.recency_months is None:
        raise InputError(
            f"compare_metrics(): {', '.join(map(repr, columns))} is not a panel column; to "
            "bring it from the responses table pass responses= with a monthly Panel from "
            "cxvalue.build_panel()."
        )
    resp = to_table(responses, panel.backend, "responses")
    missing = [c for c in ("customer_id", "responded_at", "score", *columns)
               if c not in resp.columns]  # fmt: skip
    if missing:
        raise InputError(f"compare_metrics(): the responses table has no column {missing[0]!r}.")
    used = [c for c in ("response_id", "category") if c in resp.columns and c not in columns]
    answers = resp.select("customer_id", "responded_at", "score", *used, *columns)
    spans = answer_spans(answers.rename(key="customer_id"), panel.recency_months, columns)
    spans = spans.select("a_key", "eff", "until", *(f"r_{c}" for c in columns))
    expr = panel.expr.mutate(**{_MONTH: month_index(panel.expr.period)})
    month = expr[_MONTH]
    joined = expr.left_join(spans, [expr.customer_id == spans.a_key, month >= spans.eff,
                                    month < spans.until])  # fmt: skip
    joined = joined.mutate(**{c: joined[f"r_{c}"] for c in columns})
    joined = joined.drop(_MONTH, "a_key", "eff", "until", *(f"r_{c}" for c in columns))
    return replace(panel, expr=joined)


def _as_panel(panel: Panel | pd.DataFrame) -> Panel:
    if isinstance(panel, Panel):
        return panel
    if isinstance(panel, pd.DataFrame):
        return Panel(
            expr=ibis.memtable(panel),
            backend=ibis.duckdb.connect(),
            window_months=None,
            churn_after_months=None,
            churn_rule="churn as given in the panel",
            recency_months=None,
            data_end=None,
            kind="frame",
        )
    check_param(False, "panel", "compare_metrics", "a Panel or a pandas DataFrame",
                type(panel).__name__)  # fmt: skip
    raise AssertionError  # unreachable


def _columns_of(responses: Any, panel: Panel) -> list[str]:
    return list(to_table(responses, panel.backend, "responses").columns)


def _require(found: Sequence[str], needed: Sequence[str]) -> None:
    missing = [c for c in dict.fromkeys(needed) if c not in found]
    if missing:
        raise InputError(
            f"compare_metrics(): the panel has no column {missing[0]!r}; found: {', '.join(found)}."
        )
