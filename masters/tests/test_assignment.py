"""The assignment plan's properties on random pools (hypothesis): exact counts, no conflicts,
balanced loads."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ..assignment import Expert, Nominee, allowed, plan

ORGANIZATIONS = st.one_of(st.none(), st.integers(1, 12))


@st.composite
def pools(draw):
    experts = [Expert(id=i, organization=draw(ORGANIZATIONS), trades=frozenset(draw(st.sets(st.integers(1, 5),
                                                                                           max_size=3))))
               for i in range(draw(st.integers(6, 30)))]
    nominees = [Nominee(id=i, organization=draw(ORGANIZATIONS), trade=draw(st.integers(1, 5)))
                for i in range(draw(st.integers(1, 60)))]
    pairs = st.tuples(st.sampled_from([n.id for n in nominees]), st.sampled_from([e.id for e in experts]))
    blocked = draw(st.sets(pairs, max_size=len(nominees)))
    return nominees, experts, blocked


def _feasible(nominees, experts, blocked, k):
    return all(sum(allowed(n, e, blocked, set()) for e in experts) >= k for n in nominees)


@settings(max_examples=150, deadline=None)
@given(pools(), st.integers(3, 5))
def test_every_nomination_gets_exactly_k_reviewers_without_conflicts(pool, k):
    nominees, experts, blocked = pool
    pairs, short = plan(nominees, experts, per_nomination=k, blocked=blocked)
    counts = Counter(n for n, _r in pairs)
    by_id = {e.id: e for e in experts}
    assert len(set(pairs)) == len(pairs)
    for nominee in nominees:
        if _feasible([nominee], experts, blocked, k):
            assert counts[nominee.id] == k and nominee.id not in short
        else:
            assert nominee.id in short
    for n_id, r_id in pairs:
        nominee = next(n for n in nominees if n.id == n_id)
        assert allowed(nominee, by_id[r_id], blocked, set())


@settings(max_examples=150, deadline=None)
@given(pools(), st.integers(3, 5))
def test_loads_differ_by_at_most_one_where_conflicts_are_few(pool, k):
    nominees, experts, _blocked = pool
    # Conflicts only by organization, with a pool big enough for anyone: a balanced plan exists.
    experts = [Expert(id=e.id, organization=e.organization, trades=e.trades) for e in experts]
    if not _feasible(nominees, experts, set(), k + 2):
        return
    pairs, short = plan(nominees, experts, per_nomination=k)
    loads = Counter(r for _n, r in pairs)
    values = [loads.get(e.id, 0) for e in experts]
    assert short == []
    assert max(values) - min(values) <= 1


def test_trades_are_matched_when_loads_allow():
    experts = [Expert(id=1, organization=None, trades=frozenset({7})), Expert(id=2, organization=None),
               Expert(id=3, organization=None), Expert(id=4, organization=None)]
    pairs, _short = plan([Nominee(id=1, organization=None, trade=7)], experts, per_nomination=3)
    assert 1 in {r for _n, r in pairs}


def test_existing_assignments_are_kept_and_counted():
    experts = [Expert(id=i, organization=None) for i in range(1, 5)]
    pairs, _short = plan([Nominee(id=1, organization=None, trade=1)], experts, per_nomination=3,
                         existing={1: {1, 2}})
    assert len(pairs) == 1 and pairs[0][1] in {3, 4}


def test_a_reviewers_cap_is_respected():
    experts = [Expert(id=i, organization=None, max_load=1 if i == 1 else 100) for i in range(1, 5)]
    nominees = [Nominee(id=i, organization=None, trade=1) for i in range(6)]
    pairs, _short = plan(nominees, experts, per_nomination=3)
    assert Counter(r for _n, r in pairs)[1] <= 1
