"""Pure figure builders: traces in, `go.Figure` out. Tests inspect them without Streamlit.

The unrolled diagram animates in the browser with plotly frames; each frame restyles only the traces that
change (values, text, the highlight, the equation), and a long sequence is drawn one window of days at a time.
"""

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .explain import first_nonfinite, fmt, fmt_weight, step_equation, sub

WINDOW = 12  # days drawn in the unrolled diagram at once
SPEEDS = (("▶ Play", 700), ("▶ Slow", 1500), ("▶▶ Fast", 250))  # label, milliseconds per day
HW, HH = 0.28, 0.27  # half width and half height of a node tile, in data units
ROW_GAP = 4.3  # vertical distance between two sequences' diagrams
TIERS = (("x", "price"), ("h", "hidden state"), ("y", "prediction"))
NODE_SCALE = [[0, "#8c510a"], [0.5, "#f7f7f7"], [1, "#01665e"]]  # brown < 0 < teal, colour-blind safe
UNKNOWN, OVERFLOW, HIGHLIGHT = "#e9ecf1", "#2b2b2b", "#E69F00"
FONT = dict(family="Source Sans Pro, system-ui, sans-serif", size=13, color="#262730")
LIGHT = dict(template="none", paper_bgcolor="white", plot_bgcolor="white", font=FONT)


@dataclass(frozen=True)
class Row:
    """One sequence through the network: its label, colour and forward trace."""

    label: str
    color: str
    trace: object

    @property
    def days(self):
        return len(self.trace.y)


def window_of(step, days):
    """The days (0-based range) of the diagram window that holds day `step` (0-based)."""
    start = step // WINDOW * WINDOW
    return range(start, min(start + WINDOW, days))


def _edges(centers, half):
    return np.sort(np.concatenate([np.asarray(centers) - half, np.asarray(centers) + half]))


class _Grid:
    """Where each node tile sits: column i of the window, tier k (x, h, y) of row r."""

    def __init__(self, rows, days):
        self.rows, self.days = rows, days
        self.base = [-r * ROW_GAP for r in range(len(rows))]
        ys = sorted(b + k for b in self.base for k in range(3))
        self.x_edges, self.y_edges = _edges(range(len(days)), HW), _edges(ys, HH)
        self._ys = ys

    def cell(self, r, k, i):
        return self._ys.index(self.base[r] + k) * 2, i * 2

    def empty(self):
        return np.full((len(self.y_edges) - 1, len(self.x_edges) - 1), np.nan)

    def tiles(self):
        """(r, k, i, day) for every node that exists: a row has no tiles past its last day."""
        for r, row in enumerate(self.rows):
            for i, d in enumerate(self.days):
                if d < row.days:
                    for k in range(3):
                        yield r, k, i, d


def _value(row, k, d):
    tr = row.trace
    return tr.xs[d] if k == 0 else tr.h[d, 0] if k == 1 else tr.y[d]


def _frame_traces(grid, params, day, scale):
    """What changes with the current day, as [values, overflow tiles, tile text, highlight, equations]."""
    values, bad, text = grid.empty(), grid.empty(), []
    for r, k, i, d in grid.tiles():
        row = grid.rows[r]
        known = d <= min(day, row.days - 1)
        v = _value(row, k, d)
        if known and np.isfinite(v):
            values[grid.cell(r, k, i)] = v
        elif known:
            bad[grid.cell(r, k, i)] = 1
        strong = known and not abs(v) <= 0.6 * scale  # on a dark tile (or overflow): white text
        color = "white" if strong else FONT["color"] if known else "#9aa0a6"
        shown = fmt(v) if known or k == 0 else "?"
        text.append(f"<span style='color:{color}'>{sub(TIERS[k][0], d + 1)}<br><b>{shown}</b></span>")
    hx, hy, eqs = [], [], []
    for r, row in enumerate(grid.rows):
        b, last = grid.base[r], row.days - 1
        if day > last:
            eqs.append(
                f"<b>{row.label}</b> is done after {row.days} days:<br>"
                f"its prediction for day {row.days + 1} is <b>{fmt(row.trace.y[-1])}</b>"
            )
            continue
        i = grid.days.index(day)
        x0, x1, y0, y1 = i - HW - 0.1, i + HW + 0.1, b - HH - 0.1, b + 2 + HH + 0.1
        hx += [x0, x1, x1, x0, x0, None]
        hy += [y0, y0, y1, y1, y0, None]
        title = f"<b>{row.label}, day {day + 1}</b>" + (
            f" · y is the prediction for day {day + 2}" if day == last else ""
        )
        eqs.append("<br>".join([title, *step_equation(params, row.trace, day)]))
    return [
        dict(type="heatmap", z=values.astype(np.float32), zmin=-scale, zmax=scale),
        dict(type="heatmap", z=np.nan_to_num(bad).astype(np.uint8)),
        dict(type="scatter", text=text),
        dict(type="scatter", x=hx, y=hy),
        dict(type="scatter", text=eqs),
    ]


