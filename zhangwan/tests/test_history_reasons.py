import pytest
from django.utils import translation

from zhangwan.history import REASONS, reason_key, reason_text


def test_a_reason_key_reads_in_the_readers_language():
    with translation.override("zh-hans"):
        assert reason_text(reason_key("batch.paid", "BANK-1")) == "已支付，银行流水号 BANK-1"
    with translation.override("en"):
        assert reason_text(reason_key("batch.paid", "BANK-1")) == "Paid, bank reference BANK-1"


def test_a_free_text_reason_of_an_older_row_shows_as_it_is():
    assert reason_text("paid: REF6") == "paid: REF6"
    assert reason_text("promoted from the waiting list") == "promoted from the waiting list"


def test_an_unknown_reason_key_is_refused():
    with pytest.raises(KeyError):
        reason_key("batch.lost")


def test_every_reason_has_a_chinese_label():
    with translation.override("en"):
        english = {key: str(label) for key, label in REASONS.items()}
    with translation.override("zh-hans"):
        untranslated = [key for key, label in REASONS.items() if str(label) == english[key]]
    assert untranslated == []


def test_the_history_list_shows_reasons_in_the_readers_language():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    rows = [SimpleNamespace(history_date=None, history_user=None, get_history_type_display="~",
                            history_change_reason=reason, changes=[])
            for reason in (reason_key("claim.approved"), "put in batch")]
    with translation.override("zh-hans"):
        html = render_to_string("includes/history.html", {"history": rows})
        label = str(REASONS["claim.approved"])
    assert label != "Approved" and label in html and "claim.approved" not in html and "put in batch" in html
