"""The training run as one animated figure: the prediction over the prices, the loss, the weights' paths and
the gradient reaching each day (or week), epoch by epoch. Each frame restyles only the five traces that move.
The weights' panel draws the one-unit RNN's five weights, or for any other network each weight's norm, and for
an RNN of n units the spectral radius of W_h at each snapshot beside the 1/gamma line."""

from functools import partial

import numpy as np

from .explain import fmt
from .figures import LIGHT, OVERFLOW, binary, figure, player

MAX_POINTS = 1000  # per line; longer series are drawn every k-th day
WEIGHT_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # Okabe-Ito: colour-blind safe
RADIUS = "ρ(W<sub>h</sub>)"  # the spectral radius's trace
GRID = dict(showgrid=True, gridcolor="#eef0f3", zeroline=False)
PRICE, LOSS, WEIGHTS, HEAT = "", "2", "3", "4"  # axis suffix of each panel (y5: the price in its own units)


def _finite(a):
    """Plotly cannot draw inf: not-finite values become gaps."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.isfinite(a), a, np.nan)


def _log10(a):
    """log10 of positive values, gaps for 0, inf and NaN."""
    a = _finite(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, np.log10(a), np.nan)


def _every(n):
    """Indices 0 .. n-1 thinned to at most MAX_POINTS, always keeping the last."""
    return np.unique(np.append(np.arange(0, n, max(1, -(-n // MAX_POINTS))), n - 1))


def _binned_max(values, bins):
    """values (S, D) -> (S, len(bins)) max over each bin of columns (starts `bins`), NaN-aware."""
    out = np.full((values.shape[0], len(bins)), np.nan)
    for j, (a, b) in enumerate(zip(bins, [*bins[1:], values.shape[1]], strict=True)):
        chunk = values[:, a:b]
        has = ~np.isnan(chunk).all(axis=1)
        out[has, j] = np.nanmax(chunk[has], axis=1)
    return out


WEIGHT_LIMIT = 10.0  # the weights' axis goes no further: a runaway weight leaves the chart
NORM_LIMIT = 100.0  # the same for the norms of n units' weights (a 64 x 64 W_h's is ~8 at the start)


def _limit(run):
    """How far the weights' axis goes: WEIGHT_LIMIT for the five weights, NORM_LIMIT for norms."""
    return WEIGHT_LIMIT if run.one_unit else NORM_LIMIT


def _weight_range(theta, limit=WEIGHT_LIMIT):
    """The weights' axis: all of their paths, but no further than ±limit."""
    finite = theta[np.isfinite(theta)]
    lo, hi = max(float(finite.min()), -limit), min(float(finite.max()), limit)
    pad = 0.08 * (hi - lo or 1.0)
    return [lo - pad, hi + pad]


def _on_chart(path, limit=WEIGHT_LIMIT):
    """A weight's path with the epochs beyond ±limit as gaps: a weight that flips sign as it runs away would
    otherwise draw a line across the whole panel every epoch."""
    path = _finite(path)
    return np.where(np.abs(path) <= limit, path, np.nan)


def runaways(theta, names, limit=WEIGHT_LIMIT):
    """{weight name: first epoch it is beyond ±limit} for the weights (columns `names`) that leave the chart."""
    out = {}
    for j, name in enumerate(names):
        beyond = np.flatnonzero(~(np.abs(theta[:, j]) <= limit))
        if len(beyond):
            out[name] = int(beyond[0])
    return out


def _runaway_note(theta, names, limit):
    """A line in the weights' panel naming the weights that left it, when and how far they went."""
    far = runaways(theta, names, limit)
    if not far:
        return []
    finite = [theta[np.isfinite(theta[:, names.index(n)]), names.index(n)] for n in far]
    text = "<br>".join(
        f"{n} off the chart from epoch {e}<br>(reaches {fmt(path[np.abs(path).argmax()], 3)})"
        for (n, e), path in zip(far.items(), finite, strict=True)
    )
    return [dict(text=text, x=0, y=0.25, xref="paper", yref="paper", showarrow=False, xanchor="left",
                 yanchor="bottom", font=dict(size=12, color=OVERFLOW))]  # fmt: skip


