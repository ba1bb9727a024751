"""Pure figure builders: traces in, `go.Figure` out. Tests inspect them without Streamlit.

The unrolled diagram animates in the browser with plotly frames; each frame restyles only the traces that
change (values, text, the highlight, the equation), and a long sequence is drawn one window of days at a time.
"""

import base64
import copy
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .explain import first_nonfinite, fmt, fmt_operand, fmt_weight, result, step_equation, sub

WINDOW = 12  # days drawn in the unrolled diagram at once
SPEEDS = (("▶ Play", 700), ("▶ Slow", 1500), ("▶▶ Fast", 250))  # label, milliseconds per day
HW, HH = 0.28, 0.27  # half width and half height of a node tile, in data units
ROW_GAP = 4.3  # vertical distance between two sequences' diagrams
NODE_SCALE = [[0, "#8c510a"], [0.5, "#f7f7f7"], [1, "#01665e"]]  # brown < 0 < teal, colour-blind safe
UNKNOWN, OVERFLOW, HIGHLIGHT = "#e9ecf1", "#2b2b2b", "#E69F00"
FONT = dict(family="Source Sans Pro, system-ui, sans-serif", size=13, color="#262730")
LIGHT = dict(template=dict(data={}, layout={}), paper_bgcolor="white", plot_bgcolor="white", font=FONT)
# plotly's typed-array names, keyed by dtype (looking up dtype.name costs 10x more)
TYPED = {np.dtype(t): t[1:] for t in ("<f8", "<f4", "<i4", "<u4", "<i2", "<u2", "|i1", "|u1")}


