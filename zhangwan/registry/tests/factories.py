import datetime
import random

import factory

from zhangwan.registry.models import Organization, Trade, Worker
from zhangwan.registry.validators import credit_code_check_char, id_number_check_char

_rng = random.Random(7)


def make_credit_code(n: int) -> str:
    body = f"91420303{n:09d}"
    return body + credit_code_check_char(body)


def make_id_number(n: int, born=datetime.date(1990, 5, 17), region="420303") -> str:
    born = born + datetime.timedelta(days=n // 1000)
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


# The tests' two organizations: the liaison's own (fixture `organization`) and another one.
OWN_ORGANIZATION = "东风商用车有限公司总装配厂"
OTHER_ORGANIZATION = "十堰华鑫汽车零部件有限公司"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试企业{n}")
    credit_code = factory.Sequence(make_credit_code)
    kind = Organization.Kind.ENTERPRISE


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    name = factory.Sequence(lambda n: f"职工{n}")
    # Region 420302, so factory workers never collide with the 420303 rows of test workbooks.
    id_number = factory.Sequence(lambda n: make_id_number(n, region="420302"))
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    employer = factory.SubFactory(OrganizationFactory)


def trade(code="6-18-02-04") -> Trade:
    return Trade.objects.get(code=code)
