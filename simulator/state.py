"""The shareable state: every setting's name, default and range in one table, and the link codec.

Pages read and write settings through this table; what a link may carry is validated here and nowhere else.
"""

from dataclasses import dataclass, field

from . import bptt, classroom, network, presets, questions, spectra
from .data import STOCKS, parse_sequence, stocks
from .models.rnn import ACTIVATIONS

MAX_LINK_TEXT = 4000  # characters of typed prices a link carries; longer lists stay out of the URL


@dataclass(frozen=True)
class Setting:
    """One shareable setting: a number in [lo, hi] (a whole number when the default is an int), one of
    `choices`, or text that `check` accepts."""

    name: str
    label: str
    default: object
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    check: object = field(default=None, repr=False)
    help: str = ""
    pages: dict = field(default_factory=dict, compare=False)  # {page: its own default}, where it differs
    none: str = ""  # what the default means when it stands for nothing chosen ("no class")

    def default_on(self, page):
        """The default on `page` (None: any page)."""
        return self.pages.get(page, self.default)

    def parse(self, raw):
        """Link text -> a valid value; raises ValueError saying what is wrong."""
        if self.choices:
            if raw not in self.choices:
                raise ValueError(f"{self.name} must be one of {self.listed()}")
            return raw
        if self.check:
            if len(raw) > MAX_LINK_TEXT:
                raise ValueError(f"{self.name} is longer than {MAX_LINK_TEXT:,} characters")
            self.check(raw)
            return raw
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number") from None
        if not self.lo <= value <= self.hi:  # also rejects NaN
            whole = isinstance(self.default, int)
            lo, hi = (f"{int(x):,}" if whole else f"{x:g}" for x in (self.lo, self.hi))
            raise ValueError(f"{self.name} must be between {lo} and {hi}")
        if isinstance(self.default, int):
            if value != int(value):
                raise ValueError(f"{self.name} must be a whole number")
            return int(value)
        return value

    def listed(self, most=8):
        """The choices in words: all of them, or for a long list the first few, the last and how many."""
        shown = [str(c) if c != "" else "'' (none)" for c in self.choices]
        if len(shown) <= most:
            return ", ".join(shown)
        return f"{len(shown):,} values: {', '.join(shown[: most - 2])}, … {shown[-1]}"

    def shown(self, value):
        """`value` as a notice says it: its words when it is the default that means nothing chosen."""
        return self.none if self.none and value == self.default else repr(value)

    def encode(self, value):
        """A value -> link text that `parse` reads back exactly."""
        if isinstance(self.default, int):
            return str(int(value))
        return repr(float(value)) if self.lo is not None else str(value)


WEIGHTS = (
    Setting("w_x", "w_x · input weight", 1.8, -5.0, 5.0, help="How much today's price moves the hidden state."),
    Setting("w_h", "w_h · feedback weight", -0.5, -3.0, 3.0, help="How much yesterday's memory carries over."),
    Setting("b", "b · hidden bias", 0.0, -5.0, 5.0, help="Added to the hidden unit's input every day."),
    Setting("w_y", "w_y · output weight", 1.1, -5.0, 5.0, help="Turns the hidden state into a prediction."),
    Setting("b_y", "b_y · output bias", 0.0, -5.0, 5.0, help="Added to every prediction."),
)
ACTIVATION = Setting("act", "Activation", "relu", choices=tuple(ACTIVATIONS))
SEQUENCE = Setting("seq", "Sequence", "both", choices=("blue", "red", "both", "typed"))
TYPED = Setting("typed", "Your prices", "0, 0.5, 1, 0.5, 0.5, 0.25, 0.5, 0.75, 1, 0.5", check=parse_sequence)
PRECISION = Setting("precision", "Precision", "float64", choices=("float64", "float32"))
LOSS = Setting(
    "loss", "Error measured on", "last", choices=("last", "all"), pages={"train": "all"},
    help="The loss: the error of the last prediction only, or of every prediction of the next price.",
)  # fmt: skip
TARGET = Setting("target", "Tomorrow's true price (the target)", 1.0, -5.0, 5.0)
CLIP = Setting("clip", "Gradient clipping", "none", choices=bptt.CLIP_MODES)
CLIP_AT = Setting("clip_at", "Clipping threshold", 5.0, 0.01, 100.0)
GRADIENTS = (LOSS, TARGET, PRECISION, CLIP, CLIP_AT)


def loss_labels(period="day"):
    """LOSS's choices in words, for prices a `period` ('day' or 'week') apart."""
    return {"last": "only tomorrow" if period == "day" else f"only the next {period}", "all": f"every next {period}"}


