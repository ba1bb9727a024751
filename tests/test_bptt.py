"""BPTT step by step: per-day shares add up to the core's gradients; the reference numbers; clipping."""

import math
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.bptt import angle, clip, decade, flow, log10_reach, stored, vector
from simulator.models.rnn import Params, backward, forward

REL = 1e-9


def reach(w_h, days, activation="relu", price=0.5):
    """log10 |dh_T/dh_0| for `days` equal prices: every factor is w_h when ReLU stays active."""
    params = Params.scalar(w_h=w_h, activation=activation)
    trace = forward(params, np.full(days, price))
    return log10_reach(flow(params, trace, backward(params, trace, 0.0)).factor)


@pytest.mark.parametrize(
    ("w_h", "days", "expected"),
    [
        (0.99, 1000, Fraction(99, 100) ** 1000),  # the seed: 4.317e-5
        (0.9, 1000, Fraction(9, 10) ** 1000),  # 1.748e-46, not 0 in float64
        (1.1, 1000, Fraction(11, 10) ** 1000),  # 2.470e41
        (2.0, 50, Fraction(2) ** 50),  # StatQuest: 1,125,899,906,842,624
        (0.5, 50, Fraction(1, 2) ** 50),  # 8.88e-16
    ],
)
def test_reference_numbers(w_h, days, expected):
    assert 10 ** reach(w_h, days)[0] == pytest.approx(float(expected), rel=REL)


def test_reference_numbers_as_printed():
    assert [decade(reach(w, 1000)[0]) for w in (0.99, 0.9, 1.1)] == ["4.317e-5", "1.748e-46", "2.470e41"]
    assert decade(reach(0.5, 50)[0]) == "8.882e-16"


def test_log_space_goes_beyond_float64():
    getcontext().prec = 60
    exact = Decimal(10000) * (Decimal(11) / Decimal(10)).log10()  # 413.926...
    log10 = reach(1.1, 10_000)[0]
    assert abs(log10 - float(exact)) < 1e-9
    assert decade(log10).endswith("e413")


@pytest.mark.parametrize("h0", [0.0, 0.6])
def test_shares_add_up_to_the_cores_gradients(h0):
    """Day t's parts sum to the core's gradients, from any memory before day 1 (day 1's part of w_h is dz_1 h_0)."""
    params = Params.scalar(w_h=0.7, activation="tanh")
    trace = forward(params, np.linspace(0, 1, 30), h0=[h0])
    grads = backward(params, trace, np.linspace(0.1, 1, 30), loss="all")
    f = flow(params, trace, grads)
    np.testing.assert_allclose(f.dh, grads.dh[:, 0])
    assert f.w_h.sum() == pytest.approx(grads.W_h[0, 0], rel=1e-12)
    assert f.w_x.sum() == pytest.approx(grads.w_x[0], rel=1e-12)
    assert f.dz.sum() == pytest.approx(grads.b[0], rel=1e-12)


def test_one_step_back_multiplies_by_the_factor():
    params = Params.scalar(w_h=1.3)
    trace = forward(params, np.full(12, 0.5))
    f = flow(params, trace, backward(params, trace, 0.0))  # loss on the last day only
    np.testing.assert_allclose(f.dh[:-1], f.dh[1:] * f.factor[1:], rtol=1e-12)
    assert np.allclose(f.factor, 1.3)


def test_a_dead_relu_cuts_the_path():
    params = Params.scalar()  # w_h = -0.5: a high day then a zero day makes z_2 = 0 - 0.9 < 0
    trace = forward(params, (1.0, 0.0, 1.0, 1.0))
    f = flow(params, trace, backward(params, trace, 0.0))
    assert trace.z[1, 0] < 0 and f.factor[1] == 0
    assert f.dh[0] == 0 and f.dx[0] == 0 and f.dx[1] == 0 and f.dx[3] != 0
    assert log10_reach(f.factor)[0] == -math.inf and decade(-math.inf) == "0 (the path is cut)"


