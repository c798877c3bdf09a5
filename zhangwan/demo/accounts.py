"""One demo login per role, printed by `manage.py demo_logins` and by `make run`."""

from django.contrib.auth.models import Group

from zhangwan.accounts.models import User
from zhangwan.accounts.roles import STAFF_ROLES, Role
from zhangwan.registry.models import Organization, Trade, Worker, WorkerTrade

DEMO_PASSWORD = "Zhangwan@2022"
LIAISON_ORGANIZATION = "东风商用车有限公司总装配厂"
# username → (role, full name)
DEMO_USERS = {
    "training": (Role.TRAINING_OFFICER, "培训干事 王芳"),
    "competitions": (Role.COMPETITIONS_OFFICER, "竞赛干事 李强"),
    "certification": (Role.CERTIFICATION_OFFICER, "鉴定干事 张敏"),
    "masters": (Role.MASTERS_OFFICER, "评选干事 刘洋"),
    "finance": (Role.FINANCE_OFFICER, "财务 陈静"),
    # A second finance officer: whoever makes a disbursement batch may not approve it.
    "finance2": (Role.FINANCE_OFFICER, "财务 孙丽"),
    "liaison": (Role.LIAISON, "总装配厂工会 杨军"),
    "worker": (Role.WORKER, ""),
    "reviewer": (Role.REVIEWER, "评审专家 黄教授"),
    "judge": (Role.JUDGE, "裁判 赵师傅"),
    "auditor": (Role.AUDITOR, "审计 周审"),
}


def load(out):
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    liaison_org = Organization.objects.get(name=LIAISON_ORGANIZATION)
    for username, (role, full_name) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, is_staff=role in STAFF_ROLES)
            user.set_password(DEMO_PASSWORD)
            if role == Role.LIAISON:
                user.organization = liaison_org
            user.save()
            user.groups.add(groups[role])
        if role == Role.WORKER and not hasattr(user, "worker"):
            worker = Worker.objects.filter(employer=liaison_org, user__isnull=True).order_by("id").first()
            worker.user = user
            worker.save(update_fields=["user"])
            # So the demo worker can enter the open welding event themself.
            WorkerTrade.objects.get_or_create(worker=worker, trade=Trade.objects.get(code="6-18-02-04"),
                                              defaults={"started_year": 2015})
            User.objects.filter(pk=user.pk).update(full_name=worker.name)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@zhangwan-union.local", DEMO_PASSWORD, full_name="系统管理员")
    out(f"  {len(DEMO_USERS) + 1} demo logins (password {DEMO_PASSWORD})")
