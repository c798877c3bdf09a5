"""Subsidies: the claims of the organization's workers and what was paid, masked as the pages mask them."""


from training.subsidies.exports import claims_for

from .. import scope
from ..base import ApiDetail, ApiList
from ..models import Scope
from ..serializers import ClaimSerializer


def claims(request):
    return claims_for(request.user).filter(worker__in=scope.workers(request)).select_related("worker")


class ClaimList(ApiList):
    """The claims of the organization's workers (?paid=true: only those paid), masked as the claims page."""

    scopes = Scope.SUBSIDIES
    serializer_class = ClaimSerializer

    def get_queryset(self):
        rows = claims(self.request)
        if self.request.query_params.get("paid") == "true":
            rows = rows.filter(batch__payment__isnull=False)
        return rows


class ClaimDetail(ApiDetail):
    scopes = Scope.SUBSIDIES
    serializer_class = ClaimSerializer

    def get_queryset(self):
        return claims(self.request)
