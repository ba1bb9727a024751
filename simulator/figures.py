"""What every figure builder shares: plotly's typed arrays (`binary`), the light `Figure`, frames played in the
browser (`player`), presenter mode's bigger fonts (`projected`) and the diagram's window of days. Pure: tests
inspect figures without Streamlit. The unrolled diagram is not a plotly figure: `simulator.diagram` sends its
numbers to the component in `ui/diagram/`.
"""

import base64
import copy

import numpy as np
import plotly.graph_objects as go

from .diagram import WINDOW

SPEEDS = (("▶ Play", 700), ("▶ Slow", 1500), ("▶▶ Fast", 250))  # label, milliseconds per day
OVERFLOW, HIGHLIGHT = "#2b2b2b", "#E69F00"
FONT = dict(family="Source Sans Pro, system-ui, sans-serif", size=13, color="#262730")
LIGHT = dict(template=dict(data={}, layout={}), paper_bgcolor="white", plot_bgcolor="white", font=FONT)
# the names of plotly's typed arrays, keyed by dtype (looking up dtype.name costs 10x more)
PLOTLY_DTYPES = {np.dtype(t): t[1:] for t in ("<f8", "<f4", "<i4", "<u4", "<i2", "<u2", "|i1", "|u1")}


def binary(values, dtype=None):
    """Numbers as the base64 typed array plotly sends ({dtype, bdata: base64, shape}), built here: plotly's own
    conversion in `Figure.to_dict` costs ~0.2 ms per numpy array (it first asks every dataframe library),
    and a list costs ~1 µs per element. 64-bit integers shrink to the smallest type that holds them, as plotly's
    do (plotly.js has no 64-bit integers); a list is sent when none does."""
    a = np.ascontiguousarray(values, dtype=dtype)
    if a.dtype.kind in "iu" and a.itemsize == 8 and a.size:
        small = (np.uint8, np.uint16, np.uint32) if a.dtype.kind == "u" else (np.int8, np.int16, np.int32)
        lo, hi = a.min(), a.max()
        a = next((a.astype(t) for t in small if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max), a)
    if not a.size or a.dtype not in PLOTLY_DTYPES:
        return a.tolist()
    spec = {"dtype": PLOTLY_DTYPES[a.dtype], "bdata": base64.b64encode(a).decode("ascii")}
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
                node["size"] = binary(np.round(size * k).astype(np.uint8))
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
        super().__init__(layout={"template": "none"})  # plotly's default template took 1.9 ms a figure to build
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


def window_of(step, days):
    """The days (0-based range) of the diagram window that holds day `step` (0-based)."""
    start = step // WINDOW * WINDOW
    return range(start, min(start + WINDOW, days))
