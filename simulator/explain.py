"""Words and equations with the real numbers in them, for figures and pages."""

import math
import re

import numpy as np

from .models.rnn import ACTIVATIONS

SIGNIFICANT = 3  # the digits every number on screen carries, so that the arithmetic shown checks out


def fmt(v, digits=SIGNIFICANT):
    """A value as a learner reads it, with `digits` significant digits and no trailing zeros: 0.45, −0.0122, 12.3,
    473, 1234, 6.1e−3, 1.23e5, ∞, NaN (with a true minus sign). The one rule for every number on screen."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if not v:
        return "0"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")  # the exponent after rounding: 9.996 -> 1.00e1
    exponent = int(exponent)
    if -2 <= exponent < 4:
        s = f"{v:.{max(0, digits - 1 - exponent)}f}"
    else:
        s = f"{mantissa.rstrip('0').rstrip('.') if '.' in mantissa else mantissa}e{exponent}"
    if "." in s and "e" not in s:
        s = s.rstrip("0").rstrip(".")
    return s.replace("-", "−")


def fmt_log10(log10_value, digits=SIGNIFICANT):
    """10^log10_value as `fmt` writes it, for any exponent (10^413.93 -> 8.45e413); 0 for −∞."""
    if math.isinf(log10_value) or math.isnan(log10_value):
        return "0" if log10_value == -math.inf else fmt(log10_value)
    if -300 < log10_value < 300:
        return fmt(10.0**log10_value, digits)
    exponent = math.floor(log10_value)
    mantissa = round(10 ** (log10_value - exponent), digits - 1)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{fmt(mantissa, digits)}e{exponent}".replace("-", "−")


def fmt_operand(v):
    """`fmt(v)` as an operand inside an equation: in parentheses when negative, (−0.0122)."""
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


def result(exact, stored):
    """An equation's result in bold: `stored`, or, when float32 rounded it visibly, 'exact → stored in float32'
    (`exact`: the same arithmetic in float64)."""
    if not isinstance(stored, np.float32) or fmt(exact) == fmt(stored):
        return f"<b>{fmt(stored)}</b>"
    return f"{fmt(exact)} → <b>{fmt(stored)}</b> in float32"


def fmt_weight(w):
    """A weight as typed: 1.8, −0.5, 0.995, in parentheses when negative."""
    s = f"{float(w):.4g}".replace("-", "−")
    return f"({s})" if s.startswith("−") else s


def sub(name, t):
    """name_t in plotly's HTML subset."""
    return f"{name}<sub>{t}</sub>"


def subscripts(text):
    """Plain-text subscripts as HTML ones: 'h_{t−1}' and 'w_x' -> 'h<sub>t−1</sub>', 'w<sub>x</sub>'."""
    text = re.sub(r"(?<=[A-Za-z])_\{([^}]*)\}", r"<sub>\1</sub>", text)
    return re.sub(r"(?<=[A-Za-z])_([A-Za-z0-9])(?![A-Za-z0-9])", r"<sub>\1</sub>", text)


def step_equation(params, trace, t):
    """Lines for day t (0-based) of a one-unit RNN: h_t symbolic, h_t with the numbers, then y_t."""
    act = ACTIVATIONS[params.activation].symbol
    w_x, w_h, b = params.w_x[0], params.W_h[0, 0], params.b[0]
    w_y, b_y = params.w_y[0], params.b_y
    day, z, h, y = t + 1, trace.z[t, 0], trace.h[t, 0], trace.y[t]
    h_prev = trace.h[t - 1, 0] if t else 0.0
    wrap = (lambda s: f"{act}({s})") if act else (lambda s: s)
    symbolic = wrap(f"{sub('w', 'x')}·{sub('x', day)} + {sub('w', 'h')}·{sub('h', day - 1)} + b")
    numbers = wrap(
        f"{fmt_weight(w_x)}×{fmt_operand(trace.xs[t])} + {fmt_weight(w_h)}×{fmt_operand(h_prev)} + {fmt_weight(b)}"
    )
    if act and fmt(z) != fmt(h):
        numbers += f" = {wrap(fmt(z))}"
    return [
        f"{sub('h', day)} = {symbolic}",
        f"{sub('h', day)} = {numbers} = <b>{fmt(h)}</b>",
        f"{sub('y', day)} = {sub('w', 'y')}·{sub('h', day)} + {sub('b', 'y')} = "
        f"{fmt_weight(w_y)}×{fmt_operand(h)} + {fmt_weight(b_y)} = <b>{fmt(y)}</b>",
    ]


