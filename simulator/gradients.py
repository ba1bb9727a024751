"""Everything the Gradients page shows for one sequence, computed in one place from the core, for any cell and n.

One simple RNN unit: each step back multiplies the error signal by w_h act'(z_t) (`bptt.Flow`), and the product of
those factors is kept in log space (`Backprop.reach`). n units or a gated cell: each step back multiplies the
gradient by the transposed step Jacobian, dL/dh_{t-1} = J_t^T dL/dh_t (+ that day's own error), so its size can
grow at most ||J_t|| times a step; `Sizes` holds the per-day sizes, and for the LSTM the long-term memory's
gradient, whose cell path alone multiplies by f_t a step back (`flow.cell_path`).
"""

from dataclasses import dataclass

import numpy as np

from . import bptt, flow, why
from .data import Row
from .diagram import step_norms
from .explain import first_nonfinite, fmt, fmt_log10, fmt_operand, fmt_weight, forward_explodes, result
from .figures import WINDOW, window_of
from .models import common
from .models.rnn import ACTIVATIONS

PARAMETERS = ("w_x", "w_h", "b", "w_y", "b_y")  # one unit's weights, as the sidebar names them


def targets(xs, tomorrow, loss):
    """The loss's targets: tomorrow's price ('last'), or each next day's price and then tomorrow's ('all')."""
    return tomorrow if loss == "last" else np.append(xs[1:], tomorrow)


@dataclass(frozen=True)
class Sizes:
    """The gradient of n units or a gated cell, day by day (day t at index t - 1).

    dh (T,): ||dL/dh_t|| over the units; dx (T,): dL/dx_t; w_h (T,): the size of day t's part of dL/dW_h,
    ||dz_t|| ||h_{t-1}|| (the simple RNN's; None for a gated cell); units (T, n): dL/dh_t. The LSTM's also:
    dc (T,) ||dL/dC_t||, cells (T, n) dL/dC_t, forget (T, n) f_t, into_c (T, n) o_t (1 - tanh^2 C_t), what dL/dh_t
    adds to dL/dC_t; path (T+1,) log10 of the cell path's product f_{t+1} ... f_T through its most open unit."""

    dh: np.ndarray
    dx: np.ndarray
    w_h: np.ndarray | None
    units: np.ndarray
    dc: np.ndarray | None = None
    cells: np.ndarray | None = None
    forget: np.ndarray | None = None
    into_c: np.ndarray | None = None
    path: np.ndarray | None = None


def sizes(params, trace, grads):
    """The `Sizes` of one sequence's backward pass (`grads` of `trace`)."""
    cell, n = flow.cell_of(params), params.n
    with np.errstate(all="ignore"):
        dh = grads.dh.reshape(-1, n)
        dx = np.asarray(grads.dx, dtype=np.float64).reshape(-1)
        if cell == "rnn":
            dz = dh * rnn_slope(params, trace)
            h_prev = trace.s[:-1, 0, :n]
            return Sizes(flow.norms(dh), dx, flow.norms(dz) * flow.norms(h_prev), dh)
        if cell == "gru":
            return Sizes(flow.norms(dh), dx, None, dh)
        paths = flow.cell_path(trace)
        path = paths[:, int(np.argmax(paths[0]))]  # the most open unit, as the Why LSTM page picks it
        into_c = trace.o * (1 - trace.tc * trace.tc)
        return Sizes(flow.norms(dh), dx, None, dh, flow.norms(grads.dc), grads.dc, trace.f, into_c, path)


def rnn_slope(params, trace):
    """act'(z_t) (T, n) of a simple RNN's trace."""
    return ACTIVATIONS[params.activation].df(trace.z, trace.h)


