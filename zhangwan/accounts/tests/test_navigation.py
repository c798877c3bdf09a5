"""The navigation bar is drawn once per language, address prefix, roles, staff flag and current item, and
kept in the process's "fragments" cache (base.html's {% cache %}, the key from
accounts/context_processors.py): a page shows the bar of its own reader, language and place at once,
whatever was drawn before."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from zhangwan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def bar(client, url, language="zh-hans"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<nav class="navbar'):html.index('id="language-menu"')]


def active(html):
    """The labels of the items marked as the current page (the phone's list and the wide bar's menu)."""
    return {part.split("</i> ", 1)[1].split("<", 1)[0] for part in html.split('aria-current="page"')[1:]}


def test_the_bar_follows_the_language_the_page_the_roles_and_the_staff_flag(client, role_users):
    officer = role_users[Role.TRAINING_OFFICER]
    manage, catalogue = reverse("training:class_list"), reverse("training:catalogue")
    client.force_login(officer)

    chinese = bar(client, manage)
    assert active(chinese) == {"培训班管理"}
    assert active(bar(client, catalogue)) == {"培训班目录"}
    assert active(bar(client, manage, "en")) == {"Manage classes"}
    assert bar(client, manage) == chinese  # drawn again from the cache: the same bar

    assert officer.is_staff and "bi-sliders" in chinese  # the Administration link
    officer.groups.clear()  # no role left: only what everybody sees
    officer.is_staff = False
    officer.save(update_fields=["is_staff"])
    bare = bar(client, catalogue)
    assert "培训班目录" in bare and "培训班管理" not in bare and "bi-sliders" not in bare
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    assert "bi-sliders" in bar(client, catalogue)

    set_script_prefix("/zw/")  # served under another address (a proxy's sub-path)
    try:
        assert f'href="/zw{catalogue}"' in bar(client, catalogue)
    finally:
        clear_script_prefix()

    client.logout()
    anonymous = bar(client, catalogue)
    assert "notifications-link" not in anonymous and "培训班目录" in anonymous


def test_an_item_registered_later_shows_on_the_next_page(client, role_users):
    """The items each set of roles sees are worked out once per process; an app registering an item (at
    start-up, or a test) starts them afresh."""
    from zhangwan.accounts import context_processors

    client.force_login(role_users[Role.TRAINING_OFFICER])
    catalogue = reverse("training:catalogue")
    assert "bi-stopwatch" not in bar(client, catalogue)
    context_processors.register(("Timing", "training:catalogue", "stopwatch", (Role.TRAINING_OFFICER,)))
    try:
        assert "bi-stopwatch" in bar(client, catalogue)
    finally:
        context_processors.NAVIGATION.pop()
        context_processors._shown.clear()  # noqa: SLF001 - the test's own item taken away again