def trend(last_price, prediction, tolerance=0.05):
    """'up', 'down' or 'about the same' (within tolerance), or 'unknown' when the prediction overflowed."""
    if not math.isfinite(prediction):
        return "unknown: the prediction overflowed"
    if abs(prediction - last_price) <= tolerance:
        return "about the same"
    return "up" if prediction > last_price else "down"


def days(n):
    """'1 day', '9 days', '1,000 days'."""
    return f"{n:,} day" + ("" if n == 1 else "s")


def prediction_sentence(label, trace, network="RNN"):
    """'Blue company: after 9 days the RNN predicts 1.36 for day 10: up (day 9 was 1).'"""
    T, y, last = len(trace.y), trace.y[-1], trace.xs[-1]
    return (
        f"{label}: after {days(T)} the {network} predicts **{fmt(y, 3)}** for day {T + 1}: "
        f"**{trend(last, y)}** (day {T} was {fmt(last)})."
    )


def first_nonfinite(trace):
    """The first day (1-based) on which h or y is inf or NaN, or None."""
    bad = ~(np.isfinite(trace.y) & np.isfinite(trace.h).all(axis=1))
    return int(bad.argmax()) + 1 if bad.any() else None


def reading(rows):
    """'read 9 days of the blue company and 5 of the red' / 'read your 10 prices': what the rows on screen are."""
    if len(rows) == 1:
        return f"read the {days(rows[0].days)} of {rows[0].label.lower()}"
    first, *rest = rows
    return f"read {days(first.days)} of the {first.label.lower()} and " + " and ".join(
        f"{row.days:,} of the {row.label.lower()}" for row in rest
    )


def memory(w_h):
    """What yesterday's memory does to today, by the sign of w_h: 'With w_h = −0.5, a high yesterday pulls today
    *down*.'"""
    if w_h == 0:
        return "With w_h = 0, yesterday is forgotten: each day's h depends on its own price only."
    way = "pulls today *down*" if w_h < 0 else "pushes today *up*"
    return f"With w_h = {fmt_weight(w_h).strip('()')}, a high yesterday {way}."


def weights_used(params):
    """'five numbers, w_x, w_h, b, w_y and b_y' for one simple RNN unit, else how many weights the cell has."""
    if getattr(params, "activation", None) and params.n == 1:
        return "five numbers, w_x, w_h, b, w_y and b_y"
    count = sum(np.size(getattr(params, name)) for name in params.NAMES)
    return f"{count:,} weights ({', '.join(params.NAMES)})"


def forward_explodes(trace):
    """'|h| grows 1.5 times a day, from 0.45 on day 1 to 55.5 on day 9, and the prediction is 61.1, for prices between
    0.25 and 1', when h still grows by 5% a day or more over the last days and the prediction is more than 10 times
    the biggest price (and at least 10), else None (overflow is said elsewhere). With n units, |h| is the largest
    unit's."""
    y, xs, h = trace.y[-1], trace.xs, np.abs(trace.h).max(axis=1)
    which = "|h|" if trace.h.shape[1] == 1 else "the largest |h| of its units"
    k = min(len(h) - 1, 10)
    if not np.isfinite(y) or abs(y) <= 10 * max(1.0, float(np.abs(xs).max())) or not k or not h[-1 - k]:
        return None
    rate = (h[-1] / h[-1 - k]) ** (1 / k)
    if rate < 1.05:
        return None
    prices = (
        f"prices between {fmt(xs.min())} and {fmt(xs.max())}" if xs.min() != xs.max() else f"a price of {fmt(xs[0])}"
    )
    return (f"{which} grows about {fmt(rate)} times a day over the last {k} days, from {fmt(h[0])} on day 1 to "
            f"{fmt(h[-1])} on day {len(h):,}, and "
            f"the prediction is **{fmt(y)}**, for {prices}")  # fmt: skip


def network_note(cell, units, weights_at="in the sidebar", network_at="in the sidebar"):
    """Which network the Gradients page shows: the sidebar's, the same one the Unroll page shows; `weights_at` and
    `network_at` say where the weights and the network are set (presenting: not in the sidebar)."""
    said = f"This page shows StatQuest's kind of network: one simple RNN unit, with the weights {weights_at}."
    if cell == "rnn" and units == 1:
        return said
    name = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}[cell]
    plural = "s" if units > 1 else ""
    return (f"This page shows the network set {network_at}, the one the Unroll page runs forward: the {name} with "
            f"{units} unit{plural}.")  # fmt: skip
