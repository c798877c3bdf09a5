"""Demo competitions data, after the 2022 report of the Zhangwan District Federation of Trade Unions.

2022: twenty competitions held in the district (enterprise, industry and district labour, skills and
innovation competitions), six of them the district's leading vocational skills competitions, one
per trade, with 350 participants in all, judged here: judges, score sheets, marks and the results
computed by services.results_compute. Their first and second prizes advanced to the city's skills
competition, and the city's winners to the province's: 77 of the district's workers competed at
city or provincial level, whose results are recorded (not judged here). 86 workers won an award at
district, city or provincial level. 20 projects were shortlisted or awarded in the city's
double-innovation competition. Excellent-organization awards with funding went to enterprises.
2021 is a smaller year, so the year-over-year comparison shows growth. One competition is open for
entries now (registration November–December 2026, held March 2027), with entries and judges but no
marks yet.

Deterministic: workers are taken in identity-number order with generators seeded by competition
name, so what already exists does not shift what follows. Idempotent: a competition is matched by
(name, year); only missing competitions are inserted, each with everything under it, in bulk.
The demo worker (the lowest-id worker of the demo liaison's organization) is entered nowhere.
"""

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import F

from competitions import services
from competitions.models import (
    AwardRule,
    Competition,
    Entry,
    Event,
    InnovationProject,
    JudgeAssignment,
    Mark,
    OrganizerAward,
    Result,
    ScoreSheet,
    ScoringPart,
    Tier,
    Upgrade,
)
from zhangwan.accounts.models import User
from zhangwan.accounts.roles import Role
from zhangwan.demo.accounts import DEMO_PASSWORD
from zhangwan.history import bulk_insert_with_history, stamp, stamped_date
from zhangwan.registry.models import Employment, Organization, Trade, Worker, WorkerTrade

SEED = 2022
TZ = ZoneInfo("Asia/Shanghai")
BATCH = 5000
REASON = "demo"

UNION = "十堰市张湾区总工会"
DONGFENG = "东风汽车有限公司"
ASSEMBLY = "东风商用车有限公司总装配厂"  # the demo liaison's and the demo worker's employer
BODY = "东风商用车有限公司车身厂"
FRAME = "东风商用车有限公司车架厂"
WHEEL = "东风商用车有限公司车轮厂"
ENGINE = "东风商用车有限公司发动机厂"
FOUNDRY = "东风汽车有限公司铸造一厂"
FORGE = "东风锻造有限公司"
SHAFT = "东风汽车传动轴有限公司"
EQUIP = "东风汽车有限公司设备制造厂"
POWER = "东风汽车有限公司动力设备厂"
TEA_CO = "湖北黄龙茶业有限公司"
HUAXIN = "十堰华鑫汽车零部件有限公司"
JINYUE = "十堰金悦机械有限公司"
CHECHENG = "湖北车城智能装备有限公司"
ELEC_CO = "十堰张湾电气安装工程有限公司"
ASSOCIATION = "张湾区汽车零部件行业协会"
COLLEGE = "十堰职业技术学院"
CENTRE = "张湾区职业技术培训中心"
TECH_SCHOOL = "东风技师学院"
SCHOOLS = [COLLEGE, CENTRE, TECH_SCHOOL]
DONGFENG_ALL = [DONGFENG, ASSEMBLY, BODY, FRAME, WHEEL, ENGINE, FOUNDRY, FORGE, SHAFT, EQUIP, POWER]

# Trades of the seed, by code.
AUTO, WELD, CNC, MACHINE, ROBOT, ELEC, TEA, TEACHER = (
    "6-22-02-01", "6-18-02-04", "6-18-01-01", "6-20-03-01", "6-30-99-00", "6-31-01-03", "6-02-06-01",
    "2-08-02-00")
# Where a trade's competitors come from first (others of the trade only if these run short).
PREFERRED = {
    AUTO: [*DONGFENG_ALL, HUAXIN],
    WELD: [*DONGFENG_ALL, HUAXIN, JINYUE, CHECHENG, ELEC_CO],
    CNC: [*DONGFENG_ALL, HUAXIN, JINYUE, CHECHENG],
    ROBOT: [*DONGFENG_ALL, HUAXIN, JINYUE, CHECHENG],
    ELEC: [*DONGFENG_ALL, ELEC_CO, HUAXIN, CHECHENG],
    MACHINE: [*DONGFENG_ALL, JINYUE, CHECHENG],
    TEA: [TEA_CO],
    TEACHER: SCHOOLS,
}

L, K = Competition.Level, Competition.Kind
TIERS = [Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.EXCELLENCE]
JUDGES = ["王建国", "李志强", "张秀兰", "刘卫东", "陈国平", "杨春华", "黄德明", "赵宏伟", "吴立新", "周文斌",
          "徐海峰", "孙丽萍"]
DEMO_JUDGE = "judge"


# What happened, year by year ------------------------------------------------------------------

@dataclass
class Team:
    """A team event beside a leading competition's individual one: each (organization, team name)
    enters `size` of its workers. Team places earn no title, upgrade or advancement; every member
    counts as a participant, and as a winner when the team is placed."""
    event: str
    teams: list
    size: int
    tiers: tuple            # places: first, second, third, excellence


@dataclass
class Leading:
    """A leading district vocational skills competition: an individual event (and maybe a team
    event), judged here."""
    name: str
    trade: str
    event: str
    organizers: list
    starts: datetime.date
    days: int
    entrants: int           # individual entrants
    tiers: tuple            # places of the individual event: first, second, third, excellence
    judges: int
    demo_judge: bool = False
    title: str = "张湾区技术能手"
    team: Team | None = None

    @property
    def participants(self) -> int:
        return self.entrants + (len(self.team.teams) * self.team.size if self.team else 0)

    @property
    def winners(self) -> int:
        return sum(self.tiers) + (sum(self.team.tiers) * self.team.size if self.team else 0)


@dataclass
class CityEvent:
    """An event of the city's competition: the district's first and second prizes of the trade
    advance to it, and `direct` more workers are nominated by their enterprises. `tiers` are the
    places the district's entrants won there, `direct_tiered` of them by directly nominated ones."""
    trade: str
    name: str
    direct: int
    tiers: tuple
    direct_tiered: int
    field: int              # competitors from the whole city: ranks are among them


@dataclass
class ProvincialEvent:
    """An event of the province's competition: the `advanced` best of the city's prize winners of
    the trade, and `direct` more workers nominated by their enterprises."""
    trade: str
    name: str
    advanced: int
    direct: int
    tiers: tuple
    direct_tiered: int
    field: int


@dataclass
class External:
    name: str
    level: str
    starts: datetime.date
    days: int
    description: str
    events: list = field(default_factory=list)


