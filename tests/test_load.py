"""The load benchmark's websocket client speaks to the app exactly as Chromium does; short load and soak runs meet
their goals (CI's sizes: 10 sessions for 20 s, 60 s of clicking). Select the short runs with `-k short_`; every test
here is marked `browser`."""

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import load, soak
from bench.ws import Cache, Run, Session
from tests.browser import WsRecorder, wait_idle
from tests.conftest import require_browser

# An exception that kills a visitor or the memory sampler on its thread fails the test instead of passing unseen.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
LINK = "/?w_h=0.9&act=tanh&seq=red"


class Frames(WsRecorder):
    """A WsRecorder that also keeps every frame: the BackMsgs the page sent and the ForwardMsgs it received."""

    def __init__(self, page):
        self.back, self.forward = [], []
        super().__init__(page)

    def _attach(self, ws):
        super()._attach(ws)
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framesent", lambda p: self.back.append(BackMsg.FromString(p)) if isinstance(p, bytes) else None)

    def _received(self, payload):
        super()._received(payload)
        if isinstance(payload, bytes):
            self.forward.append(ForwardMsg.FromString(payload))

    def interactions(self):
        """The received ForwardMsgs as interactions, each up to its final script_finished (as the client reads)."""
        cache, run, runs = Cache(), Run(), []
        for msg in self.forward:
            if run.add(msg, cache):
                runs.append(run)
                run = Run()
        return runs


def rerun_request(msg):
    """What a rerun request says, minus the browser's own context (time zone, locale); widgets in id order."""
    r = msg.rerun_script
    widgets = sorted(w.SerializeToString(deterministic=True) for w in r.widget_states.widgets)
    return r.query_string, widgets, r.page_script_hash, r.page_name, sorted(r.cached_message_hashes)


def type_number(page, label, text):
    box = page.get_by_label(label, exact=True).and_(page.locator("input[type='number']"))
    box.fill(text)
    box.press("Enter")


def in_browser(page, frames, base_url):
    """The steps, clicked and typed in Chromium."""
    page.goto(base_url + LINK)
    wait_idle(page)
    nav = page.locator("[data-testid='stSidebarNavLink']")
    for step in (
        lambda: type_number(page, "w_x · input weight", "1.5"),
        lambda: page.get_by_role("button", name="Reset to StatQuest's network").click(),
        lambda: page.get_by_role("radio", name="Both").click(),
        lambda: nav.filter(has_text="Gradients").click(),
        lambda: nav.filter(has_text="Train").click(),
        lambda: type_number(page, "Epochs", "50"),
    ):
        with frames.window() as traffic:
            step()
            traffic.wait_runs(1)


def over_websocket(base_url):
    """The same steps through the client; returns the BackMsgs it sent and the Runs it read."""
    with Session(base_url, LINK) as s:
        runs = [s.first, s.set("w_x", 1.5), s.click("Reset to StatQuest's network"), s.set("seq", "Both"),
                s.goto("gradients"), s.goto("train"), s.set("epochs", 50)]  # fmt: skip
    return s.sent, runs


def test_the_websocket_client_sends_and_receives_what_chromium_does(page, app_server):
    frames = Frames(page)
    in_browser(page, frames, app_server)
    sent, runs = over_websocket(app_server)
    browser_sent = [m for m in frames.back if m.WhichOneof("type") == "rerun_script"]
    browser_runs = frames.interactions()
    assert len(browser_sent) == len(sent) == len(browser_runs) == len(runs) == 7
    assert min(len(rerun_request(m)[1]) for m in sent if m.rerun_script.widget_states.widgets) >= 10
    for i, (theirs, ours) in enumerate(zip(browser_sent, sent, strict=True)):
        assert rerun_request(theirs) == rerun_request(ours), f"rerun request {i} differs"
    for i, (theirs, ours) in enumerate(zip(browser_runs, runs, strict=True)):
        assert ours.charts, f"step {i}: no chart"
        assert theirs.charts == ours.charts, f"step {i}: the figures differ"
        assert theirs.query == ours.query and not ours.exceptions


@pytest.mark.browser
def test_short_load():
    require_browser()  # a peer of the browser tests: skipped on a laptop without Chromium, a failure on CI
    result = load.run(sessions=10, seconds=20, seed=0)
    assert result.errors == [], result.errors[:5]
    missed = [goal for goal in result.goals if not goal[-1] and "latency" not in goal[0]]  # speed: bench, not a test
    assert missed == [], result.summary()


def test_short_soak(chromium):
    result = soak.run(seconds=30, seed=0, browser=chromium)  # the 10-minute soak is `python -m bench.soak`
    assert result.errors == [], result.log_text()
    missed = [goal for goal in result.goals if not goal[-1]]
    assert missed == [], result.summary()
