"""Unroll: the same cell, copied once per day, reading the blue company's 9 prices and the red's 5."""

import streamlit as st

from simulator import ask as asking
from simulator import diagram
from simulator.explain import first_nonfinite, forward_explodes, memory, prediction_sentence, reading, weights_used
from simulator.tables import forward_table
from simulator.unroll_figures import over_time
from ui import ask, present
from ui.charts import chart
from ui.diagram import day_shown, show
from ui.entry import require_entry_point
from ui.header import top
from ui.sidebar import sidebar

require_entry_point()

top("unroll")
st.title("Unroll an RNN")
with st.sidebar:
    ask.toggle()
params, rows, _ = sidebar(cells=True)
cell = diagram.cell_of(params)
one_unit = cell == "rnn" and params.n == 1
name = "RNN" if cell == "rnn" else diagram.CELL_NAMES[cell]
st.markdown(
    "A recurrent neural network reads prices **one day at a time** and carries a memory, the hidden state "
    f"h, from each day to the next. Drawn *unrolled*, it is the same cell copied once per day: the same weights "
    f"{reading(rows)}. Press **▶ Play**<span class='keys-hint'> (or the P key)</span>, or step with ◀ "
    "▶<span class='keys-hint'> (or the arrow keys)</span>; click or tap a tile for its equation with the real numbers.",
    unsafe_allow_html=True,
)

longest = max(row.days for row in rows)
day = day_shown("day", longest, longest)
numbers = forward_table(rows)
question = asking.unroll(params, rows, day) if ask.on() else None
hidden = ask.waits(question)
ask.card(question)
show(
    diagram.forward(params, rows, day, hidden=day if hidden else None),
    key="unrolled",
    name="day",
    first=longest,
    alt=f"The {name} ({params.n} unit{'s' if params.n > 1 else ''}) unrolled over the days: for each day the price "
    "x, every unit's tiles and the prediction y, with the equation of the tile picked; press Play to compute it "
    "day by day.",
    numbers=None if hidden else numbers,
    asking=ask.component(question),
)
st.caption(
    "x = the day's price, h = the hidden state (the memory), y = the prediction for the next day. "
    "Teal tiles are positive, brown negative, deeper for bigger values; grey is not computed yet; "
    "hatched black is overflow (∞ or NaN)."
    + (
        " With more than 8 units each day's memory is a strip of cells, one a unit: hover or tap one for its value."
        if params.n > diagram.STRIP
        else ""
    )
)

if hidden:
    st.caption(":material/visibility_off: The predictions and the chart over time wait for the reveal.")
for row in [] if hidden else rows:
    st.markdown(prediction_sentence(row.label, row.trace, name))
    if grows := forward_explodes(row.trace):
        st.warning(
            f"{row.label}: the forward pass explodes: {grows}. This is the values growing, not the gradient; "
            "the Gradients page shows what happens to the error on its way back.",
            icon=":material/trending_up:",
        )
    if bad := first_nonfinite(row.trace):
        st.warning(
            f"{row.label}: the hidden state overflows float64 (beyond ±1.8e308) on day {bad}; "
            "from there on it is ∞ or NaN (not a number), drawn as hatched tiles and left out of the chart below. "
            "Make the feedback weights smaller or use tanh/sigmoid, which cannot grow without bound.",
            icon=":material/warning:",
        )

st.subheader("Over time")
if not hidden:
    chart(
        over_time(rows, day - 1),
        key="over_time",
        alt="Line chart over the days of each sequence's price, hidden state and prediction for the next day.",
        numbers=numbers,
    )

st.subheader("What to notice")
st.markdown(
    f"- **One cell, many days.** Every column uses the same {weights_used(params)}: that is why the "
    "network can read 9 days or 5, or 10,000.\n"
    + (
        f"- **Memory.** Each day's h mixes today's price (×w_x) with yesterday's h (×w_h). {memory(params.W_h[0, 0])}\n"
        if one_unit
        else "- **Memory.** Each day's memory mixes today's price with every unit of yesterday's memory: click a "
        "tile to see the weighted sum.\n"
    )
    + "- **The prediction** for tomorrow is just the last y. "
    + (
        f"Change w_h {present.where()} and watch it move; push |w_h| above 1 on a long typed sequence and watch h "
        "explode."
        if one_unit
        else f"Change the network {present.where()} and watch it move."
    )
)
