"""On a phone the weights table's toolbar (Streamlit's eye, download, search and fullscreen icons, shown on touch)
never covers the heatmap's PNG and SVG buttons."""

from tests.browser import wait_idle

COVERED = """() => {  // the download buttons a shown element toolbar overlaps
    const boxes = [...document.querySelectorAll("[data-testid='stElementToolbar']")]
        .filter((t) => t.offsetParent && getComputedStyle(t).opacity !== "0").map((t) => t.getBoundingClientRect());
    const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return [boxes.length, [...document.querySelectorAll(".dl-bar button")]
        .filter((b) => boxes.some((t) => meets(t, b.getBoundingClientRect()))).map((b) => b.textContent)];
}"""


def test_on_a_phone_the_tables_toolbar_leaves_the_download_buttons_clear(chromium, app_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{app_server}/layer")
    wait_idle(page)
    table = page.locator("[data-testid='stDataFrame']").first
    table.scroll_into_view_if_needed()
    table.tap()
    page.locator("[data-testid='stElementToolbar']").first.wait_for()
    page.wait_for_timeout(300)
    shown, covered = page.evaluate(COVERED)
    assert shown and covered == []
    context.close()
