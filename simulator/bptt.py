"""Backpropagation through time, step by step, for the one-unit network the pages draw.

Going back one day multiplies the error signal by the same kind of factor every time:

    dL/dh_{t-1} = dL/dh_t * act'(z_t) * w_h  (+ w_y * dL/dy_{t-1} when every day has a target)

so after k days it has been multiplied by k such factors: their product vanishes when |w_h act'| < 1 and
explodes when it is > 1. `flow` lays that out per day; `log10_reach` keeps the product's magnitude in log
space, where 1.1^10000 is 413.9 and not inf.
"""

import math
from dataclasses import dataclass

import numpy as np

from .models.rnn import ACTIVATIONS


@dataclass(frozen=True)
class Flow:
    """Where the gradient goes, day by day (each array (T,), day t at index t - 1).

    dh, dz, dx: dL/dh_t, dL/dz_t, dL/dx_t; w_h, w_x: day t's part of dL/dw_h (dz_t h_{t-1}) and of dL/dw_x
    (dz_t x_t); act: act'(z_t); factor: dh_t/dh_{t-1} = w_h act'(z_t), what one step back multiplies the signal by.
    """

    dh: np.ndarray
    dz: np.ndarray
    dx: np.ndarray
    w_h: np.ndarray
    w_x: np.ndarray
    factor: np.ndarray
    act: np.ndarray


def flow(params, trace, grads):
    """Per-day gradient signal of a one-unit network from its trace and gradients."""
    with np.errstate(all="ignore"):
        d = ACTIVATIONS[params.activation].df(trace.z, trace.h)[:, 0]  # (T,) act'(z_t)
        dh = grads.dh[:, 0]
        dz = dh * d
        h_prev = trace.s[:-1, 0, 0]  # h_{t-1}, from h_0 on
        return Flow(dh, dz, grads.dx, dz * h_prev, dz * trace.xs, params.W_h[0, 0] * d, d)


def log10_reach(factor):
    """log10 |dh_T/dh_t| for t = 0 .. T (t = 0 is h_0, the memory before day 1), from the factors (T,).

    A sum of logs never overflows: 1.1 over 10,000 days is 10^413.9. A zero factor (a dead ReLU) gives -inf.
    """
    with np.errstate(divide="ignore"):
        logs = np.log10(np.abs(factor))
    return np.concatenate((np.cumsum(logs[::-1])[::-1], [0.0]))


def stored(log10_value, dtype):
    """10^log10_value as `dtype` can hold it: 0 below its smallest number (float32: 1.4e-45, so 0.9^1000 is
    exactly 0) and inf above its largest (float32: 3.4e38, so 1.1^1000 is inf)."""
    with np.errstate(all="ignore"):
        return dtype(np.power(10.0, log10_value))


def decade(log10_value):
    """10^413.93 -> '8.450e413', 10^-0.41 -> '0.387': the value, written so that any exponent fits."""
    if math.isinf(log10_value):
        return "0 (the path is cut)" if log10_value < 0 else "∞"
    if -3 <= log10_value < 4:
        return f"{10**log10_value:.3g}"
    mantissa = 10 ** (log10_value - math.floor(log10_value))
    return f"{mantissa:.3f}e{math.floor(log10_value)}"


CLIP_MODES = ("none", "norm", "value")


@np.errstate(all="ignore")  # an overflowed gradient stays inf/nan, silently
def clip(vector, mode, threshold):
    """The gradient after clipping: 'norm' rescales the whole vector to norm <= threshold (d2l.ai); 'value'
    clips each entry to [-threshold, threshold] (min-char-rnn's np.clip(dparam, -5, 5)); 'none' keeps it."""
    if mode == "none":
        return vector
    if mode == "norm":
        norm = np.linalg.norm(vector)
        return vector * min(1.0, threshold / norm) if norm > 0 else vector
    if mode == "value":
        return np.clip(vector, -threshold, threshold)
    raise ValueError(f"clipping {mode!r} is not one of {', '.join(CLIP_MODES)}")


def angle(a, b):
    """The angle in degrees between two gradient vectors (how much clipping turned the step)."""
    with np.errstate(all="ignore"):
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if not (na > 0 and nb > 0 and np.isfinite(na) and np.isfinite(nb)):
        return float("nan")
    return math.degrees(math.acos(float(np.clip(a @ b / (na * nb), -1.0, 1.0))))


def vector(grads):
    """The parameter gradients as one vector: [w_x, W_h, b, w_y, b_y] flattened."""
    return np.concatenate((grads.w_x.ravel(), grads.W_h.ravel(), grads.b.ravel(), grads.w_y.ravel(), [grads.b_y]))


def errors(trace, target, loss="last"):
    """dL/dy_t (T,): y_T - target on the last day only (loss='last'), or y_t - target_t every day ('all')."""
    with np.errstate(all="ignore"):
        if loss == "all":
            return trace.y - np.asarray(target, dtype=np.float64)
        dy = np.zeros_like(trace.y)
        dy[-1] = trace.y[-1] - target
        return dy
