"""Training needs answered online: workers and liaisons answer a survey while it is open; the training
officer turns the summed head counts into the year's plan lines.

A worker answers for themself (head count 1), a liaison for their organization; either changes or
withdraws their answers until the survey closes. Outside the survey's dates every write is refused
with the dates (``closed_message``); the pages show it beside a disabled button.
"""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from zhangwan.history import bulk_create_with_history, bulk_update_with_history, save_with_history

from .models import Format, NeedsResponse, NeedsSurvey, PlanLine, TrainingPlan
from .services import TrainingError

ANSWER_FIELDS = ("trade", "level", "format", "head_count", "remark")


def closed_message(survey: NeedsSurvey, today=None) -> str:
    """Why the survey takes no answers today ("" while it is open)."""
    if survey.is_open(today):
        return ""
    return _("This survey takes answers from %(starts)s to %(ends)s only.") % {
        "starts": f"{survey.starts_on:%Y-%m-%d}", "ends": f"{survey.ends_on:%Y-%m-%d}"}


def _check_open(survey: NeedsSurvey) -> None:
    if message := closed_message(survey):
        raise TrainingError(message)


def _check_trade_free(survey, respondent: dict, trade, *, exclude=None) -> None:
    taken = NeedsResponse.objects.filter(survey=survey, trade=trade, **respondent)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise TrainingError(_("You have already answered for %(trade)s in this survey: change that answer instead.")
                            % {"trade": trade})


def _locked_survey(survey: NeedsSurvey) -> NeedsSurvey:
    """The survey's row lock serializes one respondent's answers (two tabs sending the same trade)."""
    return NeedsSurvey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def response_create(*, survey: NeedsSurvey, worker=None, organization=None, trade, level=None,
                    format=Format.IN_PERSON, head_count: int = 1,
                    remark: str = "") -> NeedsResponse:
    """A worker's answer (worker=, head count 1) or an organization's (organization=, its head count)."""
    survey = _locked_survey(survey)
    _check_open(survey)
    respondent = {"worker": worker} if worker is not None else {"organization": organization}
    _check_trade_free(survey, respondent, trade)
    return NeedsResponse.objects.create(survey=survey, trade=trade, level=level, format=format,
                                        head_count=1 if worker is not None else head_count, remark=remark,
                                        **respondent)


@transaction.atomic
def response_change(*, response: NeedsResponse, **changes) -> NeedsResponse:
    """Change an answer's trade, level, format, head count (organizations only) or remark."""
    _locked_survey(response.survey)
    _check_open(response.survey)
    if response.worker_id:
        changes.pop("head_count", None)
    respondent = {"worker": response.worker} if response.worker_id else {"organization": response.organization}
    if "trade" in changes:
        _check_trade_free(response.survey, respondent, changes["trade"], exclude=response)
    for name, value in changes.items():
        if name not in ANSWER_FIELDS:
            raise TypeError(f"{name} is not part of an answer")
        setattr(response, name, value)
    response.save(update_fields=list(changes))
    return response


@transaction.atomic
def response_withdraw(*, response: NeedsResponse) -> None:
    _locked_survey(response.survey)
    _check_open(response.survey)
    response.delete()


def head_counts(survey: NeedsSurvey, trades=None) -> dict[int, int]:
    """trade id → the head count summed over every answer of the survey (all levels)."""
    responses = survey.responses.all()
    if trades is not None:
        responses = responses.filter(trade__in=trades)
    return dict(responses.values("trade").annotate(total=Sum("head_count")).values_list("trade", "total"))


@transaction.atomic
def plan_lines_from_needs(*, survey: NeedsSurvey, targets: dict, user) -> TrainingPlan:
    """Set the target trainees of the survey year's plan for these trades ({trade: trainees}); a trade
    without a line gets one (no classes, no budget yet: the officer plans those). The plan is created
    if the year has none. Each created or changed line has its history row."""
    if not targets:
        raise TrainingError(_("Choose at least one trade."))
    if any(trainees < 1 for trainees in targets.values()):
        raise TrainingError(_("Each target number of trainees must be at least 1."))
    plan = TrainingPlan.objects.filter(year=survey.year).first()
    if plan is None:
        plan = TrainingPlan(year=survey.year, title=_("%(year)s training plan") % {"year": survey.year})
        save_with_history(plan, user=user, reason="plan.from_needs", detail=survey.title)
    existing = {line.trade_id: line for line in
                PlanLine.objects.select_for_update().filter(plan=plan, trade__in=list(targets))}
    changed = []
    for trade, trainees in targets.items():
        line = existing.get(trade.pk)
        if line is not None and line.target_trainees != trainees:
            line.target_trainees = trainees
            changed.append(line)
    new = [PlanLine(plan=plan, trade=trade, target_classes=0, target_trainees=trainees)
           for trade, trainees in targets.items() if trade.pk not in existing]
    if new:
        bulk_create_with_history(new, PlanLine, user=user, reason="plan.from_needs", detail=survey.title)
    if changed:
        bulk_update_with_history(changed, PlanLine, ["target_trainees"], user=user, reason="plan.from_needs",
                                 detail=survey.title)
    return plan
