"""The network a page shows, built from the shareable settings: which cell, how many units, how W_h is drawn.

rnn, 1 unit, "statquest"    StatQuest's unit with the five weights as set (w_x, w_h, b, w_y, b_y)
rnn, n units, "statquest"   n copies of that unit, w_y / n each: they behave as one (why weights start random)
rnn, n units, another recipe  W_h from `spectra.recipe` (rho, seed); w_x ~ N(0, 1), w_y ~ N(0, 1 / n), b = 0
rnn, "trap"                 `spectra.trap`: rho(W_h) = 0, and still the gradient doubles every day back
lstm, 1 unit, "statquest"   StatQuest's LSTM; otherwise PyTorch's random start plus the forget-gate bias
gru                         PyTorch's random start
"""

import numpy as np

from . import spectra
from .models import gru, lstm, rnn

CELLS = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}
MODELS = {"rnn": rnn, "lstm": lstm, "gru": gru}
RECIPE_LABELS = {
    "statquest": "StatQuest's unit, copied n times",
    "identity": "identity × ρ (IRNN)",
    "orthogonal": "orthogonal × ρ",
    "radius": "random, spectral radius ρ",
    "gain": "random × gain ρ",
    "trap": "the trap (ρ = 0)",
}
SCALED = ("identity", "orthogonal", "radius", "gain")  # the recipes rho scales
RANDOM = ("orthogonal", "radius", "gain")  # the recipes the seed draws


def params(v):
    """{setting name: value} (cell, units, recipe, rho, seed, forget_bias, act and the five weights) -> the
    cell's Params."""
    cell, n, recipe = v["cell"], v["units"], v["recipe"]
    if cell == "lstm":
        return (
            lstm.Params.statquest()
            if n == 1 and recipe == "statquest"
            else lstm.Params.init(n, 1, v["seed"], v["forget_bias"])
        )
    if cell == "gru":
        return gru.Params.init(n, 1, v["seed"])
    if recipe == "trap":
        return spectra.trap(n)[0]
    if recipe == "statquest":
        ones = np.ones(n)
        return rnn.Params(v["w_x"] * ones, v["w_h"] * np.eye(n), v["b"] * ones, v["w_y"] / n * ones, v["b_y"], v["act"])
    rng = np.random.default_rng(v["seed"])
    W_h = spectra.recipe(recipe, n, v["rho"], v["seed"])
    return rnn.Params(rng.normal(size=n), W_h, np.zeros(n), rng.normal(size=n) / np.sqrt(n), v["b_y"], v["act"])


def h0(v):
    """The memory before day 1 (n,): the trap's own fixed point, else the setting h0 in every unit."""
    if v["cell"] == "rnn" and v["recipe"] == "trap":
        return spectra.trap(v["units"])[1]
    return np.full(v["units"], float(v["h0"]))


def forward(v, p, xs):
    """The trace of `p` (a Params of cell v['cell']) over xs, from the memory `h0(v)` (and c0 = 0 for the LSTM)."""
    return MODELS[v["cell"]].forward(p, xs, h0(v))
