"""Scenarios: one click sets up a story, on the page that tells it; each is also a link a teacher can share."""

import streamlit as st

from simulator.presets import PRESETS
from simulator.state import PAGES, scenario_query
from simulator.stories import story
from ui.entry import require_entry_point
from ui.header import top
from ui.link import to_link

require_entry_point()

top("scenarios")
st.title("Scenarios")
st.markdown(
    "Each card sets up the whole view, sequence, weights and settings included, on the page that tells its "
    "story. Open one, press **▶ Play**, and read the two sentences on top; the link in your address bar is then "
    "the link to share."
)
for title, page in (("Unroll: the forward pass", "unroll"), ("Gradients: vanishing and exploding", "gradients"),
                    ("Layer: n units, their spectrum and the bound", "layer"),
                    ("Train: learning, and when it breaks", "train"),
                    ("Why LSTM: the gates, the memory highway and the race", "why")):  # fmt: skip
    st.subheader(title)
    cards = st.columns(3)
    for i, preset in enumerate(p for p in PRESETS if p.page == page):
        with cards[i % 3].container(border=True):
            st.markdown(f"**{preset.title}**")
            st.markdown(story(preset))
            if preset.reference:
                st.caption(f"Reproduces {preset.reference}.")
            st.page_link(PAGES[page], label="Open", icon=":material/play_arrow:", query_params=scenario_query(preset))
to_link()