@dataclass(frozen=True)
class Backprop:
    """One sequence's backward pass: the row to draw (with its flow and errors), the raw and clipped gradient
    vectors (every parameter of the cell, flattened in `names` order) and log10 of what the signal is multiplied by
    from day T back to day t, t = 0 .. T (one unit: the product of its factors; n units: ||dL/dh_t|| / ||dL/dh_T||
    as measured, t = 0 being day 1's)."""

    row: Row
    raw: np.ndarray
    clipped: np.ndarray
    reach: np.ndarray
    dtype: type = np.float64
    target: object = None  # tomorrow's price (loss 'last'), or each day's target (T,) (loss 'all')
    w_h: float = 0.0
    w_y: float = 0.0
    exact_dh: np.ndarray | None = None  # in float32: ∂L/∂h_t (or its size) as float64 works it out, to compare
    params: object = None
    names: tuple = PARAMETERS
    grads: object = None

    @property
    def flow(self):
        return self.row.flow

    @property
    def one(self):
        """True for one simple RNN unit, whose every step back is one number."""
        return isinstance(self.flow, bptt.Flow)

    @property
    def cell(self):
        return flow.cell_of(self.params)


def weights_of(bp):
    """The parameters as the clipping chart and table name them: one unit's five by name; else each of the cell's
    as (name, how many numbers it holds), in the order of `raw`."""
    if bp.one:
        return PARAMETERS
    return tuple((name, int(np.size(getattr(bp.params, name)))) for name in bp.names)


def part_norms(vector, names):
    """The norm of each named part of `vector`, laid out as `names` ((name, size) each)."""
    ends = np.cumsum([size for _, size in names])
    with np.errstate(all="ignore"):
        return np.array([np.linalg.norm(part) for part in np.split(np.asarray(vector, dtype=np.float64), ends[:-1])])


def _again(params, trace, dtype):
    """The trace of `trace`'s prices and initial memories through `params` in `dtype`."""
    model, n = flow.MODELS[flow.cell_of(params)], params.n
    memory = {"c0": trace.cs[0, 0]} if hasattr(trace, "cs") else {}
    return model.forward(params, trace.xs, trace.s[0, 0, :n], **memory, dtype=dtype)


def backprop(params, row, target, loss="last", clip="none", clip_at=5.0, precision="float64"):
    """The backward pass of `row` through `params` (any cell, any n), with the page's loss, target (tomorrow's true
    price), clipping and precision."""
    dtype = np.dtype(precision).type
    cell, n = flow.cell_of(params), params.n
    model = flow.MODELS[cell]
    trace = row.trace if dtype is np.float64 else _again(params, row.trace, dtype)
    target = targets(trace.xs, target, loss)
    grads = model.backward(params, trace, target, loss)
    names = params.NAMES
    raw = common.vector(grads, names).astype(np.float64)
    errors = bptt.errors(trace, target, loss)
    if cell == "rnn" and n == 1:
        names = PARAMETERS
        drawn = Row(row.label, row.color, trace, bptt.flow(params, trace, grads), errors)
        reach = bptt.log10_reach(drawn.flow.factor)
        w_h, w_y = float(params.W_h[0, 0]), float(params.w_y[0])
        exact = None if dtype is np.float64 else model.backward(params, row.trace, target, loss).dh[:, 0]
        return Backprop(drawn, raw, bptt.clip(raw, clip, clip_at), reach, dtype, target, w_h, w_y, exact, params,
                        names, grads)  # fmt: skip
    drawn = Row(row.label, row.color, trace, sizes(params, trace, grads), errors)
    with np.errstate(all="ignore"):
        logs = np.log10(drawn.flow.dh.astype(np.float64))
        reach = np.concatenate(([logs[0]], logs)) - logs[-1]  # t = 0: what reaches day 1 (h_0 is not drawn)
    exact = None if dtype is np.float64 else flow.norms(model.backward(params, row.trace, target, loss).dh)
    return Backprop(drawn, raw, bptt.clip(raw, clip, clip_at), reach, dtype, target, exact_dh=exact, params=params,
                    names=names, grads=grads)  # fmt: skip


def cut_day(bp):
    """The last day (1-based) whose factor w_h·act′(z) is exactly 0, where the path back is cut; else None."""
    zero = np.flatnonzero(bp.flow.factor == 0)
    return int(zero[-1]) + 1 if zero.size else None


def headline(bp):
    """'Blue company: going back 9 days, the error signal is multiplied by 0.00195 (...).', said from the product
    of the daily factors it names: a cut path, or a product beyond float64, in words. n units or a gated cell: how
    the gradient's size changes from day T to day 1, and for the LSTM along its cell path alone."""
    if not bp.one:
        return _layer_headline(bp)
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


