"""Demo registry: the district's organizations and 30,000 workers, as in the 2022 report.

Deterministic (a fixed random seed) and idempotent: rows are matched by credit code and
identity number, and only the missing ones are inserted, in bulk.
"""

import datetime
import hashlib
import random

from django.utils import timezone

from zhangwan.history import record_history
from zhangwan.registry.models import Employment, Organization, Trade, Worker, WorkerTrade
from zhangwan.registry.validators import credit_code_check_char, id_number_check_char
from zhangwan.sql import copy_instances

WORKERS = 30_000
SEED = 2022

E, G, S, V, U = (Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT, Organization.Kind.SOCIAL,
                 Organization.Kind.SCHOOL, Organization.Kind.UNION)
DONGFENG = "东风汽车有限公司"
# (name, kind, parent, industry, street, share of the workers)
ORGANIZATIONS = [
    ("十堰市张湾区总工会", U, None, "群团组织", "车城路街道", 0),
    ("张湾区人力资源和社会保障局", G, None, "公共管理", "车城路街道", 0),
    ("张湾区经济和信息化局", G, None, "公共管理", "车城路街道", 0),
    ("张湾区教育局", G, None, "公共管理", "花果街道", 0),
    (DONGFENG, E, None, "汽车制造", "车城路街道", 4),
    ("东风商用车有限公司总装配厂", E, DONGFENG, "汽车制造", "红卫街道", 12),
    ("东风商用车有限公司车身厂", E, DONGFENG, "汽车制造", "红卫街道", 9),
    ("东风商用车有限公司车架厂", E, DONGFENG, "汽车制造", "花果街道", 7),
    ("东风商用车有限公司车轮厂", E, DONGFENG, "汽车制造", "花果街道", 6),
    ("东风商用车有限公司发动机厂", E, DONGFENG, "汽车制造", "工业新区", 8),
    ("东风汽车有限公司铸造一厂", E, DONGFENG, "汽车制造", "汉江路街道", 6),
    ("东风锻造有限公司", E, DONGFENG, "汽车制造", "汉江路街道", 5),
    ("东风汽车传动轴有限公司", E, DONGFENG, "汽车制造", "工业新区", 4),
    ("东风汽车有限公司设备制造厂", E, DONGFENG, "装备制造", "红卫街道", 5),
    ("东风汽车有限公司动力设备厂", E, DONGFENG, "能源动力", "汉江路街道", 4),
    ("湖北黄龙茶业有限公司", E, None, "茶叶加工", "黄龙镇", 3),
    ("十堰华鑫汽车零部件有限公司", E, None, "汽车零部件", "工业新区", 7),
    ("十堰金悦机械有限公司", E, None, "通用设备制造", "西城开发区", 5),
    ("湖北车城智能装备有限公司", E, None, "智能装备", "工业新区", 6),
    ("十堰张湾电气安装工程有限公司", E, None, "电气安装", "柏林镇", 4),
    ("张湾区汽车零部件行业协会", S, None, "行业协会", "车城路街道", 0),
    ("十堰职业技术学院", V, None, "职业教育", "北京北路", 2),
    ("张湾区职业技术培训中心", V, None, "职业培训", "花果街道", 1),
    ("东风技师学院", V, DONGFENG, "职业教育", "红卫街道", 1),
]
# Registration authority and type digits of the credit code, by kind (GB 32100).
CODE_PREFIX = {E: "91", G: "11", S: "51", V: "12", U: "81"}
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGIONS = ["420303"] * 6 + ["420302", "420304", "420322", "420323", "420324", "420325", "420381"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊帆帅旭宁龙林欢阳晨"
         "波峰海燕雪琳晶婷倩颖慧志国庆春明亮永新德福长松柏云山川江河东南西北金银铁铮锋锐")
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "177", "180", "181", "182", "186", "187", "188", "189", "199"]


def credit_code(rng: random.Random, kind: str) -> str:
    body = CODE_PREFIX[kind] + "420303" + "".join(rng.choice(CODE_CHARS) for _ in range(9))
    return body + credit_code_check_char(body)


def load_organizations(rng: random.Random) -> dict[str, Organization]:
    by_name = {o.name: o for o in Organization.objects.all()}
    for name, kind, parent, industry, street, _share in ORGANIZATIONS:
        code = credit_code(rng, kind)  # drawn for every row so the sequence stays the same
        if name not in by_name:
            by_name[name] = Organization.objects.create(
                name=name, kind=kind, credit_code=code, parent=by_name.get(parent),
                industry=industry, street=street, contact_name=rng.choice(SURNAMES) + "主席",
                contact_phone="0719-8" + "".join(rng.choice("0123456789") for _ in range(6)),
            )
    return by_name