LEADING = {
    2022: [
        Leading("2022年张湾区“黄龙杯”手工制茶技能大赛", TEA, "茶叶加工工（手工制茶）", [UNION, TEA_CO],
                datetime.date(2022, 4, 12), 2, 40, (1, 2, 3, 4), 5, title="张湾区制茶能手"),
        Leading("2022年张湾区职业院校教师教学能力大赛", TEACHER, "中等职业教育教师（专业课教学）", [UNION, COLLEGE],
                datetime.date(2022, 5, 20), 2, 35, (1, 2, 3, 2), 5, title="张湾区教学能手"),
        Leading("2022年张湾区汽车装调工职业技能竞赛", AUTO, "汽车装调工", [UNION, ASSEMBLY],
                datetime.date(2022, 6, 15), 3, 75, (2, 3, 3, 2), 7, demo_judge=True,
                team=Team("汽车装调工（团体赛）", [(ASSEMBLY, "总装配厂代表队"), (DONGFENG, "东风汽车有限公司代表队"),
                                             (FRAME, "车架厂代表队"), (ENGINE, "发动机厂代表队"),
                                             (HUAXIN, "华鑫零部件代表队")], 3, (1, 1, 0, 0))),
        Leading("2022年张湾区焊工职业技能竞赛", WELD, "焊工（焊条电弧焊、熔化极气体保护焊）", [UNION, BODY],
                datetime.date(2022, 7, 19), 2, 70, (1, 3, 4, 5), 6, demo_judge=True),
        Leading("2022年张湾区数控车工职业技能竞赛", CNC, "车工（数控车工）", [UNION, JINYUE],
                datetime.date(2022, 8, 23), 2, 60, (1, 2, 3, 4), 6),
        Leading("2022年张湾区工业机器人系统操作员职业技能竞赛", ROBOT, "工业机器人系统操作员", [UNION, CHECHENG],
                datetime.date(2022, 9, 20), 2, 55, (1, 2, 3, 3), 5),
    ],
    2021: [
        Leading("2021年张湾区手工制茶技能大赛", TEA, "茶叶加工工（手工制茶）", [UNION, TEA_CO],
                datetime.date(2021, 4, 20), 2, 35, (1, 2, 3, 3), 5, title="张湾区制茶能手"),
        Leading("2021年张湾区职业院校教师教学能力大赛", TEACHER, "中等职业教育教师（专业课教学）", [UNION, COLLEGE],
                datetime.date(2021, 5, 25), 2, 40, (1, 2, 3, 2), 5, title="张湾区教学能手"),
        Leading("2021年张湾区汽车装调工职业技能竞赛", AUTO, "汽车装调工", [UNION, ASSEMBLY],
                datetime.date(2021, 6, 22), 3, 75, (1, 3, 4, 6), 6),
        Leading("2021年张湾区焊工职业技能竞赛", WELD, "焊工（焊条电弧焊、熔化极气体保护焊）", [UNION, BODY],
                datetime.date(2021, 7, 27), 2, 60, (1, 2, 4, 4), 6),
        Leading("2021年张湾区数控车工职业技能竞赛", CNC, "车工（数控车工）", [UNION, JINYUE],
                datetime.date(2021, 9, 14), 2, 50, (1, 2, 3, 4), 5),
    ],
}

CITY_DESCRIPTION = ("十堰市总工会、十堰市人力资源和社会保障局主办。张湾区各赛项一、二等奖选手晋级参赛，"
                    "并由企业推荐部分优秀职工直接参赛；成绩由区总工会据市赛公布结果录入。")
PROVINCE_DESCRIPTION = ("湖北省总工会、湖北省人力资源和社会保障厅主办。市赛获奖选手及企业推荐选手参赛；"
                        "成绩由区总工会据省赛公布结果录入。")
EXTERNAL = {
    2022: [
        External("十堰市第三届职业技能大赛", L.CITY, datetime.date(2022, 10, 18), 4, CITY_DESCRIPTION, [
            CityEvent(TEA, "茶叶加工工（手工制茶）", 4, (1, 1, 2, 0), 1, 30),
            CityEvent(TEACHER, "中等职业教育教师（教学能力）", 3, (1, 1, 1, 0), 1, 36),
            CityEvent(AUTO, "汽车装调工", 9, (1, 2, 3, 0), 3, 64),
            CityEvent(WELD, "焊工", 7, (1, 1, 2, 0), 2, 58),
            CityEvent(CNC, "车工（数控车工）", 6, (1, 1, 2, 0), 2, 46),
            CityEvent(ROBOT, "工业机器人系统操作员", 5, (1, 1, 2, 0), 2, 40),
            CityEvent(ELEC, "电工", 8, (1, 1, 2, 0), 4, 52),
            CityEvent(MACHINE, "机床装调维修工", 6, (0, 1, 2, 0), 3, 38),
        ]),
        External("湖北省“技能湖北”职业技能大赛", L.PROVINCIAL, datetime.date(2022, 11, 22), 4, PROVINCE_DESCRIPTION, [
            ProvincialEvent(AUTO, "汽车装调工", 2, 3, (0, 1, 1, 1), 1, 120),
            ProvincialEvent(WELD, "焊工", 2, 2, (0, 0, 1, 1), 0, 110),
            ProvincialEvent(CNC, "车工（数控车工）", 1, 1, (0, 0, 1, 0), 0, 90),
            ProvincialEvent(ROBOT, "工业机器人系统操作员", 1, 1, (0, 0, 0, 1), 0, 80),
            ProvincialEvent(ELEC, "电工", 2, 1, (0, 0, 1, 1), 1, 100),
        ]),
    ],
    2021: [
        External("十堰市第二届职业技能大赛", L.CITY, datetime.date(2021, 10, 19), 4, CITY_DESCRIPTION, [
            CityEvent(TEA, "茶叶加工工（手工制茶）", 3, (1, 1, 1, 0), 1, 26),
            CityEvent(TEACHER, "中等职业教育教师（教学能力）", 3, (0, 1, 1, 0), 1, 32),
            CityEvent(AUTO, "汽车装调工", 8, (1, 2, 2, 0), 3, 58),
            CityEvent(WELD, "焊工", 7, (1, 1, 2, 0), 2, 50),
            CityEvent(CNC, "车工（数控车工）", 5, (1, 1, 1, 0), 1, 40),
            CityEvent(ELEC, "电工", 6, (1, 1, 2, 0), 4, 44),
            CityEvent(MACHINE, "机床装调维修工", 4, (0, 1, 1, 0), 2, 30),
        ]),
        External("湖北省“技能湖北”职业技能大赛", L.PROVINCIAL, datetime.date(2021, 11, 23), 4, PROVINCE_DESCRIPTION, [
            ProvincialEvent(AUTO, "汽车装调工", 2, 3, (0, 1, 1, 1), 2, 110),
            ProvincialEvent(WELD, "焊工", 1, 2, (0, 0, 1, 1), 1, 100),
            ProvincialEvent(CNC, "车工（数控车工）", 1, 1, (0, 0, 0, 0), 0, 80),
            ProvincialEvent(ELEC, "电工", 2, 2, (0, 0, 1, 1), 1, 90),
        ]),
    ],
}
# City titles and upgrades of the recorded results, by level and tier.
EXTERNAL_AWARDS = {
    (L.CITY, Tier.FIRST): ("十堰市技术能手", Upgrade.CERTIFY_UP),
    (L.CITY, Tier.SECOND): ("", Upgrade.APPLY_UP),
    (L.PROVINCIAL, Tier.FIRST): ("湖北省技术能手", Upgrade.CERTIFY_UP),
    (L.PROVINCIAL, Tier.SECOND): ("湖北省技术能手", Upgrade.CERTIFY_UP),
    (L.PROVINCIAL, Tier.THIRD): ("", Upgrade.APPLY_UP),
}

