"""Figures for the Layer page, built from a `spectra.Spectrum` and `layer.Reading`s: the weights as heatmaps, W_h's
eigenvalues and singular values against the circles and lines that matter, the gradient reaching each day back under
its bound, and the hidden state over time; and beside each figure its numbers as a table (`simulator.tables`), from
the same inputs. Tests inspect them without Streamlit.

Magnitudes are drawn as their log10 on a linear axis whose ticks read as powers of ten, so 16^1000 = 10^1204 plots
as easily as 0.9^100.
"""

import math

import numpy as np

from . import figures
from .diagram import NODE_SCALE
from .explain import fmt, fmt_log10
from .figures import FONT, LIGHT, binary
from .gradient_figures import power_of_ten
from .layer import LINES, bound, radius
from .tables import every, sampled

GRID = "#eef0f3"
MUTED = "#4b5563"
BOUND = "#262730"  # near black, dashed: the ceiling (the sequences have the colours)
UNITS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")  # Okabe-Ito
CIRCLE = np.linspace(0.0, 2.0 * np.pi, 181)
HEAD_ROOM = 3.0  # decades the gradient chart shows above the measured curves before the bound leaves it
COLUMNS = LINES  # W_h's columns (from the first units' memories) a table of the weights shows
DAY_COLUMNS = 10  # days (every k-th) the table of the hidden state's heatmap shows, a column each


class Figure(figures.Figure):
    """A `figures.Figure` that skips plotly's own start, a deep copy of its default template (~1 ms, most of what
    a chart here costs): Streamlit, `figures.projected` and the tests only ever ask it for `to_dict`."""

    def __init__(self, spec):  # no super().__init__(): nothing reads plotly's properties
        self._spec = spec


def figure(data, layout):
    return Figure({"data": list(data), "layout": layout})


def _layout(height=340, **more):
    return dict(**LIGHT, height=height, margin=dict(l=10, r=10, t=30, b=10), **more)


def _axis(title, **more):
    return {
        "title": dict(text=title),
        "showgrid": True,
        "gridcolor": GRID,
        "zeroline": False,
        "automargin": True,
        **more,
    }


def _note(text):
    """A line above the plot, at its right."""
    return dict(text=text, x=1, y=1, xref="paper", yref="paper", xanchor="right", yanchor="bottom", yshift=6,
                showarrow=False, font=dict(size=11, color=MUTED))  # fmt: skip


def _span(values):
    """(min, max) of the finite values, or None."""
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else None


def weights(params):
    """W_h (n x n, row i = the weights into unit i from each unit's memory) beside the columns w_x, b and w_y, on one
    diverging scale: brown < 0 < teal, white at 0."""
    n = params.n
    columns = np.column_stack((params.w_x.reshape(n, -1)[:, 0], params.b, params.w_y))
    both = np.concatenate((params.W_h.ravel(), columns.ravel()))
    top = float(np.abs(both).max()) or 1.0
    units = [f"unit {i + 1}" for i in range(n)]
    scale = dict(colorscale=NODE_SCALE, zmin=-top, zmax=top, zmid=0, xgap=1 if n <= 16 else 0,
                 ygap=1 if n <= 16 else 0)  # fmt: skip
    matrix = dict(
        type="heatmap", z=binary(params.W_h), x=[f"h{i + 1}" for i in range(n)], y=units, name="W_h",
        colorbar=dict(title=dict(text="weight"), thickness=12, len=0.9), **scale,
        hovertemplate="W_h: %{x} → %{y}: %{z:.4g}<extra></extra>",
    )  # fmt: skip
    vectors = dict(
        type="heatmap", z=binary(columns), x=["w_x", "b", "w_y"], y=units, xaxis="x2", yaxis="y", showscale=False,
        name="w_x, b, w_y", **scale, hovertemplate="%{x} of %{y}: %{z:.4g}<extra></extra>",
    )  # fmt: skip
    ticks = dict(showgrid=False, zeroline=False, automargin=True, tickfont=dict(size=11))
    height = 240 + 12 * min(n, 32)
    split = 0.92 * min(max(n / (n + 3), 0.5), 0.85)  # tiles as wide in both, within limits
    return figure(
        [matrix, vectors],
        _layout(
            height=height,
            xaxis=dict(domain=[0, split - 0.02], side="top", title=dict(text="from the memory of"), **ticks),
            xaxis2=dict(domain=[split + 0.02, 0.92], side="top", **ticks),
            yaxis=dict(autorange="reversed", title=dict(text="into"), **ticks),
        ),
    )