def _norm(name, t):
    return f"‖∂L/∂{name}<sub>{t}</sub>‖"


def zero_from(sizes):
    """The last day (1-based) from which back to day 1 a gradient's size is exactly 0 while a later day's is not;
    else None."""
    zero = sizes == 0
    if not zero.any() or zero.all():
        return None
    nonzero = np.flatnonzero(~zero)
    return int(nonzero[0]) if nonzero[0] > 0 else None


def _layer_headline(bp):
    s, T = bp.flow, bp.row.days
    first, last = s.dh[0], s.dh[-1]
    said = f"{bp.row.label}: going back from day {T:,} to day 1"
    if T == 1:
        return f"{said}, there is no step back: {_norm('h', 1)} = **{fmt(last)}**."
    if not np.isfinite(s.dh).all():
        day = int(np.flatnonzero(~np.isfinite(s.dh))[-1]) + 1
        return f"{said}, the gradient overflows {limit(bp)} on day {day:,}: ∞ or NaN from there back."
    if last == 0:
        return f"{said}: the error on day {T:,} is 0, so there is no gradient to send back."
    steps = (f"each of the {T - 1:,} steps back multiplies it by the transposed step Jacobian, "
             "∂L/∂h<sub>t−1</sub> = J<sub>t</sub><sup>T</sup> ∂L/∂h<sub>t</sub>, which can grow it at most "
             "‖J<sub>t</sub>‖ times")  # fmt: skip
    if bp.cell == "lstm":
        steps = (f"each of the {T - 1:,} steps back multiplies the gradient of both memories, h and C, by the "
                 "transposed step Jacobian J<sub>t</sub> = ∂(h<sub>t</sub>, C<sub>t</sub>)/∂(h<sub>t−1</sub>, "
                 "C<sub>t−1</sub>)")  # fmt: skip
    mixed = "" if np.isscalar(bp.target) or np.ndim(bp.target) == 0 else ", each day's own error added on the way"
    if (cut := zero_from(s.dh)) is not None:
        told = (f"{said}, the gradient's size goes from {_norm('h', T)} = {fmt(last)} to exactly **0** from day "
                f"{cut} back: the path is cut ({steps})")  # fmt: skip
    else:
        told = (f"{said}, the gradient's size goes from {_norm('h', T)} = {fmt(last)} to {_norm('h', 1)} = "
                f"{fmt(first)}: it is multiplied by **{fmt_log10(bp.reach[1])}** ({steps}{mixed})")  # fmt: skip
    if s.path is not None:
        told += (f". Along the long-term memory's cell path alone each step back multiplies by the forget gate "
                 f"f<sub>t</sub>: f<sub>{T}</sub> × … × f<sub>2</sub> = **{fmt_log10(s.path[1])}** (its most open "
                 "unit)")  # fmt: skip
    return f"{told}."


def forget_note(bp):
    """The LSTM's honest part, as the Why LSTM page says it (`why.forget_sentence`): its cell path is a highway only
    while the forget gate stays open; else None."""
    if bp.one or bp.flow.path is None or bp.row.days < 2:
        return None
    return why.forget_sentence(why.Reading("lstm", bp.params, bp.row.trace, bp.reach, bp.flow.path))


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
    if not bp.one:
        return _layer_precision(bp)
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


def _layer_precision(bp):
    """float32 against float64 for n units: the gradient's size on day 1, and the days float32 rounds to 0 or ∞."""
    dh, exact = bp.flow.dh, bp.exact_dh
    said = [f"{bp.row.label}, in float32 (1.4e−45 to 3.4e38): {_norm('h', 1)} is **{fmt(dh[0])}**, where float64 has "
            f"{fmt(exact[0])}."]  # fmt: skip
    if zeros := int(((dh == 0) & (exact != 0)).sum()):
        said.append(f"float32 rounds it to exactly 0 on {zeros:,} of the days where float64 does not.")
    if not np.isfinite(dh).all():
        said.append(f"It is ∞ or NaN on {int((~np.isfinite(dh)).sum()):,} of the days.")
    return " ".join(said)


