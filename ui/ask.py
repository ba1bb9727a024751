"""Ask first: a mode (the sidebar's toggle, the Q key, `ask=on` in the link) that hides each answer until it is
revealed. The Unroll page asks about the day on screen (`simulator.ask`); a guess is taken from answer buttons
(or a box for a number), and Reveal (the button, or R through the diagram component) shows the answer, the
equation that gives it and how close the guess was.

What a screen has revealed and guessed lives in its own session (nothing is shared); a question changes, and waits
again, when the day or any setting changes.
"""

from functools import partial
from pathlib import Path

import streamlit as st

from simulator import ask as asking
from simulator import gradients, questions, state
from simulator.explain import fmt
from ui.link import keep, kept

MAX_KEPT = 200  # questions a session remembers as revealed or guessed; the oldest go first
ss = st.session_state
FILES = Path(__file__).with_suffix("")  # ui/ask/: the JS of the keys component
_keys = st.components.v2.component(
    "unrolled.ask_keys", js=(FILES / "keys.js").read_text(encoding="utf-8"), isolate_styles=False
)
KEYS_CSS = "<style>.st-key-ask-keys {display: none;}</style>"  # it draws nothing


def on():
    """True when Ask first is on."""
    return kept(state.ASK.name) == "on"


def _set(value):
    keep(state.ASK.name, "on" if value else "off")
    if value:  # from day 1: each day a question
        keep(state.DAY.name, 1)


def _switched(key):
    _set(ss[key])


def toggle(key="ask·toggle"):
    """The Ask first toggle (in the sidebar on the pages that have one; `key` another for presenter mode's bar)."""
    ss[key] = on()
    st.toggle(
        state.ASK.label,
        key=key,
        on_change=_switched,
        args=(key,),
        help="Hide each day's answer until you reveal it: a question about the day on screen, answer buttons, then "
        "Reveal (R) with the equation. Q turns it on and off.",
    )


def _remembered(name):
    return ss.setdefault(f"ask·{name}", {})


def _remember(name, qid, value):
    book = _remembered(name)
    book.pop(qid, None)
    book[qid] = value
    while len(book) > MAX_KEPT:
        book.pop(next(iter(book)))


def revealed(question):
    return asking.ident(question) in _remembered("revealed")


def waits(question):
    """True while `question` (or None: nothing asked) hides its answer."""
    return on() and question is not None and not revealed(question)


def reveal(qid):
    """Reveal the question named `qid` (`simulator.ask.ident`)."""
    if isinstance(qid, str) and len(qid) <= 64:
        _remember("revealed", qid, True)


def _guessed(question, raw):
    try:
        _remember("guess", asking.ident(question), questions.checked(question, raw))
    except ValueError as err:
        ss["ask·error"] = str(err)


def _typed(question):
    raw = ss.get("ask·number") or ""
    if not raw.strip():  # nothing typed yet: a nudge, not an error
        ss["ask·hint"] = "Type a number first, like 0.45."
        return
    _guessed(question, raw)


def _gradients(passes):
    bp = passes[0]
    return asking.gradients(bp.row.label, bp.row.days, float(bp.reach[0]), gradients.limit(bp), bp.one)


def _training(run_of):
    setup, run = run_of
    return asking.training(setup.settings, run.loss, run.diverged)


QUESTIONS = {"gradients": _gradients, "train": _training}  # page: its question, from what the page computed


def shown(page, computed):
    """`computed` (e.g. the Gradients page's backward passes) while Ask first hides nothing on `page`; else, after
    the question card, nothing (an empty list), so what the page says of them waits for the reveal. The page puts
    the Ask first toggle at the top of its sidebar; presenting hides the sidebar, so a second one goes here."""
    if kept(state.PRESENT.name) == "on":
        toggle(key="ask·toggle·here")
    question = QUESTIONS[page](computed) if on() and computed else None
    card(question)
    if page not in DIAGRAMS:
        keys(question)
    return [] if waits(question) else computed


