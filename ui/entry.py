"""Make every page run through `streamlit_app.py`, even when a deep link is a fresh server's first request.

With both `st.navigation` and a `pages/` folder, Streamlit 1.67 starts a fresh server in its legacy
pages-folder mode: a first request to /page runs that page alone (no page config, legacy navigation), and
every session stays so until someone opens /. Switching the mode off and rerunning sends the run through
the entry point. The flag is private; if a Streamlit release drops it, this is a no-op and the browser
test of deep links says whether it is still needed.
"""

import pandas  # noqa: F401  (see below)
import streamlit as st

# Every page imports this module before it draws anything, so pandas is imported whole first. Streamlit and plotly
# look pandas up in sys.modules and use it: a session that started while another session's thread was still
# importing pandas got a half-initialised module (found by bench/load.py, 10 sessions opening a fresh server).

try:
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # moved or gone in another Streamlit release: nothing to undo
    PagesManager = None


def require_entry_point():
    """Rerun through the entry point if Streamlit ran this page directly in legacy pages/ mode."""
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