WEEKS = stocks()[0]
SOURCE = Setting("data", "Train on", "stock", choices=("stock", "blue", "red", "typed", "upload"))
STOCK = Setting("stock", "Stock", "GOOG", choices=STOCKS)
START = Setting("from", "First week", WEEKS[0], choices=WEEKS)
END = Setting("to", "Last week", WEEKS[-1], choices=WEEKS)
SCALING = Setting("scale", "Scale prices", "minmax", choices=("minmax", "none"))
RATE = Setting("lr", "Learning rate", 0.3, 0.0001, 10.0, help="How far each epoch steps against the gradient.")
EPOCHS = Setting("epochs", "Epochs", 300, 1, 5000, help="Gradient steps, each over the whole sequence.")
INIT = Setting("init", "Start from", "statquest", choices=("statquest", "random", "current"))
SEED = Setting("seed", "Random seed", 0, 0, 2**31 - 1, help="The same seed and settings replay the same run.")
TRUNCATE = Setting(
    "k", "Truncate BPTT to k days", 0, 0, 10_000, help="The gradient stops every k days back; 0 = full BPTT."
)
TRAINING = (SOURCE, STOCK, START, END, SCALING, LOSS, RATE, EPOCHS, INIT, SEED, CLIP, CLIP_AT, TRUNCATE)
LENGTH = Setting("length", "Days in each sequence (T)", 50, 10, 200, help="The marked days lie this far apart at most.")
RACE = (LENGTH, SEED)
CELL = Setting("cell", "Cell", "rnn", choices=tuple(network.CELLS), help="Simple RNN, LSTM or GRU: the same prices in.")
UNITS = Setting("units", "Hidden units (n)", 1, 1, 64, help="How many numbers the memory h holds.")
RECIPE = Setting("recipe", "W_h", "statquest", choices=spectra.RECIPES, help="How the n x n feedback matrix is drawn.")
RHO = Setting("rho", "ρ", 0.9, 0.0, 3.0, help="The spectral radius W_h is drawn with (for 'gain': the gain).")
H0 = Setting("h0", "Memory before day 1 (h₀)", 0.0, -1.0, 1.0, help="Every unit's h before the first price.")
FORGET_BIAS = Setting(
    "forget_bias", "Forget-gate bias", 1.0, -5.0, 5.0, help="+1, the usual start, keeps ~73% of the memory a day."
)
NETWORK = (CELL, UNITS, RECIPE, RHO, SEED, H0, FORGET_BIAS)
DAY = Setting("day", "Day shown", 0, 0, 10_000, help="0: the last day.", none="the last day")
BACK = Setting("back", "Day shown by the backward pass", 0, 0, 10_000, help="0: day 1.", none="day 1")
EPOCH = Setting("epoch", "Epoch shown", -1, -1, 5000, help="−1: the last epoch run.", none="the last epoch")
PRESENT = Setting("present", "Presenter mode", "off", choices=("off", "on"))
SCENARIO = Setting("scenario", "Scenario", "", choices=("", *presets.BY_KEY), none="no scenario")
VIEW = (DAY, BACK, EPOCH, PRESENT, SCENARIO)
SETTINGS = {s.name: s for s in (SEQUENCE, TYPED, *WEIGHTS, ACTIVATION, *GRADIENTS, *TRAINING, LENGTH, *NETWORK, *VIEW)}
# The Train page's optimiser and what each step learns from (helper "train").
OPTIMIZER = Setting("optimizer", "Optimiser", "sgd", choices=("sgd", "momentum", "adam"),
                    help="Gradient descent steps lr × the gradient; Adam steps each weight about lr.")  # fmt: skip
LEARN = Setting("learn", "Learn from", "series", choices=("series", "windows"))
WINDOW = Setting("window", "Window (days)", 20, 2, 1000, help="Days in each window cut from the series.")
BATCH = Setting("batch", "Batch (windows)", 16, 1, 256, help="Windows a step averages over, shuffled each epoch.")
OPTIMISE = (OPTIMIZER, LEARN, WINDOW, BATCH)
SETTINGS.update({s.name: s for s in OPTIMISE})
PAGES = {
    "unroll": "pages/unroll.py",
    "gradients": "pages/gradients.py",
    "train": "pages/train.py",
    "race": "pages/race.py",
}

# Why LSTM (pages/why.py): how many days the three cells read, and which of StatQuest's companies is shown
DAYS = Setting("days", "Days (T)", "9", choices=("9", "100", "1000"), help="The blue company's 9 prices, repeated.")
COMPANY = Setting("company", "StatQuest's company", "A", choices=("A", "B"), help="A starts low, B starts high.")
WHY = (DAYS, COMPANY)
SETTINGS.update({s.name: s for s in WHY})
PAGES["why"] = "pages/why.py"

