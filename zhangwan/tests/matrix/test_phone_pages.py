"""Every page a role may open (the URL matrix's 200s), on a 390×844 phone in headless Chromium.

A page fails when
- it scrolls sideways: `document.scrollingElement.scrollWidth > innerWidth`;
- a table cell is crushed: its content box is narrower than the smaller of four times its font size
  and the width its longest word needs on one line (measured with a canvas in the cell's font; a word
  ends at a space or before an opening bracket; 1 px of rounding allowed), so a cell holding "是" or
  "4" may be narrow, but "来源" one character a line or a clipped button fail;
- a link on it leads to a page that refuses the same role: the link's URL name is looked up in the
  URL matrix (which proves each page's answer per role), so no link is followed;
- a Chinese page shows English words (four letters or more in a row) other than the proper names,
  abbreviations and test data in ALLOWED_WORDS: the project's own text is translated.

Which pages: the phone users (anonymous visitors, workers, liaisons, reviewers, judges) and the
auditor, who may read every staff list, walk all of theirs; another officer walks the pages the auditor
may not open (their forms and imports) and their dashboard, which carries their navigation.

The pages are not served by a live server: the test asks each role's Django test client for a page
(in the matrix's world, inside its rolled-back transaction) and the browser's request for it is
answered with that response; static files come from a small file server so the browser caches them.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from zhangwan.accounts.roles import STAFF_ROLES, Role
from zhangwan.tests.browser import Pages
from zhangwan.tests.matrix.test_url_matrix import ANON, EXPECTED, ROLES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Proper names and abbreviations, and the matrix world's data (part names, a policy's name and a title
# number prefix typed by officers), which stay as they are in Chinese text.
ALLOWED_WORDS = {"Excel", "xlsx", "PDF", "WPS", "Word", "skill", "theory", "practical", "ZWJN", "JSON", "https"}
# The matrix world's usernames (each role's user is named after the role; others are user1, user2, ...),
# which the account pages show as the data they are.
USERNAME_WORDS = {w for role in Role for w in re.findall(r"[A-Za-z]{4,}", role.value)} | {"user"}
NOT_PAGES = {"favicon", "healthz", "accounts:unread_badge"}
PHONE_USERS = {ANON, Role.WORKER.value, Role.LIAISON.value, Role.REVIEWER.value, Role.JUDGE.value}
READS_ALL = Role.AUDITOR.value
OFFICERS = {r.value for r in STAFF_ROLES} - {READS_ALL}

MEASURE = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const crushed = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const text = cell.innerText.replace(/\\s+/g, " ").trim();
    if (!text || !cell.offsetParent || cell.classList.contains("visually-hidden")) continue;
    const style = getComputedStyle(cell);
    const size = parseFloat(style.fontSize);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    // A line may break at a space or before an opening bracket ("预算（元）"), so those end a word.
    const longestWord = Math.max(...text.split(/\\s+|(?=[（(])/).map(w => canvas.measureText(w).width));
    const inner = cell.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    if (inner + 1 < Math.min(4 * size, longestWord)) crushed.push(`${text.slice(0, 20)} (${Math.round(inner)}px)`);
  }
  const root = document.scrollingElement;
  return {sideways: root.scrollWidth > window.innerWidth ? root.scrollWidth : 0, crushed: crushed.slice(0, 5),
          links: [...document.querySelectorAll("a[href]")].map(a => a.href),
          text: document.body.innerText, lang: document.documentElement.lang,
          data: [...document.querySelectorAll("code, kbd, samp")].map(e => e.innerText)};
}"""


def walked(role, entry, expected):
    if role in PHONE_USERS or role == READS_ALL:
        return True
    return expected[READS_ALL] != 200 or entry == "reports:dashboard"


def pages_of(role, objects):
    for entry, (build, expected) in sorted(EXPECTED.items()):
        name = entry.split("#")[0]
        if expected[role] == 200 and name not in NOT_PAGES and walked(role, entry, expected):
            yield entry, reverse(name, kwargs=build(objects) if build else None)


def refused(role, href, origin):
    """The URL name of a link that refuses `role` (403) according to the URL matrix, else None."""
    url = urlsplit(href)
    if f"{url.scheme}://{url.netloc}" != origin or url.path.startswith("/static/"):
        return None
    try:
        name = resolve(url.path).view_name
    except Resolver404:
        return None
    spec = EXPECTED.get(name)
    return name if spec and spec[1][role] == 403 else None


def english_words(text, data=()):
    for datum in data:  # codes the page marks as such (a token's random prefix, a number) are not words
        text = text.replace(datum, " ")
    text = re.sub(r"\S*https?://\S+", " ", text)  # addresses (the verification link) are not words
    text = re.sub(r"\S+@\S+", " ", text)  # nor are e-mail addresses
    # nor a token's random prefix where a page names the token as its __str__ does, "HR (fdde41e1…)"
    # (the activity log): hex letters four in a row happen in one prefix of ten or so
    text = re.sub(r"\b[0-9a-f]+…", " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z]{4,}", text) if w not in ALLOWED_WORDS | USERNAME_WORDS})


def problems_of(seen, role, origin):
    problems = []
    if seen["sideways"]:
        problems.append(f"scrolls sideways ({seen['sideways']}px)")
    if seen["crushed"]:
        problems.append(f"crushed cells {seen['crushed']}")
    problems += [f"links to {name}, which refuses {role}"
                 for name in sorted({refused(role, href, origin) for href in seen["links"]} - {None})]
    if seen["lang"].startswith("zh") and (words := english_words(seen["text"], seen["data"])):
        problems.append(f"English words {words[:8]}")
    return problems


@pytest.mark.long
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_links_only_where_the_role_may_go(browser, origin, role_clients, objects, role):
    client = role_clients(role)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    pages = Pages(origin)
    page = context.new_page()
    problems = []
    for entry, path in pages_of(role, objects):
        response = client.get(path, HTTP_HOST=urlsplit(origin).netloc)
        if response.streaming or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        pages.waiting[origin + path] = response
        if (served := page.goto(origin + path).status) != 200:  # not a blank page measured as a good one
            problems.append(f"{entry} {path}: the browser was given {served}")
        problems += [f"{entry} {path}: {problem}" for problem in problems_of(page.evaluate(MEASURE), role, origin)]
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [Role.WORKER.value, Role.LIAISON.value, Role.AUDITOR.value])
def test_the_walk_sees_what_it_looks_for(browser, origin, role):
    """The checks find a crushed cell, a sideways page, a refused link and English words."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.set_content('<html lang="zh-hans"><body><div style="width:600px">宽</div><table><tr>'
                     '<td style="width:1px">来源</td><td>是</td></tr></table>'
                     '<p>Upcoming <code>ccfb</code></p></body></html>')
    seen = page.evaluate(MEASURE)
    context.close()
    links = [origin + reverse("reports:report_list"), f"{origin}/static/css/app.css"]
    problems = problems_of({**seen, "links": links}, role, origin)
    assert problems[0].startswith("scrolls sideways")
    assert problems[1].startswith("crushed cells ['来源")
    assert ("links to reports:report_list" in " ".join(problems)) == (role != Role.AUDITOR.value)
    assert problems[-1] == "English words ['Upcoming']"


def test_a_tokens_prefix_is_data_not_an_english_word():
    """The activity log names an API token as its __str__ does; a random prefix like "fdde41e1" once
    failed the walk as the English word "fdde"."""
    assert english_words("创建 API 令牌 HR (fdde41e1…)") == []
    assert english_words("令牌 Pending (fdde41e1…)") == ["Pending"]
