"""An Elman RNN of n units reading d inputs a day, in float64 numpy (after min-char-rnn).

    z_t = w_x x_t + W_h h_{t-1} + b        h_{-1} = h0 (0 unless given),  h_t = act(z_t)
    y_t = w_y . h_t + b_y                  the prediction for tomorrow is y_T

Shapes: w_x (n,) or (n, d), W_h (n, n), b (n,), w_y (n,); xs (T,), (T, B) or (T, B, d); h (T, n) or (T, B, n).
`forward` caches every step in a `Trace`; `backward` runs backpropagation through time over it:

    dh_t = w_y dy_t + W_h^T dz_{t+1}       dz_t = dh_t * act'(z_t)
    dW_h = sum_t dz_t h_{t-1}^T            dw_x = sum_t dz_t x_t^T,  db = sum_t dz_t

Only the recurrence runs in a Python loop, in Python floats for one unit and one sequence, in two numpy calls a
step otherwise. Values that overflow float64 come out as inf/nan, never as an exception.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import common


def _sigmoid1(v):
    return 0.5 + 0.5 * math.tanh(0.5 * v)


@dataclass(frozen=True)
class Activation:
    """act(z[, out]) for arrays, the same for one Python float, act'(z) from z and h = act(z), and gamma,
    the largest act' can be (what bounds the gradient's growth per step)."""

    f: object
    f1: object
    df: object
    symbol: str
    gamma: float


ACTIVATIONS = {
    "relu": Activation(
        lambda z, out=None: np.maximum(z, 0.0, out=out),
        lambda v: max(v, 0.0),
        lambda z, h: (z > 0).astype(z.dtype),
        "ReLU",
        1.0,
    ),
    "tanh": Activation(np.tanh, math.tanh, lambda z, h: np.subtract(1.0, hh := np.square(h), hh), "tanh", 1.0),
    "sigmoid": Activation(common.sigmoid, _sigmoid1, lambda z, h: h * (1.0 - h), "σ", 0.25),
    "identity": Activation(lambda z, out=None: np.add(z, 0.0, out), lambda v: v, lambda z, h: np.ones_like(z), "", 1.0),
}


@dataclass(frozen=True)
class Params:
    """The weights: w_x (n,) or (n, d), W_h (n, n), b (n,), w_y (n,), b_y a float, and an activation name.
    Built from them: A (n, m) = [W_h | w_x | b] and v (m,) = [w_y | 0 | b_y] with m = n + d + 1, so that a step is
    z_t = A s_t and y_t = v . s_{t+1} with s_t = [h_{t-1}, x_t, 1]."""

    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    activation: str = "relu"
    v: np.ndarray = field(init=False, repr=False, compare=False)
    NAMES = ("w_x", "W_h", "b", "w_y", "b_y")

    def __post_init__(self):
        n = common.units(self.W_h, 1)
        common.checked(self, {"W_h": (n, n), "b": (n,), "w_y": (n,)})
        object.__setattr__(self, "w_x", common.matrix("w_x", self.w_x, n))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} is not one of {sorted(ACTIVATIONS)}")
        object.__setattr__(self, "v", common.readout(self))

    @classmethod
    def scalar(cls, w_x=1.8, w_h=-0.5, b=0.0, w_y=1.1, b_y=0.0, activation="relu"):
        """The n = 1 network; the defaults are StatQuest's."""
        return cls(np.array([w_x]), np.array([[w_h]]), np.array([b]), np.array([w_y]), b_y, activation)

    @classmethod
    def init(cls, n, d=1, seed=0, activation="tanh"):
        """A random start, as PyTorch draws it."""
        return cls(*common.uniform(n, d, 1, seed)[:5], activation)

    @cached_property
    def A(self):  # built on first use: the one-unit path (every training epoch) never needs it
        return common.stacked(self.W_h, self.w_x, self.b)

    @property
    def n(self):
        return self.b.shape[0]

    @property
    def d(self):
        return 1 if self.w_x.ndim == 1 else self.w_x.shape[1]


