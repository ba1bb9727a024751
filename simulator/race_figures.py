"""The race's chart: each cell's test error over the training steps, on a log axis, with the guess and the goal."""

import numpy as np

from . import race, tasks
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


def _level(y, text, dash):
    """A horizontal line at y across the plot, labelled at its right end."""
    shape = dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=dict(color="#6b7280", width=1, dash=dash))
    note = dict(xref="paper", x=1, y=np.log10(y), xanchor="right", yanchor="bottom", text=text, showarrow=False,
                font=dict(size=12, color="#4b5563"))  # fmt: skip
    return shape, note


def errors(runners):
    """Test MSE over the steps for each runner, the guess (1/6) and the goal (0.01) as level lines."""
    levels = [_level(tasks.CONSTANT_GUESS, "guessing 1 every time: 1/6", "dash"),
              _level(race.GOAL, f"remembers: below {race.GOAL}", "dot")]  # fmt: skip
    layout = dict(
        **LIGHT,
        height=420,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=_axis("training step (batches of 32)", range=[0, race.STEPS]),
        yaxis=_axis("test error (MSE)", type="log", range=[-3, 0]),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        shapes=[shape for shape, _ in levels],
        annotations=[note for _, note in levels],
    )
    return figure([_line(r) for r in runners], layout)


def reach(runners, length, seed):
    """How much of the error at the answer reaches each day's memory, per cell, with its weights now (log axis)."""
    days = np.arange(1, length + 1)
    data = []
    for r in runners:
        name = race.NAMES[r.cell]
        with np.errstate(divide="ignore"):
            y = race.reach(r, length, seed)
        data.append(dict(type="scatter", x=binary(days), y=binary(np.where(y > 0, y, np.nan)), name=name, mode="lines",
                         line=dict(color=COLORS[r.cell], dash=DASH[r.cell], width=2.5),
                         hovertemplate=f"{name}, day %{{x}}: %{{y:.2e}} of the error<extra></extra>"))  # fmt: skip
    layout = dict(
        **LIGHT,
        height=340,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=_axis("day (the answer comes after the last)", range=[0.5, length + 0.5]),
        yaxis=_axis("gradient reaching the day's memory", type="log", exponentformat="power"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
    )
    return figure(data, layout)
