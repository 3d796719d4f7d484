"""Models of what NPS predicts: retention (churn hazard) and revenue uplift."""

from cxvalue.models.retention import DEFAULT_CONTROLS, RetentionModel, fit_retention
from cxvalue.models.revenue import RevenueModel, fit_revenue

__all__ = ["DEFAULT_CONTROLS", "RetentionModel", "RevenueModel", "fit_retention", "fit_revenue"]
