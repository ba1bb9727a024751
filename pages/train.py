"""Train: gradient descent through time on real, typed and uploaded prices, replayed epoch by epoch."""

import streamlit as st

from simulator.explain import fmt
from simulator.tables import markdown, training
from simulator.train import NAMES
from simulator.training import caption, carried, figure, headline, prediction
from simulator.upload import weights_json
from ui import controls, train_controls
from ui.entry import require_entry_point

require_entry_point()

controls.top("train")
st.title("Train it")
st.markdown(
    "Training nudges the five weights, epoch after epoch, against the gradient that backpropagation through time "
    "computes, so that each prediction y moves towards the next price. Pick the data and the settings "
    "in the sidebar, then press **▶ Play** to replay the run."
)

setup = train_controls.sidebar()
if setup is None:
    st.info("Upload a CSV file in the sidebar: one column of prices, or a table with a date and a price column.")
    st.stop()

run = train_controls.train(setup)
st.markdown(headline(setup, run))
if setup.epochs < setup.settings["epochs"]:
    st.caption(f"Trained {setup.epochs:,} epochs, not {setup.settings['epochs']:,}: a run stays near a second.")
epoch, follow = train_controls.epoch_shown(run)
controls.chart(
    figure(setup, run, epoch),
    key="training",
    numbers=training(run),
    on_frame=follow,
    alt="The training run: the prices with the network's prediction for each next price, the loss per epoch, the "
    "five weights per epoch, and a heatmap of the gradient reaching each price in each epoch; press Play to replay.",
)
st.caption(caption(setup))
st.markdown(prediction(setup, run))

st.subheader("The weights")
before, after = run.theta[0], run.final
st.markdown(
    markdown({"weight": list(NAMES), "start": [fmt(v, 4) for v in before], "trained": [fmt(v, 4) for v in after]})
)
values, notices = carried(setup, run)
left, middle, right = st.columns(3)
train_controls.show_on(left, "pages/unroll.py", "Show them on Unroll", ":material/view_week:", values)
train_controls.show_on(middle, "pages/gradients.py", "Show them on Gradients", ":material/trending_down:", values)
right.download_button(
    "Download (JSON)", weights_json({**dict(zip(NAMES, after, strict=True)), "activation": setup.activation}),
    file_name="unrolled-weights.json", mime="application/json", width="stretch", icon=":material/download:",
)  # fmt: skip
for notice in notices:
    st.caption(f":material/warning: {notice}")
if message := train_controls.load_weights():
    kind, text = message
    (st.error if kind == "error" else st.success)(text)

st.subheader("What to notice")
too_big, vanishing = train_controls.what_to_notice()
st.markdown(
    "- **Learning is small steps.** Each epoch moves every weight a little against its gradient; the loss curve "
    "flattens as the prediction line settles onto the prices.\n"
    f"{too_big}\n{vanishing}"
)
