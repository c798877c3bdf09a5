"""The money figures of subsidies, computed in one place: the policy pages, the dashboard and the
annual report all read them from here (docs/subsidies.md, "Money figures").

A claim's money counts once its batch is approved (committed) or paid (paid). A reversal of a paid
claim counts against both at once, negative, whether or not its money has come back yet: the
subsidy was not due. Until the money is back it is also "to recover"; it is recovered through a paid
recovery batch or when finance marks it recovered. A reversal of a claim that was never paid cancels
it and moves no money."""

from decimal import Decimal

from django.db.models import Q, Sum

from .models import ZERO, Batch, Claim

PAID = Batch.Status.PAID
COMMITTED = [Batch.Status.APPROVED, Batch.Status.PAID]

# The figures, as filters on claims (each summed over amount).
PAID_OUT = Q(reverses__isnull=True, batch__kind=Batch.Kind.PAYMENT, batch__status=PAID)
COMMITTED_OUT = Q(reverses__isnull=True, batch__kind=Batch.Kind.PAYMENT, batch__status__in=COMMITTED)
REVERSED = Q(reverses__isnull=False, reverses__batch__status=PAID)
TO_RECOVER = REVERSED & Q(recovered_on__isnull=True) & (Q(batch__isnull=True) | ~Q(batch__status=PAID))
MONEY = Q(batch__isnull=False) | REVERSED  # the claims any figure counts


def _measures(prefix=""):
    return {
        f"{prefix}paid_out": Sum("amount", filter=PAID_OUT, default=ZERO),
        f"{prefix}committed_out": Sum("amount", filter=COMMITTED_OUT, default=ZERO),
        f"{prefix}reversed": Sum("amount", filter=REVERSED, default=ZERO),
        f"{prefix}to_recover": Sum("amount", filter=TO_RECOVER, default=ZERO),
    }


def _figures(row, prefix="") -> dict[str, Decimal]:
    reversed_ = row[f"{prefix}reversed"]
    return {
        "committed": row[f"{prefix}committed_out"] + reversed_,
        "paid": row[f"{prefix}paid_out"] + reversed_,
        "reversed": -reversed_,
        "to_recover": -row[f"{prefix}to_recover"],
    }


def money(claims) -> dict[str, Decimal]:
    """committed, paid (both net of reversals), reversed and to_recover (positive amounts) of these claims."""
    return _figures(claims.filter(MONEY).aggregate(**_measures()))


def money_by(claims, field: str) -> dict:
    """The same figures per value of field (e.g. "policy", "policy__kind")."""
    rows = claims.filter(MONEY).order_by().values(field).annotate(**_measures())
    return {row[field]: _figures(row) for row in rows}


def policy_money(policies) -> dict[int, dict[str, Decimal]]:
    """Per policy (by pk): its figures, the zero ones included."""
    pks = [p.pk for p in policies]
    found = money_by(Claim.objects.filter(policy__in=pks), "policy")
    empty = {"committed": ZERO, "paid": ZERO, "reversed": ZERO, "to_recover": ZERO}
    return {pk: found.get(pk, empty) for pk in pks}
