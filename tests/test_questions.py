"""The questions against independent arithmetic: each true answer recomputed by hand or by finite differences."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import network, questions
from simulator.data import parse_sequence
from simulator.explain import fmt
from simulator.models import lstm

SEEDS = range(12)
EPS = 1e-6


def every(kind):
    return [q for seed in SEEDS for q in questions.quiz(seed) if q.kind == kind]


def unit(q):
    """The one-unit RNN of a question, by hand: (prices, h per day, y per day)."""
    s = q.settings
    act = {"relu": lambda z: max(z, 0.0), "tanh": math.tanh}[s["act"]]
    xs, h, hs = parse_sequence(s["typed"]), 0.0, []
    for x in xs:
        h = act(s["w_x"] * x + s["w_h"] * h + s["b"])
        hs.append(h)
    return xs, hs, [s["w_y"] * v + s["b_y"] for v in hs]


def test_the_same_seed_gives_the_same_ten_questions_and_another_seed_others():
    first, again, other = questions.quiz(7), questions.quiz(7), questions.quiz(8)
    assert len(first) == questions.COUNT and first == again
    assert [q.prompt for q in first] != [q.prompt for q in other]
    assert sorted(q.kind for q in first) == sorted(questions.KINDS * 2)


@pytest.mark.parametrize("q", every("next_h"), ids=lambda q: q.prompt[-30:])
def test_next_h_is_the_units_memory_computed_by_hand(q):
    _, hs, _ = unit(q)
    assert q.numeric and q.answer == pytest.approx(hs[-1], abs=1e-12)
    assert q.equation.endswith(f"= {fmt(hs[-1])}")
    assert f"= {fmt(hs[-2])};" in q.prompt  # yesterday's memory, as the prompt gives it


@pytest.mark.parametrize("q", every("direction"), ids=lambda q: q.prompt[-30:])
def test_direction_compares_the_prediction_with_todays_price(q):
    xs, _, ys = unit(q)
    assert abs(ys[-1] - xs[-1]) >= 0.05
    assert q.answer == (questions.HIGHER if ys[-1] > xs[-1] else questions.LOWER)
    assert f"= {fmt(ys[-1])}, {q.answer} than" in q.equation


@pytest.mark.parametrize("q", every("vanish"), ids=lambda q: q.prompt[:60])
def test_vanish_or_explode_follows_the_product_of_w_h_and_the_slopes(q):
    xs, hs, _ = unit(q)
    s = q.settings
    slopes = [1.0 if s["act"] == "relu" else 1 - h * h for h in hs]  # ReLU's z stays > 0 for these prices
    log_reach = len(xs) * math.log10(s["w_h"]) + sum(math.log10(d) for d in slopes)
    want = questions.VANISH if log_reach < -3 else questions.EXPLODE if log_reach > 3 else questions.NEITHER
    assert q.answer == want
    assert f"{s['w_h']:g}^{len(xs)}" in q.equation


@pytest.mark.parametrize("q", every("which_day"), ids=lambda q: q.prompt[-40:])
def test_which_day_is_the_biggest_finite_difference_of_the_prediction(q):
    xs = parse_sequence(q.settings["typed"])
    effect = []
    for t in range(len(xs)):
        up, down = xs.copy(), xs.copy()
        up[t] += EPS
        down[t] -= EPS
        effect.append(abs(unit_y(q, up) - unit_y(q, down)) / (2 * EPS))
    assert q.answer == f"day {int(np.argmax(effect)) + 1}"
    assert q.choices == tuple(f"day {t}" for t in range(1, len(xs) + 1))


def unit_y(q, xs):
    s = q.settings
    return unit(questions.Question("", "", (), 0, "", settings={**s, "typed": ", ".join(repr(float(x)) for x in xs)}))[
        2
    ][-1]


def reach_by_differences(v, xs):
    """||d state_T / d state_1||_2 by central differences: day 1's state perturbed, the other days run again."""
    p = network.params(v)
    lstm_cell = v["cell"] == "lstm"
    first = network.forward(v, p, xs[:1])
    state = np.concatenate([first.h[0], first.c[0]]) if lstm_cell else first.h[0]
    n = p.n

    def last(s):
        if lstm_cell:
            tr = lstm.forward(p, xs[1:], h0=s[:n], c0=s[n:])
            return np.concatenate([tr.h[-1], tr.c[-1]])
        return network.MODELS["rnn"].forward(p, xs[1:], h0=s).h[-1]

    J = np.column_stack([(last(state + e) - last(state - e)) / (2 * EPS) for e in np.eye(len(state)) * EPS])
    return np.linalg.norm(J, 2)


