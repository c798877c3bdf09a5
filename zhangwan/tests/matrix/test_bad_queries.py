"""The GET forms too: every page of the project opened with bad values in each of its query
parameters — the fields of its search and filter forms, and the page, year, format and sort
parameters that lists read. Never a 500, never a write, never the value shown unescaped."""

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse

from zhangwan.tests.matrix.test_url_matrix import ANON, EXPECTED, ROLES, app_of
from zhangwan.tests.matrix.writes import rows_written

from . import badinput as bad

pytestmark = pytest.mark.django_db

# Read by list pages whether or not a form shows them.
COMMON = ["page", "year", "q"]
VALUES = ["abc", "-1", str(10**40), "2022-02-30", "a\x00b", bad.SCRIPT, "字" * 5_000]


class GetFormFields(HTMLParser):
    """The names of the fields of the page's GET forms (search boxes, filters)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside, self.names = False, set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("method") or "get").lower() == "get"
        elif self.inside and tag in ("input", "select", "textarea") and a.get("name") \
                and a.get("type") not in ("submit", "button", "file"):
            self.names.add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def reader(expected) -> str:
    """A role the page answers with 200, staff before others (they see the most filters)."""
    return next((r for r in reversed(ROLES) if expected[r] == 200), ANON)


# Pages that answer someone with 200; another object of the same view ("#") has the same parameters.
PAGES = sorted(name for name, (_build, expected) in EXPECTED.items() if 200 in expected.values() and "#" not in name)
# One case per app, so that pytest-xdist spreads the requests over its workers.
APPS = sorted({app_of(name) for name in PAGES})


def pages_of(app: str) -> list[str]:
    return [name for name in PAGES if app_of(name) == app]


def page_parameters(role_clients, objects, name) -> tuple[str, str, list[str]]:
    """The role that may see the page, its URL and the query parameters it reads."""
    build, expected = EXPECTED[name]
    url = reverse(name.split("#")[0], kwargs=build(objects) if build else None)
    response = role_clients(reader(expected)).get(url)
    parser = GetFormFields()
    if "text/html" in response.get("Content-Type", "") and not response.streaming:
        parser.feed(response.content.decode())
    return reader(expected), url, sorted(parser.names | set(COMMON))


def test_the_walk_sends_more_than_1200_bad_query_strings(role_clients, objects):
    requests = sum(len(page_parameters(role_clients, objects, name)[2]) * len(VALUES) for name in PAGES)
    assert requests > 1200


@pytest.mark.long
@pytest.mark.parametrize("app", APPS)
def test_every_page_survives_bad_query_strings(role_clients, objects, app):
    problems = []
    for name in pages_of(app):
        role, url, params = page_parameters(role_clients, objects, name)
        for param in params:
            for value in VALUES:
                try:
                    with transaction.atomic():
                        before = rows_written()
                        response = role_clients(role).get(f"{url}?{urlencode({param: value})}")
                        written = [t for t, n in rows_written().items() if n != before.get(t, 0)]
                        transaction.set_rollback(True)
                except Exception as error:  # the test client re-raises what would be a 500
                    problems.append((name, param, value[:40], repr(error)[:120]))
                    continue
                body = b"" if response.streaming else response.content
                if response.status_code >= 500 or written or bad.SCRIPT.encode() in body:
                    problems.append((name, param, value[:40], response.status_code, written))
    assert problems == []
