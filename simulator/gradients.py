"""Everything the Gradients page shows for one sequence, computed in one place from the core."""

from dataclasses import dataclass

import numpy as np

from . import bptt
from .explain import first_nonfinite, fmt, fmt_log10, fmt_operand, fmt_weight, forward_explodes, result
from .figures import WINDOW, Row, window_of
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
    target: object = None  # tomorrow's price (loss 'last'), or each day's target (T,) (loss 'all')
    w_h: float = 0.0
    w_y: float = 0.0
    exact_dh: np.ndarray | None = None  # in float32: ∂L/∂h_t as float64 works it out, to compare

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
    reach = bptt.log10_reach(flow.factor)
    w_h, w_y = float(params.W_h[0, 0]), float(params.w_y[0])
    exact = None if dtype is np.float64 else backward(params, row.trace, target, loss).dh[:, 0]
    return Backprop(drawn, raw, bptt.clip(raw, clip, clip_at), reach, dtype, target, w_h, w_y, exact)


def cut_day(bp):
    """The last day (1-based) whose factor w_h·act′(z) is exactly 0, where the path back is cut; else None."""
    zero = np.flatnonzero(bp.flow.factor == 0)
    return int(zero[-1]) + 1 if zero.size else None


def headline(bp):
    """'Blue company: going back 9 days, the error signal is multiplied by 0.00195 (...).', said from the product
    of the daily factors it names: a cut path, or a product beyond float64, in words."""
    reach, days, w_h = bp.reach[0], bp.row.days, bp.flow.factor
    said = (
        f"{bp.row.label}: going back {days} days, the error signal is multiplied by **{fmt_log10(reach)}** "
        f"(|∂h<sub>{days}</sub>/∂h<sub>0</sub>|, the product of the {days} daily factors w<sub>h</sub>·act′(z))"
    )
    if (cut := cut_day(bp)) is not None:
        z = fmt(bp.row.trace.z[cut - 1, 0])
        why = "w<sub>h</sub> is 0" if not np.any(w_h) else f"ReLU's slope is 0 (z<sub>{cut}</sub> = {z} < 0)"
        return f"{said}: the path is cut on day {cut}, where {why}."
    if abs(reach) > 308:
        return f"{said}: beyond float64 (1.8e308), so it is worked out as a sum of logarithms."
    return f"{said}."


def stuck_days(dh):
    """(first day, last day) of the longest run, ending nearest day 1, where float32 keeps ∂L/∂h the same from one
    day to the one before although the factor is not 1; None when there is none."""
    same = np.flatnonzero((dh[:-1] == dh[1:]) & (dh[:-1] != 0) & np.isfinite(dh[:-1]))
    if not same.size:
        return None
    last = int(same[-1]) + 1
    first = last
    while first - 1 >= 1 and dh[first - 2] == dh[first - 1]:
        first -= 1
    return first, last + 1 if last < len(dh) else last


def precision_note(bp):
    """What float32 did to the gradient, when the page computes in float32 (else None): the product of the factors
    as one power, and the gradient as float32 works it out day by day, against float64's."""
    if bp.dtype is np.float64:
        return None
    power = bptt.stored(bp.reach[0], bp.dtype)
    true = fmt_log10(bp.reach[0])
    if power == 0 and np.isfinite(bp.reach[0]):
        what = (f"as one number is below float32's smallest (1.4e−45), so it is stored as **exactly 0** (the true "
                f"value is {true})")  # fmt: skip
    elif np.isinf(power):
        what = f"as one number is above float32's largest (3.4e38), so it is stored as **∞** (the true value is {true})"
    else:
        what = f"is {fmt(float(power))}, within float32's range (1.4e−45 to 3.4e38)"
    said = [f"{bp.row.label}, in float32: the product of the {bp.row.days} factors {what}."]
    dh = bp.flow.dh
    zeros = np.flatnonzero(dh == 0)
    exact = bp.exact_dh
    if np.isfinite(exact[0]) and exact[0] and (stuck := stuck_days(dh)):
        first, last = stuck
        said.append(
            f"The gradient itself is worked out one day at a time, and that is not 0: near 1e−45 float32 only has "
            f"a few numbers left (multiples of 1.4e−45), and ∂L/∂h times {fmt(bp.flow.factor[first])} rounds back "
            f"to the same number, so from day {last} back to day {first} it sticks at "
            f"**{fmt(dh[first - 1])}**, where float64 has {fmt(exact[first - 1])} on day {first}."
        )
    elif zeros.size and np.all(bp.flow.factor):
        said.append(f"The gradient itself, worked out one day at a time, is exactly 0 on {zeros.size} of the days.")
    if not np.isfinite(dh).all():
        said.append(f"It is ∞ or NaN on {int((~np.isfinite(dh)).sum())} of the days.")
    return " ".join(said)


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


