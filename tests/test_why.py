"""Why LSTM's numbers and sentences (simulator/why.py) and its charts (simulator/why_figures.py), without Streamlit."""

import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import bptt, state, why, why_figures
from simulator.data import BLUE
from simulator.explain import fmt, fmt_log10
from simulator.models import lstm
from simulator.presets import BY_KEY
from tests.spec import array

DEFAULTS = {name: s.default for name, s in state.SETTINGS.items()}


def runs(T, **settings):
    return [why.read(cell, {**DEFAULTS, **settings}, T) for cell in why.CELLS]


def test_statquests_companies_and_step_come_out_as_statquest_says():
    assert why.sq(why.company("A")[-1].h) == "0.0064"
    assert why.sq(why.company("B")[-1].h) == "0.969"
    step = why.one_step()
    assert (why.sq(step.C), why.sq(step.h)) == ("2.948", "0.986")
    said = why.companies_sentence()
    assert "[0, 0.5, 0.25, 1] ends with h = **0.0064** (tomorrow: about 0)" in said
    assert "[1, 0.5, 0.25, 1] ends with h = **0.969** (tomorrow: about 1)" in said
    assert "C′ = **2.948** and h′ = **0.986**" in why.one_step_sentence()


def _evaluate(equation):
    """'σ(2.70 × (−0.128) + 1.63 × 0.5 + 1.62) = 0.890' -> (the left side worked out from the numbers shown, the
    right side)."""
    left, right = equation.rsplit(" = ", 1)
    code = left.replace("−", "-").replace("×", "*").replace("σ", "sigmoid")
    value = eval(code, {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh})
    return value, float(right.replace("−", "-"))


@pytest.mark.parametrize("name", ["A", "B"])
def test_every_equation_on_screen_works_out_from_its_own_numbers(name):
    table = why.company_table(name)
    assert table["stage"] == [*(s for *_, s in why.STAGES), why.LONG, why.SHORT]
    days = why.company(name)
    weights = lstm.STATQUEST
    for t in range(len(days)):
        column = table[next(k for k in table if k.startswith(f"day {t + 1} "))]
        for equation in column:
            value, shown = _evaluate(equation)
            assert value == pytest.approx(shown, abs=2e-3), equation  # operands are rounded to 3 decimals
        f = column[0]  # the forget gate uses StatQuest's numbers and yesterday's h as shown
        assert f.startswith(f"σ({weights['W_h'][1][0]:.2f} × ") and f"+ {weights['b'][1]:.2f})" in f
    assert table[next(iter(k for k in table if k.startswith("day 2")))][0].startswith(
        f"σ(2.70 × {why._operand(days[0].h)} + 1.63 × 0.5 + 1.62)"
    )


def test_the_rnns_reach_is_its_factor_to_the_power_of_the_days():
    rnn, lstm_run, gru = runs(9)
    assert rnn.reach[0] == pytest.approx(9 * math.log10(0.5))  # StatQuest's RNN: ReLU on, w_h = -0.5 every day
    f = lstm_run.trace.f[:, 0]
    assert lstm_run.cell_path[0] == pytest.approx(np.log10(np.prod(f)))
    assert why.forget_mean(lstm_run) == pytest.approx(np.prod(f) ** (1 / 9))
    said = why.reach_sentence([rnn, lstm_run, gru])
    assert f"in the simple RNN by **{fmt_log10(9 * math.log10(0.5))}** (×0.5 a day)" in said
    assert f"along its cell path alone by {fmt_log10(np.log10(np.prod(f)))}" in said


def test_the_prices_are_the_blue_company_repeated():
    np.testing.assert_array_equal(why.prices(9), BLUE.xs)
    np.testing.assert_array_equal(why.prices(100)[9:18], BLUE.xs)
    assert len(why.prices(1000)) == 1000


@pytest.mark.parametrize("T", [100, 1000])
def test_a_cut_relu_path_is_said_and_the_lstm_is_not_cut(T):
    rnn, lstm_run, _ = runs(T)
    assert rnn.reach[0] == -math.inf and (rnn.trace.h == 0).any()
    assert lstm_run.reach[0] > -2 and lstm_run.cell_path[0] > -3  # StatQuest's forget gate stays near 1
    day = why.cut_day(rnn)
    assert rnn.trace.h[day - 1, 0] == 0 and rnn.reach[day] > -math.inf and rnn.reach[day - 1] == -math.inf
    said = why.reach_sentence(runs(T))
    assert f"in the simple RNN by 0 (the path is cut on day {day:,}" in said and "times more" not in said
    (note,) = why_figures.gradients(runs(T)).to_dict()["layout"]["annotations"]
    assert note["x"] == day and note["text"] == f"simple RNN: cut on day {day}"


def test_the_honest_part_a_forget_gate_near_07_vanishes_too():
    _, lstm_run, _ = runs(100, units=16, forget_bias=0.65)
    f = why.forget_mean(lstm_run)
    assert round(f, 2) == 0.70 and lstm_run.cell_path[0] < -15  # 0.7^100 = 3.2e-16
    said = why.forget_sentence(lstm_run)
    assert "well below 1" in said and "vanishes as well" in said
    assert f"{f:.4g}¹⁰⁰ = {fmt_log10(lstm_run.cell_path[0])}" in said
    assert lstm_run.reach[0] < -10  # the gradient in all vanishes as well, not only the cell path


