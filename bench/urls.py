"""The project's URLs plus a bare view: the floor that every page is compared with."""

from django.http import HttpResponse
from django.urls import path

from zhangwan.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("bench/bare/", lambda request: HttpResponse("ok"), name="bench_bare"),
]
