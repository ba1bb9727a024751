"""Everything the Gradients page shows for one sequence, computed in one place from the core."""

from dataclasses import dataclass

import numpy as np

from . import bptt
from .explain import fmt
from .figures import Row
from .rnn import backward

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

    @property
    def flow(self):
        return self.row.flow


def backprop(params, row, tomorrow, loss, clip, clip_at):
    """The backward pass of `row` through `params`, with the page's loss, target and clipping."""
    target = targets(row.trace.xs, tomorrow, loss)
    grads = backward(params, row.trace, target, loss)
    flow = bptt.flow(params, row.trace, grads)
    raw = bptt.vector(grads)
    drawn = Row(row.label, row.color, row.trace, flow, bptt.errors(row.trace, target, loss))
    return Backprop(drawn, raw, bptt.clip(raw, clip, clip_at), bptt.log10_reach(flow.factor))


def headline(bp):
    """'Blue company: from tomorrow back to the start, the signal is multiplied by 4.317e-5.'"""
    reach, days = bp.reach[0], bp.row.days
    beyond = " (beyond float64, computed in log space)" if abs(reach) > 308 else ""
    return (
        f"{bp.row.label}: going back {days} days, the error signal is multiplied by "
        f"**{bptt.decade(reach)}**{beyond} (|∂h<sub>{days}</sub>/∂h<sub>0</sub>|)."
    )


def forward_overflow(bp):
    """A sentence when the forward pass itself overflowed, else None."""
    tr = bp.row.trace
    bad = ~np.isfinite(tr.h[:, 0])
    if not bad.any():
        return None
    return (
        f"{bp.row.label}: the forward pass itself overflowed on day {int(bad.argmax()) + 1} "
        f"(h = {fmt(tr.h[bad][0, 0])}), so the gradients that depend on it are ∞ or NaN. "
        "The log-space magnitude above does not need them."
    )