def test_a_forget_gate_held_open_keeps_the_gradient():
    _, opened, _ = runs(1000, units=16, forget_bias=5.0)
    _, usual, _ = runs(1000, units=16, forget_bias=1.0)
    assert why.forget_mean(opened) > 0.99 and opened.cell_path[0] > -3
    assert usual.cell_path[0] < -100
    said = why.forget_sentence(opened)
    assert "stays near 1" in said and f"0.7¹⁰⁰⁰ = {fmt_log10(1000 * math.log10(0.7))}" in said


def test_clipping_scales_an_exploded_gradient_down_and_leaves_a_vanished_one():
    big, small = why.clipped_cases(1.0)
    assert np.linalg.norm(big.gradient) == pytest.approx(1.1**100)
    assert np.linalg.norm(big.by_norm) == pytest.approx(1.0)
    np.testing.assert_allclose(big.by_norm, why.DIRECTION)  # the same direction
    np.testing.assert_array_equal(small.by_norm, small.gradient)
    np.testing.assert_array_equal(small.by_value, bptt.clip(small.gradient, "value", 1.0))
    assert np.linalg.norm(small.gradient) == pytest.approx(0.4**100) and np.linalg.norm(small.gradient) < 1e-39
    said = why.clipping_sentence()
    assert "1.38e4 long, comes back 1 long" in said and "1.61e−40 long, comes back unchanged" in said


def test_the_scenarios_stories_are_their_numbers():
    told = why.story(BY_KEY["why-statquest"])
    assert "**0.0064**" in told and "**0.969**" in told and "**2.948**" in told
    assert f"to C = {why.sq(why.company('B')[-1].C)}" in told
    versus = why.story(BY_KEY["why-100-days"])
    rnn, lstm_run, _ = runs(100, act="tanh")
    assert versus.startswith(why.reach_sentence([rnn, lstm_run]))
    assert rnn.reach[0] < -30 and lstm_run.reach[0] > 0  # tanh's slope times 0.5, a hundred times; the LSTM keeps it
    assert f"in the simple RNN by **{fmt_log10(rnn.reach[0])}**" in versus and "times more of it" in versus
    stuck = why.story(BY_KEY["why-forget-0.7"])
    assert stuck == why.forget_sentence(runs(100, units=16, forget_bias=0.65)[1])
    assert "**0.7** on average" in stuck
    race = why.story(BY_KEY["why-race-50"])
    assert race.startswith("Before the race's first step, at T = 50: from the answer back to day 1's memory")


def test_every_scenario_is_a_valid_link_to_the_why_page():
    for key in ("why-statquest", "why-100-days", "why-forget-0.7", "why-race-50"):
        preset = BY_KEY[key]
        assert preset.page == "why" and state.PAGES["why"] == "pages/why.py"
        _, notices = state.from_query({k: [v] for k, v in state.scenario_query(preset).items()})
        assert not notices


def test_a_bad_days_link_is_a_notice():
    values, notices = state.from_query({"days": ["50"], "company": ["B"]})
    assert values == {"company": "B"} and "days must be one of 9, 100, 1000" in notices[0]


def test_the_gradient_chart_draws_each_cells_reach_with_cut_days_as_gaps():
    rs = runs(100)
    fig = why_figures.gradients(rs).to_dict()
    go.Figure(fig)
    names = [d["name"] for d in fig["data"]]
    assert names == ["simple RNN: in all", "LSTM: in all", "LSTM: cell path alone (× f each day)", "GRU: in all"]
    rnn = array(fig["data"][0]["y"])
    assert np.isnan(rnn[0]) and np.isfinite(rnn[-1])
    np.testing.assert_array_equal(array(fig["data"][1]["y"]), rs[1].reach)
    np.testing.assert_array_equal(array(fig["data"][2]["y"]), rs[1].cell_path)
    ticks = fig["layout"]["yaxis"]["ticktext"]
    assert "1" in ticks and all(t == "1" or t.startswith("10") for t in ticks)


def test_the_cells_chart_draws_the_memories_and_the_gates():
    rs = runs(1000, units=4, forget_bias=2.0)
    fig = why_figures.cells(rs).to_dict()
    go.Figure(fig)
    by = {d["name"]: d for d in fig["data"]}
    np.testing.assert_allclose(array(by["LSTM forget gate f"]["y"]), rs[1].trace.f.mean(axis=1))
    np.testing.assert_allclose(array(by["GRU update gate z (old memory kept)"]["y"]), rs[2].trace.z.mean(axis=1))
    assert fig["layout"]["yaxis2"]["title"]["text"] == "gate (mean of 4 units)"


def test_the_numbers_table_keeps_at_most_101_days():
    table = why_figures.numbers(runs(1000))
    assert len(table["day"]) == 101 and table["day"][:3] == ["0", "10", "20"]
    assert re.fullmatch(r"[0-9.e−]+|0", table["LSTM: in all"][0])


def test_the_cells_sentence_names_its_arithmetic_means_apart_from_the_forget_gates_geometric_one():
    rs = runs(9)
    said = why.cells_sentence(rs)
    assert f"(arithmetic mean {fmt(rs[1].trace.f.mean())})" in said
    assert f"(arithmetic mean {fmt(rs[2].trace.z.mean())})" in said
    assert "the geometric mean" in why.forget_sentence(rs[1])
