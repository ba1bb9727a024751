"""Open the app through Streamlit's AppTest from its entry point, as a fresh visitor with a link would."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).parents[1] / "streamlit_app.py")


def open_app(page=None, **query):
    """A fresh session on `page` (e.g. 'pages/gradients.py'; default: the home page) with the link's `query`."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    return at.switch_page(page).run() if page else at
