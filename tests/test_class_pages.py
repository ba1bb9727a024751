"""The Class and Quiz pages through AppTest: a teacher's and a student's sessions sharing one store file."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from simulator import classroom, questions
from simulator.explain import fmt
from tests.apptest import charts, open_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CLASS, QUIZ = "pages/classroom.py", "pages/quiz.py"


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    """Every session of a test shares one SQLite file of its own."""
    monkeypatch.delenv(classroom.REDIS_VARIABLE, raising=False)
    monkeypatch.setenv(classroom.DB_VARIABLE, str(tmp_path / "classes.db"))
    return classroom.Classroom(classroom.SqliteBackend(tmp_path / "classes.db"))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def words(at):
    return " ".join([m.value for m in at.markdown] + [e.value for e in (*at.success, *at.info, *at.error)])


def started(**query):
    """A teacher's session that has started a class: (AppTest, code, secret)."""
    at = open_app(CLASS, **query)
    button(at, "Start a class").click().run()
    assert not at.exception
    code = int(at.query_params["class"])
    return at, code, int(at.query_params["teacher"])


def links(at):
    """The links the teacher's screen shows, as their query dicts: (students', teacher's); the share box at the top
    comes first and is not one of them."""
    return [parse_qs(urlsplit(c.value).query) for c in at.code if "class=" in c.value][-2:]


def live_tally(at):
    """{answer: votes} as the teacher's live bars say it while the class votes."""
    texts = [p.proto.text for p in at.get("progress")]
    return {label: int(count) for label, count in (t.rsplit(": ", 1) for t in texts)}


def tally(at):
    """{answer: votes} as the tally chart draws it once revealed."""
    (bars,) = charts(at)[0]["data"]
    return dict(zip(bars["y"], bars["x"], strict=True))


def test_a_teacher_starts_a_class_and_gets_the_code_and_two_links(store):
    at, code, secret = started(present="on")
    assert f"Class code: **{code}**" in words(at) and store.is_teacher(code, secret)
    students, teacher = links(at)
    assert students == {"class": [str(code)]}  # never present=on, never the secret
    assert teacher == {"class": [str(code)], "teacher": [str(secret)]}
    assert at.session_state["kept"].get("teacher", 0) == 0  # so no other page's link carries it
    assert store.get(code).question.prompt in words(at)


def test_a_student_votes_and_the_teachers_tally_counts_it(store):
    teacher, code, _ = started()
    student = open_app(CLASS, **{"class": str(code)})
    q = store.get(code).question
    assert not student.exception and q.prompt in words(student)
    choice = q.choices[-1] if q.choices else None
    if q.numeric:
        student.text_input(key="class·number·0").input("0.5")
        button(student, "Send").click().run()
        choice = "0.5"
    else:
        student.button(key=f"class·choice·0·{choice}").click().run()
    assert f"Your vote: **{choice}**" in words(student)
    assert not [b for b in teacher.button if b.label == "Reveal (A)" and b.disabled]
    teacher.run()
    assert "**1 vote** so far" in words(teacher)
    counted = live_tally(teacher)
    assert counted[choice] == 1 and sum(counted.values()) == 1 and not charts(teacher)  # no answer before the reveal
    assert store.tally(code)[1] == [choice]
    button(teacher, "Reveal (A)").click().run()
    assert tally(teacher) == counted


def test_reveal_shows_the_answer_and_its_equation_on_the_students_screen(store):
    teacher, code, _ = started()
    student = open_app(CLASS, **{"class": str(code)})
    q = store.get(code).question
    button(teacher, "Reveal (A)").click().run()
    assert store.get(code).revealed
    student.run()
    answer = fmt(q.answer) if q.numeric else q.answer
    assert f"The answer: {answer}" in words(student) and q.equation in words(student)
    assert "You did not vote on this one." in [c.value for c in student.caption]
    assert not [b for b in student.button if b.key and b.key.startswith("class·choice")]  # voting has closed
    tallied = charts(teacher.run())[0]["data"][0]["marker"]["color"]
    assert questions.RIGHT in tallied or q.numeric  # the true answer's bar turns teal


def test_next_moves_every_screen_to_the_next_question(store):
    teacher, code, _ = started()
    student = open_app(CLASS, **{"class": str(code)})
    button(teacher, "Next ▶").click().run()
    assert store.get(code).index == 1 and "Question 2 of 10" in words(teacher)
    student.run()
    assert "Question 2 of 10" in words(student) and questions.quiz(store.get(code).seed)[1].prompt in words(student)


def test_a_second_teacher_tab_acting_on_an_old_view_changes_nothing(store):
    teacher, code, secret = started()
    other = open_app(CLASS, **{"class": str(code), "teacher": str(secret)})
    button(teacher, "Next ▶").click().run()
    button(other, "Next ▶").click().run()  # drawn at question 1: a stale click
    assert store.get(code).index == 1
    assert any("moved on" in e.value for e in other.error)


def test_the_secret_stays_in_the_teachers_address_bar_but_leaves_with_the_page(store):
    teacher, _, secret = started()
    teacher.run()
    assert teacher.query_params["teacher"] == str(secret)  # a reload stays the teacher
    teacher.switch_page("pages/unroll.py").run()
    assert "teacher" not in teacher.query_params  # another page's link never carries it
    teacher.switch_page(CLASS).run()
    assert "Reveal (A)" in [b.label for b in teacher.button]  # and coming back, this session still teaches


def test_a_wrong_teacher_secret_gets_the_students_view(store):
    _, code, secret = started()
    at = open_app(CLASS, **{"class": str(code), "teacher": str(secret + 1)})
    assert not at.exception
    assert "Reveal (A)" not in [b.label for b in at.button] and "Leave this class" in [b.label for b in at.button]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"class": "abc"}, "`class=abc`"),
        ({"class": "12"}, "`class=12`"),
        ({"class": "1" * 5000}, "`class=1111"),
        ({"teacher": "x"}, "`teacher=x`"),
        ({"quiz": "-3"}, "`quiz=-3`"),
    ],
)
def test_a_hostile_link_gets_a_notice_and_keeps_the_default(query, said):
    page = QUIZ if "quiz" in query else CLASS
    at = open_app(page, **query)
    assert not at.exception
    assert any(said in c.value for c in at.caption if c.value.startswith(":material/warning:"))
    assert all(at.session_state["kept"].get(name, 0) == 0 for name in query)


def test_a_code_with_no_class_or_an_ended_class_says_so(store):
    at = open_app(CLASS, **{"class": "123456"})
    assert [e.value for e in at.error] == ["There is no class 123456: check the code with your teacher."]
    button(at, "Join another class").click().run()
    assert "Start a class" in [b.label for b in at.button]
    cls, _ = classroom.Classroom(store.store, lambda: time.time() - classroom.TTL - 1).start(1)  # ended a second ago
    at = open_app(CLASS, **{"class": str(cls.code)})
    assert any("has ended" in e.value for e in at.error)


def test_a_student_joins_by_typing_the_code(store):
    cls, _ = store.start(2)
    at = open_app(CLASS)
    at.text_input(key="class·typed").input("no idea")
    button(at, "Join").click().run()
    assert [e.value for e in at.error] == ["A class code is 6 digits, like 482913."]
    at.text_input(key="class·typed").input(f" {cls.code} ")
    button(at, "Join").click().run()
    assert cls.question.prompt in words(at) and at.query_params["class"] == str(cls.code)


def test_a_typed_number_that_is_not_one_gets_a_message_and_no_vote(store):
    _, code, secret = started()
    seed = store.get(code).seed
    number = next(i for i, q in enumerate(questions.quiz(seed)) if q.numeric)
    if number:
        store.go(code, secret, (0, False), number)
    student = open_app(CLASS, **{"class": str(code)})
    student.text_input(key=f"class·number·{number}").input("a lot")
    button(student, "Send").click().run()
    assert [e.value for e in student.error] == ["Type a number, like 0.45."]
    assert store.tally(code)[1] == []


def test_the_quiz_gives_everyone_with_the_link_the_same_ten_questions():
    first, second = open_app(QUIZ, quiz="42"), open_app(QUIZ, quiz="42")
    prompts = [q.prompt for q in questions.quiz(42)]
    for at in (first, second):
        assert not at.exception
        assert [m.value for m in at.markdown if m.value in prompts] == prompts
    other = open_app(QUIZ, quiz="43")
    assert prompts[0] not in words(other)


def test_the_quiz_scores_each_answer_and_shows_its_equation():
    at = open_app(QUIZ, quiz="5")
    qs = questions.quiz(5)
    choice = next(i for i, q in enumerate(qs) if not q.numeric)
    number = next(i for i, q in enumerate(qs) if q.numeric)
    at.radio(key=f"quiz·5·{choice}").set_value(qs[choice].answer)
    at.button(key=f"quiz·check·5·{choice}").click().run()
    at.text_input(key=f"quiz·5·{number}").input(str(qs[number].answer + 10 * qs[number].tolerance))
    at.button(key=f"quiz·check·5·{number}").click().run()
    assert not at.exception
    text = words(at) + " ".join(w.value for w in at.warning)
    assert f"Right: {qs[choice].answer}." in text and qs[choice].equation in text
    assert f"the answer is {fmt(qs[number].answer)}" in text and qs[number].equation in text
    assert "**Score: 1 of 2** checked so far (8 to go)." in words(at)
    bars = charts(at)[0]["data"][0]
    assert bars["marker"]["color"][choice] == questions.RIGHT and bars["marker"]["color"][number] == questions.WRONG


def test_a_quiz_answer_that_is_not_a_number_gets_a_message_and_no_score():
    at = open_app(QUIZ, quiz="5")
    number = next(i for i, q in enumerate(questions.quiz(5)) if q.numeric)
    at.text_input(key=f"quiz·5·{number}").input("half")
    at.button(key=f"quiz·check·5·{number}").click().run()
    assert "Type a number, like 0.45." in [e.value for e in at.error]
    assert "**Score: 0 of 0** checked so far (10 to go)." in words(at)


def test_new_questions_put_a_new_quiz_number_in_the_link():
    at = open_app(QUIZ)
    button(at, "New questions").click().run()
    seed = int(at.query_params["quiz"])
    assert seed != 0 and questions.quiz(seed)[0].prompt in words(at)
    assert charts(at)[0]["data"][0]["x"][0] == "Q1"