# The other competitions held in the district: (name, level, kind, organizers, starts, ends, description).
OTHERS = {
    2022: [
        ("2022年张湾区重点项目建设“奋战二季度”劳动竞赛", L.DISTRICT, K.LABOUR, [UNION],
         (3, 28), (6, 30), "全区18个重点项目建设单位参赛，比工期、比质量、比安全、比创新，评选先进单位和个人。"),
        ("2022年张湾区职工“五小”创新成果评选", L.DISTRICT, K.INNOVATION, [UNION],
         (3, 1), (11, 30), "征集小发明、小创造、小革新、小设计、小建议成果126项，评出优秀成果30项，"
                           "择优推荐参加十堰市“双创”大赛。"),
        ("2022年张湾区“安康杯”安全生产知识竞赛", L.DISTRICT, K.SKILLS, [UNION],
         (6, 14), (6, 16), "全区42支企业代表队参赛，以赛促学，普及安全生产法律法规和应急处置知识。"),
        ("2022年张湾区汽车零部件行业职业技能竞赛", L.INDUSTRY, K.SKILLS, [ASSOCIATION, HUAXIN],
         (5, 10), (5, 12), "区汽车零部件行业协会会员企业职工参赛，设装配钳工、焊工两个赛项。"),
        ("2022年张湾区汽车零部件行业“提质降本”劳动竞赛", L.INDUSTRY, K.LABOUR, [ASSOCIATION, UNION],
         (4, 1), (10, 31), "围绕产品质量提升和降本增效开展行业劳动竞赛，16家企业参赛。"),
        ("东风商用车有限公司总装配厂2022年“比学赶超”劳动竞赛", L.ENTERPRISE, K.LABOUR, [ASSEMBLY],
         (3, 1), (12, 20), "以班组为单位开展质量、效率、安全、成本劳动竞赛，全厂86个班组参赛。"),
        ("东风商用车有限公司车身厂2022年焊装技能比武", L.ENTERPRISE, K.SKILLS, [BODY],
         (5, 17), (5, 18), "焊装车间职工岗位技能比武，选拔选手参加区焊工职业技能竞赛。"),
        ("东风商用车有限公司发动机厂2022年职工技术创新成果发布会", L.ENTERPRISE, K.INNOVATION, [ENGINE],
         (11, 15), (11, 15), "发布职工技术创新成果24项，表彰优秀成果8项。"),
        ("东风汽车有限公司2022年职工技能运动会", L.ENTERPRISE, K.SKILLS, [DONGFENG],
         (9, 6), (9, 9), "东风汽车有限公司在堰各单位职工参赛，设装调、焊接、数控加工、设备维修等赛项。"),
        ("十堰华鑫汽车零部件有限公司2022年岗位练兵技能比武", L.ENTERPRISE, K.SKILLS, [HUAXIN],
         (4, 19), (4, 20), "冲压、焊接、装配岗位练兵比武，优胜者推荐参加区级竞赛。"),
        ("湖北车城智能装备有限公司2022年工业机器人操作技能比武", L.ENTERPRISE, K.SKILLS, [CHECHENG],
         (8, 9), (8, 10), "工业机器人编程与操作技能比武，选拔选手参加区工业机器人系统操作员职业技能竞赛。"),
        ("十堰张湾电气安装工程有限公司2022年电工技能比武", L.ENTERPRISE, K.SKILLS, [ELEC_CO],
         (7, 5), (7, 6), "低压配电安装与调试技能比武。"),
        ("湖北黄龙茶业有限公司2022年春茶手工制作技能比武", L.ENTERPRISE, K.SKILLS, [TEA_CO],
         (3, 22), (3, 23), "春茶手工炒制技能比武，选拔选手参加区手工制茶技能大赛。"),
        ("东风汽车有限公司设备制造厂2022年“降本增效”劳动竞赛", L.ENTERPRISE, K.LABOUR, [EQUIP],
         (4, 1), (11, 30), "围绕设备制造周期和成本开展劳动竞赛，12个车间和班组参赛。"),
    ],
    2021: [
        ("2021年张湾区重点项目建设劳动竞赛", L.DISTRICT, K.LABOUR, [UNION],
         (4, 6), (9, 30), "全区12个重点项目建设单位参赛。"),
        ("2021年张湾区职工“五小”创新成果评选", L.DISTRICT, K.INNOVATION, [UNION],
         (3, 1), (11, 30), "征集职工“五小”创新成果83项，评出优秀成果20项。"),
        ("2021年张湾区汽车零部件行业职业技能竞赛", L.INDUSTRY, K.SKILLS, [ASSOCIATION, HUAXIN],
         (5, 11), (5, 13), "区汽车零部件行业协会会员企业职工参赛。"),
        ("东风商用车有限公司总装配厂2021年劳动竞赛", L.ENTERPRISE, K.LABOUR, [ASSEMBLY],
         (3, 1), (12, 20), "全厂72个班组参加质量、效率、安全劳动竞赛。"),
        ("东风商用车有限公司车身厂2021年焊装技能比武", L.ENTERPRISE, K.SKILLS, [BODY],
         (5, 18), (5, 19), "焊装车间职工岗位技能比武。"),
        ("东风商用车有限公司发动机厂2021年职工技术创新成果发布会", L.ENTERPRISE, K.INNOVATION, [ENGINE],
         (11, 16), (11, 16), "发布职工技术创新成果18项。"),
        ("东风汽车有限公司2021年职工技能运动会", L.ENTERPRISE, K.SKILLS, [DONGFENG],
         (9, 7), (9, 10), "东风汽车有限公司在堰各单位职工参赛。"),
        ("十堰华鑫汽车零部件有限公司2021年岗位练兵技能比武", L.ENTERPRISE, K.SKILLS, [HUAXIN],
         (4, 20), (4, 21), "冲压、焊接、装配岗位练兵比武。"),
        ("十堰金悦机械有限公司2021年数控车工技能比武", L.ENTERPRISE, K.SKILLS, [JINYUE],
         (8, 17), (8, 18), "数控车削加工技能比武，选拔选手参加区数控车工职业技能竞赛。"),
        ("湖北黄龙茶业有限公司2021年春茶手工制作技能比武", L.ENTERPRISE, K.SKILLS, [TEA_CO],
         (3, 23), (3, 24), "春茶手工炒制技能比武。"),
    ],
}

