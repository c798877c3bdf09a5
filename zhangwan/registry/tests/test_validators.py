import pytest
from django.core.exceptions import ValidationError

from zhangwan.registry.validators import check_credit_code, check_id_number, check_mobile, mask_id_number

GOOD_CREDIT_CODES = ["91350100M000100Y43", "9144030071526726XG", "914403001922038216"]
GOOD_ID_NUMBERS = ["11010519491231002X", "420303199001011233"]


@pytest.mark.parametrize("code", GOOD_CREDIT_CODES)
def test_known_good_credit_codes_pass(code):
    assert check_credit_code(code) == code


def test_credit_code_lowercase_is_normalised():
    assert check_credit_code("9144030071526726xg") == "9144030071526726XG"


@pytest.mark.parametrize("code, problem", [
    ("91350100M000100Y44", "check"),          # wrong check character
    ("91350100M000100Y4", "length"),          # 17 characters
    ("91350100M000100Y433", "length"),        # 19 characters
    ("9135010OM000100Y43", "characters"),     # letter O in the region digits
    ("91350100M0001I0Y43", "characters"),     # I is not in the charset
    ("91350100 000100Y43", "characters"),     # a space
    ("９1350100M000100Y43", "characters"),    # a full-width digit
    ("", "length"),
])
def test_bad_credit_codes_fail(code, problem):
    with pytest.raises(ValidationError) as error:
        check_credit_code(code)
    assert error.value.code == problem


@pytest.mark.parametrize("number", GOOD_ID_NUMBERS)
def test_known_good_id_numbers_pass(number):
    assert check_id_number(number) == number


def test_id_number_lowercase_x_is_stored_upper_case():
    assert check_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("number, problem", [
    ("110105194912310021", "check"),          # wrong check digit
    ("110105194902300027", "date"),           # 30 February
    ("110105194913010020", "date"),           # month 13
    ("110105299901010020", "date"),           # born in the future
    ("11010519491231002", "length"),          # 17 characters
    ("11010519491231002XX", "length"),        # 19 characters
    ("1101051949123100X2", "characters"),     # X in the wrong place
    ("11010519491231 02X", "characters"),     # a space
    ("１1010519491231002X", "characters"),  # a full-width digit
    ("990105194912310021", "region"),         # no province 99
])
def test_bad_id_numbers_fail(number, problem):
    with pytest.raises(ValidationError) as error:
        check_id_number(number)
    assert error.value.code == problem


def test_id_number_birth_date_and_gender_are_derived(db):
    from zhangwan.registry.models import Worker
    from zhangwan.registry.tests.factories import OrganizationFactory

    worker = Worker.objects.create(name="张三", id_number="11010519491231002x", mobile="13912345678",
                                   employer=OrganizationFactory())
    worker.refresh_from_db()
    assert worker.id_number == "11010519491231002X"
    assert str(worker.birth_date) == "1949-12-31"
    assert worker.gender == "F"  # 17th digit 2 is even


@pytest.mark.parametrize("mobile", ["13912345678", "19912345678", "15000000000"])
def test_good_mobiles_pass(mobile):
    assert check_mobile(mobile) == mobile


@pytest.mark.parametrize("mobile", ["12912345678", "1391234567", "139123456789", "139 1234567", "１3912345678",
                                    "+8613912345678", ""])
def test_bad_mobiles_fail(mobile):
    with pytest.raises(ValidationError):
        check_mobile(mobile)


def test_masking_keeps_region_and_last_four():
    assert mask_id_number("420303199001011237") == "420303********1237"


def test_database_refuses_a_malformed_id_number(db):
    from django.db import IntegrityError

    from zhangwan.registry.models import Worker
    from zhangwan.registry.tests.factories import OrganizationFactory

    org = OrganizationFactory()
    with pytest.raises(IntegrityError):
        Worker.objects.bulk_create([Worker(name="x", id_number="12345", mobile="13912345678", employer=org,
                                           birth_date="1990-01-01", gender="M")])
