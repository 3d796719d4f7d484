"""cxvalue: what customer experience is worth in money.

The front door: everything an analyst needs is importable from here.

>>> import cxvalue as cx
>>> responses = cx.read_responses("data/samples/responses.csv.gz")  # doctest: +SKIP
>>> cx.nps(responses.table, period="Q")  # doctest: +SKIP
"""

from cxvalue.drift import DriftReport, check_drift
from cxvalue.errors import (
    ColumnError,
    ConfigError,
    ConvergenceWarning,
    CxValueError,
    CxValueWarning,
    DataWarning,
    EmptyInputError,
    InputError,
    ParameterError,
    ParseError,
    SmallSampleWarning,
)
from cxvalue.forecast import Backtest, backtest, forecast
from cxvalue.formatting import fmt_currency, fmt_nps, fmt_number, fmt_pct
from cxvalue.growth import GrowthResult, revenue_retention
from cxvalue.ingest import (
    IngestResult,
    Ledger,
    Scale,
    read_customers,
    read_responses,
    read_revenue,
)
from cxvalue.margins import margin_table
from cxvalue.models import (
    RetentionModel,
    RevenueModel,
    compare_metrics,
    fit_retention,
    fit_revenue,
)
from cxvalue.nps import NPSDifference, nps, nps_difference
from cxvalue.panel import Panel, build_panel, cells, snapshot_panel
from cxvalue.report.drift_run import drift
from cxvalue.scenarios import bridge, scenario, sensitivity
from cxvalue.transitions import observed_transitions
from cxvalue.value import ValueResult, value

__version__ = "0.1.0"

__all__ = [
    "bridge",
    "margin_table",
    "observed_transitions",
    "Backtest",
    "ColumnError",
    "ConfigError",
    "ConvergenceWarning",
    "CxValueError",
    "CxValueWarning",
    "DataWarning",
    "DriftReport",
    "EmptyInputError",
    "GrowthResult",
    "IngestResult",
    "InputError",
    "Ledger",
    "NPSDifference",
    "Panel",
    "ParameterError",
    "ParseError",
    "RetentionModel",
    "RevenueModel",
    "Scale",
    "SmallSampleWarning",
    "ValueResult",
    "backtest",
    "build_panel",
    "cells",
    "check_drift",
    "compare_metrics",
    "drift",
    "fit_retention",
    "fit_revenue",
    "fmt_currency",
    "forecast",
    "fmt_nps",
    "fmt_number",
    "fmt_pct",
    "nps",
    "nps_difference",
    "read_customers",
    "read_responses",
    "read_revenue",
    "revenue_retention",
    "scenario",
    "sensitivity",
    "snapshot_panel",
    "value",
]