def _title(text, x, y):
    return dict(text=f"<b>{text}</b>", x=x, y=y, xref="paper", yref="paper", showarrow=False, xanchor="left",
                yanchor="bottom", font=dict(size=13))  # fmt: skip


def _panel(axis, **trace):
    """A trace on the panel whose axes end in `axis`."""
    return {"type": "scatter", "xaxis": "x" + axis, "yaxis": "y" + axis, **trace}


def price_range(prices):
    """The price axis: every price, with room above for the legend and tomorrow's label."""
    lo, hi = float(np.min(prices)), float(np.max(prices))
    span = hi - lo or 1.0
    return [lo - 0.08 * span, hi + 0.23 * span]


def _static(run, prices, scale, label, color, heat, bins, period):
    """The traces that stay put: prices, the loss curve, the weights' paths, the gradient heatmap."""
    T, E = len(prices), len(run.loss) - 1
    days, epochs = _every(T), _every(E + 1)
    ran = epochs[epochs < len(run.weights)]  # epochs whose weights exist (a diverged run stops early)
    name = f"{label}: price" + ("" if scale.identity else " (scaled)")
    data = [
        _panel(PRICE, x=binary(days + 1), y=binary(prices[days]), name=name, line=dict(color=color, width=2.5),
               mode="lines+markers" if T <= 200 else "lines"),
        _panel(LOSS, x=binary(epochs), y=binary(_finite(np.where(run.loss[epochs] > 0, run.loss[epochs], np.nan))),
               name="loss", mode="lines", line=dict(color="#262730", width=1.5), showlegend=False),
        *(_panel(WEIGHTS, x=binary(ran), y=binary(_on_chart(run.weights[ran, j], _limit(run))), name=name, mode="lines",
                 line=dict(color=c, width=1.5), legend="legend2")
          for j, (name, c) in enumerate(zip(run.names, WEIGHT_COLORS, strict=False))),
        dict(type="heatmap", x=binary(bins + 1), y=binary(run.snaps), z=binary(heat, np.float32), xaxis="x" + HEAT,
             yaxis="y" + HEAT, colorscale="Viridis",
             colorbar=dict(title=dict(text="log<sub>10</sub>", side="top"), len=0.17, y=0, yanchor="bottom",
                           thickness=10),
             hovertemplate=period + " %{x}, epoch %{y}<br>|∂L/∂h<sub>t</sub>| = 10^%{z:.1f}<extra></extra>"),
    ]  # fmt: skip
    if run.radius is not None and not run.one_unit:
        data.append(_panel(WEIGHTS, x=binary(run.snaps), y=binary(_on_chart(run.radius, NORM_LIMIT)), name=RADIUS,
                           mode="lines+markers", line=dict(color="#262730", width=1.5, dash="dot"),
                           marker=dict(size=4), legend="legend2"))  # fmt: skip
    if not scale.identity:  # the original prices on a second axis, aligned with the scaled one
        data.append(_panel("5", x=[1, T], y=list(scale.price([prices[0], prices[-1]])), xaxis="x", mode="markers",
                           marker=dict(opacity=0), hoverinfo="skip", showlegend=False))  # fmt: skip
    return data


MOVING = [  # the styles of the five traces each frame moves
    _panel(PRICE, name="prediction", mode="lines", line=dict(color="#262730", dash="dash")),
    _panel(PRICE, mode="markers+text", showlegend=False, textposition="bottom left", cliponaxis=False,
           marker=dict(color="#262730", size=12, symbol="star", opacity=[1, 0])),  # the star, then its label
    _panel(LOSS, mode="markers", showlegend=False, marker=dict(color="#262730", size=10), hoverinfo="skip"),
    _panel(WEIGHTS, mode="markers", showlegend=False, hoverinfo="skip"),
    _panel(HEAT, mode="lines", showlegend=False, line=dict(color="white", width=2), hoverinfo="skip"),
]  # fmt: skip


