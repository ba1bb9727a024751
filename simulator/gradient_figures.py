"""Figures for the Gradients page: backpropagation through time, day by day, for the one-unit network.

Magnitudes are drawn as their log10 on a linear axis whose ticks read as powers of ten, so 1.1^10000 = 10^413.9
plots as easily as 0.9^1000. Exact zeros (a dead ReLU, a cut path) and overflow (∞, NaN) are not numbers to draw:
they sit as markers on the bottom and top edge of the axis, and the hover says which.
"""

import math

import numpy as np

from .bptt import Flow, angle
from .explain import fmt, fmt_weight, sub
from .figures import HIGHLIGHT, LIGHT, binary, figure
from .gradients import part_norms

GRID = "#eef0f3"
MARKERS_UP_TO = 200  # days up to which a line carries a marker on every day
MAX_TICKS = 8
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
ZERO, OVERFLOW = "exactly 0", "overflow (∞/NaN)"
SERIES = (  # Flow field, legend text, hover symbol, dash, marker
    ("dh", "error reaching day t's memory, ∂L/∂h<sub>t</sub>", "∂L/∂h<sub>t</sub>", "solid", "circle"),
    ("dx", "how much day t's price moves the error, ∂L/∂x<sub>t</sub>", "∂L/∂x<sub>t</sub>", "dot", "square"),
    ("w_h", "day t's part of w<sub>h</sub>'s gradient", "day t's part of ∂L/∂w<sub>h</sub>", "dashdot", "diamond"),
)
REACH = "the daily factors multiplied from the end back to day t"
RAW, CLIPPED = "#999999", "#0072B2"  # grey and blue, colour-blind safe
KEY = "#4b5563"  # the legend's lines: the kind of line, whatever the row


def power_of_ten(k):
    """The tick label for 10^k: '1', '10', '10⁴¹', '10⁻⁴⁶'."""
    k = int(k)
    return "1" if k == 0 else "10" if k == 1 else "10" + str(k).translate(SUPERSCRIPT)


def _log10_abs(values):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.log10(np.abs(np.asarray(values, dtype=np.float64)))


def _tick_step(lo, hi):
    """The smallest of 1, 2, 5, 10, 20, 50, ... decades that spans [lo, hi] in at most MAX_TICKS - 1 steps."""
    for exponent in range(0, 308):
        for m in (1, 2, 5):
            step = m * 10**exponent
            if math.ceil(hi / step) - math.floor(lo / step) <= MAX_TICKS - 1:
                return step
    return 10**308


def _power_axis(logs, title):
    """A linear axis over log10 values with power-of-ten tick labels; returns it with its bottom and top edges."""
    finite = [a[np.isfinite(a)] for a in logs]
    lo = min((float(a.min()) for a in finite if a.size), default=-1.0)
    hi = max((float(a.max()) for a in finite if a.size), default=1.0)
    step = _tick_step(lo, hi)
    first, last = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if first == last:
        first, last = first - step, last + step
    ticks = list(range(first, last + 1, step))
    pad = 0.05 * (last - first)  # the edge markers sit at ±pad, just inside the range
    axis = dict(
        title=dict(text=title),
        range=[first - 1.4 * pad, last + 1.4 * pad],
        tickvals=ticks,
        ticktext=[power_of_ten(k) for k in ticks],
        showgrid=True,
        gridcolor=GRID,
        zeroline=False,
        automargin=True,
    )
    return axis, first - pad, last + pad


def _finite_span(logs, x0, dx, *columns):
    """x0 of the first finite point and the logs (NaN where not finite), then each column, cut to the finite span:
    the days outside draw nothing, so they are not sent (the edge markers show them); at least one point is."""
    finite = np.flatnonzero(np.isfinite(logs))
    start, stop = (finite[0], finite[-1] + 1) if finite.size else (0, 1)  # one NaN keeps the legend entry
    y = np.where(np.isfinite(logs[start:stop]), logs[start:stop], np.nan)
    return x0 + dx * int(start), y, *(c[start:stop] for c in columns)


def _positions(x0, dx, where):
    """The x of each flagged point, as the smallest integer type that holds them."""
    x = x0 + dx * np.flatnonzero(where)
    return x.astype(np.uint16 if x.size and x.min() >= 0 and x.max() < 2**16 else np.int64)


def _edge_markers(logs, x0, dx, edges, style, hover, group, zero_text=ZERO):
    """Markers on the bottom edge for exact zeros (log10 = -inf) and on the top edge for ∞/NaN; none when none."""
    bottom, top = edges
    traces = []
    for where, y, text in ((logs == -np.inf, bottom, zero_text), (np.isnan(logs) | (logs == np.inf), top, OVERFLOW)):
        if where.any():
            x = _positions(x0, dx, where)
            traces.append(
                dict(
                    type="scatter",
                    x=binary(x),
                    y=binary(
                        np.full(x.size, y, dtype=np.float32)
                    ),  # plotly reads dy=0 as dy=1: the edge needs an array
                    mode="markers",
                    marker=dict(size=8 if x.size <= MARKERS_UP_TO else 4, **style),
                    cliponaxis=False,
                    legendgroup=group,
                    showlegend=False,
                    name=text,
                    hovertemplate=f"{hover}: {text}<extra></extra>",
                )
            )
    return traces


