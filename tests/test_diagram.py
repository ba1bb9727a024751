"""The unrolled diagram's payload: every number it carries is the trace's, and each tile's equation, worked out from
the operands it sends, gives the tile's value, for every cell and n = 1, 3, 32."""

import json

import numpy as np
import pytest

from simulator import diagram, network, state
from simulator.data import BLUE, RED, Row
from simulator.gradients import backprop
from simulator.models import lstm, rnn

DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}
SETUPS = [
    (cell, n, recipe)
    for cell in ("rnn", "lstm", "gru")
    for n, recipe in ((1, "statquest"), (3, "radius"), (32, "orthogonal"))
]
SIGMA = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
FUNCTIONS = {"σ": SIGMA, "tanh": np.tanh}


def built(cell, n, recipe, prices=(BLUE.xs, RED.xs), h0=0.1):
    v = {**DEFAULTS, "cell": cell, "units": n, "recipe": recipe, "h0": h0}
    p = network.params(v)
    rows = [Row(f"row {k}", "#0072B2", network.forward(v, p, np.array(xs))) for k, xs in enumerate(prices)]
    return p, rows


def through_json(payload):
    """The payload as the browser gets it: strict JSON (no NaN, no Infinity)."""
    return json.loads(json.dumps(payload, allow_nan=False))


@pytest.mark.parametrize(("cell", "n", "recipe"), SETUPS)
def test_every_tile_is_the_traces_value(cell, n, recipe):
    p, rows = built(cell, n, recipe)
    data = through_json(diagram.forward(p, rows, day=3))
    assert (data["cell"], data["n"], data["strip"], data["longest"]) == (cell, n, n > diagram.STRIP, 9)
    assert [t["key"] for t in data["tiers"]] == {"rnn": ["h"], "lstm": list("figoch"), "gru": list("rznh")}[cell]
    for row, sent in zip(rows, data["rows"], strict=True):
        tr = row.trace
        assert sent["days"] == len(tr.y)
        assert np.array_equal(diagram.decoded(sent["x"]), tr.xs) and np.array_equal(diagram.decoded(sent["y"]), tr.y)
        for tier in data["tiers"]:
            assert np.array_equal(diagram.decoded(sent["values"][tier["key"]]), getattr(tr, tier["key"]))
        assert np.array_equal(diagram.decoded(sent["h0"]), np.full(n, 0.1))


def tile_from_operands(data, sent, key, t, h_prev, c_prev):
    """Tile `key` on day t (0-based in the payload) for every unit, computed only from what the payload sends."""
    w, pre, values = data["weights"], sent["pre"], sent["values"]
    x = sent["x"][t]
    tier = next(tier for tier in data["tiers"] if tier["key"] == key)
    v = lambda k: np.array(values[k][t])  # noqa: E731
    if tier["kind"] == "affine":
        ww = w[key]
        z = np.array(ww["w_x"]) * x + np.array(ww["W_h"]) @ h_prev + np.array(ww["b"])
        assert np.allclose(z, pre[key][t], rtol=1e-12, atol=1e-12)  # the sum the tile's equation shows
        act = tier["act"] or data["act"]
        f = FUNCTIONS.get(act) or next(a.f for a in rnn.ACTIVATIONS.values() if a.symbol == act)
        return f(z)
    if tier["kind"] == "lstm_c":
        return v("f") * c_prev + v("i") * v("g")
    if tier["kind"] == "lstm_h":
        return v("o") * np.tanh(v("c"))
    if tier["kind"] == "gru_n":
        ww = w["n"]
        q_n = np.array(ww["W_h"]) @ h_prev + np.array(w["b_hn"])
        assert np.allclose(q_n, sent["q_n"][t], rtol=1e-12, atol=1e-12)
        z = np.array(ww["w_x"]) * x + np.array(ww["b"]) + v("r") * q_n
        assert np.allclose(z, pre["n"][t], rtol=1e-12, atol=1e-12)
        return np.tanh(z)
    assert tier["kind"] == "gru_h"
    return (1 - v("z")) * v("n") + v("z") * h_prev


@pytest.mark.parametrize(("cell", "n", "recipe"), SETUPS)
def test_each_tiles_equation_with_the_numbers_sent_gives_the_tile(cell, n, recipe):
    p, rows = built(cell, n, recipe)
    data = through_json(diagram.forward(p, rows, day=1))
    for sent in data["rows"]:
        h_prev, c_prev = np.array(sent["h0"]), np.array(sent.get("c0", np.zeros(n)))
        for t in range(sent["days"]):
            for tier in data["tiers"]:
                got = tile_from_operands(data, sent, tier["key"], t, h_prev, c_prev)
                assert np.allclose(got, sent["values"][tier["key"]][t], rtol=1e-10, atol=1e-12), (tier["key"], t)
            h = np.array(sent["values"]["h"][t])
            assert np.isclose(np.array(data["weights"]["w_y"]) @ h + data["weights"]["b_y"], sent["y"][t])
            h_prev, c_prev = h, np.array(sent["values"]["c"][t]) if cell == "lstm" else None


