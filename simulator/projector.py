"""Presenter mode's figures, readable from the back of a room: every text in a chart grows with the page's.

Plotly draws a legend, a colour bar, an annotation or a bar's text at `layout.font.size` only when nothing else
sets it, and Streamlit's theme sets its own (12 px) for several of them; so each gets an explicit size first, then
`figures.projected` makes every font and the figure's height `k` times bigger.
"""

import copy

from .figures import FONT, PROJECTOR, figure, projected

AXES = ("xaxis", "yaxis", "zaxis", "radialaxis", "angularaxis", "aaxis", "baxis", "caxis")
SUBPLOTS = ("polar", "scene", "ternary")


def _sized(node, size):
    """node['font'] (or node itself when it is a font) with a size, the one it had if any."""
    node.setdefault("size", size)


def _axis(axis, size):
    _sized(axis.setdefault("tickfont", {}), size)
    if isinstance(axis.get("title"), dict):
        _sized(axis["title"].setdefault("font", {}), size)


def _colorbar(bar, size):
    _axis(bar, size)  # a colour bar has tick labels and a title, as an axis has


def readable(fig, k=PROJECTOR):
    """`fig` for a projector (a new figure; `fig` is left as it was): the legend, the hover labels, annotations,
    axes of every kind, colour bars, a trace's own text and the play controls all sized, then k times bigger."""
    spec = copy.deepcopy(fig.to_dict())
    layout = spec["layout"]
    size = layout.setdefault("font", {}).setdefault("size", FONT["size"])
    _sized(layout.setdefault("legend", {}).setdefault("font", {}), size)
    _sized(layout.setdefault("hoverlabel", {}).setdefault("font", {}), size)
    for note in layout.get("annotations", ()):
        _sized(note.setdefault("font", {}), size)
    for control in (*layout.get("updatemenus", ()), *layout.get("sliders", ())):
        _sized(control.setdefault("font", {}), size)
    for name, value in layout.items():
        if not isinstance(value, dict):
            continue
        if name.startswith(AXES):
            _axis(value, size)
        elif name.startswith(SUBPLOTS):
            for inner, axis in value.items():
                if inner.startswith(AXES) and isinstance(axis, dict):
                    _axis(axis, size)
        elif name.startswith("coloraxis") and isinstance(value.get("colorbar"), dict):
            _colorbar(value["colorbar"], size)
    for trace in spec["data"]:
        for holder in (trace, trace.get("marker") or {}):
            if isinstance(holder.get("colorbar"), dict) or (holder is trace and trace.get("type") == "heatmap"):
                _colorbar(holder.setdefault("colorbar", {}), size)
        if "text" in trace or "texttemplate" in trace:
            _sized(trace.setdefault("textfont", {}), size)
    return projected(figure(spec["data"], layout, spec.get("frames", ())), k)
