"""The judge's grid of bibs on an event's page, written in Python (issue 21): an event has dozens of entries,
and in the template each button cost a ``{% with %}``, three ``{% if %}``, a ``{% url %}`` and a translation,
four fifths of the page's processor time. The HTML is the template's, character for character
(``competitions/tests/test_grid.py`` holds it there, in both languages)."""

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from zhangwan.links import addresser
from zhangwan.markup import escaped

BUTTON = ('\n  <div class="col-4 col-sm-3 col-md-2">\n'
          '    <a class="btn w-100 py-3 {css}" href="{url}" id="bib-{bib}">\n'
          '      <span class="fs-4 d-block">{bib}</span><small>{label}</small></a>\n  </div>\n  ')


def bib_buttons(entries, sheets: dict) -> SafeString:
    """A button per entry (by bib: green when the judge's sheet of it is submitted, amber for a draft, plain
    when not marked yet), each leading to the sheet; ``sheets``: entry pk → the judge's sheet."""
    if not entries:
        return mark_safe(f'<p class="text-muted">{escaped(gettext("No entries to mark."))}</p>')  # noqa: S308
    address = addresser("competitions:judge_sheet")
    states = {"submitted": ("btn-success", escaped(gettext("Submitted"))),
              "draft": ("btn-warning", escaped(gettext("Draft"))),
              "todo": ("btn-outline-secondary", escaped(gettext("To mark")))}
    buttons = []
    for entry in entries:
        sheet = sheets.get(entry.pk)
        css, label = states["todo" if sheet is None else "submitted" if sheet.submitted_at else "draft"]
        bib = escaped(localize(entry.bib))
        buttons.append(BUTTON.format(css=css, url=escaped(address(entry.pk)), bib=bib, label=label))
    return mark_safe("".join(buttons))  # noqa: S308 - every value escaped above