def _star(y, shown, period):
    """The star on the day after the data, at the prediction `y` or pinned to the edge of the price axis `shown`
    (lo, hi) with an arrow when it is off the chart, and its label in the room at the top right, where no price is."""
    lo, hi = shown
    name = "tomorrow" if period == "day" else f"next {period}"
    arrow = "↑ " if y > hi else "↓ " if y < lo else ""
    return dict(y=[min(max(y, lo), hi), hi], text=["", f"{arrow}{name}: {fmt(y)}"])


def _moving(run, i, days, ahead, shown, period):
    """The five traces of snapshot i: prediction line (drawn on days `ahead`), the next day's star (see `_star`),
    loss marker, weight markers, heatmap row."""
    e, y = int(run.snaps[i]), _finite(run.y[i])
    T = len(y)  # y_t predicts day t + 2 (1-based)
    star = _star(y[-1], shown, period) if np.isfinite(y[-1]) else dict(y=[None, None], text=["", ""])
    return [
        dict(x=binary(ahead + 2), y=binary(y[ahead])),
        dict(x=[T + 1, T + 1], **star),
        dict(x=[e], y=[run.loss[e] if 0 < run.loss[e] < np.inf else None]),
        dict(
            x=[e] * len(run.names),
            y=binary(_on_chart(run.weights[min(e, len(run.weights) - 1)], _limit(run))),
            marker=dict(color=list(WEIGHT_COLORS[: len(run.names)]), size=9, line=dict(color="white", width=1)),
        ),
        dict(x=[0.5, days + 0.5], y=[e, e]),
    ]


def _divergence(epoch):
    """A dotted line at the epoch where training broke, on the loss and the weights, and a label."""
    shapes = [dict(type="line", x0=epoch, x1=epoch, y0=0, y1=1, xref="x" + axis, yref=f"y{axis} domain",
                   line=dict(color=OVERFLOW, dash="dot")) for axis in (LOSS, WEIGHTS)]  # fmt: skip
    note = dict(x=epoch, y=1, xref="x" + LOSS, yref=f"y{LOSS} domain", showarrow=False, xanchor="right",
                yanchor="top", text=f"not finite at epoch {epoch}")  # fmt: skip
    return shapes, [note]


def shown(run, epoch):
    """The index of the snapshot epoch nearest to `epoch` (the last for a negative epoch)."""
    return len(run.snaps) - 1 if epoch < 0 else int(np.abs(run.snaps - epoch).argmin())


def _gamma_line(limit):
    """The 1/gamma line across the weights' panel, and its label: a spectral radius above it is needed for the
    gradient to explode."""
    line = dict(type="line", x0=0, x1=1, y0=limit, y1=limit, xref="x3 domain", yref="y" + WEIGHTS,
                line=dict(color=OVERFLOW, width=1, dash="dash"))  # fmt: skip
    note = dict(x=1, y=limit, xref="x3 domain", yref="y" + WEIGHTS, showarrow=False, xanchor="right",
                yanchor="bottom", text=f"1/γ = {fmt(limit)}", font=dict(size=11, color=OVERFLOW))  # fmt: skip
    return [line], [note]


def _beside(run, name, loss):
    """The loss of the run to compare with (`name`, loss (E+1,)), grey under this run's, both in the loss legend."""
    epochs = _every(len(loss))
    curve = _finite(np.where(loss[epochs] > 0, loss[epochs], np.nan))
    return _panel(LOSS, x=binary(epochs), y=binary(curve), name=name, mode="lines", legend="legend3",
                  line=dict(color="#9aa0a6", width=1.5, dash="dash"))  # fmt: skip


