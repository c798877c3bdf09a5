"""Demo training data, after the 2022 report of the Zhangwan District Federation of Trade Unions.

The 2022 programme (15 classes held by the union, the enterprises' own classes: nearly 30,000
trainees), a smaller 2021, the needs surveys and plans behind them, the training bases, the
courses, a few classes open for registration now, and about forty 名师带徒 pairs.

Deterministic: fixed random seeds, workers taken in identity-number order, and each class's
schedule, outcomes and attendance drawn from a generator seeded with its title, so what already
exists does not shift what follows. Idempotent: bases, courses and classes are matched by name or
title, surveys by title, plans by year, plan lines by trade, mentorships by their pair; only what is
missing is inserted, in bulk. Enrollments and attendance (hundreds of thousands of rows) are
inserted without history records; the other models get theirs.
"""

import datetime
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from training.models import (
    Attendance,
    ClassSession,
    Course,
    Enrollment,
    Format,
    Mentorship,
    NeedsResponse,
    NeedsSurvey,
    PlanLine,
    TrainingBase,
    TrainingClass,
    TrainingPlan,
)
from zhangwan.demo.registry import ORGANIZATIONS
from zhangwan.history import bulk_history_create, bulk_insert_with_history, stamp
from zhangwan.registry.models import Employment, Organization, SkillLevel, Trade, Worker, WorkerTrade
from zhangwan.sql import copy_instances, copy_rows

SEED = 2022
TZ = ZoneInfo("Asia/Shanghai")
BATCH = 5000
REASON = "demo"

UNION = "十堰市张湾区总工会"
COLLEGE = "十堰职业技术学院"
CENTRE = "张湾区职业技术培训中心"
TECH_SCHOOL = "东风技师学院"
ASSEMBLY = "东风商用车有限公司总装配厂"  # the demo liaison's and the demo worker's employer
TEA = "湖北黄龙茶业有限公司"
SCHOOLS = {COLLEGE, CENTRE, TECH_SCHOOL}

# Trades of the seed, by code.
AUTO, WELD, CNC, MACHINE, ROBOT, ELEC, SAFETY, TEA_TRADE, TEACHER = (
    "6-22-02-01", "6-18-02-04", "6-18-01-01", "6-20-03-01", "6-30-99-00", "6-31-01-03", "2-02-28-03",
    "6-02-06-01", "2-08-02-00")

K = TrainingBase.Kind
BASE_ASSEMBLY = "东风商用车有限公司总装配厂产业工人技能培训基地"
BASE_COLLEGE = "十堰职业技术学院张湾区产业工人技能培训基地"
BASE_STUDIO = "东风商用车有限公司发动机厂王德福劳模创新工作室"
BASE_ACADEMICIAN = "湖北车城智能装备有限公司院士专家工作站"
BASE_CENTRE = "张湾区职业技术培训中心职工技能实训基地"
BASE_WELDING = "东风商用车有限公司车身厂焊接技能大师工作室"
BASE_BODY = "东风商用车有限公司车身厂产业工人技能培训基地"
BASE_ENGINE = "东风商用车有限公司发动机厂产业工人技能培训基地"
# name → (kind, host, designated on, funding in yuan, address)
BASES = {
    BASE_ASSEMBLY: (K.WORKER_BASE, ASSEMBLY, datetime.date(2022, 2, 25), "300000.00",
                    "十堰市张湾区红卫街道东风大道2号"),
    BASE_COLLEGE: (K.WORKER_BASE, COLLEGE, datetime.date(2022, 2, 25), "200000.00",
                   "十堰市张湾区北京北路18号实训楼"),
    BASE_STUDIO: (K.MODEL_WORKER_STUDIO, "东风商用车有限公司发动机厂", datetime.date(2022, 4, 28), "100000.00",
                  "十堰市张湾区工业新区发动机厂技术中心3楼"),
    BASE_ACADEMICIAN: (K.ACADEMICIAN, "湖北车城智能装备有限公司", datetime.date(2022, 6, 16), "500000.00",
                       "十堰市张湾区工业新区智能装备产业园A栋"),
    BASE_CENTRE: (K.SCHOOL, CENTRE, datetime.date(2019, 5, 10), "150000.00", "十堰市张湾区花果街道花果路36号"),
    BASE_WELDING: (K.MASTER_STUDIO, "东风商用车有限公司车身厂", datetime.date(2021, 6, 18), "80000.00",
                   "十堰市张湾区红卫街道车身厂焊装车间"),
    # After the studios of the same hosts: a host's classes keep using the base listed first.
    BASE_BODY: (K.WORKER_BASE, "东风商用车有限公司车身厂", datetime.date(2022, 9, 26), "200000.00",
                "十堰市张湾区红卫街道车身厂培训中心"),
    BASE_ENGINE: (K.WORKER_BASE, "东风商用车有限公司发动机厂", datetime.date(2022, 9, 26), "200000.00",
                  "十堰市张湾区工业新区发动机厂培训楼"),
}

