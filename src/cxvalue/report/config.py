"""The ``cxvalue.toml`` configuration of a report or drift run.

Every key but the input paths has a default. A bad key names itself, what was
expected and, for a typo, the nearest known key. Paths are relative to the
configuration file.

Example
-------
.. code-block:: toml

    title = "Acme board pack"
    currency = "EUR"
    locale = "de"

    [inputs.responses]
    path = "responses.csv"
    columns = { customer_id = "ExternalReference" }

    [inputs.revenue]
    path = "revenue.csv"
    dayfirst = true

    [model]
    controls = ["segment", "size_band"]
    churn_after_months = 3

    [value]
    margin = 0.3
    discount_rate = 0.08
    horizon_months = 36
    transition = "detractor_to_passive"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxvalue.errors import ConfigError, ParameterError, nearest
from cxvalue.ingest.revenue import MOST_BILLING_MONTHS
from cxvalue.ingest.scale import MEASURES, NAMED_SCALES, Scale

TABLES = ("responses", "revenue", "customers")
INPUT_KEYS = (
    "path", "columns", "dayfirst", "form", "vendor", "sheet", "billing_months", "through", "scale"
)  # fmt: skip
TRANSITIONS = ("detractor_to_passive", "passive_to_promoter", "detractor_to_promoter", "observed")
LINKS = ("cloglog", "logit")
DEFAULT_CONTROLS = ("segment", "size_band", "tenure_band")


@dataclass(frozen=True)
class InputSpec:
    """Where one canonical table comes from and how to read it."""

    path: Path | tuple[Path, ...]  # several (a list, or a pattern "nps_*.csv"): one table
    columns: dict[str, str] | None = None
    dayfirst: bool | None = None
    form: str = "auto"
    vendor: str | None = None
    sheet: str | tuple[str, ...] | None = None  # several: read as one table
    billing_months: int | str = "auto"
    through: str | None = None
    scale: Scale | None = None


@dataclass(frozen=True)
class ModelSpec:
    """What the retention and revenue models adjust for and how churn is defined.

    ``controls`` not set (``None``): those of :data:`DEFAULT_CONTROLS` the data supports
    (``segment`` needs a customers table with that column, ``tenure_band`` its
    ``acquired_at`` dates; see :func:`cxvalue.report.flow.model_controls`). Controls
    that are set must all exist.
    """

    controls: tuple[str, ...] | None = None
    churn_after_months: int = 3
    window_months: int = 12
    recency_months: int = 12
    link: str = "cloglog"


@dataclass(frozen=True)
class ValueSpec:
    """The money assumptions: margin, discounting, horizon, who moves."""

    margin: float | str = 0.3
    discount_rate: float = 0.08
    horizon_months: int = 36
    transition: str = "detractor_to_passive"
    draws: int = 10_000


@dataclass(frozen=True)
class Config:
    """A parsed ``cxvalue.toml``."""

    inputs: dict[str, InputSpec]
    title: str = "What customer experience is worth"
    currency: str = "EUR"
    locale: str = "en"
    seed: int = 2024
    model: ModelSpec = field(default_factory=ModelSpec)
    value: ValueSpec = field(default_factory=ValueSpec)
    drift: DriftThresholds = field(default_factory=lambda: DriftThresholds())
    source: Path | None = None


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML configuration file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        The file is not valid TOML, or a key is unknown, missing or of the wrong kind.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Configuration file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    return parse_config(raw, base_dir=path.parent, source=path)


def parse_config(
    raw: Mapping[str, Any], base_dir: str | Path = ".", source: Path | None = None
) -> Config:
    """Validate an already-parsed configuration mapping (see :func:`load_config`)."""
    base_dir = Path(base_dir)
    _known(raw, ("title", "currency", "locale", "seed", "inputs", "model", "value", "drift"), "")
    inputs_raw = _table(raw, "inputs")
    _known(inputs_raw, TABLES, "inputs.")
    for required in ("responses", "revenue"):
        if required not in inputs_raw:
            raise ConfigError(
                f"[inputs.{required}] is missing: give at least its path, "
                f'e.g. [inputs.{required}] path = "{required}.csv".',
                key=f"inputs.{required}",
            )
    inputs = {name: _input(inputs_raw[name], name, base_dir) for name in inputs_raw}
    locale = _get(raw, "locale", str, "en", "")
    if locale not in ("en", "de"):
        raise ConfigError(f'locale must be "en" or "de". Got {locale!r}.', key="locale")
    return Config(
        inputs=inputs,
        title=_get(raw, "title", str, Config.title, ""),
        currency=_get(raw, "currency", str, Config.currency, ""),
        locale=locale,
        seed=_get(raw, "seed", int, Config.seed, ""),
        model=_model(_table(raw, "model")),
        value=_value(_table(raw, "value")),
        drift=DriftThresholds.from_mapping(_table(raw, "drift")),
        source=source,
    )


def _input(raw: Any, name: str, base_dir: Path) -> InputSpec:
    prefix = f"inputs.{name}."
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[inputs.{name}] must be a table with a path.", key=prefix[:-1])
    _known(raw, INPUT_KEYS, prefix)
    if "path" not in raw:
        raise ConfigError(f"inputs.{name}.path is missing: the file to read.", key=prefix + "path")
    columns = _get(raw, "columns", dict, None, prefix)
    if columns is not None and not all(isinstance(v, str) for v in columns.values()):
        raise ConfigError(
            f"{prefix}columns must map canonical names to column names (strings).",
            key=prefix + "columns",
        )
    return InputSpec(
        path=_path(raw, base_dir, prefix),
        columns=columns,
        dayfirst=_get(raw, "dayfirst", bool, None, prefix),
        form=_get(raw, "form", str, "auto", prefix),
        vendor=_get(raw, "vendor", str, None, prefix),
        sheet=_sheet(raw, prefix),
        billing_months=_billing_months(raw, prefix),
        through=_month(raw, "through", prefix),
        scale=_scale(raw, name, prefix),
    )


def _path(raw: Mapping[str, Any], base_dir: Path, prefix: str) -> Path | tuple[Path, ...]:
    """The file to read (relative to the config), or a list of files read as one table."""
    path = _get(raw, "path", (str, list), None, prefix)
    if isinstance(path, list):
        if not path or not all(isinstance(p, str) for p in path):
            raise ConfigError(f"{prefix}path must be a file or a list of files. Got {path!r}.",
                              key=prefix + "path")  # fmt: skip
        return tuple(base_dir / p for p in path)
    return base_dir / path


def _sheet(raw: Mapping[str, Any], prefix: str) -> str | tuple[str, ...] | None:
    """A workbook's sheet, or a list of sheets read as one table."""
    sheet = _get(raw, "sheet", (str, list), None, prefix)
    if isinstance(sheet, list):
        if not sheet or not all(isinstance(s, str) for s in sheet):
            raise ConfigError(f"{prefix}sheet must be a sheet's name or a list of names. Got "
                              f"{sheet!r}.", key=prefix + "sheet")  # fmt: skip
        return tuple(sheet)
    return sheet


