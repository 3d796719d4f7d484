"""Design matrices for the models: treatment coding of covariate-pattern cells.

The models are fitted on cells, one row per distinct covariate pattern
(category × controls), not on customer-months: for a GLM or OLS whose
covariates are constant within a cell this gives the same estimates and
standard errors as the row-level fit at a fraction of the cost. A
:class:`Design` remembers the factor levels it was built with, so the same
coding applies to new frames (prediction, scenarios, a hold-out window).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxvalue._categories import REFERENCE
from cxvalue.errors import InputError

INTERCEPT = "Intercept"
#: The label of a missing value of a factor (its own level, never dropped).
MISSING = "(missing)"
#: Levels a factor control may have (industries, regions); more is an error.
MOST_LEVELS = 100


def term_name(factor: str, level: str) -> str:
    """The name of a treatment-coded column: ``category[promoter]``."""
    return f"{factor}[{level}]"


@dataclass(frozen=True)
class Design:
    """Treatment coding: an intercept, one column per non-reference level, numerics.

    Attributes
    ----------
    factors : dict of str to tuple of str
        Each factor's levels, the reference level first.
    numeric : tuple of str
        Numeric covariates, entered linearly.
    """

    factors: Mapping[str, tuple[str, ...]]
    numeric: tuple[str, ...] = ()

    @property
    def terms(self) -> list[str]:
        """The column names of the design matrix, in order."""
        names = [INTERCEPT]
        for factor, levels in self.factors.items():
            names += [term_name(factor, level) for level in levels[1:]]
        return names + list(self.numeric)

    def reference(self, factor: str) -> str:
        """The reference level of ``factor``."""
        return self.factors[factor][0]

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The design matrix of ``frame`` (float64, one row per row of ``frame``).

        Raises :class:`InputError` when ``frame`` holds a level the design
        has not seen: a model cannot say anything about it.
        """
        columns = [np.ones(len(frame))]
        for factor, levels in self.factors.items():
            values = factor_values(frame[factor])
            unknown = sorted(set(values.unique()) - set(levels))
            if unknown:
                raise InputError(
                    f"Column {factor!r} holds {', '.join(map(repr, unknown))}, a level the "
                    f"model was not fitted with. Known levels: {', '.join(map(repr, levels))}."
                )
            columns += [(values == level).to_numpy(float) for level in levels[1:]]
        columns += [frame[name].to_numpy(float) for name in self.numeric]
        return np.column_stack(columns)


def factor_values(column: pd.Series) -> pd.Series:
    """A factor column as strings, missing values as their own level."""
    return column.astype("string").fillna(MISSING).astype(str)


def make_design(
    frame: pd.DataFrame,
    factors: Sequence[str],
    numeric: Sequence[str] = (),
    weights: pd.Series | None = None,
    references: Mapping[str, str] | None = None,
) -> Design:
    """Build the coding of ``factors`` from the levels found in ``frame``.

    The reference level of ``category`` is ``passive`` when present; of any
    other factor, the level with the largest weight (exposure), so that the
    intercept describes the most common customer. Other levels follow in
    sorted order.
    """
    references = dict(references or {})
    weights = pd.Series(1.0, index=frame.index) if weights is None else weights
    coded: dict[str, tuple[str, ...]] = {}
    for factor in factors:
        values = factor_values(frame[factor])
        totals = weights.groupby(values).sum().sort_index()
        preferred = references.get(factor, REFERENCE if factor == "category" else None)
        ref = preferred if preferred in totals.index else str(totals.idxmax())
        coded[factor] = (ref, *sorted(level for level in totals.index if level != ref))
    return Design(factors=coded, numeric=tuple(numeric))


def split_covariates(frame: pd.DataFrame, covariates: Sequence[str]) -> tuple[list[str], list[str]]:
    """Which covariates are factors (text, boolean, categorical) and which numeric.

    Raises
    ------
    InputError
        A covariate with no value at all, a numeric one with missing values (a
        factor's missing values are a level of their own, ``(missing)``), or a factor
        with more than :data:`MOST_LEVELS` levels.
    """
    factors, numeric = [], []
    for name in covariates:
        values = frame[name]
        missing = int(values.isna().sum())
        if missing == len(values) and len(values):
            raise InputError(
                f"Control {name!r} has no value on the panel: no customer has one (is it the "
                "customers table's, and does that table key customers as the revenue does?). "
                "Leave it out of the controls, or fill it."
            )
        dtype = values.dtype
        is_number = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if is_number and missing:
            raise InputError(
                f"Control {name!r} is a number, missing in {missing:,} of the panel's "
                f"{len(values):,} covariate patterns. Fill it, leave it out, or give it as text "
                "bands (a factor's missing values form a level of their own)."
            )
        levels = 0 if is_number else values.nunique(dropna=False)
        if levels > MOST_LEVELS:
            raise InputError(
                f"Control {name!r} has {levels:,} distinct values: as a factor it would add a "
                "term for each, and the fit would take hours and say little. If it is a number "
                "(employees, say), bin it into a few bands in the extract; if it is a name or "
                "an id, leave it out of the controls."
            )
        (numeric if is_number else factors).append(name)
    return factors, numeric
