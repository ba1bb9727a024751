"""Helpers for browser tests: run the Streamlit app in a subprocess and drive it with Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, Playwright, WebSocket

CHROMIUM = "/usr/bin/chromium"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SERVER_FLAGS = [
    "--server.headless=true",
    "--server.fileWatcherType=none",
    "--browser.gatherUsageStats=false",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Lazy elements (Plotly among them) show an stSkeleton until their code has loaded, even once idle.
_DRAWN = """() => !document.querySelector("[data-testid='stSkeleton']")
    && [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
        .every((c) => c.querySelector(".js-plotly-plot .main-svg"))"""


def chromium_available() -> bool:
    """True if the system Chromium binary is present and executable."""
    return os.access(CHROMIUM, os.X_OK)


def unavailable(reason: str) -> None:
    """A test's missing dependency (`reason`): a skip on a laptop, a failure in CI (CI=true)."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(proc: subprocess.Popen, lines: int = 40) -> str:
    return "\n".join(Path(proc.log_path).read_text(errors="replace").splitlines()[-lines:])


def start_server(
    port: int | None = None, root: Path | str = PROJECT_ROOT, timeout: float = 60.0
) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run streamlit_app.py`` in ``root``; return the process and its base URL.

    Output goes to a temporary file (``proc.log_path``); raises RuntimeError with its tail if the
    server does not answer /_stcore/health within ``timeout`` seconds.
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    flags = [*SERVER_FLAGS, f"--server.port={port}"]
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", *flags]
    with log:
        try:
            proc = subprocess.Popen(cmd, cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        except OSError:
            os.unlink(log.name)
            raise
    proc.log_path = log.name
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2):
            return proc, base_url
        time.sleep(0.25)
    state = f"exited with {proc.returncode}" if proc.poll() is not None else f"not healthy after {timeout}s"
    tail = _log_tail(proc)
    stop_server(proc)
    raise RuntimeError(f"Streamlit server {state} ({' '.join(cmd)} in {root}). Log tail:\n{tail}")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server (kill after 10 s) and delete its log file."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with contextlib.suppress(AttributeError, OSError):
        os.unlink(proc.log_path)


def launch(pw: Playwright, **kwargs) -> Browser:
    """Launch the system Chromium with flags suitable for containers."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, **kwargs)


def wait_idle(page: Page, timeout_ms: float = 90_000) -> None:
    """Wait until a script run has finished, lazy elements have loaded and every Plotly chart has its SVG.

    Right after a click the state may still read ``notRunning``; use ``WsRecorder`` windows
    and ``Window.wait_runs`` to wait for a rerun the action triggers.
    """
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function(_DRAWN, timeout=timeout_ms)


def _msg_type(payload: bytes | str, msg_class: type) -> str:
    return msg_class.FromString(payload).WhichOneof("type") if isinstance(payload, bytes) else "text"


class WsRecorder:
    """Record the app's websocket traffic; create it before ``page.goto``.

    ``sent`` lists the type of every BackMsg the browser sent (``"rerun_script"`` is a rerun request);
    ``runs`` counts ``script_finished`` ForwardMsgs, i.e. script runs the server completed or cut short.
    """

    def __init__(self, page: Page) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.page = page
        self.sent: list[str] = []
        self.runs = 0
        self._back, self._forward = BackMsg, ForwardMsg
        page.on("websocket", self._attach)

    def _attach(self, ws: WebSocket) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framesent", lambda p: self.sent.append(_msg_type(p, self._back)))
            ws.on("framereceived", self._received)

    def _received(self, payload: bytes | str) -> None:
        if _msg_type(payload, self._forward) == "script_finished":
            self.runs += 1

    @contextlib.contextmanager
    def window(self, settle_ms: float = 200) -> Iterator[Window]:
        """Count traffic inside the ``with`` block (plus ``settle_ms`` to let late events arrive)."""
        win = Window(self)
        try:
            yield win
            self.page.wait_for_timeout(settle_ms)
        finally:
            win.close()


class Window:
    """Traffic of one ``WsRecorder.window``; live inside the block, frozen after it."""

    def __init__(self, rec: WsRecorder) -> None:
        self._rec = rec
        self._sent0, self._runs0 = len(rec.sent), rec.runs
        self._end: tuple[int, int] | None = None

    def close(self) -> None:
        self._end = (len(self._rec.sent), self._rec.runs)

    @property
    def sent(self) -> list[str]:
        """Types of the BackMsgs sent in the window."""
        return self._rec.sent[self._sent0 : self._end[0] if self._end else None]

    @property
    def reruns(self) -> int:
        """Rerun requests (``rerun_script`` BackMsgs) sent in the window."""
        return self.sent.count("rerun_script")

    @property
    def runs(self) -> int:
        """Script runs that finished in the window."""
        return (self._end[1] if self._end else self._rec.runs) - self._runs0

    def wait_runs(self, n: int = 1, timeout_ms: float = 30_000) -> None:
        """Block until at least ``n`` script runs finished in this window, then wait for idle."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.runs < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {n} script run(s), saw {self.runs} in {timeout_ms} ms")
            self._rec.page.wait_for_timeout(50)
        wait_idle(self._rec.page, timeout_ms)
