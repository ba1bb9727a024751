"""Open the app through Streamlit's AppTest from its entry point, as a fresh visitor with a link would."""

import json
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

ENTRY = str(Path(__file__).parents[1] / "streamlit_app.py")


class _SettledPagesManager(PagesManager):
    """AppTest resets Streamlit's legacy pages/ flag before every run, so every run of a page but the home page
    would take ui/entry.py's extra rerun (which drops a button's click). A server takes it once, on a fresh
    server's first deep link (test_browser covers that); settle the flag as a server does after it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


app_test.PagesManager = _SettledPagesManager


def open_app(page=None, **query):
    """A fresh session on `page` (e.g. 'pages/gradients.py'; default: the home page) with the link's `query`."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    return at.switch_page(page).run() if page else at


def charts(at):
    """The figure JSON of every chart on the page, in page order, as the browser receives it."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def tables(at):
    """Every Markdown table the app drew, each as {column: [cell text]} (escapes undone)."""
    found = []
    for md in at.markdown:
        lines = md.value.splitlines()
        if len(lines) >= 2 and lines[0].startswith("| ") and set(lines[1]) <= set("|:-"):
            cells = [[c.strip().replace("\\", "") for c in line.strip("|").split(" | ")] for line in lines]
            found.append(dict(zip(cells[0], zip(*cells[2:], strict=True), strict=True)))
    return found