def explosion(bp):
    """Which one explodes, when something does: the forward pass (h and the prediction grow, as with w_h > 1 and
    ReLU), the gradient (the factors' product grows going back), or both; said from the numbers, else None."""
    forward_part, reach = forward_explodes(bp.row.trace), bp.reach[0]
    gradient = reach > 1  # more than 10 times bigger by day 1
    back = f"the error signal is multiplied by **{fmt_log10(reach)}** going back to day 1"
    if forward_part and gradient:
        return f"{bp.row.label}: both explode. Forward, {forward_part}. Backward, {back}."
    if forward_part:
        return (
            f"{bp.row.label}: the forward pass explodes, not the gradient. Forward, {forward_part}; backward, {back}."
        )
    if gradient:
        y = fmt(bp.row.trace.y[-1])
        return f"{bp.row.label}: the gradient explodes, not the forward pass: the prediction is {y}, yet {back}."
    return None


def shown_days(bp, shown, longest):
    """The days (0-based range) of `bp`'s row in the diagram's window around `shown` (0-based, of the `longest` row;
    the rows line up at their last day)."""
    T = bp.row.days
    return window_of(max(0, min(T - 1, T - (longest - shown))), T)


def window_note(bp, shown, longest):
    """For a sequence longer than the diagram: where its window sits, how little the signal changes across it, and
    how much over all the days. None when the diagram shows every day."""
    T, days = bp.row.days, shown_days(bp, shown, longest)
    if T <= WINDOW:
        return None
    across = bp.reach[days[0] + 1] - bp.reach[days[-1] + 1]  # reach[t]: back from the end to h_t
    return (
        f"{bp.row.label}: the diagram shows days {days[0] + 1} to {days[-1] + 1} of {T:,}. Across them the signal "
        f"changes by a factor of {fmt_log10(across)}, which is why the tiles look alike; from day {T:,} back to "
        f"day 1 it changes by {fmt_log10(bp.reach[1])}. The shaded band in the chart below is this window."
    )


def clipping_summary(bp):
    """'Blue company: |gradient| = 0.812' (the length of the whole weight gradient)."""
    with np.errstate(all="ignore"):
        return f"{bp.row.label}: |gradient| = {fmt(float(np.linalg.norm(bp.raw)), 3)}"


def clipping_caption(bp, mode):
    """What clipping `mode` ('norm' or 'value') did to this pass's gradient, in words: by norm the step keeps its
    direction and only its length changes; by value each weight is capped and the step can turn."""
    with np.errstate(all="ignore"):
        raw, clipped = float(np.linalg.norm(bp.raw)), float(np.linalg.norm(bp.clipped))
    if not np.isfinite(raw):
        here = "here the raw gradient overflowed, so there is no length or angle to compare"
    elif mode == "norm":
        kept = f"here its length {fmt(raw, 3)} is within the threshold, so nothing changes"
        cut = f"here its length goes from {fmt(raw, 3)} to {fmt(clipped, 3)}, and it points the same way"
        here = kept if clipped == raw else cut
    else:
        degrees = bptt.angle(bp.raw, bp.clipped)
        here = f"here it turns the step by {degrees:.1f}°" if degrees > 0 else "here no weight is past the cap"
    if mode == "norm":
        return f"Clipping by global norm shrinks the whole gradient and keeps its direction (d2l.ai): {here}."
    return f"Clipping by value caps each weight's gradient at ± the threshold, as min-char-rnn does: {here}."


def _d(name, t):
    return f"∂L/∂{name}<sub>{t}</sub>"