# The city's double-innovation competition: (shortlisted or awarded, rejected) of the year.
INNOVATION = "十堰市“双创”大赛"
INNOVATION_DATES = {2022: (datetime.date(2022, 5, 10), datetime.date(2022, 11, 30)),
                    2021: (datetime.date(2021, 5, 12), datetime.date(2021, 11, 26))}
INNOVATION_COUNTS = {2022: (20, 5), 2021: (12, 3)}
INNOVATION_AWARDS = ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖", "优秀奖"]
PROJECTS = [
    (ASSEMBLY, "驾驶室翻转工装快速定位装置"), (ASSEMBLY, "整车下线电检数据自动采集系统"),
    (ASSEMBLY, "底盘合装AGV柔性导引改进"), (ASSEMBLY, "关键螺栓拧紧扭矩防错追溯系统"),
    (ASSEMBLY, "轮胎螺母多轴拧紧机改进"), (ASSEMBLY, "装配线物料配送电子看板"),
    (BODY, "焊装线机器人点焊参数自适应优化"), (BODY, "白车身焊点质量超声波在线检测"),
    (BODY, "顶盖激光钎焊夹具改进"), (BODY, "涂装前处理槽液在线监测"),
    (FRAME, "纵梁冲压件自动上下料机械手"), (FRAME, "车架铆接质量视觉检测装置"), (FRAME, "车架总成自动喷涂改造"),
    (WHEEL, "轮辋焊缝自动打磨工作站"),
    (ENGINE, "缸盖螺栓拧紧曲线智能判定"), (ENGINE, "发动机冷试台架故障诊断模型"),
    (ENGINE, "曲轴磨削砂轮修整周期优化"), (ENGINE, "缸体清洗机节水改造"),
    (FOUNDRY, "铸造废砂再生利用工艺改进"), (FOUNDRY, "浇注机器人铁水温度闭环控制"),
    (FORGE, "锻造模具堆焊修复延寿工艺"), (SHAFT, "传动轴动平衡自动校正装置"),
    (EQUIP, "老旧数控机床数控系统国产化改造"), (POWER, "空压站群控节能系统"),
    (TEA_CO, "武当道茶名优绿茶连续化加工线改进"), (TEA_CO, "手工制茶杀青温度数字化控制"),
    (HUAXIN, "冲压模具快速换模系统"), (HUAXIN, "焊接烟尘集中收集净化装置"), (HUAXIN, "零件包装防错扫码系统"),
    (JINYUE, "数控车床刀具磨损在线监测"), (JINYUE, "薄壁套类零件车削防变形夹具"),
    (CHECHENG, "工业机器人离线编程与虚拟调试平台"), (CHECHENG, "协作机器人视觉引导柔性装配单元"),
    (CHECHENG, "AGV与机械臂复合搬运机器人"), (CHECHENG, "机器人焊接焊缝激光跟踪系统"),
    (ELEC_CO, "配电柜二次接线标准化工装"), (ELEC_CO, "光伏并网柜智能巡检终端"),
    (COLLEGE, "新能源汽车高压系统实训教学平台"), (TECH_SCHOOL, "焊接虚拟仿真实训系统"),
    (CENTRE, "电工实训考核智能评分系统"),
]
EFFECTS = ["投用后工序效率提升约{n}%", "年节约成本约{n}万元", "产品一次交检合格率提升{n}个百分点",
           "设备故障停机时间减少约{n}%", "已申请实用新型专利{k}项"]

# (leading competition name, organization, funding in yuan): 优秀组织奖.
ORGANIZER_AWARDS = [
    ("2022年张湾区汽车装调工职业技能竞赛", ASSEMBLY, "30000.00"),
    ("2022年张湾区焊工职业技能竞赛", BODY, "20000.00"),
    ("2022年张湾区“黄龙杯”手工制茶技能大赛", TEA_CO, "20000.00"),
    ("2022年张湾区工业机器人系统操作员职业技能竞赛", CHECHENG, "20000.00"),
    ("2022年张湾区数控车工职业技能竞赛", JINYUE, "10000.00"),
    ("2021年张湾区汽车装调工职业技能竞赛", ASSEMBLY, "20000.00"),
    ("2021年张湾区焊工职业技能竞赛", BODY, "10000.00"),
    ("2021年张湾区手工制茶技能大赛", TEA_CO, "10000.00"),
]

# The competition open for entries now.
OPEN_NAME = "2027年张湾区职工职业技能大赛"
OPEN_YEAR = 2027
OPEN_DATES = (datetime.date(2027, 3, 16), datetime.date(2027, 3, 18))
OPEN_WINDOW = (datetime.datetime(2026, 11, 1, 9, 0, tzinfo=TZ), datetime.datetime(2026, 12, 31, 17, 0, tzinfo=TZ))
OPEN_ENTERED_UNTIL = datetime.datetime(2026, 11, 24, 18, 0, tzinfo=TZ)
OPEN_WELDERS = [(ASSEMBLY, 3), (BODY, 2), (HUAXIN, 1), (JINYUE, 1), (CHECHENG, 1)]
OPEN_TEAMS = [(ASSEMBLY, "总装配厂一队"), (ASSEMBLY, "总装配厂二队"), (HUAXIN, "华鑫零部件队"),
              (FRAME, "车架厂队")]


# Helpers -------------------------------------------------------------------------------------

@dataclass
class WorkerRow:
    pk: int
    id_number: str
    employer: int | None
    employed_since: datetime.date | None
    trades: dict            # trade code → year started


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def insert(model, objs, history=True, user=None):
    """Bulk insert (PostgreSQL sets the primary keys on objs), with history records if asked."""
    if objs:
        if history:
            bulk_insert_with_history(model, objs, user=user, reason=REASON, batch_size=BATCH)
        else:
            model.objects.bulk_create(objs, batch_size=BATCH)
    return objs


def load_workers() -> list[WorkerRow]:
    trades = {}
    for worker_id, code, since in WorkerTrade.objects.values_list("worker_id", "trade__code", "started_year"):
        trades.setdefault(worker_id, {})[code] = since
    employed = {}
    for worker_id, started in Employment.objects.order_by("started_on").values_list("worker_id", "started_on"):
        employed.setdefault(worker_id, started)
    return [WorkerRow(pk, id_number, employer, employed.get(pk), trades.get(pk, {}))
            for pk, id_number, employer in Worker.objects.order_by("id_number")
            .values_list("pk", "id_number", "employer_id")]


def eligible(w: WorkerRow, trade: str, day: datetime.date) -> bool:
    return (w.employer is not None and trade in w.trades and w.trades[trade] <= day.year
            and (w.employed_since is None or w.employed_since < day))