def _edge_notes(flags):
    """One line above the plot saying what the edge markers mean, when there are any."""
    kinds = {t["name"] == OVERFLOW for t in flags}
    words = [f"on the {edge} edge: {text}" for edge, text, kind in (("top", OVERFLOW, True), ("bottom", ZERO, False))
             if kind in kinds]  # fmt: skip
    note = dict(text="markers " + " · ".join(words), x=1, y=1, xref="paper", yref="paper", xanchor="right",
                yanchor="bottom", yshift=8, showarrow=False, font=dict(size=11, color="#4b5563"))  # fmt: skip
    return [note] if words else []


def _reach_hover(reach):
    """(mantissa, exponent) of 10^reach as float32 columns, so the hover reads 2.470e413 beyond float64."""
    finite = np.isfinite(reach)
    exponent = np.floor(np.where(finite, reach, 0.0))
    mantissa = np.round(10.0 ** (np.where(finite, reach, 0.0) - exponent), 3)
    carry = mantissa >= 10.0  # 9.9996 rounds to 10.000: read it as 1.000 of the next decade
    mantissa[carry], exponent[carry] = 1.0, exponent[carry] + 1
    return np.stack((mantissa, exponent), axis=1).astype(np.float32)


def _day_ticks(rows):
    """A tick on every day for short sequences (plotly would otherwise label half days)."""
    return dict(dtick=1) if max(r.days for r in rows) <= 15 else {}


def _layout(yaxis, xaxis, notes, height=460):
    return dict(
        **LIGHT,
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(showgrid=True, gridcolor=GRID, zeroline=False, automargin=True, **xaxis),
        yaxis=yaxis,
        annotations=notes,
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0),
        hovermode="x unified",
    )


SIZES = (  # the lines of n units or a gated cell: Sizes field, legend text, hover symbol, dash, marker
    ("dh", "size of the error reaching day t's memory, ‖∂L/∂h<sub>t</sub>‖", "‖∂L/∂h<sub>t</sub>‖", "solid", "circle"),
    ("dc", "size of the error reaching day t's long-term memory, ‖∂L/∂C<sub>t</sub>‖", "‖∂L/∂C<sub>t</sub>‖",
     "longdash", "triangle-up"),
    ("dx", "how much day t's price moves the error, ∂L/∂x<sub>t</sub>", "∂L/∂x<sub>t</sub>", "dot", "square"),
    ("w_h", "size of day t's part of W<sub>h</sub>'s gradient", "size of day t's part of ∂L/∂W<sub>h</sub>", "dashdot",
     "diamond"),
)  # fmt: skip
PATH = "the cell path alone: the forget gates f multiplied from the end back to day t"


