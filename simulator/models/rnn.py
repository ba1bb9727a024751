"""An Elman RNN with one input and n hidden units, in float64 numpy.

    z_t = w_x x_t + W_h h_{t-1} + b        h_0 = 0,  h_t = act(z_t)
    y_t = w_y . h_t + b_y                  the prediction for tomorrow is y_T

`forward` caches every step in a `Trace`; `backward` runs backpropagation through time over it.
Only the recurrence runs in a Python loop, in Python floats when n = 1 and in two numpy calls a step otherwise;
everything else is a few array operations over all steps.
Values that overflow float64 come out as inf/nan, never as an exception.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


def _sigmoid(z, out=None):
    out = np.negative(z, out)  # 1 / (1 + exp(-z)), in place when out is given
    np.exp(out, out)
    out += 1.0
    return np.reciprocal(out, out)


def _sigmoid1(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


@dataclass(frozen=True)
class Activation:
    """act(z[, out]) for arrays, the same for one Python float, and act'(z) from z and h = act(z)."""

    f: object
    f1: object
    df: object
    symbol: str


ACTIVATIONS = {
    "relu": Activation(
        lambda z, out=None: np.maximum(z, 0.0, out=out),
        lambda v: max(v, 0.0),
        lambda z, h: (z > 0).astype(z.dtype),
        "ReLU",
    ),
    "tanh": Activation(np.tanh, math.tanh, lambda z, h: np.subtract(1.0, hh := np.square(h), hh), "tanh"),  # in place
    "sigmoid": Activation(_sigmoid, _sigmoid1, lambda z, h: h * (1.0 - h), "σ"),
    "identity": Activation(lambda z, out=None: np.add(z, 0.0, out), lambda v: v, lambda z, h: np.ones_like(z), ""),
}


@dataclass(frozen=True)
class Params:
    """The weights; shapes (n,), (n, n), (n,), (n,), a float, and an activation name.
    Built from them: A (n, n+2) = [W_h | w_x | b] and v (n+2,) = [w_y | 0 | b_y], so that a step is
    z_t = A s_t and y_t = v . s_{t+1} with s_t = [h_{t-1}, x_t, 1]."""

    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    activation: str = "relu"
    v: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        n = np.shape(self.b)[0] if np.ndim(self.b) == 1 else -1
        for name, shape in (("b", (n,)), ("w_x", (n,)), ("W_h", (n, n)), ("w_y", (n,))):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != shape or n < 1:
                raise ValueError(f"{name} has shape {arr.shape}; expected {shape} with n = len(b) >= 1")
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "b_y", float(self.b_y))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} is not one of {sorted(ACTIVATIONS)}")
        object.__setattr__(self, "v", np.concatenate((self.w_y, (0.0, self.b_y))))

    @classmethod
    def scalar(cls, w_x=1.8, w_h=-0.5, b=0.0, w_y=1.1, b_y=0.0, activation="relu"):
        """The n = 1 network; the defaults are StatQuest's."""
        return cls(np.array([w_x]), np.array([[w_h]]), np.array([b]), np.array([w_y]), b_y, activation)

    @cached_property
    def A(self):  # built on first use: the n = 1 path (every training epoch) never needs it
        return np.column_stack((self.W_h, self.w_x, self.b))

    @property
    def n(self):
        return self.b.shape[0]


@dataclass(slots=True)  # not frozen: a frozen dataclass costs 2 µs more to build, a tenth of a short pass
class Trace:
    """Every step of a forward pass: xs (T,), z (T, n), h (T, n), y (T,);
    s (T+1, n+2), s_t = [h_{t-1}, x_t, 1] each step's input, and s_T = [h_T, 0, 1] (None if forward did not
    make the trace): h and y are read from it, y_t = v . s_{t+1}."""

    xs: np.ndarray
    z: np.ndarray
    h: np.ndarray
    y: np.ndarray
    s: np.ndarray | None = None


@dataclass(slots=True)
class Grads:
    """dL/d(everything): dh (T, n) and dx (T,) per step, then one per parameter, with its shape."""

    loss: float
    dh: np.ndarray
    dx: np.ndarray
    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float


def _inputs(xs, n):
    """s (T+1, n+2), s[t] = [h_{t-1}, x_t, 1] the input of step t, with every h still 0."""
    s = np.zeros((xs.shape[0] + 1, n + 2), dtype=xs.dtype)
    s[:-1, n] = xs
    s[:, n + 1] = 1.0
    return s


def _recur1(p, s, act):
    """n = 1 in Python floats, 20x faster per step than one-element arrays: h into s[1:, 0]; returns z (T, 1)."""
    w_x, w_h, b, f1 = p.w_x.item(), p.W_h.item(), p.b.item(), act.f1
    z, h, prev = [], [], 0.0
    for x in s[:-1, 1].tolist():
        z.append(zt := x * w_x + b + w_h * prev)
        h.append(prev := f1(zt))
    s[1:, 0] = h
    return np.array(z).reshape(-1, 1)


def _recur(p, s, act):
    """n > 1 in two numpy calls a step, z_t = A s_t and h_t = act(z_t), h into s[1:, :n]; returns z (T, n)."""
    n, dot, f = p.n, p.A.astype(s.dtype, copy=False).dot, act.f  # z_t = A s_t: one matvec a step
    z = np.empty((s.shape[0] - 1, n), dtype=s.dtype)
    # rows as views, no copies; zip stops before s's extra last row (a strict zip would cost 3 µs, 2% of 9 days)
    for zt, st, ht in zip(z, s, s[1:, :n], strict=False):
        dot(st, zt)  # the method with a positional out is numpy's cheapest matvec call
        f(zt, ht)  # act in place, straight into the next step's input
    return z


