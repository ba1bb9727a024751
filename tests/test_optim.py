"""Training any cell (simulator/optim.py) on the adding problem (simulator/tasks.py)."""

import numpy as np
import pytest

from simulator import optim, tasks
from simulator.models import common, gru, lstm, rnn


def test_one_adam_step_equals_a_hand_computed_one():
    opt = optim.Optimizer("adam", lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    theta, g = np.array([1.0, -2.0]), np.array([0.5, -4.0])
    # t = 1: m = 0.1 g, v = 0.001 g^2, m^ = g, v^ = g^2, so the step is lr g / (|g| + eps)
    assert opt.step(theta, g) == pytest.approx([1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 4.0 / (4.0 + 1e-8)])
    # t = 2 with g2: m = 0.9 * 0.1 g + 0.1 g2, v = 0.999 * 0.001 g^2 + 0.001 g2^2, bias-corrected by 1 - b^2
    g2 = np.array([1.0, 1.0])
    m = 0.9 * 0.1 * g + 0.1 * g2
    v = 0.999 * 0.001 * g**2 + 0.001 * g2**2
    step = 0.1 * (m / 0.19) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    assert opt.step(theta, g2) == pytest.approx(theta - step, rel=1e-12)


def test_sgd_and_momentum():
    theta, g = np.array([1.0]), np.array([2.0])
    assert optim.Optimizer("sgd", lr=0.1).step(theta, g) == pytest.approx([0.8])
    mom = optim.Optimizer("momentum", lr=0.1, beta1=0.5)
    mom.step(theta, g)
    assert mom.step(theta, g) == pytest.approx(theta - 0.1 * (0.5 * 2.0 + 2.0))
    with pytest.raises(ValueError, match="optimizer 'lbfgs'"):
        optim.Optimizer("lbfgs")


@pytest.mark.parametrize("model", [rnn, lstm, gru])
def test_vector_round_trip(model):
    p = model.Params.init(3, 2, seed=1)
    theta = common.vector(p, p.NAMES)
    back = common.from_vector(model.Params, theta, p)
    assert (common.vector(back, p.NAMES) == theta).all()
    assert all(np.shape(getattr(back, k)) == np.shape(getattr(p, k)) for k in p.NAMES)


def test_lstm_init_opens_the_forget_gate():
    p = lstm.Params.init(8, seed=0, forget_bias=1.0)
    assert (p.b[8:16] > 1 - 1 / np.sqrt(8)).all() and (np.abs(p.b[:8]) <= 1 / np.sqrt(8)).all()


def test_the_adding_problem():
    xs, target = tasks.adding(10, 500, np.random.default_rng(0))
    assert xs.shape == (10, 500, 2) and target.shape == (500,)
    marks = xs[..., 1]
    assert (marks.sum(axis=0) == 2).all() and (marks[:5].sum(axis=0) == 1).all()  # one mark in each half
    np.testing.assert_allclose((xs[..., 0] * marks).sum(axis=0), target)
    assert np.mean((target - 1.0) ** 2) == pytest.approx(tasks.CONSTANT_GUESS, abs=0.03)


def test_descent_lowers_the_loss_and_replays_from_its_seed():
    def race(model, seed):
        rng = np.random.default_rng(seed)
        test = tasks.adding(10, 200, np.random.default_rng(99))
        p = model.Params.init(8, 2, seed)
        runs = optim.descend(model, p, lambda step: tasks.adding(10, 16, rng), optim.Optimizer("adam", 0.01), 150,
                             "norm", 1.0, test=test, every=50)  # fmt: skip
        return [pr.test for pr in runs if pr.test is not None]

    first = race(gru, 3)
    assert first == race(gru, 3)  # the same seed replays the same race
    assert first[-1] < 0.5 * first[0]


def test_descent_stops_when_the_weights_overflow():
    p = rnn.Params.scalar(w_h=1.0, activation="identity")
    xs = np.ones(50)
    steps = list(optim.descend(rnn, p, lambda step: (xs, 1e300), optim.Optimizer("sgd", 1e10), 100))
    assert len(steps) < 100 and not np.isfinite(steps[-1].loss)