def forward_overflow(bp):
    """A sentence when the forward pass itself overflowed, else None."""
    day = first_nonfinite(bp.row.trace)
    if day is None:
        return None
    h, y = bp.row.trace.h[day - 1], bp.row.trace.y[day - 1]
    value = f"h = {fmt(h[0])}" if bp.one else f"the largest |h| of its units is {fmt(np.max(np.abs(h)))}"
    if np.isfinite(h).all():  # h still a number: its prediction y = w_y·h + b_y is what overflowed
        value = f"its prediction y = {fmt(y)}, from the memory {value}"
    return (
        f"{bp.row.label}: the forward pass itself overflowed on day {day} "
        f"({value}), so the gradients that depend on it are ∞ or NaN."
        + (" The log-space magnitude above does not need them." if bp.one else "")
    )


def explosion(bp):
    """Which one explodes, when something does: the forward pass (h and the prediction grow, as with w_h > 1 and
    ReLU), the gradient (the factors' product grows going back), or both; said from the numbers, else None."""
    forward_part, reach = forward_explodes(bp.row.trace), bp.reach[0]
    overflowed = overflows(reach) and first_nonfinite(bp.row.trace) is None  # the gradient's own overflow
    gradient = overflowed or reach > 1  # more than 10 times bigger by day 1
    back = f"the error signal is multiplied by **{fmt_log10(reach)}** going back to day 1"
    if overflowed:
        back = f"the error signal overflows {limit(bp)} on its way back to day 1 (∞ or NaN)"
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
    across = log_change(bp, days[-1], days[0])
    across = (
        f"changes by a factor of {fmt_log10(across)}, which is why the tiles look alike"
        if np.isfinite(across)
        else _no_factor(bp, days[-1], days[0])
    )
    whole = log_change(bp, T - 1, 0)
    whole = f"changes by {fmt_log10(whole)}" if np.isfinite(whole) else _no_factor(bp, T - 1, 0)
    return (
        f"{bp.row.label}: the diagram shows days {days[0] + 1} to {days[-1] + 1} of {T:,}. Across them the signal "
        f"{across}; from day {T:,} back to day 1 it {whole}. The shaded band in the chart below is this window."
    )


def limit(bp):
    """The largest number `bp`'s precision holds, in words."""
    return "float64 (beyond 1.8e308)" if bp.dtype is np.float64 else "float32 (beyond 3.4e38)"


def overflows(log10_value):
    """True for a log10 magnitude that is no number because the gradient overflowed: +∞ or NaN (−∞ is an exact
    0, a cut path)."""
    return not np.isfinite(log10_value) and log10_value != -np.inf


def log_change(bp, late, early):
    """log10 of what the signal is multiplied by going back from day `late` to day `early` (0-based), from the
    factors (one unit) or the measured sizes (n units), each day's own: −∞ for a size of exactly 0 or a zero
    factor, NaN (not inf − inf's warning) where a size or a factor is ∞ or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if bp.one:
            return float(np.sum(np.log10(np.abs(bp.flow.factor[early + 1 : late + 1]))))
        return float(np.log10(bp.flow.dh[early]) - np.log10(bp.flow.dh[late]))


def _no_factor(bp, late, early):
    """What is true going back from day `late` to day `early` (0-based) when no factor can be said."""
    if bp.one:
        if log_change(bp, late, early) == -np.inf:
            return "falls to exactly 0 (a factor w_h·act′(z) is 0: the path is cut)"
        return f"is no number: the forward pass overflowed {limit(bp)}, so a factor w_h·act′(z) is ∞ or NaN"
    dh = bp.flow.dh
    if dh[late] == 0 and dh[early] == 0:
        return f"is exactly 0 on day {late + 1:,} and on day {early + 1:,}: nothing reaches back this far"
    sizes = f"goes from a size of {fmt(dh[late])} on day {late + 1:,} to {fmt(dh[early])} on day {early + 1:,}"
    return sizes if np.isfinite(dh[[late, early]]).all() else f"{sizes}: {_overflowed(bp)}"


def clipping_summary(bp):
    """'Blue company: |gradient| = 0.812' (the length of the whole weight gradient), and what overflowed when it is
    ∞ or NaN."""
    with np.errstate(all="ignore"):
        size = float(np.linalg.norm(bp.raw))
    said = f"{bp.row.label}: |gradient| = {fmt(size, 3)}"
    return said if np.isfinite(size) else f"{said}, as {_overflowed(bp)}"


def _overflowed(bp):
    """'the forward pass overflowed float64 (beyond 1.8e308)', or the gradient, whichever did first."""
    what = "the forward pass" if first_nonfinite(bp.row.trace) is not None else "the gradient"
    return f"{what} overflowed {limit(bp)}"


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
    last day), ∂L/∂h_1 as a product, and ∂L/∂w_h as each day's part. Lines of Markdown. n units or a gated cell:
    the same in the Jacobian's form, with the sizes (`_layer_chain_rule`)."""
    if not bp.one:
        return _layer_chain_rule(bp, shown, longest)
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
    h_prev = tr.s[:-1, 0, 0]  # h_{t-1}, from h_0 on
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