def chain_rule(bp, shown, longest):
    """The chain rule for one sequence, one line a step with its numbers: tomorrow's error, then ∂L/∂h one day back
    at a time over the diagram's window around `shown` (0-based, of the `longest` row, the rows lined up at their
    last day), ∂L/∂h_1 as a product, and ∂L/∂w_h as each day's part. Lines of Markdown."""
    f, tr, T, dy = bp.flow, bp.row.trace, bp.row.days, bp.row.dy
    w_h, w_y = fmt_weight(bp.w_h), fmt_weight(bp.w_y)
    last = np.isscalar(bp.target) or np.ndim(bp.target) == 0
    target = float(bp.target) if last else float(np.asarray(bp.target)[-1])
    lines = [
        f"{_d('y', T)} = y<sub>{T}</sub> − target = {fmt(tr.y[-1])} − {fmt(target)} = **{fmt(dy[-1])}** "
        "(the loss is ½(y − target)²)",
        f"{_d('h', T)} = {_d('y', T)} · w<sub>y</sub> = {fmt(dy[-1])} × {w_y} = **{fmt(f.dh[-1])}**",
    ]
    own = "" if last else f" + {_d('y', 't')} · w<sub>y</sub>"
    lines.append(f"one day back: {_d('h', 't')} = {_d('h', 't+1')} · act′(z<sub>t+1</sub>) · w<sub>h</sub>{own}")
    for d in reversed([d for d in shown_days(bp, shown, longest) if d < T - 1]):  # 0-based days, each from the next
        extra = "" if last else f" + {fmt_operand(dy[d])} × {w_y}"
        with np.errstate(all="ignore"):
            exact = float(f.dh[d + 1]) * float(f.act[d + 1]) * bp.w_h + (0.0 if last else float(dy[d]) * bp.w_y)
        lines.append(
            f"{_d('h', d + 1)} = {fmt(f.dh[d + 1])} × {fmt_operand(f.act[d + 1])} × {w_h}{extra} = "
            f"{result(exact, f.dh[d])}"
        )
    if last and T > 1:
        sign = "−" if np.sum(f.factor[1:] < 0) % 2 else ""
        product = "0" if bp.reach[1] == -np.inf else sign + fmt_log10(bp.reach[1])
        with np.errstate(all="ignore"):
            exact = float(f.dh[-1]) * (-1 if sign else 1) * 10.0 ** bp.reach[1]
        lines.append(
            f"so {_d('h', 1)} = {_d('h', T)} × (the factors w<sub>h</sub>·act′(z) of days {T} to 2, multiplied) = "
            f"{fmt(f.dh[-1])} × {f'({product})' if sign else product} = {result(exact, f.dh[0])}"
        )
    lines.append(f"and each day's own part of the weight's gradient: {_d('z', 't')} = {_d('h', 't')} · "
                 "act′(z<sub>t</sub>), "
                 f"∂L/∂w<sub>h</sub> = Σ<sub>t</sub> {_d('z', 't')} · h<sub>t−1</sub>")  # fmt: skip
    h_prev = np.concatenate(([0.0], tr.h[:-1, 0]))
    days = range(T) if T <= 12 else range(T - 6, T)
    terms = " + ".join(f"{fmt_operand(f.dz[d])} × {fmt_operand(h_prev[d])}" for d in days)
    total = f"**{fmt(bp.raw[1])}**"
    if T <= 12:
        lines.append(f"∂L/∂w<sub>h</sub> = {terms} = {total}")
    else:
        with np.errstate(all="ignore"):
            rest = float(np.sum(f.w_h[: T - 6]))
        lines.append(
            f"∂L/∂w<sub>h</sub> = {terms} + {fmt_operand(rest)} = {total}, the last sum being what days 1 to "
            f"{T - 6} add"
        )
    with np.errstate(all="ignore"):
        parts = np.abs(f.w_h)
    if np.isfinite(parts).all() and parts.any():
        top = int(parts.argmax())
        lines.append(f"the biggest part is day {top + 1}'s ({fmt(f.w_h[top])}); a day whose part is near 0 hardly "
                     "moves w<sub>h</sub>")  # fmt: skip
    return lines
