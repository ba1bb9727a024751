"""The three cells (simulator/models/rnn.py, lstm.py, gru.py) against an independent per-step reference.

Every gradient (each parameter, the inputs, every h_t and the LSTM's c_t, h0 and c0) is checked against central
finite differences of the reference below, written from the equations one sequence and one day at a time, over
one sequence (T,), a batch (T, B) and d inputs a day (T, B, d), from a given h0, with both losses and truncation.
"""

import re

import numpy as np
import pytest

from simulator.models import gru, lstm, rnn

CELLS = {"rnn": rnn, "lstm": lstm, "gru": gru}
ROWS = {"rnn": 1, "lstm": 4, "gru": 3}  # rows of W_h per unit
EXACT = 1e-12
FD_EPS, FD_RTOL, FD_ATOL = 1e-6, 1e-6, 1e-8


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def step(cell, w, x, h, c):
    """One day of one sequence, straight from the equations: returns (h, c)."""
    n = len(w["w_y"])
    if cell == "rnn":
        return np.tanh(w["w_x"] @ x + w["W_h"] @ h + w["b"]), c
    if cell == "lstm":
        z = w["w_x"] @ x + w["W_h"] @ h + w["b"]
        i, f, g, o = sig(z[:n]), sig(z[n : 2 * n]), np.tanh(z[2 * n : 3 * n]), sig(z[3 * n :])
        c = f * c + i * g
        return o * np.tanh(c), c
    u, q = w["w_x"] @ x + w["b"], w["W_h"] @ h
    r, z = sig(u[:n] + q[:n]), sig(u[n : 2 * n] + q[n : 2 * n])
    cand = np.tanh(u[2 * n :] + r * (q[2 * n :] + w["b_hn"]))
    return (1 - z) * cand + z * h, c


def reference(cell, w, X, h0, c0, target, loss, bump=None):
    """L over X (T, B, d) from h0, c0 (B, n); bump = (what, t, b, j, delta) adds delta to h_t or c_t of
    sequence b, unit j, right after the step computes it (c before h uses it)."""
    T, B, _ = X.shape
    L = 0.0
    for b in range(B):
        h, c = h0[b].copy(), c0[b].copy()
        for t in range(T):
            if cell == "lstm" and bump and bump[0] == "c" and bump[1:3] == (t, b):
                n = len(h)
                z = w["w_x"] @ X[t, b] + w["W_h"] @ h + w["b"]
                i, f, g, o = sig(z[:n]), sig(z[n : 2 * n]), np.tanh(z[2 * n : 3 * n]), sig(z[3 * n :])
                c = f * c + i * g
                c[bump[3]] += bump[4]
                h = o * np.tanh(c)
            else:
                h, c = step(cell, w, X[t, b], h, c)
            if bump and bump[0] == "h" and bump[1:3] == (t, b):
                h = h.copy()
                h[bump[3]] += bump[4]
            y = w["w_y"] @ h + w["b_y"]
            if loss == "all" or t == T - 1:
                L += 0.5 * (y - (target[t, b] if loss == "all" else target[b])) ** 2
    return L


def weights(cell, n, d, seed):
    rng = np.random.default_rng(seed)
    rows = ROWS[cell] * n
    w = {"w_x": rng.normal(size=(rows, d)), "W_h": rng.normal(scale=0.6, size=(rows, n)), "b": rng.normal(size=rows)}
    if cell == "gru":
        w["b_hn"] = rng.normal(size=n)
    return w | {"w_y": rng.normal(size=n), "b_y": np.array(rng.normal())}


def params(cell, w, flat_x):
    kw = dict(w, w_x=w["w_x"][:, 0] if flat_x else w["w_x"], b_y=float(w["b_y"]))
    return CELLS[cell].Params(**kw, **({"activation": "tanh"} if cell == "rnn" else {}))


