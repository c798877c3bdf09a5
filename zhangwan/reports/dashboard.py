"""The staff dashboard: a year's headline figures (``figures.headline``, the annual report's own
numbers) and a chart per dimension, each beside a table with the same numbers.

Every breakdown is one aggregate query whatever the year holds (figures.Year asks each shared one once:
the cards and the charts read the same trainee counts, money and certificates), so the page costs the same number of
queries for a year of ten trainees or thirty thousand. A liaison sees their organization's figures
only: the organization filter is theirs, whatever the address says.
"""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from certification.models import Certificate
from competitions.models import Competition, Entry, Tier
from masters.models import IncentivePolicy, MasterTitle, TalkOrder, TalkTopic
from training.models import TrainingClass
from training.subsidies import selectors
from training.subsidies.models import Kind
from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import STAFF_ROLES, Role, is_district_staff
from zhangwan.query import FIRST_YEAR, LAST_YEAR
from zhangwan.registry.models import Organization, SkillLevel, Trade
from zhangwan.registry.templatetags.money import yuan

from . import figures, kept
from .figures import LEVELS

# What makes the kept figures' HTML (kept.py): a deploy that changes any of it keeps afresh.
_HERE = Path(__file__).resolve().parent
RELEASE = kept.stamp(_HERE / "dashboard.py", _HERE / "figures.py", _HERE / "templates/reports/_dashboard_figures.html",
                     _HERE.parents[1] / "training/subsidies/selectors.py",
                     *sorted((_HERE.parents[1] / "locale").glob("*/LC_MESSAGES/django.mo")))

# The headline figures shown as cards; the rest are in the table under them.
CARDS = ["trainees", "skill_subsidies", "living_subsidies", "participants", "winners", "masters", "talks",
         "attendees"]


def shown(value, money=False, cents=True) -> str:
    """29,752 and ¥14,922,000.00 in every language, as the money pages write amounts; whole yuan
    (¥14,922,000) on the cards."""
    if money and not cents and value is not None:
        return f"{'-' if value < 0 else ''}¥{abs(round(value)):,}"
    return yuan(value) if money else f"{value or 0:,}"


@dataclass
class Cell:
    value: int | Decimal | None
    money: bool = False

    def __str__(self):
        return shown(self.value, self.money)


@dataclass
class Panel:
    """One chart (drawn by static/js/dashboard.js from ``chart``) and its table."""

    key: str
    title: str
    chart: dict
    head: list[str]
    rows: list[tuple[str, list[Cell]]]
    foot: list[Cell] | None = None
    note: str = ""
    wide: bool = False
    empty: bool = field(init=False)

    def __post_init__(self):
        self.empty = not any(cell.value for _label, cells in self.rows for cell in cells)


def _series(name, data, **options):
    return {"name": name, "data": [float(v or 0) for v in data], **options}


def _cells(values, money=False):
    return [Cell(v, money) for v in values]


# Years and filters


def years_with_data() -> list[int]:
    """The years anything happened in, newest first (one query)."""
    years = (TrainingClass.objects.order_by().annotate(y=ExtractYear("starts_on")).values_list("y")
             .union(Competition.objects.order_by().values_list("year"),
                    Certificate.objects.order_by().exclude(source=Certificate.Source.IMPORTED)
                    .annotate(y=ExtractYear("issued_on")).values_list("y"),
                    MasterTitle.objects.order_by().values_list("year")))
    return sorted({y for (y,) in years}, reverse=True)


def default_year(years: list[int]) -> int:
    """The last finished year with data; this year if only it has any; else last year (all zeros)."""
    this_year = timezone.localdate().year
    return next((y for y in years if y < this_year), None) or (this_year if this_year in years else this_year - 1)


def _chosen_year(request, years) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return default_year(years)
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        year = default_year(years)
        messages.warning(request, _("“%(value)s” is not a year from %(first)d to %(last)d: showing %(year)d.")
                         % {"value": raw[:20], "first": FIRST_YEAR, "last": LAST_YEAR, "year": year})
    return year