def pick(rng, workers, trade, day, count, taken, orgs, preferred=None):
    """count workers of the trade, employed by then, not taken; those of the preferred organizations
    first. Marks them taken."""
    preferred_ids = {orgs[name].pk for name in (preferred or PREFERRED[trade]) if name in orgs}
    pool = [w for w in workers if w.pk not in taken and eligible(w, trade, day)]
    first = [w for w in pool if w.employer in preferred_ids]
    chosen = rng.sample(first, min(count, len(first)))
    if len(chosen) < count:
        rest = [w for w in pool if w.employer not in preferred_ids]
        chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    taken.update(w.pk for w in chosen)
    return chosen


def tier_list(counts) -> list[str]:
    return [tier for tier, n in zip(TIERS, counts, strict=True) for _ in range(n)]


def clamp(value: float, low: float, high: float) -> Decimal:
    return Decimal(str(round(min(high, max(low, value)), 1)))


def new_competition(name, year, level, kind, starts, ends, *, leading=False, external=False, published=True,
                    description="", window=None):
    opens, closes = window or (None, None)
    if window is None and not external:
        opens, closes = at(starts - datetime.timedelta(days=40), 9), at(starts - datetime.timedelta(days=10), 17)
    competition = Competition(name=name, year=year, level=level, kind=kind, leading=leading, starts_on=starts,
                              ends_on=ends, registration_opens=opens, registration_closes=closes,
                              external=external, results_published=published, description=description)
    stamp(competition, when=(opens or at(starts, 9)) - datetime.timedelta(days=7))
    return competition


def add_organizers(pairs):
    """pairs: (competition, [organization]) → the many-to-many rows."""
    through = Competition.organizers.through
    through.objects.bulk_create([through(competition_id=c.pk, organization_id=o.pk) for c, orgs in pairs for o in orgs],
                                batch_size=BATCH, ignore_conflicts=True)


def add_parts_and_rules(event, rng, spec_title, tiers, teaching=False, team=False):
    theory, practical = ("教学设计与说课", "课堂教学展示") if teaching else \
        ("理论知识", "团队实际操作" if team else "实际操作")
    parts = [ScoringPart(event=event, code="theory", name=theory, weight=Decimal("30"), max_mark=Decimal("100"),
                         order=1),
             ScoringPart(event=event, code="practical", name=practical, weight=Decimal("70"),
                         max_mark=Decimal("100"), order=2)]
    rules = []
    for tier, quota in zip(TIERS, tiers, strict=True):
        if not quota:
            continue
        title, upgrade = "", Upgrade.NONE
        if tier == Tier.FIRST:
            title, upgrade = spec_title, Upgrade.CERTIFY_UP
        elif tier == Tier.SECOND:
            upgrade = Upgrade.APPLY_UP
        if teaching:
            upgrade = Upgrade.NONE  # teachers hold no skill level to raise
        rules.append(AwardRule(event=event, tier=tier, quota=Decimal(quota), title=title, upgrade=upgrade,
                               advances=tier in (Tier.FIRST, Tier.SECOND)))
    return parts, rules


# The parts -----------------------------------------------------------------------------------

def load_judges(out):
    group = Group.objects.get(name=Role.JUDGE)
    existing = set(User.objects.filter(username__startswith="judge").values_list("username", flat=True))
    password = make_password(DEMO_PASSWORD)  # hashed once: the demo judges share it
    new = [User(username=f"judge{n:02d}", full_name=f"裁判 {name}", password=password)
           for n, name in enumerate(JUDGES, start=1) if f"judge{n:02d}" not in existing]
    User.objects.bulk_create(new)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in new],
                                            ignore_conflicts=True)
    judges = list(User.objects.filter(username__in=[f"judge{n:02d}" for n in range(1, len(JUDGES) + 1)])
                  .order_by("username"))
    demo = User.objects.filter(username=DEMO_JUDGE).first()
    if new:
        out(f"  {len(new)} judges (judge01…judge{len(JUDGES):02d}, password {DEMO_PASSWORD})")
    return judges, demo


def plan_leading(year, workers, orgs, exclude):
    """Entrants of each leading competition of the year, distinct across them: (spec, individual
    entrants, [(organization name, team name, members)])."""
    taken = set(exclude)
    plans = []
    for spec in LEADING[year]:
        rng = random.Random(f"{SEED}/{spec.name}")
        chosen = pick(rng, workers, spec.trade, spec.starts, spec.entrants, taken, orgs)
        teams = [(org, name, pick(rng, workers, spec.trade, spec.starts, spec.team.size, taken, orgs, preferred=[org]))
                 for org, name in (spec.team.teams if spec.team else [])]
        plans.append((spec, chosen, teams))
    return plans, taken