L = SkillLevel
# key → (title, trade, level, hours, syllabus)
COURSES = {
    "auto5": ("汽车装调工（初级）岗前培训", AUTO, L.JUNIOR, 16,
        "汽车构造基础、装配工艺文件识读、常用工具与扭矩控制、质量与安全规范。"),
    "auto4": ("汽车装调工（中级）技能提升培训", AUTO, L.INTERMEDIATE, 24,
        "整车装配工艺、底盘与电气系统装调、在线检测与故障排除、精益生产。"),
    "auto3": ("汽车装调工（高级）技能提升培训", AUTO, L.SENIOR, 32,
        "动力总成与整车调试、电控系统诊断、装配质量分析、新能源商用车高压安全。"),
    "auto2": ("汽车装调工（技师）研修培训", AUTO, L.TECHNICIAN, 40,
        "工艺改进与质量攻关、技术革新项目、班组技术管理、技能传授方法。"),
    "weld5": ("焊工（初级）技能培训", WELD, L.JUNIOR, 24,
        "焊接安全、焊条电弧焊基本操作、板对接平焊、焊缝外观检验。"),
    "weld4": ("焊工（中级）技能提升培训", WELD, L.INTERMEDIATE, 32,
        "二氧化碳气体保护焊、板对接立焊与横焊、管板焊接、焊接缺陷分析。"),
    "weld3": ("焊工（高级）技能提升培训", WELD, L.SENIOR, 40,
        "机器人焊接编程基础、管对接全位置焊、焊接工艺评定、焊接变形控制。"),
    "cnc4": ("数控车工（中级）技能提升培训", CNC, L.INTERMEDIATE, 24,
        "数控车床操作、G代码编程、典型零件加工、量具使用与精度检测。"),
    "cnc3": ("数控车工（高级）技能提升培训", CNC, L.SENIOR, 32,
        "宏程序与CAD/CAM编程、复杂零件工艺、刀具选用与切削参数优化。"),
    "machine4": ("机床装调维修工（中级）技能提升培训", MACHINE, L.INTERMEDIATE, 24,
        "机床机械结构、装配与精度调整、液压与气动系统、常见故障排除。"),
    "machine3": ("机床装调维修工（高级）技能提升培训", MACHINE, L.SENIOR, 32,
        "数控系统参数与PLC诊断、主轴与进给系统维修、设备预防性维护。"),
    "robot5": ("工业机器人系统操作员（初级）培训", ROBOT, L.JUNIOR, 24,
        "工业机器人安全操作、示教器使用、坐标系与点位示教、日常保养。"),
    "robot4": ("工业机器人系统操作员（中级）技能提升培训", ROBOT, L.INTERMEDIATE, 32,
        "离线编程与仿真、焊接与搬运工作站应用、视觉与传感器集成、故障处理。"),
    "elec5": ("电工（初级）上岗培训", ELEC, L.JUNIOR, 16,
        "电工安全与触电急救、电工仪表使用、照明与动力线路安装。"),
    "elec4": ("电工（中级）技能提升培训", ELEC, L.INTERMEDIATE, 24,
        "电力拖动控制线路、PLC基础、变频器应用、低压配电维护。"),
    "elec3": ("电工（高级）技能提升培训", ELEC, L.SENIOR, 32,
        "PLC与触摸屏综合应用、自动化生产线电气调试、供配电系统运行维护。"),
    "safety": ("安全生产管理培训", SAFETY, None, 16,
        "安全生产法律法规、风险分级管控与隐患排查治理、事故应急处置。"),
    "leaders": ("班组长安全生产与现场管理培训", SAFETY, None, 24,
        "班组安全管理、现场5S与目视化管理、质量管控、班组沟通与团队建设。"),
    "everyone": ("企业全员安全生产教育培训", SAFETY, None, 12,
        "岗位安全操作规程、职业健康防护、消防与应急疏散、典型事故案例警示。"),
    "tea5": ("手工制茶（初级）技能培训", TEA_TRADE, L.JUNIOR, 24,
        "鲜叶采摘与摊放、杀青、揉捻、干燥等手工绿茶制作工序。"),
    "tea4": ("手工制茶（中级）技能提升培训", TEA_TRADE, L.INTERMEDIATE, 32,
        "武当道茶等名优绿茶手工炒制、品质审评、茶叶加工卫生与标准化。"),
    "teach": ("职业院校教师教学能力提升培训", TEACHER, None, 32,
        "职业教育课程改革、项目式教学设计、信息化教学、课程思政。"),
    "dual": ("职业院校“双师型”教师企业实践培训", TEACHER, None, 40,
        "企业岗位实践、新技术新工艺、产教融合课程开发。"),
}
# What an enterprise trains a trade group in (course key, weight).
TRADE_COURSES = {
    AUTO: [("auto5", 2), ("auto4", 4), ("auto3", 2), ("auto2", 1)],
    WELD: [("weld5", 2), ("weld4", 3), ("weld3", 2)],
    CNC: [("cnc4", 3), ("cnc3", 2)],
    MACHINE: [("machine4", 3), ("machine3", 2)],
    ROBOT: [("robot5", 3), ("robot4", 2)],
    ELEC: [("elec5", 2), ("elec4", 3), ("elec3", 2)],
    SAFETY: [("safety", 1)],
    TEA_TRADE: [("tea5", 2), ("tea4", 3)],
    TEACHER: [("teach", 3), ("dual", 2)],
}