def _choices(staff: bool) -> tuple[list[int], list[tuple[int, str]]]:
    """The years with data and, for district staff, the organizations (pk, name) they may choose from."""
    return years_with_data(), list(Organization.objects.order_by("name").values_list("pk", "name")) if staff else []


def _chosen_organization(request, staff, choices):
    """(organization or None for the whole district, the organizations staff may choose from)."""
    user = request.user
    if not staff:
        if not user.organization_id:  # a liaison acting for no organization sees nothing
            raise PermissionDenied
        return user.organization, []
    organizations = [Organization(pk=pk, name=name) for pk, name in choices]
    raw = request.GET.get("organization", "").strip()
    chosen = next((o for o in organizations if str(o.pk) == raw), None)
    if raw and chosen is None:
        messages.warning(request, _("No such organization: showing the whole district."))
    return chosen, organizations


# Breakdowns: one aggregate query each


def subsidies_by_kind(year, organization=None, *, money=None) -> dict:
    """Paid by the year's policies, per kind: the people paid and the amount, net of reversals of paid
    claims (subsidies.selectors). money: figures.money_by_kind's answer when the caller has it already."""
    paid_out = figures.claims(year, organization).filter(selectors.PAID_OUT)
    measures = {"people": Count("worker", distinct=True)}
    for kind in Kind.values:
        measures |= {f"people_{kind}": Count("worker", distinct=True, filter=Q(policy__kind=kind))}
    paid = paid_out.aggregate(**measures)
    money = figures.money_by_kind(year, organization) if money is None else money
    for kind in Kind.values:
        paid[f"paid_{kind}"] = money[kind]["paid"] if kind in money else None
    paid["paid"] = sum((m["paid"] for m in money.values()), Decimal(0)) if money else None
    return paid


def competitors_by_level(year, organization=None) -> dict:
    """Distinct workers entered and awarded, per competition level, for the year and the one before;
    a team entry counts each of its members. One query of (year, level, tier, person) rows."""
    entries = Entry.objects.exclude(status=Entry.Status.WITHDRAWN).filter(
        event__competition__year__in=[year - 1, year])
    if organization is not None:
        entries = entries.filter(organization=organization)
    people, awarded = defaultdict(set), set(Tier.values)  # (Tier.values builds its list on every call)
    for y, level, tier, person in entries.person_rows("event__competition__year", "event__competition__level",
                                                      "result__tier"):
        measures = ["entered"] + (["won"] if tier in awarded else [])
        for measure in measures:
            people[f"{measure}_{y}"].add(person)
            people[f"{measure}_{y}_{level}"].add(person)
    return {f"{measure}_{y}{suffix}": len(people[f"{measure}_{y}{suffix}"])
            for measure in ("entered", "won") for y in (year - 1, year)
            for suffix in ("", *(f"_{level}" for level in Competition.Level.values))}


def masters_by_trade(year, organization=None) -> list[dict]:
    titles = MasterTitle.objects.filter(year=year)
    if organization is not None:
        titles = titles.filter(worker__employer=organization)
    return list(titles.values("trade__code", "trade__name_zh", "trade__name_en").annotate(n=Count("pk"))
                .order_by("-n", "trade__code"))


def grants_by_policy(year, organization=None) -> list[IncentivePolicy]:
    """Every incentive policy with the grants made under it in the year."""
    granted = Q(grants__granted_on__year=year)
    if organization is not None:
        granted &= Q(grants__organization=organization) | Q(grants__master__worker__employer=organization)
    return list(IncentivePolicy.objects.order_by("number")
                .annotate(granted=Count("grants", filter=granted), amount=Sum("grants__amount", filter=granted)))


def talks_by_category(year, organization=None) -> dict[str, dict]:
    talks = TalkOrder.objects.filter(status=TalkOrder.Status.HELD, held_on__year=year)
    if organization is not None:
        talks = talks.filter(organization=organization)
    return {row["topic__category"]: row for row in talks.order_by().values("topic__category")
            .annotate(talks=Count("pk"), people=Sum("attendance"))}


