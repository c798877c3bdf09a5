"""Helpers for the browser tests: screenshots, logging in, and pages handed to the browser from a Django
test client (served with the static files by a small server: the `origin` fixture of zhangwan/tests/conftest.py)."""

import http.server
import mimetypes
import sys
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


class Origin(http.server.BaseHTTPRequestHandler):
    """The `origin` server: /static/ from the finders, cacheable, so each page does not fetch Bootstrap
    again; any other address from the Pages of this origin."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if urlsplit(self.path).path.startswith("/static/"):
            self._static()
        else:
            self._page()

    do_POST = do_GET  # noqa: N815

    def _static(self):
        found = finders.find(urlsplit(self.path).path.removeprefix("/static/"))
        if not found:
            self.send_error(404)
            return
        with open(found, "rb") as file:
            body = file.read()
        self._send(200, {"Content-Type": mimetypes.guess_type(found)[0] or "application/octet-stream",
                         "Cache-Control": "max-age=3600"}, body)

    def _page(self):
        origin = f"http://{self.headers.get('Host')}"
        pages = SERVED.get(origin)
        response = pages.waiting.pop(origin + self.path, None) if pages else None
        if response is None:
            self._send(204, {}, b"")
            return
        self._send(response.status_code, {k: v for k, v in response.headers.items() if k != "Content-Length"},
                   response.content)

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class OriginServer(http.server.ThreadingHTTPServer):
    """The `origin` server: a browser that drops a connection (a page closed or left while a request was
    on its way) is not an error of the test, and its traceback is not printed among the results."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


SERVED = {}  # origin → the Pages its server hands out


class Pages:
    """Answers the browser's requests for pages with the responses the test got from the role's client
    (Django's database connection is per greenlet inside Playwright's callbacks, so the client is
    called by the test itself); any other request (the unread badge htmx fetches, an inline
    attachment) gets an empty 204. The origin's server hands them out, not Playwright's routing of
    requests, which turns the browser's cache off: every page would fetch the static files again."""

    def __init__(self, origin: str):
        self.waiting = {}
        SERVED[origin] = self