@dataclass(slots=True)  # not frozen: a frozen dataclass costs 2 µs more to build, a tenth of a short pass
class Trace:
    """Every step of a forward pass: xs as given, z and h (T, n) or (T, B, n), y (T,) or (T, B);
    s (T+1, B, m), s_t = [h_{t-1}, x_t, 1] each step's input and s_T = [h_T, 0, 1]: h and y are read from it."""

    xs: np.ndarray
    z: np.ndarray
    h: np.ndarray
    y: np.ndarray
    s: np.ndarray
    batched: bool = False


@dataclass(slots=True)
class Grads:
    """dL/d(everything): dh shaped like h, dx like xs, dh0 like one h_t, then one per parameter, with its shape."""

    loss: float
    dh: np.ndarray
    dx: np.ndarray
    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    dh0: np.ndarray | None = None


def _recur1(p, s, act):
    """One unit, one sequence, in Python floats (20x faster per step than one-element arrays): h into s[1:, 0];
    s (T+1, 3); returns z (T, 1)."""
    w_x, w_h, b, f1 = p.w_x.item(), p.W_h.item(), p.b.item(), act.f1
    z, h, prev = [], [], s[0, 0].item()
    for x in s[:-1, 1].tolist():
        z.append(zt := x * w_x + b + w_h * prev)
        h.append(prev := f1(zt))
    s[1:, 0] = h
    return np.array(z).reshape(-1, 1)


def _recur(p, s, act):
    """z_t = A s_t and h_t = act(z_t) in two numpy calls a step, h into s[1:, ..., :n]; s (T+1, m) or (T+1, B, m);
    returns z (T, n) or (T, B, n)."""
    n, f = p.n, act.f
    z = np.empty((*s.shape[:-1], n), dtype=s.dtype)[:-1]
    # rows as views, no copies; zip stops before s's extra last row (a strict zip would cost 3 µs, 2% of 9 days)
    if s.ndim == 2:
        dot = p.A.astype(s.dtype, copy=False).dot  # the method with a positional out is numpy's cheapest matvec
        for zt, st, ht in zip(z, s, s[1:, :n], strict=False):
            dot(st, zt)
            f(zt, ht)  # act in place, straight into the next step's input
    else:
        AT = np.ascontiguousarray(p.A.T, dtype=s.dtype)
        for zt, st, ht in zip(z, s, s[1:, :, :n], strict=False):
            np.matmul(st, AT, out=zt)
            f(zt, ht)
    return z


def _recur_back1(p, dh, d, last=False):
    """One unit, one sequence, in Python floats, dh (T, 1) holding dy_t w_y: returns dh and dz, each (T, 1) (`last`
    changes nothing here)."""
    w_h, g, dz, nxt = p.W_h.item(), dh[::-1, 0].tolist(), [], 0.0
    for t, dt in enumerate(d[::-1, 0].tolist()):
        g[t] = dht = g[t] + w_h * nxt  # over dy_t w_y
        dz.append(nxt := dht * dt)
    return np.array(g[::-1]).reshape(-1, 1), np.array(dz[::-1]).reshape(-1, 1)


def _recur_back(p, dh, d, last):
    """dh_t = dy_t w_y + W_h^T dz_{t+1} and dz_t = dh_t * act'(z_t), in two numpy calls a step (three when dh
    holds more than its `last` row). dh (T, [B,] n) holds dy_t w_y on entry; returns dh and dz, over d."""
    W_h = p.W_h.astype(d.dtype, copy=False)
    tmp = None if last else np.empty(dh.shape[1:], dtype=d.dtype)
    dht = dh[-1]
    for dhp, dt in zip(dh[-2::-1], d[:0:-1], strict=False):  # t = T-1 .. 1, carrying the row dh_t: two views a step
        np.multiply(dht, dt, dt)  # dz_t = dh_t * act'(z_t), in place
        dht = np.matmul(dt, W_h, out=dhp) if last else np.add(dhp, np.matmul(dt, W_h, out=tmp), dhp)
    np.multiply(dht, d[0], d[0])
    return dh, d


