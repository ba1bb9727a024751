"""The network a page shows, built from the shareable settings: which cell, how many units, how W_h is drawn.

rnn, 1 unit, "statquest"    StatQuest's unit with the five weights as set (w_x, w_h, b, w_y, b_y)
rnn, n units, "statquest"   n copies of that unit, w_y / n each: they behave as one (why weights start random)
rnn, n units, another recipe  W_h from `spectra.recipe` (rho, seed); w_x ~ N(0, 1), w_y ~ N(0, 1 / n), b = 0
rnn, "trap"                 `spectra.trap`: rho(W_h) = 0, and still the gradient doubles every day back
lstm, 1 unit, "statquest"   StatQuest's LSTM; otherwise PyTorch's random start plus the forget-gate bias
gru                         PyTorch's random start

A layer edited by hand (the setting "layer") replaces the RNN's w_x, W_h, b and w_y when it has as many rows as
there are units: `table` and `parse_table` turn those numbers into text a link carries and back.
"""

import dataclasses

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
    """{setting name: value} (cell, units, recipe, rho, seed, forget_bias, act, the five weights and, if given, the
    layer edited by hand) -> the cell's Params."""
    p = _drawn(v)
    edited = parse_table(v.get("layer", ""))
    if v["cell"] == "rnn" and edited is not None and len(edited) == p.n:
        return edit(p, edited)
    return p


def _drawn(v):
    """The cell's Params as the recipe draws it."""
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


MAX_EDITED = 8  # units up to which the layer is a table of numbers to edit (and a link carries them all)
LIMIT = 100.0  # the largest |weight| a table or a link may set


def rows(p):
    """The layer as a table (n, n + 3), a row per unit i: W_h[i] (from each unit's memory), w_x[i], b[i], w_y[i]."""

    return np.column_stack((p.W_h, p.w_x.reshape(p.n, -1)[:, :1], p.b, p.w_y))


def edit(p, table):
    """`p` with w_x, W_h, b and w_y read from `table` (n, n + 3), as `rows` lays them out."""
    n = p.n
    return dataclasses.replace(p, W_h=table[:, :n], w_x=table[:, n], b=table[:, n + 1], w_y=table[:, n + 2])


def table(values):
    """A table (n, n + 3) -> link text: its rows split by ';', the numbers in a row by ','."""
    rows = np.asarray(values, dtype=np.float64) + 0.0  # -0.0 reads 0.0
    return ";".join(",".join(repr(float(x)) for x in row) for row in rows)


def parse_table(text):
    """Link text -> the table (n, n + 3), or None for '' (nothing edited); raises ValueError saying what is wrong."""
    if not text:
        return None
    lines = text.split(";")
    if len(lines) > MAX_EDITED:
        raise ValueError(f"a layer typed in the link has at most {MAX_EDITED} rows (units), not {len(lines)}")
    try:
        values = [[float(x) for x in line.split(",")] for line in lines]
    except ValueError:
        raise ValueError("every weight of the layer must be a number") from None
    n = len(lines)
    if any(len(row) != n + 3 for row in values):
        raise ValueError(f"with {n} rows (units), each row needs {n + 3} numbers: {n} of W_h, then w_x, b and w_y")
    out = np.array(values)
    if not np.all(np.abs(out) <= LIMIT):  # also rejects NaN
        raise ValueError(f"every weight of the layer must lie between {-LIMIT:g} and {LIMIT:g}")
    return out
