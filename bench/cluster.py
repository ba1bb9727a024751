"""Replicas of the app behind HAProxy on this machine, as `python -m bench.load --replicas N` runs them.

Each replica is `streamlit run streamlit_app.py` on a loopback port of its own; HAProxy runs deploy/haproxy.cfg with
its server lines rewritten to those ports (`haproxy_config`), so the balancer measured here is the one deployed.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.browser import free_port, start_server, stop_server

HAPROXY_CFG = Path(__file__).resolve().parent.parent / "deploy" / "haproxy.cfg"
SERVER_LINE = re.compile(r"^[ \t]*server[ \t].*\n", re.MULTILINE)
COOKIE = "SERVERID"  # the cookie that pins a browser to a replica (`cookie` in deploy/haproxy.cfg)


def haproxy_config(ports, text=None):
    """deploy/haproxy.cfg with one server line per port: app1 on 127.0.0.1:ports[0], and so on."""
    text = HAPROXY_CFG.read_text() if text is None else text
    first = SERVER_LINE.search(text)
    if first is None:
        raise ValueError("the HAProxy config has no server line to replace")
    servers = "".join(f"    server app{i} 127.0.0.1:{p} cookie app{i}\n" for i, p in enumerate(ports, 1))
    rest = SERVER_LINE.sub("", text)
    return rest[: first.start()] + servers + rest[first.start() :]


@dataclass
class Replica:
    """One app server: its name in the balancer (and in the SERVERID cookie), its process and port."""

    name: str
    proc: subprocess.Popen
    port: int
    killed_at: float | None = None  # seconds into the run when it was killed

    def kill(self, at):
        """SIGKILL: no goodbye to its websockets, as when a machine or a container dies."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.killed_at = at


class Cluster:
    """`replicas` app servers and HAProxy in front of them; `url` is the balancer's. A context manager."""

    def __init__(self, replicas, timeout=60.0):
        if shutil.which("haproxy") is None:
            raise RuntimeError("haproxy is not installed (Debian: apt-get install -y haproxy)")
        self.count, self.timeout = replicas, timeout
        self.replicas, self.haproxy, self.url = [], None, None
        self.dir = Path(tempfile.mkdtemp(prefix="unrolled-cluster-"))

    def __enter__(self):
        try:
            with ThreadPoolExecutor(self.count) as pool:
                started = list(pool.map(lambda _: start_server(timeout=self.timeout), range(self.count)))
            for i, (proc, url) in enumerate(started, 1):
                self.replicas.append(Replica(f"app{i}", proc, int(url.rsplit(":", 1)[1])))
            self._start_haproxy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.haproxy is not None:
            self.haproxy.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.haproxy.wait(10)
            if self.haproxy.poll() is None:
                self.haproxy.kill()
                self.haproxy.wait()
        for replica in self.replicas:
            stop_server(replica.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _start_haproxy(self):
        cfg, log = self.dir / "haproxy.cfg", self.dir / "haproxy.log"
        cfg.write_text(haproxy_config([r.port for r in self.replicas]))
        port = free_port()
        env = {**os.environ, "UNROLLED_BIND": f"127.0.0.1:{port}"}
        with log.open("wb") as out:
            self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(cfg)], env=env, stdout=out, stderr=out)
        self.url, self.log_path = f"http://127.0.0.1:{port}", log
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and self.haproxy.poll() is None:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                return
            time.sleep(0.2)
        raise RuntimeError(f"HAProxy did not answer on {self.url}:\n{log.read_text(errors='replace')[-2000:]}")

    def replica(self, name):
        return next(r for r in self.replicas if r.name == name)
