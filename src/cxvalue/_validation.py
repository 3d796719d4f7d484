"""One template for parameter errors."""

from __future__ import annotations

from typing import Any

from cxvalue.errors import ParameterError


def check_param(ok: bool, name: str, func: str, expected: str, got: Any) -> None:
    """Raise a :class:`ParameterError` in the house template unless ``ok``.

    The message reads: *The 'discount_rate' parameter of value() must be a
    float in [0, 1). Got 8 instead.*
    """
    if not ok:
        raise ParameterError(
            f"The {name!r} parameter of {func}() must be {expected}. Got {got!r} instead."
        )


def check_choice(value: Any, choices: tuple[Any, ...], name: str, func: str) -> None:
    """Raise unless ``value`` is one of ``choices``."""
    check_param(
        value in choices, name, func, "one of " + ", ".join(repr(c) for c in choices), value
    )


def check_positive_int(value: Any, name: str, func: str) -> None:
    """Raise unless ``value`` is an int of at least 1 (a bool is not one)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    check_param(ok, name, func, "a positive integer", value)
