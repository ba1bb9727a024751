"""The network built from the settings: each cell, unit count and recipe, and the link that carries them."""

import numpy as np
import pytest

from simulator import network, spectra, state
from simulator.models import lstm

DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}


def test_the_defaults_are_statquests_one_unit_rnn():
    p = network.params(DEFAULTS)
    assert (p.n, float(p.W_h[0, 0]), float(p.w_x[0]), float(p.w_y[0]), p.activation) == (1, -0.5, 1.8, 1.1, "relu")


def test_n_copies_of_statquests_unit_predict_as_one():
    one = network.forward(DEFAULTS, network.params(DEFAULTS), [0, 0.5])
    v = {**DEFAULTS, "units": 5}
    five = network.forward(v, network.params(v), [0, 0.5])
    assert five.h.shape == (2, 5) and np.allclose(five.h, one.h) and np.isclose(five.y[-1], one.y[-1])


def test_statquests_lstm_on_company_a():
    v = {**DEFAULTS, "cell": "lstm"}
    assert network.forward(v, network.params(v), [0, 0.5, 0.25, 1]).h[-1, 0] == pytest.approx(0.0064, abs=5e-5)


def test_the_forget_bias_moves_only_the_forget_gate():
    a, b = (network.params({**DEFAULTS, "cell": "lstm", "units": 3, "forget_bias": f}) for f in (1.0, 3.0))
    assert isinstance(a, lstm.Params) and np.allclose(b.b - a.b, np.r_[0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize("recipe", ["identity", "orthogonal", "radius"])
def test_the_recipes_spectral_radius_is_rho(recipe):
    p = network.params({**DEFAULTS, "units": 8, "recipe": recipe, "rho": 1.1, "seed": 4})
    assert spectra.spectrum(p.W_h).radius == pytest.approx(1.1)


def test_the_seed_draws_the_weights_again():
    a, b, c = (network.params({**DEFAULTS, "units": 4, "recipe": "gain", "seed": s}) for s in (1, 1, 2))
    assert np.array_equal(a.W_h, b.W_h) and not np.array_equal(a.W_h, c.W_h)


def test_the_trap_starts_at_its_fixed_point():
    v = {**DEFAULTS, "units": 2, "recipe": "trap"}
    trace = network.forward(v, network.params(v), np.zeros(5))
    assert np.allclose(trace.h, spectra.TRAP_H0)


def test_a_link_carries_the_network_and_refuses_a_bad_one():
    values, notices = state.from_query({"cell": ["gru"], "units": ["3"], "recipe": ["orthogonal"], "rho": ["1.5"]})
    assert values == {"cell": "gru", "units": 3, "recipe": "orthogonal", "rho": 1.5} and not notices
    values, notices = state.from_query({"cell": ["transformer"], "units": ["65"], "rho": ["nan"]})
    assert values == {} and len(notices) == 3
