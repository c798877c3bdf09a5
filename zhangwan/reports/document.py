"""The written annual summary (issue 23): a Word draft "张湾区总工会 {year} 年技能人才工作总结（初稿）" in the
shape of the union's own 2022 report (shared/seed): an opening paragraph, then four parts — training,
competitions, policies and certification, Skills Masters and outreach — whose sentences carry the
year's figures and their change on the year before, then tables of the headline figures.

Every figure comes from ``figures`` (the same functions as the workbook's summary and the dashboard),
never counted a second way here. Sentences are whole gettext messages with named placeholders, so the
Chinese draft reads as a Chinese report and the English one as an English text; numbers are written as
each language writes them in a report (``written``).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from zhangwan.registry.models import SkillLevel

from . import figures, written

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Units: a count and its noun, as the report says it ("4个", "4 training bases").


def workers(n) -> str:
    return npgettext("summary", "%(n)s worker", "%(n)s workers", n) % {"n": written.count(n)}


def bases(n) -> str:
    return npgettext("summary", "%(n)s training base", "%(n)s training bases", n) % {"n": written.count(n)}


def classes(n) -> str:
    return npgettext("summary", "%(n)s class", "%(n)s classes", n) % {"n": written.count(n)}


def contests(n) -> str:
    return npgettext("summary", "%(n)s competition", "%(n)s competitions", n) % {"n": written.count(n)}


def leading(n) -> str:
    return npgettext("summary", "%(n)s leading skills competition", "%(n)s leading skills competitions", n) % {
        "n": written.count(n)}


def projects(n) -> str:
    return npgettext("summary", "%(n)s project", "%(n)s projects", n) % {"n": written.count(n)}


def policies(n) -> str:
    return npgettext("summary", "%(n)s incentive policy", "%(n)s incentive policies", n) % {"n": written.count(n)}


def certificates(n) -> str:
    return npgettext("summary", "%(n)s certificate", "%(n)s certificates", n) % {"n": written.count(n)}


def masters(n) -> str:
    return npgettext("summary master", "%(n)s worker", "%(n)s workers", n) % {"n": written.count(n)}


def talks(n) -> str:
    return npgettext("summary", "%(n)s talk", "%(n)s talks", n) % {"n": written.count(n)}


def attendances(n) -> str:
    return npgettext("summary", "%(n)s attendance", "%(n)s attendances", n) % {"n": written.count(n)}


def grants(n) -> str:
    return npgettext("summary", "%(n)s grant", "%(n)s grants", n) % {"n": written.count(n)}


def title(year: int) -> str:
    return _("Zhangwan District Federation of Trade Unions: skills talent work in %(year)s (first draft)") % {
        "year": year}


class Facts:
    """The year's figures and the year before's, by key, and the names the sentences mention."""

    def __init__(self, year: int):
        self.year = year
        self.current = figures.headline(year)
        self.previous = figures.headline(year - 1)
        self.now = {f.key: f.value for f in self.current}
        self.before = {f.key: f.value for f in self.previous}
        self.trades = figures.trades_taught(year)
        self.leading = figures.leading_competitions(year)
        self.categories = figures.talk_categories(year)
        self.grants = figures.grants(year)

    def change(self, key: str) -> str:
        return written.change(self.now[key], self.before[key])

    def certificates(self) -> int:
        return sum(self.now[f"certificates_{level}"] for level in figures.LEVELS)

    def certificates_before(self) -> int:
        return sum(self.before[f"certificates_{level}"] for level in figures.LEVELS)


def opening(facts: Facts) -> str:
    return _(
        "In %(year)s the Zhangwan District Federation of Trade Unions put the strategy of a district strong in "
        "talent into practice. Drawing on its organization, the resources of the departments and the strength "
        "of society, it grew skilled workers four ways at once — skills training, skills competitions, "
        "vocational qualification certification and the selection of Skills Masters. Over the year it trained "
        "%(trainees)s, held %(competitions)s, issued %(certificates)s of vocational skill levels and named "
        "%(masters)s Skills Masters. The year's work is summed up below."
    ) % {"year": facts.year, "trainees": workers(facts.now["trainees"]),
         "competitions": contests(facts.now["competitions"]), "certificates": certificates(facts.certificates()),
         "masters": masters(facts.now["masters"])}


def training(facts: Facts) -> list[str]:
    now, change = facts.now, facts.change
    sentences = [_(
        "Starting from what workers told us they need, we drew up the year's training plan with government, "
        "employers and social organizations. The union established %(bases)s for industrial workers, "
        "%(bases_change)s, and held %(classes)s for industrial workers and team leaders, %(classes_change)s."
    ) % {"bases": bases(now["bases"]), "bases_change": change("bases"), "classes": classes(now["classes"]),
         "classes_change": change("classes")}]
    if facts.trades:
        sentences.append(_(
            "Training covered trades such as %(trades)s and reached %(trainees)s in all, %(trainees_change)s."
        ) % {"trades": written.listing(facts.trades), "trainees": workers(now["trainees"]),
             "trainees_change": change("trainees")})
    else:
        sentences.append(_("Training reached %(trainees)s in all, %(trainees_change)s.") % {
            "trainees": workers(now["trainees"]), "trainees_change": change("trainees")})
    sentences.append(_(
        "Skill-improvement and training subsidies of %(skill)s were paid, %(skill_change)s; living-expense "
        "subsidies for the employment and entrepreneurship training of poverty-alleviation labourers came to "
        "%(living)s, %(living_change)s."
    ) % {"skill": written.yuan(now["skill_subsidies"]), "skill_change": change("skill_subsidies"),
         "living": written.yuan(now["living_subsidies"]), "living_change": change("living_subsidies")})
    return sentences


def competitions(facts: Facts) -> list[str]:
    now, change = facts.now, facts.change
    sentences = [_(
        "Labour competitions and workers' vocational skills competitions were held across the district's key "
        "fields, industries and projects: %(competitions)s in all, %(competitions_change)s."
    ) % {"competitions": contests(now["competitions"]), "competitions_change": change("competitions")}]
    if facts.leading:
        trades = sorted({trade for row in facts.leading for trade in row["trades"]})
        sentences.append(_(
            "These included %(leading)s, in %(trades)s (%(names)s), with %(participants)s taking part, "
            "%(participants_change)s."
        ) % {"leading": leading(now["leading"]), "trades": written.listing(trades),
             "names": written.listing([written.quoted(row["name"]) for row in facts.leading]),
             "participants": workers(now["participants"]), "participants_change": change("participants")})
    sentences.append(_(
        "%(external)s took part in provincial and city competitions, %(external_change)s, and %(winners)s won "
        "awards at provincial, city and district competitions, %(winners_change)s."
    ) % {"external": workers(now["external"]), "external_change": change("external"),
         "winners": workers(now["winners"]), "winners_change": change("winners")})
    sentences.append(_("In the innovation competitions, %(projects)s reached the shortlist, %(projects_change)s.") % {
        "projects": projects(now["projects"]), "projects_change": change("projects")})
    return sentences


def policy(facts: Facts) -> list[str]:
    now, change = facts.now, facts.change
    sentences = [_(
        "Led by the district federation and carried forward with the departments, the policies for skilled "
        "workers were brought together: the district now has %(policies)s for skilled workers in force, "
        "%(policies_change)s."
    ) % {"policies": policies(now["policies"]), "policies_change": change("policies")}]
    total = facts.certificates()
    levels = [(SkillLevel(level).label, now[f"certificates_{level}"]) for level in sorted(figures.LEVELS)]
    sentences.append(_(
        "The year saw %(certificates)s of vocational skill levels issued, %(certificates_change)s%(levels)s."
    ) % {"certificates": certificates(total), "certificates_change": written.change(total, facts.certificates_before()),
         "levels": (_(": %(levels)s") % {"levels": written.listing(
             [_("%(count)s at %(level)s") % {"level": written.level(label), "count": certificates(n)}
              for label, n in levels if n])})
         if total else ""})
    if facts.grants["grants"]:
        sentences.append(_(
            "Skills Masters and their employers received %(grants)s under these policies, worth %(amount)s."
        ) % {"grants": grants(facts.grants["grants"]), "amount": written.yuan(facts.grants["amount"])})
    return sentences


def outreach(facts: Facts) -> list[str]:
    now, change = facts.now, facts.change
    sentences = [_(
        "Through expert review and the skills competitions, %(masters)s earned the title of Skills Master of "
        "Zhangwan District, %(masters_change)s, and their example was made known through the mainstream "
        "media."
    ) % {"masters": masters(now["masters"]), "masters_change": change("masters")}]
    kinds = (_(" on %(kinds)s") % {"kinds": written.listing(facts.categories)}) if facts.categories else ""
    sentences.append(_(
        "Talks from the outreach menu reached every industry and group: the union held %(talks)s%(kinds)s, "
        "%(talks_change)s, with %(attendees)s, %(attendees_change)s."
    ) % {"talks": talks(now["talks"]), "kinds": kinds, "talks_change": change("talks"),
         "attendees": attendances(now["attendees"]), "attendees_change": change("attendees")})
    return sentences


PARTS = [
    (lambda: _("1. Training shaped by what workers need"), training),
    (lambda: _("2. Skills competitions across the district, for its industries"), competitions),
    (lambda: _("3. Policies and certification that lift skilled workers"), policy),
    (lambda: _("4. Skills Masters and outreach that spread the spirit of labour"), outreach),
]


def paragraphs(year: int) -> tuple[Facts, list[tuple[str, str]]]:
    """The draft's text as (kind, text): "title", "opening", "heading", "body"."""
    facts = Facts(year)
    text = [("title", title(year)), ("opening", opening(facts))]
    for heading, part in PARTS:
        text += [("heading", heading()), ("body", written.sentences(part(facts)))]
    return facts, text