def build_leading(plans, existing, trades, orgs, judges, demo_judge, officer):
    """Insert the missing leading competitions, judged: entries (a team event's with their members),
    submitted score sheets and marks."""
    todo = [plan for plan in plans if (plan[0].name, plan[0].starts.year) not in existing]
    if not todo:
        return []
    competitions, events = [], []
    for spec, _chosen, _teams in todo:
        ends = spec.starts + datetime.timedelta(days=spec.days - 1)
        places = "、".join(f"{label}{n}名" for label, n in zip(("一等奖", "二等奖", "三等奖", "优秀奖"), spec.tiers,
                                                                 strict=True) if n)
        teams = (f"另设{spec.team.event}，每队{spec.team.size}人，{len(spec.team.teams)}支代表队参赛。"
                 if spec.team else "")
        description = (f"{'、'.join(spec.organizers)}主办，全区引领性职业技能竞赛之一。理论知识占30%，"
                       f"实际操作占70%。设{places}；一等奖选手授予“{spec.title}”称号，一、二等奖选手推荐参加"
                       f"{'十堰市第三届' if spec.starts.year == 2022 else '十堰市第二届'}职业技能大赛。{teams}")
        competitions.append(new_competition(spec.name, spec.starts.year, L.DISTRICT, K.SKILLS, spec.starts, ends,
                                            leading=True, description=description))
    insert(Competition, competitions, user=officer)
    add_organizers([(c, [orgs[n] for n in plan[0].organizers]) for c, plan in zip(competitions, todo, strict=True)])
    # (competition, event, spec-like places, [(entry organization, [workers], team name)]) per event
    judged = []
    for competition, (spec, chosen, teams) in zip(competitions, todo, strict=True):
        event = Event(competition=competition, name=spec.event, trade=trades[spec.trade],
                      aggregation=Event.Aggregation.TRIMMED, award_basis=Event.AwardBasis.COUNT,
                      tie_breaks=["practical", "time"])
        judged.append((competition, spec, event, [(w.employer, [w], "") for w in chosen]))
        if spec.team:
            team_event = Event(competition=competition, name=spec.team.event, trade=trades[spec.trade], team=True,
                               max_team_size=spec.team.size, aggregation=Event.Aggregation.TRIMMED,
                               award_basis=Event.AwardBasis.COUNT, tie_breaks=["practical", "time"])
            judged.append((competition, spec, team_event,
                           [(orgs[org].pk, members, name) for org, name, members in teams]))
    for competition, _spec, event, _groups in judged:
        stamp(event, when=stamped_date(competition))
        events.append(event)
    insert(Event, events, user=officer)

    parts, rules, assignments, entries, members, plans_by_event = [], [], [], [], [], []
    panels = {}
    for competition, spec, event, groups in judged:
        rng = random.Random(f"{SEED}/{spec.name}/judging" + (f"/{event.name}" if event.team else ""))
        event_parts, event_rules = add_parts_and_rules(
            event, rng, spec.title, spec.team.tiers if event.team else spec.tiers,
            teaching=spec.trade == TEACHER, team=event.team)
        for rule in event_rules if event.team else ():  # a team's place earns no title, level or advancement
            rule.title, rule.upgrade, rule.advances = "", Upgrade.NONE, False
        parts += event_parts
        rules += event_rules
        if competition.pk not in panels:  # one panel judges every event of the competition
            panel = rng.sample(judges, spec.judges - (1 if spec.demo_judge and demo_judge else 0))
            if spec.demo_judge and demo_judge:
                panel.append(demo_judge)
            panels[competition.pk] = panel
        panel = panels[competition.pk]
        for n, judge in enumerate(panel):
            assignments.append(JudgeAssignment(event=event, judge=judge, chief=n == 0))
        # Entries: registered during the window, bibs drawn by lot.
        span = competition.registration_closes - competition.registration_opens
        times = sorted(competition.registration_opens + span * rng.random() for _ in groups)
        bibs = list(range(1, len(groups) + 1))
        rng.shuffle(bibs)
        seconds = rng.sample(range(100 * 60, 180 * 60), len(groups))  # practical time used, all different
        event_entries = []
        for (organization, people, team_name), when, bib, used in zip(groups, times, bibs, seconds, strict=True):
            entry = Entry(event=event, worker_id=None if event.team else people[0].pk, team_name=team_name,
                          organization_id=organization, bib=bib, time_used=datetime.timedelta(seconds=used),
                          created_by=officer, created_at=when)
            stamp(entry, when=when)
            event_entries.append(entry)
            if event.team:
                members.append((entry, people))
        entries += event_entries
        plans_by_event.append((competition, event, event_parts, panel, event_entries, rng))
    for objs, model in ((parts, ScoringPart), (rules, AwardRule), (assignments, JudgeAssignment)):
        for obj in objs:
            stamp(obj, when=stamped_date(competitions[0]))
        insert(model, objs, history=model is not ScoringPart, user=officer)
    insert(Entry, entries, user=officer)
    through = Entry.members.through
    through.objects.bulk_create([through(entry_id=entry.pk, worker_id=w.pk) for entry, people in members
                                 for w in people], batch_size=BATCH)

    sheets, marks = [], []
    for competition, _event, event_parts, panel, event_entries, rng in plans_by_event:
        bias = {judge.pk: (rng.uniform(-1.5, 1.5), rng.uniform(-2.5, 2.5)) for judge in panel}
        for entry in event_entries:
            skill = rng.gauss(0, 1)
            theory = 74 + 8 * skill + rng.gauss(0, 5)
            practical = 71 + 10 * skill + rng.gauss(0, 4)
            for judge in panel:
                submitted = at(competition.ends_on, 17, rng.randint(0, 50))
                sheet = ScoreSheet(entry=entry, judge=judge, submitted_at=submitted)
                stamp(sheet, user=judge, when=submitted)
                sheets.append(sheet)
                b_theory, b_practical = bias[judge.pk]
                values = (clamp(theory + b_theory + rng.gauss(0, 1.2), 20, 99.5),
                          clamp(practical + b_practical + rng.gauss(0, 2.5), 20, 99.5))
                for part, value in zip(event_parts, values, strict=True):
                    mark = Mark(sheet=sheet, part=part, value=value, max_mark=part.max_mark)
                    stamp(mark, user=judge, when=submitted)
                    marks.append(mark)
    insert(ScoreSheet, sheets)
    for mark in marks:
        mark.sheet_id = mark.sheet.pk
    insert(Mark, marks)
    for competition, event, *_rest in plans_by_event:
        # Results are computed before publication (published results no longer change).
        Competition.objects.filter(pk=competition.pk).update(results_published=False)
        services.results_compute(event_id=event.pk)
        Competition.objects.filter(pk=competition.pk).update(results_published=True)
        Result.objects.filter(entry__event=event).update(computed_at=at(competition.ends_on, 20))
    return competitions


def advancing_entries(competition_names, year, trade):
    """Entries of the year's named competitions in the trade whose result tier advances, best first."""
    return list(Entry.objects.filter(event__competition__name__in=competition_names, event__competition__year=year,
                                     event__trade__code=trade, result__tier__in=Tier.values,
                                     event__award_rules__advances=True,
                                     event__award_rules__tier=F("result__tier"),
                                     advanced_entry__isnull=True)
                .select_related("result").order_by("result__rank", "pk"))


def recorded_entries(competition_name, year, trade):
    """Entries of an external competition in the trade that won a place there, best first."""
    return list(Entry.objects.filter(event__competition__name=competition_name, event__competition__year=year,
                                     event__trade__code=trade, result__tier__in=Tier.values,
                                     advanced_entry__isnull=True)
                .select_related("result").order_by("result__rank", "pk"))


