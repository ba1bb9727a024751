"""python -m bench.soak [--minutes 10] [--seed 0]: one learner clicking, typing and uploading for minutes.

Starts one app server and drives one headless Chromium page with seeded random actions: weights typed into their
boxes (sometimes out of range), sliders nudged with the arrow keys, the activation and the sequence switched, prices
typed (sometimes hostile), days stepped, the charts played, pages switched from the sidebar, a good and a hostile
CSV uploaded on Train, weights files loaded. An action whose target is not on the current page is skipped. After
every action the page must settle with no exception on it; at the end the server log must hold no error and the
server's memory must not grow by 10% or more from the warm-up (20% of the time) to the end. On a failure the seed
and the action log are printed, and a screenshot of each failing moment is saved under bench/results/soak/.
"""

import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from simulator import state
from tests.browser import WsRecorder, launch, start_server, stop_server, wait_idle

from .common import goal_main, table, verdict
from .load import Monitor, log_errors

EXCEPTION = "[data-testid='stException']"
SHOTS = Path(__file__).parent / "results" / "soak"
GROWTH = 10.0  # % of the warm-up RSS the end may exceed it by
WEIGHTS = {s.label for s in state.WEIGHTS}
BUTTON_NAMES = re.compile(r"^(day ▶|◀ day|Reset to StatQuest's network|Show them on \w+|Download \(JSON\))")
PLAY_NAMES = re.compile(r"^(▶ Play|▶ Slow|▶▶ Fast|❚❚ Pause)$")
FILES = {  # name -> bytes: what a learner might upload, good and hostile
    "shop.csv": b"date,close\n" + b"".join(b"2024-01-%02d,%d\n" % (d, 10 + d % 7) for d in range(1, 29)),
    "prices.csv": b"\n".join(b"%.2f" % (1 + (d % 5) / 4) for d in range(40)),
    "image.csv": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "formula.csv": b'price\n=HYPERLINK("http://x")\n=1+1\n@SUM(A1)\n',
    "huge.csv": b"price\n1e400\n-1e400\n1\n",
    "empty.csv": b"",
    "comma.csv": b"date;price\n2024-01-01;1,5\n2024-01-02;2,5\n",
    "weights.json": b'{"w_x": 1.2, "w_h": -0.3, "b": 0.1, "w_y": 0.9, "b_y": 0.0, "activation": "tanh"}',
    "bad_weights.json": b'{"w_x": "NaN", "w_h": 1e999, "activation": "rm -rf"}',
}


def typed_prices(rng):
    """Prices as a learner types them: mostly fine, sometimes hostile."""
    return rng.choice([
        ", ".join(f"{rng.uniform(0, 1):.2f}" for _ in range(rng.randrange(2, 60))),
        f"0.5*{rng.randrange(1, 3000)}",
        "1e309, nan, -inf",
        "abc, 1, 2",
        "",
        "1" * 5000,
        "0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1",
    ])  # fmt: skip


def number_text(rng, label):
    """What gets typed into a number box: mostly in range, sometimes out of it or not a number."""
    if rng.random() < 0.1:
        return rng.choice(["99", "-99", "1e9", "abc", "", "1e999", "--1"])
    if label == state.EPOCHS.label:
        return str(rng.randrange(1, 200))
    return f"{rng.uniform(-2, 2) if label in WEIGHTS else rng.uniform(0.01, 2):.2f}"


def text(locator):
    """A target's text on one line (icons and all)."""
    return " ".join((locator.text_content() or "").split())