# Panels: the numbers above, shaped for a chart and a table


def month_name(month: int) -> str:
    """A month's short name, all alike: "Jan" … "Dec" in English (Django's MONTHS_AP mixes "Jan." with
    "March"), 一月 … 十二月 in Chinese."""
    return date_format(datetime.date(2000, month, 1), "M")


def trainees_panel(data: figures.Year):
    counts = data.trainee_counts
    trades = Trade.objects.in_bulk(list(counts["by_trade"]))
    order = sorted(trades.values(), key=lambda t: -counts["by_trade"][t.pk])
    months = range(1, 13)
    return Panel(
        "trainees", _("Trainees by trade and month"),
        {"categories": [month_name(m) for m in months], "stacked": True,
         "series": [_series(t.name, [counts["cells"].get((t.pk, m), 0) for m in months]) for t in order]},
        [_("Trade"), *[month_name(m) for m in months], _("Total")],
        [(t.name, _cells([*[counts["cells"].get((t.pk, m), 0) for m in months], counts["by_trade"][t.pk]]))
         for t in order],
        _cells([*[counts["by_month"].get(m, 0) for m in months], counts["total"]]),
        note=_("By the month the class starts. A worker is counted once in a total, however many classes "
               "they took."),
        wide=True)


def subsidies_panel(data: figures.Year):
    paid = subsidies_by_kind(data.year, data.organization, money=data.money_by_kind)
    return Panel(
        "subsidies", _("Subsidies paid by type (yuan)"),
        {"categories": [str(k.label) for k in Kind], "horizontal": True, "money": True,
         "series": [_series(_("Paid (yuan)"), [paid[f"paid_{k}"] for k in Kind.values])]},
        [_("Type"), _("People"), _("Paid (yuan)")],
        [(str(k.label), [Cell(paid[f"people_{k}"]), Cell(paid[f"paid_{k}"] or Decimal(0), money=True)])
         for k in Kind],
        [Cell(paid["people"]), Cell(paid["paid"] or Decimal(0), money=True)],
        note=_("Paid under the year's policies, reversals deducted."))


def competitions_panel(data: figures.Year):
    year = data.year
    counts = competitors_by_level(year, data.organization)
    levels = Competition.Level
    columns = [("entered", year - 1, 0, True), ("entered", year, 0, False),
               ("won", year - 1, 1, True), ("won", year, 1, False)]
    names = {"entered": _("Participants %(year)d"), "won": _("Winners %(year)d")}
    return Panel(
        "competitions", _("Competition participants and winners by level"),
        {"categories": [str(level.label) for level in levels],
         "series": [_series(names[m] % {"year": y}, [counts[f"{m}_{y}_{level}"] for level in levels.values],
                            color=c, previous=p) for m, y, c, p in columns]},
        [_("Level"), *[names[m] % {"year": y} for m, y, _c, _p in columns]],
        [(str(level.label), _cells([counts[f"{m}_{y}_{level}"] for m, y, _c, _p in columns])) for level in levels],
        _cells([counts[f"{m}_{y}"] for m, y, _c, _p in columns]),
        note=_("Workers entered, each member of a team counted, beside the year before; a worker is counted once "
               "in a total."))


def certificates_panel(data: figures.Year):
    year = data.year
    before, now = figures.certificates_by_level(year - 1, data.organization), data.certificates
    labels = [str(SkillLevel(level).label) for level in LEVELS]
    return Panel(
        "certificates", _("Certificates issued by level"),
        {"categories": labels,
         "series": [_series(str(year - 1), before.values(), color=0, previous=True),
                    _series(str(year), now.values(), color=0)]},
        [_("Level"), str(year - 1), str(year)],
        [(label, _cells([before[level], now[level]])) for label, level in zip(labels, LEVELS, strict=True)],
        _cells([sum(before.values()), sum(now.values())]),
        note=_("Valid certificates issued by the district's assessments and competitions."))