def fd(loss_at, arr):
    grad = np.zeros(arr.shape)
    for idx in np.ndindex(arr.shape):
        orig = arr[idx]
        arr[idx] = orig + FD_EPS
        up = loss_at()
        arr[idx] = orig - FD_EPS
        down = loss_at()
        arr[idx] = orig
        grad[idx] = (up - down) / (2 * FD_EPS)
    return grad


def grad_close(actual, expected, what):
    np.testing.assert_allclose(actual, expected, rtol=FD_RTOL, atol=FD_ATOL, err_msg=what)


SHAPES = {"one (T,)": (None, 1), "batch (T, B)": (3, 1), "inputs (T, B, d)": (2, 2), "one input (T, B, 1)": (2, 1)}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("loss", ["last", "all"])
@pytest.mark.parametrize("start", ["zero", "h0"])
@pytest.mark.parametrize("cell", CELLS)
def test_gradients_match_finite_differences(cell, start, loss, shape):
    B, d = SHAPES[shape]
    T, n, seed = 5, 2, hash((cell, start, loss, shape)) % 1000
    rng = np.random.default_rng(seed + 1)
    w = weights(cell, n, d, seed)
    X = rng.uniform(-1, 1, size=(T, B or 1, d))
    xs = X[:, 0, 0] if B is None else X[..., 0] if d == 1 and shape == "batch (T, B)" else X
    h0 = rng.normal(size=(B or 1, n)) if start == "h0" else np.zeros((B or 1, n))
    c0 = rng.normal(size=(B or 1, n)) if start == "h0" else np.zeros((B or 1, n))
    target = rng.normal(size=B or 1) if loss == "last" else rng.normal(size=(T, B or 1))
    tgt = (target[0] if loss == "last" else target[:, 0]) if B is None else target
    model = CELLS[cell]
    p = params(cell, w, xs.ndim < 3)
    start_kw = {} if start == "zero" else {"h0": h0 if B else h0[0]}
    if cell == "lstm" and start == "h0":
        start_kw["c0"] = c0 if B else c0[0]
    trace = model.forward(p, xs, **start_kw)
    g = model.backward(p, trace, tgt, loss)

    def loss_at(bump=None):
        return reference(cell, w, X, h0, c0, target, loss, bump)

    assert g.loss == pytest.approx(loss_at(), rel=EXACT)
    for name in p.NAMES:
        arr = w[name]
        want = fd(loss_at, arr)
        got = getattr(g, name)
        assert np.shape(got) == np.shape(getattr(p, name)), name
        grad_close(np.reshape(got, want.shape), want, name)
    assert g.dx.shape == np.shape(xs)
    grad_close(g.dx.reshape(X.shape), fd(loss_at, X), "dx")
    grad_close(g.dh0.reshape(h0.shape), fd(loss_at, h0), "dh0")
    states = ("h", "c") if cell == "lstm" else ("h",)
    if cell == "lstm":
        grad_close(g.dc0.reshape(c0.shape), fd(loss_at, c0), "dc0")
    for what in states:
        got = getattr(g, "d" + what)
        assert got.shape == trace.h.shape
        want = np.zeros((T, B or 1, n))
        for t, b, j in np.ndindex(T, B or 1, n):
            up, down = loss_at((what, t, b, j, FD_EPS)), loss_at((what, t, b, j, -FD_EPS))
            want[t, b, j] = (up - down) / (2 * FD_EPS)
        grad_close(got.reshape(want.shape), want, "d" + what)


@pytest.mark.parametrize("cell", CELLS)
def test_forward_matches_reference_states(cell):
    w, model = weights(cell, 3, 2, 7), CELLS[cell]
    X = np.random.default_rng(8).uniform(size=(6, 4, 2))
    trace = model.forward(params(cell, w, False), X)
    for b in range(4):
        h, c = np.zeros(3), np.zeros(3)
        for t in range(6):
            h, c = step(cell, w, X[t, b], h, c)
            np.testing.assert_allclose(trace.h[t, b], h, rtol=EXACT, atol=EXACT)
            if cell == "lstm":
                np.testing.assert_allclose(trace.c[t, b], c, rtol=EXACT, atol=EXACT)
    np.testing.assert_allclose(trace.y, trace.h @ w["w_y"] + w["b_y"], rtol=EXACT, atol=EXACT)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("loss", ["last", "all"])
