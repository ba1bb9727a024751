"""The Gradients page's numbers for n units and the gated cells, against central finite differences of the forward
pass: each day's gradient size, the LSTM's long-term memory and its cell path, and the sentences that state them."""

import json
import re

import numpy as np
import pytest

from simulator import diagram, network, state
from simulator.data import BLUE, Row
from simulator.explain import fmt
from simulator.flow import cell_of
from simulator.gradient_figures import clipping_chart, magnitudes
from simulator.gradients import (
    backprop,
    chain_rule,
    explosion,
    forget_note,
    forward_overflow,
    headline,
    part_norms,
    precision_note,
    shown_days,
    weights_of,
    window_note,
)
from simulator.tables import clipping_table
from tests.equations import plain, wrong

DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}
EPS, TOL = 1e-6, 1e-6  # central differences: error ~ EPS^2, rounding ~ 1e-16 / EPS
CELLS = [("rnn", 3, "radius"), ("lstm", 3, "radius"), ("lstm", 1, "statquest"), ("gru", 4, "radius")]
PRICES = np.array([*BLUE.xs, 0.3, 0.8])


def setup(cell, n, recipe, **more):
    v = {**DEFAULTS, "cell": cell, "units": n, "recipe": recipe, "h0": 0.2, **more}
    p = network.params(v)
    return p, Row("Blue company", "#0072B2", network.forward(v, p, PRICES))


def loss_from(p, row, t, h, c=None, target=1.0):
    """L = ½(y_T − target)² with day t's memory (0-based) replaced by h (and the LSTM's c), the days after it rerun."""
    model, tr = network.MODELS[cell_of(p)], row.trace
    if t == len(tr.y) - 1:
        return 0.5 * (p.w_y @ h + p.b_y - target) ** 2
    memory = {"c0": c} if c is not None else {}
    return 0.5 * (model.forward(p, tr.xs[t + 1 :], h0=h, **memory).y[-1] - target) ** 2


def numeric(f, x):
    out = np.zeros_like(x)
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = EPS
        out[j] = (f(x + e) - f(x - e)) / (2 * EPS)
    return out


@pytest.mark.parametrize(("cell", "n", "recipe"), CELLS)
def test_each_days_gradient_size_is_the_finite_differences(cell, n, recipe):
    p, row = setup(cell, n, recipe)
    bp = backprop(p, row, 1.0)
    tr, s = row.trace, bp.flow
    for t in range(len(PRICES)):
        h, c = tr.h[t], getattr(tr, "c", None)
        c = None if c is None else c[t]
        dh = numeric(lambda x: loss_from(p, row, t, x, c), h.copy())  # noqa: B023
        assert s.dh[t] == pytest.approx(np.linalg.norm(dh), abs=TOL)
        np.testing.assert_allclose(s.units[t], dh, atol=TOL)
        if cell == "lstm":  # dL/dC_t in all: through h_t = o_t tanh(C_t) and through C_{t+1}
            o = tr.o[t]
            dc = numeric(lambda x: loss_from(p, row, t, o * np.tanh(x), x), c.copy())  # noqa: B023
            assert s.dc[t] == pytest.approx(np.linalg.norm(dc), abs=TOL)
    said = headline(bp)
    assert f"**{fmt(s.dh[0] / s.dh[-1])}**" in said and f"= {fmt(s.dh[0])}" in said


@pytest.mark.parametrize(("n", "recipe"), [(3, "radius"), (1, "statquest")])
def test_the_lstms_cell_path_multiplies_by_f_each_day_back(n, recipe):
    """With the gates held, C_T moves by prod f_s per unit of C_t: the cell path the headline names."""
    p, row = setup("lstm", n, recipe)
    tr, s = row.trace, backprop(p, row, 1.0).flow
    T = len(PRICES)
    best = int(np.argmax(np.prod(tr.f, axis=0)))
    for t in range(T):

        def carried(c, t=t):
            for d in range(t + 1, T):  # the cell path alone: C_d = f_d C_{d-1} + i_d g_d, every gate as it was
                c = tr.f[d] * c + tr.i[d] * tr.g[d]
            return c[best]

        e = np.zeros(n)
        e[best] = EPS
        ratio = (carried(tr.c[t] + e) - carried(tr.c[t] - e)) / (2 * EPS)
        assert s.path[t + 1] == pytest.approx(np.log10(ratio), abs=1e-9)  # path[t]: from day T back to day t
    assert f"f<sub>2</sub> = **{fmt(10 ** s.path[1])}**" in headline(backprop(p, row, 1.0))


