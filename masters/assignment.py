"""Who reviews what: every nomination gets the round's number of reviewers, none of them from the
nominee's organization (unless the officer waived that) or with a declared conflict, trades matched
where possible, loads as even as the pool allows (differing by at most one).

A pure function of plain data, so it can be checked on random pools (tests/test_assignment.py) and
timed (bench/masters.py) without a database."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Nominee:
    id: int
    organization: int | None
    trade: int


@dataclass(frozen=True)
class Expert:
    id: int
    organization: int | None
    trades: frozenset = field(default_factory=frozenset)
    max_load: int = 10_000


def allowed(nominee: Nominee, expert: Expert, blocked: set, waived: set) -> bool:
    if (nominee.id, expert.id) in blocked:
        return False
    same_org = nominee.organization is not None and nominee.organization == expert.organization
    return not same_org or (nominee.id, expert.id) in waived


def plan(nominees, experts, *, per_nomination: int, existing=None, blocked=frozenset(), waived=frozenset()):
    """New (nomination id, reviewer id) pairs. existing: nomination id → reviewer ids it already has
    (they count towards loads and are kept). Returns (pairs, short): short lists the nominations that
    could not get enough reviewers."""
    existing = {n: set(rs) for n, rs in (existing or {}).items()}
    load = Counter(r for rs in existing.values() for r in rs)
    options = {n.id: [e for e in experts if allowed(n, e, blocked, waived)] for n in nominees}
    by_id = {e.id: e for e in experts}
    pairs, short = [], []
    # The most constrained nominations first, so they are not left with nobody.
    for nominee in sorted(nominees, key=lambda n: (len(options[n.id]), n.id)):
        have = existing.setdefault(nominee.id, set())
        need = per_nomination - len(have)
        if need <= 0:
            continue
        free = [e for e in options[nominee.id] if e.id not in have and load[e.id] < e.max_load]
        free.sort(key=lambda e: (load[e.id], nominee.trade not in e.trades, e.id))
        chosen = free[:need]
        if len(chosen) < need:
            short.append(nominee.id)
        for expert in chosen:
            have.add(expert.id)
            load[expert.id] += 1
            pairs.append((nominee.id, expert.id))
    pairs = _rebalance(pairs, nominees, options, existing, load, by_id)
    return pairs, short


def _rebalance(pairs, nominees, options, existing, load, by_id):
    """Move new assignments from the busiest reviewer to the idlest one that may take them, until
    loads differ by at most one or no move is possible."""
    movable = {}
    for nomination, reviewer in pairs:
        movable.setdefault(reviewer, []).append(nomination)
    allowed_ids = {n: {e.id for e in opts} for n, opts in options.items()}
    active = [e.id for e in by_id.values()]
    if not active:
        return pairs
    for _round in range(len(pairs) + 1):
        ordered = sorted(active, key=lambda r: load[r])
        moved = False
        for busy in reversed(ordered):
            for idle in ordered:
                if load[busy] - load[idle] <= 1:
                    break
                if load[idle] >= by_id[idle].max_load:
                    continue
                for nomination in movable.get(busy, []):
                    if idle in allowed_ids[nomination] and idle not in existing[nomination]:
                        movable[busy].remove(nomination)
                        movable.setdefault(idle, []).append(nomination)
                        existing[nomination].discard(busy)
                        existing[nomination].add(idle)
                        load[busy] -= 1
                        load[idle] += 1
                        moved = True
                        break
                if moved:
                    break
            if moved:
                break
        if not moved:
            break
    return [(nomination, reviewer) for reviewer, noms in movable.items() for nomination in noms]