@pytest.mark.parametrize("cell", CELLS)
def test_truncation_is_the_pieces_each_from_a_fixed_start(cell, loss, k):
    """Truncated BPTT with k: the sum over pieces of k days (back from T) of each piece's own full gradient,
    its start state held fixed; with 'last' only the final piece has an error."""
    w, model, T = weights(cell, 2, 1, 3), CELLS[cell], 7
    p = params(cell, w, True)
    rng = np.random.default_rng(4)
    xs, target = rng.uniform(size=(T, 2)), rng.normal(size=(T, 2))
    tgt = target[-1] if loss == "last" else target
    full = model.forward(p, xs)
    got = model.backward(p, full, tgt, loss, k=k)
    want = {name: np.zeros(np.shape(getattr(p, name))) for name in p.NAMES}
    for end in range(T, 0, -k):
        start = max(end - k, 0)
        if loss == "last" and end < T:
            continue
        kw = {}
        if start:
            kw["h0"] = full.h[start - 1]
            if cell == "lstm":
                kw["c0"] = full.c[start - 1]
        piece = model.backward(p, model.forward(p, xs[start:end], **kw), tgt if loss == "last" else target[start:end],
                               loss)  # fmt: skip
        for name in p.NAMES:
            want[name] = want[name] + getattr(piece, name)
    for name in p.NAMES:
        np.testing.assert_allclose(getattr(got, name), want[name], rtol=1e-10, atol=1e-12, err_msg=name)
    assert got.loss == pytest.approx(model.backward(p, full, tgt, loss).loss, rel=EXACT)


# StatQuest's LSTM (../shared/reference/statquest-numbers.md)


@pytest.mark.parametrize("xs, h", [([0, 0.5, 0.25, 1], 0.0064), ([1, 0.5, 0.25, 1], 0.969)])
def test_statquest_lstm_companies(xs, h):
    trace = lstm.forward(lstm.Params.statquest(), xs)
    assert round(trace.h[-1, 0], 4 if h < 0.01 else 3) == h
    assert trace.y[-1] == trace.h[-1, 0]  # w_y = 1, b_y = 0: the prediction is h


def test_statquest_lstm_one_step():
    trace = lstm.forward(lstm.Params.statquest(), [1.0], h0=[1.0], c0=[2.0])
    assert (round(trace.c[0, 0], 3), round(trace.h[0, 0], 3)) == (2.948, 0.986)


def test_statquest_lstm_gate_formulas():
    """The gates as StatQuest writes them: forget = σ(2.70 h + 1.63 x + 1.62), etc."""
    p = lstm.Params.statquest()
    trace = lstm.forward(p, [0.3], h0=[0.7], c0=[0.1])
    h, x = 0.7, 0.3
    assert trace.f[0, 0] == pytest.approx(sig(2.70 * h + 1.63 * x + 1.62), rel=EXACT)
    assert trace.i[0, 0] == pytest.approx(sig(2.00 * h + 1.65 * x + 0.62), rel=EXACT)
    assert trace.g[0, 0] == pytest.approx(np.tanh(1.41 * h + 0.94 * x - 0.32), rel=EXACT)
    assert trace.o[0, 0] == pytest.approx(sig(4.38 * h - 0.19 * x + 0.59), rel=EXACT)


# Jacobians: what one step back multiplies by


