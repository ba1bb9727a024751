"""Streamlit controls shared by the pages; every number they show comes from `simulator`."""
