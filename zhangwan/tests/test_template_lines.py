"""No template line is longer than 250 characters (issue 17, item 11: whole tables on one line).

Long lines are reflowed between tags and attributes, one cell per line, without changing what the
page renders (not inside `{% blocktranslate %}`, whose whitespace is part of the msgid).
"""

from pathlib import Path

from zhangwan.tests.test_templates import ROOT, every_template

LIMIT = 250



def checked_templates():
    for path in every_template():
        yield Path(path).relative_to(ROOT).as_posix(), path


def test_the_walk_sees_the_project_and_app_templates():
    seen = {relative for relative, _ in checked_templates()}
    assert {"templates/base.html", "zhangwan/reports/templates/reports/talent_profile.html",
            "training/templates/training/class_manage.html"} <= seen
    assert not any(".venv" in relative for relative in seen)


def test_no_template_line_is_longer_than_250_characters():
    too_long = [f"{relative}:{number} ({len(line)} characters)"
                for relative, path in checked_templates()
                for number, line in enumerate(Path(path).read_text().splitlines(), start=1)
                if len(line) > LIMIT]
    assert not too_long, "reflow these template lines:\n" + "\n".join(too_long)
