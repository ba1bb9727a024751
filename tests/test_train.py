"""Training: plain gradient descent with the core's gradients, truncated BPTT, clipping, seeds and divergence."""

from dataclasses import replace

import numpy as np
import plotly.express as px
import pytest

from simulator import bptt
from simulator.data import stocks
from simulator.models.rnn import Params, backward, forward
from simulator.train import MAX_SNAPSHOTS, NAMES, STATQUEST, Scale, epochs_allowed, initial, snapshots, train

GOOG = Scale.minmax(stocks()[1]["GOOG"]).scaled(stocks()[1]["GOOG"])
FD_STEP, FD_TOL = 1e-6, 1e-6  # central differences in float64: error ~ step^2, round-off ~ 1e-16 / step


def test_the_stocks_are_plotlys_dataset():
    weeks, closes = stocks()
    frame = px.data.stocks()
    assert list(weeks) == list(frame["date"]) and len(weeks) == 105
    for ticker, column in closes.items():
        np.testing.assert_array_equal(column, frame[ticker].to_numpy())
        assert not column.flags.writeable  # the cache is shared by every session


def test_training_lowers_the_loss_on_a_learnable_sequence():
    run = train(GOOG, initial("statquest"), "relu", "all", lr=0.3, epochs=300)
    assert run.diverged is None and run.loss.shape == (301,) and run.theta.shape == (301, 5)
    assert run.loss[-1] < 0.3 * run.loss[0]
    assert np.all(np.diff(run.loss) <= 1e-12)  # a small enough step never goes uphill here


def test_one_epoch_is_one_plain_gradient_step():
    theta, lr = np.array(STATQUEST), 0.3
    run = train(GOOG, theta, "tanh", "all", lr=lr, epochs=1)
    p = Params.scalar(*theta, "tanh")
    g = backward(p, forward(p, GOOG[:-1]), GOOG[1:], "all")
    T = len(GOOG) - 1
    np.testing.assert_allclose(run.loss[0], g.loss / T, rtol=1e-15)
    np.testing.assert_allclose(run.theta[1], theta - lr * bptt.vector(g) / T, rtol=1e-15)


def test_the_last_task_fits_tomorrow_only():
    run = train(GOOG, initial("statquest"), "relu", "last", lr=0.3, epochs=200)
    p = Params.scalar(*run.final, "relu")
    assert run.loss[0] > 0.01 and abs(forward(p, GOOG[:-1]).y[-1] - GOOG[-1]) < 1e-6


def test_clipping_keeps_a_diverging_run_finite():
    wild = train(GOOG, initial("statquest"), "relu", "all", lr=3.0, epochs=1000)
    assert wild.diverged is not None
    assert not np.isfinite(wild.loss[-1]) or not np.isfinite(wild.theta[-1]).all()
    assert np.isfinite(wild.final).all() and wild.snaps[-1] == wild.diverged  # the animation ends where it broke
    tame = train(GOOG, initial("statquest"), "relu", "all", lr=3.0, epochs=1000, clip="norm", clip_at=0.1)
    assert tame.diverged is None and np.isfinite(tame.theta).all() and np.isfinite(tame.loss).all()
    assert tame.loss[-1] < tame.loss[0]


def test_a_broken_start_stops_at_epoch_0():
    run = train(GOOG, [1.0, 1e200, 0.0, 1e200, 0.0], "identity", "all", lr=0.1, epochs=50)
    assert run.diverged == 0 and len(run.snaps) == 1 and np.array_equal(run.final, [1.0, 1e200, 0.0, 1e200, 0.0])


