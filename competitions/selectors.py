"""Reads for the officer: judges' marking patterns, disagreements, year-over-year figures."""

from collections import defaultdict
from decimal import Decimal
from statistics import mean, pstdev

from django.db.models import Count, Q

from .models import Competition, Entry, Mark, Result


def judge_patterns(event):
    """Per judge: how far their marks sit from the panel's mean, on average (in % of the maximum);
    and the entries whose judges disagree widely on a part: their highest and lowest marks lie more than
    the event's disagreement_points (of 100) apart."""
    rows = (Mark.objects.filter(sheet__entry__event=event, sheet__submitted_at__isnull=False)
            .values_list("sheet__judge", "sheet__judge__full_name", "sheet__judge__username", "sheet__entry",
                         "sheet__entry__bib", "part", "part__name", "value", "max_mark"))
    by_cell = defaultdict(list)
    names = {}
    for judge, full_name, username, entry, bib, part, part_name, value, max_mark in rows:
        names[judge] = full_name or username
        by_cell[(entry, bib, part, part_name)].append((judge, value * 100 / max_mark))
    deviations = defaultdict(list)
    disagreements = []
    for (entry, bib, _part, part_name), marks in by_cell.items():
        panel = mean(v for _j, v in marks)
        for judge, value in marks:
            deviations[judge].append(value - panel)
        spread = max(v for _j, v in marks) - min(v for _j, v in marks)
        if len(marks) > 1 and spread > event.disagreement_points:
            disagreements.append({"entry": entry, "bib": bib, "part": part_name, "spread": round(spread, 1)})
    judges = [{"judge": names[j], "mean_deviation": round(mean(d), 2), "spread": round(pstdev(d), 2) if len(d) > 1
               else Decimal("0"), "marks": len(d)} for j, d in deviations.items()]
    judges.sort(key=lambda j: -abs(j["mean_deviation"]))
    disagreements.sort(key=lambda d: (-d["spread"], d["bib"]))
    return judges, disagreements


def year_figures(years: list[int]) -> list[dict]:
    """Scale, participants and winners by level for each year, side by side; a team entry counts
    each of its members."""
    figures = []
    for year in years:
        competitions = Competition.objects.filter(year=year)
        entries = Entry.objects.filter(event__competition__year=year).exclude(status=Entry.Status.WITHDRAWN)
        winners = Entry.objects.filter(pk__in=Result.objects.filter(entry__event__competition__year=year)
                                       .exclude(tier="").values("entry"))
        by_level = defaultdict(set)
        for level, person in winners.person_rows("event__competition__level"):
            by_level[level].add(person)
        figures.append({
            "year": year,
            "competitions": competitions.count(),
            "leading": competitions.filter(leading=True).count(),
            "participants": entries.people().count(),
            "leading_participants": entries.filter(event__competition__leading=True).people().count(),
            "city_provincial": entries.filter(event__competition__level__in=["city", "provincial", "national"])
            .people().count(),
            "winners": winners.people().count(),
            "winners_by_level": {level: len(people) for level, people in by_level.items()},
            "projects_shortlisted": Competition.objects.filter(year=year).aggregate(
                n=Count("projects", filter=Q(projects__status__in=["shortlisted", "awarded"])))["n"],
        })
    return figures
