"""Models of what NPS predicts: retention (churn hazard) and revenue uplift."""

from cxvalue.models.retention import DEFAULT_CONTROLS, RetentionModel, fit_retention

__all__ = ["DEFAULT_CONTROLS", "RetentionModel", "fit_retention"]
