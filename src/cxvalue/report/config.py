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

from cxvalue.errors import ConfigError, nearest

TABLES = ("responses", "revenue", "customers")
TRANSITIONS = ("detractor_to_passive", "passive_to_promoter", "detractor_to_promoter", "observed")
LINKS = ("cloglog", "logit")


@dataclass(frozen=True)
class InputSpec:
    """Where one canonical table comes from and how to read it."""

    path: Path
    columns: dict[str, str] | None = None
    dayfirst: bool | None = None
    form: str = "auto"
    vendor: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    """What the retention and revenue models adjust for and how churn is defined."""

    controls: tuple[str, ...] = ("segment", "size_band", "tenure_band")
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
        source=source,
    )


def _input(raw: Any, name: str, base_dir: Path) -> InputSpec:
    prefix = f"inputs.{name}."
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[inputs.{name}] must be a table with a path.", key=prefix[:-1])
    _known(raw, ("path", "columns", "dayfirst", "form", "vendor"), prefix)
    if "path" not in raw:
        raise ConfigError(f"inputs.{name}.path is missing: the file to read.", key=prefix + "path")
    columns = _get(raw, "columns", dict, None, prefix)
    if columns is not None and not all(isinstance(v, str) for v in columns.values()):
        raise ConfigError(
            f"{prefix}columns must map canonical names to column names (strings).",
            key=prefix + "columns",
        )
    return InputSpec(
        path=base_dir / _get(raw, "path", str, None, prefix),
        columns=columns,
        dayfirst=_get(raw, "dayfirst", bool, None, prefix),
        form=_get(raw, "form", str, "auto", prefix),
        vendor=_get(raw, "vendor", str, None, prefix),
    )


def _model(raw: Mapping[str, Any]) -> ModelSpec:
    p = "model."
    _known(raw, ("controls", "churn_after_months", "window_months", "recency_months", "link"), p)
    controls = _get(raw, "controls", list, list(ModelSpec.controls), p)
    if not all(isinstance(c, str) for c in controls):
        raise ConfigError("model.controls must be a list of column names.", key=p + "controls")
    link = _get(raw, "link", str, ModelSpec.link, p)
    if link not in LINKS:
        raise ConfigError(f"model.link must be one of {LINKS}. Got {link!r}.", key=p + "link")
    return ModelSpec(
        controls=tuple(controls),
        churn_after_months=_positive_int(raw, "churn_after_months", ModelSpec.churn_after_months, p),
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
            "value.margin must be a share like 0.3 or the name of a margin column.", key=p + "margin"
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
        raise ConfigError(
            f"{prefix}{key} must be a {names}. Got {raw[key]!r}.", key=prefix + key
        )
    return value


def _positive_int(raw: Mapping[str, Any], key: str, default: int, prefix: str) -> int:
    value = _get(raw, key, int, default, prefix)
    if value < 1:
        raise ConfigError(
            f"{prefix}{key} must be a whole number of at least 1. Got {value}.", key=prefix + key
        )
    return value
