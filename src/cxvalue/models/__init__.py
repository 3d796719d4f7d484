"""Models of what NPS predicts: retention (churn hazard) and revenue uplift."""

from cxvalue.models.compare import compare_metrics
from cxvalue.models.retention import DEFAULT_CONTROLS, RetentionModel, fit_retention
from cxvalue.models.revenue import RevenueModel, fit_revenue

__all__ = [
    "DEFAULT_CONTROLS",
    "RetentionModel",
    "RevenueModel",
    "compare_metrics",
    "fit_retention",
    "fit_revenue",
]
