"""A Streamlit client without a browser: one tab's conversation over the app's websocket, message for message.

The browser's side of the protocol, as Streamlit 1.67's frontend speaks it (tests/test_load.py checks it against
Chromium): every rerun is a BackMsg `rerun_script` carrying the link's query string, the state of every widget on
screen (what the user changed, unless the server has set a value since; else the default), the page's script hash
and the hashes of the big messages it has cached; the server answers with ForwardMsgs (new_session, deltas, the link
in page_info_changed, ...) up to a `script_finished`. A run cut short for a rerun (st.rerun, st.switch_page) is
followed by another; an interaction is done when a run finishes for good. Like a browser, a tab first loads the page
over HTTP and keeps the cookies it is given (a balancer's sticky-session cookie), sends them with every request, and
after losing its server polls /_stcore/health before it opens a new websocket (`Session.reconnect`).

Usage: `with Session(base_url, "/?w_h=0.9") as s: run = s.set("w_x", 1.5); run.charts`.
"""

import contextlib
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.protocol import State
from websockets.sync.client import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
CACHE_AGE = 2  # script runs a cached message outlives its last use (the server's max_cached_message_age)
BUTTONS = ("button", "download_button")  # a click is a one-off trigger, never a kept state


def widget_key(widget_id):
    """'$$ID-<hash>-w_h' -> 'w_h' (the user key; 'None' for a widget without one)."""
    return widget_id.rsplit("-", 1)[-1]


def initial_state(kind, p):
    """The state the browser sends for widget `p` (an element of type `kind`) until the user changes it: the value
    the server set (`set_value`), else the default. None for buttons and widgets this client does not know."""
    ws, now = WidgetState(id=p.id), getattr(p, "set_value", False)
    if kind == "number_input" and (p.HasField("value") if now else p.HasField("default")):
        value = p.value if now else p.default
        if p.data_type == NumberInput.INT:
            ws.int_value = int(value)
        else:
            ws.double_value = value
    elif kind == "slider" and p.type == Slider.SELECT_SLIDER:
        ws.string_array_value.data[:] = p.raw_value if now else [p.options[int(i)] for i in p.default]  # doubles
    elif kind == "slider":
        ws.double_array_value.data[:] = p.value if now else p.default
    elif kind == "button_group":
        ws.string_array_value.SetInParent()
        ws.string_array_value.data[:] = p.raw_values if now else [p.options[i].content for i in p.default]
    elif kind in ("selectbox", "radio"):
        if now and p.HasField("raw_value"):
            ws.string_value = p.raw_value
        elif not now and p.HasField("default"):
            ws.string_value = p.options[p.default]
    elif kind == "checkbox":
        ws.bool_value = p.value if now else p.default
    elif kind in ("text_area", "text_input"):
        if p.HasField("value" if now else "default"):
            ws.string_value = p.value if now else p.default
    elif kind == "multiselect":
        ws.string_array_value.SetInParent()
        ws.string_array_value.data[:] = p.raw_values if now else [p.options[i] for i in p.default]
    elif kind == "file_uploader":
        ws.file_uploader_state_value.SetInParent()  # no file chosen
    else:
        return None
    return ws


def set_state(ws, kind, p, value):
    """Put `value` (as the widget shows it: a number, an option's label, a list of labels) into state `ws`."""
    if kind == "number_input":
        if p.data_type == NumberInput.INT:
            ws.int_value = int(value)
        else:
            ws.double_value = float(value)
    elif kind == "slider" and p.type == Slider.SELECT_SLIDER:
        ws.string_array_value.data[:] = [value] if isinstance(value, str) else list(value)
    elif kind == "slider":
        ws.double_array_value.data[:] = [value] if isinstance(value, int | float) else list(value)
    elif kind in ("button_group", "multiselect"):
        ws.string_array_value.data[:] = [value] if isinstance(value, str) else list(value)
    elif kind == "checkbox":
        ws.bool_value = bool(value)
    elif kind in ("selectbox", "radio", "text_area", "text_input"):
        ws.string_value = value
    else:
        raise ValueError(f"cannot set a {kind}")


@dataclass
class Element:
    """One element of a run: its type ('plotly_chart', 'number_input', ...) and its proto."""

    kind: str
    proto: object
    fragment: str = ""  # the id of the st.fragment that drew it, if one did

    @property
    def label(self):
        return getattr(self.proto, "label", "")


class Cache:
    """The browser's cache of big messages: it keeps every message the server marks cacheable, tells the server
    which it holds, and the server then sends a reference (ref_hash) instead; one unused for CACHE_AGE runs goes."""

    def __init__(self):
        self.entries, self.age = {}, 0  # hash -> [ForwardMsg, the run it was last used in]; script runs seen

    def resolve(self, msg):
        """`msg`, or the message it refers to (with the reference's place on the page)."""
        if msg.WhichOneof("type") == "ref_hash":
            entry = self.entries[msg.ref_hash]
            entry[1] = self.age
            full = ForwardMsg()
            full.CopyFrom(entry[0])
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable:
            self.entries[msg.hash] = [msg, self.age]
        return msg

    def finished(self):
        """A script run finished: forget what went unused too long."""
        self.age += 1
        self.entries = {h: e for h, e in self.entries.items() if self.age - e[1] <= CACHE_AGE}