# Writing the document -----------------------------------------------------------------------

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "宋体"


def _font(run_or_style, name: str, size: int, bold: bool = False):
    font = run_or_style.font
    font.name, font.size, font.bold = name, Pt(size), bold
    fonts = run_or_style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _page_numbers(section):
    """"- n -" centred in the footer."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run.element.append(element)
    paragraph.add_run(" -")


def _setup(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _font(document.styles["Normal"], BODY_FONT, 16)
    document.styles["Normal"].paragraph_format.line_spacing = Pt(28)
    _page_numbers(section)


def _paragraph(document, kind: str, text: str):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    if kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(16)
        _font(run, TITLE_FONT, 22, bold=True)
    elif kind == "heading":
        paragraph.paragraph_format.first_line_indent = Pt(32)
        paragraph.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        _font(run, HEADING_FONT, 16)
    else:
        paragraph.paragraph_format.first_line_indent = Pt(32)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return paragraph


def _table(document, caption: str, headers: list[str], rows: list[list[str]]):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    _font(paragraph.add_run(caption), HEADING_FONT, 14)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 11)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            _font(run, BODY_FONT, 11)
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _figure(value) -> str:
    return written.table_number(value)


def _tables(document, facts: Facts):
    year = facts.year
    headers = [pgettext("annual report", "Figure"), str(year), str(year - 1), pgettext("annual report", "Change"),
               pgettext("annual report", "Change (%)")]
    rows = []
    for now, before in zip(facts.current, facts.previous, strict=True):
        difference = now.value - before.value
        share = f"{difference / before.value * 100:.1f}%" if before.value else "—"
        rows.append([str(now.label), _figure(now.value), _figure(before.value), _figure(difference), share])
    _table(document, _("Table 1. Headline figures, %(year)s beside %(previous)s") % {
        "year": year, "previous": year - 1}, headers, rows)
    if facts.leading:
        document.add_paragraph()
        _table(document, _("Table 2. Leading skills competitions, %(year)s") % {"year": year},
               [_("Competition"), _("Trades"), _("Workers")],
               [[row["name"], written.listing(row["trades"]), _figure(row["participants"])] for row in facts.leading])


def build(path, year: int, made_by=None) -> None:
    """Write the year's draft to path, in the current language."""
    facts, text = paragraphs(year)
    document = Document()
    _setup(document)
    document.core_properties.title = title(year)
    document.core_properties.author = str(made_by or _("Zhangwan District Federation of Trade Unions"))
    for kind, words in text:
        _paragraph(document, kind, words)
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(note.add_run(_("Drafted from the platform's figures on %(date)s%(by)s; to be checked and edited.") % {
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "by": (_(", for %(name)s") % {"name": made_by}) if made_by else ""}), BODY_FONT, 12)
    document.add_page_break()
    _tables(document, facts)
    document.save(path)

