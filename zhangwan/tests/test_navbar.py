"""The top bar in English keeps to one row (issue 20): on a 390-px phone the menu button stays beside
the brand, and at 1280 px every role's navigation (the officers' is the longest) fits on one row with
the language and user menus, a dimension's items in one menu leading where the phone's list does; the
language option is named in its own language."""

from urllib.parse import urlsplit

import pytest

from zhangwan.accounts.roles import Role
from zhangwan.tests.browser import Pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

# The bar's visible pieces (brand, bell, menu button; on a wide screen each navigation item and menu),
# their vertical centres and right edges: one row when the centres lie within a few pixels.
ROWS = """() => {
  const bar = document.querySelector("nav.navbar");
  const pieces = [...bar.querySelectorAll(".navbar-brand, #notifications-link, .navbar-toggler, #mainnav .nav-item")]
    .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0);
  const boxes = pieces.map(e => ({text: e.innerText.trim() || e.className, box: e.getBoundingClientRect()}));
  const centres = boxes.map(b => b.box.top + b.box.height / 2);
  return {spread: Math.max(...centres) - Math.min(...centres), height: bar.getBoundingClientRect().height,
          right: Math.max(...boxes.map(b => b.box.right)), width: window.innerWidth, count: boxes.length,
          low: boxes.filter(b => b.box.top + b.box.height / 2 > Math.min(...centres) + 4).map(b => b.text),
          listed: [...document.querySelectorAll("#nav-list a")].map(a => a.href).sort(),
          grouped: [...document.querySelectorAll("#nav-groups a:not([href='#'])")].map(a => a.href).sort()};
}"""


@pytest.mark.parametrize("role", [None, *(r.value for r in Role)])
def test_the_english_bar_is_one_row_on_a_phone_and_on_a_desktop(browser, origin, client, role_users, role):
    if role:
        client.force_login(role_users[role])
    host = urlsplit(origin).netloc
    problems = []
    # One browser context, the page loaded again at each width (a context is a renderer process started
    # and the static files fetched and compiled afresh: about half a second of processor a context).
    context = browser.new_context(viewport=WIDTHS["phone"], locale="en-US", device_scale_factor=1)
    pages = Pages(origin)
    page = context.new_page()
    for name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        # Home, or where home sends the role (an officer's dashboard).
        response = client.get("/", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en", follow=True)
        path = response.redirect_chain[-1][0] if response.redirect_chain else "/"
        pages.waiting[origin + path] = response
        assert page.goto(origin + path).status == 200
        seen = page.evaluate(ROWS)
        if page.evaluate("document.documentElement.lang") != "en":
            problems.append(f"{name}: the page is not in English")
        if seen["spread"] > 4 or seen["right"] > seen["width"] + 1:
            problems.append(f"{name}: {seen['count']} pieces on more than one row or past the edge "
                            f"(below the first row: {seen['low']}, right edge {seen['right']:.0f}px)")
        if seen["listed"] != seen["grouped"]:
            problems.append(f"{name}: the wide bar's menus lead to {seen['grouped']}, "
                            f"the phone's list to {seen['listed']}")
        if name == "phone" and role:
            options = page.locator("#language-menu + form button").all_inner_texts()
            if "English" not in options or "简体中文" not in options:
                problems.append(f"language options read {options}")
    context.close()
    assert not problems, f"{role}: " + "; ".join(problems)