A = TrainingClass.Audience
# Union class series: audience, and the words in the title.
SERIES = {"leaders": (A.TEAM_LEADERS, "产业工人（班组长）"), "workers": (A.EVERYONE, "产业工人"),
          "poverty": (A.POVERTY, "脱贫劳动力")}
# Union classes of a year: (series, course, provider, base, month, capacity).
UNION_CLASSES = {
    2022: [
        ("leaders", "leaders", UNION, BASE_ASSEMBLY, 3, 120),
        ("workers", "auto4", COLLEGE, BASE_COLLEGE, 3, 100),
        ("poverty", "tea5", UNION, None, 4, 60),
        ("leaders", "auto3", UNION, BASE_ASSEMBLY, 4, 80),
        ("workers", "weld3", TECH_SCHOOL, BASE_WELDING, 5, 60),
        ("poverty", "tea4", UNION, None, 5, 50),
        ("leaders", "leaders", COLLEGE, BASE_COLLEGE, 6, 120),
        ("workers", "cnc4", CENTRE, BASE_CENTRE, 6, 80),
        ("poverty", "elec5", CENTRE, BASE_CENTRE, 7, 60),
        ("workers", "robot5", COLLEGE, BASE_COLLEGE, 7, 60),
        ("leaders", "machine3", TECH_SCHOOL, BASE_STUDIO, 8, 60),
        ("workers", "elec4", CENTRE, BASE_CENTRE, 9, 80),
        ("leaders", "robot4", UNION, BASE_ACADEMICIAN, 10, 60),
        ("poverty", "weld5", CENTRE, BASE_CENTRE, 10, 60),
        ("workers", "teach", COLLEGE, BASE_COLLEGE, 10, 80),
    ],
    2021: [
        ("leaders", "leaders", UNION, None, 4, 100),
        ("workers", "auto4", COLLEGE, None, 4, 80),
        ("poverty", "tea5", UNION, None, 4, 50),
        ("workers", "weld4", TECH_SCHOOL, None, 5, 60),
        ("leaders", "auto3", UNION, None, 6, 60),
        ("workers", "elec4", CENTRE, BASE_CENTRE, 6, 60),
        ("poverty", "elec5", CENTRE, BASE_CENTRE, 7, 50),
        ("workers", "weld3", TECH_SCHOOL, BASE_WELDING, 9, 50),
        ("leaders", "leaders", COLLEGE, None, 10, 100),
        ("workers", "cnc4", CENTRE, BASE_CENTRE, 10, 60),
    ],
}
# Distinct trainees aimed at in a year (union and enterprise classes together).
TRAINEES = {2022: 29_750, 2021: 18_000}

# The winter classes open for registration now: (series, course, provider, base, capacity, confirmed,
# waiting, first day).
OPEN_YEAR = 2026
OPEN_WINDOW = (datetime.datetime(2026, 11, 1, 9, 0, tzinfo=TZ), datetime.datetime(2026, 12, 20, 17, 0, tzinfo=TZ))
REGISTERED_UNTIL = datetime.datetime(2026, 11, 24, 20, 0, tzinfo=TZ)
OPEN_CLASSES = [
    ("workers", "auto3", UNION, BASE_ASSEMBLY, 60, 37, 0, datetime.date(2027, 1, 5)),
    ("workers", "robot4", COLLEGE, BASE_ACADEMICIAN, 40, 38, 0, datetime.date(2027, 1, 7)),   # nearly full
    ("workers", "weld4", TECH_SCHOOL, BASE_WELDING, 30, 30, 5, datetime.date(2027, 1, 11)),   # full, 5 waiting
    ("leaders", "leaders", UNION, BASE_COLLEGE, 80, 26, 0, datetime.date(2027, 1, 12)),
    ("poverty", "elec5", CENTRE, BASE_CENTRE, 50, 14, 0, datetime.date(2027, 1, 14)),
    ("workers", "teach", COLLEGE, BASE_COLLEGE, 60, 21, 0, datetime.date(2027, 1, 18)),
]

VENUES = {
    UNION: "十堰市张湾区总工会职工服务中心培训室",
    COLLEGE: "十堰职业技术学院实训楼",
    CENTRE: "张湾区职业技术培训中心实训楼",
    TECH_SCHOOL: "东风技师学院实训中心",
}
TEA_VENUE = "湖北黄龙茶业有限公司黄龙镇茶叶加工车间"
ENTERPRISE_VENUES = ["职工培训室", "职工教育中心", "实训车间", "技能实训室"]
EXCUSES = ["病假", "事假", "生产任务冲突，已请假", "公出"]

SURVEYS = {
    2022: ("2022年张湾区职工技能培训需求“大走访”调研", datetime.date(2022, 1, 4), datetime.date(2022, 2, 25),
           "区总工会组织工会干部深入企业车间、班组和职业院校走访，逐一了解职工和企业的技能培训需求，"
           "作为制定2022年全区职工技能培训计划的依据。", 260, 60),
    2021: ("2021年张湾区职工技能培训需求调研", datetime.date(2021, 1, 11), datetime.date(2021, 2, 5),
           "通过企业工会和问卷收集职工技能培训需求。", 110, 30),
}
REMARKS = ["希望安排在周末", "希望增加实操课时", "希望能考取等级证书", "希望送教进厂", "需要新能源汽车相关内容",
           "希望线上线下结合", "班组轮班，需分批参训"]