# Class mode (issue 15): the class a student joins, its teacher's secret (only the teacher's link holds it; the Class
# page keeps it out of every other link), and the seed of the self-check quiz. Numbers, so a phone's keypad types them.
CLASS_CODE = Setting(
    "class", "Class code", 0, *classroom.CODES, help="The 6 digits on the teacher's screen.", none="no class"
)
TEACHER = Setting(
    "teacher", "Teacher key", 0, *classroom.SECRETS, help="Advances the class and reveals answers.", none="no key"
)
QUIZ = Setting("quiz", "Quiz number", 0, 0, questions.MAX_SEED, help="The same number, the same ten questions.")
CLASS_MODE = (CLASS_CODE, TEACHER, QUIZ)
SETTINGS.update({s.name: s for s in CLASS_MODE})
PAGES.update(quiz="pages/quiz.py")

# The Layer page: the RNN's weights edited by hand, every number of them for up to 8 units (see `network.table`)
LAYER = Setting(
    "layer", "The layer's weights, edited", "", check=network.parse_table,
    help="Rows ';', numbers ',': each unit's W_h row, then w_x, b and w_y; '' is the recipe's.",
)  # fmt: skip
SETTINGS[LAYER.name] = LAYER
PAGES["layer"] = "pages/layer.py"

# Ask first (issue 15): the Unroll page hides each day's answer until it is revealed (helper "present")
ASK = Setting("ask", "Ask first", "off", choices=("off", "on"), help="Hide each answer until it is revealed.")
SETTINGS[ASK.name] = ASK


MAX_NOTICES = 8  # a link with more bad parameters gets one line for the rest
RENAMED = {"task": "loss"}  # {old name: name}: a setting's old name still reads, so old links keep working


def _code(text, limit=40):
    """Link text shown inside a markdown code span: cut, with no backtick to escape it and nothing unprintable."""
    shown = "".join(c if c.isprintable() and c != "`" else "�" for c in text[:limit])
    return f"`{shown}…`" if len(text) > limit else f"`{shown}`"


def from_query(query, page=None):
    """{name: [raw values]} from a link to `page` -> ({name: value} for the good ones, [notice] for every bad one).

    A bad parameter (unknown, repeated, unreadable or out of range) keeps its setting's default."""
    values, notices = {}, []
    names = [RENAMED.get(name, name) for name in query]
    for (name, raws), key in zip(query.items(), names, strict=True):
        setting = SETTINGS.get(key)
        if setting is None:
            notices.append(f"Ignored the unknown link parameter {_code(name)}.")
            continue
        using = f"using {setting.shown(setting.default_on(page))}."
        if names.count(key) > 1:
            notices.append(f"Ignored {_code(name)}: the link gives `{key}` by its name and by its old name; {using}")
        elif len(raws) != 1:
            notices.append(f"Ignored {_code(name)}: it appears {len(raws)} times in the link; {using}")
        else:
            try:
                values[key] = setting.parse(raws[0])
            except ValueError as err:
                notices.append(f"Ignored {_code(f'{name}={raws[0]}')} from the link ({err}); {using}")
    if len(notices) > MAX_NOTICES:
        notices[MAX_NOTICES - 1 :] = [f"… and {len(notices) - MAX_NOTICES + 1} more bad link parameters, ignored."]
    return values, notices


def to_query(values, page=None):
    """{name: value} -> {name: link text} for the settings that differ from their defaults on `page`."""
    query = {}
    for name, value in values.items():
        setting = SETTINGS[name]
        if value != setting.default_on(page) and not (setting.check and len(value) > MAX_LINK_TEXT):
            query[name] = setting.encode(value)
    return query


def left_out(values):
    """What a link of `values` cannot carry, one sentence each: whoever opens it sees something else there."""
    said = []
    typing = "typed" in (values.get(SEQUENCE.name), values.get(SOURCE.name))
    if typing and len(values.get(TYPED.name, "")) > MAX_LINK_TEXT:
        said.append(f"Your typed prices are longer than {MAX_LINK_TEXT:,} characters, too long for a link: it "
                    "opens with the example prices instead.")  # fmt: skip
    if values.get(SOURCE.name) == "upload":
        said.append("An uploaded file cannot travel in a link: whoever opens it is asked to upload the file.")
    return said


def scenario_settings(preset):
    """Every setting of `preset`: its own values, the defaults for the rest, and its key."""
    defaults = {name: s.default_on(preset.page) for name, s in SETTINGS.items()}
    return {**defaults, **preset.settings, SCENARIO.name: preset.key}


def scenario_query(preset):
    """The link of `preset` (without its page)."""
    return to_query(scenario_settings(preset), preset.page)


# High contrast (issue 15): a dark page and charts for a projector; auto: as the browser prefers (helper "contrast")
CONTRAST = Setting("contrast", "High contrast", "auto", choices=("auto", "on", "off"), help="A dark page and charts.")
SETTINGS[CONTRAST.name] = CONTRAST
