"""Gradients: backpropagation through time, watched step by step, until vanishing and exploding are obvious."""

import streamlit as st

from simulator.figures import Backward, unrolled
from simulator.gradient_figures import clipping, magnitudes, profiles
from simulator.gradients import (
    PARAMETERS,
    backprop,
    clipping_summary,
    forward_overflow,
    headline,
    precision_note,
    turn,
)
from simulator.tables import backward
from simulator.tables import clipping as clipping_table
from ui import controls
from ui.entry import require_entry_point

require_entry_point()

controls.top("gradients")
st.title("Backpropagation through time")
st.markdown(
    "To learn, the network sends its error back from tomorrow's prediction to day 1. Each day back multiplies "
    "the signal by the same kind of factor, **w_h × act′(z)**: below 1 it fades away (vanishing), above 1 it "
    "blows up (exploding). Press **▶ Play** to watch it travel back."
)

with st.sidebar:
    controls.preset_picker("gradients")
params, rows, settings = controls.sidebar(extra=("Backpropagation", controls.gradient_settings))
passes = [backprop(params, row, **settings) for row in rows]

for bp in passes:
    st.markdown(headline(bp), unsafe_allow_html=True)
    if note := precision_note(bp):
        st.info(note, icon="🔬")
    if note := forward_overflow(bp):
        st.warning(note, icon="💥")

day, follow = controls.day_picker(max(row.days for row in rows), name="back", start="first")
numbers = backward([bp.row for bp in passes])
controls.chart(
    unrolled(params, [bp.row for bp in passes], day, view=Backward),
    key="backward",
    numbers=numbers,
    on_frame=follow,
    alt="The backward pass unrolled: for each day the error of the prediction, the gradient reaching the memory "
    "h and the gradient of the price, computed from the last day back to the first.",
)
st.caption(
    "Read right to left: each arrow back multiplies by the factor on it (w_h × the activation's slope that day). "
    "Tile colour is the sign and the order of magnitude; grey is not reached yet; black is overflow."
)

st.subheader("How big is the gradient on each day?")
controls.chart(
    magnitudes([bp.row for bp in passes], [bp.flow for bp in passes], [bp.reach for bp in passes]),
    key="magnitudes",
    alt="Log-scale chart of the gradient's size on each day: the signal reaching the memory, the price's "
    "gradient, each day's share of the weight gradients, and the product of factors back to day 0.",
    numbers=numbers,
)
st.caption(
    "Each step up on this axis is ten times bigger. A straight slope means the same factor every day: "
    "downhill towards day 1 is a vanishing gradient, uphill an exploding one, and the days whose shares sit "
    "far below the rest do not drive the weight update."
)

if len(passes) > 1:
    st.subheader("Same weights, 9 days and 5 days")
    controls.chart(
        profiles([bp.row for bp in passes], [bp.flow for bp in passes]),
        key="profiles",
        numbers=numbers,
        alt="The gradient reaching each day, counted in days before the end, for both companies.",
    )

st.subheader("Clipping")
if settings["clip"] == "none":
    st.markdown(
        "Clipping is off: a weight update would use these gradients as they are "
        f"({', '.join(clipping_summary(bp) for bp in passes)}). Choose *by global norm* or *by value* in the "
        "sidebar to see what clipping keeps of an exploding gradient."
    )
for bp in passes if settings["clip"] != "none" else []:
    st.markdown(f"**{bp.row.label}**")
    controls.chart(
        clipping(bp.raw, bp.clipped, PARAMETERS, settings["clip"], settings["clip_at"]),
        key=f"clipping-{bp.row.label}",
        alt=f"{bp.row.label}: the raw and the clipped gradient of each weight, side by side.",
        numbers=clipping_table(bp.raw, bp.clipped, PARAMETERS),
    )
    st.caption(
        "Clipping by global norm shrinks the whole gradient and keeps its direction (d2l.ai); clipping by value "
        f"caps each weight's gradient at ± the threshold, as min-char-rnn does, which can turn the step {turn(bp)}."
    )
