"""Why LSTM: the simple RNN, the LSTM and the GRU on the same prices, how far each one's gradient reaches back,
StatQuest's LSTM day by day, and why clipping cannot save a vanished gradient."""

import streamlit as st

from ui import why_controls
from ui.entry import require_entry_point
from ui.header import top
from ui.link import to_link

require_entry_point()

top("why")
st.title("Why LSTM")
st.markdown(
    "To learn from an early day, a network needs the error's gradient to get back to it. In a simple RNN every day "
    "back multiplies the gradient by w_h times the activation's slope, and it fades away. An LSTM adds a second "
    "memory, the **long-term memory C**, whose path back multiplies by the **forget gate f** alone: while f stays "
    "near 1, the gradient gets through."
)
days, company, cells = why_controls.sidebar()

st.subheader(f"How far the gradient reaches back over {days:,} days")
why_controls.gradients(cells, days)

st.subheader("The same prices through the three cells")
why_controls.cells(cells, days)

st.subheader("StatQuest's LSTM, day by day")
st.markdown(
    "StatQuest names each part by what it does: the forget gate is the **% of long-term memory to remember**, the "
    "input gate the **% of potential memory to remember**, and the output gate the **% of potential short-term "
    f"memory to remember**. Here is company {company}, every number in every equation:"
)
why_controls.statquest(company)

st.subheader("Why clipping fixes exploding but not vanishing")
why_controls.clipping_section()
why_controls.race_link()
to_link()
