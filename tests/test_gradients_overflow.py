"""Gradients on setups that overflow or cut the path: what the page says is true of the numbers, computed without
inf − inf (no RuntimeWarning) and never "changes by NaN"."""

import warnings

import numpy as np
import pytest

from simulator import ask, gradients, network, questions, state
from simulator.data import Row, parse_sequence
from simulator.explain import fmt
from simulator.gradients import forward_overflow
from simulator.models.rnn import Params, forward
from tests.apptest import open_app

DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}


def backprop(days, precision="float64", **settings):
    v = {**DEFAULTS, **settings}
    p = network.params(v)
    row = Row("Yours", "#009E73", network.forward(v, p, np.full(days, 0.5)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return gradients.backprop(p, row, 1.0, precision=precision)


def said(function, *args):
    """`function(*args)`, any RuntimeWarning (an inf − inf) raised as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return function(*args)


LAYER = dict(units=3, rho=3.0, recipe="radius")


def test_a_window_where_nothing_reaches_says_so_not_nan():
    bp = backprop(1000, cell="gru", **LAYER)  # the gradient is exactly 0 from day 299 back
    assert bp.flow.dh[0] == 0 and bp.flow.dh[11] == 0 and bp.flow.dh[-1] > 0
    note = said(gradients.window_note, bp, 0, 1000)
    assert "NaN" not in note and "is exactly 0 on day 12 and on day 1: nothing reaches back this far" in note
    assert f"it goes from a size of {gradients.fmt(bp.flow.dh[-1])} on day 1,000 to 0 on day 1" in note


def test_a_window_where_the_gradient_overflowed_says_which_precision_it_overflowed():
    bp = backprop(100, "float32", **LAYER)  # the forward pass stays finite in float32, the gradient does not
    assert np.isfinite(bp.row.trace.h).all() and not np.isfinite(bp.flow.dh[48:60]).any()
    note = said(gradients.window_note, bp, 50, 100)
    assert "factor of NaN" not in note and note.count("the gradient overflowed float32 (beyond 3.4e38)") == 2
    told = said(gradients.explosion, bp)
    assert "both explode" in told and "**NaN**" not in told
    assert "the error signal overflows float32 (beyond 3.4e38) on its way back to day 1" in told


def test_a_finite_window_keeps_its_factor():
    bp = backprop(1000, cell="gru", **LAYER)
    note = said(gradients.window_note, bp, 600, 1000)
    across = np.log10(bp.flow.dh[600]) - np.log10(bp.flow.dh[611])
    assert f"by a factor of {gradients.fmt_log10(across)}, which is why" in note


def test_one_unit_whose_path_is_cut_falls_to_exactly_0():
    bp = backprop(100, w_h=-3.0, b=-1.0)  # ReLU: z < 0 every day, every factor is 0
    note = said(gradients.window_note, bp, 99, 100)
    assert note.count("falls to exactly 0 (a factor w_h·act′(z) is 0: the path is cut)") == 2 and "NaN" not in note


@pytest.mark.parametrize(("log_reach", "answer"), [(np.nan, questions.EXPLODE), (np.inf, questions.EXPLODE),
                                                   (-np.inf, questions.VANISH), (0.5, questions.NEITHER)])  # fmt: skip
def test_ask_firsts_gradient_question_calls_an_overflow_exploding(log_reach, answer):
    q = ask.gradients("Yours", 100, log_reach, "float32 (beyond 3.4e38)")
    assert q.answer == answer and "NaN" not in q.equation
    assert ("overflowed float32" in q.equation) == (answer == questions.EXPLODE)


def test_the_page_on_an_overflowing_layer_raises_no_warning_and_says_no_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        at = open_app("pages/gradients.py", seq="typed", typed="0.5*1000", cell="gru", units="3", rho="3",
                      recipe="radius")  # fmt: skip
    assert not at.exception
    note = next(m.value for m in at.markdown if "the diagram shows days" in m.value)
    assert "NaN" not in note and "nothing reaches back this far" in note


def test_a_window_after_the_forward_pass_overflowed_blames_the_forward_pass():
    bp = backprop(1000, **LAYER)  # ReLU: h overflows float64 on day 947, and every gradient with it
    assert gradients.first_nonfinite(bp.row.trace) == 947
    note = said(gradients.window_note, bp, 0, 1000)
    assert note.count("the forward pass overflowed float64 (beyond 1.8e308)") == 2 and "factor of NaN" not in note
    assert said(gradients.clipping_summary, bp) == (
        "Yours: |gradient| = NaN, as the forward pass overflowed float64 (beyond 1.8e308)"
    )
    calm = backprop(9)
    assert said(gradients.clipping_summary, calm) == f"Yours: |gradient| = {gradients.fmt(np.linalg.norm(calm.raw), 3)}"


def test_when_only_the_prediction_overflowed_the_sentence_names_it_not_the_finite_memory():
    p = Params.scalar(1.8, 1.1, 0.0, 1.1, 0.0, "relu")
    row = Row("Your prices", "#009E73", forward(p, parse_sequence("0.5*1000")))
    bp = gradients.backprop(p, row, 1.0, precision="float32")
    h, y = bp.row.trace.h[906, 0], bp.row.trace.y[906]
    assert np.isfinite(h) and not np.isfinite(y)  # float32: h = 3.14e38 is a number, 1.1 h is not
    said = forward_overflow(bp)
    assert f"on day 907 (its prediction y = ∞, from the memory h = {fmt(h)})" in said