@dataclass
class Run:
    """What one interaction brought back: every ForwardMsg up to the final `script_finished`, and its elements."""

    seconds: float = 0.0
    messages: list = field(default_factory=list)
    elements: dict = field(default_factory=dict)  # delta path -> Element, of the last script run
    runs: int = 0  # script runs finished, including those cut short for a rerun
    query: str | None = None  # the link the server wrote (page_info_changed), if it wrote one
    navigation: object = None  # the last Navigation message (the pages and the page shown)
    status: int | None = None
    auto_reruns: dict = field(default_factory=dict)  # fragment id -> seconds: st.fragment(run_every=...) timers

    def add(self, msg, cache):
        """Take the next ForwardMsg; True once a script run has finished for good."""
        msg = cache.resolve(msg)
        self.messages.append(msg)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.elements = {}
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            name = element.WhichOneof("type")
            path = tuple(msg.metadata.delta_path)
            self.elements[path] = Element(name, getattr(element, name), msg.delta.fragment_id)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.navigation = msg.navigation
        elif kind == "auto_rerun":
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "script_finished":
            self.runs += 1
            cache.finished()
            if msg.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
                self.status = msg.script_finished
                return True
        return False

    def of(self, kind):
        return [e for e in self.elements.values() if e.kind == kind]

    @property
    def charts(self):
        """{chart element id: the figure's plotly JSON}, in page order."""
        return {e.proto.id: e.proto.spec for e in self.of("plotly_chart")}

    @property
    def exceptions(self):
        """Every exception the app showed ('Type: message'), and a script that did not compile."""
        shown = [f"{e.proto.type}: {e.proto.message}" for e in self.of("exception")]
        return shown + (["the script did not compile"] if self.status == FINISHED.FINISHED_WITH_COMPILE_ERROR else [])