def weights_table(params):
    """`weights`' numbers, a row per unit: its W_h row from the first COLUMNS units' memories (`weights_note` says
    so when there are more), w_x, b and w_y."""
    n, shown = params.n, min(params.n, COLUMNS)
    values = np.column_stack((params.W_h[:, :shown], params.w_x.reshape(n, -1)[:, 0], params.b, params.w_y))
    names = [*(f"from\u00a0h{j + 1}" for j in range(shown)), "w_x", "b", "w_y"]  # no break: "from h1" on one line
    return {"into unit": [str(i + 1) for i in range(n)]} | {
        name: [fmt(v) for v in values[:, j]] for j, name in enumerate(names)
    }


def weights_note(params):
    """What the table of the weights leaves out, or ''."""
    if params.n <= COLUMNS:
        return ""
    return (
        f"The table of the numbers holds W_h from the first {COLUMNS} units' memories (h1 to h{COLUMNS}); "
        f"for h{COLUMNS + 1} to h{params.n}, hover over the heatmap."
    )


def _circle(r, name, dash, color, width=1.5):
    return dict(type="scatter", x=binary(r * np.cos(CIRCLE)), y=binary(r * np.sin(CIRCLE)), mode="lines", name=name,
                line=dict(color=color, dash=dash, width=width), hoverinfo="skip")  # fmt: skip


def eigenvalues(spectrum):
    """W_h's eigenvalues in the complex plane, with the unit circle, the 1/gamma circle and the sigma_max circle
    (every eigenvalue lies inside it)."""
    lam, gamma = spectrum.eigenvalues, spectrum.gamma
    circles = [_circle(1.0, "unit circle" + (" = 1/γ" if gamma == 1 else ""), "solid", MUTED)]
    if gamma != 1:
        circles.append(_circle(1.0 / gamma, f"1/γ = {fmt(1 / gamma)}", "dash", BOUND))
    circles.append(_circle(spectrum.norm, f"σ_max = {fmt(spectrum.norm)}", "dot", "#0072B2", 1))
    points = dict(
        type="scatter", x=binary(lam.real), y=binary(lam.imag), mode="markers", name=f"eigenvalues (ρ = "
        f"{fmt(radius(spectrum))})", marker=dict(size=9 if lam.size <= 16 else 6, color="#01665e",
                                                line=dict(color="white", width=1)),
        hovertemplate="λ = %{x:.4g} %{y:+.4g}i<extra></extra>",
    )  # fmt: skip
    reach = 1.12 * max(1.0, 1.0 / gamma, spectrum.norm, float(np.abs(lam).max()))
    axis = dict(range=[-reach, reach], zeroline=True, zerolinecolor="#d0d4da", showgrid=True, gridcolor=GRID,
                automargin=True)  # fmt: skip
    return figure(
        [*circles, points],
        _layout(
            height=380,
            xaxis=dict(title=dict(text="real part"), **axis),
            yaxis=dict(title=dict(text="imaginary part"), scaleanchor="x", scaleratio=1, **axis),
            legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0),
        ),
    )


def eigenvalues_table(spectrum):
    """`eigenvalues`' numbers: each eigenvalue's real and imaginary parts and its size."""
    lam = spectrum.eigenvalues
    return {
        "eigenvalue": [f"λ{k + 1}" for k in range(lam.size)],
        "real part": [fmt(v) for v in lam.real],
        "imaginary part": [fmt(v) for v in lam.imag],
        "|λ|": [fmt(v) for v in np.abs(lam)],
    }


def singular_values(spectrum):
    """W_h's singular values, largest first, as bars, with the line 1/gamma: a bar above it lets the gradient grow."""
    s, gamma = spectrum.singular, spectrum.gamma
    k = np.arange(1, s.size + 1)
    bars = dict(type="bar", x=binary(k), y=binary(s), name="singular values σ", marker=dict(color="#01665e"),
                hovertemplate="σ%{x} = %{y:.4g}<extra></extra>")  # fmt: skip
    line = dict(type="scatter", x=[0.5, s.size + 0.5], y=[1.0 / gamma] * 2, mode="lines", name=f"1/γ = "
                f"{fmt(1 / gamma)}", line=dict(color=BOUND, dash="dash", width=2), hoverinfo="skip")  # fmt: skip
    return figure(
        [bars, line],
        _layout(
            height=380,
            xaxis=_axis("k (largest first)", range=[0.5, s.size + 0.5], **({"dtick": 1} if s.size <= 16 else {})),
            yaxis=_axis("σ_k", rangemode="tozero"),
            legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0),
            bargap=0.15,
        ),
    )


