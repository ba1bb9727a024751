"""The Class and Quiz pages' controls: starting and joining a class, the teacher's and the students' live views,
and the self-check quiz. The class lives in the store (`simulator.classroom`), never in server memory: each
screen polls it (`st.fragment(run_every=...)`), so a teacher and 30 phones on any replica see the same class.

Link settings (`class`, `teacher`, `quiz`) come through `ui.link` like every other; the teacher's secret is
taken out of the kept settings at once (so no other page's link or share box carries it) and put back into the
address bar of the Class page only.
"""

import hashlib
import os
import secrets

import streamlit as st

from simulator import classroom, questions, state
from simulator.classroom import ClassError
from simulator.explain import fmt
from ui.charts import chart
from ui.link import keep, kept, share_url

TEACHER_EVERY, STUDENT_EVERY = 0.5, 2.0  # seconds between polls of the store (one teacher polls often, 30 phones less)
ss = st.session_state


@st.cache_resource(max_entries=4)
def _backend(redis_url, path):
    """One store client per configuration for the whole server (a connection pool, no class data)."""
    return classroom.backend()


def room():
    """The class store as configured by the environment (see `simulator.classroom.backend`)."""
    env = os.environ.get
    return classroom.Classroom(_backend(env(classroom.REDIS_VARIABLE), env(classroom.DB_VARIABLE)))


def session_id(code):
    """This browser's anonymous id in class `code`: one vote per question per browser. It is a hash of the class and
    the token in Streamlit's XSRF cookie, which the browser keeps and sends to whichever replica serves it, so a
    student whose server died (or who reloaded the page) votes again as the same voter, and no id links two classes;
    a random id for a session without that cookie."""
    ids = ss.setdefault("class·session", {})
    if code not in ids:
        token = _browser_token(st.context.cookies.get("_streamlit_xsrf", ""))
        ids[code] = hashlib.sha256(f"{code}|".encode() + token).hexdigest()[:16] if token else secrets.token_hex(8)
    return ids[code]


def _browser_token(cookie):
    """The raw token of an XSRF cookie '2|mask|masked token|time' (the mask is drawn anew on every answer), or None."""
    if not isinstance(cookie, str):  # AppTest's context has no real cookies
        return None
    parts = cookie.strip("\"'").split("|")
    try:
        mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except (IndexError, ValueError):
        return None
    if parts[0] != "2" or len(mask) != 4 or len(masked) < 16:
        return None
    return bytes(b ^ mask[i % 4] for i, b in enumerate(masked))


def joined():
    """(class code or 0, the teacher secret if this screen is the class's teacher, else None)."""
    code, secret = kept(state.CLASS_CODE.name), kept(state.TEACHER.name)
    teaching = ss.setdefault("class·teaching", {})  # {code: secret} of the classes this session teaches
    if secret:
        keep(state.TEACHER.name, state.TEACHER.default)
        try:
            if room().is_teacher(code, secret):
                teaching[code] = secret
            else:
                st.caption(f":material/warning: The link's teacher key is not class {code}'s: this is a student's "
                           "screen.")  # fmt: skip
        except ClassError:
            pass  # no such class: the student's view says so
    return code, teaching.get(code)


def teacher_link(code, secret):
    """After `ui.link.to_link`: the teacher's secret back into this page's address bar (a reload stays the
    teacher) but not into the share box, which offers the students' link."""
    if code and secret:
        st.query_params[state.TEACHER.name] = state.TEACHER.encode(secret)
        ss["link·written"] = {**ss.get("link·written", {}), state.TEACHER.name: [state.TEACHER.encode(secret)]}


def _start():
    try:
        cls, secret = room().start()
    except ClassError as err:
        ss["class·error"] = str(err)
        return
    ss.setdefault("class·teaching", {})[cls.code] = secret
    keep(state.CLASS_CODE.name, cls.code)


def _join():
    if not (ss.get("class·typed") or "").strip():  # nothing typed yet: a nudge, not an error
        ss["class·hint"] = "Type the 6-digit code on your teacher's screen first."
        return
    try:
        cls = room().get(ss["class·typed"])
    except ClassError as err:
        ss["class·error"] = str(err)
        return
    keep(state.CLASS_CODE.name, cls.code)


def _leave():
    keep(state.CLASS_CODE.name, state.CLASS_CODE.default)


def _error():
    if message := ss.pop("class·error", None):
        st.error(message, icon=":material/error:")
    if hint := ss.pop("class·hint", None):
        st.info(hint, icon=":material/touch_app:")


def start_or_join():
    """Two boxes: a teacher starts a class, a student types its code."""
    teach, join = st.columns(2)
    with teach.container(border=True):
        st.subheader("Teach")
        st.markdown("Start a class of ten questions. You get a 6-digit code and two links: the students' and yours.")
        st.button("Start a class", icon=":material/co_present:", type="primary", on_click=_start, width="stretch")
    with join.container(border=True):
        st.subheader("Join")
        with st.form("class·join", border=False):
            st.text_input("Class code", key="class·typed", max_chars=12, placeholder="6 digits, like 482913")
            st.form_submit_button("Join", icon=":material/login:", on_click=_join, width="stretch")
    _error()