class Session:
    """One browser tab on `link` (e.g. '/gradients?seq=blue'): opens the page on entering the `with` block."""

    def __init__(self, base_url, link="/", timeout=60.0):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        parts = urlsplit(link)
        self.path, self.query = parts.path.strip("/"), parts.query
        self.page_hash, self.pages = "", {}  # url pathname -> page script hash, from the navigation message
        self.widgets, self.elements = {}, {}  # widget id -> WidgetState; delta path -> Element
        self.drawn = {}  # the widget states as the last run drew them, before the user changed any
        self.cache, self.sent = Cache(), []  # the BackMsgs sent, for tests
        self.stack, self.ws, self.first = ExitStack(), None, None  # first: the Run of opening the page
        self.cookies = {}  # name -> value, as the server set them (a balancer's SERVERID names the replica)
        self.fragments = {}  # fragment id -> seconds between its automatic reruns, as the browser's timers keep them

    def __enter__(self):
        self._get(f"/{self.path}?{self.query}")  # the page's HTML, as a browser loads it before the websocket
        self._get("/_stcore/health")  # as the page's script does first: it brings Streamlit's XSRF cookie
        self._connect()
        self.first = self._rerun([], page_name=self.path)
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def reconnect(self, deadline, rerun=True):
        """The websocket closed under us: do what the browser does once its server is gone (poll /_stcore/health
        until it answers, then open a new websocket; through a balancer both land on a live replica), then open
        this tab's link in the new session: the page and the query string, with no widget states and an empty cache,
        so the link alone must bring the view back. Returns that Run; TimeoutError past `deadline` (monotonic).

        With `rerun=False`, as Streamlit's frontend does on a page without a `run_every` fragment: no run; the tab
        keeps its screen, and its next interaction brings the new session every widget's state as last drawn (one
        changed while its run was lost is back as it was). Returns None."""
        self.stack.close()
        self.stack, self.fragments = ExitStack(), {}
        self.cache, self.widgets = (Cache(), {}) if rerun else (self.cache, dict(self.drawn))
        while True:
            try:
                self._get("/_stcore/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("the server did not come back") from None
                time.sleep(0.5)
        self._connect()
        return self._rerun([], page_hash="", page_name=self.path) if rerun else None

    # --- what a user does ---

    def set(self, key, value):
        """Change the widget with user key `key` to `value` (as shown: a number, an option's label), then rerun."""
        widget_id = self.find(key)
        kind, proto = self._widget(widget_id)
        state = WidgetState()
        state.CopyFrom(self.widgets[widget_id])
        set_state(state, kind, proto, value)
        self.widgets[widget_id] = state
        return self._rerun(list(self.widgets.values()))

    def click(self, label):
        """Press the button labelled `label`, then rerun (only its fragment, if a fragment drew it)."""
        button = next((e for e in self.elements.values() if e.kind in BUTTONS and e.label == label), None)
        if button is None or button.proto.disabled:
            raise LookupError(f"no enabled button {label!r} on {self.url}")
        trigger = WidgetState(id=button.proto.id, trigger_value=True)
        return self._rerun([*self.widgets.values(), trigger], fragment=button.fragment)

    def type(self, key, text):
        """Type `text` into the box with user key `key` without a rerun, as in a form until its submit button."""
        widget_id = self.find(key)
        state = WidgetState()
        state.CopyFrom(self.widgets[widget_id])
        set_state(state, *self._widget(widget_id), text)
        self.widgets[widget_id] = state

    def tick(self, fragment):
        """The browser's timer for `fragment` (an st.fragment(run_every=...)) fires: that fragment reruns."""
        return self._rerun(list(self.widgets.values()), fragment=fragment, auto=True)

    def goto(self, path):
        """Open the page at `path` ('' for the home page, 'gradients', ...) from the sidebar navigation."""
        if path not in self.pages:
            raise LookupError(f"no page {path!r}; pages: {sorted(self.pages)}")
        return self._rerun([], page_hash=self.pages[path], query="")

    # --- what is on screen ---

    def find(self, key):
        """The id of the widget on screen with user key `key`."""
        found = [i for i in self.widgets if widget_key(i) == key]
        if len(found) != 1:
            raise LookupError(f"{len(found)} widgets with key {key!r} on {self.url}")
        return found[0]

    def options(self, key):
        """The option labels of the choice widget with user key `key`."""
        _, p = self._widget(self.find(key))
        return [getattr(o, "content", o) for o in p.options]

    def has_button(self, label):
        """True if an enabled button labelled `label` is on screen."""
        return any(e.kind in BUTTONS and e.label == label and not e.proto.disabled for e in self.elements.values())

    @property
    def url(self):
        return f"{self.base_url}/{self.path}"

    @property
    def closed(self):
        """True once the websocket has closed (the server or the balancer hung up)."""
        return self.ws.protocol.state is State.CLOSED

    # --- the protocol ---

    def _get(self, path):
        """An HTTP GET of `path` with this tab's cookies; keeps the cookies the answer sets."""
        request = urllib.request.Request(self.base_url + path, headers=self._cookie_header())
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            response.read()

    def _connect(self):
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = self.stack.enter_context(
            connect(url, subprotocols=["streamlit"], origin=self.base_url, max_size=None, open_timeout=self.timeout,
                    additional_headers=self._cookie_header())
        )  # fmt: skip
        self._keep_cookies(self.ws.response.headers.get_all("Set-Cookie"))

    def _cookie_header(self):
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, headers):
        for header in headers:
            with contextlib.suppress(CookieError):  # a cookie the standard library cannot parse is not ours
                self.cookies |= {k: m.value for k, m in SimpleCookie(header).items()}

    def _widget(self, widget_id):
        return next((e.kind, e.proto) for e in self.elements.values() if getattr(e.proto, "id", None) == widget_id)

    def _rerun(self, states, page_hash=None, query=None, page_name="", fragment="", auto=False):
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query if query is None else query
        client.widget_states.SetInParent()
        client.widget_states.widgets.extend(states)
        client.page_script_hash = self.page_hash if page_hash is None else page_hash
        client.page_name = page_name
        client.fragment_id, client.is_auto_rerun = fragment, auto
        client.cached_message_hashes.extend(self.cache.entries)
        context = dict(timezone="UTC", timezone_offset=0, locale="en-US", is_embedded=False, color_scheme="light")
        client.context_info.CopyFrom(ContextInfo(url=self.url, **context))  # the browser's, in a UTC container
        self.sent.append(msg)
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        run, deadline, done = Run(), start + self.timeout, False
        while not done:  # TimeoutError past the deadline
            data = self.ws.recv(timeout=max(0.0, deadline - time.perf_counter()))
            done = run.add(ForwardMsg.FromString(data), self.cache)
        run.seconds = time.perf_counter() - start
        self._settle(run, fragment)
        return run

    def _settle(self, run, fragment=""):
        """The screen is now the run's: the link and page it shows; new widgets start from their initial state, the
        server's `set_value` overrides what the user had, and widgets no longer on screen are forgotten. A run of one
        fragment only (it finished as one) redraws that fragment's elements and keeps the rest."""
        if fragment and run.status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            kept = {p: e for p, e in self.elements.items() if e.fragment != fragment}
            run.elements = kept | run.elements
        else:
            self.fragments = {}
        self.fragments |= run.auto_reruns
        if run.query is not None:
            self.query = run.query
        if run.navigation is not None:
            self.pages = {p.url_pathname: p.page_script_hash for p in run.navigation.app_pages}
            self.page_hash = run.navigation.page_script_hash
            self.path = next((p for p, h in self.pages.items() if h == self.page_hash), self.path)
        self.elements, widgets = run.elements, {}
        for e in run.elements.values():
            if e.kind in BUTTONS or not getattr(e.proto, "id", ""):
                continue
            state = self.widgets.get(e.proto.id)
            if state is None or getattr(e.proto, "set_value", False):
                state = initial_state(e.kind, e.proto)
            if state is not None:
                widgets[e.proto.id] = state
        self.widgets, self.drawn = widgets, dict(widgets)
