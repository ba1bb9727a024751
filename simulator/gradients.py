"""Everything the Gradients page shows for one sequence, computed in one place from the core."""

from dataclasses import dataclass

import numpy as np

from . import bptt
from .explain import first_nonfinite, fmt
from .figures import Row
from .models.rnn import backward, forward

PARAMETERS = ("w_x", "w_h", "b", "w_y", "b_y")


def targets(xs, tomorrow, loss):
    """The loss's targets: tomorrow's price ('last'), or each next day's price and then tomorrow's ('all')."""
    return tomorrow if loss == "last" else np.append(xs[1:], tomorrow)


@dataclass(frozen=True)
class Backprop:
    """One sequence's backward pass: the row to draw (with its flow and errors), the raw and clipped gradient
    vectors (w_x, w_h, b, w_y, b_y), and log10 |dh_T/dh_t| for t = 0 .. T."""

    row: Row
    raw: np.ndarray
    clipped: np.ndarray
    reach: np.ndarray
    dtype: type = np.float64

    @property
    def flow(self):
        return self.row.flow


def backprop(params, row, target, loss="last", clip="none", clip_at=5.0, precision="float64"):
    """The backward pass of `row` through `params`, with the page's loss, target (tomorrow's true price),
    clipping and precision."""
    dtype = np.dtype(precision).type
    trace = row.trace if dtype is np.float64 else forward(params, row.trace.xs, dtype=dtype)
    target = targets(trace.xs, target, loss)
    grads = backward(params, trace, target, loss)
    flow = bptt.flow(params, trace, grads)
    raw = bptt.vector(grads).astype(np.float64)
    drawn = Row(row.label, row.color, trace, flow, bptt.errors(trace, target, loss))
    return Backprop(drawn, raw, bptt.clip(raw, clip, clip_at), bptt.log10_reach(flow.factor), dtype)


def headline(bp):
    """'Blue company: from tomorrow back to the start, the signal is multiplied by 4.317e-5.'"""
    reach, days = bp.reach[0], bp.row.days
    beyond = " (beyond float64, computed in log space)" if abs(reach) > 308 else ""
    return (
        f"{bp.row.label}: going back {days} days, the error signal is multiplied by "
        f"**{bptt.decade(reach)}**{beyond} (|∂h<sub>{days}</sub>/∂h<sub>0</sub>|)."
    )


def precision_note(bp):
    """What float32 does to the product of factors, when the page computes in float32, else None."""
    if bp.dtype is np.float64:
        return None
    product = bptt.stored(bp.reach[0], bp.dtype)
    exact = bptt.decade(bp.reach[0])
    if product == 0 and np.isfinite(bp.reach[0]):
        what = f"underflows to **exactly 0** (float32 cannot hold anything below 1.4e-45; the true value is {exact})"
    elif np.isinf(product):
        what = f"overflows to **∞** (float32 stops at 3.4e38; the true value is {exact})"
    else:
        what = f"is {fmt(float(product), 3)}, still within float32's range (1.4e-45 to 3.4e38)"
    return (
        f"{bp.row.label}, in float32: the product of the {bp.row.days} factors {what}. "
        "The gradients on this page are computed in float32 too: watch the chart for exact zeros and ∞."
    )


def forward_overflow(bp):
    """A sentence when the forward pass itself overflowed, else None."""
    day = first_nonfinite(bp.row.trace)
    if day is None:
        return None
    return (
        f"{bp.row.label}: the forward pass itself overflowed on day {day} "
        f"(h = {fmt(bp.row.trace.h[day - 1, 0])}), so the gradients that depend on it are ∞ or NaN. "
        "The log-space magnitude above does not need them."
    )


def clipping_summary(bp):
    """'Blue company: |gradient| = 0.812' (the length of the whole weight gradient)."""
    with np.errstate(all="ignore"):
        return f"{bp.row.label}: |gradient| = {fmt(float(np.linalg.norm(bp.raw)), 3)}"


def turn(bp):
    """'(here by 19.6°)', or why there is no angle when the raw gradient overflowed."""
    degrees = bptt.angle(bp.raw, bp.clipped)
    return (
        f"(here by {degrees:.1f}°)"
        if np.isfinite(degrees)
        else "(here the raw gradient overflowed: no angle to measure)"
    )