def _recur_back1(p, dh, d, last=False):
    """n = 1 in Python floats, dh (T, 1) holding dy_t w_y: dh and dz, each (T, 1) (`last` changes nothing here)."""
    w_h, g, dz, nxt = p.W_h.item(), dh[::-1, 0].tolist(), [], 0.0
    for t, dt in enumerate(d[::-1, 0].tolist()):
        g[t] = dht = g[t] + w_h * nxt  # over dy_t w_y
        dz.append(nxt := dht * dt)
    return np.array(g[::-1]).reshape(-1, 1), np.array(dz[::-1]).reshape(-1, 1)


def _recur_back(p, dh, d, last):
    """n > 1, dh_t = dy_t w_y + W_h^T dz_{t+1} and dz_t = dh_t * act'(z_t), in two numpy calls a step (three for "all").
    dh (T, n) holds dy_t w_y on entry (only its last row if `last`: dy_t = 0 before T-1); returns dh and dz, over d."""
    W_h, tmp = p.W_h.astype(d.dtype, copy=False), None if last else np.empty(p.n, dtype=d.dtype)
    dht = dh[-1]
    for dhp, dt in zip(dh[-2::-1], d[:0:-1], strict=False):  # t = T-1 .. 1, carrying the row dh_t: two views a step
        np.multiply(dht, dt, dt)  # dz_t = dh_t * act'(z_t), in place
        dht = dt.dot(W_h, dhp) if last else np.add(dhp, dt.dot(W_h, tmp), dhp)  # dz_t^T W_h: the cheaper matvec
    np.multiply(dht, d[0], d[0])
    return dh, d


def _sum_outer(a, b):
    """a.T @ b for a (T, m), b (T, k), in slices of <= 2^18 multiply-adds: OpenBLAS runs bigger products on threads,
    which stall for milliseconds on a busy machine (einsum would stay on one thread, but 3x slower)."""
    k = (1 << 18) // (a.shape[1] * b.shape[1])  # steps per slice
    if a.shape[0] <= k:
        return a.T @ b
    out = a[:k].T @ b[:k]
    for i in range(k, len(a), k):
        out += a[i : i + k].T @ b[i : i + k]
    return out


@np.errstate(all="ignore")  # as a decorator: half the cost of a `with` block per call
def forward(params, xs, dtype=np.float64):
    """Run the RNN over xs (T,); returns the `Trace` of every step, in `dtype` (float64, or float32 to see it
    underflow and overflow sooner)."""
    p, xs = params, np.asarray(xs, dtype=dtype)
    if xs.ndim != 1 or xs.shape[0] < 1:
        raise ValueError(f"xs has shape {xs.shape}; expected (T,) with T >= 1")
    n, s = p.n, _inputs(xs, p.n)
    z = (_recur1 if n == 1 and xs.dtype == np.float64 else _recur)(p, s, ACTIVATIONS[p.activation])
    return Trace(xs, z, s[1:, :n], s[1:].dot(p.v.astype(xs.dtype, copy=False)), s)


@np.errstate(all="ignore")
def backward(params, trace, target, loss="last", k=None):
    """Backpropagation through time.

    loss="last": L = 0.5 (y_T - target)^2 with a float target (predict tomorrow).
    loss="all":  L = 0.5 sum_t (y_t - target_t)^2 with targets (T,) (predict every next day).
    k: truncated BPTT, the gradient stops every k days counted back from day T (the hidden state still flows
    forward across the cuts); None or k >= T is full BPTT. Computes in the trace's dtype.
    """
    p, tr, s = params, trace, trace.s
    (T, n), real = tr.h.shape, tr.h.dtype.type
    if s is None:  # a Trace made elsewhere: rebuild the steps' inputs and outputs (T+1, n+2)
        s = _inputs(tr.xs, n)
        s[1:, :n] = tr.h
    w_y = p.w_y.astype(real, copy=False)
    if loss == "last":
        err = tr.y[-1] - real(target)
        L, db_y, dw_y = float(0.5 * err * err), float(err), err * tr.h[-1]  # dy is zero but dy_{T-1} = err
        dh = np.zeros((T, n), dtype=real)  # dh_t starts as dy_t w_y
        np.multiply(w_y, err, dh[-1])
    elif loss == "all":
        dy = tr.y - np.asarray(target, dtype=real).reshape(T)
        dv = dy @ s[1:]  # (n+2,) [dw_y | - | db_y] = sum_t dy_t s_{t+1}, as y_t = v . s_{t+1}
        L, db_y, dw_y = 0.5 * float(dy @ dy), float(dv[n + 1]), dv[:n]
        dh = np.multiply.outer(dy, w_y)
    else:
        raise ValueError(f"loss {loss!r} is not 'last' or 'all'")
    d = ACTIVATIONS[p.activation].df(tr.z, tr.h).astype(real, copy=False)  # (T, n) act'(z_t)
    recur, last = (_recur_back1 if n == 1 and real is np.float64 else _recur_back), loss == "last"
    if not k or k >= T:
        dh, dz = recur(p, dh, d, last)
    else:  # each piece of k days back from T gets no gradient from the piece after it
        pieces = [recur(p, dh[max(e - k, 0) : e], d[max(e - k, 0) : e], last) for e in range(T, 0, -k)]
        dh, dz = (np.concatenate(a) for a in zip(*pieces[::-1], strict=True))
    G = _sum_outer(s[:-1], dz)  # (n+2, n) [dW_h^T ; dw_x ; db] = sum_t s_t dz_t^T, one product
    dx = dz @ p.w_x.astype(real, copy=False)
    return Grads(loss=L, dh=dh, dx=dx, w_x=G[n], W_h=G[:n].T, b=G[n + 1], w_y=dw_y, b_y=db_y)
