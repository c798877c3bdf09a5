"""The project's URLs plus a bare view: the floor that every page is compared with."""

import inspect
import os
import sys

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from zhangwan.urls import urlpatterns as project_urlpatterns


def _patch_worker_lookup():
    """Opt-in (BENCH_PATCH_WORKER_LOOKUP=1) stand-in for a known bug, so figures can be taken while it
    is open: training.views calls ``get_worker_or_404(request.user, user=request.user)``, which raises
    TypeError (``user`` is also the name of the first parameter). Applied only while that call still
    fails; the stand-in does what the call means: the caller's own worker record, 404 if none."""
    from training import views
    from zhangwan.accounts.scope import workers_for

    try:
        inspect.signature(views.get_worker_or_404).bind(None, user=None)
        return
    except TypeError:
        pass

    def get_worker_or_404(user, /, **lookup):
        return get_object_or_404(workers_for(user), **lookup)

    views.get_worker_or_404 = get_worker_or_404
    print("bench: PATCHED training.views.get_worker_or_404 (BENCH_PATCH_WORKER_LOOKUP=1)", file=sys.stderr)


if os.environ.get("BENCH_PATCH_WORKER_LOOKUP") == "1":
    _patch_worker_lookup()

urlpatterns = [
    *project_urlpatterns,
    path("bench/bare/", lambda request: HttpResponse("ok"), name="bench_bare"),
]