def _ended(err):
    st.error(str(err), icon=":material/error:")
    st.button("Join another class", on_click=_leave)


def _act(action, code, secret, seen, *args):
    """A teacher's button: the class moves on from `seen`, or the refusal is said next to the buttons."""
    try:
        getattr(room(), action)(code, secret, seen, *args)
    except ClassError as err:
        ss["class·error"] = str(err)


def _question_header(cls):
    st.markdown(f"#### Question {cls.index + 1} of {questions.COUNT}")
    st.markdown(cls.question.prompt)


def _answer(question):
    """The true answer and the equation that gives it."""
    answer = fmt(question.answer) if question.numeric else question.answer
    st.success(f"**The answer: {answer}**", icon=":material/check_circle:")
    st.markdown(f"**Why:** {question.equation}")


def teacher(code, secret):
    """The teacher's screen: the code and links, then the live question."""
    try:
        cls, answers = room().tally(code)
    except ClassError as err:
        _ended(err)
        return
    st.markdown(f"## Class code: **{code}**")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("Students type the code on the Class page, or open the students' link (on a phone too).")
        with st.popover("Students' link", icon=":material/group:"):
            st.code(share_url({state.CLASS_CODE.name: state.CLASS_CODE.encode(code)}), language=None,
                    wrap_lines=True)  # fmt: skip
        with st.popover("Your teacher link", icon=":material/key:"):
            st.caption("Keep it to yourself: it advances the class and reveals the answers, from any browser, for "
                       "4 hours.")  # fmt: skip
            st.code(teacher_url(code, secret), language=None, wrap_lines=True)
    if cls.revealed:  # drawn once: nothing changes until the teacher moves on
        _teacher_view(cls, answers, secret)
    else:
        _teacher_live(code, secret, (cls.index, cls.revealed))


def teacher_url(code, secret):
    return share_url({state.CLASS_CODE.name: state.CLASS_CODE.encode(code),
                      state.TEACHER.name: state.TEACHER.encode(secret)})  # fmt: skip


@st.fragment(run_every=TEACHER_EVERY)
def _teacher_live(code, secret, drawn):
    """The question and the tally as the votes come in, polled; once the class moves on (a button here, or the
    teacher's other tab), the whole page is drawn again."""
    try:
        cls, answers = room().tally(code)
    except ClassError as err:
        _ended(err)
        return
    if (cls.index, cls.revealed) != drawn:
        st.rerun()
    _teacher_view(cls, answers, secret)


def _teacher_view(cls, answers, secret):
    """The question, the buttons, the votes: live bars while voting (light enough to redraw twice a second; a
    chart redrawn as often starved the browser), the chart with the answer once revealed."""
    _question_header(cls)
    code, seen = cls.code, (cls.index, cls.revealed)
    back, reveal, ahead = st.columns(3)
    back.button("◀ Previous", on_click=_act, args=("go", code, secret, seen, cls.index - 1), width="stretch",
                disabled=cls.index == 0, key="class·back")  # fmt: skip
    reveal.button("Reveal (A)", on_click=_act, args=("reveal", code, secret, seen), width="stretch",
                  type="primary", disabled=cls.revealed, shortcut="a", key="class·reveal")  # fmt: skip
    ahead.button("Next ▶", on_click=_act, args=("go", code, secret, seen, cls.index + 1), width="stretch",
                 disabled=cls.index == questions.COUNT - 1, key="class·next")  # fmt: skip
    _error()
    votes = len(answers)
    if not cls.revealed:
        st.markdown(f"**{votes} vote{'s' * (votes != 1)}** so far")
        for label, count in questions.distribution(cls.question, answers):
            st.progress(count / max(votes, 1), text=f"{label}: {count}")
        return
    st.markdown(f"**{votes} vote{'s' * (votes != 1)}**")
    _tally(cls, answers)
    _answer(cls.question)


def _tally(cls, answers):
    rows = questions.distribution(cls.question, answers)
    chart(
        questions.tally_figure(cls.question, answers, cls.revealed),
        key="class·tally",
        alt=f"The class's votes on question {cls.index + 1}: "
        + "; ".join(f"{label}: {count}" for label, count in rows),
        numbers={"answer": [label for label, _ in rows], "votes": [str(count) for _, count in rows]},
    )


def _vote(code, index, answer):
    try:
        counted = room().vote(code, session_id(code), index, answer)
    except ClassError as err:
        ss["class·error"] = str(err)
        return
    ss.setdefault("class·votes", {})[(code, index)] = counted


def _vote_typed(code, index):
    _vote(code, index, ss.get(f"class·number·{index}", ""))


