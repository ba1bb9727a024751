"""Words and equations with the real numbers in them, for figures and pages."""

import math

import numpy as np

from .models.rnn import ACTIVATIONS


def fmt(v, digits=2):
    """A value as a learner reads it: 0.45, 12.3, 473, 1.2e5, −3.0e−7, ∞, NaN (with a true minus sign)."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v and not 10**-digits <= abs(v) < 1e4:
        mantissa, exponent = f"{v:.1e}".split("e")
        s = f"{mantissa}e{int(exponent)}"
    else:  # at most 4 significant digits beyond 10: 12.3, 473
        s = f"{v:.{max(0, digits - int(math.log10(max(abs(v), 1.0))))}f}"
    return s.replace("-", "−")


def fmt_weight(w):
    """A weight as typed: 1.8, −0.5, 0.995, in parentheses when negative."""
    s = f"{float(w):.4g}".replace("-", "−")
    return f"({s})" if s.startswith("−") else s


def sub(name, t):
    """name_t in plotly's HTML subset."""
    return f"{name}<sub>{t}</sub>"


def step_equation(params, trace, t):
    """Lines for day t (0-based) of a one-unit RNN: h_t symbolic, h_t with the numbers, then y_t."""
    act = ACTIVATIONS[params.activation].symbol
    w_x, w_h, b = params.w_x[0], params.W_h[0, 0], params.b[0]
    w_y, b_y = params.w_y[0], params.b_y
    day, z, h, y = t + 1, trace.z[t, 0], trace.h[t, 0], trace.y[t]
    h_prev = trace.h[t - 1, 0] if t else 0.0
    wrap = (lambda s: f"{act}({s})") if act else (lambda s: s)
    symbolic = wrap(f"{sub('w', 'x')}·{sub('x', day)} + {sub('w', 'h')}·{sub('h', day - 1)} + b")
    numbers = wrap(f"{fmt_weight(w_x)}×{fmt(trace.xs[t])} + {fmt_weight(w_h)}×{fmt(h_prev)} + {fmt_weight(b)}")
    if act and fmt(z) != fmt(h):
        numbers += f" = {wrap(fmt(z))}"
    return [
        f"{sub('h', day)} = {symbolic}",
        f"{sub('h', day)} = {numbers} = <b>{fmt(h)}</b>",
        f"{sub('y', day)} = {sub('w', 'y')}·{sub('h', day)} + {sub('b', 'y')} = "
        f"{fmt_weight(w_y)}×{fmt(h)} + {fmt_weight(b_y)} = <b>{fmt(y)}</b>",
    ]


def trend(last_price, prediction, tolerance=0.05):
    """'up', 'down' or 'about the same' (within tolerance), or 'unknown' when the prediction overflowed."""
    if not math.isfinite(prediction):
        return "unknown: the prediction overflowed"
    if abs(prediction - last_price) <= tolerance:
        return "about the same"
    return "up" if prediction > last_price else "down"


def prediction_sentence(label, trace):
    """'Blue company: predicts 1.36 for day 10, up from 1.00 on day 9.'"""
    T, y, last = len(trace.y), trace.y[-1], trace.xs[-1]
    return (
        f"{label}: after {T} days the RNN predicts **{fmt(y, 3)}** for day {T + 1}: "
        f"**{trend(last, y)}** (day {T} was {fmt(last)})."
    )


def first_nonfinite(trace):
    """The first day (1-based) on which h or y is inf or NaN, or None."""
    bad = ~(np.isfinite(trace.y) & np.isfinite(trace.h).all(axis=1))
    return int(bad.argmax()) + 1 if bad.any() else None
