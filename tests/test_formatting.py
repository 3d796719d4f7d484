"""Formatting is pure and the same everywhere: pinned outputs per locale."""

import pytest

from cxvalue.errors import ParameterError
from cxvalue.formatting import (
    escape_spreadsheet_text,
    fmt_currency,
    fmt_interval,
    fmt_nps,
    fmt_number,
    fmt_pct,
)


def test_currency_german_and_english():
    assert fmt_currency([1_234_567, 18_400], locale="de") == ["1,2 Mio. €", "18.400 €"]
    assert fmt_currency([1_234_567, 18_400], locale="en") == ["€1.2M", "€18,400"]
    assert fmt_currency(2.5e9, locale="en", currency="USD") == ["$2.5B"]
    assert fmt_currency(2.5e9, locale="de") == ["2,5 Mrd. €"]


def test_currency_axis_ticks_get_the_decimals_their_spacing_needs():
    from cxvalue.figures import style

    ticks = style.currency_formatter("en")
    assert ticks.format_ticks([2.55e9, 2.6e9, 2.65e9]) == ["€2.55B", "€2.60B", "€2.65B"]
    assert ticks.format_ticks([40.6e6, 40.8e6, 41e6]) == ["€40.6M", "€40.8M", "€41.0M"]
    assert ticks.format_ticks([0, 5e5, 1e6]) == ["€0", "€500,000", "€1.0M"]
    # whole millions when the ticks are (a large company's forecast read $420.0M, $400.0M)
    assert ticks.format_ticks([380e6, 400e6, 420e6]) == ["€380M", "€400M", "€420M"]
    assert ticks.format_ticks([34e6, 35e6, 36e6]) == ["€34M", "€35M", "€36M"]
    german = style.currency_formatter("de")
    assert german.format_ticks([2.6e9, 2.65e9]) == ["2,60 Mrd. €", "2,65 Mrd. €"]
    fixed = style.currency_formatter("en", decimals=1)
    assert fixed.format_ticks([2.6e9, 2.65e9]) == ["€2.6B", "€2.6B"]


def test_currency_negative_uses_a_true_minus_and_no_negative_zero():
    assert fmt_currency(-2500, locale="en") == ["\u2212€2,500"]
    assert fmt_currency(-0.2, locale="en") == ["€0"]


def test_currency_without_symbol_writes_the_code():
    assert fmt_currency(1500, locale="en", currency="SEK") == ["SEK 1,500"]


def test_numbers_percentages_and_points():
    assert fmt_number(1234.5, 1, "de") == ["1.234,5"]
    assert fmt_pct([0.1234, 0.05], 1, "de") == ["12,3 %", "5,0 %"]
    assert fmt_pct(0.02, 0, "en", signed=True) == ["+2%"]
    # decimals=None: one only where the percent is not whole, whatever the last bits
    assert fmt_pct([0.95, 0.225, 0.3 * 0.75, 0.05 + 1e-17], None) == ["95%", "22.5%", "22.5%", "5%"]
    assert fmt_pct(0.225, None, "de") == ["22,5 %"]
    assert fmt_nps([23.4, -4.2, 0.1]) == ["+23", "\u22124", "0"]
    assert fmt_number(float("nan")) == ["–"]


def test_interval_reads_in_words():
    assert fmt_interval(1.1e6, 2.3e6, fmt_currency, locale="en") == "€1.1M to €2.3M"
    assert fmt_interval(1.1e6, 2.3e6, fmt_currency, locale="de") == "1,1 Mio. € bis 2,3 Mio. €"


def test_unknown_locale_names_the_parameter():
    with pytest.raises(ParameterError, match="'locale' parameter of fmt_currency"):
        fmt_currency(1, locale="fr")


@pytest.mark.parametrize("text", ["=1+1", "+49 30 123", "-2", "@SUM(A1)", "\t=x"])
def test_spreadsheet_formulas_are_escaped(text):
    assert escape_spreadsheet_text(text) == "'" + text


def test_plain_text_is_left_alone():
    assert escape_spreadsheet_text("Enterprise") == "Enterprise"
    assert escape_spreadsheet_text("") == ""
