from django.urls import path

from . import pages

app_name = "api"

urlpatterns = [
    path("tokens/", pages.token_list, name="tokens"),
    path("tokens/new/", pages.token_new, name="token_new"),
    path("tokens/<int:pk>/", pages.token_detail, name="token_detail"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