def student(code):
    """A student's screen (a phone): the current question, answer buttons, the vote acknowledged, the answer."""
    _student_live(code)
    st.button("Leave this class", on_click=_leave, icon=":material/logout:")


@st.fragment(run_every=STUDENT_EVERY)
def _student_live(code):
    try:
        cls = room().get(code)
    except ClassError as err:
        _ended(err)
        return
    st.caption(f"Class {code}")
    _question_header(cls)
    q, mine = cls.question, ss.get("class·votes", {}).get((code, cls.index))
    if cls.revealed:
        _answer(q)
        if mine is not None:
            st.info(f"You said {mine}. {questions.verdict(q, mine).sentence}", icon=":material/how_to_vote:")
        else:
            st.caption("You did not vote on this one.")
        return
    if q.numeric:
        with st.form(f"class·numeric·{cls.index}", border=False):
            st.text_input("Your answer (a number)", key=f"class·number·{cls.index}", max_chars=20,
                          placeholder="like 0.45")  # fmt: skip
            st.form_submit_button("Send", on_click=_vote_typed, args=(code, cls.index), width="stretch",
                                  type="primary")  # fmt: skip
    else:
        for choice in q.choices:
            kind = "primary" if choice == mine else "secondary"
            st.button(choice, on_click=_vote, args=(code, cls.index, choice), width="stretch", type=kind,
                      key=f"class·choice·{cls.index}·{choice}")  # fmt: skip
    _error()
    if mine is not None:
        st.success(f"Your vote: **{mine}**. You can change it until your teacher reveals the answer.",
                   icon=":material/how_to_vote:")  # fmt: skip
    else:
        st.caption("Vote, then wait for your teacher to reveal the answer.")


def _new_quiz():
    keep(state.QUIZ.name, secrets.randbelow(questions.MAX_SEED) + 1)


def quiz_number():
    """The quiz's number (its seed, in the link) and a button for a new one; returns the number."""
    seed = kept(state.QUIZ.name)
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"Quiz number **{seed}**: everyone who opens this page's link gets these ten questions.")
    right.button("New questions", icon=":material/casino:", on_click=_new_quiz, width="stretch")
    return seed


def _checked(seed, i):
    q = questions.quiz(seed)[i]
    raw = ss.get(f"quiz·{seed}·{i}")
    if raw is None or not str(raw).strip():  # nothing chosen yet: a nudge, not an error
        ss[f"quiz·hint·{seed}·{i}"] = "Type a number first." if q.numeric else "Pick an answer first."
        return
    try:
        ss.setdefault("quiz·answers", {})[(seed, i)] = questions.checked(q, raw)
    except ValueError as err:
        ss[f"quiz·error·{seed}·{i}"] = str(err)


def score(seed):
    """The score so far, as a sentence and a chart (one bar a question)."""
    answers = ss.get("quiz·answers", {})
    qs = questions.quiz(seed)
    points = [questions.verdict(q, answers[(seed, i)]).points if (seed, i) in answers else None
              for i, q in enumerate(qs)]  # fmt: skip
    done = [p for p in points if p is not None]
    st.markdown(f"**Score: {sum(done):g} of {len(done)}** checked so far ({len(qs) - len(done)} to go)."
                if len(done) < len(qs) else f"**Final score: {sum(done):g} of {len(qs)}.**")  # fmt: skip
    chart(
        questions.score_figure(points),
        key="quiz·score",
        alt=f"Points per question: {sum(done):g} of {len(done)} checked.",
        numbers={
            "question": [f"Q{i + 1}" for i in range(len(qs))],
            "points": ["–" if p is None else f"{p:g}" for p in points],
        },
    )


def quiz_question(seed, i, q):
    """Question i: the prompt, a form to answer it, then the verdict and the equation."""
    answer = ss.get("quiz·answers", {}).get((seed, i))
    with st.container(border=True):
        st.markdown(f"#### Question {i + 1}")
        st.markdown(q.prompt)
        if answer is None:
            with st.form(f"quiz·form·{seed}·{i}", border=False):
                if q.numeric:
                    st.text_input("Your answer (a number)", key=f"quiz·{seed}·{i}", max_chars=20,
                                  placeholder="like 0.45")  # fmt: skip
                else:
                    st.radio("Your answer", q.choices, key=f"quiz·{seed}·{i}", index=None, horizontal=True)
                st.form_submit_button("Check", on_click=_checked, args=(seed, i), type="primary",
                                      key=f"quiz·check·{seed}·{i}")  # fmt: skip
            if message := ss.pop(f"quiz·error·{seed}·{i}", None):
                st.error(message, icon=":material/error:")
            if hint := ss.pop(f"quiz·hint·{seed}·{i}", None):
                st.info(hint, icon=":material/touch_app:")
            return
        verdict = questions.verdict(q, answer)
        shown = st.success if verdict.points == 1 else st.warning if verdict.points else st.error
        shown(f"You said {answer}. {verdict.sentence}", icon=":material/how_to_vote:")
        st.markdown(f"**Why:** {q.equation}")
