"""Training: plain gradient descent with the core's gradients, truncated BPTT, clipping, seeds and divergence."""

import json
from dataclasses import replace

import numpy as np
import plotly.express as px
import pytest

from simulator import bptt, state
from simulator.data import BLUE, Prices, stocks
from simulator.explain import fmt
from simulator.models import lstm
from simulator.models.common import from_vector as common_from_vector
from simulator.models.common import vector as common_vector
from simulator.models.rnn import Params, backward, forward
from simulator.presets import BY_KEY
from simulator.spectra import spectrum
from simulator.train_figures import RADIUS, WEIGHT_LIMIT, price_range, runaways
from simulator.train_page import (
    baseline,
    caption,
    clipping_notice,
    clipping_setups,
    compared,
    defaults,
    died,
    figure,
    headline,
    network_file,
    network_json,
    period,
    radius_said,
    run,
    setup,
    start_said,
    steps_said,
    stock,
    vanishing_notice,
    vanishing_setups,
    weights_table,
)
from simulator.trainer import (
    MAX_SNAPSHOTS,
    NAMES,
    STATQUEST,
    Scale,
    batches,
    epochs_allowed,
    fit,
    fit_one_unit,
    initial,
    norm_names,
    norms,
    snapshots,
    windows,
    work,
)
from tests.apptest import open_app
from tests.spec import array


def vector(p):
    """Every weight of Params p in one vector, in its NAMES' order."""
    return common_vector(p, p.NAMES)


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
    run = fit_one_unit(GOOG, initial("statquest"), "relu", "all", lr=0.3, epochs=300)
    assert run.diverged is None and run.loss.shape == (301,) and run.theta.shape == (301, 5)
    assert run.loss[-1] < 0.3 * run.loss[0]
    assert np.all(np.diff(run.loss) <= 1e-12)  # a small enough step never goes uphill here


def test_one_epoch_is_one_plain_gradient_step():
    theta, lr = np.array(STATQUEST), 0.3
    run = fit_one_unit(GOOG, theta, "tanh", "all", lr=lr, epochs=1)
    p = Params.scalar(*theta, "tanh")
    g = backward(p, forward(p, GOOG[:-1]), GOOG[1:], "all")
    T = len(GOOG) - 1
    np.testing.assert_allclose(run.loss[0], g.loss / T, rtol=1e-15)
    np.testing.assert_allclose(run.theta[1], theta - lr * bptt.vector(g) / T, rtol=1e-15)


def test_the_last_loss_fits_tomorrow_only():
    run = fit_one_unit(GOOG, initial("statquest"), "relu", "last", lr=0.3, epochs=200)
    p = run.final
    assert run.loss[0] > 0.01 and abs(forward(p, GOOG[:-1]).y[-1] - GOOG[-1]) < 1e-6


def test_clipping_keeps_a_diverging_run_finite():
    wild = fit_one_unit(GOOG, initial("statquest"), "relu", "all", lr=3.0, epochs=1000)
    assert wild.diverged is not None
    assert not np.isfinite(wild.loss[-1]) or not np.isfinite(wild.theta[-1]).all()
    assert np.isfinite(vector(wild.final)).all()
    assert wild.snaps[-1] == wild.diverged  # the animation ends where it broke
    tame = fit_one_unit(GOOG, initial("statquest"), "relu", "all", lr=3.0, epochs=1000, clip="norm", clip_at=0.1)
    assert tame.diverged is None and np.isfinite(tame.theta).all() and np.isfinite(tame.loss).all()
    assert tame.loss[-1] < tame.loss[0]


def test_a_broken_start_stops_at_epoch_0():
    run = fit_one_unit(GOOG, [1.0, 1e200, 0.0, 1e200, 0.0], "identity", "all", lr=0.1, epochs=50)
    assert run.diverged == 0 and len(run.snaps) == 1
    assert np.array_equal(vector(run.final), [1.0, 1e200, 0.0, 1e200, 0.0])