def _arrows(grid, params):
    """Static arrows and their weights: x -> h (×w_x), h -> y (×w_y), h_{t-1} -> h_t (×w_h)."""
    arrows, labels = [], []  # labels: (x, y, text, position)
    w_x, w_h, w_y = (fmt_weight(w) for w in (params.w_x[0], params.W_h[0, 0], params.w_y[0]))

    def arrow(x0, y0, x1, y1):
        arrows.append(
            dict(
                x=x1,
                y=y1,
                ax=x0,
                ay=y0,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                text="",
                showarrow=True,
                arrowhead=2,
                arrowwidth=1.4,
                arrowcolor="#6b7280",
            )
        )

    for r, row in enumerate(grid.rows):
        b = grid.base[r]
        for i, d in enumerate(grid.days):
            if d < row.days:
                arrow(i, b + HH, i, b + 1 - HH)
                arrow(i, b + 1 + HH, i, b + 2 - HH)
                arrow(i - 1 + HW if i else -0.9, b + 1, i - HW, b + 1)
                labels += [
                    (i + 0.04, b + 0.5, f"×{w_x}", "middle right"),
                    (i + 0.04, b + 1.5, f"×{w_y}", "middle right"),
                ]
                if i:
                    labels.append((i - 0.5, b + 1.02, f"×{w_h}", "top center"))
        d0 = grid.days[0]
        if d0 < row.days:  # the memory this window starts from, on the arrow into its first day
            h0 = fmt(row.trace.h[d0 - 1, 0]) if d0 else "0"
            labels.append((-0.93, b + 1.02, f"{sub('h', d0)} = {h0}", "top right"))
    x, y, text, position = zip(*labels, strict=True)
    return arrows, dict(
        type="scatter",
        x=x,
        y=y,
        text=text,
        textposition=position,
        mode="text",
        hoverinfo="skip",
        textfont=dict(size=11, color="#4b5563"),
        showlegend=False,
    )


def unrolled(params, rows, step):
    """The unrolled network (one set of weights) for each row, animated day by day within the window of `step`."""
    days = list(window_of(step, max(r.days for r in rows)))
    grid = _Grid(rows, days)
    magnitudes = [abs(_value(rows[r], k, d)) for r, k, i, d in grid.tiles()]
    scale = max([1.0, *(m for m in magnitudes if np.isfinite(m))])
    step = min(max(step, days[0]), days[-1])
    background = grid.empty()
    for r, k, i, _ in grid.tiles():
        background[grid.cell(r, k, i)] = 1
    arrows, weight_labels = _arrows(grid, params)
    tiles = dict(x=grid.x_edges, y=grid.y_edges, hoverinfo="skip", showscale=False)
    tile_x, tile_y = zip(*((i, grid.base[r] + k) for r, k, i, _ in grid.tiles()), strict=True)
    style = [  # what the frames never change
        dict(colorscale=NODE_SCALE, zmid=0, **tiles),
        dict(colorscale=[[0, "rgba(0,0,0,0)"], [1, OVERFLOW]], zmin=0, zmax=1, **tiles),
        dict(x=tile_x, y=tile_y, mode="text", textfont=dict(size=12), hoverinfo="skip", showlegend=False),
        dict(mode="lines", line=dict(color=HIGHLIGHT, width=3), hoverinfo="skip", showlegend=False),
        dict(x=[-0.95] * len(rows), y=[b + 2.38 for b in grid.base], mode="text", textposition="top right",
             textfont=dict(size=13), hoverinfo="skip", showlegend=False),
    ]  # fmt: skip
    background = dict(type="heatmap", z=background.astype(np.float32), colorscale=[[0, UNKNOWN], [1, UNKNOWN]], **tiles)
    current = _frame_traces(grid, params, step, scale)
    data = [background, *({**t, **s} for t, s in zip(current, style, strict=True)), weight_labels]
    animated = [1, 2, 3, 4, 5] if max(magnitudes) == np.inf or np.isnan(magnitudes).any() else [1, 3, 4, 5]
    frames = [dict(name=str(d + 1), data=_frame_traces(grid, params, d, scale), traces=animated) for d in days]
    for frame in frames:  # the overflow tiles are animated only when the window has some
        frame["data"] = [frame["data"][i - 1] for i in animated]
    names = [f["name"] for f in frames]

    def animate(frames, ms):
        return dict(
            method="animate",
            args=[frames, dict(mode="immediate", frame=dict(duration=ms, redraw=True), transition=dict(duration=0))],
        )

    buttons = [dict(label=label, **animate(names, ms)) for label, ms in SPEEDS]
    buttons.append(dict(label="❚❚ Pause", **animate([None], 0)))
    layout = dict(
        **LIGHT,
        height=120 + 350 * len(rows),
        margin=dict(l=8, r=8, t=8, b=8),
        annotations=arrows,
        showlegend=False,
        hovermode="closest",
        xaxis=dict(
            range=[-0.95, len(days) - 0.45],
            tickvals=list(range(len(days))),
            showgrid=False,
            ticktext=[f"day {d + 1}" for d in days],
            zeroline=False,
            fixedrange=True,
        ),
        yaxis=dict(
            range=[grid.base[-1] - 0.5, 3.4],
            tickvals=[b + k for b in grid.base for k in range(3)],
            ticktext=[sub(name, "t") for b in grid.base for name, _ in TIERS],
            showgrid=False,
            zeroline=False,
            fixedrange=True,
            automargin=True,
        ),
        updatemenus=[
            dict(
                type="buttons",
                direction="right",
                buttons=buttons,
                x=0,
                y=0,
                xanchor="left",
                yanchor="top",
                pad=dict(t=36, r=8),
                showactive=False,
            )
        ],
        sliders=[
            dict(
                active=days.index(step),
                currentvalue=dict(prefix="showing "),
                x=0,
                len=1,
                y=0,
                yanchor="top",
                pad=dict(t=80),
                steps=[dict(label=f"day {n}", **animate([n], 0)) for n in names],
            )
        ],
    )
    return go.Figure(data, layout, frames, _validate=False)  # built to spec here; tests validate it in full


