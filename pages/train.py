"""Train: gradient descent or Adam through time, on the whole series or on windows of it, for any cell; on real,
typed and uploaded prices, replayed epoch by epoch."""

import streamlit as st

from simulator.tables import markdown, training_table
from simulator.train_page import (
    baseline,
    caption,
    carried,
    compared,
    figure,
    headline,
    prediction,
    radius_said,
    start_said,
    steps_said,
    weights_table,
)
from ui import ask, present, train_controls
from ui.charts import chart
from ui.entry import require_entry_point
from ui.header import top

require_entry_point()

top("train")
st.title("Train it")
st.markdown(
    "Training nudges the network's weights, epoch after epoch, against the gradient that backpropagation through "
    "time computes, so that each prediction y moves towards the next price. Pick the data, the network and the "
    f"settings {present.where(in_bar=False)}, then press **▶ Play** to replay the run."
)

with st.sidebar:
    ask.toggle()
setup = train_controls.sidebar()
if setup is None:
    st.info(f"Upload a CSV file {present.where(in_bar=False)}: one column of prices, or a table with a date and a "
            "price column.")  # fmt: skip
    st.stop()

run = train_controls.cached_run(setup)
beside = train_controls.cached_run(other) if (other := baseline(setup)) else None
answered = bool(ask.shown("train", (setup, run)))  # Ask first: the run's results wait for the reveal
if answered:
    st.markdown(headline(setup, run))
if setup.epochs < setup.settings["epochs"]:
    st.caption(f"Trained {setup.epochs:,} epochs, not {setup.settings['epochs']:,}: a run stays near a second.")
if said := start_said(setup):
    st.caption(said)
if not answered:
    st.stop()

st.caption(steps_said(setup, run))
epoch, follow = train_controls.epoch_shown(run)
chart(
    figure(setup, run, epoch, beside),
    key="training",
    numbers=training_table(run),
    on_frame=follow,
    alt="The training run: the prices with the network's prediction for each next price, the loss per epoch, the "
    "weights (or each weight's norm) per epoch, and a heatmap of the gradient reaching each price in each epoch; "
    "press Play to replay.",
)
st.caption(caption(setup))
if beside:
    st.markdown(compared(setup, run, beside))
st.markdown(prediction(setup, run))

st.subheader("The weights")
st.markdown(markdown(weights_table(setup, run)))
left, middle, right = st.columns(3)
train_controls.download(right, setup, run)
values, notices = carried(setup, run)
them = "them" if run.one_unit else "the prices"
train_controls.show_on(left, "pages/unroll.py", f"Show {them} on Unroll", ":material/view_week:", values)
train_controls.show_on(middle, "pages/gradients.py", f"Show {them} on Gradients", ":material/trending_down:", values)
for notice in notices:
    st.caption(f":material/warning: {notice}" if run.one_unit else notice)
if message := train_controls.load_weights():
    kind, text = message
    (st.error if kind == "error" else st.success)(text)

st.subheader("What to notice")
too_big, vanishing = train_controls.what_to_notice()
st.markdown(
    "- **Learning is small steps.** Each step moves every weight a little against its gradient; the loss curve "
    "flattens as the prediction line settles onto the prices.\n"
    f"{too_big}\n{vanishing}\n{radius_said(setup, run)}"
)