def _error_lines(bp):
    """∂L/∂y_T with its numbers, and the size of ∂L/∂h_T = w_y ∂L/∂y_T."""
    tr, T, dy = bp.row.trace, bp.row.days, bp.row.dy
    last = np.isscalar(bp.target) or np.ndim(bp.target) == 0
    target = float(bp.target) if last else float(np.asarray(bp.target)[-1])
    w_y = float(np.linalg.norm(bp.params.w_y))
    with np.errstate(all="ignore"):
        exact = w_y * abs(float(dy[-1]))
    return [
        f"{_d('y', T)} = y<sub>{T}</sub> − target = {fmt(tr.y[-1])} − {fmt(target)} = **{fmt(dy[-1])}** "
        "(the loss is ½(y − target)²)",
        f"{_d('h', T)} = w<sub>y</sub> {_d('y', T)}, one number a unit: {_norm('h', T)} = ‖w<sub>y</sub>‖ × "
        f"|{_d('y', T)}| = {fmt(w_y)} × {fmt(abs(float(dy[-1])))} = {result(exact, bp.flow.dh[-1])}",
    ]


JACOBIAN = {  # the step Jacobian J_t = ∂h_t/∂h_{t-1} of each cell, in words
    "rnn": "J<sub>t</sub> = diag(act′(z<sub>t</sub>)) W<sub>h</sub>",
    "gru": "J<sub>t</sub> = ∂h<sub>t</sub>/∂h<sub>t−1</sub> = diag(z<sub>t</sub>) + (what passes through the update "
    "gate, the reset gate and the candidate)",
}


