"""Gradients: backpropagation through time, watched step by step, until vanishing and exploding are obvious."""

import streamlit as st

from simulator import diagram
from simulator.explain import network_note
from simulator.gradient_figures import clipping_chart, magnitudes, profiles
from simulator.gradients import (
    backprop,
    chain_rule,
    clipping_caption,
    clipping_summary,
    explosion,
    forget_note,
    forward_overflow,
    headline,
    precision_note,
    shown_days,
    weights_of,
    window_note,
)
from simulator.tables import backward_table, clipping_table
from ui import ask, present
from ui.charts import chart
from ui.diagram import day_shown, show
from ui.entry import require_entry_point
from ui.header import top
from ui.scenarios import preset_picker
from ui.sidebar import gradient_settings, sidebar

require_entry_point()

top("gradients")
st.title("Backpropagation through time")
with st.sidebar:
    ask.toggle()
    preset_picker("gradients")
params, rows, settings = sidebar(extra=("Backpropagation", gradient_settings), cells=True)
cell = diagram.cell_of(params)
one = cell == "rnn" and params.n == 1
errors = "tomorrow's prediction" if settings["loss"] == "last" else "every day's prediction, each from its own day,"
if one:
    st.markdown(
        f"To learn, the network sends its error back from {errors} to day 1. Each day back multiplies "
        "the signal by the same kind of factor, **w_h × act′(z)**: below 1 it fades away (vanishing), above 1 it "
        "blows up (exploding). Press **▶ Play** to watch it travel back."
    )
else:
    st.markdown(
        f"To learn, the network sends its error back from {errors} to day 1. Each day back multiplies "
        "the whole gradient, one number a unit, by a matrix, the transposed **step Jacobian J_t**, which can make it "
        "at most **‖J_t‖** times bigger: when that stays below 1 the gradient fades away (vanishing); above 1 it may "
        "blow up (exploding)."
        + (
            " The LSTM's long-term memory C has a second path back, the cell path, where each day multiplies only "
            "by the forget gate **f_t**."
            if cell == "lstm"
            else ""
        )
        + " Press **▶ Play** to watch it travel back."
    )
st.caption(network_note(cell, params.n, present.where(), present.where(in_bar=False)))
passes = [backprop(params, row, **settings) for row in rows]

answered = ask.shown("gradients", passes)  # Ask first: the gradients wait for the reveal
for bp in answered:
    st.markdown(headline(bp), unsafe_allow_html=True)
    if note := precision_note(bp):
        st.info(note, icon=":material/memory:")
    if note := forward_overflow(bp):
        st.warning(note, icon=":material/warning:")
    elif note := explosion(bp):
        st.warning(note, icon=":material/trending_up:")
if note := forget_note(passes[0]):
    st.markdown(note)

longest = max(row.days for row in rows)
day = day_shown("back", longest, 1) - 1
numbers = backward_table([bp.row for bp in passes])
show(
    diagram.backward(params, [bp.row for bp in passes], day + 1, hidden=not answered),
    key="backward",
    name="back",
    first=1,
    alt="The backward pass unrolled: for each day the error of the prediction and the gradient reaching the memory "
    "h, computed from the last day back to the first, with what each step back multiplies by.",
    numbers=numbers if answered else None,
    asking=ask.about("gradients", passes),
)
st.caption(
    (
        "Read right to left: each arrow back multiplies by the factor on it (w_h × the activation's slope that day). "
        if one
        else "Read right to left: the arrow on the last ∂L/∂h row is ‖J_t‖, the most that step back can multiply the "
        "gradient's size by"
        + ("; on the ∂L/∂C rows it is each unit's forget gate f_t, the cell path. " if cell == "lstm" else ". ")
    )
    + "The rows line up at their last day, so a column is as many days back from the end in each. "
    "Tile colour is the sign and the order of magnitude; grey is not reached yet; hatched black is overflow. "
    "Click a tile for its equation with the real numbers."
    + (" With more than 8 units each day is a strip of cells, one a unit." if params.n > diagram.STRIP else "")
)
if not answered:
    st.caption("The chain rule, the charts and clipping wait for the reveal too.")
    st.stop()
for bp in passes:
    if note := window_note(bp, day, longest):
        st.markdown(note)

st.subheader("The chain rule, one step a line")
for tab, bp in zip(st.tabs([bp.row.label for bp in passes]), passes, strict=True):
    with tab:
        st.markdown("  \n".join(chain_rule(bp, day, longest)), unsafe_allow_html=True)

st.subheader("How big is the gradient on each day?")
chart(
    magnitudes(
        [bp.row for bp in passes],
        [bp.flow for bp in passes],
        [bp.reach for bp in passes],
        shown_days(passes[0], day, longest),
    ),
    key="magnitudes",
    alt="Log-scale chart of the gradient's size on each day: the error reaching the memory, the price's gradient, "
    + (
        "each day's part of w_h's gradient, and the product of the factors back to that day."
        if one
        else "and, for the LSTM, the error reaching the long-term memory and the product of the forget gates."
    ),
    numbers=numbers,
)
st.caption(
    "Each step up on this axis is ten times bigger. A straight slope means the same factor every day: "
    "downhill towards day 1 is a vanishing gradient, uphill an exploding one, and the days whose parts sit "
    "far below the rest do not drive the weight update. Click a line's name to hide or show that kind of line."
)

if len(passes) > 1:
    st.subheader("Same weights, 9 days and 5 days")
    chart(
        profiles([bp.row for bp in passes], [bp.flow for bp in passes]),
        key="profiles",
        numbers=numbers,
        alt="The gradient reaching each day, counted in days before the end, for both companies.",
    )

st.subheader("Clipping")
if settings["clip"] == "none":
    st.markdown(
        "Clipping is off: a weight update would use these gradients as they are "
        f"({', '.join(clipping_summary(bp) for bp in passes)}). Choose *by global norm* or *by value* "
        f"{present.where(in_bar=False)} to see what clipping keeps of an exploding gradient."
    )
for bp in passes if settings["clip"] != "none" else []:
    st.markdown(f"**{bp.row.label}**")
    chart(
        clipping_chart(bp.raw, bp.clipped, weights_of(bp), settings["clip"], settings["clip_at"]),
        key=f"clipping-{bp.row.label}",
        alt=f"{bp.row.label}: the raw and the clipped gradient of each weight, side by side.",
        numbers=clipping_table(bp.raw, bp.clipped, weights_of(bp)),
    )
    st.caption(clipping_caption(bp, settings["clip"]))
