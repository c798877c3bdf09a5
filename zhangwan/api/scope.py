"""What a token reaches: the rows its maker's pages show, narrowed to the token's organization. Another
organization's object is then simply not found (404), as on the pages."""

from zhangwan.accounts.scope import organizations_for, workers_for


def workers(request):
    rows = workers_for(request.user)
    token = request.auth
    return rows.filter(employer_id=token.organization_id) if token.organization_id else rows


def organizations(request):
    rows = organizations_for(request.user)
    token = request.auth
    return rows.filter(pk=token.organization_id) if token.organization_id else rows
