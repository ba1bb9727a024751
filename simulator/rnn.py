"""An Elman RNN with one input and n hidden units, in float64 numpy.

    z_t = w_x x_t + W_h h_{t-1} + b        h_0 = 0,  h_t = act(z_t)
    y_t = w_y . h_t + b_y                  the prediction for tomorrow is y_T

`forward` caches every step in a `Trace`; `backward` runs backpropagation through time over it.
Only the recurrence itself runs in a Python loop; everything else is one array operation over all steps.
Values that overflow float64 come out as inf/nan, never as an exception.
"""

import math
from dataclasses import dataclass

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid1(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


@dataclass(frozen=True)
class Activation:
    """act(z) for arrays, the same for one Python float, and act'(z) from z and h = act(z)."""

    f: object
    f1: object
    df: object
    symbol: str


ACTIVATIONS = {
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda v: max(v, 0.0), lambda z, h: (z > 0) * 1.0, "ReLU"),
    "tanh": Activation(np.tanh, math.tanh, lambda z, h: 1.0 - h * h, "tanh"),
    "sigmoid": Activation(_sigmoid, _sigmoid1, lambda z, h: h * (1.0 - h), "σ"),
    "identity": Activation(lambda z: z + 0.0, lambda v: v, lambda z, h: np.ones_like(z), ""),
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
        for name, shape in (("w_x", (n,)), ("W_h", (n, n)), ("b", (n,)), ("w_y", (n,))):
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


def _recur(u, W_h, f1, f):
    """z_t = u_t + W_h h_{t-1}, h_t = act(z_t), h_0 = 0: the one sequential part of `forward`."""
    T, n = u.shape
    if n == 1:  # Python floats: 20x faster per step than one-element arrays
        w, zs, hs, prev = W_h.item(), u[:, 0].tolist(), [], 0.0
        for t, ut in enumerate(zs):
            zs[t] = zt = ut + w * prev
            hs.append(prev := f1(zt))
        return np.array(zs).reshape(T, 1), np.array(hs).reshape(T, 1)
    z, h, prev = np.empty((T, n)), np.empty((T, n)), np.zeros(n)
    for t in range(T):
        zt = z[t]
        np.dot(W_h, prev, out=zt)
        zt += u[t]
        h[t] = prev = f(zt)
    return z, h


def _recur_back(g, W_h, d):
    """dh_t = g_t + W_h^T dz_{t+1}, dz_t = dh_t * act'(z_t): the one sequential part of `backward`."""
    T, n = g.shape
    if n == 1:
        w, dhs, ds, nxt = W_h.item(), g[:, 0].tolist(), d[:, 0].tolist(), 0.0
        for t in range(T - 1, -1, -1):
            dhs[t] = dht = dhs[t] + w * nxt
            nxt = dht * ds[t]
        return np.array(dhs).reshape(T, 1)
    dh, WT, nxt = np.empty((T, n)), np.ascontiguousarray(W_h.T), np.zeros(n)
    for t in range(T - 1, -1, -1):
        dht = dh[t]
        np.dot(WT, nxt, out=dht)
        dht += g[t]
        nxt = dht * d[t]
    return dh


def forward(params, xs):
    """Run the RNN over xs (T,); returns the `Trace` of every step."""
    p, xs = params, np.asarray(xs, dtype=np.float64)
    if xs.ndim != 1 or xs.shape[0] < 1:
        raise ValueError(f"xs has shape {xs.shape}; expected (T,) with T >= 1")
    act = ACTIVATIONS[p.activation]
    with np.errstate(all="ignore"):
        u = np.outer(xs, p.w_x) + p.b  # (T, n) input terms of every step at once
        z, h = _recur(u, p.W_h, act.f1, act.f)
        y = h @ p.w_y + p.b_y  # (T,)
    return Trace(xs, z, h, y)


def backward(params, trace, target, loss="last"):
    """Backpropagation through time.

    loss="last": L = 0.5 (y_T - target)^2 with a float target (predict tomorrow).
    loss="all":  L = 0.5 sum_t (y_t - target_t)^2 with targets (T,) (predict every next day).
    """
    p, tr = params, trace
    T = tr.y.shape[0]
    with np.errstate(all="ignore"):
        if loss == "last":
            dy = np.zeros(T)
            dy[-1] = tr.y[-1] - float(target)
        elif loss == "all":
            dy = tr.y - np.asarray(target, dtype=np.float64).reshape(T)
        else:
            raise ValueError(f"loss {loss!r} is not 'last' or 'all'")
        d = ACTIVATIONS[p.activation].df(tr.z, tr.h)  # (T, n) act'(z_t)
        dh = _recur_back(np.outer(dy, p.w_y), p.W_h, d)  # (T, n)
        dz = dh * d  # (T, n)
        return Grads(
            loss=float(0.5 * dy @ dy),
            dh=dh,
            dx=dz @ p.w_x,
            w_x=dz.T @ tr.xs,
            W_h=dz[1:].T @ tr.h[:-1],
            b=dz.sum(axis=0),
            w_y=dy @ tr.h,
            b_y=float(dy.sum()),
        )