def masters_panel(data: figures.Year):
    rows = masters_by_trade(data.year, data.organization)
    names = [Trade(name_zh=r["trade__name_zh"], name_en=r["trade__name_en"]).name for r in rows]
    return Panel(
        "masters", _("Skills Masters conferred by trade"),
        {"categories": names, "horizontal": True, "series": [_series(_("Masters"), [r["n"] for r in rows])]},
        [_("Trade"), _("Masters")],
        [(name, [Cell(r["n"])]) for name, r in zip(names, rows, strict=True)],
        [Cell(sum(r["n"] for r in rows))])


def incentives_panel(data: figures.Year):
    policies = grants_by_policy(data.year, data.organization)
    return Panel(
        "incentives", _("Incentive grants by policy"),
        {"categories": [f"{p.number}. {p.name}" for p in policies], "horizontal": True,
         "series": [_series(_("Grants"), [p.granted for p in policies], color=1)]},
        [pgettext("incentive", "Policy"), _("Grants"), _("Amount (yuan)")],
        [(f"{p.number}. {p.name}", [Cell(p.granted), Cell(p.amount, money=True)]) for p in policies],
        [Cell(sum(p.granted for p in policies)), Cell(sum(p.amount or 0 for p in policies), money=True)],
        note=_("Grants made in the year, to masters and to organizations."))


def outreach_panel(data: figures.Year):
    talks = talks_by_category(data.year, data.organization)
    categories = TalkTopic.Category
    held = [talks.get(c, {}).get("talks", 0) for c in categories.values]
    people = [talks.get(c, {}).get("people") or 0 for c in categories.values]
    return Panel(
        "outreach", _("Outreach talks and attendees by topic"),
        {"categories": [str(c.label) for c in categories], "axes": 2,
         "series": [_series(_("Talks"), held, color=2), _series(_("Attendees"), people, color=3, axis=1)]},
        [_("Topic"), _("Talks"), _("Attendees")],
        [(str(c.label), _cells([h, p])) for c, h, p in zip(categories, held, people, strict=True)],
        _cells([sum(held), sum(people)]))


PANELS = [trainees_panel, subsidies_panel, competitions_panel, certificates_panel, masters_panel,
          incentives_panel, outreach_panel]


def figures_html(year: int, organization=None) -> str:
    """The dashboard's figures of a year (its cards, the report's headline figures, the panels and their
    charts' data) as HTML: the same for every reader in one language."""
    data = figures.Year(year, organization)
    shown_figures = {f.key: f for f in data.headline()}
    panels = [build(data) for build in PANELS]
    return render_to_string("reports/_dashboard_figures.html", {
        "cards": [(key, shown_figures[key].label,
                   shown(shown_figures[key].value, shown_figures[key].money, cents=False)) for key in CARDS],
        "figures": [(f.label, shown(f.value, f.money)) for f in shown_figures.values()], "panels": panels,
        "data": {p.key: p.chart for p in panels},
    })


@role_required(*STAFF_ROLES, Role.LIAISON)
def dashboard(request):
    """The figures are kept between views until a change that could alter them commits (kept.py): a year's
    whole figures for an organization or the district, and the years and organizations to choose from."""
    staff = is_district_staff(request.user)
    years, choices = kept.kept(f"choices:{staff:d}", (), functools.partial(_choices, staff))
    organization, organizations = _chosen_organization(request, staff, choices)
    year = _chosen_year(request, years)
    html = kept.kept(f"dashboard:{RELEASE}:{year}:{organization.pk if organization else 0}", (year - 1, year),
                     functools.partial(figures_html, year, organization))
    return render(request, "reports/dashboard.html", {
        "year": year, "years": sorted({*years, year, timezone.localdate().year}, reverse=True),
        "organization": organization, "organizations": organizations, "figures": mark_safe(html),  # noqa: S308
    })
