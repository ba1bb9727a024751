"""Gradient flow for any cell (simulator/flow.py) and what W_h's spectrum says about it (simulator/spectra.py)."""

import numpy as np
import pytest

from simulator import bptt, flow, spectra
from simulator.models import gru, lstm, rnn


def rnn_params(W_h, activation="tanh", seed=0):
    rng = np.random.default_rng(seed)
    n = len(W_h)
    return rnn.Params(rng.normal(size=n), W_h, rng.normal(scale=0.3, size=n), rng.normal(size=n), 0.1, activation)


def test_reach_of_one_unit_is_the_product_of_its_factors():
    p = rnn.Params.scalar(w_h=1.1, activation="tanh")
    tr = rnn.forward(p, np.linspace(0, 1, 40))
    factor = p.W_h[0, 0] * rnn.ACTIVATIONS["tanh"].df(tr.z, tr.h)[:, 0]
    np.testing.assert_allclose(flow.reach(flow.jacobians(p, tr)), bptt.log10_reach(factor), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("model", [rnn, lstm, gru])
def test_reach_is_the_norm_of_the_product(model):
    rng = np.random.default_rng(1)
    n, rows = 3, {rnn: 1, lstm: 4, gru: 3}[model]
    kw = {"w_x": rng.normal(size=rows * n), "W_h": rng.normal(size=(rows * n, n)), "b": rng.normal(size=rows * n)}
    kw |= {"b_hn": rng.normal(size=n)} if model is gru else {}
    kw |= {"activation": "tanh"} if model is rnn else {}
    p = model.Params(**kw, w_y=rng.normal(size=n), b_y=0.0)
    tr = model.forward(p, rng.uniform(size=8))
    J = flow.jacobians(p, tr)
    got = flow.reach(J)
    for t in range(8):
        M = np.eye(J.shape[1])
        for s in range(7, t - 1, -1):
            M = M @ J[s]
        assert got[t] == pytest.approx(np.log10(np.linalg.norm(M, 2)), rel=1e-10)
    assert got[8] == 0.0


def test_reach_never_overflows():
    p = rnn.Params.scalar(w_h=1.1, activation="identity")
    r = flow.reach(flow.jacobians(p, rnn.forward(p, np.ones(10_000))))
    assert r[0] == pytest.approx(10_000 * np.log10(1.1), rel=1e-9)  # 10^413.9, far beyond float64


def test_a_dead_relu_cuts_the_path():
    p = rnn.Params.scalar(w_x=-1.0, activation="relu")
    assert flow.reach(flow.jacobians(p, rnn.forward(p, np.ones(5))))[0] == -np.inf


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize(
    "name, scale", [("identity", 1.0), ("orthogonal", 1.2), ("radius", 0.9), ("radius", 1.5), ("gain", 2.0)]
)
def test_the_gradient_never_rises_above_the_spectral_bound(name, scale, activation):
    """|dL/dh_t| <= |dL/dh_T| (sigma_max gamma)^(T - t), with loss on the last day only."""
    n, T = 8, 60
    p = rnn_params(spectra.recipe(name, n, scale, seed=3), activation)
    tr = rnn.forward(p, np.random.default_rng(4).uniform(size=T))
    g = rnn.backward(p, tr, 0.0)
    measured = np.log10(flow.norms(g.dh) / flow.norms(g.dh)[-1])  # days 1 .. T
    ceiling = spectra.bound(spectra.spectrum(p.W_h, activation).rate, T)[1:]
    reach = flow.reach(flow.jacobians(p, tr))[1:]
    assert (measured <= reach + 1e-9).all()
    assert (reach <= ceiling + 1e-9).all()


def test_the_trap_has_radius_zero_and_doubles_every_day_back():
    p, h0 = spectra.trap()
    s = spectra.spectrum(p.W_h, "tanh")
    assert s.radius == pytest.approx(0.0, abs=1e-7)
    assert s.norm == pytest.approx(16.0) and s.may_explode
    tr = rnn.forward(p, np.zeros(20), h0=h0)
    np.testing.assert_allclose(tr.h, np.tile(h0, (20, 1)), atol=1e-9)  # the fixed point
    dh = flow.norms(rnn.backward(p, tr, 0.0).dh)
    np.testing.assert_allclose(dh[:-2] / dh[1:-1], 2.0, rtol=1e-6)
    np.testing.assert_allclose(rnn.jacobian(p, tr, 5), [[8, 8], [-6, -6]], atol=1e-8)


@pytest.mark.parametrize("n", [1, 2, 5, 16])
@pytest.mark.parametrize("rho", [0.5, 0.9, 1.1])
def test_each_recipe_gives_the_spectral_radius_asked_for(n, rho):
    for name in ("identity", "orthogonal", "radius"):
        assert spectra.spectrum(spectra.recipe(name, n, rho, seed=n)).radius == pytest.approx(rho, rel=1e-9), name
    np.testing.assert_allclose(spectra.spectrum(spectra.recipe("orthogonal", n, rho, seed=1)).singular, rho)
    assert spectra.spectrum(spectra.recipe("statquest", n)).radius == 0.5


def test_recipes_replay_from_their_seed():
    a, b, c = (spectra.recipe("gain", 6, 1.0, seed=s) for s in (7, 7, 8))
    assert (a == b).all() and not (a == c).all()
    with pytest.raises(ValueError, match="recipe 'eye'"):
        spectra.recipe("eye", 3)


def test_gain_recipe_has_the_circular_law_radius():
    """Gaussian x gain / sqrt(n): the eigenvalues fill the disc of radius gain for large n."""
    assert spectra.spectrum(spectra.recipe("gain", 400, 1.5, seed=0)).radius == pytest.approx(1.5, rel=0.1)


def test_conditions_follow_the_rate():
    assert spectra.spectrum(np.eye(3) * 0.9, "tanh").must_vanish
    assert spectra.spectrum(np.eye(3) * 3.0, "sigmoid").must_vanish  # 3 x 1/4 < 1: Hochreiter's |w| < 4
    assert spectra.spectrum(np.eye(3) * 1.1, "tanh").may_explode


def test_lstm_cell_path_is_the_product_of_forget_gates():
    tr = lstm.forward(lstm.Params.statquest(), [0, 0.5, 0.25, 1])
    f = tr.f[:, 0]
    want = [np.log10(np.prod(f[t:])) for t in range(4)] + [0.0]
    np.testing.assert_allclose(flow.cell_path(tr)[:, 0], want, rtol=1e-12)
