"""Figures for slides: a PNG and an SVG button under each chart and the diagram, made in the browser (plotly.js's own
export for a chart, an SVG of the diagram's HTML for the diagram; no kaleido, no network). JS and CSS in
`ui/download/`."""

import re
from pathlib import Path

import streamlit as st

FILES = Path(__file__).with_suffix("")
_component = st.components.v2.component(
    "unrolled.download",
    js=(FILES / "download.js").read_text(encoding="utf-8"),
    css=(FILES / "download.css").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def element_class(key):
    """The class Streamlit gives the element of widget or chart `key`."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def buttons(key, what="this chart"):
    """The PNG and SVG buttons for the chart or diagram drawn under `key`."""
    filename = "unrolled-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)
    _component(key=f"{key}·download", data={"target": f".{element_class(key)}", "filename": filename, "what": what})
