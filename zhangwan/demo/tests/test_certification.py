"""The certificates the demo makes up for its workers' past are ones the product's eligibility rules
(services.decide) accept, without a database."""

import datetime
import random

import pytest

from certification import services
from zhangwan.demo import certification as demo


@pytest.mark.parametrize("level", [5, 4, 3, 2, 1])
def test_prerequisites_make_a_worker_eligible_and_were_earned_by_the_rules(level):
    rng = random.Random(level)
    on = datetime.date(2022, 9, 17)
    found = 0
    for since in range(1985, 2022):
        for education in ("senior", "college"):
            certificates = demo.prerequisites(rng, since, education, level, on)
            if certificates is None:  # too few years in the trade for the level
                assert on.year - since < 15
                continue
            found += 1
            facts = services.Facts(since, certificates, set(), education)
            assert services.decide(level, demo.RULES[level], facts, on)[0]
            for got, day in certificates.items():
                assert demo.FLOOR <= day <= demo.CUTOFF
                below = {lv: d for lv, d in certificates.items() if lv > got and d < day}
                assert services.decide(got, demo.RULES[got], services.Facts(since, below, set(), education), day)[0]
    assert found