def over_time(rows, step=None):
    """Price, hidden state and prediction (y_t drawn at day t+1) over every day; the diagram's window shaded."""
    data, shapes, notes = [], [], []
    for row in rows:
        tr, days = row.trace, np.arange(1, row.days + 1)
        line = dict(mode="lines+markers" if row.days <= 200 else "lines", legendgroup=row.label, type="scatter")
        finite = lambda a: np.where(np.isfinite(a), a, np.nan)  # noqa: E731  (plotly cannot draw inf)
        data += [
            dict(x=days, y=tr.xs, name=f"{row.label}: price x<sub>t</sub>", line=dict(color=row.color, width=2.5)),
            dict(x=days, y=finite(tr.h[:, 0]), name=f"{row.label}: hidden state h<sub>t</sub>",
                 line=dict(color=row.color, width=1.5, dash="dot")),
            dict(x=days + 1, y=finite(tr.y), name=f"{row.label}: prediction y<sub>t</sub>, drawn at day t+1",
                 line=dict(color=row.color, width=1.5, dash="dash"), opacity=0.75),
        ]  # fmt: skip
        data[-3:] = [{**line, **trace} for trace in data[-3:]]
        if np.isfinite(tr.y[-1]):
            data.append(dict(
                type="scatter", x=[row.days + 1], y=[tr.y[-1]], mode="markers+text", showlegend=False,
                text=[f"tomorrow: {fmt(tr.y[-1])}"], textposition="top center", legendgroup=row.label,
                marker=dict(color=row.color, size=12, symbol="star"),
            ))  # fmt: skip
        if bad := first_nonfinite(tr):
            shapes.append(dict(type="line", x0=bad, x1=bad, y0=0, y1=1, yref="paper",
                               line=dict(color=OVERFLOW, dash="dot")))  # fmt: skip
            notes.append(dict(x=bad, y=1, yref="paper", text=f"{row.label}: overflows float64 on day {bad}",
                              showarrow=False, xanchor="left", yanchor="bottom"))  # fmt: skip
    longest = max(r.days for r in rows)
    if step is not None and longest > WINDOW:
        w = window_of(step, longest)
        shapes.append(dict(type="rect", x0=w[0] + 0.5, x1=w[-1] + 1.5, y0=0, y1=1, yref="paper", line_width=0,
                           fillcolor=HIGHLIGHT, opacity=0.15, layer="below"))  # fmt: skip
        notes.append(dict(x=w[0] + 0.5, y=1, yref="paper", text="in the diagram", showarrow=False,
                          xanchor="left", yanchor="top"))  # fmt: skip
    layout = dict(
        **LIGHT, height=360, margin=dict(l=10, r=10, t=30, b=10), shapes=shapes, annotations=notes,
        xaxis=dict(title=dict(text="day"), showgrid=True, gridcolor="#eef0f3", zeroline=False),
        yaxis=dict(title=dict(text="value (0 = low, 1 = high)"), showgrid=True, gridcolor="#eef0f3", zeroline=False),
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), hovermode="x unified",
    )  # fmt: skip
    return go.Figure(data, layout, _validate=False)  # built to spec here; tests validate it in full
