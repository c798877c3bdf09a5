"""Helpers for the browser tests: screenshots and logging in."""

from pathlib import Path

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


