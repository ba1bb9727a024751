"""Unroll: the same RNN cell, copied once per day, reading the blue company's 9 prices and the red's 5."""

import streamlit as st

from simulator.explain import first_nonfinite, prediction_sentence
from simulator.figures import over_time, unrolled
from simulator.tables import forward
from ui import controls
from ui.entry import require_entry_point

require_entry_point()

controls.top("unroll")
st.title("Unroll an RNN")
st.markdown(
    "A recurrent neural network reads prices **one day at a time** and carries a memory, the hidden state "
    "h, from each day to the next. Drawn *unrolled*, it is the same cell copied once per day: the same weights "
    "read 9 days of the blue company and 5 of the red. Press **▶ Play** (or the P key), or step with ◀ ▶ "
    "(or the arrow keys)."
)

params, rows, _ = controls.sidebar()
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
    if bad := first_nonfinite(row.trace):
        st.warning(
            f"{row.label}: the hidden state overflows float64 (beyond ±1.8e308) on day {bad}; "
            "from there on it is ∞ or NaN (not a number), drawn as dark tiles and left out of the chart below. "
            "Make |w_h| smaller than 1 or use tanh/sigmoid, which cannot grow without bound.",
            icon="💥",
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
    "- **Memory.** Each day's h mixes today's price (×w_x) with yesterday's h (×w_h). With w_h = −0.5, a high "
    "yesterday pulls today *down*.\n"
    "- **The prediction** for tomorrow is just the last y. Change w_h in the sidebar and watch it move; push "
    "|w_h| above 1 on a long typed sequence and watch h explode."
)
