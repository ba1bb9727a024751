"""Typed prices, the shipped sequences and the words around the numbers."""

import math

import numpy as np
import pytest

from simulator import state
from simulator.data import BLUE, MAX_VALUES, RED, STATQUEST_CASES, Prices, parse_sequence
from simulator.explain import fmt, fmt_log10, prediction_sentence, step_equation, trend
from simulator.models.rnn import Params, forward
from simulator.train_page import stock


def test_companies_are_nine_and_five_days_on_statquests_scale():
    assert (BLUE.days, RED.days) == (9, 5)
    assert all(0 <= x <= 1 for x in BLUE.xs + RED.xs)


def test_a_company_a_stock_and_typed_prices_are_one_type_and_only_the_stock_is_rescaled():
    goog = stock("GOOG", state.START.default, state.END.default)
    typed = Prices("Your prices", "#009E73", parse_sequence("0, 1"), "as typed", own_scale=True)
    assert all(type(s) is Prices for s in (BLUE, RED, goog, typed))
    assert [s.own_scale for s in (BLUE, goog, typed)] == [True, False, True]
    assert (goog.days, goog.period, len(goog.dates)) == (105, "week", 105)
    blue = BLUE.array()
    assert isinstance(blue.xs, np.ndarray) and blue.xs.tolist() == list(BLUE.xs)
    assert (blue.label, blue.color, blue.unit, blue.own_scale) == (BLUE.label, BLUE.color, BLUE.unit, True)


@pytest.mark.parametrize(("prices", "prediction"), STATQUEST_CASES.items())
def test_statquest_cases(prices, prediction):
    assert forward(Params.scalar(), prices).y[-1] == pytest.approx(prediction, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0, 0.5, 1", [0, 0.5, 1]),
        ("0 0.5\n1", [0, 0.5, 1]),
        (" 1;2 ,3 ", [1, 2, 3]),
        ("-1e-3", [-0.001]),
        ("0, 0.5*3, 1", [0, 0.5, 0.5, 0.5, 1]),
    ],
)
def test_parse_sequence_accepts_the_usual_separators(text, expected):
    np.testing.assert_array_equal(parse_sequence(text), expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one price"),
        (" , ;", "at least one price"),
        ("0, 0.5, abc", r"Value 3 \('abc'\) is not a number"),
        ("1, nan", "Value 2 .* not a finite number"),
        ("inf", "not a finite number"),
        ("1e400", "not a finite number"),
        ("0x10", "is not a number"),
        (", ".join(["1"] * (MAX_VALUES + 1)), "10,001 values; the limit is 10,000"),
        ("1," * 150_000, "characters"),
        ("0.5*0", "repeats fewer than once"),
        ("0.5*x", r"is not a number \(or number\*count\)"),
        ("0.5*9999, 1, 1", "10,001 values"),
        ("1*99999999999999999999", "values; the limit is 10,000"),
    ],
)
def test_parse_sequence_explains_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_sequence(text)


def test_fmt_reads_like_a_person_writes():
    assert [fmt(v) for v in (0.45, -0.5, 0.0, 123456.0, 1e-7, np.inf, -np.inf, np.nan)] == [
        "0.45", "−0.5", "0", "1.23e5", "1e−7", "∞", "−∞", "NaN",
    ]  # fmt: skip
    assert [fmt(v) for v in (-0.0122, 0.0061, 0.009996, 12.34, 1234.4, 9999.6, 0.99996)] == [
        "−0.0122",
        "6.1e−3",
        "0.01",
        "12.3",
        "1234",
        "1e4",
        "1",
    ]  # fmt: skip: three significant digits, the exponent after rounding


def test_fmt_log10_writes_any_power_as_fmt_does():
    assert [fmt_log10(v) for v in (math.log10(4.3171e-5), 413.9269, -math.inf, 0.0)] == [
        "4.32e−5",
        "8.45e413",
        "0",
        "1",
    ]


def test_trend_words():
    assert [trend(0.5, 0.99), trend(1.0, 0.0), trend(1.0, 0.99), trend(0.5, np.nan)] == [
        "up", "down", "about the same", "unknown: the prediction overflowed",
    ]  # fmt: skip
    assert "predicts **0.99** for day 3: **up**" in prediction_sentence(
        "Low, medium", forward(Params.scalar(), (0, 0.5))
    )


def test_step_equation_uses_the_activation_symbol():
    params = Params.scalar(activation="tanh")
    lines = step_equation(params, forward(params, (1.0,)), 0)
    assert lines[1] == "h<sub>1</sub> = tanh(1.8×1 + (−0.5)×0 + 0) = tanh(1.8) = <b>0.947</b>"
    identity = Params.scalar(activation="identity")
    assert step_equation(identity, forward(identity, (1.0,)), 0)[1].startswith("h<sub>1</sub> = 1.8×1 + ")


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "", "99", "-7"])
def test_settings_reject_bad_numbers(raw):
    with pytest.raises(ValueError, match="w_h must be"):
        state.SETTINGS["w_h"].parse(raw)


def test_settings_defaults_are_statquests_network():
    values = {s.name: state.SETTINGS[s.name].parse(str(s.default)) for s in state.WEIGHTS}
    assert values == {"w_x": 1.8, "w_h": -0.5, "b": 0.0, "w_y": 1.1, "b_y": 0.0}
    with pytest.raises(ValueError, match="act must be one of"):
        state.SETTINGS["act"].parse("softmax")
