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


LINE_WIDTH = 2.5  # px, the thinnest line a projector shows: a 1 px dotted line is gone from the back of a room


def _wide(line):
    """A line (a trace's or a shape's) at least LINE_WIDTH wide; a width of 0 (no line, on purpose) stays."""
    width = line.get("width")
    if width is None or 0 < width < LINE_WIDTH:
        line["width"] = LINE_WIDTH


def widened(spec):
    """Every trace's line (frames' too) and every shape's line in a figure's JSON at least LINE_WIDTH, in place."""
    for trace in spec["data"]:  # a scatter without a mode draws lines when it has many points
        drawn = trace.get("mode", "lines" if trace.get("type", "scatter").startswith("scatter") else "")
        if "line" in trace or "lines" in drawn:
            _wide(trace.setdefault("line", {}))
    for trace in (t for frame in spec.get("frames", ()) for t in frame.get("data", ()) if "line" in t):
        _wide(trace["line"])
    for shape in spec["layout"].get("shapes", ()):
        if shape.get("type") in ("line", "path", None) or "line" in shape:
            _wide(shape.setdefault("line", {}))


def readable(fig, k=PROJECTOR):
    """`fig` for a projector (a new figure; `fig` is left as it was): the legend, the hover labels, annotations,
    axes of every kind, colour bars, a trace's own text and the play controls all sized, then k times bigger;
    every line at least LINE_WIDTH."""
    spec = copy.deepcopy(fig.to_dict())
    widened(spec)
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


# High contrast (dark) for projectors: a near-black page, white text; every colour of a chart made readable on it.
BACKGROUND, TEXT = "#0e1117", "#ffffff"  # the background is Streamlit's dark one
GRID, AXIS_LINE = "#8a8a8a", "#d0d0d0"  # 5.5 : 1 and 12.3 : 1 on the background (WCAG: lines need 3 : 1)
TEXT_RATIO, LINE_RATIO = 4.5, 3.0  # WCAG 2: text; lines and other graphics
NAMED = {"white": "#ffffff", "black": "#000000", "gray": "#808080", "grey": "#808080", "lightgray": "#d3d3d3",
         "lightgrey": "#d3d3d3", "darkgray": "#a9a9a9", "darkgrey": "#a9a9a9", "silver": "#c0c0c0"}  # fmt: skip
NEUTRAL = 0.2  # a colour whose channels differ less than this (of 1) is a grey: it is inverted, not lightened


def rgba(colour):
    """'#rgb', '#rrggbb', 'rgb(...)', 'rgba(...)' or a grey's name -> (r, g, b in 0..255, alpha); None otherwise."""
    c = NAMED.get(colour.strip().lower(), colour.strip().lower())
    if c.startswith("#") and len(c) in (4, 7):
        h = c[1:] if len(c) == 7 else "".join(d * 2 for d in c[1:])
        try:
            return (*(int(h[i : i + 2], 16) for i in (0, 2, 4)), 1.0)
        except ValueError:
            return None
    if c.startswith(("rgb(", "rgba(")) and c.endswith(")"):
        try:
            parts = [float(p) for p in c[c.index("(") + 1 : -1].split(",")]
        except ValueError:
            return None
        if len(parts) in (3, 4):
            return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)
    return None