def _scale(raw: Mapping[str, Any], name: str, prefix: str) -> Scale | None:
    """The responses' score scale: "nps", "csat", "ces", or a table of low, high, the three
    categories' inclusive ranges and, optionally, the measure whose words the pack uses."""
    if "scale" not in raw:
        return None
    key, value = prefix + "scale", raw["scale"]
    if name != "responses":
        raise ConfigError(f"{key}: only the responses have a score scale.", key=key)
    if isinstance(value, str) and value.lower() in NAMED_SCALES:
        return NAMED_SCALES[value.lower()]()
    example = (
        f'{key} must be one of "nps" (0-10, the default), "csat" (1-5) or "ces" (1-7), or a '
        "table such as { low = 1, high = 5, detractor = [1, 2], passive = [3, 3], "
        "promoter = [4, 5] }"
    )
    if not isinstance(value, Mapping):
        hint = nearest(str(value), NAMED_SCALES) if isinstance(value, str) else None
        did_you = f' Did you mean "{hint}"?' if hint else ""
        raise ConfigError(f"{example}. Got {value!r}.{did_you}", key=key)
    parts = ("low", "high", "detractor", "passive", "promoter")
    _known(value, (*parts, "measure"), key + ".")
    measure = _get(value, "measure", str, "nps", key + ".").lower()
    if measure not in MEASURES:
        raise ConfigError(
            f'{key}.measure must be "nps", "csat" or "ces" (what the scale measures; it names '
            f"the categories in the pack). Got {value['measure']!r}.",
            key=key + ".measure",
        )
    try:
        cuts = {c: tuple(value[c]) for c in parts[2:]}
        if not all(len(v) == 2 and all(isinstance(x, int) for x in v) for v in cuts.values()):
            raise TypeError
        return Scale(int(value["low"]), int(value["high"]), **cuts, measure=measure)
    except ParameterError as error:  # a ValueError: first
        raise ConfigError(f"{key}: {error}", key=key) from error
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{example}. Got {dict(value)!r}.", key=key) from error