def magnitudes(rows, flows, reaches, window=None):
    """Per day, on one log10 axis: |dL/dh_t|, |dL/dx_t|, day t's part of dL/dw_h, and the product of the factors
    back to day t, |dh_T/dh_t| (dashed, from day 0 = h_0); zeros marked on the bottom edge, overflow on the top edge.
    n units or a gated cell: the sizes ||dL/dh_t|| (and the LSTM's ||dL/dC_t|| with its cell path's product of f,
    from day 0 = C_0), dL/dx_t and the size of day t's part of dL/dW_h. One legend entry per kind of line
    (clicking it hides that kind) and one per row's colour; `window` (0-based days) is shaded: the days the diagram
    shows."""
    one = isinstance(flows[0], Flow)
    series = []  # (row, logs, values, x0, field)
    for row, f, reach in zip(rows, flows, reaches, strict=True):
        for field, *_ in SERIES if one else SIZES:
            if (values := getattr(f, field)) is not None:
                series.append((row, _log10_abs(values), values, 1, field))
        if one:
            series.append((row, np.asarray(reach, dtype=np.float64), None, 0, "reach"))
        elif f.path is not None:
            series.append((row, np.asarray(f.path, dtype=np.float64), None, 0, "path"))
    yaxis, *edges = _power_axis([s[1] for s in series], "magnitude (log scale)")
    style = {field: (name, hover, dash, marker) for field, name, hover, dash, marker in SERIES if one}
    style |= {field: (name, hover, dash, marker) for field, name, hover, dash, marker in SIZES if not one}
    style["reach"] = (REACH, "product of the factors back to day t", "dash", "x")
    style["path"] = (PATH, "the forget gates f multiplied back to day t", "dash", "x")
    drawn = {field for *_, field in series}
    key = [dict(type="scatter", x=[None], y=[None], mode="lines+markers", name=name, legendgroup=field,
                line=dict(color=KEY, dash=dash, width=2), marker=dict(symbol=marker, size=7, color=KEY))
           for field, (name, _, dash, marker) in style.items() if field in drawn]  # fmt: skip
    if len(rows) > 1:
        key += [dict(type="scatter", x=[None], y=[None], mode="markers", name=row.label, legendgroup=row.label,
                     marker=dict(symbol="square", size=11, color=row.color)) for row in rows]  # fmt: skip
    data, flags = [], []
    for row, logs, values, x0, field in series:
        name, hover, dash, marker = style[field]
        with_markers = row.days <= MARKERS_UP_TO
        if values is None:  # the product may exceed float64: its hover reads mantissa and exponent
            custom, reads = _reach_hover(logs), "%{customdata[0]:.2f}e%{customdata[1]}"
        else:
            custom, reads = np.asarray(values, dtype=np.float64), "%{customdata:.3~g}"
        start, y, custom = _finite_span(logs, x0, 1, custom)
        trace = dict(
            type="scatter",
            x0=start,
            dx=1,
            y=binary(y),
            customdata=binary(custom),
            hovertemplate=f"{row.label}: {hover} = {reads}<extra></extra>",
            name=f"{row.label}: {name}",
            showlegend=False,
            mode="lines+markers" if with_markers else "lines",
            line=dict(color=row.color, dash=dash, width=2.5 if field in ("dh", "dc", "reach", "path") else 1.5),
            marker=dict(symbol=marker, size=7, color=row.color),
            legendgroup=field,
        )
        data.append(trace)
        cut = "0 (the path is cut)" if values is None else ZERO
        marks = dict(symbol=marker, color=row.color)
        flags += _edge_markers(logs, x0, 1, edges, marks, f"{row.label}: {hover}", field, cut)
    data += flags
    xaxis = dict(title=dict(text="day (0 is h<sub>0</sub>, the memory before day 1)"), **_day_ticks(rows))
    layout = _layout(yaxis, xaxis, _edge_notes(flags), height=500)
    if window is not None and max(r.days for r in rows) > len(window):
        layout["shapes"] = [dict(type="rect", x0=window[0] + 0.5, x1=window[-1] + 1.5, y0=0, y1=1, yref="paper",
                                 line_width=0, fillcolor=HIGHLIGHT, opacity=0.2, layer="below")]  # fmt: skip
        layout["annotations"] = [*layout["annotations"], dict(
            x=window[0] + 0.5, y=1, yref="paper", text="in the diagram", showarrow=False, xanchor="left",
            yanchor="bottom", font=dict(size=11, color="#4b5563"))]  # fmt: skip
    return figure(key + data, layout)


def profiles(rows, flows):
    """|dL/dh_t| against days before the end (T - t), one line per row, so sequences of any length line up at
    the prediction (drawn on the right); zeros and overflow marked on the axis edges as in `magnitudes`."""
    logs = [_log10_abs(f.dh) for f in flows]
    size = "|∂L/∂h<sub>t</sub>|" if isinstance(flows[0], Flow) else "‖∂L/∂h<sub>t</sub>‖"
    yaxis, *edges = _power_axis(logs, f"{size} (log scale)")
    data, flags = [], []
    for row, f, log in zip(rows, flows, logs, strict=True):
        T = len(log)
        hover = f"{row.label} ∂L/∂h<sub>t</sub>"
        start, y, custom = _finite_span(log, T - 1, -1, np.asarray(f.dh, dtype=np.float64))
        data.append(
            dict(
                type="scatter",
                x0=start,
                dx=-1,
                y=binary(y),
                customdata=binary(custom),
                name=f"{row.label} ({T} days)",
                mode="lines+markers" if T <= MARKERS_UP_TO else "lines",
                line=dict(color=row.color, width=2.5),
                marker=dict(size=7, color=row.color),
                legendgroup=row.label,
                hovertemplate=f"{hover} = %{{customdata:.4~g}}<extra></extra>",
            )
        )
        flags += _edge_markers(log, T - 1, -1, edges, dict(symbol="circle", color=row.color), hover, row.label)
    title = "days before the end (T − t): 0 is the last day, where the prediction is made"
    pad = max(0.3, 0.02 * max(r.days for r in rows))
    xaxis = dict(title=dict(text=title), range=[max(r.days for r in rows) - 1 + pad, -pad], **_day_ticks(rows))
    return figure(data + flags, _layout(yaxis, xaxis, _edge_notes(flags), height=400))


def _signed_log(v):
    return np.sign(v) * np.log10(1.0 + np.abs(v))


