"""NPS categories: their names, order and the default cut-points."""

from __future__ import annotations

PROMOTER = "promoter"
PASSIVE = "passive"
DETRACTOR = "detractor"
NOT_SURVEYED = "not_surveyed"

#: Survey categories in display order (best first).
SURVEYED = (PROMOTER, PASSIVE, DETRACTOR)
#: Every category a panel row can have.
CATEGORIES = (PROMOTER, PASSIVE, DETRACTOR, NOT_SURVEYED)
#: Each category's number where arrays hold categories as codes (their order in CATEGORIES).
CODES = {category: code for code, category in enumerate(CATEGORIES)}
#: The reference level of every model: effects are "vs passives".
REFERENCE = PASSIVE

LABELS = {
    PROMOTER: "Promoters",
    PASSIVE: "Passives",
    DETRACTOR: "Detractors",
    NOT_SURVEYED: "Not surveyed",
}


def nps_category(score: int) -> str:
    """Category of a 0-10 likelihood-to-recommend score (9-10, 7-8, 0-6)."""
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR
