"""A class in Chromium: the teacher and a student (a phone) in two browser contexts on one server."""

import time
from urllib.parse import parse_qs, urlsplit

from tests.browser import wait_idle


def test_a_students_vote_reaches_the_teachers_tally_within_2_s_and_the_reveal_reaches_the_student(app_server, chromium):
    teacher_ctx = chromium.new_context(viewport={"width": 1400, "height": 1000})
    student_ctx = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        teacher = teacher_ctx.new_page()
        teacher.goto(f"{app_server}/classroom")
        wait_idle(teacher)
        teacher.get_by_role("button", name="Start a class").click()
        teacher.get_by_text("Class code:").wait_for(timeout=30_000)
        teacher.wait_for_url("**teacher=*", timeout=10_000)
        query = parse_qs(urlsplit(teacher.url).query)
        code = query["class"][0]
        teacher.get_by_text("0 votes so far").wait_for(timeout=10_000)

        student = student_ctx.new_page()
        student.goto(f"{app_server}/classroom?class={code}")
        wait_idle(student)
        student.get_by_text("Question 1 of 10").wait_for(timeout=30_000)
        assert student.get_by_role("button", name="Reveal (A)").count() == 0  # a student cannot reveal
        assert student.evaluate("() => document.documentElement.scrollWidth") <= 390  # never sideways on a phone
        numeric = student.get_by_label("Your answer (a number)").count() > 0
        if numeric:
            student.get_by_label("Your answer (a number)").fill("0.5")
            student.get_by_role("button", name="Send").click()
        else:
            student.locator(".stButton button").first.click()
        student.get_by_text("Your vote:").wait_for(timeout=10_000)
        voted = time.monotonic()
        teacher.get_by_text("1 vote so far").wait_for(timeout=10_000)  # the teacher's screen polls every 0.5 s
        assert time.monotonic() - voted <= 2.0, f"the tally showed the vote after {time.monotonic() - voted:.1f} s"

        teacher.get_by_role("button", name="Reveal (A)").click()
        teacher.get_by_text("The answer:").wait_for(timeout=10_000)
        answer = teacher.get_by_text("The answer:").inner_text()
        student.get_by_text("The answer:").wait_for(timeout=6_000)  # the student's screen polls every 2 s
        assert student.get_by_text("The answer:").inner_text() == answer
        assert student.get_by_text("You said").count() == 1
        assert not student.locator("[data-testid='stException']").count()
        assert not teacher.locator("[data-testid='stException']").count()
    finally:
        teacher_ctx.close()
        student_ctx.close()
