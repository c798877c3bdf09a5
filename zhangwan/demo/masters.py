"""Demo data of the Skills Masters dimension (DESIGN §6), reproducing the 2022 report: the first
"Zhangwan District Skills Masters" round — nominations, the eligibility job, reviewer assignment,
expert review, ranking, a shortlist change with its reason, five working days of publicity with two
objections answered, 30 titles conferred — the ten incentive policies with their grants, three
skill-master studios, and the "menu-style" talks (42 in 2022, 10,655 attendees). A current round is
left in review, so the demo reviewer has nominations to score.

Everything goes through the services, with the dates of the time passed as `today`. Idempotent:
rounds are matched by year, policies by number, studios and talks by name; what exists is kept.
"""

import datetime
import hashlib
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from certification.models import Certificate
from competitions.models import OrganizerAward, Result
from masters.models import (
    Assignment,
    Attachment,
    Conflict,
    Criterion,
    Holiday,
    IncentiveGrant,
    IncentivePolicy,
    MasterStudio,
    MasterTitle,
    Nomination,
    Objection,
    Reviewer,
    SelectionRound,
    TalkOrder,
    TalkTopic,
)
from masters.services.incentives import grant_check
from masters.services.nominations import nomination_create, nomination_submit
from masters.services.publicity import objection_file, objection_resolve, publicity_open, round_confer
from masters.services.ranking import eligibility_run, shortlist_change, shortlist_make
from masters.services.review import review_save, reviewers_assign
from training.models import Mentorship, TrainingBase
from zhangwan.accounts.models import User
from zhangwan.accounts.roles import Role
from zhangwan.demo.accounts import DEMO_PASSWORD
from zhangwan.registry.models import Organization, Worker, WorkerTrade

YEAR = 2022
ELIGIBLE, INELIGIBLE = 40, 8
NOMINATING = datetime.date(YEAR, 8, 15)
REVIEWING = datetime.date(YEAR, 10, 10)
PUBLICITY = datetime.date(YEAR, 11, 7)
OBJECTING = datetime.date(YEAR, 11, 9)
CONFERRING = datetime.date(YEAR, 11, 18)

HOLIDAYS = [  # (date, name, worked): China's public holidays and the weekend days worked for them
    *[(datetime.date(2022, 10, d), "国庆节", False) for d in range(1, 8)],
    (datetime.date(2022, 10, 8), "国庆节调休", True), (datetime.date(2022, 10, 9), "国庆节调休", True),
    (datetime.date(2023, 1, 2), "元旦", False),
    *[(datetime.date(2026, 10, d), "国庆节", False) for d in range(1, 8)],
    (datetime.date(2026, 9, 20), "国庆节调休", True), (datetime.date(2026, 10, 10), "国庆节调休", True),
    (datetime.date(2027, 1, 1), "元旦", False),
]

CRITERIA = [("技能水平与技术贡献", 40), ("技术创新与革新成果", 30), ("传技带徒与团队建设", 20), ("职业道德与荣誉", 10)]

EXPERTS = [  # username, full name, professional title, organization (None: outside the district's employers)
    ("expert01", "评审专家 陈立国", "正高级工程师", None),
    ("expert02", "评审专家 李秀英", "高级技师", "东风商用车有限公司总装配厂"),
    ("expert03", "评审专家 王德明", "教授", "十堰职业技术学院"),
    ("expert04", "评审专家 张卫华", "高级工程师", "东风商用车有限公司车身厂"),
    ("expert05", "评审专家 刘建军", "高级技师", None),
    ("expert06", "评审专家 赵红梅", "正高级讲师", "东风技师学院"),
    ("expert07", "评审专家 孙志刚", "高级工程师", "东风商用车有限公司发动机厂"),
    ("expert08", "评审专家 周国强", "高级技师", None),
]

