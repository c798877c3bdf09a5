"""Parts of every page's frame (base.html) written in Python: the breadcrumbs and the language menu's
buttons. In the template they were a fifth of base.html's processor time (an include and two loops on
every page, issue 21); the HTML is the old templates', character for character
(``zhangwan/tests/test_chrome.py``)."""

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info, gettext

from zhangwan.links import fast_reverse
from zhangwan.markup import escaped

register = template.Library()  # a builtin of every template (settings.TEMPLATES)


@register.simple_tag
def breadcrumbs(crumbs) -> SafeString:
    """``{% breadcrumbs crumbs %}``: home, then each (label, address or None) of ``crumbs``, the last without
    its address as the current page."""
    items = []
    for label, url in crumbs:
        label = escaped(localize(label))  # as {{ label }}: a number or a date localized, then escaped
        if url:
            items.append(f'\n    <li class="breadcrumb-item"><a href="{escaped(localize(url))}">'
                         f"{label}</a></li>\n    \n    ")
        else:
            items.append(f'\n    <li class="breadcrumb-item active" aria-current="page">{label}</li>\n    ')
    return mark_safe(  # noqa: S308 - every value escaped here
        f'<nav aria-label="{escaped(gettext("Breadcrumb"))}">\n  <ol class="breadcrumb small">\n'
        f'    <li class="breadcrumb-item"><a href="{escaped(fast_reverse("home"))}">{escaped(gettext("Home"))}'
        f'</a></li>\n    {"".join(items)}\n  </ol>\n</nav>\n')


_BUTTONS: dict[tuple, str] = {}


@register.simple_tag
def language_buttons() -> SafeString:
    """The language menu's buttons, one for each language, each named in itself ("English", not "英语"),
    the current one active: the same for every page of a language, made once per process."""
    current = get_language()
    key = (current, tuple(settings.LANGUAGES))
    buttons = _BUTTONS.get(key)
    if buttons is None:
        buttons = _BUTTONS[key] = "\n            " + "".join(
            f'\n            <button class="dropdown-item{" active" if code == current else ""}" type="submit" '
            f'name="language" value="{escaped(code)}" lang="{escaped(code)}">'
            f'{escaped(get_language_info(code)["name_local"])}</button>\n            '
            for code, _name in settings.LANGUAGES)
    return mark_safe(buttons)  # noqa: S308 - escaped above
