"""Default eligibility rules (the common national standard), created once when none exist.
Officers edit them, and add rules per occupation where its national standard differs."""

from zhangwan.registry.models import SkillLevel, Worker

DEFAULT_RULES = [
    (SkillLevel.JUNIOR, "在本职业工作满1年", {"min_trade_years": 1}),
    (SkillLevel.INTERMEDIATE, "取得五级证书后工作满2年",
     {"previous_level": SkillLevel.JUNIOR, "previous_held_years": 2}),
    (SkillLevel.INTERMEDIATE, "累计从事本职业工作满6年", {"min_trade_years": 6}),
    (SkillLevel.SENIOR, "取得四级证书后工作满4年", {"previous_level": SkillLevel.INTERMEDIATE,
                                             "previous_held_years": 4}),
    (SkillLevel.SENIOR, "大专以上学历，取得四级证书后工作满2年",
     {"previous_level": SkillLevel.INTERMEDIATE, "previous_held_years": 2, "min_education": Worker.Education.COLLEGE}),
    (SkillLevel.TECHNICIAN, "取得三级证书后工作满4年", {"previous_level": SkillLevel.SENIOR, "previous_held_years": 4}),
    (SkillLevel.SENIOR_TECHNICIAN, "取得二级证书后工作满4年",
     {"previous_level": SkillLevel.TECHNICIAN, "previous_held_years": 4}),
]


def ensure_rules(rule_model):
    if rule_model.objects.exists():
        return
    rule_model.objects.bulk_create([rule_model(level=level, name=name, **fields)
                                    for level, name, fields in DEFAULT_RULES])