def person(rng: random.Random, used_ids: set, used_mobiles: set) -> tuple[str, str, str]:
    while True:
        born = datetime.date(1966, 1, 1) + datetime.timedelta(days=rng.randrange(39 * 365))
        first17 = rng.choice(REGIONS) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
        id_number = first17 + id_number_check_char(first17)
        if id_number not in used_ids:
            used_ids.add(id_number)
            break
    while True:
        mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if mobile not in used_mobiles:
            used_mobiles.add(mobile)
            break
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return name, id_number, mobile


BANKS = ["中国工商银行十堰张湾支行", "中国农业银行十堰张湾支行", "中国建设银行十堰车城支行", "湖北农信张湾区联社"]


def digest(id_number: str, salt: str) -> int:
    """A number derived from the identity number: values added to the demo after the first
    version come from it rather than from the random stream, so no earlier value changed."""
    return int(hashlib.sha256(f"{salt}:{id_number}".encode()).hexdigest(), 16)


def bank_for(id_number: str) -> tuple[str, str]:
    """A made-up debit card for the worker; one worker in fifty has none yet."""
    digest_ = digest(id_number, "bank")
    if digest_ % 50 == 0:
        return "", ""
    return BANKS[digest_ % len(BANKS)], f"6217{digest_ % 10**15:015d}"


def load_workers(rng: random.Random, organizations: dict[str, Organization], out) -> int:
    employers = [organizations[name] for name, *_rest, share in ORGANIZATIONS for _ in range(share)]
    trades = list(Trade.objects.order_by("code"))
    educations = [c for c, _l in Worker.Education.choices]
    existing = set(Worker.objects.values_list("id_number", flat=True))
    used_ids, used_mobiles = set(), set()
    new, plans = [], {}
    for _ in range(WORKERS):
        name, id_number, mobile = person(rng, used_ids, used_mobiles)
        employer = rng.choice(employers)
        insured = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(17 * 365))
        worker = Worker(
            name=name, id_number=id_number, mobile=mobile, employer=employer,
            education=rng.choices(educations, weights=(2, 20, 40, 25, 11, 2))[0],
            insured_since=insured if rng.random() < 0.85 else None,
            # About one in five: the district's mountain townships have many registered labourers.
            poverty_registered=rng.random() < 0.08 or digest(id_number, "poverty") % 100 < 14,
        )
        worker.team_leader = rng.random() < 0.1
        worker.bank_name, worker.bank_account = bank_for(id_number)
        trade = rng.choice(trades) if rng.random() < 0.7 else None
        started = rng.randint(min(max(worker_birth_year(id_number) + 18, 1985), 2022), 2022)
        if id_number in existing:
            continue
        worker.fill_derived_fields()
        new.append(worker)
        plans[id_number] = (employer, trade, started)
    if not new:
        return 0
    out(f"  inserting {len(new)} workers")
    now = timezone.now()
    for worker in new:
        worker.created_at = worker.updated_at = now  # COPY sets no auto_now fields
    copy_instances(Worker, new)  # thirty thousand rows: COPY, and their history in one INSERT … SELECT
    record_history(Worker, [w.pk for w in new], reason="demo", history_type="+")
    ids = {w.id_number: w.pk for w in new}
    employments, worker_trades = [], []
    for id_number, (employer, trade, started) in plans.items():
        employments.append(Employment(worker_id=ids[id_number], organization=employer,
                                      started_on=datetime.date(started, 7, 1)))
        if trade:
            worker_trades.append(WorkerTrade(worker_id=ids[id_number], trade=trade, started_year=started))
    Employment.objects.bulk_create(employments, batch_size=5000)
    WorkerTrade.objects.bulk_create(worker_trades, batch_size=5000)
    return len(new)


def worker_birth_year(id_number: str) -> int:
    return int(id_number[6:10])


def load(out):
    # Separate streams, so that what already exists does not shift the draws of what follows.
    organizations = load_organizations(random.Random(SEED))
    out(f"  {len(organizations)} organizations")
    created = load_workers(random.Random(SEED + 1), organizations, out)
    out(f"  {Worker.objects.count()} workers ({created} new)")