def run_figure(run, prices, scale, label, color, epoch=-1, period="day", limit=None, beside=None):
    """The figure of `run` (a `trainer.Run`) on the scaled `prices` (T,), their `scale` (a `trainer.Scale`) and the
    series' label and colour, showing the snapshot nearest to `epoch` (-1: the last); frames step through the
    snapshot epochs. `period`: what one price is, a 'day' or a 'week'; `limit`: 1/gamma, the line the spectral
    radius of an RNN of n units is drawn against; `beside`: (name, loss (E+1,)) of a run to compare with."""
    T, E = len(prices), len(run.loss) - 1
    dh = _log10(run.dh)  # (S, T-1)
    days = dh.shape[1]
    bins = _every(days)[:-1] if days > MAX_POINTS else np.arange(days)
    heat = _binned_max(dh, bins) if len(bins) < days else dh
    ahead = _every(T)  # the days a prediction line is drawn on (run.y has T per snapshot)
    now, prices_shown = shown(run, epoch), price_range(prices)
    moving = partial(_moving, run, days=days, ahead=ahead, shown=prices_shown, period=period)
    data = [*_static(run, prices, scale, label, color, heat, bins, period)]
    if beside:
        data[1] |= dict(name="this run", showlegend=True, legend="legend3")
        data.append(_beside(run, *beside))
    data[1:1] = [{**style, **trace} for style, trace in zip(MOVING, moving(now), strict=True)]
    shapes, notes = _divergence(run.diverged) if run.diverged is not None else ([], [])
    radius = [run.radius, [limit]] if run.radius is not None and not run.one_unit and limit else []
    drawn = np.concatenate([run.weights.ravel(), *radius])  # what the weights' axis spans
    if radius:
        line, note = _gamma_line(limit)
        shapes, notes = shapes + line, notes + note
    notes += [
        _title(f"{label[:20]}: the next {period}'s prediction", 0, 1.0),
        _title("loss (½ mean squared error)", 0, 0.635),
        _title(
            "weights" if run.one_unit else "weights: each one's norm" + (", and ρ(W<sub>h</sub>)" if radius else ""),
            0,
            0.405,
        ),
        _title(f"gradient reaching each {period}: log<sub>10</sub> |∂L/∂h<sub>t</sub>|", 0, 0.175),
        *_runaway_note(run.weights, run.names, _limit(run)),
    ]
    frames = [dict(name=str(e), data=moving(i), traces=[1, 2, 3, 4, 5]) for i, e in enumerate(run.snaps)]
    epoch_axis = dict(title=dict(text="epoch"), range=[-0.02 * E, 1.02 * E + 1e-9], **GRID)
    layout = dict(
        **LIGHT, height=1150, margin=dict(l=10, r=10, t=30, b=10), shapes=shapes, annotations=notes,
        hovermode="closest",
        legend=dict(orientation="h", x=0, y=0.97, yanchor="top", bgcolor="rgba(255,255,255,0.7)"),
        legend2=dict(x=1.0, y=0.40, yanchor="top", font=dict(size=11)),
        legend3=dict(x=1.0, y=0.63, xanchor="right", yanchor="top", font=dict(size=11),
                     bgcolor="rgba(255,255,255,0.7)"),
        xaxis=dict(title=dict(text=period), domain=[0, 1], anchor="y", range=[0.5, T + 1 + max(1.0, 0.03 * T)],
                   **GRID),  # room for the next period's star
        yaxis=dict(title=dict(text="price" if scale.identity else "price, scaled to 0..1"), domain=[0.70, 1],
                   range=prices_shown, **GRID),
        xaxis2=dict(domain=[0, 1], anchor="y2", **epoch_axis),
        yaxis2=dict(type="log", domain=[0.48, 0.63], anchor="x2", exponentformat="power",
                    **GRID),
        xaxis3=dict(domain=[0, 1], anchor="y3", **epoch_axis),
        yaxis3=dict(domain=[0.25, 0.40], anchor="x3", range=_weight_range(drawn, _limit(run)), **GRID),
        xaxis4=dict(title=dict(text=period), domain=[0, 1], anchor="y4", range=[0.5, days + 0.5]),
        yaxis4=dict(title=dict(text="epoch"), domain=[0, 0.17], anchor="x4"),
        yaxis5=dict(overlaying="y", side="right", showgrid=False,
                    range=list(scale.price(prices_shown)), zeroline=False),
        **player([f["name"] for f in frames], frames[now]["name"], "epoch", top=100),
    )  # fmt: skip
    layout["updatemenus"][0]["font"] = dict(size=11)  # four buttons in a row fit a phone
    return figure(data, layout, frames)
