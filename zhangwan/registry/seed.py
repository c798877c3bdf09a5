"""The seed report's trades with their codes in the national occupational classification.

Officers can edit and add trades in the admin; this only makes sure the seed's ones exist (after
every migrate, and after a test database is flushed).
"""

TRADES = [
    ("6-22-02-01", "汽车装调工", "Automobile assembly and adjustment worker"),
    ("6-18-02-04", "焊工", "Welder"),
    ("6-18-01-01", "车工（数控车工）", "Lathe operator (CNC lathe)"),
    ("6-20-03-01", "机床装调维修工", "Machine tool assembly, debugging and maintenance worker"),
    ("6-30-99-00", "工业机器人系统操作员", "Industrial robot system operator"),
    ("6-31-01-03", "电工", "Electrician (electrical installation and commissioning)"),
    ("2-02-28-03", "安全生产管理员", "Work safety officer"),
    ("6-02-06-01", "茶叶加工工（手工制茶）", "Tea processing worker (handmade tea)"),
    ("2-08-02-00", "中等职业教育教师", "Vocational school teacher"),
]


def ensure_trades(trade_model):
    for code, name_zh, name_en in TRADES:
        trade_model.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})