POLICIES = [  # number, name, beneficiary, involves money, description
    (1, "优先推荐参加职称评审", "master", False, "获得“张湾区技能大师”称号者，优先推荐参加相应系列职称评审。"),
    (2, "外出疗休养", "master", True, "每年组织技能大师外出疗休养一次，费用由区总工会承担。"),
    (3, "优先推荐“车城工匠”评选", "master", False, "优先推荐参加十堰市“车城工匠”评选。"),
    (4, "优先推荐“十堰五一劳动奖章”等荣誉评选", "master", False, "优先推荐十堰市五一劳动奖章等荣誉。"),
    (5, "支持创建技能大师工作室", "master", True, "支持技能大师领衔创建工作室，给予经费支持。"),
    (6, "技能竞赛优秀组织奖单位经费支持", "organization", True, "获得技能竞赛优秀组织奖的单位给予经费支持。"),
    (7, "技能大师较多的企业优先命名为产业工人培训基地", "organization", True,
     "产生“张湾区技能大师”较多的企业，优先命名为产业工人培训基地并给予经费支持。"),
    (8, "优先作为“两代表一委员”推荐人选", "master", False, "获得称号者优先作为党代表、人大代表、政协委员推荐人选。"),
    (9, "年度健康体检", "master", True, "技能大师每年享受一次区总工会组织的健康体检。"),
    (10, "优先参加高技能人才研修交流", "master", False, "优先选派参加省市高技能人才研修、交流活动。"),
]

TOPICS = [  # title, category, speaker, summary
    ("党的二十大精神宣讲", "theory", "区委宣讲团", "学习宣传贯彻党的二十大精神，讲清产业工人队伍建设改革的部署。"),
    ("新时代产业工人队伍建设改革", "theory", "区总工会", "产业工人队伍建设改革的政策与张湾实践。"),
    ("劳动创造幸福", "labour_spirit", "区总工会", "弘扬劳动精神，讲述身边劳动者的奋斗故事。"),
    ("劳模精神进车间", "model_workers", "全国劳动模范", "劳动模范讲述岗位建功的经历。"),
    ("劳模工匠进校园", "model_workers", "湖北省劳动模范", "面向职业院校学生，讲述劳模工匠的成长之路。"),
    ("精益求精的工匠精神", "craftsmanship", "张湾区技能大师", "技能大师讲述技艺传承与精益求精。"),
    ("大国工匠的成长之路", "craftsmanship", "车城工匠", "从学徒到工匠：技能成才的路径。"),
    ("焊接技艺现场讲授", "skills", "张湾区技能大师", "焊接工艺要点与质量控制，现场演示。"),
    ("数控加工技能提升", "skills", "张湾区技能大师", "数控车削编程与加工精度控制。"),
    ("汽车装调工艺与质量", "skills", "张湾区技能大师", "整车装调工艺、质量问题分析与改进。"),
    ("安全生产“开工第一课”", "safety", "区应急管理局", "安全生产法律法规与典型事故案例。"),
    ("职业健康与岗位安全", "safety", "区总工会", "职业病防护与岗位安全操作。"),
]

# 42 talks in 2022: (month, day, topic index, attendance); the attendance adds up to 10,655.
TALKS_2022 = [
    (3, 8, 2, 320), (3, 15, 0, 260), (3, 22, 3, 180), (3, 29, 10, 420), (4, 7, 5, 210), (4, 14, 7, 95),
    (4, 21, 1, 300), (4, 28, 2, 280), (5, 6, 4, 450), (5, 12, 10, 380), (5, 19, 8, 120), (5, 26, 6, 240),
    (6, 2, 11, 260), (6, 9, 9, 150), (6, 16, 3, 220), (6, 23, 5, 200), (6, 30, 10, 410), (7, 7, 7, 110),
    (7, 14, 2, 300), (7, 21, 4, 380), (7, 28, 11, 240), (8, 4, 8, 100), (8, 11, 6, 230), (8, 18, 10, 360),
    (8, 25, 3, 190), (9, 1, 9, 140), (9, 8, 5, 260), (9, 15, 2, 290), (9, 22, 0, 310), (9, 29, 11, 250),
    (10, 13, 1, 280), (10, 20, 0, 340), (10, 27, 4, 320), (11, 3, 0, 360), (11, 10, 5, 250), (11, 17, 10, 300),
    (11, 24, 6, 230), (12, 1, 3, 190), (12, 8, 7, 120), (12, 15, 1, 260), (12, 22, 9, 150), (12, 29, 11, 200),
]
TALK_ORGANIZATIONS = ["东风商用车有限公司总装配厂", "东风商用车有限公司车身厂", "东风商用车有限公司车架厂",
                      "东风商用车有限公司发动机厂", "东风汽车有限公司铸造一厂", "东风锻造有限公司",
                      "十堰华鑫汽车零部件有限公司", "十堰金悦机械有限公司", "湖北车城智能装备有限公司",
                      "十堰职业技术学院", "东风技师学院", "湖北黄龙茶业有限公司"]


