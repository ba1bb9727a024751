"""The unrolled diagram's numbers: traces in, plain JSON-able data out, for the component in `ui/diagram/` to draw.

The component draws and animates; every number it shows comes from here, as sent:

- `unit_tiers(cell)`: the tiles each unit has a day, in the order drawn (StatQuest's words for the LSTM).
- `forward(params, rows, day)`: per row and day the price x, the prediction y and every tile's value (T, n), with
  the operands of each tile's equation: its pre-activation and the weights (w_x^j, W_h^jk, b^j), the memory before
  the first day sent, so h_t^j = act(w_x^j x_t + sum_k W_h^jk h_{t-1}^k + b^j) shows with the real numbers; and
  `hidden`, the first day whose tiles wait for a reveal (Ask first: their numbers are not sent, the component draws
  them "?" whatever the day, and a reveal reruns the page, which sends them).
- `backward(params, rows, day)`: per row and day dL/dy_t and dL/dh_t per unit (and the LSTM's dL/dC_t), and what
  each step back multiplies by: w_h act'(z_t) for one unit (with both operands), the norm of the step Jacobian for n
  units, and f_t along the LSTM's cell path.

A long run is sent in a chunk of days around the day shown (`BUDGET` numbers at most); the component asks for
another chunk when the user scrubs beyond it. inf and NaN are sent as the strings "inf", "-inf" and "nan".
"""

from functools import partial

import numpy as np

from .flow import MODELS, cell_of
from .models.rnn import ACTIVATIONS

WINDOW = 12  # days the diagram shows at once
BUDGET = 60_000  # numbers in one payload at most
STRIP = 8  # beyond this many units, a day's memory is a strip of coloured cells
NODE_SCALE = [[0, "#8c510a"], [0.5, "#f7f7f7"], [1, "#01665e"]]  # the tiles: brown < 0 < teal, colour-blind safe
CELL_NAMES = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}

# key, label, what it means, equation kind ("affine": act(w_x x + sum W_h h + b)), activation, row block in W_h
TIERS = {
    "rnn": (("h", "h", "hidden state (the memory)", "affine", None, 0),),
    "lstm": (
        ("f", "forget gate", "% of long-term memory to remember", "affine", "σ", 1),
        ("i", "input gate", "% of potential memory to remember", "affine", "σ", 0),
        ("g", "potential long-term memory", "what could be added to the long-term memory", "affine", "tanh", 2),
        ("o", "output gate", "% of potential short-term memory to send on", "affine", "σ", 3),
        ("c", "long-term memory C", "c = f × c₋₁ + i × g", "lstm_c", None, None),
        ("h", "short-term memory h", "h = o × tanh(c)", "lstm_h", None, None),
    ),
    "gru": (
        ("r", "reset gate", "how much of the memory the candidate sees", "affine", "σ", 0),
        ("z", "update gate", "% of the old memory kept", "affine", "σ", 1),
        ("n", "candidate memory", "n = tanh(w_x x + b + r × (W_h h₋₁ + b_hn))", "gru_n", "tanh", 2),
        ("h", "hidden state h", "h = (1 − z) × n + z × h₋₁", "gru_h", None, None),
    ),
}


def encoded(values):
    """An array as nested lists of floats, inf and NaN as the strings "inf", "-inf", "nan" (JSON has neither)."""
    a = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(a)
    if finite.all():
        return a.tolist()
    out = a.astype(object)
    out[np.isnan(a)] = "nan"
    out[np.isposinf(a)] = "inf"
    out[np.isneginf(a)] = "-inf"
    return out.tolist()


def decoded(values):
    """The inverse of `encoded`, as a float64 array."""
    names = {"inf": np.inf, "-inf": -np.inf, "nan": np.nan}
    return np.array(_decode(values, names), dtype=np.float64)


def _decode(v, names):
    if isinstance(v, list):
        return [_decode(x, names) for x in v]
    return names[v] if isinstance(v, str) else v


def unit_tiers(cell):
    """[{key, label, words, kind, act}] for the tiles of one unit, in the order drawn."""
    return [dict(key=k, label=lab, words=w, kind=kind, act=act) for k, lab, w, kind, act, _ in TIERS[cell]]


def _blocks(a, k, n):
    """A weight stacked k blocks of n rows, as (k, n, ...)."""
    return np.asarray(a, dtype=np.float64).reshape(k, n, *np.shape(a)[1:])


