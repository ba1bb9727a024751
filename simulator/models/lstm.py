"""A long short-term memory (LSTM) layer of n units reading d inputs a day, in float64 numpy.

    z_t = W_x x_t + W_h h_{t-1} + b        (4n,) the gates' pre-activations, stacked i, f, g, o (PyTorch's order)
    i_t = σ(z_i)   input gate: % of the potential memory to remember
    f_t = σ(z_f)   forget gate: % of the long-term memory to remember
    g_t = tanh(z_g)  potential long-term memory
    o_t = σ(z_o)   output gate: % of the potential short-term memory to send on
    c_t = f_t c_{t-1} + i_t g_t            long-term memory (the cell state), c_{-1} = c0
    h_t = o_t tanh(c_t)                    short-term memory (the hidden state), h_{-1} = h0
    y_t = w_y . h_t + b_y

Shapes: w_x (4n,) or (4n, d), W_h (4n, n), b (4n,) (PyTorch's bias_ih + bias_hh), w_y (n,); xs (T,), (T, B) or
(T, B, d); h, c, i, f, g, o (T, n) or (T, B, n). Backpropagation through time, beside it:

    dh_t = w_y dy_t + W_h^T dz_{t+1}
    dc_t = dh_t o_t (1 - tanh^2 c_t) + f_{t+1} dc_{t+1}     the cell path: one step back multiplies by f
    dz_i = dc_t g_t i_t (1 - i_t)      dz_f = dc_t c_{t-1} f_t (1 - f_t)
    dz_g = dc_t i_t (1 - g_t^2)        dz_o = dh_t tanh(c_t) o_t (1 - o_t)
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import common

STATQUEST = {  # StatQuest's LSTM (the reference numbers' network): gates i, f, g, o
    "w_x": [1.65, 1.63, 0.94, -0.19],
    "W_h": [[2.00], [2.70], [1.41], [4.38]],
    "b": [0.62, 1.62, -0.32, 0.59],
    "w_y": [1.0],
    "b_y": 0.0,
}


class _Order(dict):
    """n -> the row order i, f, o, g inside (PyTorch's i, f, g, o outside), as an index array."""

    def __missing__(self, n):
        self[n] = np.concatenate([np.arange(k * n, (k + 1) * n) for k in (0, 1, 3, 2)])
        return self[n]


_INSIDE = _Order()


@dataclass(frozen=True)
class Params:
    """The weights: w_x (4n,) or (4n, d), W_h (4n, n), b (4n,), w_y (n,), b_y a float; rows stacked i, f, g, o."""

    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    NAMES = ("w_x", "W_h", "b", "w_y", "b_y")

    def __post_init__(self):
        n = common.units(self.W_h, 4)
        common.checked(self, {"W_h": (4 * n, n), "b": (4 * n,), "w_y": (n,)})
        object.__setattr__(self, "w_x", common.matrix("w_x", self.w_x, 4 * n))

    @classmethod
    def statquest(cls):
        """StatQuest's one-unit LSTM: company A [0, 0.5, 0.25, 1] ends at h = 0.0064, company B at 0.969."""
        return cls(**STATQUEST)

    @classmethod
    def init(cls, n, d=1, seed=0, forget_bias=1.0):
        """A random start, as PyTorch draws it, plus `forget_bias` on the forget gate (+1: remember by default)."""
        w_x, W_h, b, w_y, b_y, _ = common.uniform(n, d, 4, seed)
        b[n : 2 * n] += forget_bias
        return cls(w_x, W_h, b, w_y, b_y)

    @cached_property
    def A(self):
        """(4n, m) [W_h | w_x | b] with the rows reordered i, f, o, g: the three sigmoid gates side by side."""
        return common.stacked(self.W_h, self.w_x, self.b)[_INSIDE[self.n]]

    @property
    def n(self):
        return self.W_h.shape[1]

    @property
    def d(self):
        return 1 if self.w_x.ndim == 1 else self.w_x.shape[1]


@dataclass(slots=True)
class Trace:
    """Every step: the gates i, f, g, o, the memories c and h and tanh(c) as `tc`, each (T, [B,] n); y (T, [B]);
    s (T+1, B, m) the steps' inputs [h_{t-1}, x_t, 1]; cs (T+1, B, n) the long-term memory from c0 on."""

    xs: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    tc: np.ndarray
    h: np.ndarray
    y: np.ndarray
    s: np.ndarray
    cs: np.ndarray
    batched: bool = False


@dataclass(slots=True)
class Grads:
    """dL/d(everything): dh, dc shaped like h, dx like xs, dh0 and dc0 like one h_t; one per parameter."""

    loss: float
    dh: np.ndarray
    dc: np.ndarray
    dx: np.ndarray
    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    dh0: np.ndarray
    dc0: np.ndarray


@np.errstate(all="ignore")
def forward(params, xs, h0=None, c0=None, dtype=np.float64):
    """Run the LSTM over xs (T,), (T, B) or (T, B, d) from h0 and c0 (n,) or (B, n); returns the `Trace`."""
    p = params
    xs, X, batched = common.steps(xs, p.d, dtype)
    (T, B, _), n = X.shape, p.n
    s = common.inputs(X, n, h0)
    c = np.zeros((T + 1, B, n), dtype=s.dtype)  # c[t + 1] = c_t; c[0] = c0
    if c0 is not None:
        c[0] = common.initial("c0", c0, B, n)
    z = np.empty((T, B, 4 * n), dtype=s.dtype)  # pre-activations, then the gates in place: i, f, o, g
    tc = np.empty((T, B, n), dtype=s.dtype)
    AT, ig = np.ascontiguousarray(p.A.T, dtype=s.dtype), np.empty((B, n) if B > 1 else n, dtype=s.dtype)
    R = lambda a: common.rows(a, B)  # noqa: E731
    gate = lambda k: R(z[..., k * n : (k + 1) * n])  # noqa: E731
    steps = zip(R(s), R(z), R(z[..., : 3 * n]), gate(0), gate(1), gate(2), gate(3), R(c[:-1]), R(c[1:]), R(tc),
                R(s[1:, :, :n]), strict=False)  # fmt: skip
    for s_t, z_t, ifo, i, f, o, g, c_prev, c_t, tc_t, h_t in steps:  # views, one row a day
        np.matmul(s_t, AT, out=z_t)  # z_t = W_x x_t + W_h h_{t-1} + b
        common.sigmoid(ifo, ifo)  # i, f, o = σ(z)
        np.tanh(g, g)  # g = tanh(z_g)
        np.multiply(f, c_prev, c_t)  # c_t = f c_{t-1} + i g
        c_t += np.multiply(i, g, ig)
        np.tanh(c_t, tc_t)
        np.multiply(o, tc_t, h_t)  # h_t = o tanh(c_t), straight into the next step's input
    y = s[1:].dot(common.readout(p).astype(s.dtype))
    i, f, o, g = (common.shaped(z[..., k * n : (k + 1) * n], batched) for k in range(4))
    return Trace(xs, i, f, g, o, common.shaped(c[1:], batched), common.shaped(tc, batched),
                 common.shaped(s[1:, :, :n], batched), common.shaped(y, batched), s, c, batched)  # fmt: skip


@np.errstate(all="ignore")
def backward(params, trace, target, loss="last", k=None):
    """Backpropagation through time; the loss, batches and truncation `k` as in `rnn.backward`."""
    p, tr, s = params, trace, trace.s
    (T, B, m), n = (s.shape[0] - 1, s.shape[1], s.shape[2]), p.n
    i, f, g, o, tc = (common.with_batch(a, tr.batched) for a in (tr.i, tr.f, tr.g, tr.o, tr.tc))
    c_prev = tr.cs[:-1]  # (T, B, n) c_{t-1}
    y = common.with_batch(tr.y, tr.batched)  # (T, B), as forward made it
    dy, L = common.errors(y, target, loss)
    dh = np.multiply.outer(dy, p.w_y)  # (T, B, n), dy_t w_y for now
    dc = np.zeros_like(dh)
    into_c = o * (1 - tc * tc)  # dc_t gets dh_t o_t (1 - tanh^2 c_t)
    into_o = tc * o * (1 - o)  # dz_o = dh_t tanh(c_t) o_t (1 - o_t)
    into_ifg = np.empty((T, B, 3, n))  # dz_i, dz_f, dz_g are dc_t times these
    d_i, d_f, d_g = (into_ifg[:, :, k] for k in range(3))
    np.multiply(np.subtract(1, i, d_i), i, d_i)
    d_i *= g  # g i (1 - i)
    np.multiply(np.subtract(1, f, d_f), f, d_f)
    d_f *= c_prev  # c_{t-1} f (1 - f)
    np.subtract(1, np.multiply(g, g, d_g), d_g)
    d_g *= i  # i (1 - g^2)
    dz = np.zeros((T, B, 4, n))  # i, f, g, o as outside
    W_h, R = p.W_h, lambda a: common.rows(a, B)
    tmp = np.empty((B, n) if B > 1 else n)
    for start, end in common.pieces(T, k):
        span = slice(start, end)
        steps = zip(*(R(a[span])[::-1] for a in (dh, dc, dc[:, :, None], into_c, into_ifg, into_o, f, dz[:, :, :3],
                    dz[:, :, 3], dz.reshape(T, B, 4 * n))), strict=True)  # fmt: skip
        dz_next = f_next = dc_next = None
        for dh_t, dc_t, dc_col, into_c_t, into_ifg_t, into_o_t, f_t, dz_ifg, dz_o, dz_t in steps:  # t = end-1 .. start
            if dz_next is not None:
                dh_t += np.matmul(dz_next, W_h, out=tmp)  # dh_t = w_y dy_t + W_h^T dz_{t+1}
                np.multiply(f_next, dc_next, dc_t)  # the cell path: dc_t = f_{t+1} dc_{t+1} + ...
            dc_t += np.multiply(dh_t, into_c_t, tmp)  # ... + dh_t o_t (1 - tanh^2 c_t)
            np.multiply(dc_col, into_ifg_t, dz_ifg)  # dz_i, dz_f, dz_g from dc_t
            np.multiply(dh_t, into_o_t, dz_o)  # dz_o from dh_t
            dz_next, f_next, dc_next = dz_t, f_t, dc_t
    dz = dz.reshape(T, B, 4 * n)
    G = common.sum_outer(s[:-1].reshape(-1, m), dz.reshape(-1, 4 * n))  # (m, 4n) [dW_h^T ; dw_x^T ; db]
    dx = dz @ p.w_x.reshape(4 * n, -1)  # (T, B, d)
    dw_y, db_y = np.einsum("tb,tbn->n", dy, s[1:, :, :n]), float(dy.sum())
    dh0, dc0 = dz[0] @ p.W_h, f[0] * dc[0]
    one = None if tr.batched else 0
    return Grads(
        loss=L,
        dh=common.shaped(dh, tr.batched),
        dc=common.shaped(dc, tr.batched),
        dx=dx.reshape(np.shape(tr.xs)),
        w_x=G[n:-1].T.reshape(p.w_x.shape),
        W_h=G[:n].T,
        b=G[-1],
        w_y=dw_y,
        b_y=db_y,
        dh0=dh0 if one is None else dh0[0],
        dc0=dc0 if one is None else dc0[0],
    )


def jacobian(params, trace, t):
    """d(h_t, c_t) / d(h_{t-1}, c_{t-1}) (2n, 2n) on day t (0-based) of the first sequence: what one step back
    multiplies the gradient by. The lower-right block is diag(f_t), the cell path."""
    n = params.n
    i, f, g, o, tc = (a[t, 0] if trace.batched else a[t] for a in (trace.i, trace.f, trace.g, trace.o, trace.tc))
    c_prev = trace.cs[t, 0]
    W_i, W_f, W_g, W_o = params.W_h.reshape(4, n, n)
    dc_dh = (g * i * (1 - i))[:, None] * W_i + (c_prev * f * (1 - f))[:, None] * W_f + (i * (1 - g * g))[:, None] * W_g
    into_h = (o * (1 - tc * tc))[:, None]  # dh_t / dc_t
    dh_dh = (tc * o * (1 - o))[:, None] * W_o + into_h * dc_dh
    return np.block([[dh_dh, into_h * np.diag(f)], [dc_dh, np.diag(f)]])
