"""Demo subsidies for 2021 and 2022, made the way the office makes them: the policies as data, then
each quarter the engine computes the claims, the training officer reviews them, one finance officer
builds the batch, another approves it and the payment is recorded. Totals come out of the engine,
from the enrollments and certificates already loaded: nothing is inserted as a total.

Idempotent: a quarter whose run exists is not run again, and batches take only unpaid claims."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from training.subsidies import engine, services
from training.subsidies.models import Batch, Claim, InsuredPeriod, Kind, Policy, Rate, Run, ShortageOccupation
from zhangwan.accounts.models import User
from zhangwan.registry.models import SkillLevel, Trade, Worker

D = Decimal
ROBOT = "6-30-99-00"  # industrial robot system operator: on the shortage list, paid more
POLICIES = {
    Kind.SKILL: ("职业技能提升补贴（{year}年度）", "人社部发〔2017〕40号；鄂人社发〔2021〕5号",
                 {2021: D("2800000"), 2022: D("3200000")},
                 [(SkillLevel.JUNIOR, None, D("1000")), (SkillLevel.INTERMEDIATE, None, D("1500")),
                  (SkillLevel.SENIOR, None, D("2000")), (SkillLevel.INTERMEDIATE, ROBOT, D("1800")),
                  (SkillLevel.SENIOR, ROBOT, D("2400"))]),
    Kind.TRAINING: ("职工技能提升培训补贴（{year}年度）", "十堰市职业技能提升行动实施方案",
                    {2021: D("8500000"), 2022: D("13500000")},
                    [(None, None, D("420")), (SkillLevel.JUNIOR, None, D("480")),
                     (SkillLevel.INTERMEDIATE, None, D("560")), (SkillLevel.SENIOR, None, D("640"))]),
    Kind.LIVING: ("脱贫劳动力培训期间生活费补贴（{year}年度）", "鄂人社发〔2021〕23号",
                  {2021: D("2500000"), 2022: D("4200000")},
                  [(None, None, D("180"))]),
}
# The shortage list the training officer keeps (紧缺职业目录), by the document that lists each entry.
SHORTAGE = [(ROBOT, SkillLevel.INTERMEDIATE), (ROBOT, SkillLevel.SENIOR)]
SHORTAGE_SOURCE = "湖北省紧缺职业（工种）目录（{year}年）"
# The claims the training officer refuses each quarter, and why: those of the workers whose identity number has
# this sequence code (its 15th to 17th digits). Chosen by the identity number, never by a database id, so that the
# same claims are refused on any database; the codes are the ones that make 2022's skill subsidies paid come to
# ¥14,922,000 (the seed's 1492.2万元) and leave living-expense subsidies at 393.5万元.
REFUSALS = [("申报材料不全：未提供社保缴费证明", "473"), ("银行账户信息与身份证姓名不一致，请更正后重新申报", "873")]


def load_policies(year: int) -> list[Policy]:
    trades = {t.code: t for t in Trade.objects.all()}
    for code, level in SHORTAGE:
        if code in trades:
            ShortageOccupation.objects.get_or_create(
                trade=trades[code], level=level, valid_from=datetime.date(year, 1, 1),
                defaults={"valid_to": datetime.date(year, 12, 31), "source": SHORTAGE_SOURCE.format(year=year)})
    policies = []
    for kind, (name, basis, budgets, rates) in POLICIES.items():
        policy, created = Policy.objects.get_or_create(
            kind=kind, valid_from=datetime.date(year, 1, 1),
            defaults={"name": name.format(year=year), "basis": basis, "valid_to": datetime.date(year, 12, 31),
                      "budget": budgets[year]})
        if created:
            Rate.objects.bulk_create([Rate(policy=policy, level=level, trade=trades.get(code), amount=amount)
                                      for level, code, amount in rates])
        policies.append(policy)
    return policies


def quarters(year: int):
    for q in range(4):
        start = datetime.date(year, 3 * q + 1, 1)
        end = (datetime.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - datetime.timedelta(days=1))
        yield q + 1, start, end


def process_quarter(year, number, start, end, users) -> bool:
    if Run.objects.filter(period_start=start, period_end=end).exists():
        return False
    run = Run.objects.create(period_start=start, period_end=end, claimed_on=end + datetime.timedelta(days=20),
                             started_by=users["training"])
    engine.run_execute(run.pk)
    pending = Claim.objects.filter(run=run, status=Claim.Status.PENDING)
    for reason, sequence in REFUSALS:
        services.claims_refuse(claims=pending.filter(worker__id_number__regex=rf"^\d{{14}}{sequence}.$"),
                               user=users["training"], reason=reason)
    services.claims_approve(claims=pending, user=users["training"])
    paid_on = end + datetime.timedelta(days=45)
    for policy in Policy.objects.filter(valid_from__lte=end, valid_to__gte=start):
        try:
            batch = services.batch_create(policy=policy, user=users["finance"], note=f"{year}年第{number}季度")
        except services.SubsidyError:
            continue
        services.batch_approve(batch=batch, user=users["finance2"])
        services.payment_record(batch=batch, user=users["finance"], paid_on=paid_on,
                                reference=f"ZW{year}Q{number}-{policy.kind.upper()}-{batch.pk:04d}")
        made = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=30), datetime.time(10)))
        Batch.objects.filter(pk=batch.pk).update(created_at=made, approved_at=made + datetime.timedelta(days=5))
    return True


def load_insured_periods() -> int:
    """The social-insurance office's list: an open period from the date on each worker's roster row."""
    periods = [InsuredPeriod(worker_id=pk, start=start, end=None) for pk, start in
               Worker.objects.filter(insured_since__isnull=False, insured_periods__isnull=True)
               .values_list("pk", "insured_since")]
    InsuredPeriod.objects.bulk_create(periods, batch_size=5000)
    return len(periods)


def load(out):
    users = {u.username: u for u in User.objects.filter(username__in=["training", "finance", "finance2"])}
    out(f"  {load_insured_periods()} new insured periods")
    done = 0
    for year in (2021, 2022):
        load_policies(year)
        done += sum(process_quarter(year, n, start, end, users) for n, start, end in quarters(year))
    reversed_now = load_reversals(users["training"], users["finance"])
    out(f"  {done} quarterly claim computations run, {reversed_now} corrections by reversal")
    for year in (2021, 2022):
        paid = dict(Claim.objects.filter(policy__valid_from__year=year, batch__status=Batch.Status.PAID)
                    .values_list("policy__kind").annotate(total=Sum("amount")))
        skill = paid.get(Kind.SKILL, 0) + paid.get(Kind.TRAINING, 0)
        out(f"  {year}: skill subsidies paid ¥{skill:,.2f} (skill-improvement ¥{paid.get(Kind.SKILL, 0):,.2f}, "
            f"training ¥{paid.get(Kind.TRAINING, 0):,.2f}); living-expense ¥{paid.get(Kind.LIVING, 0):,.2f}")


def load_reversals(officer, finance) -> int:
    """Two paid claims found afterwards to have been paid elsewhere too: corrected by reversal. The
    first one's money came back at the counter (finance marks it recovered); the second is still to
    recover, on finance's list of recoveries. The figures net both at the reversal. The two are the first
    of the earliest policy's paid skill claims in identity-number order (not by database id: the same two on
    any database)."""
    if Claim.objects.filter(reverses__isnull=False).exists():
        return 0
    paid = (Claim.objects.filter(policy__kind=Kind.SKILL, batch__status=Batch.Status.PAID, reverses__isnull=True)
            .filter(~Q(reversal__isnull=False))
            .order_by("policy__valid_from", "claimed_on", "worker__id_number", "certificate__number", "amount")[:2])
    reason = "经核查已在外地领取同等级补贴，予以冲销并追回"
    reversals = [services.claim_reverse(claim=claim, user=officer, reason=reason) for claim in paid]
    if reversals:
        services.recovery_mark(claim=reversals[0], user=finance, recovered_on=timezone.localdate(),
                               reference="HK-DEMO-0001", reason="本人到区人社局窗口退回")
    return len(reversals)