def weights(params):
    """Each affine tile's weights by key: w_x (n,), W_h (n, n), b (n,); then w_y (n,), b_y and, for the GRU,
    b_hn (n,)."""
    cell, n = cell_of(params), params.n
    k = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    w_x, W_h, b = (_blocks(params.w_x.reshape(k * n), k, n), _blocks(params.W_h, k, n), _blocks(params.b, k, n))
    out = {
        key: dict(w_x=encoded(w_x[blk]), W_h=encoded(W_h[blk]), b=encoded(b[blk]))
        for key, _, _, _, _, blk in TIERS[cell]
        if blk is not None
    }
    out["w_y"], out["b_y"] = encoded(params.w_y), encoded(params.b_y)
    if cell == "gru":
        out["b_hn"] = encoded(params.b_hn)
    return out


def activation(params):
    """The symbol of the simple RNN's activation ('ReLU', 'tanh', 'σ', '' for none); None for a gated cell."""
    return ACTIVATIONS[params.activation].symbol if cell_of(params) == "rnn" else None


def _values(params, trace):
    """{tile key: (T, n) value}, {tile key: (T, n) pre-activation}, and extra operands by name, of one trace."""
    cell, xs = cell_of(params), np.asarray(trace.xs, dtype=np.float64).reshape(-1)
    h_prev = trace.s[:-1, 0, : params.n]
    if cell == "rnn":
        return {"h": trace.h}, {"h": trace.z}, {}
    n = params.n
    with np.errstate(all="ignore"):
        if cell == "lstm":
            pre = xs[:, None] * params.w_x.reshape(-1) + h_prev @ params.W_h.T + params.b
            z = {key: pre[:, blk * n : (blk + 1) * n] for key, *_, blk in TIERS[cell] if blk is not None}
            return {key: getattr(trace, key) for key in "figoch"}, z, {}
        u = xs[:, None] * params.w_x.reshape(-1) + params.b
        q = h_prev @ params.W_h.T
        z = {"r": u[:, :n] + q[:, :n], "z": u[:, n : 2 * n] + q[:, n : 2 * n]}
        z["n"] = u[:, 2 * n :] + trace.r * trace.q_n
    return {"r": trace.r, "z": trace.z, "n": trace.n, "h": trace.h}, z, {"q_n": trace.q_n}


def _withheld(values, start, cut):
    """`encoded(values)`, days `start`, `start` + 1, ... (0-based), with each day from `cut` on sent as None (one a
    unit): Ask first's answers stay on the server until revealed."""
    out = encoded(values)
    for i in range(max(0, cut - start), len(out)):
        out[i] = [None] * len(out[i]) if isinstance(out[i], list) else None
    return out


def _nulls(sent):
    """`sent` (nested lists) with every number replaced by None: the same shape, nothing to read."""
    return [_nulls(v) for v in sent] if isinstance(sent, list) else None