def luminance(rgb):
    """WCAG 2's relative luminance of (r, g, b) in 0..255."""
    lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(colour, background=BACKGROUND):
    """WCAG 2's contrast ratio (1 to 21) of `colour` drawn on `background`, a translucent colour blended onto it."""
    r, g, b, a = rgba(colour)
    bg = rgba(background)[:3]
    seen = [a * c + (1 - a) * d for c, d in zip((r, g, b), bg, strict=True)]
    hi, lo = sorted((luminance(seen), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _css(r, g, b, a):
    r, g, b = (round(min(255, max(0, c))) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}" if a >= 1 else f"rgba({r},{g},{b},{a:g})"


def on_dark(colour, ratio=LINE_RATIO):
    """`colour` readable on the dark background at `ratio` at least: a grey inverted (black -> white), any other
    colour (Okabe-Ito's hues) mixed with white just enough, so hues stay apart. Not a colour: as it was."""
    parsed = rgba(colour) if isinstance(colour, str) else None
    if parsed is None:
        return colour
    r, g, b, a = parsed
    if max(r, g, b) - min(r, g, b) < NEUTRAL * 255:
        r, g, b = 255 - r, 255 - g, 255 - b
    a = max(a, 0.85)  # a faint line is not seen from the back
    for step in range(21):
        t = step / 20
        mixed = _css(r + (255 - r) * t, g + (255 - g) * t, b + (255 - b) * t, a)
        if contrast(mixed) >= ratio:
            return mixed
    return TEXT


def _filled(colour):
    """An area's fill on the dark background: a grey inverted (a light band stays a faint one), a hue as it was."""
    parsed = rgba(colour) if isinstance(colour, str) else None
    if parsed is None or max(parsed[:3]) - min(parsed[:3]) >= NEUTRAL * 255:
        return colour
    return _css(*(255 - c for c in parsed[:3]), parsed[3])


def _backdrop(colour):
    """A background colour (a legend's, an annotation's) as the dark background, its transparency kept."""
    parsed = rgba(colour) if isinstance(colour, str) else None
    return colour if parsed is None else _css(*rgba(BACKGROUND)[:3], parsed[3])


def _recoloured(node, text=False):
    """Every colour in a figure's JSON, in place: backgrounds dark, fills faint, text (under a *font) and every line
    and mark readable."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("bgcolor"):
                node[key] = _backdrop(value) if isinstance(value, str) else value
            elif key == "fillcolor":
                node[key] = _filled(value)
            elif key.endswith("color") and not key.endswith("colorscale"):
                ratio = TEXT_RATIO if text else LINE_RATIO
                if isinstance(value, str):
                    node[key] = on_dark(value, ratio)
                elif isinstance(value, list):
                    node[key] = [on_dark(v, ratio) for v in value]
                else:
                    _recoloured(value, text)
            else:
                _recoloured(value, text or key.endswith("font"))
    elif isinstance(node, list):
        for value in node:
            _recoloured(value, text)


def _lettered(node, key="font"):
    """node's text white unless the figure gave it a colour (Streamlit's theme would draw it grey)."""
    node.setdefault(key, {}).setdefault("color", TEXT)


def _titled(node):
    """node's title (text or dict) in white."""
    title = node.get("title")
    if isinstance(title, str):
        node["title"] = title = {"text": title}
    if isinstance(title, dict):
        _lettered(title)


def _dark_bar(bar):
    _lettered(bar, "tickfont")
    _titled(bar)


def _dark_axis(axis):
    for key, colour in dict(gridcolor=GRID, linecolor=AXIS_LINE, zerolinecolor=AXIS_LINE, tickcolor=AXIS_LINE).items():
        axis.setdefault(key, colour)
    _lettered(axis, "tickfont")
    _titled(axis)


def dark(fig):
    """`fig` in high contrast for a projector (a new figure; `fig` is left as it was): black paper and plot area,
    white text, light grid and axis lines on every axis, and every colour it names readable on black (text at
    4.5 : 1, lines and marks at 3 : 1, WCAG 2), data colours keeping their colour-blind-safe hues, every line at
    least LINE_WIDTH."""
    spec = copy.deepcopy(fig.to_dict())
    _recoloured(spec)
    widened(spec)
    layout = spec["layout"]
    layout.update(paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND)
    layout.setdefault("font", {})["color"] = TEXT
    for name in ("xaxis", "yaxis", *(n for n in layout if n.startswith(AXES) and n not in ("xaxis", "yaxis"))):
        if isinstance(layout.setdefault(name, {}), dict):
            _dark_axis(layout[name])
    for name, value in layout.items():
        if name.startswith(SUBPLOTS) and isinstance(value, dict):
            value.setdefault("bgcolor", BACKGROUND)
            for inner, axis in value.items():
                if inner.startswith(AXES) and isinstance(axis, dict):
                    _dark_axis(axis)
        elif name.startswith("coloraxis") and isinstance(value, dict):
            _dark_bar(value.setdefault("colorbar", {}))
    legend = layout.setdefault("legend", {})
    legend.setdefault("bgcolor", "rgba(0,0,0,0)")
    _lettered(legend)
    _titled(legend)
    _titled(layout)
    hover = layout.setdefault("hoverlabel", {})
    hover.setdefault("bgcolor", "#1a1a1a")
    _lettered(hover)
    for note in layout.get("annotations", ()):
        _lettered(note)
    for control in (*layout.get("updatemenus", ()), *layout.get("sliders", ())):
        control.setdefault("bgcolor", "#333333")
        control.setdefault("bordercolor", AXIS_LINE)
        _lettered(control)
        if "currentvalue" in control:
            _lettered(control["currentvalue"])
    for trace in spec["data"]:
        for holder in (trace, trace.get("marker") or {}):
            if isinstance(holder.get("colorbar"), dict) or (holder is trace and trace.get("type") == "heatmap"):
                _dark_bar(holder.setdefault("colorbar", {}))
    return figure(spec["data"], layout, spec.get("frames", ()))


def shown(fig, present=False, high_contrast=False):
    """`fig` as a page draws it: bigger when presenting (`readable`), dark in high contrast (`dark`)."""
    fig = readable(fig) if present else fig
    return dark(fig) if high_contrast else fig
