"""The Unroll page's chart: price, hidden state and prediction over every day."""

import numpy as np

from .diagram import WINDOW
from .explain import first_nonfinite, fmt
from .figures import HIGHLIGHT, LIGHT, OVERFLOW, binary, figure, window_of


def over_time(rows, step=None):
    """Price, hidden state and prediction (y_t drawn at day t+1) over every day; the diagram's window shaded."""
    data, shapes, notes, stars = [], [], [], []
    for row in rows:
        tr, days = row.trace, np.arange(1, row.days + 1)
        x, tomorrow = binary(days), binary(days + 1)
        line = dict(mode="lines+markers" if row.days <= 200 else "lines", legendgroup=row.label, type="scatter")
        finite = lambda a: np.where(np.isfinite(a), a, np.nan)  # noqa: E731  (plotly cannot draw inf)
        unit = f" (unit 1 of {tr.h.shape[1]})" if tr.h.shape[1] > 1 else ""
        data += [
            dict(x=x, y=binary(tr.xs), name=f"{row.label}: price x<sub>t</sub>", line=dict(color=row.color, width=2.5)),
            dict(x=x, y=binary(finite(tr.h[:, 0])), name=f"{row.label}: hidden state h<sub>t</sub>{unit}",
                 line=dict(color=row.color, width=1.5, dash="dot")),
            dict(x=tomorrow, y=binary(finite(tr.y)), name=f"{row.label}: prediction y<sub>t</sub>, drawn at day t+1",
                 line=dict(color=row.color, width=1.5, dash="dash"), opacity=0.75),
        ]  # fmt: skip
        data[-3:] = [{**line, **trace} for trace in data[-3:]]
        if np.isfinite(tr.y[-1]):
            data.append(dict(
                type="scatter", x=[row.days + 1], y=[tr.y[-1]], mode="markers", showlegend=False,
                legendgroup=row.label, marker=dict(color=row.color, size=12, symbol="star"),
                hovertemplate=f"{row.label}: tomorrow {fmt(tr.y[-1])}<extra></extra>",
            ))  # fmt: skip
            stars.append(f"<span style='color:{row.color}'>★</span> {fmt(tr.y[-1])}")  # short: it fits a phone
        if bad := first_nonfinite(tr):
            shapes.append(dict(type="line", x0=bad, x1=bad, y0=0, y1=1, yref="paper",
                               line=dict(color=OVERFLOW, dash="dot")))  # fmt: skip
            notes.append(dict(x=bad, y=1, yref="paper", text=f"{row.label}: overflows float64 on day {bad}",
                              showarrow=False, xanchor="left", yanchor="bottom"))  # fmt: skip
    if stars:  # above the plot, where no line runs: the predictions for tomorrow (the stars)
        notes.append(dict(x=1, y=1, xref="paper", yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                          text="tomorrow: " + "  ".join(stars)))  # fmt: skip
    longest = max(r.days for r in rows)
    if step is not None and longest > WINDOW:
        w = window_of(step, longest)
        shapes.append(dict(type="rect", x0=w[0] + 0.5, x1=w[-1] + 1.5, y0=0, y1=1, yref="paper", line_width=0,
                           fillcolor=HIGHLIGHT, opacity=0.15, layer="below"))  # fmt: skip
        notes.append(dict(x=w[0] + 0.5, y=1, yref="paper", text="in the diagram", showarrow=False,
                          xanchor="left", yanchor="top"))  # fmt: skip
    prices = np.concatenate([r.trace.xs for r in rows])
    scale = "value (0 = low, 1 = high)" if prices.min() >= 0 and prices.max() <= 1 else "value"
    layout = dict(
        **LIGHT, height=360, margin=dict(l=10, r=10, t=30, b=10), shapes=shapes, annotations=notes,
        xaxis=dict(title=dict(text="day"), showgrid=True, gridcolor="#eef0f3", zeroline=False, automargin=True,
                   **(dict(dtick=1) if longest < 10 else {})),  # whole days: no tick at day 1.5
        yaxis=dict(title=dict(text=scale), showgrid=True, gridcolor="#eef0f3", zeroline=False, automargin=True),
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), hovermode="x unified",
    )  # fmt: skip
    return figure(data, layout)