def span(longest, day, per_day):
    """The days (0-based range) one payload carries: all of them, or BUDGET // per_day around `day` (1-based)."""
    size = max(WINDOW, BUDGET // max(per_day, 1))
    if longest <= size:
        return range(longest)
    start = (day - 1) // WINDOW * WINDOW - (size // 2) // WINDOW * WINDOW
    start = int(np.clip(start, 0, longest - size))
    return range(start, start + size)


def _per_day(cell, n):
    return 2 + n * sum(2 if kind == "affine" or kind == "gru_n" else 1 for *_, kind, _, _ in TIERS[cell]) + n


def forward(params, rows, day, hidden=None):
    """The forward diagram's data for `rows` (each with .label, .color, .trace of `params`), showing `day` (1-based).
    `hidden`: the first day (1-based) whose tiles, all but the price, show "?" until revealed (Ask first), or None;
    their numbers are not sent (None), so the browser has nothing to show before the reveal reruns the page."""
    cell, n = cell_of(params), params.n
    longest = max(len(row.trace.y) for row in rows)
    days = span(longest, day, _per_day(cell, n))
    out_rows = []
    for row in rows:
        tr = row.trace
        T = len(tr.y)
        a, b = min(days.start, T), min(days.stop, T)
        values, pre, extra = _values(params, tr)
        cut = T if hidden is None else int(hidden) - 1  # Ask first: from this day (0-based) on, no number is sent
        sent = partial(_withheld, start=a, cut=cut)
        entry = dict(
            label=row.label,
            color=row.color,
            days=T,
            x=encoded(np.asarray(tr.xs, dtype=np.float64).reshape(-1)[a:b]),  # the prices are given
            y=sent(tr.y[a:b]),
            y_last=sent(tr.y[-1:], start=T - 1)[0],  # the prediction for tomorrow, wherever the chunk is
            h0=encoded(tr.s[a, 0, :n]) if a <= cut else [None] * n,  # the memory before the first day sent
            values={key: sent(v[a:b]) for key, v in values.items()},
            pre={key: sent(v[a:b]) for key, v in pre.items()},
            **{key: sent(v[a:b]) for key, v in extra.items()},
        )
        if cell == "lstm":
            entry["c0"] = encoded(tr.cs[a, 0]) if a <= cut else [None] * n
        out_rows.append(entry)
    payload = _payload("forward", params, unit_tiers(cell), weights(params), out_rows, days, longest, day)
    payload["hidden"] = None if hidden is None else int(hidden)
    return payload


def _payload(view, params, tiers, weights, rows, days, longest, day):
    """What both views send: the network, the tiles, the rows, and the days carried and shown."""
    cell = cell_of(params)
    return dict(
        view=view,
        cell=cell,
        cell_name=CELL_NAMES[cell],
        n=params.n,
        act=activation(params),
        tiers=tiers,
        weights=weights,
        rows=rows,
        start=days.start,
        stop=days.stop,
        longest=longest,
        day=int(np.clip(day, 1, longest)),
        window=WINDOW,
        strip=params.n > STRIP,
        colours=[colour for _, colour in NODE_SCALE],
    )


@np.errstate(all="ignore")
def step_norms(params, trace, days):
    """||J_t||_2 for each of `days` (0-based), NaN where J_t is not finite: the most one step back from day t to day
    t - 1 can multiply the gradient's size by."""
    model = MODELS[cell_of(params)]
    out = np.full(len(days), np.nan)
    for i, t in enumerate(days):
        J = model.jacobian(params, trace, t)
        if np.isfinite(J).all():
            out[i] = np.linalg.norm(J, 2)
    return out


JACOBIAN_WORK = 2_000_000  # multiply-adds of the step Jacobians' norms one backward payload may cost (k^3 a day)


def _back_days(params):
    """How many days one backward payload carries: all of them for one unit; for n units as many as the step
    Jacobians' norms (k x k each, k = n, 2n for the LSTM) can be worked out cheaply, 12 to 120."""
    k = params.n * (2 if cell_of(params) == "lstm" else 1)
    return max(WINDOW, min(10 * WINDOW, JACOBIAN_WORK // k**3) // WINDOW * WINDOW)


def backward(params, rows, day, hidden=False):
    """The backward diagram's data, showing `day` (1-based, counted as in the diagram: the rows line up at their
    last day). Each row has .label, .color, .trace, .dy (T,) dL/dy_t and .flow: a one-unit `bptt.Flow` (each step
    back multiplies by its factor w_h act'(z_t)), or `gradients.Sizes` (by the step Jacobian, of norm ||J_t||; the
    LSTM's long-term memory also by f_t along its cell path). `hidden` (Ask first): the gradients dL/dh and dL/dC
    are not sent (None), only the errors and what each step back multiplies by, until a reveal reruns the page."""
    cell, n = cell_of(params), params.n
    one = cell == "rnn" and n == 1
    longest = max(len(row.trace.y) for row in rows)
    days = span(longest, day, 3 + n) if one else span(longest, day, BUDGET // _back_days(params))
    out_rows = []
    for row in rows:
        T, f = len(row.trace.y), row.flow
        a, b = max(0, days.start - (longest - T)), max(0, days.stop - (longest - T))
        dh = np.asarray(f.dh if one else f.units).reshape(T, n)
        factor = f.factor[a : b + 1] if one else step_norms(params, row.trace, range(a, min(b + 1, T)))
        entry = dict(
            label=row.label,
            color=row.color,
            days=T,
            offset=longest - T,  # column of its day 1: the rows line up at their last day
            first=a,
            dy=encoded(row.dy[a:b]),
            dh=encoded(dh[a:b]),
            dh_first=encoded(dh[0]),  # what reaches day 1, wherever the chunk is
            dh_next=encoded(dh[b : b + 1]),
            factor=encoded(factor[: b - a]),
            factor_next=encoded(factor[b - a : b - a + 1]),
        )
        if one:
            entry["slope"] = encoded(f.act[a : b + 1])
        if cell == "lstm":
            entry |= dict(dc=encoded(f.cells[a:b]), dc_next=encoded(f.cells[b : b + 1]),
                          forget=encoded(f.forget[a : b + 1]), into_c=encoded(f.into_c[a:b]))  # fmt: skip
        if hidden:
            entry |= {key: _nulls(entry[key]) for key in ("dh", "dh_first", "dh_next", "dc", "dc_next") if key in entry}
        out_rows.append(entry)
    tiers = [dict(key="dh", label="∂L/∂h", words="the gradient reaching the memory", kind="back", act=None)]
    if cell == "lstm":
        tiers.append(dict(key="dc", label="∂L/∂C", words="the gradient reaching the long-term memory", kind="back",
                          act=None))  # fmt: skip
    w = dict(w_y=encoded(params.w_y), W_h=encoded(params.W_h) if one else None)
    return _payload("backward", params, tiers, w, out_rows, days, longest, day) | {"hidden": True if hidden else None}