def test_the_same_seed_replays_the_same_run():
    a, b = (train(GOOG, initial("random", 7), "tanh", "all", lr=0.5, epochs=100) for _ in range(2))
    for field in ("theta", "loss", "y", "dh", "snaps"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(initial("random", 7), initial("random", 8))
    assert np.all(np.abs(initial("random", 7)) <= 1) and initial("random", 7).shape == (5,)
    np.testing.assert_array_equal(initial("statquest"), STATQUEST)
    np.testing.assert_array_equal(initial("current", 0, [1, 2, 3, 4, 5]), [1, 2, 3, 4, 5])


@pytest.mark.parametrize("task", ["all", "last"])
def test_truncation_to_k_at_least_T_is_full_bptt(task):
    T = len(GOOG) - 1
    full = train(GOOG, initial("random", 3), "tanh", task, lr=0.5, epochs=50)
    for k in (T, T + 1, 10_000):
        cut = train(GOOG, initial("random", 3), "tanh", task, lr=0.5, epochs=50, k=k)
        np.testing.assert_array_equal(cut.theta, full.theta)
    shorter = train(GOOG, initial("random", 3), "tanh", task, lr=0.5, epochs=50, k=2)
    assert not np.array_equal(shorter.theta, full.theta)


def _truncated_loss(params, xs, target, loss, k, base):
    """L with every k-th step back from T cut: each piece starts from the base run's hidden state, a constant."""
    T, h, ys = len(xs), np.zeros(params.n), []
    starts = set(range(T - k, 0, -k))
    for t in range(T):
        prev = base.h[t - 1] if t in starts else h
        z = params.w_x * xs[t] + params.W_h @ prev + params.b
        h = {"tanh": np.tanh, "identity": lambda v: v}[params.activation](z)
        ys.append(params.w_y @ h + params.b_y)
    err = np.array(ys) - target
    return 0.5 * float(err[-1] ** 2) if loss == "last" else 0.5 * float(err @ err)


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("loss", ["last", "all"])
@pytest.mark.parametrize("k", [1, 2, 4, 7])
def test_truncated_gradients_match_finite_differences_of_the_cut_loss(n, loss, k):
    rng = np.random.default_rng(n * 100 + k)
    p = Params(rng.normal(size=n), rng.normal(size=(n, n)) * 0.6, rng.normal(size=n), rng.normal(size=n), 0.3, "tanh")
    xs = rng.normal(size=10)
    target = rng.normal(size=10) if loss == "all" else 0.4
    base = forward(p, xs)
    g = backward(p, base, target, loss, k=k)
    for name in ("w_x", "W_h", "b", "w_y"):
        value = getattr(p, name)
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[i] += FD_STEP
            down[i] -= FD_STEP
            L = [_truncated_loss(replace(p, **{name: v}), xs, target, loss, k, base) for v in (up, down)]
            numeric[i] = (L[0] - L[1]) / (2 * FD_STEP)
        np.testing.assert_allclose(getattr(g, name), numeric, atol=FD_TOL, err_msg=name)


def test_truncation_stops_the_gradient_k_days_back():
    p = Params.scalar(1.0, 0.9, 0.0, 1.0, 0.0, "identity")
    xs = np.ones(10)
    g = backward(p, forward(p, xs), 0.0, "last", k=3)
    assert np.all(g.dh[-3:, 0] != 0) and np.all(g.dh[:-3, 0] == 0)


def test_scaling_round_trips_and_a_flat_series_maps_to_zero():
    prices = np.array([3.0, 5.0, 4.0, 7.0])
    s = Scale.minmax(prices)
    np.testing.assert_array_equal(s.scaled(prices), [0, 0.5, 0.25, 1])
    np.testing.assert_allclose(s.price(s.scaled(prices)), prices, rtol=1e-15)
    assert not s.identity and Scale().identity
    np.testing.assert_array_equal(Scale.minmax(np.full(4, 2.5)).scaled(np.full(4, 2.5)), np.zeros(4))


def test_the_work_per_run_is_bounded():
    assert epochs_allowed(1000, 100) == 1000
    assert epochs_allowed(5000, 10_000) == 200
    assert snapshots(1).tolist() == [0, 1] and len(snapshots(5000)) == MAX_SNAPSHOTS
    assert snapshots(5000)[0] == 0 and snapshots(5000)[-1] == 5000
    assert len(NAMES) == 5