def typed(values, dtype=None):
    """Numbers as the typed array plotly sends ({dtype, bdata: base64, shape}), built here: plotly's own
    conversion in `Figure.to_dict` costs ~0.2 ms per numpy array (it first asks every dataframe library),
    and a list costs ~1 µs per element. 64-bit integers shrink to the smallest type that holds them, as plotly's
    do (plotly.js has no 64-bit integers); a list is sent when none does."""
    a = np.ascontiguousarray(values, dtype=dtype)
    if a.dtype.kind in "iu" and a.itemsize == 8 and a.size:
        small = (np.uint8, np.uint16, np.uint32) if a.dtype.kind == "u" else (np.int8, np.int16, np.int32)
        lo, hi = a.min(), a.max()
        a = next((a.astype(t) for t in small if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max), a)
    if not a.size or a.dtype not in TYPED:
        return a.tolist()
    spec = {"dtype": TYPED[a.dtype], "bdata": base64.b64encode(a).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = ", ".join(map(str, a.shape))
    return spec


PROJECTOR = 1.4  # presenter mode: every font and the figure's height this many times bigger


def _bigger(node, k, font=False):
    """Scale every font size in a figure's JSON in place (typed arrays too)."""
    if isinstance(node, dict):
        if font and "size" in node:
            size = node["size"]
            if isinstance(size, dict):  # a typed array
                size = np.frombuffer(base64.b64decode(size["bdata"]), dtype=np.dtype(size["dtype"]))
                node["size"] = typed(np.round(size * k).astype(np.uint8))
            elif isinstance(size, (int, float)):
                node["size"] = round(size * k)
        for key, value in node.items():
            _bigger(value, k, key.endswith("font"))
    elif isinstance(node, list):
        for value in node:
            _bigger(value, k)


def projected(fig, k=PROJECTOR):
    """`fig` for a projector: every font (default 13 px) k times bigger and the figure k times taller. Axis ticks
    and titles get a size too: Streamlit's theme would otherwise draw them at its own 12 px."""
    spec = copy.deepcopy(fig.to_dict())
    layout = spec["layout"]
    layout.setdefault("font", {}).setdefault("size", FONT["size"])
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")):
            axis.setdefault("tickfont", {}).setdefault("size", FONT["size"])
            if isinstance(axis.get("title"), dict):
                axis["title"].setdefault("font", {}).setdefault("size", FONT["size"])
    _bigger(spec, k)
    for control in (*layout.get("updatemenus", ()), *layout.get("sliders", ())):  # below bigger tick labels
        pad = control.setdefault("pad", {})
        pad["t"] = round(pad.get("t", 0) * k)
    if "height" in layout:
        layout["height"] = round(layout["height"] * k)
    return figure(spec["data"], layout, spec.get("frames", ()))


class Figure(go.Figure):
    """A `go.Figure` that keeps the plain dict plotly.js reads and hands it out from `to_dict` (so `to_json` and
    `st.plotly_chart` too). Plotly's own figure, built property by property and deep-copied by its constructor
    and again by `to_dict`, cost more than the rest of a page's rerun. The builders make figures to spec, and
    the tests validate each in full with `go.Figure(fig.to_dict())`. Plotly's own properties (`fig.data`,
    `fig.layout`) stay empty: change the dict, or build that full `go.Figure`."""

    def __init__(self, spec):
        super().__init__()
        self._spec = spec

    def to_dict(self):
        return self._spec


def figure(data, layout, frames=()):
    """The `Figure` of traces `data` (dicts), `layout` and animation `frames` (dicts)."""
    return Figure({"data": list(data), "layout": layout, **({"frames": list(frames)} if frames else {})})


def _animate(names, ms):
    return dict(
        method="animate",
        args=[names, dict(mode="immediate", frame=dict(duration=ms, redraw=True), transition=dict(duration=0))],
    )


def player(names, active, unit, top=80, labels=None, prefix="showing "):
    """Layout for playing frames `names` in the browser: Play / Slow / Fast / Pause buttons and a slider
    ('{unit} {name}', or `labels`, read after `prefix`) starting at frame `active`, under a plot area that ends
    `top` pixels above them."""
    buttons = [dict(label=label, **_animate(names, ms)) for label, ms in SPEEDS]
    buttons.append(dict(label="❚❚ Pause", **_animate([None], 0)))
    return dict(
        updatemenus=[
            dict(type="buttons", direction="right", buttons=buttons, x=0, y=0, xanchor="left", yanchor="top",
                 pad=dict(t=top - 44, r=8), showactive=False)
        ],
        sliders=[
            dict(active=names.index(active), currentvalue=dict(prefix=prefix), x=0, len=1, y=0, yanchor="top",
                 pad=dict(t=top), steps=[dict(label=label, **_animate([n], 0)) for n, label in
                                         zip(names, labels or [f"{unit} {n}" for n in names], strict=True)])
        ],
    )  # fmt: skip


def shown_frame(fig):
    """The name of the frame a figure made by `player` shows first."""
    slider = fig.to_dict()["layout"]["sliders"][0]
    return slider["steps"][slider["active"]]["args"][0][0]


def same_but_shown(a, b):
    """Whether figures made by `player` differ at most in the frame they show first."""

    def unplaced(fig):
        spec = fig.to_dict()
        layout = spec["layout"]
        return spec.get("frames"), {**layout, "sliders": [{**s, "active": 0} for s in layout.get("sliders", ())]}

    return unplaced(a) == unplaced(b)


@dataclass(frozen=True)
class Row:
    """One sequence through the network: its label, colour and forward trace; for the backward pass also its
    `bptt.Flow` and dL/dy_t (T,)."""

    label: str
    color: str
    trace: object
    flow: object = None
    dy: object = None

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
    """Where each node tile sits: column i of the window, tier k (x, h, y) of row r. Rows start in the first column,
    or with `align_end` end in the last one (the backward pass: the same column is as many days back from each
    row's end)."""

    def __init__(self, rows, days, signed_log=False, align_end=False):
        self.rows, self.days, self.signed_log = rows, days, signed_log
        longest = max(row.days for row in rows)
        self.offset = [longest - row.days if align_end else 0 for row in rows]
        self.base = [-r * ROW_GAP for r in range(len(rows))]
        ys = sorted(b + k for b in self.base for k in range(3))
        self.x_edges, self.y_edges = _edges(range(len(days)), HW), _edges(ys, HH)
        self._ys = ys

    def cell(self, r, k, i):
        return self._ys.index(self.base[r] + k) * 2, i * 2

    def empty(self):
        return np.full((len(self.y_edges) - 1, len(self.x_edges) - 1), np.nan)

    def color(self, v):
        """The number a tile's colour shows: the value, or for gradients sign(v) log10(|v| / 1e-6), floored at 0."""
        if not self.signed_log:
            return v
        return float(np.sign(v) * max(0.0, np.log10(abs(v)) + 6)) if v else 0.0

    def column(self, r, d):
        """The column of row r's day d (0-based) in this window, or None when it is outside."""
        i = d + self.offset[r] - self.days[0]
        return i if 0 <= i < len(self.days) else None

    def columns(self):
        """(r, base, i, day) for every column a row has in this window."""
        for r, row in enumerate(self.rows):
            for i, c in enumerate(self.days):
                d = c - self.offset[r]
                if 0 <= d < row.days:
                    yield r, self.base[r], i, d

    def tiles(self):
        """(r, k, i, day) for every node that exists: a row has no tiles outside its days."""
        for r, _, i, d in self.columns():
            for k in range(3):
                yield r, k, i, d

    def ticks(self):
        """Each column's label: its day, or each row's day there when the rows are lined up at their end."""
        if not any(self.offset):
            return [f"day {c + 1}" for c in self.days]
        pairs = list(zip(self.rows, self.offset, strict=True))
        labels = (
            "<br>".join(f"day {c - o + 1}" if 0 <= c - o < row.days else "" for row, o in pairs) for c in self.days
        )
        return [label.removesuffix("<br>") for label in labels]


ARROW = dict(
    xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True, arrowhead=2, arrowwidth=1.4, arrowcolor="#6b7280"
)  # every arrow's style, sent once as the template's annotation defaults


def _arrow(x0, y0, x1, y1):
    return dict(x=x1, y=y1, ax=x0, ay=y0)


class Forward:
    """The forward pass: day 1 to T; tiles x_t, h_t, y_t; h_t = act(w_x x_t + w_h h_{t-1} + b)."""

    tiers = (("x", "price"), ("h", "hidden state"), ("y", "prediction"))
    backward = False
    given = 0  # the price tier: known before the network reads it

    def __init__(self, params, rows):
        self.params, self.rows = params, rows

    def value(self, r, k, d):
        tr = self.rows[r].trace
        return tr.xs[d] if k == 0 else tr.h[d, 0] if k == 1 else tr.y[d]

    def cursor(self, r, day):
        """The day row r is on when the diagram shows `day` (None once the row is done)."""
        return day if day < self.rows[r].days else None

    def known(self, d, cursor):
        return cursor is None or d <= cursor

    def equation(self, r, d):
        row = self.rows[r]
        tail = f" · y is the prediction for day {d + 2}" if d == row.days - 1 else ""
        return [f"<b>{row.label}, day {d + 1}</b>{tail}", *step_equation(self.params, row.trace, d)]

    def done(self, r):
        row = self.rows[r]
        return [f"<b>{row.label}</b> is done after {row.days} days:",
                f"its prediction for day {row.days + 1} is <b>{fmt(row.trace.y[-1])}</b>"]  # fmt: skip

    def arrows(self, grid):
        """x -> h (×w_x), h -> y (×w_y), h_{t-1} -> h_t (×w_h): the same weights on every day."""
        p, arrows, labels = self.params, [], []  # labels: (x, y, text, position)
        w_x, w_h, w_y = (fmt_weight(w) for w in (p.w_x[0], p.W_h[0, 0], p.w_y[0]))
        for r, b, i, _ in grid.columns():
            arrows += [_arrow(i, b + HH, i, b + 1 - HH), _arrow(i, b + 1 + HH, i, b + 2 - HH),
                       _arrow(i - 1 + HW if i else -0.9, b + 1, i - HW, b + 1)]  # fmt: skip
            labels += [(i + 0.04, b + 0.5, f"×{w_x}", "middle right"), (i + 0.04, b + 1.5, f"×{w_y}", "middle right")]
            if i:
                labels.append((i - 0.5, b + 1.02, f"×{w_h}", "top center"))
            else:  # the memory this window starts from, on the arrow into its first day
                d0 = grid.days[0]
                h0 = fmt(self.rows[r].trace.h[d0 - 1, 0]) if d0 else "0"
                labels.append((-0.93, b + 1.02, f"{sub('h', d0)} = {h0}", "top right"))
        return arrows, labels


class Backward:
    """The backward pass: day T back to 1; tiles dL/dx_t, dL/dh_t, dL/dy_t; rows line up at their last day.

    Each row needs `flow` (bptt.Flow) and `dy` (T,), dL/dy_t: the error of day t's prediction.
    """

    tiers = (("∂L/∂x", "price's gradient"), ("∂L/∂h", "memory's gradient"), ("∂L/∂y", "prediction's error"))
    backward = True
    given = None

    def __init__(self, params, rows):
        self.params, self.rows = params, rows
        self.longest = max(row.days for row in rows)

    def value(self, r, k, d):
        row = self.rows[r]
        return row.flow.dx[d] if k == 0 else row.flow.dh[d] if k == 1 else row.dy[d]

    def cursor(self, r, day):
        d = self.rows[r].days - (self.longest - day)  # as many days back from its own end
        return d if d >= 0 else None

    def known(self, d, cursor):
        return cursor is None or d >= cursor

    def equation(self, r, d):
        row, p = self.rows[r], self.params
        f, w_y, w_h = row.flow, fmt_weight(p.w_y[0]), fmt_weight(p.W_h[0, 0])
        dh = lambda t: sub("∂L/∂h", t)  # noqa: E731
        terms, numbers, exact = [], [], 0.0
        with np.errstate(all="ignore"):
            if row.dy[d] or d == row.days - 1:  # this day's own error, through w_y
                terms.append(f"{sub('∂L/∂y', d + 1)}·w<sub>y</sub>")
                numbers.append(f"{fmt_operand(row.dy[d])}×{w_y}")
                exact += float(row.dy[d]) * float(p.w_y[0])
            if d < row.days - 1:  # the signal from the next day, one step back
                terms.append(f"{dh(d + 2)}·act′({sub('z', d + 2)})·w<sub>h</sub>")
                numbers.append(f"{fmt_operand(f.dh[d + 1])}×{fmt_operand(f.act[d + 1])}×{w_h}")
                exact += float(f.dh[d + 1]) * float(f.act[d + 1]) * float(p.W_h[0, 0])
            exact_x = float(f.dh[d]) * float(f.act[d]) * float(p.w_x[0])
        grad_x = f"{dh(d + 1)}·act′({sub('z', d + 1)})·w<sub>x</sub>"
        grad_x_numbers = f"{fmt_operand(f.dh[d])}×{fmt_operand(f.act[d])}×{fmt_weight(p.w_x[0])}"
        return [
            f"<b>{row.label}, day {d + 1}</b>, {row.days - d - 1} days back from the end",
            f"{dh(d + 1)} = {' + '.join(terms)}",
            f"{dh(d + 1)} = {' + '.join(numbers)} = {result(exact, f.dh[d])}",
            f"{sub('∂L/∂x', d + 1)} = {grad_x} = {grad_x_numbers} = {result(exact_x, f.dx[d])}",
        ]

    def done(self, r):
        row = self.rows[r]
        return [f"<b>{row.label}</b> has reached day 1:",
                f"the error signal there is {sub('∂L/∂h', 1)} = <b>{fmt(row.flow.dh[0])}</b>"]  # fmt: skip

    def arrows(self, grid):
        """Back along the same paths: y -> h (×w_y), h -> x (×act′·w_x), h_{t+1} -> h_t (×w_h·act′(z_{t+1}))."""
        arrows, labels = [], []
        w_y = fmt_weight(self.params.w_y[0])
        for r, b, i, d in grid.columns():
            row = self.rows[r]
            arrows += [_arrow(i, b + 2 - HH, i, b + 1 + HH), _arrow(i, b + 1 - HH, i, b + HH)]
            labels.append((i + 0.04, b + 1.5, f"×{w_y}", "middle right"))
            if d + 1 < row.days:  # the step back from day d + 2, and the factor it multiplies by
                last_column = i + 1 == len(grid.days)
                arrows.append(_arrow(i + 1 - HW if not last_column else i + 0.9, b + 1, i + HW, b + 1))
                labels.append((i + 0.5, b + 1.02, f"×{fmt_operand(row.flow.factor[d + 1])}", "top center"))
        return arrows, labels


def _scale(values):
    finite = [abs(v) for v in values if np.isfinite(v)]
    return max([1.0, *finite]) if finite else 1.0


def _fitted(number):
    """A tile's number, smaller when it is long (−1.4e−4), so that it stays inside its tile."""
    if len(number) <= 6:
        return number
    return f"<span style='font-size:{0.85 if len(number) == 7 else 0.75}em'>{number}</span>"


class _Tiles:
    """Every node tile's place, colour value and text (as known, and before it is known), worked out once for
    all the frames: a frame only picks which tiles are known on its day."""

    def __init__(self, grid, view, scale):
        self.grid, self.view, self.scale = grid, view, scale
        self.where, cells, colors, self.known_text, self.unknown_text = [], [], [], [], []
        for r, k, i, d in grid.tiles():
            v = view.value(r, k, d)
            c = grid.color(v)
            strong = not abs(c) <= 0.6 * scale  # on a dark tile (or overflow): white text
            label, shown = sub(view.tiers[k][0], d + 1), _fitted(fmt(v))
            self.where.append((r, d))
            cells.append(grid.cell(r, k, i))
            colors.append(c if np.isfinite(v) else np.nan)
            self.known_text.append(
                f"<span style='color:{'white' if strong else FONT['color']}'>{label}<br><b>{shown}</b></span>"
            )
            self.unknown_text.append(
                f"<span style='color:#9aa0a6'>{label}<br><b>{shown if k == view.given else '?'}</b></span>"
            )
        self.rows, self.cols = np.array(cells, dtype=np.intp).reshape(-1, 2).T
        self.colors = np.array(colors, dtype=np.float64)
        self.finite = np.isfinite(self.colors)

    def frame(self, day):
        """What changes with the day shown, as [values, overflow tiles, tile text and equations, highlight]."""
        grid, view, scale = self.grid, self.view, self.scale
        cursors = [view.cursor(r, day) for r in range(len(grid.rows))]
        known = np.array([view.known(d, cursors[r]) for r, d in self.where], dtype=bool)
        values = grid.empty()
        bad = np.zeros(values.shape, dtype=np.uint8)
        lit, over = known & self.finite, known & ~self.finite
        values[self.rows[lit], self.cols[lit]] = self.colors[lit]
        bad[self.rows[over], self.cols[over]] = 1
        text = [a if k else b for a, b, k in zip(self.known_text, self.unknown_text, known.tolist(), strict=True)]
        hx, hy, eqs = [], [], []
        for r, cursor in enumerate(cursors):
            i = None if cursor is None else grid.column(r, cursor)
            if i is None:
                eqs.append("<br>".join(view.done(r)) if cursor is None else "")
                continue
            b = grid.base[r]
            x0, x1, y0, y1 = i - HW - 0.1, i + HW + 0.1, b - HH - 0.1, b + 2 + HH + 0.1
            hx += [x0, x1, x1, x0, x0, None]
            hy += [y0, y0, y1, y1, y0, None]
            eqs.append("<br>".join(view.equation(r, cursor)))
        return [
            dict(type="heatmap", z=typed(values), zmin=-scale, zmax=scale),  # float64: colours up to 1e308
            dict(type="heatmap", z=typed(bad)),
            dict(type="scatter", text=text + eqs),  # each tile's text, then each row's equation
            dict(type="scatter", x=hx, y=hy),
        ]


def unrolled(params, rows, step, view=Forward):
    """The unrolled network (one set of weights) for each row, animated day by day within the window of `step`.

    `view` is `Forward` (day 1 to T: the values) or `Backward` (day T back to 1: the gradients).
    """
    view = view(params, rows)
    days = list(window_of(step, max(r.days for r in rows)))
    grid = _Grid(rows, days, signed_log=view.backward, align_end=view.backward)
    magnitudes = [view.value(r, k, d) for r, k, i, d in grid.tiles()]
    scale = _scale([grid.color(v) for v in magnitudes])
    step = min(max(step, days[0]), days[-1])
    background = grid.empty()
    for r, k, i, _ in grid.tiles():
        background[grid.cell(r, k, i)] = 1
    arrows, labels = view.arrows(grid)
    lx, ly, ltext, lposition = zip(*labels, strict=True)
    weight_labels = dict(type="scatter", x=typed(lx), y=typed(ly), text=ltext, textposition=lposition, mode="text",
                         hoverinfo="skip", textfont=dict(size=11, color="#4b5563"), showlegend=False)  # fmt: skip
    tiles = dict(x=typed(grid.x_edges), y=typed(grid.y_edges), hoverinfo="skip", showscale=False)
    tile_x, tile_y = zip(*((i, grid.base[r] + k) for r, k, i, _ in grid.tiles()), strict=True)
    style = [  # what the frames never change
        dict(colorscale=NODE_SCALE, zmid=0, **tiles),
        dict(colorscale=[[0, "rgba(0,0,0,0)"], [1, OVERFLOW]], zmin=0, zmax=1, **tiles),
        dict(x=typed([*tile_x, *[-0.95] * len(rows)]), y=typed([*tile_y, *(b + 2.38 for b in grid.base)]),
             name="labels", mode="text", textposition=["middle center"] * len(tile_x) + ["top right"] * len(rows),
             hoverinfo="skip", textfont=dict(size=typed([12] * len(tile_x) + [13] * len(rows), np.uint8)),
             showlegend=False),
        dict(mode="lines", line=dict(color=HIGHLIGHT, width=3), hoverinfo="skip", showlegend=False),
    ]  # fmt: skip
    background = dict(type="heatmap", z=typed(background, np.float32), colorscale=[[0, UNKNOWN], [1, UNKNOWN]], **tiles)
    tiles_of = _Tiles(grid, view, scale)
    by_day = {d: tiles_of.frame(d) for d in days}  # the day shown first is one of the frames
    current = by_day[step]
    data = [background, *({**t, **s} for t, s in zip(current, style, strict=True)), weight_labels]
    overflow = not all(np.isfinite(magnitudes))
    animated = [1, 2, 3, 4] if overflow else [1, 3, 4]  # overflow tiles animate only when there are some
    order = days[::-1] if view.backward else days
    frames = [dict(name=str(d + 1), data=[by_day[d][i - 1] for i in animated], traces=animated) for d in order]

    names = [f["name"] for f in frames]
    longest = max(r.days for r in rows)
    if view.backward:  # counted back from each row's end, as the rows line up
        labels = dict(labels=[str(longest - int(n)) for n in names], prefix="days back from the end: ")
    else:  # short labels: twelve of them fit a phone
        labels = dict(labels=names, prefix="showing day ")
    layout = dict(
        **{**LIGHT, "template": dict(data={}, layout=dict(annotationdefaults=ARROW))},
        height=120 + 350 * len(rows),
        margin=dict(l=8, r=8, t=8, b=8),
        annotations=arrows,
        showlegend=False,
        hovermode="closest",
        xaxis=dict(
            range=[-0.95, len(days) - 0.45],
            tickvals=list(range(len(days))),
            showgrid=False,
            ticktext=grid.ticks(),
            zeroline=False,
            fixedrange=True,
        ),
        yaxis=dict(
            range=[grid.base[-1] - 0.5, 3.4],
            tickvals=[b + k for b in grid.base for k in range(3)],
            ticktext=[sub(name, "t") for b in grid.base for name, _ in view.tiers],
            showgrid=False,
            zeroline=False,
            fixedrange=True,
            automargin=True,
        ),
        **player(names, str(step + 1), "day", **labels),
    )
    return figure(data, layout, frames)


def over_time(rows, step=None):
    """Price, hidden state and prediction (y_t drawn at day t+1) over every day; the diagram's window shaded."""
    data, shapes, notes, stars = [], [], [], []
    for row in rows:
        tr, days = row.trace, np.arange(1, row.days + 1)
        x, tomorrow = typed(days), typed(days + 1)
        line = dict(mode="lines+markers" if row.days <= 200 else "lines", legendgroup=row.label, type="scatter")
        finite = lambda a: np.where(np.isfinite(a), a, np.nan)  # noqa: E731  (plotly cannot draw inf)
        data += [
            dict(x=x, y=typed(tr.xs), name=f"{row.label}: price x<sub>t</sub>", line=dict(color=row.color, width=2.5)),
            dict(x=x, y=typed(finite(tr.h[:, 0])), name=f"{row.label}: hidden state h<sub>t</sub>",
                 line=dict(color=row.color, width=1.5, dash="dot")),
            dict(x=tomorrow, y=typed(finite(tr.y)), name=f"{row.label}: prediction y<sub>t</sub>, drawn at day t+1",
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
        xaxis=dict(title=dict(text="day"), showgrid=True, gridcolor="#eef0f3", zeroline=False, automargin=True),
        yaxis=dict(title=dict(text=scale), showgrid=True, gridcolor="#eef0f3", zeroline=False, automargin=True),
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), hovermode="x unified",
    )  # fmt: skip
    return figure(data, layout)