class Actions:
    """Every action: a method taking the random generator; returns what it did, or None when no target of it is on
    the page (skipped). Targets are found by role, label or test id, whatever the page."""

    def __init__(self, page, folder, settle):
        self.page, self.folder, self.settle = page, folder, settle  # settle(): wait for the rerun of an action

    def some(self, locator, rng):
        """A random match of `locator` that is on screen and enabled, or None."""
        found = [locator.nth(i) for i in range(locator.count())]
        rng.shuffle(found)
        return next((f for f in found if f.is_visible() and f.is_enabled()), None)

    def type_number(self, rng):
        box = self.some(self.page.locator("input[type='number']"), rng)
        if box is None:
            return None
        label = box.get_attribute("aria-label") or "a number box"
        text = number_text(rng, label)
        box.fill("")
        box.press_sequentially(text)  # keystrokes, as a learner types: the box drops what is not a number
        box.press("Enter")
        return f"type {text!r} into {label}"

    def nudge_slider(self, rng):
        slider = self.some(self.page.get_by_role("slider"), rng)
        if slider is None:
            return None
        key = rng.choice(["ArrowRight", "ArrowLeft", "PageUp", "Home", "End"])
        slider.press(key)
        return f"press {key} on slider {slider.get_attribute('aria-label')}"

    def choose(self, rng):
        box = self.some(self.page.get_by_role("combobox"), rng)
        if box is None:
            return None
        label = box.get_attribute("aria-label")
        box.click()
        options = self.page.get_by_role("option")
        self.page.wait_for_timeout(300)
        if not options.count():  # a click on the text does not always open the list; the down arrow does
            box.press("ArrowDown")
        options.first.wait_for(timeout=3_000)
        option = options.nth(rng.randrange(options.count()))
        done = f"choose {text(option)!r} for {label}"
        option.click()
        return done

    def click(self, target, done):
        """Click `target` (None: nothing to click); returns `done`, or None."""
        if target is None:
            return None
        target.click()
        return done

    def radio(self, rng):
        radio = self.some(self.page.get_by_role("radio"), rng)
        return self.click(radio, radio and f"pick {text(radio)!r}")

    def type_prices(self, rng):
        box = self.some(self.page.locator("textarea"), rng)
        if box is None:
            return None
        text = typed_prices(rng)
        box.fill(text)
        box.press("Control+Enter")
        return f"type prices {text[:40]!r}{'...' if len(text) > 40 else ''}"

    def button(self, rng):
        button = self.some(self.page.get_by_role("button", name=BUTTON_NAMES), rng)
        return self.click(button, button and f"click {text(button)!r}")

    def arrow_key(self, rng):
        key = rng.choice(["ArrowLeft", "ArrowRight"])
        self.page.evaluate("document.activeElement?.blur()")  # the day shortcuts work outside inputs
        self.page.keyboard.press(key)
        return f"press {key} on the page"

    def play(self, rng):
        button = self.some(self.page.locator("[data-testid='stPlotlyChart']").get_by_text(PLAY_NAMES), rng)
        return self.click(button, button and f"click {text(button)!r} on a chart")

    def navigate(self, rng):
        link = self.some(self.page.locator("[data-testid='stSidebarNavLink']"), rng)
        return self.click(link, link and f"open {text(link)}")

    def expand(self, rng):
        summary = self.some(self.page.locator("[data-testid='stExpander'] summary"), rng)
        return self.click(summary, summary and f"open or close {text(summary)!r}")

    def upload(self, rng):
        """A file, good or hostile: prices on Train's sidebar ("Upload a CSV") or weights below its chart. Opens
        Train and picks "Upload a CSV" first when needed, as a learner would."""
        self.click(self.some(self.page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Train"), rng), "")
        self.settle()
        data = rng.random() < 0.6
        if data and self.click(self.some(self.page.get_by_role("radio", name="Upload a CSV"), rng), "") is not None:
            self.settle()
        where = "stSidebar" if data else "stMain"
        uploader = self.page.locator(f"[data-testid='{where}'] [data-testid='stFileUploaderDropzoneInput']")
        if not uploader.count():
            return None
        name = rng.choice([n for n in FILES if n.endswith(".csv" if data else ".json")])
        uploader.first.set_input_files(str(self.folder / name))
        return f"upload {name} ({'prices' if data else 'weights'})"

    def present(self, rng):
        """Presenter mode for a moment: on, a few keys (arrows step, P plays), off again."""
        switch = self.page.get_by_role("switch", name="Presenter mode")
        label = self.some(self.page.locator("[data-testid='stCheckbox'] label").filter(has=switch), rng)
        if label is None:
            return None
        label.click()
        self.settle()
        keys = rng.choices(["ArrowLeft", "ArrowRight", "p"], k=3)
        for key in keys:
            self.page.keyboard.press(key)
            self.settle()
        label.click()
        return f"present, press {' '.join(keys)}, stop presenting"

    def scenario(self, rng):
        link = self.some(self.page.locator("[data-testid='stPageLink-NavLink']"), rng)
        return self.click(link, link and f"open a scenario: {link.get_attribute('href')}")


WEIGHTED = {"type_number": 8, "nudge_slider": 3, "choose": 3, "radio": 4, "type_prices": 2, "button": 4, "arrow_key": 2,
            "play": 2, "navigate": 3, "expand": 1, "upload": 3, "present": 1, "scenario": 1}  # fmt: skip


@dataclass
class Result:
    """What a soak did and saw; `goals` and `passed` judge it."""

    seed: int
    seconds: float
    actions: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    log: list = field(default_factory=list)
    shots: list = field(default_factory=list)  # screenshots of the failing moments
    rss_warm: float = 0.0
    rss_end: float = 0.0

    @property
    def growth(self):
        return 100 * (self.rss_end - self.rss_warm) / self.rss_warm

    @property
    def goals(self):
        return [
            ("errors", str(len(self.errors)), "0", not self.errors),
            ("RSS growth after warm-up %", f"{self.growth:.1f}", f"< {GROWTH:g}", self.growth < GROWTH),
        ]

    @property
    def passed(self):
        return all(met for *_, met in self.goals)

    def summary(self):
        return (f"actions done {self.actions} (and {self.skipped} skipped: no target on the page), "
                f"{len(self.errors)} errors\nserver RSS MB {self.rss_warm:.0f} after warm-up, {self.rss_end:.0f} at "
                f"the end: {self.growth:+.1f}%")  # fmt: skip

    def log_text(self):
        return "\n".join([f"seed {self.seed}; errors:", *self.errors, "screenshots:", *self.shots, "action log:",
                          *self.log])  # fmt: skip

    def report(self):
        print(self.summary())
        table(["goal", "value", "target", ""], [[f, v, g, verdict(met)] for f, v, g, met in self.goals])
        if not self.passed:
            print(self.log_text())


def settle(page, recorder):
    """Wait for the rerun an action started, if it started one, then for the page to be idle and drawn."""
    with recorder.window(settle_ms=150) as traffic:
        page.wait_for_timeout(100)
        if traffic.reruns:
            traffic.wait_runs(1)
    wait_idle(page)


def act(page, recorder, actions, rng, result, step):
    """One random action; unless its target was not on the page, wait for the page and check it. All is logged."""
    name = rng.choices(list(WEIGHTED), weights=list(WEIGHTED.values()))[0]
    try:
        done = getattr(actions, name)(rng)
    except Exception as err:  # the target moved under the click (a rerun redrew it): the driver's hiccup
        done = f"{name}: cut short ({type(err).__name__}: {str(err).splitlines()[0][:80]})"
    if done is None:
        result.skipped += 1
        result.log.append(f"{step:4d} {name}: skipped, not on this page")
        return
    result.actions += 1
    result.log.append(f"{step:4d} {done}")
    check(page, recorder, result, step)


def check(page, recorder, result, step):
    """The page settles with no exception on it; a failure gets a screenshot."""
    errors = len(result.errors)
    try:
        settle(page, recorder)
    except Exception as err:  # a page that never settles is a failure
        result.errors.append(f"step {step}: the page did not settle ({type(err).__name__}) on {page.url}")
    shown = page.locator(EXCEPTION)
    if shown.count():
        result.errors.append(f"step {step}: exception on {page.url}: {shown.first.inner_text()[:300]}")
    if len(result.errors) > errors:
        SHOTS.mkdir(parents=True, exist_ok=True)
        result.shots.append(str(SHOTS / f"seed{result.seed}-step{step}.png"))
        page.screenshot(path=result.shots[-1], full_page=True)


def drive(browser, base_url, result, deadline, folder):
    """Act on one page of `browser` until `deadline` (time.monotonic())."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        recorder = WsRecorder(page)
        page.goto(base_url)
        wait_idle(page)
        actions = Actions(page, folder, lambda: settle(page, recorder))
        rng, step = random.Random(result.seed), 0
        while time.monotonic() < deadline:
            step += 1
            act(page, recorder, actions, rng, result, step)
    finally:
        context.close()


def warm_up(browser, base_url):
    """Open every page once, so that the memory measured after it is the server's, not its first imports'."""
    context = browser.new_context()
    try:
        page = context.new_page()
        for path in ("", *(name for name in state.PAGES if name != "unroll"), "classroom", "scenarios", "glossary"):
            page.goto(f"{base_url}/{path}")
            wait_idle(page)
    finally:
        context.close()


def run(seconds=600, seed=0, browser=None):
    """Soak a fresh server for `seconds` with one page of `browser` (or a Chromium launched here)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = launch(pw)
            try:
                return run(seconds, seed, own)
            finally:
                own.close()
    result = Result(seed, seconds)
    proc, base_url = start_server()
    try:
        warm_up(browser, base_url)
        with tempfile.TemporaryDirectory() as tmp, Monitor(proc.pid) as monitor:
            folder = Path(tmp)
            for name, data in FILES.items():
                (folder / name).write_bytes(data)
            start = time.monotonic()
            drive(browser, base_url, result, start + seconds, folder)
            result.seconds = time.monotonic() - start
        result.rss_warm, result.rss_end = monitor.at(0.2 * result.seconds), monitor.samples[-1][1]
        result.errors += [f"server log: {line}" for line in log_errors(proc.log_path)]
        return result
    finally:
        stop_server(proc)


def main():
    goal_main(
        "python -m bench.soak",
        __doc__,
        [("--minutes", float, 10, "how long to click (default 10)")],
        lambda a: f"{a.minutes:g} minutes, seed {a.seed}",
        lambda a: run(60 * a.minutes, a.seed),
    )


if __name__ == "__main__":
    main()