def _month(raw: Mapping[str, Any], key: str, prefix: str) -> str | None:
    value = _get(raw, key, str, None, prefix)
    if value is not None:
        try:
            pd.Period(value, "M")
        except ValueError:
            raise ConfigError(
                f'{prefix}{key} must be a month such as "2025-12". Got {value!r}.',
                key=prefix + key,
            ) from None
    return value


def _billing_months(raw: Mapping[str, Any], prefix: str) -> int | str:
    value = _get(raw, "billing_months", (int, str), "auto", prefix)
    if value != "auto" and not (isinstance(value, int) and 1 <= value <= MOST_BILLING_MONTHS):
        raise ConfigError(
            f'{prefix}billing_months must be "auto" or a whole number of months from 1 to '
            f"{MOST_BILLING_MONTHS} (how many months one revenue row covers). Got {value!r}.",
            key=prefix + "billing_months",
        )
    return value


def _model(raw: Mapping[str, Any]) -> ModelSpec:
    p = "model."
    _known(raw, ("controls", "churn_after_months", "window_months", "recency_months", "link"), p)
    controls = _get(raw, "controls", list, None, p)
    if controls is not None and not all(isinstance(c, str) for c in controls):
        raise ConfigError("model.controls must be a list of column names.", key=p + "controls")
    link = _get(raw, "link", str, ModelSpec.link, p)
    if link not in LINKS:
        raise ConfigError(f"model.link must be one of {LINKS}. Got {link!r}.", key=p + "link")
    return ModelSpec(
        controls=None if controls is None else tuple(controls),
        churn_after_months=_positive_int(
            raw, "churn_after_months", ModelSpec.churn_after_months, p
        ),
        window_months=_positive_int(raw, "window_months", ModelSpec.window_months, p),
        recency_months=_positive_int(raw, "recency_months", ModelSpec.recency_months, p),
        link=link,
    )


def _value(raw: Mapping[str, Any]) -> ValueSpec:
    p = "value."
    _known(raw, ("margin", "discount_rate", "horizon_months", "transition", "draws"), p)
    margin = raw.get("margin", ValueSpec.margin)
    if isinstance(margin, bool) or not isinstance(margin, (int, float, str)):
        raise ConfigError(
            "value.margin must be a share like 0.3 or the name of a margin column.",
            key=p + "margin",
        )
    if isinstance(margin, (int, float)) and not 0 <= margin <= 1:
        raise ConfigError(f"value.margin must be in [0, 1]. Got {margin}.", key=p + "margin")
    rate = _get(raw, "discount_rate", (int, float), ValueSpec.discount_rate, p)
    if not 0 <= rate < 1:
        raise ConfigError(
            f"value.discount_rate must be a yearly rate in [0, 1), like 0.08. Got {rate}.",
            key=p + "discount_rate",
        )
    transition = _get(raw, "transition", str, ValueSpec.transition, p)
    if transition not in TRANSITIONS:
        raise ConfigError(
            f"value.transition must be one of {', '.join(TRANSITIONS)}. Got {transition!r}.",
            key=p + "transition",
        )
    return ValueSpec(
        margin=float(margin) if not isinstance(margin, str) else margin,
        discount_rate=float(rate),
        horizon_months=_positive_int(raw, "horizon_months", ValueSpec.horizon_months, p),
        transition=transition,
        draws=_positive_int(raw, "draws", ValueSpec.draws, p),
    )


