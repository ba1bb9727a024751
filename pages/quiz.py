"""Quiz: ten questions on the real network for a student alone, a score, and the same ten for everyone with the link."""

import streamlit as st

from simulator.questions import quiz
from ui import class_controls
from ui.entry import require_entry_point
from ui.header import top
from ui.link import to_link

require_entry_point()

top("quiz")
st.title("Quiz: predict, then check")
st.markdown(
    "Each question is computed from a real RNN or LSTM with the numbers it gives. Answer, press **Check**, and see "
    "the equation that gives the true answer. A number is right when it is close enough; half a point when nearly."
)
seed = class_controls.quiz_number()
class_controls.score(seed)
for i, question in enumerate(quiz(seed)):
    class_controls.quiz_question(seed, i, question)
to_link()