@pytest.mark.parametrize("q", every("which_cell"), ids=lambda q: q.prompt[:70])
def test_which_cell_remembers_longer_by_finite_differences(q):
    xs = parse_sequence(q.settings["typed"])
    s = q.settings
    rnn_v, lstm_v = {**s, "cell": "rnn", "recipe": "statquest"}, s  # the settings: the LSTM's, the RNN's w_h and act
    rnn_reach, lstm_reach = reach_by_differences(rnn_v, xs), reach_by_differences(lstm_v, xs)
    assert q.answer == (questions.RNN if rnn_reach > lstm_reach else questions.LSTM)
    if min(rnn_reach, lstm_reach) > 1e-6:  # differences cannot resolve a smaller reach
        assert abs(math.log10(rnn_reach / lstm_reach)) >= math.log10(3) * 0.99


def test_a_guess_must_be_a_choice_offered_or_a_number():
    choice, number = questions.quiz(0)[0], next(q for q in questions.quiz(0) if q.numeric)
    assert questions.checked(choice, choice.choices[0]) == choice.choices[0]
    for forged in ("maybe", "", "day 99", None, 1):
        with pytest.raises(ValueError, match="not one of the choices"):
            questions.checked(choice, forged)
    assert questions.checked(number, " −0.45 ") == "-0.45"
    assert questions.checked(number, 0.1 + 0.2) == "0.3"
    for bad, message in (("abc", "Type a number"), ("nan", "between"), ("inf", "between"), ("1e7", "between"),
                         ("1" * 41, "between"), ("", "Type a number")):  # fmt: skip
        with pytest.raises(ValueError, match=message):
            questions.checked(number, bad)


def test_a_number_is_scored_by_how_close_it_came():
    q = next(q for q in questions.quiz(0) if q.numeric)
    right = questions.verdict(q, q.answer + 0.9 * q.tolerance)
    close = questions.verdict(q, q.answer + 2 * q.tolerance)
    off = questions.verdict(q, q.answer + 4 * q.tolerance)
    assert (right.points, close.points, off.points) == (1.0, 0.5, 0.0)
    assert f"off by {fmt(2 * q.tolerance)}" in close.sentence and fmt(q.answer) in off.sentence


def test_a_choice_scores_one_or_nothing():
    q = questions.quiz(0)[0]
    wrong = next(c for c in q.choices if c != q.answer)
    assert questions.verdict(q, q.answer).points == 1.0
    assert questions.verdict(q, wrong) == questions.Verdict(0.0, f"Not quite: the answer is {q.answer}.")


def test_the_distribution_counts_every_answer_once():
    choice, number = questions.quiz(0)[0], next(q for q in questions.quiz(0) if q.numeric)
    counts = questions.distribution(choice, [choice.choices[0]] * 3 + [choice.choices[-1]])
    assert [c for _, c in counts] == [3, *[0] * (len(choice.choices) - 2), 1]
    assert questions.distribution(number, ["0.451", "0.449", "1.2"]) == [("0.45", 2), ("1.2", 1)]


def test_the_tally_marks_the_true_answer_only_once_revealed():
    q = next(q for q in questions.quiz(0) if not q.numeric)
    wrong = next(c for c in q.choices if c != q.answer)
    hidden = questions.tally_figure(q, [wrong, wrong], revealed=False).to_dict()
    shown = questions.tally_figure(q, [wrong, wrong], revealed=True).to_dict()
    go.Figure(shown)  # valid plotly
    assert set(hidden["data"][0]["marker"]["color"]) == {questions.WAITING}
    assert "✓" not in " ".join(hidden["layout"]["yaxis"]["ticktext"])
    at = q.choices.index(q.answer)
    assert shown["layout"]["yaxis"]["ticktext"][at] == f"{q.answer} ✓" and shown["data"][0]["x"][at] == 0
    assert shown["data"][0]["marker"]["color"][at] == questions.RIGHT
    assert shown["data"][0]["marker"]["color"][q.choices.index(wrong)] == questions.WRONG