def build_external(year, spec: External, source, workers, orgs, trades, taken, officer, existing):
    """An external competition with the district's entries and their recorded results.
    source(trade, count) gives the entries advancing to the event; taken holds workers already used."""
    rng = random.Random(f"{SEED}/{spec.name}/{year}")
    ends = spec.starts + datetime.timedelta(days=spec.days - 1)
    # Workers are drawn whether or not the competition exists, so the draws stay the same.
    direct = {e.trade: pick(rng, workers, e.trade, spec.starts, e.direct, taken, orgs) for e in spec.events}
    if (spec.name, year) in existing:
        return None
    competition = new_competition(spec.name, year, spec.level, K.SKILLS, spec.starts, ends, external=True,
                                  description=spec.description)
    insert(Competition, [competition], user=officer)
    events = []
    for e in spec.events:
        event = Event(competition=competition, name=e.name, trade=trades[e.trade])
        stamp(event, when=stamped_date(competition))
        events.append(event)
    insert(Event, events, user=officer)
    entries, results = [], []
    recorded_at = at(ends + datetime.timedelta(days=14), 10)
    for event, e in zip(events, spec.events, strict=True):
        advanced = source(e.trade, getattr(e, "advanced", None))
        tiers = tier_list(e.tiers)
        from_source = len(tiers) - e.direct_tiered
        tiered = advanced[:from_source] + [(None, w) for w in direct[e.trade][:e.direct_tiered]]
        rest = advanced[from_source:] + [(None, w) for w in direct[e.trade][e.direct_tiered:]]
        rng.shuffle(tiered)
        rng.shuffle(rest)
        order = tiered + rest
        ranks = sorted(rng.sample(range(1, e.field + 1), len(order)))
        scores = sorted((Decimal(96 - 34 * (rank - 1) / e.field + rng.uniform(-0.3, 0.3)).quantize(services.PLACES)
                         for rank in ranks), reverse=True)  # the better the rank, the higher the score
        if len(tiers) > len(tiered):  # fewer advanced than planned: fewer places
            tiers = tiers[:len(tiered)]
        for bib, ((source_entry, worker), rank, score) in enumerate(zip(order, ranks, scores, strict=True), start=1):
            when = at(spec.starts - datetime.timedelta(days=rng.randint(12, 25)), 10)
            entry = Entry(event=event, worker_id=worker.pk, organization_id=worker.employer, bib=bib,
                          source_entry=source_entry, created_by=officer, created_at=when)
            stamp(entry, when=when)
            entries.append(entry)
            tier = tiers[bib - 1] if bib <= len(tiers) else ""
            title, upgrade = EXTERNAL_AWARDS.get((spec.level, tier), ("", Upgrade.NONE))
            if e.trade == TEACHER:
                title, upgrade = "", Upgrade.NONE
            result = Result(entry=entry, final_score=score, rank=rank, tier=tier, title=title, upgrade=upgrade,
                            computed_at=recorded_at, recorded=True)
            stamp(result, when=recorded_at)
            results.append(result)
    insert(Entry, entries, user=officer)
    for result in results:
        result.entry_id = result.entry.pk
    insert(Result, results, user=officer)
    return competition


class Source:
    """Entries advancing to an external competition's events: (source entry, worker row)."""

    def __init__(self, by_pk, fetch):
        self.by_pk, self.fetch = by_pk, fetch

    def __call__(self, trade, count):
        entries = self.fetch(trade)
        if count is not None:
            entries = entries[:count]
        return [(entry, self.by_pk[entry.worker_id]) for entry in entries if entry.worker_id in self.by_pk]


def build_innovation(year, workers, orgs, officer, existing, taken):
    starts, ends = INNOVATION_DATES[year]
    rng = random.Random(f"{SEED}/{INNOVATION}/{year}")
    shortlisted, rejected = INNOVATION_COUNTS[year]
    projects = list(PROJECTS)
    random.Random(f"{SEED}/projects").shuffle(projects)  # the same order every year: each year takes its own
    offset = 0 if year == 2022 else INNOVATION_COUNTS[2022][0] + INNOVATION_COUNTS[2022][1]
    chosen = projects[offset:offset + shortlisted + rejected]
    staff = {}
    for w in workers:
        if w.employer and w.pk not in taken and (w.employed_since is None or w.employed_since < starts):
            staff.setdefault(w.employer, []).append(w)
    teams = [rng.sample(staff[orgs[org].pk], rng.randint(2, 5)) for org, _title in chosen]
    if (INNOVATION, year) in existing:
        return None, 0
    competition = new_competition(
        INNOVATION, year, L.CITY, K.INNOVATION, starts, ends, external=True,
        description="十堰市总工会主办的职工创新创效大赛。张湾区总工会从全区“五小”创新成果中择优推荐项目参赛，"
                    "入围及获奖情况据市总工会公布结果录入。")
    insert(Competition, [competition], user=officer)
    add_organizers([(competition, [orgs[UNION]])])
    awards = INNOVATION_AWARDS[:7 if year == 2022 else 4]
    projects = []
    statuses = ([InnovationProject.Status.AWARDED] * len(awards)
                + [InnovationProject.Status.SHORTLISTED] * (shortlisted - len(awards))
                + [InnovationProject.Status.REJECTED] * rejected)
    for n, ((org, title), status) in enumerate(zip(chosen, statuses, strict=True)):
        effect = rng.choice(EFFECTS).format(n=rng.randint(5, 40), k=rng.randint(1, 3))
        created = at(starts + datetime.timedelta(days=rng.randint(5, 40)), rng.randint(8, 17), rng.randint(0, 59))
        project = InnovationProject(
            title=title, competition=competition, organization=orgs[org], status=status,
            award=awards[n] if status == InnovationProject.Status.AWARDED else "", created_at=created,
            summary=f"{org}职工创新团队针对生产现场难题开展攻关，完成“{title}”项目，{effect}。")
        stamp(project, when=created)
        projects.append(project)
    insert(InnovationProject, projects, user=officer)
    through = InnovationProject.team.through
    through.objects.bulk_create([through(innovationproject_id=p.pk, worker_id=w.pk)
                                 for p, team in zip(projects, teams, strict=True) for w in team])
    return competition, len(projects)


def build_others(year, existing, orgs, officer):
    todo = [spec for spec in OTHERS[year] if (spec[0], year) not in existing]
    competitions = []
    for name, level, kind, _organizers, starts, ends, description in todo:
        competitions.append(new_competition(name, year, level, kind, datetime.date(year, *starts),
                                            datetime.date(year, *ends), description=description, window=(None, None)))
    insert(Competition, competitions, user=officer)
    add_organizers([(c, [orgs[n] for n in spec[3]]) for c, spec in zip(competitions, todo, strict=True)])
    return len(competitions)


def build_organizer_awards(orgs, officer):
    names = {name for name, _org, _funding in ORGANIZER_AWARDS}
    competitions = {(c.name, c.year): c for c in Competition.objects.filter(name__in=names)}
    existing = set(OrganizerAward.objects.values_list("competition_id", "organization_id", "title"))
    new = []
    for name, org, funding in ORGANIZER_AWARDS:
        competition = competitions.get((name, int(name[:4])))
        if competition and (competition.pk, orgs[org].pk, "优秀组织奖") not in existing:
            award = OrganizerAward(competition=competition, organization=orgs[org], title="优秀组织奖",
                                   funding=Decimal(funding))
            stamp(award, when=at(competition.ends_on + datetime.timedelta(days=30), 10))
            new.append(award)
    insert(OrganizerAward, new, user=officer)
    return len(new)