@np.errstate(all="ignore")  # as a decorator: half the cost of a `with` block per call
def forward(params, xs, h0=None, dtype=np.float64):
    """Run the RNN over xs (T,), (T, B) or (T, B, d) from h0 (n,) or (B, n); returns the `Trace` of every step,
    in `dtype` (float64, or float32 to see it underflow and overflow sooner)."""
    p = params
    xs, X, batched = common.steps(xs, p.d, dtype)
    n, B = p.n, X.shape[1]
    s = common.inputs(X, n, h0)
    rows = s if B > 1 else s[:, 0]  # one sequence: 1-d steps, numpy's cheapest calls
    act = ACTIVATIONS[p.activation]
    z = (_recur1 if n == 1 and B == 1 and p.d == 1 and s.dtype == np.float64 else _recur)(p, rows, act)
    z = z.reshape(X.shape[0], B, n)
    y = s[1:].dot(p.v.astype(s.dtype, copy=False))  # (T, B)
    return Trace(xs, common.shaped(z, batched), common.shaped(s[1:, :, :n], batched),
                 common.shaped(y, batched), s, batched)  # fmt: skip


@np.errstate(all="ignore")
def backward(params, trace, target, loss="last", k=None):
    """Backpropagation through time.

    loss="last": L = 0.5 (y_T - target)^2, target a float or (B,) (predict tomorrow).
    loss="all":  L = 0.5 sum_t (y_t - target_t)^2 with targets (T,) or (T, B) (predict every next day).
    Summed over the batch. k: truncated BPTT, the gradient stops every k days counted back from day T (the hidden
    state still flows forward across the cuts); None or k >= T is full BPTT. Computes in the trace's dtype.
    """
    p, tr, s = params, trace, trace.s
    (T, B, m), n, real = (s.shape[0] - 1, *s.shape[1:]), p.n, s.dtype.type
    y, h, w_y = tr.y.reshape(T, B), s[1:, :, :n], p.w_y.astype(real, copy=False)
    if loss == "last":  # the cheap common case: only day T has an error
        err = y[-1] - np.asarray(target, dtype=real).reshape(-1)  # (B,)
        L, db_y, dw_y = 0.5 * float(err @ err), float(err.sum()), err @ h[-1]
        dh = np.zeros((T, B, n), dtype=real)  # dh_t starts as dy_t w_y
        np.multiply.outer(err, w_y, out=dh[-1])
    else:
        dy, L = common.errors(y, target, loss)
        dv = dy.reshape(-1) @ s[1:].reshape(-1, m)  # (m,) [dw_y | - | db_y] = sum_t dy_t s_{t+1}
        db_y, dw_y = float(dv[-1]), dv[:n]
        dh = np.multiply.outer(dy, w_y)
    d = ACTIVATIONS[p.activation].df(tr.z.reshape(T, B, n), h).astype(real, copy=False)  # (T, B, n) act'(z_t)
    one = B == 1
    recur = _recur_back1 if one and n == 1 and real is np.float64 else _recur_back
    rows = (lambda a: a[:, 0]) if one else (lambda a: a)
    # each piece of k days back from T gets no gradient from the piece after it
    parts = [recur(p, rows(dh[a:b]), rows(d[a:b]), loss == "last") for a, b in common.pieces(T, k)[::-1]]
    dh, dz = (np.concatenate(x) if len(x) > 1 else x[0] for x in zip(*parts, strict=True))
    dh, dz = dh.reshape(T, B, n), dz.reshape(T, B, n)
    G = common.sum_outer(s[:-1].reshape(-1, m), dz.reshape(-1, n))  # (m, n) [dW_h^T ; dw_x^T ; db] = sum_t s_t dz_t^T
    dx = dz @ p.w_x.reshape(n, -1).astype(real, copy=False)  # (T, B, d)
    dh0 = dz[0] @ p.W_h.astype(real, copy=False)
    return Grads(
        loss=L,
        dh=common.shaped(dh, tr.batched),
        dx=dx.reshape(np.shape(tr.xs)),
        w_x=G[n:-1].T.reshape(p.w_x.shape),
        W_h=G[:n].T,
        b=G[-1],
        w_y=dw_y,
        b_y=db_y,
        dh0=dh0 if tr.batched else dh0[0],
    )


def jacobian(params, trace, t):
    """dh_t / dh_{t-1} = diag(act'(z_t)) W_h (n, n) on day t (0-based) of the first sequence: what one step back
    multiplies the gradient by (dh_{t-1} = J_t^T dh_t)."""
    n = params.n
    z, h = trace.z.reshape(trace.s.shape[0] - 1, -1, n)[t, 0], trace.s[t + 1, 0, :n]
    return ACTIVATIONS[params.activation].df(z, h)[:, None] * params.W_h