def _layer_chain_rule(bp, shown, longest):
    """The chain rule for n units or a gated cell: the error, then one step back a line over the diagram's window,
    as sizes (and unit 1's numbers for the LSTM's long-term memory), then the weight's gradient."""
    s, T = bp.flow, bp.row.days
    last = np.isscalar(bp.target) or np.ndim(bp.target) == 0
    lines = _error_lines(bp)
    days = [d for d in reversed(shown_days(bp, shown, longest)) if d < T - 1]  # 0-based, each from the next
    if bp.cell == "lstm":
        lines += _cell_path_lines(bp, days)
    else:
        own = "" if last else " + w<sub>y</sub> ∂L/∂y<sub>t−1</sub>"
        lines.append(f"one day back: ∂L/∂h<sub>t−1</sub> = J<sub>t</sub><sup>T</sup> ∂L/∂h<sub>t</sub>{own}, with "
                     f"{JACOBIAN[bp.cell]}, so {_norm('h', 't−1')} ≤ ‖J<sub>t</sub>‖ × {_norm('h', 't')}"
                     f"{'' if last else ' + ‖w<sub>y</sub>‖ × |∂L/∂y<sub>t−1</sub>|'}")  # fmt: skip
        norms = step_norms(bp.params, bp.row.trace, [d + 1 for d in days])
        w_y = float(np.linalg.norm(bp.params.w_y))
        for d, J in zip(days, norms, strict=True):
            with np.errstate(all="ignore"):
                bound = J * float(s.dh[d + 1]) + (0.0 if last else w_y * abs(float(bp.row.dy[d])))
            extra = "" if last else f" + {fmt(w_y)} × {fmt(abs(float(bp.row.dy[d])))}"
            lines.append(f"{_norm('h', d + 1)} = **{fmt(s.dh[d])}** ≤ ‖J<sub>{d + 2}</sub>‖ × {_norm('h', d + 2)}"
                         f"{'' if last else ' + …'} = {fmt(J)} × {fmt(s.dh[d + 1])}{extra} = {fmt(bound)}")  # fmt: skip
    if T > 1 and np.isfinite(bp.reach[1]):
        bound = "" if bp.cell == "lstm" else f", at most the product of the {T - 1:,} ‖J<sub>t</sub>‖"
        lines.append(f"so {_norm('h', 1)} = {fmt(s.dh[-1])} × {fmt_log10(bp.reach[1])} = **{fmt(s.dh[0])}**: "
                     f"{_norm('h', T)} times what the {T - 1:,} steps back multiplied it by{bound}")  # fmt: skip
    dW = bp.grads.W_h
    if s.w_h is not None:
        lines.append("and each day's own part of the weights' gradient: ∂L/∂z<sub>t</sub> = act′(z<sub>t</sub>) ⊙ "
                     "∂L/∂h<sub>t</sub>, ∂L/∂W<sub>h</sub> = Σ<sub>t</sub> ∂L/∂z<sub>t</sub> "
                     "h<sub>t−1</sub><sup>T</sup>, "
                     f"day t's part of size ‖∂L/∂z<sub>t</sub>‖ ‖h<sub>t−1</sub>‖; in all ‖∂L/∂W<sub>h</sub>‖ = "
                     f"**{fmt(np.linalg.norm(dW))}**")  # fmt: skip
        with np.errstate(all="ignore"):
            parts = s.w_h
        if np.isfinite(parts).all() and parts.any():
            top = int(parts.argmax())
            lines.append(f"the biggest part is day {top + 1}'s ({fmt(parts[top])}); a day whose part is near 0 hardly "
                         "moves W<sub>h</sub>")  # fmt: skip
    else:
        rows = {"lstm": "i, f, g, o", "gru": "r, z, n"}[bp.cell]
        lines.append(f"and the weights' gradient sums every day's part: ‖∂L/∂W<sub>h</sub>‖ = "
                     f"**{fmt(np.linalg.norm(dW))}** (W<sub>h</sub> stacks the rows of {rows})")  # fmt: skip
    return lines


def _cell_path_lines(bp, days):
    """The LSTM's long-term memory one step back, unit 1's numbers a line: the cell path (× f) plus what ∂L/∂h adds."""
    s = bp.flow
    lines = ["one day back, the long-term memory: ∂L/∂C<sub>t−1</sub> = f<sub>t</sub> ⊙ ∂L/∂C<sub>t</sub> + "
             "∂L/∂h<sub>t−1</sub> ⊙ o<sub>t−1</sub>(1 − tanh² C<sub>t−1</sub>): the first term is the cell path, one "
             "multiplication by the forget gate f a step; ∂L/∂h<sub>t−1</sub> = W<sub>h</sub><sup>T</sup> "
             "∂L/∂z<sub>t</sub> (+ its own error) comes through the gates"]  # fmt: skip
    for d in days:
        f, dc, dh, into = s.forget[d + 1, 0], s.cells[d + 1, 0], s.units[d, 0], s.into_c[d, 0]
        with np.errstate(all="ignore"):
            exact = float(f) * float(dc) + float(dh) * float(into)
        unit = "<sup>1</sup>" if bp.params.n > 1 else ""
        lines.append(f"∂L/∂C{unit}<sub>{d + 1}</sub> = {fmt(f)} × {fmt_operand(dc)} + {fmt_operand(dh)} × "
                     f"{fmt_operand(into)} = {result(exact, s.cells[d, 0])}; {_norm('C', d + 1)} = {fmt(s.dc[d])}, "
                     f"{_norm('h', d + 1)} = {fmt(s.dh[d])}")  # fmt: skip
    if bp.row.days > 1:
        lines.append(f"along the cell path alone, from day {bp.row.days:,} back to day 1: "
                     f"f<sub>{bp.row.days}</sub> × … × f<sub>2</sub> = **{fmt_log10(s.path[1])}** "
                     "(the most open unit)")  # fmt: skip
    return lines
