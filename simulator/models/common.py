"""What the three cells share: input shapes, the linear read-out y_t = w_y . h_t + b_y, the losses, truncation.

Shapes: T days, B sequences in a batch, d inputs a day, n hidden units. A cell stacks its m = n + d + 1 step
inputs as s_t = [h_{t-1}, x_t, 1], so that every pre-activation is one product with A = [W_h | w_x | b].
"""

from dataclasses import fields

import numpy as np


def sigmoid(z, out=None):
    """1 / (1 + e^-z), in place when out is given; e^-z overflows to inf for z < -709, giving 0 as it should."""
    out = np.negative(z, out)
    np.exp(out, out)
    out += 1.0
    return np.reciprocal(out, out)


def matrix(name, value, rows, d=None):
    """w_x as (rows, d) float64 from (rows,) or (rows, d); raises ValueError naming it otherwise."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (rows,) and (arr.ndim != 2 or arr.shape[0] != rows or arr.shape[1] < 1):
        raise ValueError(f"{name} has shape {arr.shape}; expected ({rows},) or ({rows}, d)")
    return arr


def checked(params, shapes):
    """Each named field as float64 of its shape, b_y as a float; a ValueError names a field of another shape."""
    for name, shape in shapes.items():
        arr = np.asarray(getattr(params, name), dtype=np.float64)
        if arr.shape != shape:
            raise ValueError(f"{name} has shape {arr.shape}; expected {shape}")
        object.__setattr__(params, name, arr)
    object.__setattr__(params, "b_y", float(params.b_y))


def units(W_h, rows):
    """n from W_h (rows * n, n), the one weight every cell has as a matrix."""
    shape = np.shape(W_h)
    if len(shape) != 2 or shape[1] < 1 or shape[0] != rows * shape[1]:
        want = "(n, n)" if rows == 1 else f"({rows}n, n)"
        raise ValueError(f"W_h has shape {shape}; expected {want} with n >= 1")
    return shape[1]


def stacked(W_h, w_x, b):
    """A (rows, n + d + 1) = [W_h | w_x | b]."""
    return np.column_stack((W_h, w_x.reshape(len(b), -1), b))


def uniform(n, d, rows, seed):
    """PyTorch's start: every weight and bias uniform in +-1/sqrt(n), from the seed; w_x (rows * n, d) or
    (rows * n,) when d = 1. Returns w_x, W_h, b, w_y, b_y and a generator for what else a cell needs."""
    rng, k = np.random.default_rng(seed), 1 / np.sqrt(n)
    w_x = rng.uniform(-k, k, (rows * n, d))
    return (w_x[:, 0] if d == 1 else w_x, rng.uniform(-k, k, (rows * n, n)), rng.uniform(-k, k, rows * n),
            rng.uniform(-k, k, n), float(rng.uniform(-k, k)), rng)  # fmt: skip


def vector(obj, names):
    """The named fields of Params or Grads in one float64 vector, in that order."""
    return np.concatenate([np.ravel(getattr(obj, name)) for name in names])


def from_vector(cls, theta, like):
    """A `cls` Params with `like`'s shapes (and activation) holding the numbers of theta."""
    parts, at = {}, 0
    for name in cls.NAMES:
        size = np.size(getattr(like, name))
        parts[name] = np.reshape(theta[at : at + size], np.shape(getattr(like, name)))
        at += size
    parts["b_y"] = float(parts["b_y"])
    rest = {f.name: getattr(like, f.name) for f in fields(like) if f.init and f.name not in cls.NAMES}
    return cls(**parts, **rest)


def steps(xs, d, dtype):
    """xs (T,), (T, B) or (T, B, d) -> (xs as an array, X (T, B, d) a view of it, batched): a ValueError names a
    shape that is none of these."""
    xs = np.asarray(xs, dtype=dtype)
    ok = (xs.ndim in (1, 2) and d == 1) or (xs.ndim == 3 and xs.shape[2] == d)
    if not ok or xs.shape[0] < 1 or (xs.ndim > 1 and xs.shape[1] < 1):
        want = "(T,) or (T, B)" if d == 1 else f"(T, B, {d})"
        raise ValueError(f"xs has shape {xs.shape}; expected {want} with T, B >= 1 (d = {d} inputs a day)")
    return xs, xs.reshape(xs.shape[0], -1, d), xs.ndim > 1


def inputs(X, n, h0):
    """s (T+1, B, n+d+1), s[t] = [h_{t-1}, x_t, 1] with h_{-1} = h0 (n,) or (B, n); h still 0 after it."""
    T, B, d = X.shape
    s = np.zeros((T + 1, B, n + d + 1), dtype=X.dtype)
    if h0 is not None:
        s[0, :, :n] = initial("h0", h0, B, n)
    s[:-1, :, n : n + d] = X
    s[:, :, -1] = 1.0
    return s


def initial(name, value, B, n):
    """A start state (n,) shared by the batch, or (B, n); ValueError naming it otherwise."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape not in ((n,), (B, n)):
        raise ValueError(f"{name} has shape {arr.shape}; expected ({n},) or ({B}, {n})")
    return arr


def errors(y, target, loss):
    """dL/dy (T, B) and L for y (T, B): 'last' is 0.5 (y_T - target)^2 with target a float or (B,), 'all' is
    0.5 sum_t (y_t - target_t)^2 with targets (T,) or (T, B); each summed over the batch."""
    t = np.asarray(target, dtype=y.dtype)
    if loss == "last":
        dy = np.zeros_like(y)
        dy[-1] = y[-1] - t
    elif loss == "all":
        dy = y - (t[:, None] if t.ndim == 1 else t)
    else:
        raise ValueError(f"loss {loss!r} is not 'last' or 'all'")
    return dy, 0.5 * float(np.vdot(dy, dy))


def sum_outer(a, b):
    """a.T @ b for a (R, m), b (R, k), in slices of <= 2^18 multiply-adds: OpenBLAS runs bigger products on threads,
    which stall for milliseconds on a busy machine (einsum would stay on one thread, but 3x slower)."""
    k = max((1 << 18) // (a.shape[1] * b.shape[1]), 1)  # rows per slice
    if a.shape[0] <= k:
        return a.T @ b
    out = a[:k].T @ b[:k]
    for i in range(k, len(a), k):
        out += a[i : i + k].T @ b[i : i + k]
    return out


def rows(a, B):
    """The per-step rows a loop walks: (T, n) views when B = 1 (numpy's cheapest 1-d calls), else (T, B, n)."""
    return a[:, 0] if B == 1 else a


def pieces(T, k):
    """Truncated BPTT's spans (start, end), last first: k days each, counted back from day T; one span if k
    is None or >= T."""
    k = T if not k or k >= T else k
    return [(max(end - k, 0), end) for end in range(T, 0, -k)]


def readout(params):
    """v (m,) = [w_y | 0 | b_y], so that y_t = v . s_{t+1} with s_{t+1} = [h_t, x_{t+1}, 1]."""
    return np.concatenate((params.w_y, np.zeros(params.d), [params.b_y]))


def with_batch(a, batched):
    """A trace's per-step array with its batch axis back, (T, B, ...): undoes `shaped`."""
    return a if batched else a[:, None]


def shaped(a, batched):
    """A per-step array (T, B, ...) without its batch axis when the input had none."""
    return a if batched else a[:, 0]
