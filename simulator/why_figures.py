"""The Why LSTM page's charts, from `why.Reading`s: how far the gradient reaches back through each cell on one axis of
powers of ten, and the memories and gates of the three cells over the same days; and each chart's numbers as a table."""

import math

import numpy as np

from . import why
from .explain import fmt, fmt_log10
from .figures import LIGHT, binary, figure
from .gradient_figures import power_of_ten
from .race_figures import COLORS, DASH
from .tables import every, sampled

GRID = "#e5e7eb"
STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500)  # decades between two ticks


def _axis(title, **more):
    return dict(title=dict(text=title), automargin=True, zeroline=False, showgrid=True, gridcolor=GRID, **more)


def _finite(a):
    """-inf (a cut path) as a gap, not a line to the bottom of the chart."""
    return np.where(np.isfinite(a), a, np.nan)


def _decades(lines):
    """An axis over log10 values with 10^k tick labels, from every finite value drawn."""
    values = np.concatenate([a[np.isfinite(a)] for a in lines] + [np.zeros(1)])
    lo, hi = math.floor(values.min()), math.ceil(values.max())
    step = next((s for s in STEPS if (hi - lo) / s <= 8), STEPS[-1])
    ticks = list(range(math.floor(lo / step) * step, math.ceil(hi / step) * step + 1, step))
    pad = 0.04 * max(hi - lo, 1)
    return dict(tickvals=ticks, ticktext=[power_of_ten(k) for k in ticks], range=[lo - pad, hi + pad])


def _lines(readings):
    """(label, cell, log10 values, dash) of every line in `gradients`."""
    out = []
    for r in readings:
        out.append((f"{r.name}: in all", r.cell, r.reach, DASH[r.cell]))
        if r.cell_path is not None:
            out.append((f"{r.name}: cell path alone (× f each day)", r.cell, r.cell_path, "dashdot"))
    return out


def gradients(readings):
    """log10 of what one unit of gradient at day T's memory is multiplied by on its way back to each day's memory,
    for each cell, and the LSTM's cell path alone; day 0 is the memory before day 1."""
    days = np.arange(readings[0].days + 1)
    lines = _lines(readings)
    data = []
    for label, cell, y, dash in lines:
        data.append(dict(type="scatter", x=binary(days), y=binary(_finite(y)), name=label, mode="lines",
                         line=dict(color=COLORS[cell], dash=dash, width=2.5 if "all" in label else 1.8),
                         hovertemplate=f"{label}, day %{{x}}: 10^%{{y:.1f}}<extra></extra>"))  # fmt: skip
    cuts = [(r, why.cut_day(r)) for r in readings if why.cut_day(r) is not None]
    layout = dict(
        **LIGHT,
        height=380,
        shapes=[
            dict(
                type="line",
                x0=day,
                x1=day,
                yref="paper",
                y0=0,
                y1=1,
                line=dict(color=COLORS[r.cell], width=1, dash="dot"),
            )
            for r, day in cuts
        ],
        annotations=[
            dict(
                x=day,
                yref="paper",
                y=0.02,
                xanchor="right",
                yanchor="bottom",
                showarrow=False,
                text=f"{r.name}: cut on day {day}",
                font=dict(size=12, color=COLORS[r.cell]),
            )
            for r, day in cuts
        ],
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=_axis("day (0: the memory before day 1)", range=[0, int(days[-1])]),
        yaxis=_axis("gradient reaching the day", **_decades([y for _, _, y, _ in lines])),
        legend=dict(orientation="h", y=-0.22, yanchor="top", x=0),
    )
    return figure(data, layout)


ROWS = 101  # at most this many days in a chart's table of numbers


def numbers(readings):
    """{column: [text]} of `gradients`: every day (every k-th for long readings, k = T / 100) and each line's value."""
    T = readings[0].days
    days = np.arange(0, T + 1, max(1, math.ceil(T / (ROWS - 1))))
    table = {"day": [str(d) for d in days]}
    for label, _, y, _ in _lines(readings):
        table[label] = [fmt_log10(v) for v in y[days]]
    return table


def _mean(a):
    """The mean over the units (and only the unit, when there is one), per day."""
    return a.reshape(a.shape[0], -1).mean(axis=1)


GATE_LINES = (  # cell, trace field, label, dash
    ("lstm", "f", "LSTM forget gate f", "solid"),
    ("lstm", "i", "LSTM input gate i", "dot"),
    ("lstm", "o", "LSTM output gate o", "dash"),
    ("gru", "z", "GRU update gate z (old memory kept)", "solid"),
    ("gru", "r", "GRU reset gate r", "dot"),
)


def _cell_lines(readings):
    """(name, cell, values per day, dash, axis) of every line in `cells`: the memories on axis "", the gates on "2"."""
    by = {r.cell: r for r in readings}
    out = [(f"{r.name} h", r.cell, _mean(r.trace.h), DASH[r.cell], "") for r in readings]
    out.append(("LSTM c (long-term)", "lstm", _mean(by["lstm"].trace.c), "longdash", ""))
    out += [(label, cell, _mean(getattr(by[cell].trace, field)), dash, "2") for cell, field, label, dash in GATE_LINES]
    return out


def cells(readings):
    """Two panels over the same days: each cell's memory h (and the LSTM's long-term memory c), and the gates
    (mean over the units when there are several)."""
    days = np.arange(1, readings[0].days + 1)
    n = readings[0].trace.h.shape[-1]
    many = f" (mean of {n} units)" if n > 1 else ""
    data = [
        dict(type="scatter", x=binary(days), y=binary(y), name=name, mode="lines", xaxis=f"x{axis}",
             yaxis=f"y{axis}", line=dict(color=COLORS[cell], dash=dash, width=2),
             hovertemplate=f"{name}, day %{{x}}: %{{y:.3f}}<extra></extra>")
        for name, cell, y, dash, axis in _cell_lines(readings)
    ]  # fmt: skip
    span = [0.5, int(days[-1]) + 0.5]
    layout = dict(
        **LIGHT,
        height=520,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=_axis("", range=span, anchor="y", showticklabels=False),
        yaxis=_axis(f"memory{many}", domain=[0.56, 1.0]),
        xaxis2=_axis("day", range=span, anchor="y2", matches="x"),
        yaxis2=_axis(f"gate{many}", domain=[0.0, 0.44], range=[0, 1.02]),
        legend=dict(orientation="h", y=-0.14, yanchor="top", x=0),
    )
    return figure(data, layout)


def cells_numbers(readings):
    """{column: [text]} of `cells`: every day (every k-th for long readings, as `numbers`) and each line's value."""
    days = sampled(readings[0].days, ROWS, first=1)
    n = readings[0].trace.h.shape[-1]
    table = {every("day", days) + (f" (means of {n} units)" if n > 1 else ""): [str(d) for d in days]}
    return table | {name: [fmt(v) for v in y[np.array(days) - 1]] for name, _, y, _, _ in _cell_lines(readings)}