def singular_values_table(spectrum):
    """`singular_values`' numbers: each sigma_k, largest first, and whether it is above the line 1/gamma."""
    s, line = spectrum.singular, 1.0 / spectrum.gamma
    side = ["at" if math.isclose(v, line, rel_tol=1e-9) else "above" if v > line else "below" for v in s]
    return {"k": [str(k) for k in range(1, s.size + 1)], "σ_k": [fmt(v) for v in s], f"against 1/γ = {fmt(line)}": side}


def _tick_step(lo, hi, most=7):
    for exponent in range(0, 308):
        for m in (1, 2, 5):
            if math.ceil(hi / (m * 10**exponent)) - math.floor(lo / (m * 10**exponent)) <= most:
                return m * 10**exponent
    return 10**308


def _power_axis(lo, hi, title):
    """A linear axis over log10 values from lo to hi with power-of-ten tick labels."""
    step = _tick_step(lo, hi)
    first, last = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if first == last:
        first, last = first - step, last + step
    ticks = list(range(first, last + 1, step))
    pad = 0.04 * (last - first)
    return _axis(title, range=[first - pad, last + pad], tickvals=ticks, ticktext=[power_of_ten(t) for t in ticks])


def gradient(readings, spectrum):
    """|dL/dh| reaching each day back, times day T's, for every sequence (log10 axis), and the bound (sigma_max gamma)^k
    dashed over it. The axis follows the measured curves; a bound far above them leaves the top, and says so."""
    days = max(r.days for r in readings)
    ceiling = bound(spectrum, days)
    traces, notes = [], []
    for r in readings:
        finite, k = np.isfinite(r.back), np.arange(r.days + 1)
        traces.append(dict(
            type="scatter", x=binary(k[finite]), y=binary(r.back[finite]), mode="lines+markers" if days <= 60 else
            "lines", name=f"{r.label}: measured", line=dict(color=r.color, width=2.5), marker=dict(size=5),
            hovertemplate=f"{r.label}, %{{x}} days back: 10<sup>%{{y:.3f}}</sup>× day {r.days}'s<extra></extra>",
        ))  # fmt: skip
        if (r.back == -np.inf).any():
            notes.append(f"{r.label}: exactly 0 from {int(np.argmax(r.back == -np.inf))} days back")
        if np.isnan(r.back).any():
            notes.append(f"{r.label}: the forward pass overflowed {int(np.argmax(np.isnan(r.back)))} days back")
    measured = [s for s in (_span(r.back) for r in readings) if s]
    lo = min((s[0] for s in measured), default=-1.0)
    hi = max((s[1] for s in measured), default=1.0)
    top = max(hi + HEAD_ROOM, hi + 0.25 * (hi - lo))
    shown, k = np.isfinite(ceiling), np.arange(days + 1)
    if _span(ceiling) and _span(ceiling)[1] > top:
        notes.append(f"the bound leaves the chart: 10<sup>{ceiling[-1]:.1f}</sup> at {days} days back")
    else:
        top = max(hi, _span(ceiling)[1]) if _span(ceiling) else hi
    traces.append(dict(
        type="scatter", x=binary(k[shown]), y=binary(np.minimum(ceiling[shown], top + 1.0)), mode="lines",
        name=f"bound (σ_max·γ)ᵏ = {fmt(spectrum.rate)}ᵏ", line=dict(color=BOUND, dash="dash", width=2),
        customdata=binary(ceiling[shown]), hovertemplate="bound, %{x} days back: 10<sup>%{customdata:.3f}</sup>"
        "<extra></extra>",
    ))  # fmt: skip
    yaxis = _power_axis(min(lo, 0.0), max(top, 0.0), "gradient reaching the day, × the last day's")
    return figure(
        traces,
        _layout(
            height=420,
            xaxis=_axis(
                "days back from the last day (k)", range=[-0.3, days + 0.3], **({"dtick": 1} if days <= 15 else {})
            ),
            yaxis=yaxis,
            annotations=[_note(" · ".join(notes))] if notes else [],
            legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0),
            hovermode="x unified",
        ),
    )


