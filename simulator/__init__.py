"""Unrolled's pure core: the RNN, its data, the shareable state and the figures. No Streamlit here."""
