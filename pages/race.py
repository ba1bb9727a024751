"""Race: the RNN, the LSTM and the GRU learn, live, to add two prices that lie far apart."""

import streamlit as st

from ui import race_controls
from ui.entry import require_entry_point
from ui.header import top
from ui.link import to_link

require_entry_point()

top("race")
st.title("Race: who remembers?")
st.markdown(
    "Each day brings two numbers: a price between 0 and 1, and a marker that is 1 on exactly two days, one in each "
    "half of the sequence. The answer is the **sum of the two marked prices**. To get it, a network must keep the "
    "first marked price in memory until the second arrives, up to T days later (the *adding problem* of "
    "Hochreiter & Schmidhuber, 1997). The simple RNN, the LSTM and the GRU, each with 16 units, learn it from the "
    "same batches, live, below."
)
length, seed = race_controls.settings()
runners = race_controls.run(length, seed)
st.subheader("What to notice")
st.markdown(
    "- **The dashed line is guessing 1 every time** (the average sum): an error of 1/6. A network on that line has "
    "learned nothing about the marked days.\n"
    "- **Why the simple RNN struggles:** the gradient from the answer back to the first marked day is a product of "
    "one factor a day, w_h times the slope of tanh; over tens of days it shrinks to nothing, so the early days get "
    "no say in the weight update.\n"
    "- **The LSTM's cell state is a highway:** going back one day multiplies its gradient by the forget gate f, "
    "which can learn to stay near 1 (it starts with a bias of +1, so f is about 0.73). The GRU's update gate z "
    "plays the same part.\n"
    "- **Try T = 10,** where the gradient has only a few days to cross, then 100 or 200."
)
to_link()