@pytest.mark.parametrize("cell", CELLS)
def test_jacobian_is_the_derivative_of_one_step(cell):
    n, model = 3, CELLS[cell]
    w = weights(cell, n, 1, 11)
    p = params(cell, w, True)
    xs = np.array([0.3, -0.4, 0.8])
    trace = model.forward(p, xs)
    t = 2
    state = np.concatenate((trace.h[t - 1], trace.c[t - 1])) if cell == "lstm" else trace.h[t - 1]

    def one_step(v):
        h0 = v[:n]
        kw = {"h0": h0, "c0": v[n:]} if cell == "lstm" else {"h0": h0}
        tr = model.forward(p, xs[t : t + 1], **kw)
        return np.concatenate((tr.h[0], tr.c[0])) if cell == "lstm" else tr.h[0]

    want = np.zeros((len(state), len(state)))
    for j in range(len(state)):
        e = np.zeros(len(state))
        e[j] = FD_EPS
        want[:, j] = (one_step(state + e) - one_step(state - e)) / (2 * FD_EPS)
    np.testing.assert_allclose(model.jacobian(p, trace, t), want, rtol=1e-6, atol=1e-9)


def test_lstm_cell_path_is_the_forget_gate():
    trace = lstm.forward(lstm.Params.statquest(), [0, 0.5, 0.25, 1])
    J = lstm.jacobian(lstm.Params.statquest(), trace, 3)
    assert J[1, 1] == pytest.approx(trace.f[3, 0], rel=EXACT)


# Shapes and float64 edges


@pytest.mark.parametrize("cell", CELLS)
def test_overflow_is_inf_or_nan_never_an_exception(cell):
    w = {k: np.full(np.shape(v), 1e300) for k, v in weights(cell, 2, 1, 0).items()}
    p = params(cell, w, True)
    with np.errstate(all="raise"):
        trace = CELLS[cell].forward(p, np.linspace(-1e300, 1e300, 20))
        g = CELLS[cell].backward(p, trace, 0.0, "all")
    assert not np.isfinite(g.loss)


@pytest.mark.parametrize("cell", CELLS)
def test_float32_on_request(cell):
    p = params(cell, weights(cell, 2, 1, 0), True)
    trace = CELLS[cell].forward(p, np.linspace(0, 1, 5), dtype=np.float32)
    assert trace.h.dtype == np.float32


@pytest.mark.parametrize("cell", CELLS)
def test_bad_shapes_are_named(cell):
    w = weights(cell, 2, 1, 0)
    bad = (3, 2) if cell == "rnn" else (3, 3)
    with pytest.raises(ValueError, match=re.escape(f"W_h has shape {bad}")):
        params(cell, dict(w, W_h=np.ones(bad)), True)
    with pytest.raises(ValueError, match=re.escape("w_y has shape (3,)")):
        params(cell, dict(w, w_y=np.ones(3)), True)
    p = params(cell, w, True)
    with pytest.raises(ValueError, match=re.escape("xs has shape (4, 2, 3)")):
        CELLS[cell].forward(p, np.ones((4, 2, 3)))
    with pytest.raises(ValueError, match=re.escape("h0 has shape (5,)")):
        CELLS[cell].forward(p, np.ones(4), h0=np.ones(5))
    with pytest.raises(ValueError, match="loss 'mean'"):
        CELLS[cell].backward(p, CELLS[cell].forward(p, np.ones(4)), 0.0, loss="mean")


@pytest.mark.parametrize("cell", CELLS)
def test_a_column_of_input_weights_reads_one_price_a_day(cell):
    """w_x (rows, 1) and (rows,) are the same network: same numbers, and dx shaped like xs either way."""
    w, xs = weights(cell, 2, 1, 5), np.linspace(0, 1, 6)
    model = CELLS[cell]
    flat, column = params(cell, w, True), params(cell, w, False)
    a, b = model.backward(flat, model.forward(flat, xs), 0.3), model.backward(column, model.forward(column, xs), 0.3)
    assert a.loss == b.loss and a.dx.shape == b.dx.shape == xs.shape
    assert b.w_x.shape == w["w_x"].shape and (a.w_x == b.w_x[:, 0]).all()
