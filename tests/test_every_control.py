"""Every control on every page, changed once to another valid value, never shows an error box.

The controls are the widgets AppTest finds on the page, not a list: a new control is walked as soon as it exists.
Each step changes the last control in page order not changed yet (a control that shows others, like "Start from"
showing the seed, comes above them, so they are reached before it hides them again), runs the app, and checks it.
"""

import pytest
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1.element_tree import Widget

from simulator import race, trainer
from tests.apptest import open_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PAGES = ("pages/unroll.py", "pages/gradients.py", "pages/layer.py", "pages/train.py", "pages/race.py", "pages/why.py",
         "pages/scenarios.py", "pages/quiz.py", "pages/classroom.py")  # fmt: skip
NOT_VALUES = {"FileUploader": "a file, not a value: tests/test_upload.py sends good and hostile ones"}
MAX_STEPS = 80


def widgets(node):
    """The widgets under `node`, in page order."""
    for child in getattr(node, "children", {}).values():
        if isinstance(child, Widget):
            yield child
        yield from widgets(child)


def name(w):
    return type(w).__name__, w.key or w.label


def _toward_far_end(value, lo, hi, step):
    """Halfway from `value` to the farther end of [lo, hi], on the widget's grid."""
    far = hi if hi - value >= value - lo else lo
    moved = value + round((far - value) / 2 / step) * step
    return type(value)(moved if moved != value else far)


def _pick(w, option):
    """Choose the option the browser shows as `option`, as a click sends it: by its label. (AppTest sets a value
    by what the script returns; these widgets' labels come from a format function.)"""
    formats = w.root.session_state[TESTING_KEY]
    shown = formats[w.id]
    formats[w.id] = lambda v: option if v is _pick else shown(v)
    return w.set_value(_pick)


def _next(options, current):
    return options[(options.index(current) + 1) % len(options)] if current in options else options[0]


def change(w):
    """Give widget `w` another valid value (or click it); returns what was done, for the failure message."""
    kind = type(w).__name__
    if kind in ("Button", "DownloadButton"):
        w.click()
        return "clicked"
    if kind in ("Toggle", "Checkbox"):
        w.set_value(not w.value)
    elif kind in ("Selectbox", "ButtonGroup"):
        current = w.options[w.index] if kind == "Selectbox" and w.index is not None else None
        if kind == "ButtonGroup" and w.formatted_values:
            current = w.formatted_values[0]
        option = _next(w.options, current)
        _pick(w, option)
        return f"picked {option!r}"
    elif kind == "Radio":
        option = _next(w.options, w.value)
        w.set_value(option)
        return f"picked {option!r}"
    elif kind == "SelectSlider":
        value = w.value
        if isinstance(value, tuple | list):
            first, last = (w.options.index(v) for v in value)
            w.set_value([w.options[(first + last) // 2], value[1]])
        else:
            w.set_value(_next(w.options, value))
    elif kind in ("Slider", "NumberInput"):
        w.set_value(_toward_far_end(w.value, w.min, w.max, w.step))
    elif kind in ("TextArea", "TextInput"):
        w.input(f"{w.value}, {w.value.split(',')[0].strip()}")  # one more item, like the first
    else:
        raise AssertionError(f"{kind} {w.key or w.label!r}: the walk does not know how to change it yet")
    return f"set to {w.value!r}"


def shown(w):
    """What widget `w` shows: its value, or its options' labels for a pick (None when nothing is picked)."""
    if type(w).__name__ == "ButtonGroup":
        return tuple(w.formatted_values) or None
    if type(w).__name__ == "Selectbox":
        return None if w.index is None else w.options[w.index]
    return None if type(w).__name__.endswith("Button") else w.value


def errors(at):
    return [e.value for e in at.exception] + [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_changing_any_control_shows_no_error(page, monkeypatch):
    monkeypatch.setattr(race, "STEPS", race.LAP)  # every race a lap long and every training run a tenth of its
    monkeypatch.setattr(trainer, "MAX_WORK", trainer.MAX_WORK / 10)  # budget: the walk is about the controls
    at = open_app(page)
    title = at.title[0].value
    assert not errors(at), errors(at)
    seen, done, ever_enabled = set(), set(), set()
    for _ in range(MAX_STEPS):
        found = [w for w in widgets(at._tree) if type(w).__name__ not in NOT_VALUES]
        seen |= {name(w) for w in found}
        ever_enabled |= {name(w) for w in found if not getattr(w, "disabled", False)}
        todo = [w for w in found if name(w) not in done and not getattr(w, "disabled", False)]
        if not todo:
            break
        w = todo[-1]
        done.add(name(w))
        before, did = shown(w), change(w)
        at.run()
        assert not errors(at), f"{page}: {name(w)} {did}: {errors(at)}"
        after = [shown(v) for v in widgets(at._tree) if name(v) == name(w)]
        in_form = getattr(w.proto, "form_id", "")  # a form's boxes take their value when it is submitted
        assert did == "clicked" or in_form or after in ([], [None]) or after[0] != before, (
            f"{page}: {name(w)} {did}: no change"
        )
        if not at.title or at.title[0].value != title:  # a button opened another page: come back
            at.switch_page(page).run()
    assert ever_enabled <= done, f"{page}: never changed (they vanished first): {ever_enabled - done}"
    assert seen, page