def test_the_same_seed_replays_the_same_run():
    a, b = (fit_one_unit(GOOG, initial("random", 7), "tanh", "all", lr=0.5, epochs=100) for _ in range(2))
    for field in ("theta", "loss", "y", "dh", "snaps", "radius"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(initial("random", 7), initial("random", 8))
    assert np.all(np.abs(initial("random", 7)) <= 1) and initial("random", 7).shape == (5,)
    np.testing.assert_array_equal(initial("statquest"), STATQUEST)
    np.testing.assert_array_equal(initial("current", 0, [1, 2, 3, 4, 5]), [1, 2, 3, 4, 5])


@pytest.mark.parametrize("loss", ["all", "last"])
def test_truncation_to_k_at_least_T_is_full_bptt(loss):
    T = len(GOOG) - 1
    full = fit_one_unit(GOOG, initial("random", 3), "tanh", loss, lr=0.5, epochs=50)
    for k in (T, T + 1, 10_000):
        cut = fit_one_unit(GOOG, initial("random", 3), "tanh", loss, lr=0.5, epochs=50, k=k)
        np.testing.assert_array_equal(cut.theta, full.theta)
    shorter = fit_one_unit(GOOG, initial("random", 3), "tanh", loss, lr=0.5, epochs=50, k=2)
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


# The Train page's sentences, each against the numbers of the run it describes.


def _setup(source="stock", **settings):
    chosen = defaults(data=source, **settings)
    series = stock("GOOG", chosen["from"], chosen["to"]) if source == "stock" else Prices(
        BLUE.label, BLUE.color, np.array(BLUE.xs), "on StatQuest's scale", own_scale=True
    )  # fmt: skip
    return setup(series, chosen)


def _run(setup):
    return run(setup)


def test_a_dead_relu_is_told_from_the_run():
    setup = _setup(lr=3.0)
    run = _run(setup)
    epoch = died(setup, run)
    h = forward(Params.scalar(*run.theta[epoch], "relu"), GOOG[:-1]).h
    assert epoch == 3 and not h.any() and h.size == 104
    assert (run.theta[epoch:, :4] == run.theta[epoch, :4]).all()  # four weights frozen to the end
    assert forward(Params.scalar(*run.theta[epoch - 1], "relu"), GOOG[:-1]).h.any()  # alive the epoch before
    mean, b_y = GOOG[1:].mean(), run.theta[epoch:, 4]
    np.testing.assert_allclose((b_y[1:] - mean) / (b_y[:-1] - mean), 1 - 3.0, rtol=1e-9)  # overshoots, × −2
    said = headline(setup, run)
    assert "**The ReLU died at epoch 3**" in said and "every week's z" in said
    assert (
        f"w_h = {fmt(run.theta[3, 1], 3)}" in said
        and f"mean price ({fmt(mean, 3)}) by {fmt(1 - 3.0, 3)} (1 − lr = 1 − 3)" in said
    )
    assert "flips sign and grows" in said and f"to {fmt(b_y[-1], 3)}." in said
    assert "died" not in headline(_setup(), _run(_setup()))  # the default run keeps its ReLU alive
    clipped = _setup(lr=3.0, epochs=1000, clip="norm")
    run = _run(clipped)
    tail = run.theta[-10:, 4]
    assert (np.sign(tail - mean)[1:] != np.sign(tail - mean)[:-1]).all()  # bounces side to side of the mean
    assert f"between {fmt(tail.min(), 3)} and {fmt(tail.max(), 3)}" in headline(clipped, run)


def test_a_broken_run_says_what_overflowed():
    setup = _setup(lr=3.0, epochs=1000)
    run = _run(setup)
    broke = run.theta[run.diverged]
    assert run.diverged == 509 and np.isfinite(broke).all() and not np.isfinite(run.loss[-1])
    errors = forward(Params.scalar(*broke, "relu"), GOOG[:-1]).y - GOOG[1:]
    assert np.isfinite(errors).all() and (errors**2 < np.finfo(np.float64).max).all()  # each error squared fits
    with np.errstate(over="ignore"):
        assert np.sum(errors**2) == np.inf  # their sum does not
    said = headline(setup, run)
    assert "the loss overflowed float64: the weights are finite" in said
    assert f"(the biggest is {fmt(np.abs(broke).max(), 3)})" in said and "weights overflowed" not in said
    story = BY_KEY["train-explodes"].story
    assert "epoch 509" in story and "dies at epoch 3" in story and f"b_y is {fmt(broke[4], 2)}" in story
    assert f"its {len(errors)} errors squared" in story and "weights overflow" not in story


def test_a_loss_is_compared_with_the_guesses_it_should_beat():
    run = _run(_setup())
    constant = 0.5 * np.mean((GOOG[1:] - GOOG[1:].mean()) ** 2)
    last_week = 0.5 * np.mean((GOOG[1:] - GOOG[:-1]) ** 2)
    assert constant > run.loss[-1] > last_week  # so: it beats only the mean
    said = headline(_setup(), run)
    assert f"at the mean price scores {fmt(constant, 4)}" in said and f"last week's scores {fmt(last_week, 4)}" in said
    assert said.endswith("it beats only the mean.")


def test_a_tomorrow_only_loss_says_what_it_cannot_see():
    vanishing = _setup(**BY_KEY["train-vanishing"].settings)
    run = _run(vanishing)
    y = forward(run.final, GOOG[:-1]).y
    assert np.ptp(y) < 0.1 and abs(y[-1] - GOOG[-1]) < 1e-12  # flat, and exactly on the one price scored
    said = headline(vanishing, run)
    assert f"({fmt(run.loss[0] / run.loss[-1])}× smaller)" in said and "one prediction only" in said
    assert f"predicts {fmt(y.min(), 3)} to {fmt(y.max(), 3)} whatever the week" in said
    assert "learned a constant, not the pattern" in said
    assert f"flat line near {fmt(y[-1], 2)}" in BY_KEY["train-vanishing"].story
    exact = _setup(act="tanh", loss="last")
    run = _run(exact)
    assert run.loss[-1] == 0 and 0 < run.loss[0] < 1e-4
    said = headline(exact, run)
    assert f"from **{fmt(run.loss[0], 4)}** to **exactly 0**." in said and "∞" not in said and "e−5" in said


def test_what_to_notice_on_clipping_is_told_from_its_runs():
    setups = clipping_setups()
    unclipped, clipped, small = runs = [_run(s) for s in setups]
    assert unclipped.diverged == 509 and clipped.diverged is None and clipped.loss[-1] > clipped.loss[0]
    assert small.loss[-1] < small.loss[0]
    said = clipping_notice(setups, runs)
    assert "training breaks at epoch 509" in said
    rise = f"from {fmt(clipped.loss[0], 4)} to {fmt(clipped.loss[-1], 4)}"
    assert f"at the threshold 5 the loss rises {rise}" in said
    assert f"at 0.1 the loss falls from {fmt(small.loss[0], 4)} to {fmt(small.loss[-1], 4)}" in said


def test_the_words_follow_the_datas_period_and_scale():
    assert state.loss_labels(period("stock")) == {"all": "every next week", "last": "only the next week"}
    assert state.loss_labels(period("blue")) == {"all": "every next day", "last": "only tomorrow"}
    assert "scaled to 0..1" in caption(_setup()) and "early weeks" in caption(_setup())
    assert "× its close on 2018-01-01, not rescaled" in caption(_setup(scale="none"))
    assert "0 = low, 1 = high" in caption(_setup("blue")) and "each next day" in caption(_setup("blue"))
    assert "0 = low" not in caption(_setup(scale="none"))


def test_a_runaway_weight_leaves_the_chart_and_says_so():
    setup = _setup(lr=3.0)
    run = _run(setup)
    fig = figure(setup, run).to_dict()
    weights = [t for t in fig["data"] if t.get("legend") == "legend2"]
    assert [t["name"] for t in weights] == list(NAMES)
    for trace in weights:
        drawn = array(trace["y"]).astype(float)
        assert np.nanmax(np.abs(drawn)) <= WEIGHT_LIMIT  # no line crosses the panel top to bottom
    first = int(np.flatnonzero(np.abs(run.theta[:, 4]) > WEIGHT_LIMIT)[0])
    assert runaways(run.theta, NAMES) == {"b_y": first}
    (note,) = [a["text"] for a in fig["layout"]["annotations"] if "off the chart" in a["text"]]
    assert note == f"b_y off the chart from epoch {first}<br>(reaches {fmt(run.theta[-1, 4], 3)})"
    star = fig["data"][2]
    hi = price_range(GOOG)[1]
    assert star["y"] == [hi, hi] and star["text"] == ["", f"↑ next week: {fmt(run.y[-1][-1])}"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "week"


def test_what_to_notice_on_vanishing_is_told_from_its_runs():
    setups = vanishing_setups()
    only, every = [_run(s) for s in setups]
    p = Params.scalar(*STATQUEST, "tanh")
    dh_last, dh_all = bptt_shares(p, GOOG, "last"), bptt_shares(p, GOOG, "all")
    said = vanishing_notice(setups, [only, every])
    assert dh_last[0] / dh_last[-1] < 1e-40 and dh_all[0] / dh_all[-1] > 1  # vanishes only for the last week
    assert f"the first week is {fmt(dh_last[0] / dh_last[-1])} times the one reaching the last" in said
    assert f"the first week gets {fmt(dh_all[0] / dh_all[-1])} times the last's" in said


def bptt_shares(p, xs, loss):
    """|dL/dh_t| over the inputs xs[:-1] before any training, straight from the core."""
    inputs, target = xs[:-1], xs[1:] if loss == "all" else xs[-1]
    return np.abs(backward(p, forward(p, inputs), target, loss).dh[:, 0])


def test_the_truncated_and_clipped_scenarios_do_what_their_stories_say():
    truncated = _setup(**BY_KEY["truncated"].settings)
    run = _run(truncated)
    reached = np.flatnonzero((run.dh > 0).any(axis=0))
    assert "only 10 weeks" in BY_KEY["truncated"].story and reached.min() == run.dh.shape[1] - 10  # blank before
    saved = _setup(**BY_KEY["clipping-saves"].settings)
    run = _run(saved)
    assert "length 0.1" in BY_KEY["clipping-saves"].story and saved.settings["clip_at"] == 0.1
    assert run.diverged is None and run.loss[-1] < run.loss[0]  # finite, and it learns


# Any cell, n units, Adam and windows.


def test_adam_steps_each_weight_by_about_lr_and_learns_the_stock():
    lr, T = 0.01, len(GOOG) - 1
    gd = fit_one_unit(GOOG, initial("statquest"), "relu", "all", lr=lr, epochs=100)
    adam = fit_one_unit(GOOG, initial("statquest"), "relu", "all", lr=lr, epochs=100, optimizer="adam")
    p = Params.scalar(*STATQUEST, "relu")
    g = bptt.vector(backward(p, forward(p, GOOG[:-1]), GOOG[1:], "all")) / T
    np.testing.assert_allclose(adam.theta[1], STATQUEST - lr * np.sign(g), rtol=1e-6)  # m^ / sqrt(v^) = sign g
    np.testing.assert_allclose(gd.theta[1], STATQUEST - lr * g, rtol=1e-15)
    assert adam.diverged is None and adam.loss[-1] < 0.3 * adam.loss[0] and adam.loss[-1] < gd.loss[-1]
    momentum = fit_one_unit(GOOG, initial("statquest"), "relu", "all", lr=lr, epochs=100, optimizer="momentum")
    assert momentum.loss[-1] < gd.loss[-1]  # same steps in the same direction add up


def test_windows_are_every_run_of_days_with_their_next_days():
    xs = np.arange(10.0)
    inputs, target = windows(xs, 3, "all")
    assert inputs.shape == target.shape == (3, 7)
    np.testing.assert_array_equal(inputs[:, 4], [4, 5, 6])
    np.testing.assert_array_equal(target[:, 4], [5, 6, 7])
    inputs, target = windows(xs, 3, "last")
    assert target.shape == (7,) and target[4] == 7
    whole, after = windows(xs, 50, "all")  # longer than the series: the whole series, once
    assert whole.shape == (9, 1)
    np.testing.assert_array_equal(whole[:, 0], xs[:-1])
    np.testing.assert_array_equal(after[:, 0], xs[1:])
    cut = batches(7, 3, np.random.default_rng(5))
    assert [len(b) for b in cut] == [3, 3, 1] and sorted(np.concatenate(cut)) == list(range(7))
    assert [b.tolist() for b in cut] == [b.tolist() for b in batches(7, 3, np.random.default_rng(5))]


def test_one_window_of_the_whole_series_is_whole_series_descent():
    full = fit_one_unit(GOOG, initial("random", 3), "tanh", "all", lr=0.5, epochs=30)
    once = fit_one_unit(GOOG, initial("random", 3), "tanh", "all", lr=0.5, epochs=30, window=len(GOOG) - 1, batch=4)
    np.testing.assert_allclose(once.theta, full.theta, rtol=1e-12)
    np.testing.assert_allclose(once.loss, full.loss, rtol=1e-12)


def test_an_epoch_of_windows_is_one_step_per_shuffled_batch():
    p0, lr, seed = Params.scalar(*STATQUEST, "tanh"), 0.2, 4
    run = fit("rnn", p0, GOOG, "all", lr, 1, window=10, batch=32, seed=seed)
    inputs, target = windows(GOOG, 10, "all")
    theta = vector(p0)
    for chosen in batches(inputs.shape[1], 32, np.random.default_rng(seed)):
        p = common_from_vector(Params, theta, p0)
        g = backward(p, forward(p, inputs[:, chosen]), target[:, chosen], "all")
        theta = theta - lr * bptt.vector(g) / (len(chosen) * 10)
    np.testing.assert_allclose(run.theta[1], theta, rtol=1e-12)
    again = fit("rnn", p0, GOOG, "all", lr, 5, window=10, batch=32, seed=seed)
    other = fit("rnn", p0, GOOG, "all", lr, 5, window=10, batch=32, seed=seed + 1)
    np.testing.assert_array_equal(again.theta, fit("rnn", p0, GOOG, "all", lr, 5, window=10, batch=32, seed=seed).theta)
    assert not np.array_equal(again.theta, other.theta)  # another seed, another order


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_gated_cells_learn_the_stock(cell):
    s = _setup(cell=cell, units=4, optimizer="adam", lr=0.01, epochs=150)
    r = _run(s)
    assert r.diverged is None and not r.one_unit and r.theta is None and r.radius is None
    assert r.loss[-1] < 0.2 * r.loss[0]
    assert r.names == norm_names(s.start) and r.weights.shape == (151, len(s.start.NAMES))
    np.testing.assert_allclose(r.weights[-1], norms(r.final))
    np.testing.assert_allclose(r.weights[-1][s.start.NAMES.index("W_h")], np.linalg.norm(r.final.W_h))
    said = headline(s, r)
    assert f"the loss fell from **{fmt(r.loss[0], 4)}** to **{fmt(r.loss[-1], 4)}**" in said
    fig = figure(s, r).to_dict()
    drawn = [t["name"] for t in fig["data"] if t.get("legend") == "legend2"]
    assert drawn == list(r.names) and "ρ" not in "".join(drawn)


def test_statquests_lstm_starts_the_one_unit_lstm():
    s = _setup(cell="lstm", epochs=20)
    np.testing.assert_array_equal(vector(s.start), vector(lstm.Params.statquest()))
    assert start_said(s) == ""
    wide = _setup(cell="lstm", units=3, seed=9, forget_bias=1.0)
    np.testing.assert_array_equal(vector(wide.start), vector(lstm.Params.init(3, 1, 9, 1.0)))
    assert start_said(wide) == (
        "StatQuest has no LSTM of 3 units: the LSTM starts from PyTorch's random weights, drawn from seed 9."
    )
    copies = _setup(units=3)
    np.testing.assert_array_equal(copies.start.W_h, -0.5 * np.eye(3))
    np.testing.assert_array_equal(copies.start.w_y, np.full(3, 1.1 / 3))


def test_the_spectral_radius_trace_is_the_snapshots_w_h():
    s = _setup(units=6, init="current", recipe="radius", rho=1.2, act="tanh", lr=0.1, epochs=40, optimizer="adam")
    r = _run(s)
    for i in (0, 7, len(r.snaps) - 1):
        at = fit("rnn", s.start, s.scale.scaled(s.series.xs), "all", 0.1, int(r.snaps[i]), optimizer="adam",
                 h0=s.h0).final  # fmt: skip
        assert r.radius[i] == spectrum(at.W_h).radius
    assert r.radius[0] == pytest.approx(1.2, rel=1e-12)
    fig = figure(s, r).to_dict()
    (trace,) = [t for t in fig["data"] if t.get("name") == RADIUS]
    np.testing.assert_array_equal(array(trace["y"]), r.radius)
    np.testing.assert_array_equal(array(trace["x"]), r.snaps)
    (line,) = [shape for shape in fig["layout"]["shapes"] if shape["yref"] == "y3"]
    assert line["y0"] == line["y1"] == 1.0  # 1/gamma for tanh
    said = radius_said(s, r)
    sigma = spectrum(r.final.W_h).norm
    assert f"ρ(W_h) went from {fmt(r.radius[0], 3)} to {fmt(r.radius[-1], 3)} over 40 epochs" in said
    assert ("above 1/γ = 1." if r.radius[-1] > 1 else "below 1/γ = 1.") in said and f"σ_max = {fmt(sigma, 3)}" in said
    assert ("may grow" in said) == (sigma > 1) and ("must vanish" in said) == (sigma < 1)
    sigmoid = _setup(units=3, init="random", act="sigmoid", epochs=5)
    shapes = figure(sigmoid, _run(sigmoid)).to_dict()["layout"]["shapes"]
    assert [sh["y0"] for sh in shapes if sh["yref"] == "y3"] == [4.0]


def test_how_an_epoch_learns_is_told_from_its_numbers():
    s = _setup(learn="windows", window=20, batch=16, epochs=10, seed=3, optimizer="adam", lr=0.01)
    r = _run(s)
    count = windows(GOOG, 20, "all")[0].shape[1]
    per = -(-count // 16)
    assert steps_said(s, r) == (
        f"Each epoch cuts the series into its {count} windows of 20 weeks, shuffles them (seed 3) and takes one step "
        f"of Adam per batch of up to 16: {per} steps an epoch, {per * 10} in all. Each window starts from an empty "
        "memory; the loss is measured on the whole series."
    )
    assert count == len(GOOG) - 20 and per == 6
    assert steps_said(_setup(epochs=12), _run(_setup(epochs=12))) == (
        "Each epoch is one step of plain gradient descent on the whole series: 12 steps."
    )


def test_the_work_cap_keeps_big_networks_near_a_second():
    assert work("rnn", 1, 104) == 1.0
    assert work("lstm", 64, 104) > work("lstm", 1, 104) > work("rnn", 8, 104) > 1
    assert work("rnn", 1, 104, window=20, batch=1) > work("rnn", 1, 104, window=20, batch=16) > 1
    assert _setup(cell="lstm", units=64, learn="windows", epochs=5000).epochs < 300


def test_the_trained_network_saves_as_json_with_every_weight():
    s = _setup(cell="gru", units=2, epochs=5)
    r = _run(s)
    saved = json.loads(network_json(s, r))
    assert saved["cell"] == "gru" and saved["units"] == 2 and "activation" not in saved
    for name in s.start.NAMES:
        np.testing.assert_array_equal(saved[name], getattr(r.final, name))
    assert network_file(network_json(s, r).encode()) == "a GRU of 2 units"
    lstm_run = _setup(cell="lstm", epochs=2)
    assert network_file(network_json(lstm_run, _run(lstm_run)).encode()) == "an LSTM of 1 unit"
    assert network_file(b'{"w_x": 1}') is None and network_file(b"\xff") is None
    table = weights_table(s, r)
    assert table["weight"] == list(s.start.NAMES) and table["shape"][1] == "6 × 2"
    assert table["trained"] == [fmt(v, 4) for v in norms(r.final)]


def test_adam_and_windows_are_drawn_beside_whole_series_gradient_descent():
    s = _setup(optimizer="adam", lr=0.01, learn="windows", epochs=60)
    r, b = _run(s), _run(baseline(s))
    plain = _run(_setup(lr=0.01, epochs=60))
    np.testing.assert_array_equal(b.loss, plain.loss)  # the baseline is today's run, same start and rate
    assert baseline(_setup()) is None
    fig = figure(s, r, -1, b).to_dict()
    (drawn,) = [t for t in fig["data"] if t.get("name") == "gradient descent, whole series"]
    np.testing.assert_array_equal(array(drawn["y"]), b.loss)
    said = compared(s, r, b)
    lower = b.loss[-1] / r.loss[-1]
    assert lower > 1 and said == (
        "Beside it, dashed: plain gradient descent on the whole series, same start and learning rate (0.01), ends "
        f"at {fmt(b.loss[-1], 4)}; Adam on windows of 20 weeks ends at {fmt(r.loss[-1], 4)}, {fmt(lower, 3)}× lower."
    )
    alone = [t.get("name") for t in figure(s, r).to_dict()["data"]]
    assert "gradient descent, whole series" not in alone and "this run" not in alone


def test_the_caption_names_what_the_weights_panel_draws():
    assert "then the five weights." in caption(_setup())
    wide = caption(_setup(units=4, init="random", act="sigmoid"))
    assert "each weight's size (its norm" in wide and "spectral radius ρ beside the 1/γ line (4)" in wide
    gated = caption(_setup(cell="gru", units=2))
    assert "each weight's size" in gated and "ρ" not in gated
    assert "the loss on the whole series after each epoch" in caption(_setup(learn="windows"))


def test_the_training_controls_count_in_the_datas_period():
    at = open_app("pages/train.py", learn="windows")
    labels = [n.label for n in at.number_input]
    assert "Truncate BPTT to k weeks" in labels and "Window (weeks)" in labels  # a stock's prices are weekly
    at = open_app("pages/train.py", learn="windows", data="blue")
    assert "Window (days)" in [n.label for n in at.number_input]