DIAGRAMS = ("unroll", "gradients")  # pages whose diagram hears R and Q (`about`); the others mount `keys`


def keys(question):
    """R (reveal `question`) and Q (Ask first on and off) on a page with no diagram to hear them."""
    st.html(KEYS_CSS)
    _keys(key="ask·keys", data=component(question), on_reveal_change=partial(heard_in, "ask·keys", "reveal"),
          on_ask_change=partial(heard_in, "ask·keys", "ask"))  # fmt: skip


def about(page, computed):
    """What the diagram component needs to know (`component`) of `page`'s question from `computed`, so that R
    reveals it there as the button does."""
    return component(QUESTIONS[page](computed) if on() and computed else None)


def component(question):
    """What the diagram component needs to know: whether R reveals something, and which question."""
    if question is None:
        return {"on": on(), "revealed": True, "id": ""}
    return {"on": on(), "revealed": revealed(question), "id": asking.ident(question)}


def heard_in(key, what):
    """The component under `key` heard R (`what` "reveal") or Q ("ask"): its value says which."""
    heard(what, (ss.get(key) or {}).get(what))


def heard(what, value):
    """The diagram component said R (`what` "reveal", the question's id) or Q ("ask", True or False)."""
    if what == "reveal":
        reveal(value)
    elif what == "ask" and isinstance(value, bool):
        _set(value)


def card(question):
    """The question on screen, its answer buttons and Reveal; once revealed, the answer, its equation and how the
    guess did (a guess may still be made, or changed, and is judged at once). Nothing when Ask first is off."""
    if not on() or question is None:
        return
    qid, shown = asking.ident(question), revealed(question)
    guess = _remembered("guess").get(qid)
    with st.container(border=True, key="ask·card"):
        st.markdown(f":material/quiz: **Ask first.** {question.prompt}")
        if ss.get("ask·asked") != qid:  # a new question: an empty box
            ss["ask·asked"], ss["ask·number"] = qid, ""
        if question.numeric:
            with st.form("ask·form", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
                st.text_input("Your guess (a number)", key="ask·number", max_chars=20, placeholder="like 0.45")
                st.form_submit_button("Guess", on_click=_typed, args=(question,))
        else:
            with st.container(horizontal=True):
                for i, choice in enumerate(question.choices):
                    kind = "primary" if choice == guess else "secondary"
                    st.button(choice, on_click=_guessed, args=(question, choice), type=kind, key=f"ask·choice·{i}")
        if message := ss.pop("ask·error", None):
            st.error(message, icon=":material/error:")
        if hint := ss.pop("ask·hint", None):
            st.info(hint, icon=":material/touch_app:")
        with st.container(horizontal=True, vertical_alignment="center"):
            st.button("Reveal (R)", on_click=reveal, args=(qid,), type="primary", key="ask·reveal", disabled=shown,
                      icon=":material/visibility:")  # fmt: skip
            if not shown:
                said = f"Your guess: **{guess}**. " if guess is not None else ""
                waiting = {
                    "unroll": f"the diagram's day {question.settings.get('day')} on, the sentences and the chart wait",
                    "gradients": "the headline, the diagram's gradients, the chain rule and the charts wait",
                    "train": "the run's headline, its chart, its weights and what to notice wait",
                }[question.page]
                st.caption(f"{said}Until then {waiting}.")
            elif question.page == "unroll":
                st.caption("Step to the next day (→) for the next question.")
        if shown:
            answer = fmt(question.answer) if question.numeric else question.answer
            st.success(f"**The answer: {answer}**", icon=":material/check_circle:")
            st.markdown(f"**Why:** {question.equation}")
            if guess is not None:
                said = questions.verdict(question, guess).sentence
                st.info(f"You guessed {guess}. {said}", icon=":material/how_to_vote:")
