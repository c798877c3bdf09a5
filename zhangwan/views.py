import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from zhangwan.accounts.roles import Role, has_role, is_district_staff


def home(request):
    """The landing page: public for visitors, the dashboard for staff and liaisons, a start page by
    role for everyone else."""
    user = request.user
    context = {}
    if is_district_staff(user) or (has_role(user, Role.LIAISON) and user.organization_id):
        return redirect("reports:dashboard")
    if user.is_authenticated:
        context = {
            "is_staff_role": is_district_staff(user),
            "is_liaison": has_role(user, Role.LIAISON),
            "is_worker": has_role(user, Role.WORKER),
            "is_reviewer": has_role(user, Role.REVIEWER),
            "is_judge": has_role(user, Role.JUDGE),
        }
    return render(request, "home.html", context)


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503, headers={"Retry-After": "30"})
    return JsonResponse({"status": "ok"})


# PostgreSQL's error classes for a server that is gone: connection exceptions, shutting down,
# starting up. Deadlocks, lock and statement timeouts are OperationalErrors too, but not these.
SERVER_GONE = ("08", "57P01", "57P02", "57P03")


def database_down(error) -> bool:
    if isinstance(error, InterfaceError):  # the connection was already closed
        return True
    if not isinstance(error, OperationalError):
        return False
    code = getattr(error.__cause__, "pgcode", None)
    return code is None or code.startswith(SERVER_GONE)  # None: no server answered at all


@requires_csrf_token
def server_error(request):
    """The 500 page, or a 503 "back in a moment" when the error is the database not answering
    (restarting, failing over): the next request reconnects (CONN_HEALTH_CHECKS)."""
    if database_down(sys.exception()):
        body = loader.get_template("503.html").render()
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
    return defaults.server_error(request)


def favicon(request):
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
