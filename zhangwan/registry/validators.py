"""Validators for Chinese identifiers: credit codes, identity numbers, mobile numbers.

Each ``check_*`` function returns the normalised value or raises ``ValidationError`` with a
message in the user's language. Only ASCII characters count: full-width digits and spaces are
errors, not something to guess at.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters, no I, O, Z, S, V.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# GB 11643-1999, ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
ID_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    code = (value or "").upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if not CREDIT_CODE_RE.match(code):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters other than I, O, Z, S and V, "
              "with digits in positions 3 to 8."),
            code="characters",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("The check character of this credit code is wrong."), code="check")
    return code


def id_number_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(value: str) -> datetime.date:
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_gender(value: str) -> str:
    """'M' or 'F': the 17th digit is odd for men."""
    return "M" if int(value[16]) % 2 else "F"


def check_id_number(value: str) -> str:
    number = (value or "").upper()
    if len(number) != 18:
        raise ValidationError(_("A resident identity number has 18 characters."), code="length")
    if not ID_RE.match(number):
        raise ValidationError(
            _("A resident identity number is 17 digits followed by a digit or X."), code="characters"
        )
    if number[:2] not in ID_PROVINCES:
        raise ValidationError(_("The region code of this identity number does not exist."), code="region")
    try:
        born = id_number_birth_date(number)
    except ValueError as error:
        raise ValidationError(_("The birth date in this identity number is not a real date."), code="date") from error
    if born.year < 1900 or born > datetime.date.today():
        raise ValidationError(_("The birth date in this identity number is not possible."), code="date")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of this identity number is wrong."), code="check")
    return number


def check_mobile(value: str) -> str:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13 to 19."), code="mobile"
        )
    return value


# The mask shows the region code and the last four characters; what it hides is exactly the
# eight-digit birth date (docs/security.md, "Masked identity numbers").
SHOWN_REGION, SHOWN_TAIL = 6, 4


def mask_id_number(value: str) -> str:
    """420303********1234: region code and the last four characters only."""
    if not value:
        return ""
    hidden = len(value) - SHOWN_REGION - SHOWN_TAIL
    return value[:SHOWN_REGION] + "*" * hidden + value[-SHOWN_TAIL:]


def mask_bank_account(value: str) -> str:
    """6228 **** 1234: the first four and the last four digits only."""
    if not value:
        return ""
    return f"{value[:4]} **** {value[-4:]}"


validate_bank_account = RegexValidator(
    r"^[0-9]{12,30}$", _("A bank account number has 12 to 30 digits, without spaces."), code="bank_account")


def validate_credit_code(value):
    check_credit_code(value)


def validate_id_number(value):
    check_id_number(value)


def validate_mobile(value):
    check_mobile(value)