PLAN_TITLES = {2022: "2022年张湾区职工技能培训计划", 2021: "2021年张湾区职工技能培训计划"}
PLAN_NOTES = {
    2022: "依据2022年培训需求“大走访”调研制定：区总工会举办产业工人、班组长和脱贫劳动力培训班15期，"
          "指导东风公司各厂和区内重点企业开展岗位技能提升培训，全年培训职工近3万人次。",
    2021: "依据2021年培训需求调研制定：区总工会举办培训班10期，带动企业开展职工技能培训。",
}
MENTORSHIPS = 40


# Plans ------------------------------------------------------------------------------------------

@dataclass
class WorkerRow:
    pk: int
    id_number: str
    employer: int | None
    team_leader: bool
    poverty: bool
    trade: str | None          # trade code
    trade_since: int | None
    employed_since: datetime.date | None
    birth_date: datetime.date


@dataclass
class PlannedClass:
    title: str
    course: str
    provider: str
    union: bool
    base: str | None
    venue: str
    audience: str
    capacity: int
    seats: list = field(default_factory=list)     # worker pks with a seat, in order
    waiting: list = field(default_factory=list)   # worker pks on the waiting list, in order
    year: int = 0
    month: int | None = None
    first_day: datetime.date | None = None


def session_hours(rng: random.Random, total: int) -> list[int]:
    """Split a course's hours into 2–6 sessions of 3–8 hours."""
    n = rng.randint(max(2, math.ceil(total / 8)), min(6, total // 3))
    q, r = divmod(total, n)
    return [q + 1] * r + [q] * (n - r)


def attendance_marks(rng: random.Random, hours: list[int], outcome: str, exam_failed: bool = False) -> list[str]:
    """Attendance per session that leads to the outcome under services.class_complete's rule:
    completed needs present/late for at least 80 % of the hours, no-show has none, failed has some
    but (unless the exam was failed) fewer than 80 %."""
    present, late, excused, absent = (s.value for s in Attendance.Status)
    total = sum(hours)
    n = len(hours)
    if outcome == Enrollment.Status.NO_SHOW:
        return [excused if rng.random() < 0.3 else absent for _ in hours]
    marks = [late if rng.random() < 0.04 else present for _ in hours]
    if outcome == Enrollment.Status.COMPLETED or exam_failed:
        if rng.random() < 0.12:
            i = rng.randrange(n)
            if (total - hours[i]) * 5 >= total * 4:
                marks[i] = excused if rng.random() < 0.6 else absent
        return marks
    # Failed for want of hours: miss sessions until under 80 %, keeping at least one attended.
    order = list(range(n))
    rng.shuffle(order)
    attended = total
    for i in order[:-1]:
        marks[i] = absent if rng.random() < 0.6 else excused
        attended -= hours[i]
        if attended * 5 < total * 4:
            break
    return marks


def load_workers() -> list[WorkerRow]:
    trades = {}
    for worker_id, code, since in (WorkerTrade.objects.order_by("worker_id", "trade__code")
                                   .values_list("worker_id", "trade__code", "started_year")):
        trades.setdefault(worker_id, (code, since))
    employed = {}
    for worker_id, started in Employment.objects.order_by("started_on").values_list("worker_id", "started_on"):
        employed.setdefault(worker_id, started)
    rows = []
    for pk, id_number, employer, leader, poverty, born in (
            Worker.objects.order_by("id_number")
            .values_list("pk", "id_number", "employer_id", "team_leader", "poverty_registered", "birth_date")):
        code, since = trades.get(pk, (None, None))
        rows.append(WorkerRow(pk, id_number, employer, leader, poverty, code, since, employed.get(pk), born))
    return rows


def eligible(worker: WorkerRow, audience: str) -> bool:
    if audience == A.TEAM_LEADERS:
        return worker.team_leader
    if audience == A.POVERTY:
        return worker.poverty
    return True


def pick(rng, workers, taken, audience, trade, count, employer_ids=None):
    """count workers not yet taken, eligible for the audience, those of the trade first."""
    pool = [w for w in workers if w.pk not in taken and eligible(w, audience)
            and (employer_ids is None or w.employer in employer_ids)]
    first = [w for w in pool if w.trade == trade]
    chosen = rng.sample(first, min(count, len(first)))
    if len(chosen) < count:
        rest = [w for w in pool if w.trade != trade]
        chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    taken.update(w.pk for w in chosen)
    return [w.pk for w in chosen]


def union_class(year, series, course, provider, base, capacity, number, label=""):
    audience, words = SERIES[series]
    title = f"{year}年张湾区{words}{label}第{number}期{COURSES[course][0]}班"
    venue = TEA_VENUE if COURSES[course][1] == TEA_TRADE else (base or VENUES[provider])
    return PlannedClass(title=title, course=course, provider=provider, union=True, base=base, venue=venue,
                        audience=audience, capacity=capacity, year=year)


def plan_year(year: int, workers: list[WorkerRow], orgs: dict[str, Organization]) -> list[PlannedClass]:
    """Every class of a finished year with the workers who had a seat: the union's first, then each
    organization's own classes for its staff, grouped by trade. A worker is in one class a year."""
    rng = random.Random(SEED + year)
    start = datetime.date(year, 1, 1)
    workers = [w for w in workers if w.employer is not None
               and (w.employed_since is None or w.employed_since <= datetime.date(year, 9, 1))]
    settled = [w for w in workers if w.employed_since is None or w.employed_since < start]
    taken: set[int] = set()
    classes, numbers = [], Counter()
    for series, course, provider, base, month, capacity in UNION_CLASSES[year]:
        numbers[series] += 1
        planned = union_class(year, series, course, provider, base, capacity, numbers[series])
        if course in ("teach", "dual"):
            schools = {orgs[name].pk for name in SCHOOLS}
            planned.seats = pick(rng, settled, taken, planned.audience, COURSES[course][1],
                                 capacity - rng.randint(0, 6), schools)
        else:
            planned.seats = pick(rng, settled, taken, planned.audience, COURSES[course][1],
                                 capacity - rng.randint(0, 6))
        planned.month = month
        if planned.seats:
            classes.append(planned)

    remaining = [w for w in workers if w.pk not in taken]
    share = max(0.0, min(1.0, (TRAINEES[year] - len(taken)) / max(1, len(remaining))))
    kept = [w for w in remaining if rng.random() < share]
    by_employer = defaultdict(list)
    for w in kept:
        by_employer[w.employer].append(w)
    for name, *_rest, weight in ORGANIZATIONS:
        if not weight or name not in orgs:
            continue
        org = orgs[name]
        own_base = next((base for base, v in BASES.items() if v[1] == name), None)
        staff = by_employer.get(org.pk, [])
        # Those who joined this year take the induction safety course once they are there.
        newcomers = [w for w in staff if w.employed_since and w.employed_since >= start]
        placed = {w.pk for w in newcomers}
        leaders = [w for w in staff if w.team_leader and w.pk not in placed and rng.random() < 0.35]
        placed.update(w.pk for w in leaders)
        groups = defaultdict(list)
        for w in staff:
            if w.pk in placed:
                continue
            trade = w.trade
            if trade == TEA_TRADE and name != TEA or trade == TEACHER and name not in SCHOOLS:
                trade = None
            groups[trade].append(w)
        for trade in [t for t in groups if t is not None and len(groups[t]) < 12]:
            groups[None] += groups.pop(trade)
        plans = [("newcomers", newcomers), ("leaders", leaders)]
        plans += [(t, groups[t]) for t in sorted(groups, key=lambda t: t or "")]
        counters = Counter()
        for key, members in plans:
            if not members:
                continue
            rng.shuffle(members)
            parts = math.ceil(len(members) / rng.randint(100, 150))
            for i in range(parts):
                chunk = members[i * len(members) // parts:(i + 1) * len(members) // parts]
                month = None
                if key == "newcomers":
                    course, audience = "everyone", A.OWN_STAFF
                    month = rng.randint(max(w.employed_since.month for w in chunk) + 1, 10)
                elif key == "leaders":
                    course, audience = "leaders", A.TEAM_LEADERS
                elif key is None:
                    course, audience = "everyone", A.OWN_STAFF
                else:
                    options = TRADE_COURSES[key]
                    course = rng.choices([c for c, _w in options], weights=[w for _c, w in options])[0]
                    audience = A.OWN_STAFF
                counters[course] += 1
                seats = len(chunk)
                classes.append(PlannedClass(
                    title=f"{name}{year}年第{counters[course]}期{COURSES[course][0]}班", course=course,
                    provider=name, union=False, base=own_base if rng.random() < 0.5 else None,
                    venue=name + rng.choice(ENTERPRISE_VENUES), audience=audience,
                    capacity=max(seats, math.ceil((seats + rng.randint(0, 12)) / 10) * 10),
                    seats=[w.pk for w in chunk], year=year, month=month))
    return classes


def plan_open_classes(workers: list[WorkerRow], orgs: dict[str, Organization], demo_worker: int | None):
    rng = random.Random(SEED + OPEN_YEAR)
    taken = {demo_worker}
    classes, numbers = [], Counter()
    schools = {orgs[name].pk for name in SCHOOLS}
    for series, course, provider, base, capacity, confirmed, waiting, first_day in OPEN_CLASSES:
        numbers[series] += 1
        planned = union_class(OPEN_YEAR, series, course, provider, base, capacity, numbers[series], "冬训")
        chosen = pick(rng, workers, taken, planned.audience, COURSES[course][1], confirmed + waiting,
                      schools if course in ("teach", "dual") else None)
        planned.seats, planned.waiting = chosen[:confirmed], chosen[confirmed:]
        planned.first_day, planned.year = first_day, OPEN_YEAR
        classes.append(planned)
    return classes


# Inserting ----------------------------------------------------------------------------------

def insert(model, objs, history=True):
    """Bulk insert (PostgreSQL sets the primary keys on objs), with history records if asked."""
    if objs:
        if history:
            bulk_insert_with_history(model, objs, user=None, reason=REASON, batch_size=BATCH)
        else:
            model.objects.bulk_create(objs, batch_size=BATCH)
    return objs


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def schedule(rng: random.Random, planned: PlannedClass, hours: list[int], has_exam: bool):
    """(starts_at, ends_at, hours, topic) of each session."""
    weekly = not planned.union and rng.random() < 0.3
    if planned.first_day:
        day = planned.first_day
    elif planned.month:
        day = datetime.date(planned.year, planned.month, rng.randint(1, 20))
    else:
        day = datetime.date(planned.year, 3, 1) + datetime.timedelta(days=rng.randrange(230))  # to mid-October
    sessions = []
    afternoon = rng.random() < 0.3
    for i, h in enumerate(hours):
        while day.weekday() == 6:  # no sessions on Sundays
            day += datetime.timedelta(days=1)
        if h <= 4:
            begins = at(day, 14) if afternoon else at(day, 8, 30)
            ends = begins + datetime.timedelta(hours=h)
        else:
            begins = at(day, 8, 30)
            ends = begins + datetime.timedelta(hours=h + 1.5)  # with the lunch break
        if i == 0:
            topic = "开班仪式及理论授课"
        elif i == len(hours) - 1:
            topic = "结业考核" if has_exam else "综合实训及结业总结"
        else:
            topic = "理论授课" if i % 2 else "实操训练"
        sessions.append((begins, ends, h, topic))
        day += datetime.timedelta(days=7 if weekly else 1)
    return sessions


def build_classes(planned: list[PlannedClass], courses, orgs, bases, finished: bool):
    """Insert the classes with their sessions, enrollments and attendance. Returns counts."""
    classes, details = [], []
    for p in planned:
        rng = random.Random(f"{SEED}/{p.title}")
        course = courses[p.course]
        levelled = course.level is not None
        has_exam = rng.random() < (0.7 if levelled else 0.25) if p.course != "leaders" else False
        sessions = schedule(rng, p, session_hours(rng, int(course.hours)), has_exam)
        first = sessions[0][0].date()
        base = bases.get(p.base) if p.base else None
        if base is not None and base.designated_on > first:
            base = None
        if finished:
            opens = at(first - datetime.timedelta(days=rng.randint(20, 40)), 9)
            closes = at(first - datetime.timedelta(days=rng.randint(2, 5)), 17)
        else:
            opens, closes = OPEN_WINDOW
        created = opens - datetime.timedelta(days=rng.randint(3, 15), hours=rng.randint(0, 6))
        cls = TrainingClass(
            course=course, title=p.title, provider=orgs[p.provider], union_class=p.union, base=base,
            venue=p.venue, capacity=p.capacity, registration_opens=opens, registration_closes=closes,
            starts_on=first, ends_on=sessions[-1][0].date(), audience=p.audience, has_exam=has_exam,
            status=TrainingClass.Status.FINISHED if finished else TrainingClass.Status.OPEN,
            confirmed_count=len(p.seats),
            description=f"{course.syllabus}共{len(sessions)}次课、{course.hours}学时。",
        )
        stamp(cls, when=created)
        classes.append(cls)
        details.append((rng, p, sessions, created))
    TrainingClass.objects.bulk_create(classes, batch_size=BATCH)
    for cls, (_rng, _p, _s, created) in zip(classes, details, strict=True):
        cls.created_at = created  # auto_now_add set it to now; the class was set up before registration
    TrainingClass.objects.bulk_update(classes, ["created_at"], batch_size=1000)
    bulk_history_create(TrainingClass, classes, reason=REASON, batch_size=BATCH)

    session_rows, per_class = [], []
    for cls, (_rng, _p, sessions, created) in zip(classes, details, strict=True):
        rows = [ClassSession(training_class=cls, starts_at=b, ends_at=e, hours=Decimal(h), topic=t)
                for b, e, h, t in sessions]
        for row in rows:
            stamp(row, when=created)
        session_rows += rows
        per_class.append(rows)
    insert(ClassSession, session_rows)

    enrollments, marks = [], []
    for cls, (rng, p, _sessions, _created), rows in zip(classes, details, per_class, strict=True):
        hours = [int(r.hours) for r in rows]
        required = Decimal(sum(hours))
        span = (cls.registration_closes - cls.registration_opens) if finished \
            else REGISTERED_UNTIL - cls.registration_opens
        weights = (5, 2, 3) if p.union else (17, 1, 2)  # liaison, staff, self
        no_show, failed = rng.uniform(0.01, 0.04), rng.uniform(0.02, 0.07)
        times = sorted(cls.registration_opens + span * rng.random() for _ in range(len(p.seats) + len(p.waiting)))
        for n, worker in enumerate(p.seats + p.waiting):
            channel = rng.choices(("liaison", "staff", "self"), weights=weights)[0]
            e = Enrollment(worker_id=worker, training_class=cls, channel=channel, created_at=times[n])
            if n >= len(p.seats):
                e.status, e.queue_number = Enrollment.Status.WAITLISTED, n - len(p.seats) + 1
            elif not finished:
                e.status, e.confirmed_at = Enrollment.Status.CONFIRMED, times[n]
            else:
                e.confirmed_at, e.required_hours = times[n], required
                u = rng.random()
                status = (Enrollment.Status.NO_SHOW if u < no_show else
                          Enrollment.Status.FAILED if u < no_show + failed else Enrollment.Status.COMPLETED)
                exam_failed = status == Enrollment.Status.FAILED and cls.has_exam and rng.random() < 0.5
                row_marks = attendance_marks(rng, hours, status, exam_failed)
                e.status = status
                e.attended_hours = Decimal(sum(h for h, m in zip(hours, row_marks, strict=True)
                                               if m in Attendance.COUNTED))
                if cls.has_exam and status != Enrollment.Status.NO_SHOW:
                    e.exam_passed = status == Enrollment.Status.COMPLETED or (
                        not exam_failed and rng.random() < 0.5)
                marks.append((e, rows, row_marks, rng.random()))
            enrollments.append(e)
    copy_instances(Enrollment, enrollments)  # tens of thousands, no history: COPY

    attendance = [(e.pk, session.pk, mark, EXCUSES[int(r * len(EXCUSES))] if mark == Attendance.Status.EXCUSED else "",
                   session.ends_at + datetime.timedelta(minutes=10))
                  for e, rows, row_marks, r in marks for session, mark in zip(rows, row_marks, strict=True)]
    copy_rows(Attendance, ["enrollment", "session", "status", "remark", "marked_at"], attendance)
    return len(classes), len(enrollments), len(attendance)


# The parts ---------------------------------------------------------------------------------

def load_bases(orgs):
    existing = set(TrainingBase.objects.values_list("name", flat=True))
    new = []
    for name, (kind, host, designated, funding, address) in BASES.items():
        if name not in existing and host in orgs:
            base = TrainingBase(name=name, kind=kind, host=orgs[host], designated_on=designated,
                                funding=Decimal(funding), address=address)
            stamp(base, when=at(designated, 10))
            new.append(base)
    insert(TrainingBase, new)
    return {b.name: b for b in TrainingBase.objects.filter(name__in=BASES)}


def load_courses(trades):
    existing = {c.title: c for c in Course.objects.filter(title__in=[v[0] for v in COURSES.values()])}
    new = [Course(title=title, trade=trades[code], level=level, hours=Decimal(hours), syllabus=syllabus)
           for title, code, level, hours, syllabus in COURSES.values() if title not in existing]
    insert(Course, new)
    existing.update({c.title: c for c in new})
    return {key: existing[v[0]] for key, v in COURSES.items()}


def load_surveys(workers, orgs, trades):
    created = 0
    levels = {code: sorted({c[2] for c in COURSES.values() if c[1] == code}, key=lambda v: (v is None, v))
              for code in trades}
    companies = [orgs[name] for name, *_rest, weight in ORGANIZATIONS if weight and name in orgs]
    for year, (title, starts, ends, description, from_workers, from_orgs) in SURVEYS.items():
        if NeedsSurvey.objects.filter(title=title).exists():
            continue
        rng = random.Random(f"{SEED}/survey/{year}")
        survey = NeedsSurvey.objects.create(title=title, year=year, starts_on=starts, ends_on=ends,
                                            description=description)
        formats = [f.value for f in Format]
        responses = []
        for w in rng.sample(workers, min(from_workers, len(workers))):
            code = w.trade or rng.choice([AUTO, WELD, CNC, ROBOT, ELEC, SAFETY])
            responses.append(NeedsResponse(survey=survey, worker_id=w.pk, trade=trades[code],
                                           level=rng.choice(levels[code]), head_count=1,
                                           format=rng.choices(formats, weights=(6, 2, 3, 2))[0],
                                           remark=rng.choice(REMARKS) if rng.random() < 0.25 else ""))
        for _ in range(from_orgs):
            org = rng.choice(companies)
            code = (TEACHER if org.name in SCHOOLS and rng.random() < 0.6 else TEA_TRADE if org.name == TEA
                    else rng.choice([AUTO, AUTO, WELD, CNC, MACHINE, ROBOT, ELEC, SAFETY]))
            responses.append(NeedsResponse(survey=survey, organization=org, trade=trades[code],
                                           level=rng.choice(levels[code]), head_count=rng.randint(8, 150),
                                           format=rng.choices(formats, weights=(5, 1, 3, 4))[0],
                                           remark=rng.choice(REMARKS) if rng.random() < 0.4 else ""))
        NeedsResponse.objects.bulk_create(responses, batch_size=BATCH)
        days = (ends - starts).days
        for r in responses:  # auto_now_add stamped them now
            r.created_at = at(starts + datetime.timedelta(days=rng.randint(0, days)), rng.randint(8, 17),
                              rng.randint(0, 59))
        NeedsResponse.objects.bulk_update(responses, ["created_at"], batch_size=1000)
        created += len(responses)
    return created


def load_plan(year, planned, trades):
    rng = random.Random(f"{SEED}/plan/{year}")
    plan = TrainingPlan.objects.filter(year=year).first()
    if plan is None:
        plan = TrainingPlan(year=year, title=PLAN_TITLES[year], notes=PLAN_NOTES[year])
        stamp(plan, when=at(datetime.date(year, 3, 1), 10))
        insert(TrainingPlan, [plan])
    classes, trainees = Counter(), defaultdict(set)
    for p in planned:
        code = COURSES[p.course][1]
        classes[code] += 1
        trainees[code].update(p.seats)
    existing = set(plan.lines.values_list("trade__code", flat=True))
    lines = []
    for code in sorted(trades):
        target = max(10, round(len(trainees[code]) * rng.uniform(0.92, 1.08), -1))
        line = PlanLine(plan=plan, trade=trades[code],
                        target_classes=max(1, round(classes[code] * rng.uniform(0.85, 1.1))),
                        target_trainees=target, budget=Decimal(round(target * rng.randint(100, 180), -2)))
        stamp(line, when=at(datetime.date(year, 3, 1), 10))
        if code not in existing:
            lines.append(line)
    insert(PlanLine, lines)
    return len(lines)


def load_mentorships(workers, trades):
    """名师带徒: an experienced worker and a newcomer of the same organization and trade."""
    rng = random.Random(f"{SEED}/mentorship")
    groups = defaultdict(list)
    for w in workers:
        if w.trade and w.employer and w.trade_since:
            groups[(w.employer, w.trade)].append(w)
    keys = sorted(k for k, members in groups.items()
                  if any(w.trade_since <= 2012 for w in members) and any(w.trade_since >= 2017 for w in members))
    existing = set(Mentorship.objects.values_list("mentor_id", "apprentice_id", "trade_id"))
    pairs, seen = [], set()
    for _ in range(20 * MENTORSHIPS):
        if not keys or len(pairs) >= MENTORSHIPS:
            break
        employer, code = rng.choice(keys)
        members = groups[(employer, code)]
        mentor = min(rng.sample([w for w in members if w.trade_since <= 2012], 1) +
                     [w for w in members if w.trade_since <= 2002][:1], key=lambda w: w.trade_since)
        apprentice = rng.choice([w for w in members if w.trade_since >= 2017])
        if (mentor.pk, apprentice.pk) in seen or mentor.birth_date >= apprentice.birth_date:
            continue
        seen.add((mentor.pk, apprentice.pk))
        started = datetime.date(max(rng.choice((2020, 2021, 2022)), apprentice.trade_since),
                                rng.choice((3, 4, 5, 9)), rng.randint(1, 28))
        outcome, ended = Mentorship.Outcome.ONGOING, None
        u = rng.random()
        if u < 0.7 and started.year < 2022:
            outcome, ended = Mentorship.Outcome.COMPLETED, started + datetime.timedelta(days=rng.randint(330, 400))
        elif u > 0.92:
            outcome, ended = Mentorship.Outcome.DISCONTINUED, started + datetime.timedelta(days=rng.randint(60, 200))
        m = Mentorship(mentor_id=mentor.pk, apprentice_id=apprentice.pk, trade=trades[code], started_on=started,
                       ended_on=ended, outcome=outcome,
                       notes=f"名师带徒结对：师傅从事本工种{started.year - mentor.trade_since}年，签订师徒协议，"
                             "按月制定带徒计划，传授操作技能和绝招绝技。")
        stamp(m, when=at(started, 10))
        pairs.append(m)
    new = [m for m in pairs if (m.mentor_id, m.apprentice_id, m.trade_id) not in existing]
    insert(Mentorship, new)
    return len(new)


def load(out):
    started = time.monotonic()
    orgs = Organization.objects.in_bulk(field_name="name")
    trades = Trade.objects.in_bulk(field_name="code")
    missing = [name for name in (UNION, COLLEGE, CENTRE, TECH_SCHOOL, ASSEMBLY) if name not in orgs]
    if missing or any(code not in trades for code in TRADE_COURSES):
        out("  skipped: load the registry demo data and the seed trades first")
        return
    workers = load_workers()
    bases = load_bases(orgs)
    courses = load_courses(trades)
    responses = load_surveys(workers, orgs, trades)

    existing = set(TrainingClass.objects.values_list("title", flat=True))
    new_classes = new_enrollments = new_attendance = lines = 0
    for year in sorted(UNION_CLASSES):
        planned = plan_year(year, workers, orgs)
        lines += load_plan(year, planned, trades)
        todo = [p for p in planned if p.title not in existing]
        if todo:
            c, e, a = build_classes(todo, courses, orgs, bases, finished=True)
            new_classes, new_enrollments, new_attendance = new_classes + c, new_enrollments + e, new_attendance + a
    demo_worker = Worker.objects.filter(employer=orgs[ASSEMBLY]).order_by("pk").values_list("pk", flat=True).first()
    todo = [p for p in plan_open_classes(workers, orgs, demo_worker) if p.title not in existing]
    if todo:
        c, e, a = build_classes(todo, courses, orgs, bases, finished=False)
        new_classes, new_enrollments = new_classes + c, new_enrollments + e
    mentorships = load_mentorships(workers, trades)

    year_classes = TrainingClass.objects.in_year(2022)
    trainees = (Enrollment.objects.filter(training_class__starts_on__year=2022)
                .filter(Q(status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.FAILED,
                                      Enrollment.Status.NO_SHOW]))
                .values("worker").distinct().count())
    out(f"  {len(bases)} training bases, {len(courses)} courses, {responses} new needs responses, "
        f"{lines} new plan lines, {mentorships} new mentorships")
    out(f"  2022: {year_classes.filter(union_class=True).count()} union and "
        f"{year_classes.filter(union_class=False).count()} enterprise classes, {trainees} trainees")
    out(f"  {TrainingClass.objects.count()} classes ({new_classes} new), {Enrollment.objects.count()} enrollments "
        f"({new_enrollments} new), {Attendance.objects.count()} attendance rows ({new_attendance} new) "
        f"in {time.monotonic() - started:.1f} s")
