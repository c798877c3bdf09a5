from django.urls import path

from . import pages

app_name = "api"

urlpatterns = [
    path("tokens/", pages.token_list, name="tokens"),
    path("tokens/new/", pages.token_new, name="token_new"),
    path("tokens/<int:pk>/", pages.token_detail, name="token_detail"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("webhooks/", pages.webhook_list, name="webhooks"),
    path("webhooks/new/", pages.webhook_new, name="webhook_new"),
    path("webhooks/<int:pk>/", pages.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/test/", pages.webhook_test, name="webhook_test"),
    path("webhooks/<int:pk>/enable/", pages.webhook_enable, name="webhook_enable"),
    path("webhooks/<int:pk>/delete/", pages.webhook_delete, name="webhook_delete"),
]
