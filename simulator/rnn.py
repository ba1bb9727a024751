"""An Elman RNN with one input and n hidden units, in float64 numpy.

    z_t = w_x x_t + W_h h_{t-1} + b        h_0 = 0,  h_t = act(z_t)
    y_t = w_y . h_t + b_y                  the prediction for tomorrow is y_T

`forward` caches every step in a `Trace`; `backward` runs backpropagation through time over it.
Only the recurrence runs in a Python loop, in Python floats when n = 1 and in two numpy calls a step otherwise;
everything else is a few array operations over all steps.
Values that overflow float64 come out as inf/nan, never as an exception.
"""

import math
from dataclasses import dataclass

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
        lambda z, out=None: np.maximum(z, 0.0, out=out), lambda v: max(v, 0.0), lambda z, h: (z > 0) * 1.0, "ReLU"
    ),
    "tanh": Activation(np.tanh, math.tanh, lambda z, h: 1.0 - h * h, "tanh"),
    "sigmoid": Activation(_sigmoid, _sigmoid1, lambda z, h: h * (1.0 - h), "σ"),
    "identity": Activation(lambda z, out=None: np.add(z, 0.0, out), lambda v: v, lambda z, h: np.ones_like(z), ""),
}


@dataclass(frozen=True)
class Params:
    """The weights; shapes (n,), (n, n), (n,), (n,), a float, and an activation name."""

    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    w_y: np.ndarray
    b_y: float
    activation: str = "relu"

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

    @classmethod
    def scalar(cls, w_x=1.8, w_h=-0.5, b=0.0, w_y=1.1, b_y=0.0, activation="relu"):
        """The n = 1 network; the defaults are StatQuest's."""
        return cls(np.array([w_x]), np.array([[w_h]]), np.array([b]), np.array([w_y]), b_y, activation)

    @property
    def n(self):
        return self.b.shape[0]


@dataclass(frozen=True)
class Trace:
    """Every step of a forward pass: xs (T,), z (T, n), h (T, n), y (T,)."""

    xs: np.ndarray
    z: np.ndarray
    h: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
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


def _recur1(p, xs, act):
    """n = 1 in Python floats, 20x faster per step than one-element arrays: z and h, each (T, 1)."""
    w_x, w_h, b, f1 = p.w_x.item(), p.W_h.item(), p.b.item(), act.f1
    z, h, prev = [], [], 0.0
    for x in xs.tolist():
        z.append(zt := x * w_x + b + w_h * prev)
        h.append(prev := f1(zt))
    return np.array(z).reshape(-1, 1), np.array(h).reshape(-1, 1)


def _recur(p, xs, act):
    """n > 1 in two numpy calls a step, z_t = A s_t and h_t = act(z_t), each into a preallocated row: z and h (T, n)."""
    T, n, f = xs.shape[0], p.n, act.f
    A = np.concatenate((p.W_h, p.w_x[:, None], p.b[:, None]), axis=1)  # (n, n+2) [W_h | w_x | b]: one matvec a step
    s = np.zeros((T + 1, n + 2))  # s[t] = [h_{t-1}, x_t, 1], the input of step t (h_{-1} = 0)
    s[:T, n] = xs
    s[:, n + 1] = 1.0
    z = np.empty((T, n))
    for zt, st, ht in zip(z, s[:-1], s[1:, :n], strict=True):  # iterating an array yields its rows as views, no copies
        A.dot(st, zt)  # the method with a positional out is numpy's cheapest matvec call
        f(zt, ht)  # act in place, straight into the next step's input
    return z, s[1:, :n]


def _recur_back1(p, dy, d):
    """n = 1 in Python floats: dh and dz, each (T, 1)."""
    w_h, w_y = p.W_h.item(), p.w_y.item()
    dh, dz, nxt = [], [], 0.0
    for dyt, dt in zip(dy[::-1].tolist(), d[::-1, 0].tolist(), strict=True):
        dh.append(dht := dyt * w_y + w_h * nxt)
        dz.append(nxt := dht * dt)
    return np.array(dh[::-1]).reshape(-1, 1), np.array(dz[::-1]).reshape(-1, 1)


def _recur_back(p, dy, d):
    """n > 1 in two numpy calls a step, dh_t = B v_{t+1} and dz_t = dh_t * act'(z_t): dh and dz (T, n)."""
    T, n = d.shape
    B = np.concatenate((p.W_h.T, p.w_y[:, None]), axis=1)  # (n, n+1) [W_h^T | w_y]: one matvec a step
    v = np.empty((T + 1, n + 1))  # v[t] = [dz_t, dy_{t-1}]; dz_T = 0 (no step after the last)
    v[T, :n] = 0.0
    v[1:, n] = dy
    dh = np.empty((T, n))
    for dht, dt, vt, dz in zip(dh[::-1], d[::-1], v[:0:-1], v[-2::-1, :n], strict=True):  # t = T-1 .. 0
        B.dot(vt, dht)
        np.multiply(dht, dt, dz)
    return dh, v[:T, :n]


def _sum_outer(a, b):
    """a.T @ b for a, b (T, n), in slices of <= 2^18 multiply-adds: OpenBLAS runs bigger products on threads,
    which stall for milliseconds on a busy machine (einsum would stay on one thread, but 3x slower)."""
    k = max(1, (1 << 18) // (a.shape[1] * b.shape[1]))  # steps per slice
    out = a[:k].T @ b[:k]
    for i in range(k, len(a), k):
        out += a[i : i + k].T @ b[i : i + k]
    return out


@np.errstate(all="ignore")  # as a decorator: half the cost of a `with` block per call
def forward(params, xs):
    """Run the RNN over xs (T,); returns the `Trace` of every step."""
    p, xs = params, np.asarray(xs, dtype=np.float64)
    if xs.ndim != 1 or xs.shape[0] < 1:
        raise ValueError(f"xs has shape {xs.shape}; expected (T,) with T >= 1")
    z, h = (_recur1 if p.n == 1 else _recur)(p, xs, ACTIVATIONS[p.activation])
    return Trace(xs, z, h, h @ p.w_y + p.b_y)


@np.errstate(all="ignore")
def backward(params, trace, target, loss="last"):
    """Backpropagation through time.

    loss="last": L = 0.5 (y_T - target)^2 with a float target (predict tomorrow).
    loss="all":  L = 0.5 sum_t (y_t - target_t)^2 with targets (T,) (predict every next day).
    """
    p, tr = params, trace
    T = tr.y.shape[0]
    if loss == "last":
        err = float(tr.y[-1]) - float(target)
        dy = np.zeros(T)
        dy[-1] = err
        L, db_y = 0.5 * err * err, err  # 0.5 dy.dy and sum(dy) for a dy that is zero but at the end
    elif loss == "all":
        dy = tr.y - np.asarray(target, dtype=np.float64).reshape(T)
        L, db_y = float(0.5 * dy @ dy), float(dy.sum())
    else:
        raise ValueError(f"loss {loss!r} is not 'last' or 'all'")
    d = ACTIVATIONS[p.activation].df(tr.z, tr.h)  # (T, n) act'(z_t)
    dh, dz = (_recur_back1 if p.n == 1 else _recur_back)(p, dy, d)  # (T, n) each
    return Grads(
        loss=L,
        dh=dh,
        dx=dz @ p.w_x,
        w_x=tr.xs @ dz,
        W_h=_sum_outer(dz[1:], tr.h[:-1]),
        b=np.add.reduce(dz, 0),  # dz.sum(axis=0) without the Python-level wrapper
        w_y=dy @ tr.h,
        b_y=db_y,
    )