def build_open(workers, orgs, trades, judges, demo_judge, officer, liaison, exclude, existing):
    if (OPEN_NAME, OPEN_YEAR) in existing:
        return None
    rng = random.Random(f"{SEED}/{OPEN_NAME}")
    starts, ends = OPEN_DATES
    competition = new_competition(
        OPEN_NAME, OPEN_YEAR, L.DISTRICT, K.SKILLS, starts, ends, leading=True, published=False,
        window=OPEN_WINDOW,
        description="张湾区总工会主办。设焊工个人赛（职工可自行报名）和汽车装调工团体赛（每队不超过3人），"
                    "理论知识占30%，实际操作占70%。一等奖选手授予“张湾区技术能手”称号，一、二等奖选手推荐参加"
                    "十堰市职业技能大赛。报名截止2026年12月31日。")
    insert(Competition, [competition], user=officer)
    add_organizers([(competition, [orgs[UNION], orgs[ASSEMBLY]])])
    welding = Event(competition=competition, name="焊工（个人赛）", trade=trades[WELD], self_entry=True,
                    tie_breaks=["practical", "time"])
    team = Event(competition=competition, name="汽车装调工（团体赛）", trade=trades[AUTO], team=True,
                 max_team_size=3, tie_breaks=["practical", "time"])
    events = [welding, team]
    for event in events:
        stamp(event, when=stamped_date(competition))
    insert(Event, events, user=officer)
    parts, rules, assignments = [], [], []
    for event, tiers in ((welding, (1, 2, 3, 4)), (team, (1, 1, 1, 0))):
        event_parts, event_rules = add_parts_and_rules(event, rng, "张湾区技术能手", tiers, team=event.team)
        parts += event_parts
        rules += event_rules
        panel = [*rng.sample(judges, 5), *([demo_judge] if demo_judge else [])]
        assignments += [JudgeAssignment(event=event, judge=j, chief=n == 0) for n, j in enumerate(panel)]
    insert(ScoringPart, parts, history=False)
    insert(AwardRule, rules, user=officer)
    insert(JudgeAssignment, assignments, user=officer)

    taken = set(exclude)
    entries, members = [], []
    span = OPEN_ENTERED_UNTIL - OPEN_WINDOW[0]
    for org, count in OPEN_WELDERS:
        for worker in pick(rng, workers, WELD, OPEN_WINDOW[0].date(), count, taken, orgs, preferred=[org]):
            entries.append((Entry(event=welding, worker_id=worker.pk, organization_id=worker.employer), org, []))
    for org, name in OPEN_TEAMS:
        team_members = pick(rng, workers, AUTO, OPEN_WINDOW[0].date(), 3, taken, orgs, preferred=[org])
        entries.append((Entry(event=team, team_name=name, organization=orgs[org]), org, team_members))
    times = sorted(OPEN_WINDOW[0] + span * rng.random() for _ in entries)
    rng.shuffle(times)
    bibs = {welding.pk: 0, team.pk: 0}
    rows = []
    for (entry, org, team_members), when in sorted(zip(entries, times, strict=True), key=lambda x: x[1]):
        bibs[entry.event_id] += 1
        entry.bib, entry.created_at = bibs[entry.event_id], when
        entry.created_by = liaison if org == ASSEMBLY and liaison else officer
        stamp(entry, user=entry.created_by, when=when)
        rows.append(entry)
        members.append((entry, team_members))
    insert(Entry, rows)
    through = Entry.members.through
    through.objects.bulk_create([through(entry_id=entry.pk, worker_id=w.pk) for entry, ms in members for w in ms])
    return competition


def figures(year):
    """The report's figures of a year, from the database."""
    competitions = Competition.objects.filter(year=year)
    held = competitions.filter(external=False)
    results = Result.objects.filter(entry__event__competition__year=year)
    return {
        "competitions": held.count(),
        "leading": held.filter(leading=True).count(),
        "participants": Entry.objects.filter(event__competition__in=held.filter(leading=True)).people().count(),
        "external": Entry.objects.filter(event__competition__year=year, event__competition__external=True,
                                         event__competition__level__in=[L.CITY, L.PROVINCIAL]).people().count(),
        "winners": Entry.objects.filter(pk__in=results.filter(
            entry__event__competition__level__in=[L.DISTRICT, L.CITY, L.PROVINCIAL]).exclude(tier="").values("entry"))
        .people().count(),
        "projects": InnovationProject.objects.filter(
            competition__year=year, status__in=[InnovationProject.Status.SHORTLISTED,
                                                InnovationProject.Status.AWARDED]).count(),
    }


def load(out):
    started = time.monotonic()
    orgs = Organization.objects.in_bulk(field_name="name")
    trades = Trade.objects.in_bulk(field_name="code")
    needed = {UNION, ASSEMBLY, TEA_CO, *SCHOOLS, *DONGFENG_ALL, HUAXIN, JINYUE, CHECHENG, ELEC_CO, ASSOCIATION}
    if needed - set(orgs) or {AUTO, WELD, CNC, MACHINE, ROBOT, ELEC, TEA, TEACHER} - set(trades):
        out("  skipped: load the registry demo data and the seed trades first")
        return
    judges, demo_judge = load_judges(out)
    officer = User.objects.filter(username="competitions").first()
    liaison = User.objects.filter(username="liaison").first()
    workers = load_workers()
    by_pk = {w.pk: w for w in workers}
    demo_worker = Worker.objects.filter(employer=orgs[ASSEMBLY]).order_by("pk").values_list("pk", flat=True).first()
    existing = set(Competition.objects.values_list("name", "year"))

    new = 0
    for year in (2021, 2022):
        new += build_others(year, existing, orgs, officer)
        plans, taken = plan_leading(year, workers, orgs, {demo_worker})
        leading = build_leading(plans, existing, trades, orgs, judges, demo_judge, officer)
        new += len(leading)
        names = [spec.name for spec in LEADING[year]]
        city, province = EXTERNAL[year]
        for spec, fetch in (
                (city, lambda trade, names=names, year=year: advancing_entries(names, year, trade)),
                (province, lambda trade, year=year, city=city: recorded_entries(city.name, year, trade))):
            competition = build_external(year, spec, Source(by_pk, fetch), workers, orgs, trades, taken, officer,
                                         existing)
            new += competition is not None
        Competition.objects.filter(name__in=names, year=year, advances_to__isnull=True).update(
            advances_to=Competition.objects.filter(name=city.name, year=year).values("pk")[:1])
        Competition.objects.filter(name=city.name, year=year, advances_to__isnull=True).update(
            advances_to=Competition.objects.filter(name=province.name, year=year).values("pk")[:1])
        competition, _projects = build_innovation(year, workers, orgs, officer, existing, {demo_worker})
        new += competition is not None
    awards = build_organizer_awards(orgs, officer)
    new += build_open(workers, orgs, trades, judges, demo_judge, officer, liaison, {demo_worker}, existing) is not None

    for year in (2021, 2022):
        f = figures(year)
        out(f"  {year}: {f['competitions']} competitions held in the district ({f['leading']} leading, "
            f"{f['participants']} participants), {f['external']} workers at city and provincial level, "
            f"{f['winners']} award winners, {f['projects']} innovation projects shortlisted or awarded")
    out(f"  {Competition.objects.count()} competitions ({new} new), {Entry.objects.count()} entries, "
        f"{Mark.objects.count()} marks, {Result.objects.count()} results, {awards} new organizer awards "
        f"in {time.monotonic() - started:.1f} s")