def test_statquests_lstm_tiles_carry_statquests_words_and_numbers():
    p, rows = built("lstm", 1, "statquest", prices=([0, 0.5, 0.25, 1],), h0=0.0)
    data = diagram.forward(p, rows, day=4)
    words = {t["key"]: (t["label"], t["words"]) for t in data["tiers"]}
    assert words["f"] == ("forget gate", "% of long-term memory to remember")
    assert words["i"] == ("input gate", "% of potential memory to remember")
    assert (
        words["g"][0] == "potential long-term memory" and words["o"][1] == "% of potential short-term memory to send on"
    )
    assert (words["c"][0], words["h"][0]) == ("long-term memory C", "short-term memory h")
    assert data["weights"]["f"] == {"w_x": [1.63], "W_h": [[2.7]], "b": [1.62]}  # sigmoid(2.70 h + 1.63 x + 1.62)
    assert data["rows"][0]["values"]["h"][-1][0] == pytest.approx(0.0064, abs=5e-5)  # company A ends near 0


def test_overflow_is_sent_as_inf_and_nan_strings_and_decodes_to_the_trace():
    v = {**DEFAULTS, "w_h": 3.0, "act": "identity"}
    p = network.params(v)
    tr = network.forward(v, p, np.full(1000, 0.5))
    assert not np.isfinite(tr.h).all()
    text = json.dumps(diagram.forward(p, [Row("typed", "#000", tr)], day=700), allow_nan=False)
    data = json.loads(text)
    h = data["rows"][0]["values"]["h"]
    assert "inf" in {u for day in h for u in day if isinstance(u, str)}
    a = data["start"]
    assert np.array_equal(diagram.decoded(h), tr.h[a : data["stop"]], equal_nan=True)
    assert np.array_equal(diagram.decoded(["inf", "-inf", "nan", 1.5]), [np.inf, -np.inf, np.nan, 1.5], equal_nan=True)


def test_a_long_run_is_sent_in_a_chunk_that_holds_the_day_and_its_window():
    p, rows = built("rnn", 32, "orthogonal", prices=(np.linspace(0, 1, 5000),))
    for day in (1, 2500, 5000):
        data = diagram.forward(p, rows, day=day)
        h = data["rows"][0]["values"]["h"]
        assert data["start"] <= (day - 1) // diagram.WINDOW * diagram.WINDOW and day <= data["stop"]
        assert len(h) == data["stop"] - data["start"] < 5000
        assert np.array_equal(diagram.decoded(h), rows[0].trace.h[data["start"] : data["stop"]])
        assert np.array_equal(diagram.decoded(data["rows"][0]["h0"]), rows[0].trace.s[data["start"], 0, :32])
        assert len(json.dumps(data)) < 3_000_000
    one = diagram.forward(*built("rnn", 1, "statquest", prices=(np.linspace(0, 1, 10_000),)), day=1)
    assert (one["start"], one["stop"]) == (0, 10_000)  # one unit: the whole run at once


BACK = [
    ("rnn", 1, "statquest"),
    ("rnn", 3, "radius"),
    ("lstm", 1, "statquest"),
    ("lstm", 3, "radius"),
    ("gru", 3, "radius"),
]


@pytest.mark.parametrize(("cell", "n", "recipe"), BACK)
def test_the_backward_payload_carries_the_gradient_and_what_each_step_back_multiplies_by(cell, n, recipe):
    p, rows = built(cell, n, recipe)
    model = network.MODELS[cell]
    back = [backprop(p, row, 1.0).row for row in rows]
    data = through_json(diagram.backward(p, back, day=1))
    for row, sent in zip(back, data["rows"], strict=True):
        T, tr = row.days, row.trace
        g = model.backward(p, tr, 1.0)
        assert np.array_equal(diagram.decoded(sent["dh"]), g.dh.reshape(T, n))
        factor = diagram.decoded(sent["factor"])
        for t in range(1, T):
            J = model.jacobian(p, tr, t)
            if cell != "lstm":  # one step back: dh_{t-1} = J_t^T dh_t (+ its own error, zero before T)
                assert np.allclose(J.T @ g.dh[t], g.dh[t - 1])
            else:  # the state is (h, C): its gradient with h_{t-1} held is f_{t+1} dC_{t+1}
                after = np.concatenate((g.dh[t], tr.f[t + 1] * g.dc[t + 1] if t + 1 < T else np.zeros(n)))
                assert np.allclose((J.T @ after)[:n], g.dh[t - 1])
                assert np.allclose(diagram.decoded(sent["forget"])[t], tr.f[t])  # the cell path: × f_t
                assert np.allclose(diagram.decoded(sent["dc"])[t], g.dc[t])
            one = cell == "rnn" and n == 1
            assert np.isclose(factor[t], J[0, 0] if one else np.linalg.norm(J, 2))  # signed for one unit
        if cell == "rnn" and n == 1:
            slope = diagram.decoded(sent["slope"])[:T]
            assert np.allclose(factor, p.W_h[0, 0] * slope)
    assert [r["offset"] for r in data["rows"]] == [0, 4]  # 9 and 5 days, lined up at their last day


def test_a_long_backward_run_of_n_units_is_sent_in_a_chunk_with_the_norms_of_its_days():
    p, rows = built("lstm", 16, "radius", prices=(np.linspace(0, 1, 2000),))
    back = [backprop(p, rows[0], 1.0).row]
    data = through_json(diagram.backward(p, back, day=1000))
    a, b = data["start"], data["stop"]
    assert a <= 999 < b and b - a < 2000
    sent = data["rows"][0]
    norms = [np.linalg.norm(lstm.jacobian(p, rows[0].trace, t), 2) for t in (a, b - 1)]
    assert np.allclose(diagram.decoded(sent["factor"])[[0, -1]], norms)
    assert np.array_equal(diagram.decoded(sent["dh"]), back[0].flow.units[a:b])
