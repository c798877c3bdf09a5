"""HTML written in Python for the busiest parts of the pages (the class lists' rows, training/rows.py, and the
filter bars' widgets, zhangwan/filters.py).

``escaped`` is ``django.utils.html.conditional_escape`` without the wrapper Django puts around ``escape`` to
keep lazy translations lazy (``keep_lazy`` looks at every argument of every call): a list page escapes each
of its few hundred values once, already knowing it wants the text now, and the wrappers cost 0.2-0.4 ms of
such a page (issue 21). The text is the same as Django's; ``zhangwan/tests/test_markup.py`` holds it there.
"""

import html

from django.utils.functional import Promise


def escaped(text) -> str:
    """``conditional_escape(text)``: what has ``__html__`` (safe strings, forms' widgets) as it gives it, any
    other value as text with ``& < > " '`` escaped; a lazy translation translated first."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def attributes(attrs) -> str:
    """``flatatt(attrs)``: ` name="value"` for each attribute with a value, by name, then ` name` for each
    attribute that is True, by name; False and None leave the attribute out."""
    pairs, flags = [], []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                flags.append(name)
        elif value is not None:
            pairs.append((name, value))
    return "".join(f' {escaped(name)}="{escaped(value)}"' for name, value in sorted(pairs)) + \
        "".join(f" {escaped(name)}" for name in sorted(flags))
