"""Numbers and lists as a report writes them, in the current language (the written annual summary).

Chinese: counts with thousands separators (29,752), ten-thousands as 万 from 100,000 (12.3万) and 亿 from
100,000,000 (1.25亿); money in 万元 with one decimal from 10,000 yuan (1492.2万元), in 亿元 from 100,000,000
(1.49亿元), in yuan below (8,500元). English: counts with separators, money in million yuan from a
million (14.92 million yuan). A change on the year before is "较上年增长 65.9%" / "up 65.9% on the year
before". Lists: "甲、乙和丙" / "a, b and c".
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

WAN, YI = 10_000, 100_000_000


def chinese() -> bool:
    return not (get_language() or "").startswith("en")


def _places(value: Decimal, places: int) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def count(n) -> str:
    n = int(n)
    if chinese():
        if abs(n) >= YI:
            return f"{_places(Decimal(n) / YI, 2)}亿"
        if abs(n) >= 10 * WAN:
            return f"{_places(Decimal(n) / WAN, 1)}万"
    elif abs(n) >= 10_000_000:
        return f"{_places(Decimal(n) / 1_000_000, 1)} million"
    return f"{n:,}"


def yuan(amount) -> str:
    amount = Decimal(amount)
    if chinese():
        if abs(amount) >= YI:
            return f"{_places(amount / YI, 2)}亿元"
        if abs(amount) >= WAN:
            return f"{_places(amount / WAN, 1)}万元"
        return f"{_whole_or_cents(amount)}元"
    if abs(amount) >= 1_000_000:
        return f"{_places(amount / 1_000_000, 2)} million yuan"
    return f"{_whole_or_cents(amount)} yuan"


def _whole_or_cents(amount: Decimal) -> str:
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def change(now, before) -> str:
    """The change on the year before, in words."""
    if not before:
        return _("none the year before") if now else _("none either the year before")
    percent = (Decimal(now) - Decimal(before)) / Decimal(before) * 100
    shown = _places(abs(percent), 1) if abs(percent) < 1000 else f"{abs(percent):,.0f}"
    if "." not in shown:
        shown += ".0"
    if abs(percent) < Decimal("0.05"):
        return _("the same as the year before")
    if percent > 0:
        return _("up %(percent)s%% on the year before") % {"percent": shown}
    return _("down %(percent)s%% on the year before") % {"percent": shown}


def listing(items: list[str]) -> str:
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    if chinese():
        return "、".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def quoted(name: str) -> str:
    """A name in the sentence: in Chinese within “”, its own quotation marks becoming ‘’."""
    return f"“{name.replace('“', '‘').replace('”', '’')}”" if chinese() else name


def level(label: str) -> str:
    """A skill level's label in a sentence: "一级（高级技师）", "Level 1 (senior technician)"."""
    number, _sep, name = str(label).partition(" · ")
    if not name:
        return number
    return f"{number}（{name}）" if chinese() else f"{number} ({name.lower()})"


def sentences(parts: list[str]) -> str:
    return ("" if chinese() else " ").join(parts)


def table_number(value) -> str:
    """A figure in a table: thousands separators, money with two places."""
    return f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"
