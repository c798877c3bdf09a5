from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

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
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