def test_clipping_by_norm_keeps_the_direction_and_by_value_turns_it():
    g = np.array([30.0, -4.0, 0.5])
    by_norm = clip(g, "norm", 5.0)
    assert np.linalg.norm(by_norm) == pytest.approx(5.0) and angle(g, by_norm) == pytest.approx(0.0, abs=1e-6)
    by_value = clip(g, "value", 5.0)
    np.testing.assert_array_equal(by_value, [5.0, -4.0, 0.5])
    assert angle(g, by_value) > 30
    np.testing.assert_array_equal(clip(g, "none", 5.0), g)
    np.testing.assert_array_equal(clip(g, "norm", 100.0), g)  # already short enough: untouched
    with pytest.raises(ValueError, match="clipping 'sideways'"):
        clip(g, "sideways", 1.0)


def test_vector_holds_every_parameter_gradient():
    params = Params.scalar()
    trace = forward(params, (0.0, 0.5))
    grads = backward(params, trace, 1.0)
    v = vector(grads)
    assert v.tolist() == [grads.w_x[0], grads.W_h[0, 0], grads.b[0], grads.w_y[0], grads.b_y]


@settings(max_examples=60, deadline=None)
@given(
    w_h=st.floats(-3, 3),
    w_x=st.floats(-5, 5),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "identity"]),
    prices=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=2000),
)
def test_any_setting_gives_a_flow_without_raising(w_h, w_x, activation, prices):
    params = Params.scalar(w_x=w_x, w_h=w_h, activation=activation)
    trace = forward(params, prices)
    f = flow(params, trace, backward(params, trace, 0.0))
    reach_ = log10_reach(f.factor)
    assert reach_.shape == (len(prices) + 1,) and reach_[-1] == 0
    if np.isfinite(f.factor).all():  # finite factors: a real magnitude or -inf (a cut path), never NaN
        assert not np.isnan(reach_).any()


def test_float32_underflows_and_overflows_where_float64_does_not():
    assert bptt_stored(0.9) == 0 and bptt_stored(0.9, np.float64) == pytest.approx(1.748e-46, rel=1e-3)
    assert np.isinf(bptt_stored(1.1)) and bptt_stored(1.1, np.float64) == pytest.approx(2.4699e41, rel=1e-4)
    assert bptt_stored(0.99) == pytest.approx(4.317e-5, rel=1e-3)


def bptt_stored(w_h, dtype=np.float32):
    return stored(reach(w_h, 1000)[0], dtype)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("n", [1, 3])
def test_the_core_in_float32_agrees_with_float64_to_float32_precision(activation, n):
    rng = np.random.default_rng(n)
    params = Params(rng.normal(size=n), 0.5 * rng.normal(size=(n, n)) / n, rng.normal(size=n), rng.normal(size=n),
                    0.1, activation)  # fmt: skip
    xs = rng.random(40)
    for loss, target in (("last", 0.3), ("all", rng.random(40))):
        g64 = backward(params, forward(params, xs), target, loss)
        t32 = forward(params, xs, dtype=np.float32)
        g32 = backward(params, t32, target, loss)
        assert t32.h.dtype == g32.dh.dtype == g32.dx.dtype == g32.W_h.dtype == np.float32
        for a, b in ((g32.dx, g64.dx), (g32.dh, g64.dh), (g32.W_h, g64.W_h), (g32.w_x, g64.w_x), (g32.b, g64.b)):
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6)


def test_float32_gradients_vanish_to_exact_zeros_on_long_sequences():
    params = Params.scalar(w_h=0.5)
    xs = np.full(1000, 0.5)
    g32 = backward(params, forward(params, xs, dtype=np.float32), 0.0)
    g64 = backward(params, forward(params, xs), 0.0)
    assert (g64.dx[:500] != 0).all() and (g32.dx[:500] == 0).all()  # 0.5^500 is ~1e-151: float64 yes, float32 no
    slow = Params.scalar(w_h=0.9)
    g_slow = backward(slow, forward(slow, xs, dtype=np.float32), 0.0)
    assert 0 < np.abs(g_slow.dx[:100]).max() < np.finfo(np.float32).tiny  # stuck among float32's subnormals
    big = Params.scalar(w_h=1.1)
    assert not np.isfinite(backward(big, forward(big, xs, dtype=np.float32), 0.0).dh).all()  # overflow, no exception