def test_a_forget_gate_well_below_1_is_said_to_vanish_too():
    shut = backprop(*setup("lstm", 4, "radius", forget_bias=-3.0), 1.0)
    open_ = backprop(*setup("lstm", 4, "radius", forget_bias=3.0), 1.0)
    mean = 10 ** (shut.flow.path[0] / len(PRICES))
    assert mean < 0.9 and "vanishes as well" in forget_note(shut) and fmt(mean) in forget_note(shut)
    assert "stays near 1" in forget_note(open_)
    assert forget_note(backprop(*setup("rnn", 3, "radius"), 1.0)) is None


@pytest.mark.parametrize(("cell", "n", "recipe", "loss"), [*((*c, "last") for c in CELLS), ("rnn", 2, "radius", "all")])
def test_every_chain_rule_line_checks_out_from_its_printed_numbers(cell, n, recipe, loss):
    p, row = setup(cell, n, recipe)
    bp = backprop(p, row, 1.0, loss)
    lines = chain_rule(bp, 0, len(PRICES))
    text = "\n".join(plain(line) for line in lines)
    assert not wrong(text), wrong(text)
    for line in lines:  # each step back stays within what the Jacobian's norm allows
        if m := re.search(r"= \*\*(\S+)\*\* ≤ .* = (\S+)$", line):
            a, b = (float(x.replace("−", "-")) for x in m.groups())
            assert a <= b * 1.01
    if cell == "lstm":
        assert sum("∂L/∂C" in line and "<b>" in line for line in lines) == len(PRICES) - 1


@pytest.mark.parametrize(("cell", "n", "recipe"), CELLS)
def test_clipping_names_every_parameter_of_the_cell_by_its_norm(cell, n, recipe):
    p, row = setup(cell, n, recipe)
    bp = backprop(p, row, 1.0, clip="norm", clip_at=0.01)
    names = weights_of(bp)
    assert [name for name, _ in names] == list(p.NAMES)
    assert sum(size for _, size in names) == bp.raw.size
    model = network.MODELS[cell]
    g = model.backward(p, row.trace, 1.0)
    norms = part_norms(bp.raw, names)
    np.testing.assert_allclose(norms, [np.linalg.norm(getattr(g, name)) for name in p.NAMES], rtol=1e-12)
    assert np.linalg.norm(bp.clipped) == pytest.approx(0.01)
    table = clipping_table(bp.raw, bp.clipped, names)
    assert table["raw gradient (its norm)"] == [fmt(v) for v in norms]


def test_float32_is_compared_with_float64_for_n_units():
    p, row = setup("rnn", 3, "radius", rho=0.5)
    low = backprop(p, row, 1.0, precision="float32")
    exact = backprop(p, row, 1.0)
    said = precision_note(low)
    assert f"is **{fmt(low.flow.dh[0])}**, where float64 has {fmt(exact.flow.dh[0])}" in said


@pytest.mark.parametrize(
    ("cell", "n", "more", "days", "loss", "precision", "clip"),
    [
        ("rnn", 9, {"recipe": "identity", "rho": 2.0, "act": "identity"}, 1200, "all", "float32", "value"),
        ("rnn", 2, {"recipe": "gain", "rho": 2.0, "act": "relu"}, 1, "last", "float64", "norm"),
        ("rnn", 3, {"recipe": "trap"}, 40, "last", "float64", "none"),
        ("lstm", 9, {"recipe": "radius", "forget_bias": -3.0}, 700, "all", "float32", "norm"),
        ("lstm", 2, {"recipe": "radius"}, 2, "last", "float64", "value"),
        ("gru", 12, {"recipe": "radius"}, 300, "last", "float32", "none"),
    ],
)
def test_no_network_or_setting_raises_and_overflow_is_said(cell, n, more, days, loss, precision, clip):
    """Everything the page computes and draws for n units and the gated cells, overflow and one day included."""
    p, _ = setup(cell, n, more.pop("recipe"), **more)
    v = {**DEFAULTS, "cell": cell, "units": n, "h0": 0.2, **more}
    xs = np.linspace(0.2, 1.0, days)
    row = Row("Your prices", "#009E73", network.forward(v, p, xs))
    bp = backprop(p, row, 1.0, loss, clip, 0.5, precision)
    json.dumps(diagram.backward(p, [bp.row], max(1, days // 2)), allow_nan=False)
    magnitudes([bp.row], [bp.flow], [bp.reach], shown_days(bp, 0, days)).to_json()
    clipping_chart(bp.raw, bp.clipped, weights_of(bp), clip, 0.5).to_json()
    said = [headline(bp), *chain_rule(bp, days - 1, days), precision_note(bp) or "", explosion(bp) or ""]
    said += [forward_overflow(bp) or "", window_note(bp, 0, days) or "", forget_note(bp) or ""]
    assert all(isinstance(s, str) for s in said)
    if not np.isfinite(bp.flow.dh).all():
        assert f"overflows {precision}" in said[0]
    assert f"going back from day {days:,} to day 1" in said[0]
