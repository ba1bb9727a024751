"""Class: the teacher asks, every student votes from a phone, then the answer is revealed with its equation."""

import streamlit as st

from ui import class_controls
from ui.entry import require_entry_point
from ui.header import top
from ui.link import to_link

require_entry_point()

top("class")
st.title("Class: predict, then reveal")
code, secret = class_controls.joined()
if not code:
    st.markdown(
        "Ten questions computed from the real network: the next memory h, higher or lower, vanish or explode, "
        "which day matters most, which cell remembers longer. Everyone votes from their own screen; the tally grows "
        "on the teacher's screen; then the answer appears with the equation that gives it. Votes are anonymous and "
        "a class ends after 4 hours."
    )
    class_controls.start_or_join()
elif secret:
    class_controls.teacher(code, secret)
else:
    class_controls.student(code)
to_link()
class_controls.teacher_link(code, secret)