def _h(*parts) -> int:
    """A fixed pseudo-random number for parts. Parts name rows by what they hold (an identity number, a
    username), never by primary key: keys depend on what the database held before (a test database's
    sequences have moved on), and the demo must make the same choices wherever it is loaded."""
    return int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def _id_numbers(workers) -> dict[int, str]:
    return dict(Worker.objects.filter(pk__in=list(workers)).values_list("pk", "id_number"))


def _pdf(text: str) -> bytes:
    """A one-page PDF saying text (ASCII), small enough to keep in the demo."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def load_holidays():
    Holiday.objects.bulk_create([Holiday(date=d, name=name, working_day=worked) for d, name, worked in HOLIDAYS],
                                ignore_conflicts=True)


def load_reviewers(orgs):
    group = Group.objects.get(name=Role.REVIEWER)
    password = make_password(DEMO_PASSWORD)
    for username, full_name, title, org in EXPERTS:
        user, created = User.objects.get_or_create(username=username,
                                                   defaults={"full_name": full_name, "password": password})
        if created:
            user.groups.add(group)
        Reviewer.objects.get_or_create(user=user, defaults={"title": title, "organization": orgs.get(org)})
    demo = User.objects.filter(username="reviewer").first()
    if demo:
        Reviewer.objects.get_or_create(user=demo, defaults={"title": "教授"})
    return list(Reviewer.objects.filter(user__username__in=[e[0] for e in EXPERTS] + ["reviewer"]))


def _candidates(by_day: datetime.date, exclude=()):
    """(worker, trade) pairs meeting the default rules: a valid level-3-or-higher certificate by then,
    8+ years in its trade, employed. 2022 award winners first, then in a fixed shuffled order."""
    qualifying = (Certificate.objects.filter(status="valid", level__lte=3, issued_on__lte=by_day,
                                             holder__employer__isnull=False)
                  .filter(Exists(WorkerTrade.objects.filter(worker=OuterRef("holder"), trade=OuterRef("trade"),
                                                            started_year__lte=by_day.year - 8)))
                  .exclude(holder__in=exclude).values_list("holder_id", "trade_id").order_by("holder_id", "level"))
    pairs = dict(reversed(list(qualifying)))  # one trade per worker: their highest level's
    winners = set(Result.objects.filter(entry__event__competition__year=YEAR).exclude(tier="")
                  .values_list("entry__worker_id", flat=True))
    numbers = _id_numbers(pairs)
    return sorted(pairs.items(), key=lambda p: (p[0] not in winners, _h("master", numbers[p[0]])))


def _short_of_rules(by_day, exclude):
    """Workers who look like candidates but fail a rule: level 4 only, or too few years (and no
    completed apprenticeship, which would open the level-5 apprenticeship route)."""
    level4 = (Certificate.objects.filter(status="valid", level=4, holder__employer__isnull=False)
              .exclude(holder__in=Certificate.objects.filter(level__lte=3).values("holder"))
              .exclude(holder__in=Mentorship.objects.filter(outcome=Mentorship.Outcome.COMPLETED,
                                                            ended_on__lte=by_day).values("apprentice"))
              .exclude(holder__in=exclude).values_list("holder_id", "trade_id").order_by("holder_id")[:200])
    numbers = _id_numbers(dict(level4))
    return sorted(dict(level4).items(), key=lambda p: _h("short", numbers[p[0]]))


STATEMENTS = [
    "扎根一线{years}年，练就过硬本领，多次在技能竞赛中取得优异成绩，是车间公认的技术能手。",
    "长期从事{trade}工作，刻苦钻研，精益求精，带领班组攻克多项生产难题。",
    "爱岗敬业，甘于奉献，技术全面，在{trade}岗位上发挥了示范引领作用。",
]
ACHIEVEMENTS = [
    "主持技术革新{n}项，年创效益{money}万元；带徒{apprentices}名，其中{senior}名取得高级工以上证书。",
    "参与新产品试制与工艺改进{n}项，获厂级以上表彰{senior}次；培养徒弟{apprentices}名。",
]


def _texts(worker, trade, years):
    h = _h("text", worker.id_number)
    return (STATEMENTS[h % 3].format(years=years, trade=trade.name_zh),
            ACHIEVEMENTS[h % 2].format(n=2 + h % 6, money=10 + h % 90, apprentices=3 + h % 12, senior=1 + h % 5))


def _nominate(round_, pairs, *, today, officer, liaison, assembly):
    from zhangwan.registry.models import Trade

    workers = Worker.objects.in_bulk([w for w, _t in pairs])
    trades = Trade.objects.in_bulk([t for _w, t in pairs])
    made = []
    for worker_id, trade_id in pairs:
        worker, trade = workers[worker_id], trades[trade_id]
        ours = liaison is not None and worker.employer_id == assembly.pk
        started = WorkerTrade.objects.filter(worker=worker, trade=trade).values_list("started_year", flat=True).first()
        statement, achievements = _texts(worker, trade, round_.year - (started or round_.year))
        nomination = nomination_create(
            round_=round_, nominee=worker, trade=trade, source="organization" if ours else "union",
            statement=statement, achievements=achievements, user=liaison if ours else officer, today=today)
        Attachment.objects.create(nomination=nomination, name="推荐表.pdf", content_type="application/pdf",
                                  file=ContentFile(_pdf(f"Nomination form {nomination.pk}"), name="form.pdf"),
                                  size=0)
        made.append(nomination_submit(nomination=nomination, user=liaison if ours else officer, today=today))
    Attachment.objects.filter(nomination__in=made, size=0).update(size=len(_pdf("Nomination form 0")))
    return made


def _score(round_, assignments, *, today, quality, spread=8):
    criteria = list(round_.criteria.all())
    for a in assignments:
        base = quality(a.nomination)
        marks = {}
        for c in criteria:
            noise = (_h("score", a.nomination.nominee.id_number, a.reviewer.user.username, c.order)
                     % (2 * spread + 1)) - spread
            share = Decimal(max(40, min(100, base + noise))) / 100
            marks[c.pk] = (share * c.max_score).quantize(Decimal("1"))
        review_save(assignment=a, user=a.reviewer.user, scores=marks, comments={},
                             comment="材料翔实，业绩突出。" if base >= 80 else "业绩较好。", submit=True, today=today)


def load_round_2022(out, orgs, officer, liaison, experts):
    if SelectionRound.objects.filter(year=YEAR).exists():
        return
    round_ = SelectionRound.objects.create(
        name="首届“张湾区技能大师”推荐评选", year=YEAR, quota=30,
        nominations_open=datetime.date(YEAR, 7, 1), nominations_close=datetime.date(YEAR, 8, 31),
        review_opens=datetime.date(YEAR, 9, 13), review_closes=datetime.date(YEAR, 10, 21), publicity_days=5,
        reviewers_per_nomination=3, discrepancy_threshold=Decimal("15"), min_years_in_trade=8)
    Criterion.objects.bulk_create([Criterion(round=round_, name=name, weight=w, max_score=100, order=i)
                                   for i, (name, w) in enumerate(CRITERIA)])
    assembly = orgs["东风商用车有限公司总装配厂"]
    good = _candidates(round_.nominations_close)[:ELIGIBLE]
    short = _short_of_rules(round_.nominations_close, [w for w, _t in good])[:INELIGIBLE]
    nominations = _nominate(round_, good + short, today=NOMINATING, officer=officer, liaison=liaison,
                            assembly=assembly)
    outcome = eligibility_run(round_id=round_.pk, user=officer)
    # Declared before assignment: an expert who trained one nominee.
    Conflict.objects.get_or_create(reviewer=experts[0], worker=nominations[0].nominee,
                                   defaults={"reason": "曾为其师傅"})
    reviewers_assign(round_=round_, user=officer)
    ranked = {n.pk: i for i, n in enumerate(nominations)}
    review = round_.nominations.in_review().values("pk")

    def quality(nomination):
        return 93 - ranked[nomination.pk] * 25 // ELIGIBLE

    scored = Assignment.objects.select_related("nomination__nominee", "reviewer__user")
    _score(round_, scored.filter(nomination__in=review).exclude(nomination=nominations[5]), today=REVIEWING,
           quality=quality)
    # Reviewers who disagree widely on one nomination: the ranking flags it.
    _score(round_, scored.filter(nomination=nominations[5]), today=REVIEWING, quality=quality, spread=30)
    shortlist_make(round_=round_, user=officer)
    order = list(round_.nominations.filter(rank__isnull=False).order_by("rank", "pk"))
    shortlist_change(nomination=order[29], include=False, user=officer,
                              reason="经评审委员会复核，近三年业绩材料不完整，调出")
    shortlist_change(nomination=order[30], include=True, user=officer,
                              reason="经评审委员会复核，带徒传技成效突出，递补")
    round_ = publicity_open(round_=round_, user=officer, starts=PUBLICITY)
    shown = list(round_.nominations.filter(status="in_publicity").order_by("rank"))
    for nomination, text, answer in [
        (shown[3], "该同志所报技术革新项目为班组集体成果。", "经核实，该同志为项目第一完成人，异议不成立。"),
        (shown[17], "推荐材料中的带徒人数与实际不符。", "经向所在单位核实，带徒人数属实，异议不成立。"),
    ]:
        objection = objection_file(nomination=nomination, name="职工群众", contact="13907190000",
                                            text=text, today=OBJECTING)
        objection_resolve(objection=objection, answer=answer, upheld=False, user=officer)
    conferred = round_confer(round_=round_, user=officer, today=CONFERRING)
    _backdate(round_)
    out(f"  {YEAR}: {len(nominations)} nominations ({outcome['eligible']} eligible, {outcome['ineligible']} not), "
        f"{round_.reviewers_per_nomination} reviewers each, publicity {round_.publicity_starts:%m-%d}–"
        f"{round_.publicity_ends:%m-%d}, 2 objections answered, {conferred} Skills Masters conferred")


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate(round_):
    """The services stamp what they do with the time now; the 2022 round happened in 2022."""
    nominations = round_.nominations.all()
    nominations.update(created_at=_at(NOMINATING, 9), submitted_at=_at(NOMINATING, 11))
    Assignment.objects.filter(nomination__round=round_).update(assigned_at=_at(round_.review_opens),
                                                               submitted_at=_at(REVIEWING, 15))
    Objection.objects.filter(nomination__round=round_).update(filed_at=_at(OBJECTING), resolved_at=_at(OBJECTING, 16))
    steps = [("nomination.eligibility", round_.nominations_close + datetime.timedelta(days=5)),
             ("nomination.reviewers_assigned", round_.review_opens), ("nomination.shortlisted", round_.review_closes),
             ("nomination.publicity", PUBLICITY), ("nomination.not_shortlisted", PUBLICITY),
             ("nomination.conferred", CONFERRING)]
    history = Nomination.history.filter(round_id=round_.pk)
    history.filter(history_change_reason__in=["+", "nomination.submitted", "nomination.edited", ""]).update(
        history_date=_at(NOMINATING, 11))
    history.filter(history_type="+").update(history_date=_at(NOMINATING, 9))
    history.filter(history_change_reason__startswith="nomination.shortlist_changed:").update(
        history_date=_at(round_.review_closes, 15))
    for reason, day in steps:
        history.filter(history_change_reason=reason).update(history_date=_at(day, 14))


def load_incentives(out, orgs, officer):
    IncentivePolicy.objects.bulk_create([
        IncentivePolicy(number=n, name=name, beneficiary=who, involves_money=money, description=text)
        for n, name, who, money, text in POLICIES], ignore_conflicts=True)
    if IncentiveGrant.objects.exists():
        return
    policies = IncentivePolicy.objects.in_bulk(field_name="number")
    masters = list(MasterTitle.objects.filter(year=YEAR).select_related("worker").order_by("number"))
    if not masters:
        return
    grants = []

    def give(number, day, *, master=None, organization=None, amount=None, note=""):
        grants.append(IncentiveGrant(policy=policies[number], master=master, organization=organization,
                                     granted_on=day, amount=Decimal(amount) if amount else None, note=note,
                                     created_by=officer))

    for m in masters:
        give(2, datetime.date(2023, 5, 16), master=m, amount="3000.00", note="2023年技能大师疗休养")
        give(9, datetime.date(2023, 4, 20), master=m, amount="800.00")
    for m in masters[:6]:
        give(1, datetime.date(2023, 9, 1), master=m, note="推荐参加高级技师职称评审")
    for m in masters[:5]:
        give(3, datetime.date(2023, 4, 10), master=m)
    for m in masters[5:8]:
        give(4, datetime.date(2023, 3, 20), master=m)
    for m in masters[:4]:
        give(8, datetime.date(2023, 1, 5), master=m)
    for m in masters[8:16]:
        give(10, datetime.date(2023, 7, 3), master=m, note="湖北省高技能人才研修班")
    for award in OrganizerAward.objects.filter(competition__year=YEAR).select_related("organization")[:6]:
        give(6, datetime.date(2022, 12, 20), organization=award.organization, amount="20000.00", note=str(award))
    busiest = (Organization.objects.filter(workers__master_titles__year=YEAR).annotate(n=Count("workers"))
               .order_by("-n", "pk").first())
    if busiest:
        give(7, datetime.date(2023, 3, 1), organization=busiest, amount="100000.00")
    studios = load_studios(masters)
    for studio in studios:
        give(5, studio.established_on, master=studio.master, amount="50000.00", note=studio.name)
    for grant in grants:
        grant_check(grant)
    IncentiveGrant.objects.bulk_create(grants)
    money = sum((g.amount or 0) for g in grants)
    out(f"  {len(policies)} incentive policies, {len(grants)} grants (¥{money:,.2f}), {len(studios)} studios")


def load_studios(masters):
    existing = TrainingBase.objects.filter(kind=TrainingBase.Kind.MASTER_STUDIO, master_studio__isnull=True).first()
    studios = []
    for i, master in enumerate(masters[:3]):
        name = f"{master.worker.name}技能大师工作室"
        if MasterStudio.objects.filter(name=name).exists():
            continue
        host = master.worker.employer
        established = datetime.date(2023, 3, 28 - i)
        base = existing if i == 0 and existing else TrainingBase.objects.create(
            name=name, kind=TrainingBase.Kind.MASTER_STUDIO, host=host, designated_on=established,
            funding=Decimal("50000.00"))
        studios.append(MasterStudio.objects.create(name=name, master=master, host=host, training_base=base,
                                                   funding=Decimal("50000.00"), established_on=established))
    return studios


def load_talks(out, orgs, officer, liaison):
    TalkTopic.objects.bulk_create([TalkTopic(title=t, category=c, speaker=s, summary=text)
                                   for t, c, s, text in TOPICS], ignore_conflicts=True)
    if TalkOrder.objects.filter(held_on__year=YEAR).exists():
        return
    topics = list(TalkTopic.objects.filter(title__in=[t[0] for t in TOPICS]))
    by_title = {t.title: t for t in topics}
    ordered = [by_title[t[0]] for t in TOPICS]
    masters = list(MasterTitle.objects.filter(year=YEAR).select_related("worker").order_by("number"))
    who = [o for o in (orgs.get(name) for name in TALK_ORGANIZATIONS) if o]
    orders = []
    for i, (month, day, topic, attendance) in enumerate(TALKS_2022):
        held = datetime.date(YEAR, month, day)
        speaker = ordered[topic].speaker
        if ordered[topic].category in ("craftsmanship", "skills") and masters and held >= CONFERRING:
            speaker = masters[i % len(masters)].worker.name
        orders.append(TalkOrder(topic=ordered[topic], organization=who[i % len(who)], status=TalkOrder.Status.HELD,
                                preferred_date=held, expected_audience=attendance, ordered_by=liaison or officer,
                                ordered_at=timezone.make_aware(datetime.datetime.combine(
                                    held - datetime.timedelta(days=20), datetime.time(9))),
                                held_on=held, speaker=speaker, venue="职工活动中心", attendance=attendance))
    TalkOrder.objects.bulk_create(orders)
    today = timezone.localdate()
    if liaison is not None:
        TalkOrder.objects.bulk_create([
            TalkOrder(topic=ordered[10], organization=liaison.organization, preferred_date=today + datetime.timedelta(
                days=21), expected_audience=200, ordered_by=liaison, note="班组长及新员工参加"),
            TalkOrder(topic=ordered[5], organization=liaison.organization, preferred_date=today + datetime.timedelta(
                days=35), expected_audience=120, ordered_by=liaison)])
    out(f"  {len(TOPICS)} talks on the menu; {YEAR}: {len(orders)} talks held, "
        f"{sum(o.attendance for o in orders):,} attendees")


def load_current_round(out, orgs, officer, liaison):
    """This year's round, nominations closed and review open, so the demo reviewer has work."""
    today = timezone.localdate()
    if today.year == YEAR or SelectionRound.objects.filter(year=today.year).exists():
        return
    round_ = SelectionRound.objects.create(
        name=f"{today.year}年“张湾区技能大师”推荐评选", year=today.year, quota=30,
        nominations_open=today - datetime.timedelta(days=60), nominations_close=today - datetime.timedelta(days=20),
        review_opens=today - datetime.timedelta(days=19), review_closes=today + datetime.timedelta(days=25),
        min_years_in_trade=8)
    Criterion.objects.bulk_create([Criterion(round=round_, name=name, weight=w, max_score=100, order=i)
                                   for i, (name, w) in enumerate(CRITERIA)])
    masters = MasterTitle.objects.values("worker")
    pairs = _candidates(round_.nominations_close, exclude=masters)[ELIGIBLE:ELIGIBLE + 12]
    _nominate(round_, pairs, today=round_.nominations_open, officer=officer, liaison=liaison,
              assembly=orgs["东风商用车有限公司总装配厂"])
    eligibility_run(round_id=round_.pk, user=officer)
    reviewers_assign(round_=round_, user=officer)
    others = (Assignment.objects.filter(nomination__round=round_).exclude(reviewer__user__username="reviewer")
              .select_related("nomination__nominee", "reviewer__user").order_by("pk"))
    _score(round_, others[: others.count() // 2], today=today, quality=lambda n: 70 + _h("q", n.nominee.id_number) % 25)
    mine = Assignment.objects.filter(nomination__round=round_, reviewer__user__username="reviewer").count()
    out(f"  {today.year}: {len(pairs)} nominations in review; the demo reviewer has {mine} to score")


def load(out):
    orgs = Organization.objects.in_bulk(field_name="name")
    officer = User.objects.filter(username="masters").first()
    liaison = User.objects.filter(username="liaison").first()
    if officer is None or "东风商用车有限公司总装配厂" not in orgs:
        out("  skipped: load the registry and accounts demo data first")
        return
    load_holidays()
    experts = load_reviewers(orgs)
    load_round_2022(out, orgs, officer, liaison, experts)
    load_incentives(out, orgs, officer)
    load_talks(out, orgs, officer, liaison)
    load_current_round(out, orgs, officer, liaison)
    titles = MasterTitle.objects.filter(year=YEAR).count()
    talks = TalkOrder.objects.filter(held_on__year=YEAR, status=TalkOrder.Status.HELD).aggregate(
        n=Count("pk"), people=Sum("attendance"))
    out(f"  {YEAR}: {titles} Skills Masters, {IncentivePolicy.objects.count()} incentive policies, "
        f"{talks['n']} talks reaching {talks['people'] or 0:,} people")

