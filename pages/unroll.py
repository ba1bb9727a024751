"""Unroll: the same RNN cell, copied once per day, reading the blue company's 9 prices and the red's 5."""

import streamlit as st

from simulator.explain import first_nonfinite, forward_explodes, memory, prediction_sentence, reading
from simulator.figures import over_time, unrolled
from simulator.tables import forward
from ui import controls
from ui.entry import require_entry_point

require_entry_point()

controls.top("unroll")
st.title("Unroll an RNN")
params, rows, _ = controls.sidebar()
st.markdown(
    "A recurrent neural network reads prices **one day at a time** and carries a memory, the hidden state "
    "h, from each day to the next. Drawn *unrolled*, it is the same cell copied once per day: the same weights "
    f"{reading(rows)}. Press **▶ Play** (or the P key), or step with ◀ ▶ (or the arrow keys)."
)

day, follow = controls.day_picker(max(row.days for row in rows))
numbers = forward(rows)
controls.chart(
    unrolled(params, rows, day),
    key="unrolled",
    numbers=numbers,
    on_frame=follow,
    alt="The RNN unrolled over the days: for each day the price x, the hidden state h and the prediction y, "
    "with the current day's equation; press Play to compute it day by day.",
)
st.caption(
    "x = the day's price, h = the hidden state (the memory), y = the prediction for the next day. "
    "Arrows carry the weights. Teal tiles are positive, brown negative, deeper for bigger values; "
    "grey is not computed yet; black is overflow (∞ or NaN)."
)

for row in rows:
    st.markdown(prediction_sentence(row.label, row.trace))
    if grows := forward_explodes(row.trace):
        st.warning(
            f"{row.label}: the forward pass explodes: {grows}. This is the values growing, not the gradient; "
            "the Gradients page shows what happens to the error on its way back.",
            icon=":material/trending_up:",
        )
    if bad := first_nonfinite(row.trace):
        st.warning(
            f"{row.label}: the hidden state overflows float64 (beyond ±1.8e308) on day {bad}; "
            "from there on it is ∞ or NaN (not a number), drawn as dark tiles and left out of the chart below. "
            "Make |w_h| smaller than 1 or use tanh/sigmoid, which cannot grow without bound.",
            icon=":material/warning:",
        )

st.subheader("Over time")
controls.chart(
    over_time(rows, day),
    key="over_time",
    alt="Line chart over the days of each sequence's price, hidden state and prediction for the next day.",
    numbers=numbers,
)

st.subheader("What to notice")
st.markdown(
    "- **One cell, many days.** Every column uses the same four numbers, w_x, w_h, b and w_y: that is why the "
    "network can read 9 days or 5, or 10,000.\n"
    f"- **Memory.** Each day's h mixes today's price (×w_x) with yesterday's h (×w_h). {memory(params.W_h[0, 0])}\n"
    "- **The prediction** for tomorrow is just the last y. Change w_h in the sidebar and watch it move; push "
    "|w_h| above 1 on a long typed sequence and watch h explode."
)
