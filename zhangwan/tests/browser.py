"""Helpers for the browser tests: screenshots, logging in, and pages handed to the browser from a Django
test client (with the static files from a small server: the `origin` fixture of zhangwan/tests/conftest.py)."""

import http.server
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders

from zhangwan.accounts.tests.factories import PASSWORD

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def log_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


class StaticFiles(http.server.BaseHTTPRequestHandler):
    """/static/ from the finders, cacheable, so each page does not fetch Bootstrap again."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        found = finders.find(urlsplit(self.path).path.removeprefix("/static/"))
        if not found:
            self.send_error(404)
            return
        with open(found, "rb") as file:
            body = file.read()
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(found)[0] or "application/octet-stream")
        self.send_header("Cache-Control", "max-age=3600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Pages:
    """Answers the browser's requests for pages with the responses the test got from the role's client
    (Django's database connection is per greenlet inside Playwright's callbacks, so the client is
    called by the test itself); any other request (the unread badge htmx fetches, an inline
    attachment) gets an empty 204."""

    def __init__(self):
        self.waiting = {}

    def __call__(self, route):
        response = self.waiting.pop(route.request.url, None)
        if response is None:
            return route.fulfill(status=204, body="")
        # Cross-Origin-Opener-Policy would move the page to a browsing context group this route no
        # longer sees.
        headers = {k: v for k, v in response.headers.items() if k != "Cross-Origin-Opener-Policy"}
        return route.fulfill(status=response.status_code, headers=headers, body=response.content)
