"""Unrolled: see a recurrent neural network work, one day at a time. Run: streamlit run streamlit_app.py"""

import streamlit as st

st.set_page_config(page_title="Unrolled · an RNN, step by step", page_icon="🔁", layout="wide")
st.navigation(
    [
        st.Page("pages/unroll.py", title="Unroll", icon=":material/view_week:", default=True),
        st.Page("pages/gradients.py", title="Gradients", icon=":material/trending_down:"),
        st.Page("pages/layer.py", title="Layer", icon=":material/grid_on:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/race.py", title="Race", icon=":material/sprint:"),
        st.Page("pages/why.py", title="Why LSTM", icon=":material/help:"),
        st.Page("pages/scenarios.py", title="Scenarios", icon=":material/movie:"),
        st.Page("pages/quiz.py", title="Quiz", icon=":material/quiz:"),  # class mode (issue 15)
        st.Page("pages/classroom.py", title="Class", icon=":material/groups:"),
        st.Page("pages/glossary.py", title="Glossary", icon=":material/menu_book:"),
    ]
).run()
