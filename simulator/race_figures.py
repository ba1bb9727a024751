"""The race's chart: each cell's test error over the training steps, on a log axis, with the guess and the goal."""

import math

import numpy as np

from . import race, tasks
from .explain import fmt
from .figures import LIGHT, binary, figure

COLORS = {"rnn": "#D55E00", "lstm": "#0072B2", "gru": "#009E73"}  # Okabe-Ito: colour-blind safe
DASH = {"rnn": "solid", "lstm": "dash", "gru": "dot"}  # told apart without colour too


def _line(r):
    name = race.NAMES[r.cell]
    return dict(type="scatter", x=binary(np.array(r.steps, dtype=np.int64)), y=binary(np.array(r.tested)), name=name,
                mode="lines+markers", line=dict(color=COLORS[r.cell], dash=DASH[r.cell], width=2.5),
                marker=dict(size=5), hovertemplate=f"{name}: %{{y:.4f}} at step %{{x}}<extra></extra>")  # fmt: skip


def _axis(title, **more):
    """An axis with its title (plotly.js reads a title only as {text: ...}), its margin grown to fit."""
    return dict(title=dict(text=title), automargin=True, zeroline=False, **more)


def _decades(lo, hi, most=7):
    """A log axis from 10^lo to 10^hi (whole decades) ticked only at decades, at most `most` of them, each written as
    `fmt` writes numbers (1e−3, 0.01, 0.1, 1): no minor ticks whose "2" and "5" read as two and five."""
    powers = range(hi, lo - 1, -max(1, math.ceil((hi - lo + 1) / most)))
    pad = max(0.05, 0.03 * (hi - lo))  # a line at 1 drawn whole, not halved by the plot's edge
    return dict(type="log", range=[lo - pad, hi + pad], tickvals=[10.0**k for k in powers],
                ticktext=[fmt(10.0**k) for k in powers])  # fmt: skip


def _level(y, text, dash):
    """A horizontal line at y across the plot, named in the legend: a label at the line sat on the lines near it."""
    return dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=dict(color="#6b7280", width=1, dash=dash),
                name=text, showlegend=True)  # fmt: skip


def errors(runners):
    """Test MSE over the steps for each runner, the guess (1/6) and the goal (0.01) as level lines."""
    levels = [_level(tasks.CONSTANT_GUESS, "guessing 1 every time: 1/6", "dash"),
              _level(race.GOAL, f"remembers: below {fmt(race.GOAL)}", "dot")]  # fmt: skip
    layout = dict(
        **LIGHT,
        height=420,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=_axis("training step (batches of 32)", range=[0, race.STEPS]),
        yaxis=_axis("test error (MSE)", **_decades(-3, 0)),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        shapes=levels,
    )
    return figure([_line(r) for r in runners], layout)


def _span(lines):
    """The whole decades around every positive value of `lines` and 1 (the last day's)."""
    drawn = np.concatenate([*lines, [1.0]])
    drawn = drawn[np.isfinite(drawn) & (drawn > 0)]
    return math.floor(np.log10(drawn.min())), math.ceil(np.log10(drawn.max()))


def reach(runners, length, seed):
    """How much of the error at the answer reaches each day's memory, per cell, with its weights now (log axis)."""
    days = np.arange(1, length + 1)
    with np.errstate(divide="ignore"):
        lines = [race.reach(r, length, seed) for r in runners]
    data = []
    for r, y in zip(runners, lines, strict=True):
        name = race.NAMES[r.cell]
        data.append(dict(type="scatter", x=binary(days), y=binary(np.where(y > 0, y, np.nan)), name=name, mode="lines",
                         line=dict(color=COLORS[r.cell], dash=DASH[r.cell], width=2.5),
                         hovertemplate=f"{name}, day %{{x}}: %{{y:.2e}} of the error<extra></extra>"))  # fmt: skip
    layout = dict(
        **LIGHT,
        height=340,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=_axis("day (the answer comes after the last)", range=[0.5, length + 0.5]),
        yaxis=_axis("gradient reaching the day's memory", **_decades(*_span(lines), most=6)),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
    )
    return figure(data, layout)