def gradient_table(readings, spectrum):
    """`gradient`'s numbers: each k days back (every k-th for long sequences), each sequence's measured gradient and
    the bound, times the last day's; columns named as the chart's lines."""
    days = max(r.days for r in readings)
    ks, ceiling = sampled(days), bound(spectrum, days)
    table = {every("days back k", ks): [str(k) for k in ks]}
    for r in readings:
        table[f"{r.label}: measured"] = [fmt_log10(r.back[k]) if k <= r.days else "" for k in ks]
    table[f"bound (σ_max·γ)ᵏ = {fmt(spectrum.rate)}ᵏ"] = [fmt_log10(ceiling[k]) for k in ks]
    return table


def _finite(h):
    """h with inf and NaN as NaN (a gap), and whether there were any."""
    bad = ~np.isfinite(h)
    return (np.where(bad, np.nan, h), True) if bad.any() else (h, False)


def hidden_heatmap(reading):
    """The hidden state, one row a unit and one column a day, brown < 0 < teal."""
    h, bad = _finite(reading.trace.h)
    n, days = h.shape[1], h.shape[0]
    top = float(np.nanmax(np.abs(h))) if np.isfinite(h).any() else 1.0
    tiles = dict(
        type="heatmap", z=binary(h.T), x0=1, dx=1, y0=1, dy=1, colorscale=NODE_SCALE, zmin=-(top or 1.0),
        zmax=top or 1.0, zmid=0, colorbar=dict(title=dict(text="h"), thickness=12),
        hovertemplate="unit %{y}, day %{x}: h = %{z:.4g}<extra></extra>",
    )  # fmt: skip
    return figure(
        [tiles],
        _layout(
            height=200 + 8 * min(n, 32),
            xaxis=_axis("day", showgrid=False, **({"dtick": 1} if days <= 15 else {})),
            yaxis=_axis("unit", showgrid=False, autorange="reversed", **({"dtick": 1} if n <= 16 else {})),
            annotations=[_note("blank: overflow (∞ or NaN)")] if bad else [],
        ),
    )


def hidden_heatmap_table(reading):
    """`hidden_heatmap`'s numbers as it lays them out, a row a unit and a column a day (at most DAY_COLUMNS days:
    every k-th and the last)."""
    h = reading.trace.h
    days = sampled(h.shape[0], DAY_COLUMNS, first=1)
    return {
        "unit": [str(i + 1) for i in range(h.shape[1])],
        **{f"day\u00a0{d}": [fmt(v) for v in h[d - 1]] for d in days},
    }


def hidden_lines(reading):
    """h_t of the first LINES units, a line each."""
    h, bad = _finite(reading.trace.h)
    days, n = h.shape
    shown = min(n, LINES)
    traces = [
        dict(type="scatter", x0=1, dx=1, y=binary(h[:, i]), mode="lines+markers" if days <= 60 else "lines",
             name=f"unit {i + 1}", line=dict(color=UNITS[i % len(UNITS)], width=2), marker=dict(size=5),
             hovertemplate=f"unit {i + 1}, day %{{x}}: h = %{{y:.4g}}<extra></extra>")
        for i in range(shown)
    ]  # fmt: skip
    notes = [f"the first {shown} of {n} units"] if n > shown else []
    if bad:
        notes.append("gaps: overflow (∞ or NaN)")
    return figure(
        traces,
        _layout(
            height=340,
            xaxis=_axis("day", **({"dtick": 1} if days <= 15 else {})),
            yaxis=_axis("h"),
            annotations=[_note(" · ".join(notes))] if notes else [],
            legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, font=dict(size=FONT["size"])),
            hovermode="x unified",
        ),
    )


def hidden_lines_table(reading):
    """`hidden_lines`' numbers: each day (every k-th for long sequences), the h of each unit drawn."""
    h = reading.trace.h
    days = sampled(h.shape[0], first=1)
    table = {every("day", days): [str(d) for d in days]}
    return table | {f"unit {i + 1}": [fmt(h[d - 1, i]) for d in days] for i in range(min(h.shape[1], LINES))}
