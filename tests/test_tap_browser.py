"""The unrolled diagram on a phone: a tile the user taps stays in view while its equation opens."""

from tests.browser import wait_idle

BLUE = ".st-key-unrolled .ud-seq[aria-label='Blue company']"
H3 = "0:h:1:2"  # the blue company's h on day 3

TAPPED_IN_VIEW = """([seq, tile]) => {  // the box's scroll, and is the tile wholly inside the box, right of the labels?
    const box = document.querySelector(`${seq} .ud-scroll`), b = box.getBoundingClientRect();
    const edge = box.querySelector(".ud-label").getBoundingClientRect().right;
    const r = box.querySelector(`[data-tile="${tile}"]`).getBoundingClientRect();
    return [box.scrollLeft, r.left >= edge - 1 && r.right <= b.right + 1];
}"""


def test_on_a_phone_a_tapped_tile_stays_in_view_and_opens_its_equation(chromium, app_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app_server)
    wait_idle(page)
    box = page.locator(f"{BLUE} .ud-scroll")
    page.wait_for_function("(box) => box.scrollLeft > 100", arg=box.element_handle())  # day 9, the day shown
    box.evaluate("(box) => { box.scrollLeft = 0; }")  # the user pans back to day 1
    page.wait_for_timeout(200)
    assert page.evaluate(TAPPED_IN_VIEW, [BLUE, H3]) == [0, True]
    page.locator(f"{BLUE} [data-tile='{H3}']").tap()
    page.locator(f"{BLUE} .ud-eq", has_text="day 3").wait_for()
    page.wait_for_timeout(500)  # the equation box grows, the resize observer runs, frames pass
    scrolled, inside = page.evaluate(TAPPED_IN_VIEW, [BLUE, H3])
    assert inside and scrolled < 100, scrolled
    assert page.locator(f"{BLUE} [data-tile='{H3}']").evaluate("(t) => t.classList.contains('ud-selected')")
    context.close()