def _signed_log_ticks(magnitude, negative):
    """Ticks at 0 and ±10^k up to `magnitude`, at most ~MAX_TICKS in all, labelled with the real values."""
    top = max(0, math.ceil(math.log10(magnitude))) if magnitude > 0 else 0
    stride = max(1, math.ceil((top + 1) / (MAX_TICKS // (2 if negative else 1))))
    vals, text = [0.0], ["0"]
    for k in range(0 if stride == 1 else stride, top + 1, stride):  # 1 would crowd 0 when the ticks are sparse
        position = math.log10(1.0 + 10.0**k)
        vals.append(position)
        text.append(power_of_ten(k))
        if negative:
            vals.insert(0, -position)
            text.insert(0, "−" + power_of_ten(k))
    return vals, text


def _direction(raw, clipped, mode):
    """How clipping changed the step, in words, with the angle from `bptt.angle`."""
    if not np.isfinite(raw).all():
        return "raw gradient overflowed (∞/NaN)"
    turned = angle(raw, clipped)
    if math.isnan(turned):
        return "no gradient (every entry is 0)" if not np.any(raw) else "the clipped gradient is not a number"
    words = f"same direction ({turned:.1f}°)" if round(turned, 1) == 0 else f"direction turned {turned:.1f}°"
    if mode == "norm":
        words += f", length {fmt(np.linalg.norm(raw))} → {fmt(np.linalg.norm(clipped))}"
    return words


def clipping_chart(raw, clipped, names, mode, threshold):
    """Raw vs clipped gradient per parameter as grouped bars, the title stating the clipping and how far it turned
    the step; a signed log10(1 + |v|) axis when |raw| spans more than 3 decades; overflow flagged, never drawn.
    `names`: one a number (one unit's weights), or (name, size) each: a bar is then that weight's norm ‖∂L/∂W_h‖,
    and the title's angle and length are the whole vector's."""
    raw, clipped = np.asarray(raw, dtype=np.float64), np.asarray(clipped, dtype=np.float64)
    title_of, parts = (raw, clipped), None
    label = lambda n: sub(*n.split("_", 1)) if "_" in n else n  # noqa: E731
    labels = (
        [label(n) for n in names] if all(isinstance(n, str) for n in names) else [f"‖{label(n)}‖" for n, _ in names]
    )
    if not all(isinstance(name, str) for name in names):
        raw, clipped = parts = part_norms(raw, names), part_norms(clipped, names)
    how = {"none": "no clipping", "norm": f"clipped by norm to {fmt_weight(threshold)}"}.get(
        mode, f"clipped by value to ±{fmt_weight(threshold).strip('()')}"
    )
    title = f"{how}: {_direction(*title_of, mode)}"
    sizes = np.abs(raw[np.isfinite(raw) & (raw != 0)])
    squash = sizes.size > 0 and sizes.max() > 1e3 * sizes.min()
    shown = np.concatenate((raw, clipped))
    shown = shown[np.isfinite(shown)]
    data = []
    for label, values, color in (("raw", raw, RAW), ("clipped", clipped, CLIPPED)):
        finite = np.isfinite(values)
        y = np.where(finite, values, 0.0)
        data.append(
            dict(
                type="bar",
                x=labels,
                y=_signed_log(y) if squash else y,
                name=f"{label} gradient",
                marker=dict(color=color),
                text=[fmt(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"{label} ∂L/∂%{{x}} = %{{text}}<extra></extra>",
            )
        )
    yaxis = dict(
        title=dict(text="gradient" if parts is None else "each weight's gradient, its norm"),
        zeroline=True,
        zerolinecolor="#6b7280",
        showgrid=True,
        gridcolor=GRID,
        automargin=True,
    )
    if squash:
        magnitude = float(np.abs(shown).max()) if shown.size else 1.0
        tickvals, ticktext = _signed_log_ticks(magnitude, bool((shown < 0).any()))
        yaxis.update(tickvals=tickvals, ticktext=ticktext,
                     title=dict(text="gradient (signed log scale)"))  # fmt: skip
    notes = []
    if not np.isfinite(raw).all():
        notes.append(
            dict(
                text="raw gradient overflowed (∞/NaN): no bar can show it; the labels say what it holds",
                x=0.5,
                y=0.5,
                xref="paper",
                yref="paper",
                showarrow=False,
                bgcolor="white",
                bordercolor="#2b2b2b",
                borderwidth=1,
                borderpad=6,
                font=dict(size=15, color="#2b2b2b"),
            )
        )
    layout = dict(
        **LIGHT,
        height=380,
        margin=dict(l=10, r=10, t=50, b=10),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        barmode="group",
        xaxis=dict(title=dict(text="parameter"), automargin=True),
        yaxis=yaxis,
        annotations=notes,
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0),
    )
    return figure(data, layout)