def _known(raw: Mapping[str, Any], keys: tuple[str, ...], prefix: str) -> None:
    for key in raw:
        if key not in keys:
            hint = nearest(key, keys)
            did_you = f" Did you mean {prefix}{hint}?" if hint else ""
            raise ConfigError(
                f"Unknown key {prefix}{key}.{did_you} Known keys here: {', '.join(keys)}.",
                key=prefix + key,
            )


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{key}] must be a table.", key=key)
    return value


def _get(raw: Mapping[str, Any], key: str, kind: Any, default: Any, prefix: str) -> Any:
    if key not in raw:
        return default
    value = raw[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        value = None  # TOML true/false is not a number here
    if not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(f"{prefix}{key} must be a {names}. Got {raw[key]!r}.", key=prefix + key)
    return value


def _positive_int(raw: Mapping[str, Any], key: str, default: int, prefix: str) -> int:
    value = _get(raw, key, int, default, prefix)
    if value < 1:
        raise ConfigError(
            f"{prefix}{key} must be a whole number of at least 1. Got {value}.", key=prefix + key
        )
    return value


# -- [drift]: the thresholds of the drift check ------------------------------------------

#: Keys of [drift] that must be whole numbers; every other key is a number.
_DRIFT_INTS = ("min_responses", "psi_reps")
#: (warn key, fail key, "le" when warn ≤ fail must hold, "ge" when warn ≥ fail)
_DRIFT_ORDER = (
    ("nps_warn_points", "nps_fail_points", "le"),
    ("nps_warn_z", "nps_fail_z", "le"),
    ("psi_warn", "psi_fail", "le"),
    ("psi_warn_quantile", "psi_fail_quantile", "le"),
    ("shares_warn_points", "shares_fail_points", "le"),
    ("shares_warn_p", "shares_fail_p", "ge"),
    ("revenue_warn_change", "revenue_fail_change", "le"),
    ("rejection_warn_points", "rejection_fail_points", "le"),
    ("rejection_warn_ratio", "rejection_fail_ratio", "le"),
    ("effects_warn_p", "effects_fail_p", "ge"),
    ("effects_warn_change", "effects_fail_change", "le"),
    ("forecast_warn_mape", "forecast_fail_mape", "le"),
)
_DRIFT_UNIT = (
    "psi_epsilon",
    "psi_fail_quantile",
    "psi_warn_quantile",
    "shares_fail_p",
    "shares_warn_p",
    "effects_fail_p",
    "effects_warn_p",
)


@dataclass(frozen=True)
class DriftThresholds:
    """Every threshold of the drift check; the ``[drift]`` table of ``cxvalue.toml`` sets them.

    A check fails only when a change is both practically large and beyond
    noise; each warn band sits below its fail band. Points are NPS points or
    percentage points; changes and MAPE are fractions (0.25 = 25 %).

    Attributes
    ----------
    nps_fail_points, nps_fail_z, nps_warn_points, nps_warn_z
        NPS moved: fail when |Δ| ≥ 10 points and |z| > 3; warn at 5 and 2.
    min_responses
        Fewer responses in either wave: the survey checks cannot judge.
    psi_fail, psi_warn
        Floors of the PSI thresholds (score values and revenue bins).
    psi_fail_quantile, psi_warn_quantile
        The thresholds are max(floor, this quantile of PSI under no change).
    psi_epsilon
        Added to every bin's share (then renormalised) so empty bins stay finite.
    psi_reps
        Bootstrap replicates for the no-change PSI distribution.
    shares_fail_p, shares_fail_points, shares_warn_p, shares_warn_points
        Promoter/passive/detractor shares: chi-square p and the largest share move.
    revenue_fail_change, revenue_warn_change
        Relative change of revenue per customer-month.
    rows_warn_change
        Relative change of rows read (warn only: fresh data is expected to grow).
    rejection_fail_points, rejection_fail_ratio, rejection_warn_points, rejection_warn_ratio
        Ledger rejection rate up by more than the points *and* more than the ratio.
    effects_fail_p, effects_fail_change, effects_warn_p, effects_warn_change
        Holm-adjusted p and relative change of a hazard ratio or revenue effect.
    value_change
        Value per point and CLV gap: fail when the relative change exceeds this
        and the new estimate is outside the baseline's interval; warn on one.
    forecast_fail_mape, forecast_warn_mape
        Accuracy of the baseline's forecast against the months now observed.
    """

    nps_fail_points: float = 10.0
    nps_fail_z: float = 3.0
    nps_warn_points: float = 5.0
    nps_warn_z: float = 2.0
    min_responses: int = 30
    psi_fail: float = 0.25
    psi_fail_quantile: float = 0.999
    psi_warn: float = 0.10
    psi_warn_quantile: float = 0.99
    psi_epsilon: float = 1e-4
    psi_reps: int = 20_000
    shares_fail_p: float = 0.001
    shares_fail_points: float = 5.0
    shares_warn_p: float = 0.01
    shares_warn_points: float = 2.0
    revenue_fail_change: float = 0.25
    revenue_warn_change: float = 0.10
    rows_warn_change: float = 0.50
    rejection_fail_points: float = 2.0
    rejection_fail_ratio: float = 3.0
    rejection_warn_points: float = 1.0
    rejection_warn_ratio: float = 2.0
    effects_fail_p: float = 0.01
    effects_fail_change: float = 0.25
    effects_warn_p: float = 0.05
    effects_warn_change: float = 0.10
    value_change: float = 0.10
    forecast_fail_mape: float = 0.20
    forecast_warn_mape: float = 0.10

    def __post_init__(self) -> None:
        for name in _drift_keys():
            _drift_range(name, getattr(self, name))
        for warn, fail, how in _DRIFT_ORDER:
            w, f = getattr(self, warn), getattr(self, fail)
            if (w > f) if how == "le" else (w < f):
                word = "at most" if how == "le" else "at least"
                raise ConfigError(
                    f"drift.{warn} must be {word} drift.{fail} ({f}): the warn band sits "
                    f"below the fail band. Got {w}.",
                    key=f"drift.{warn}",
                )

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], prefix: str = "drift.") -> DriftThresholds:
        """Build thresholds from a mapping such as the ``[drift]`` table; unset keys keep defaults.

        Raises
        ------
        ConfigError
            A key is unknown (the nearest known key is suggested), not a number,
            out of range, or a warn threshold is beyond its fail threshold.
        """
        if not isinstance(raw, Mapping):
            raise ConfigError(f"[{prefix.rstrip('.')}] must be a table.", key=prefix.rstrip("."))
        keys = _drift_keys()
        _known(raw, keys, prefix)
        values = {}
        for key in raw:
            kind = int if key in _DRIFT_INTS else (int, float)
            values[key] = _get(raw, key, kind, None, prefix)
        return cls(**values)


def _drift_keys() -> tuple[str, ...]:
    return tuple(DriftThresholds.__dataclass_fields__)


def _drift_range(name: str, value: Any) -> None:
    """Raise a ConfigError naming ``drift.<name>`` unless ``value`` is in range."""
    if name in _DRIFT_UNIT:
        ok, expected = 0 < value < 1, "a number in (0, 1)"
    elif name in _DRIFT_INTS:
        ok, expected = isinstance(value, int) and value >= 1, "a whole number ≥ 1"
    elif name.endswith("_ratio"):
        ok, expected = value >= 1, "a ratio ≥ 1"
    else:
        ok, expected = value >= 0, "a number ≥ 0"
    if isinstance(value, bool) or not ok:
        raise ConfigError(f"drift.{name} must be {expected}. Got {value!r}.", key=f"drift.{name}")
