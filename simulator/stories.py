"""Each scenario's story, told from the numbers of the run it sets up (the Train page's stories are its own)."""

import numpy as np

from . import bptt, layer, state, why
from .data import Row, chosen, parse_sequence
from .explain import fmt, fmt_log10, fmt_operand, fmt_weight, trend
from .gradients import backprop, cut_day, stuck_days
from .models.rnn import Params, forward


def build(preset):
    """(params, rows, gradient settings) of `preset`, as its page sets them up."""
    s = state.scenario_settings(preset)
    params = Params.scalar(**{w.name: s[w.name] for w in state.WEIGHTS}, activation=s[state.ACTIVATION.name])
    sequences = chosen(s[state.SEQUENCE.name], parse_sequence(s[state.TYPED.name]))
    rows = [Row(seq.label, seq.color, forward(params, seq.xs)) for seq in sequences]
    return params, rows, {g.name: s[g.name] for g in state.GRADIENTS}


def _blue_vs_red(params, rows, _):
    five = (params.w_x[0], params.W_h[0, 0], params.b[0], params.w_y[0], params.b_y)
    w = ", ".join(fmt_weight(v).strip("()") for v in five)
    lengths = " and ".join(f"the {row.label.lower()}'s {row.days} days" for row in rows)
    return (f"The same five weights ({w}) read {lengths}: the cell is copied once per day. Press Play and watch "
            "both memories update with the same w_x and w_h.")  # fmt: skip


def _two_days(params, rows, _):
    """A StatQuest case: yesterday's memory, today's mix of price and memory, the prediction."""
    tr = rows[0].trace
    w_x, w_h, w_y = (fmt_weight(v) for v in (params.w_x[0], params.W_h[0, 0], params.w_y[0]))
    (x1, x2), (h1, h2), z2, y = tr.xs, tr.h[:, 0], tr.z[1, 0], tr.y[-1]
    relu = " (ReLU turns a negative z into 0)" if z2 < 0 and params.activation == "relu" else ""
    return (
        f"Yesterday's price {fmt(x1)} leaves the memory h₁ = {fmt(h1)}. Today z₂ = {w_x} × {fmt_operand(x2)} + "
        f"{w_h} × {fmt_operand(h1)} = {fmt(z2)}, so h₂ = {fmt(h2)}{relu}, and the prediction is {w_y} × "
        f"{fmt_operand(h2)} = {fmt(y)}: **{trend(x2, y)}** from today's {fmt(x2)}."
    )


def _power(params, rows, settings, float32=False):
    """A long run of one price: the same factor every day back, and its product."""
    row = rows[0]
    bp = backprop(params, row, settings["target"], settings["loss"], precision="float64")
    factor, T, reach = bp.flow.factor[-1], row.days, bp.reach[0]
    fate = (
        "the gradient has vanished: day 1's price can barely move the prediction"
        if reach < -1
        else "the gradient has exploded: one step would throw the weights far away (try clipping)"
        if reach > 1
        else "the signal keeps its size"
    )
    if float32:
        return _float32(params, row, settings, bp)
    said = (f"Every day back multiplies the error signal by w_h·act′ = {fmt(factor)}, so after {T} days it has been "
            f"multiplied by {fmt(factor)}{_superscript(T)} = {fmt_log10(reach)}: {fate}.")  # fmt: skip
    if reach < np.log10(np.finfo(np.float32).smallest_subnormal):
        said += (
            " In float32 that power would be stored as exactly 0: the float32 scenario shows what the gradient does."
        )
    return said


def _float32(params, row, settings, exact):
    """float32's smallest numbers: the power is 0, the gradient worked out day by day is not."""
    bp = backprop(params, row, settings["target"], settings["loss"], precision="float32")
    T, factor = row.days, exact.flow.factor[-1]
    power = f"{fmt(factor)}{_superscript(T)} = {fmt_log10(exact.reach[0])}"
    if bptt.stored(exact.reach[0], np.float32) != 0:
        return f"In float32, {power} is still a number float32 can hold."
    said = f"As one number, {power} is below float32's smallest (1.4e−45), so it is stored as exactly 0."
    if stuck := stuck_days(bp.flow.dh):
        first, last = stuck
        said += (f" But the gradient is multiplied by {fmt(factor)} one day at a time, and from day {last} back to "
                 f"day {first} it sticks at {fmt(bp.flow.dh[first - 1])} (float64: {fmt(exact.flow.dh[first - 1])} on "
                 f"day {first}): rounding among float32's last few numbers, not a zero.")  # fmt: skip
    elif zeros := int((bp.flow.dh == 0).sum()):
        said += f" Worked out day by day, the gradient is exactly 0 on {zeros} days: they get no gradient at all."
    return said


def _superscript(n):
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _dead_relu(params, rows, settings):
    row = rows[0]
    bp = backprop(params, row, settings["target"], settings["loss"])
    d, tr = cut_day(bp), row.trace
    if d is None:
        return "No day's ReLU is off with these weights: the path back is not cut."
    w_x, w_h = fmt_weight(params.w_x[0]), fmt_weight(params.W_h[0, 0])
    h_prev = tr.h[d - 2, 0] if d > 1 else 0.0
    silent = [t + 1 for t in range(row.days) if bp.flow.dx[t] == 0]
    days = ", ".join(map(str, silent[:-1])) + f" and {silent[-1]}" if len(silent) > 1 else str(silent[0])
    return (
        f"On day {d} z = {w_x} × {fmt_operand(tr.xs[d - 1])} + {w_h} × {fmt_operand(h_prev)} = "
        f"{fmt(tr.z[d - 1, 0])} < 0, so ReLU outputs 0 and its slope is 0. Nothing flows back past day {d}: the "
        f"price{'s' if len(silent) > 1 else ''} of day{'s' if len(silent) > 1 else ''} {days} cannot change the "
        "prediction at all."
    )


TELLERS = {
    "blue-vs-red": _blue_vs_red,
    "statquest-low-low": _two_days,
    "statquest-low-medium": _two_days,
    "statquest-high-medium": _two_days,
    "statquest-high-high": _two_days,
    "seed-0.99": _power,
    "seed-0.9": _power,
    "seed-0.9-float32": lambda *a: _power(*a, float32=True),
    "seed-1.1": _power,
    "statquest-2": _power,
    "statquest-0.5": _power,
    "dead-relu": _dead_relu,
}


def story(preset):
    """What to notice in `preset`, from its own numbers (a Train scenario's story as written)."""
    if preset.page == "why":
        return why.story(preset)
    if preset.key in layer.TELLERS:
        return layer.story(preset)
    teller = TELLERS.get(preset.key)
    return teller(*build(preset)) if teller else preset.story
